"""Pipelines end to end: real papermill runs on a real kernel (mlkit init/run/add-data/demo), cache, failures, concurrency."""

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from mlkit.core import MlkitInputError
from mlkit.data import RawDataChangedError, read_manifest, register
from mlkit.frame import ProblemSpec, StepSpec
from mlkit.pipeline import STEPS_DIR, demo, init, read_run, run

SMALL = ["cv=2", "time_budget=10", "profile.max_charts=2", "sanity.n_permutations=0", "chart_formats=[svg, png]"]
MLKIT = [sys.executable, "-m", "mlkit"]


def mlkit_cli(*args, cwd=None, timeout=300):
    "Run the `mlkit` command in a subprocess; return the CompletedProcess."
    return subprocess.run([*MLKIT, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def write_step(
    path: Path,
    body: str,
    params: str = 'data_path: str = ""  # the table\nscale: float = 1.0  # a factor\noutput_dir: str = "out"  # outputs',
):
    "A user notebook: one parameters cell and one cell of code."
    cells = [nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell(body)]
    nb = nbformat.v4.new_notebook(
        cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nbformat.write(nb, path)


SCORE = (
    "from mlkit.data import read_table\nfrom mlkit.pipeline import StepOutputs\n\nout = StepOutputs(output_dir)\nx = read_table(data_path)['x']\n"
    "out.save_metrics(headline={'metric': 'mean_x', 'value': float(x.mean()) * scale, 'score_to_beat': 1.0, 'beats': True}, rows=len(x))"
)


def toy_project(root: Path, body: str = SCORE, steps=("score",)) -> Path:
    "A project with a tiny data file and quick notebooks of our own (no heavy analysis)."
    init(root, target="y")
    (root / "download.csv").write_text("x,y\n1,0\n2,1\n3,1\n")
    register(root / "download.csv", project=root, name="table.csv", role="train")
    spec = ProblemSpec.load(root)
    for name in steps:
        write_step(root / "notebooks" / f"{name}.ipynb", body)
    spec.steps = [StepSpec(n, f"notebooks/{n}.ipynb") for n in steps]
    spec.parameters = {}
    spec.save(root)
    return root


def assert_standalone(page: str):
    "No script or stylesheet from a URL, nothing fetched at view time."
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script[^>]*\bsrc=", page, re.I)
    assert not re.search(r"<link[^>]*stylesheet", page, re.I)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page, re.I)
    assert "@import" not in page


# --- project creation and spec (fast) ----------------------------------------------------------------------------------


def test_init_makes_a_complete_project(tmp_path):
    root = init(tmp_path / "p", target="Sex", metric="balanced_accuracy", sensitive=["Island"])
    for rel in ("mlkit.yaml", "DESIGN.md", ".gitignore", ".pre-commit-config.yaml", "data/raw", "runs"):
        assert (root / rel).exists(), rel
    assert sorted(p.name for p in (root / "notebooks").glob("*.ipynb")) == sorted(p.name for p in STEPS_DIR.glob("*.ipynb"))
    spec = ProblemSpec.load(root)
    assert spec.target == "Sex" and spec.metric == "balanced_accuracy" and spec.sensitive == ["Island"]
    import yaml

    hooks = yaml.safe_load((root / ".pre-commit-config.yaml").read_text())
    ids = {h["id"] for r in hooks["repos"] for h in r["hooks"]}
    assert {"ruff", "ruff-format", "nbstripout"} <= ids
    design = (root / "DESIGN.md").read_text()
    for heading in ("Who it serves", "Objective", "Metric, and why", "Score to beat", "Data sources", "Risks", "What done means"):
        assert f"## {heading}" in design
    assert "runs/" in (root / ".gitignore").read_text()


def test_cli_init_and_rerun_never_overwrites(tmp_path):
    r = mlkit_cli("init", tmp_path / "q", "--target", "y")
    assert r.returncode == 0, r.stderr
    (tmp_path / "q" / "mlkit.yaml").write_text((tmp_path / "q" / "mlkit.yaml").read_text() + "# my edit\n")
    r = mlkit_cli("init", tmp_path / "q")
    assert r.returncode == 0 and "nothing changed" in r.stdout
    assert (tmp_path / "q" / "mlkit.yaml").read_text().endswith("# my edit\n")


def test_malformed_yaml_names_key_and_line(tmp_path):
    root = toy_project(tmp_path / "bad")
    text = (root / "mlkit.yaml").read_text()
    (root / "mlkit.yaml").write_text(text.replace("target: y", "targt: y"))
    r = mlkit_cli("run", cwd=root)
    assert r.returncode == 2
    assert re.search(r"mlkit.yaml, line \d+: key 'targt': unknown key; did you mean 'target'\?", r.stderr), r.stderr
    (root / "mlkit.yaml").write_text(text.replace("target: y", "target: [y"))
    r = mlkit_cli("run", cwd=root)
    assert r.returncode == 2 and re.search(r"mlkit.yaml, line \d+, column \d+: not valid YAML", r.stderr), r.stderr
    (root / "mlkit.yaml").write_text(text + "evil: !!python/object/apply:os.system ['touch pwned']\n")
    r = mlkit_cli("run", cwd=root)
    assert r.returncode == 2 and "safe loader" in r.stderr and not (root / "pwned").exists()
    assert not list((root / "runs").glob("*/run.json"))  # nothing ran


def test_unknown_parameter_is_refused(tmp_path):
    root = toy_project(tmp_path / "p")
    with pytest.raises(MlkitInputError, match="step 'score' declares no parameter 'scal'"):
        run(root, overrides=["score.scal=2"])
    with pytest.raises(MlkitInputError, match="no step declares a parameter 'learning_rate'"):
        run(root, overrides=["learning_rate=0.1"])


@pytest.mark.parametrize("notebook", sorted(p.name for p in STEPS_DIR.glob("*.ipynb")))
def test_step_notebooks_document_every_parameter(notebook):
    import papermill as pm

    path = STEPS_DIR / notebook
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged parameters"
    assigned = [
        line.split(":")[0].split("=")[0].strip()
        for line in tagged[0].source.splitlines()
        if line.strip() and not line.startswith(("#", "from ", "import "))
    ]
    info = pm.inspect_notebook(str(path))
    assert list(info) == assigned  # papermill understands every line
    for name, p in info.items():
        assert p["inferred_type_name"] not in (None, "None"), f"{name} has no type"
        assert p["help"], f"{name} has no comment"
    assert nb.metadata.kernelspec.name == "python3"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code" and c is not tagged[0])
    imported = set(re.findall(r"^(?:from|import) ([\w.]+)", code, re.M))
    assert imported <= {"mlkit", "IPython.display"} | {m for m in imported if m.startswith("mlkit.")}, imported


def test_help_notebook_cli_prints_parameters():
    r = subprocess.run(
        [sys.executable, "-m", "papermill", "--help-notebook", str(STEPS_DIR / "03_baseline.ipynb")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    for name in (
        "data_path: str",
        "target: str",
        "cv: int (default 5)",
        "score_to_beat: Optional[float] (default None)",
        "number of cross-validation folds",
    ):
        assert name in r.stdout, name


# --- the shipped pipeline on real data (slow) --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    "The demo project run twice (the second must reuse every step)."
    root = tmp_path_factory.mktemp("demo") / "penguins"
    lines = []
    t0 = time.perf_counter()
    code = demo(root, overrides=SMALL, echo=lines.append)
    first_s = time.perf_counter() - t0
    first = sorted((root / "runs").glob("*/run.json"))[-1].parent
    t0 = time.perf_counter()
    second = run(root, overrides=SMALL, echo=lines.append)
    second_s = time.perf_counter() - t0
    return {"root": root, "code": code, "first": first, "second": second, "first_s": first_s, "second_s": second_s, "lines": lines}


@pytest.mark.slow
def test_full_run_on_demo_data(demo_runs):
    root, first = demo_runs["root"], demo_runs["first"]
    assert demo_runs["code"] == 0, "\n".join(demo_runs["lines"])
    rec = read_run(first)
    assert rec["status"] == "ok" and [s["status"] for s in rec["steps"]] == ["ok"] * 5
    assert re.match(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$", rec["id"]) and first.name == rec["id"]
    # run.json: parameters, fingerprints, notebook hashes, versions, git, timings, headline
    assert rec["parameters"]["baseline"]["cv"] == 2 and rec["parameters"]["baseline"]["target"] == "Sex"
    assert rec["data"]["train"]["path"] == "data/raw/penguins_raw.csv" and re.fullmatch(r"[0-9a-f]{64}", rec["data"]["train"]["sha256"])
    assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in rec["inputs"].values()) and "mlkit.yaml" in rec["inputs"]
    assert set(rec["notebooks"]) == {"check", "profile", "baseline", "sanity", "report"}
    assert {"mlkit", "pandas", "scikit-learn", "papermill"} <= set(rec["environment"]["packages"]) and rec["environment"]["python"]
    assert "git" in rec and all(s["seconds"] > 0 for s in rec["steps"])
    h = rec["headline"]
    assert h["metric"] == "balanced_accuracy" and 0 <= h["value"] <= 1 and h["trivial_floor"] == pytest.approx(0.5)
    # the bar is the best simple baseline; when the best model is that baseline, balanced accuracy's fixed floor is no bar
    assert (
        (h["beats"] is True and h["score_to_beat"] > 0.5)
        if h["best_simple"] != h["model"]
        else (h["score_to_beat"] is None and "no bar" in h["score_to_beat_source"])
    )
    # executed notebooks, charts in SVG and PNG, numbers in JSON
    for step, nb in [
        ("check", "01_check"),
        ("profile", "02_profile"),
        ("baseline", "03_baseline"),
        ("sanity", "04_sanity"),
        ("report", "05_report"),
    ]:
        assert (first / step / f"{nb}.ipynb").exists()
    assert (first / "baseline" / "baseline.svg").exists() and (first / "baseline" / "baseline.png").read_bytes()[:4] == b"\x89PNG"
    assert len(list((first / "profile").glob("*.svg"))) == 2 and (first / "check" / "schema.json").exists()
    assert json.loads((first / "baseline" / "metrics.json").read_text())["headline"]["value"] == h["value"]
    # report.html: standalone, offline, headline first, then data findings, charts, link to DESIGN.md
    page = (first / "report.html").read_text()
    assert_standalone(page)
    assert page.index("mlk-headline") < page.index("Data findings") < page.index('id="step-baseline"')
    assert 'href="../../DESIGN.md"' in page and "data:image/svg+xml;base64," in page and rec["id"] in page
    assert (root / "EXPERIMENTS.md").read_text().count(rec["id"]) >= 1
    assert stat.S_IMODE((root / "data/raw/penguins_raw.csv").stat().st_mode) & 0o222 == 0  # raw data read-only


@pytest.mark.slow
def test_a_project_made_before_the_layers_still_runs(tmp_path):
    "The step notebooks an earlier `mlkit init` copied (they import from mlkit.pipeline, mlkit.checks, ...) run on today's mlkit."
    import shutil

    from mlkit.datasets import DEMO_SENSITIVE, DEMO_TARGET, demo_path

    old = Path(__file__).parent / "steps_before_layers"
    root = init(tmp_path / "old", target=DEMO_TARGET, task="classification", metric="balanced_accuracy", sensitive=DEMO_SENSITIVE)
    for nb in sorted(old.glob("*.ipynb")):
        shutil.copyfile(nb, root / "notebooks" / nb.name)
    register(demo_path(), project=root, name=demo_path().name, role="train")
    lines = []
    result = run(root, overrides=SMALL, echo=lines.append)
    assert result.exit_code == 0, "\n".join(lines)
    rec = read_run(result.path)
    assert [s["status"] for s in rec["steps"]] == ["ok"] * 5
    for step, info in rec["notebooks"].items():  # the old copies ran, not mlkit's own notebooks
        assert (old / Path(info["path"]).name).read_bytes() == (root / info["path"]).read_bytes(), step
    assert json.loads((result.path / "baseline" / "metrics.json").read_text())["headline"]["metric"] == "balanced_accuracy"
    assert "Data findings" in (result.path / "report.html").read_text()


@pytest.mark.slow
def test_demo_ends_with_a_bundle_and_the_command_that_serves_it(demo_runs):
    pytest.importorskip("fastapi")
    pytest.importorskip("skops")
    from mlkit.cli.demo import package_demo
    from mlkit.data import read_table
    from mlkit.datasets import demo_path
    from mlkit.serve import load_bundle

    lines = []
    bundle = package_demo(demo_runs["root"], echo=lines.append)
    newest = sorted((demo_runs["root"] / "runs").glob("*/run.json"))[-1].parent
    assert bundle == newest / "bundle" and f"mlkit serve {bundle.resolve()}" in lines[-1]
    loaded = load_bundle(bundle)
    assert "Sex" not in loaded.features and len(loaded.features) >= 5
    rows = read_table(demo_path()).head(3)
    assert len(loaded.model.predict(rows[loaded.features])) == 3


@pytest.mark.slow
def test_second_run_reuses_every_step(demo_runs):
    second, first = demo_runs["second"], demo_runs["first"]
    assert second.ok and set(second.steps().values()) == {"reused"}
    assert all(s["reused_from"] == first.name for s in second.record["steps"])
    assert any("reused from run" in line for line in demo_runs["lines"])
    assert second.report is not None and second.id in second.report.read_text()
    assert (second.path / "profile" / "02_profile.ipynb").exists()  # outputs copied into the new run
    assert demo_runs["second_s"] < demo_runs["first_s"] / 5, (demo_runs["first_s"], demo_runs["second_s"])


@pytest.mark.slow
def test_changing_one_parameter_reruns_only_what_depends_on_it(demo_runs):
    res = run(demo_runs["root"], overrides=[*SMALL, "profile.max_charts=1"], echo=lambda *a, **k: None)
    assert res.steps() == {"check": "reused", "profile": "ok", "baseline": "reused", "sanity": "reused", "report": "ok"}
    assert res.record["changes"]["count"] - len(res.record["changes"]["code"]) == 1
    assert "max_charts 2 -> 1 (profile)" in res.record["changes_text"]
    assert len(list((res.path / "profile").glob("*.svg"))) == 1


@pytest.mark.slow
def test_force_and_only(demo_runs):
    root = demo_runs["root"]
    res = run(root, overrides=SMALL, only=["check"], force=True, echo=lambda *a, **k: None)
    assert res.steps() == {"check": "ok", "profile": "skipped", "baseline": "skipped", "sanity": "skipped", "report": "skipped"}
    res = run(root, overrides=SMALL, only=["sanity"], echo=lambda *a, **k: None)  # sanity needs baseline: reused, not re-run
    assert res.steps()["baseline"] == "reused" and res.steps()["sanity"] == "reused" and res.steps()["check"] == "skipped"


@pytest.mark.slow
def test_changing_several_things_warns(demo_runs):
    res = run(demo_runs["root"], overrides=[*SMALL, "baseline.cv=4", "profile.max_charts=1"], only=["check"], echo=lambda *a, **k: None)
    assert res.record["changes"]["count"] >= 2  # (more when mlkit's own source changed in between)
    assert "change one thing at a time" in res.record["warnings"][0]
    r = mlkit_cli("log", "-n", "1", cwd=demo_runs["root"])
    assert "WARNING" in r.stdout and "change one thing at a time" in r.stdout


@pytest.mark.slow
def test_full_run_on_data_with_defects(tmp_path):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 120
    df = pd.DataFrame(
        {
            "customer_id": np.arange(n),
            "age": rng.integers(18, 80, n).astype(float),
            "income": rng.normal(50_000, 10_000, n),
            "constant": 1,
            "<b>city</b>": rng.choice(["north", "south", "  north", "NORTH"], n),
        }
    )
    df["churn"] = (df["age"] + rng.normal(0, 10, n) > 50).map({True: "yes", False: "no"})
    df.loc[::10, "income"] = np.nan
    df.loc[[3, 7], "churn"] = np.nan  # missing target values
    df = pd.concat([df, df.iloc[:6]], ignore_index=True)  # duplicated rows
    src = tmp_path / "churn.csv"
    df.to_csv(src, index=False)
    root = init(tmp_path / "churn", target="churn", data=src)
    assert ProblemSpec.load(root).data == {"train": "data/raw/churn.csv"}
    res = run(root, overrides=SMALL, echo=lambda *a, **k: None)
    assert res.ok, res.record.get("error")
    check = json.loads((res.path / "check" / "check.json").read_text())
    flagged = {c for f in check["findings"] if f["severity"] in ("error", "warning") for c in f["columns"]}
    assert {"constant", "churn"} & flagged, check["findings"]
    assert any(f["check"] == "duplicate_rows" for f in check["findings"]), [f["check"] for f in check["findings"]]
    page = res.report.read_text()
    assert_standalone(page)
    assert "&lt;b&gt;city&lt;/b&gt;" in page and "<b>city</b>" not in page  # escaped everywhere


# --- failures, raw data, concurrency (slow: real kernels) ---------------------------------------------------------------


@pytest.mark.slow
def test_failing_step_stops_the_run(tmp_path):
    root = toy_project(tmp_path / "p", steps=("score", "boom", "after"))
    write_step(root / "notebooks/boom.ipynb", "x = 1\n\nraise ValueError('no rows for 2025')")
    r = mlkit_cli("run", cwd=root)
    assert r.returncode == 1
    assert "step 'boom' failed in cell 2 of notebooks/boom.ipynb" in r.stderr and "ValueError: no rows for 2025" in r.stderr
    assert "raise ValueError('no rows for 2025')" in r.stderr and "later steps not run: after" in r.stderr
    rec = read_run(sorted((root / "runs").glob("*/run.json"))[-1])
    assert rec["status"] == "failed" and [s["status"] for s in rec["steps"]] == ["ok", "failed", "not run"]
    assert rec["error"]["step"] == "boom" and rec["error"]["cell"] == 2
    kept = nbformat.read(root / rec["steps"][1]["executed"], as_version=4)
    assert any(o.get("ename") == "ValueError" for c in kept.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert not (root / "runs" / rec["id"] / "after").exists()
    assert "failed at boom" in mlkit_cli("log", cwd=root).stdout


@pytest.mark.slow
def test_changed_raw_file_stops_the_run_until_registered(tmp_path):
    root = toy_project(tmp_path / "p")
    assert run(root, echo=lambda *a, **k: None).ok
    raw = root / "data/raw/table.csv"
    old_sha = read_manifest(root)["files"]["data/raw/table.csv"]["sha256"]
    os.chmod(raw, 0o644)
    raw.write_text("x,y\n10,0\n20,1\n")
    runs_before = len(list((root / "runs").iterdir()))
    r = mlkit_cli("run", cwd=root)
    assert r.returncode == 2
    assert "data/raw/table.csv" in r.stderr and old_sha in r.stderr and re.search(r"now [0-9a-f]{64}", r.stderr), r.stderr
    assert len(list((root / "runs").iterdir())) == runs_before  # nothing ran
    with pytest.raises(RawDataChangedError):
        run(root)
    r = mlkit_cli("add-data", "data/raw/table.csv", cwd=root)
    assert (
        r.returncode == 0
        and "new version of data/raw/table.csv" in r.stdout
        and "data.train now points to data/raw/table.v2.csv" in r.stdout
    )
    assert (root / "data/raw/table.v2.csv").read_text() == "x,y\n10,0\n20,1\n" and (root / "data/raw/table.csv").exists()
    res = run(root, echo=lambda *a, **k: None)
    assert res.ok and res.headline["value"] == 15.0 and res.record["changes"]["data"][0]["role"] == "train"


@pytest.mark.slow
def test_add_data_copies_read_only_and_never_replaces(tmp_path):
    root = toy_project(tmp_path / "p")
    src = tmp_path / "new.csv"
    src.write_text("x,y\n5,1\n")
    r = mlkit_cli("add-data", src, "--role", "test", cwd=root)
    assert r.returncode == 0 and "registered data/raw/new.csv" in r.stdout
    dest = root / "data/raw/new.csv"
    assert dest.read_text() == src.read_text() and not dest.stat().st_mode & 0o222
    assert ProblemSpec.load(root).data["test"] == "data/raw/new.csv"
    assert "already registered" in mlkit_cli("add-data", src, cwd=root).stdout
    src.write_text("x,y\n6,1\n")
    assert "data/raw/new.v2.csv" in mlkit_cli("add-data", src, cwd=root).stdout
    assert dest.read_text() == "x,y\n5,1\n"  # the old version untouched
    manifest = read_manifest(root)["files"]
    assert manifest["data/raw/new.v2.csv"]["previous"] == "data/raw/new.csv" and manifest["data/raw/new.v2.csv"]["version"] == 2
    assert mlkit_cli("add-data", tmp_path / "missing.csv", cwd=root).returncode == 2


@pytest.mark.slow
def test_two_runs_at_once_do_not_corrupt_each_other(tmp_path):
    slow = "import time\nfrom mlkit.pipeline import StepOutputs\n\ntime.sleep(1.5)\nStepOutputs(output_dir).save_metrics(headline={'metric': 'm', 'value': scale})"
    root = toy_project(tmp_path / "p", body=slow)
    procs = [
        subprocess.Popen([*MLKIT, "run", "--set", f"scale={i}"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in (1, 2)
    ]
    outs = [p.communicate(timeout=240) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    recs = [read_run(p) for p in sorted((root / "runs").glob("*/run.json"))]
    assert len(recs) == 2 and {r["status"] for r in recs} == {"ok"} and len({r["id"] for r in recs}) == 2
    assert sorted(r["headline"]["value"] for r in recs) == [1, 2]
    log = (root / "EXPERIMENTS.md").read_text()
    assert all(log.count(f"<!-- notes:{r['id']} -->") == 1 for r in recs)
    assert not list(root.rglob("*.tmp"))  # no half-written files left


@pytest.mark.slow
def test_interrupted_run_is_marked(tmp_path):
    root = toy_project(tmp_path / "p", body="import time\ntime.sleep(60)")
    proc = subprocess.Popen([*MLKIT, "run"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        recs = list((root / "runs").glob("*/run.json"))
        if recs and read_run(recs[0])["steps"][0]["status"] == "running":
            break
        time.sleep(0.2)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    assert proc.returncode == 130
    rec = read_run(recs[0])
    assert rec["status"] == "interrupted" and rec["steps"][0]["status"] == "interrupted" and rec["finished"]


@pytest.mark.slow
def test_a_killed_run_leaves_the_project_consistent(tmp_path):
    "SIGKILL mid-step (no handler can run): the next run marks it killed, reuses none of it, and the log tells the truth."
    root = toy_project(tmp_path / "p", body="import time\ntime.sleep(60)")
    proc = subprocess.Popen([*MLKIT, "run"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline, recs = time.time() + 120, []
    while time.time() < deadline and not (recs and read_run(recs[0])["steps"][0]["status"] == "running"):
        time.sleep(0.2)
        recs = list((root / "runs").glob("*/run.json"))
    os.killpg(proc.pid, signal.SIGKILL)  # the CLI, papermill and the kernel
    proc.communicate(timeout=60)
    killed = recs[0].parent
    assert read_run(killed)["status"] == "running"  # what a kill leaves: a record nobody closed
    (killed / ".run.json.abc.tmp").write_text("half")  # and, had it been mid-write, a temp file
    write_step(root / "notebooks" / "score.ipynb", SCORE)  # a step that now finishes
    r = mlkit_cli("run", cwd=root)
    assert r.returncode == 0 and f"run {killed.name} was killed" in r.stderr, r.stdout + r.stderr
    rec = read_run(killed)
    assert rec["status"] == "killed" and rec["steps"][0]["status"] == "killed" and rec["error"]["ename"] == "Killed"
    (newest,) = [read_run(p) for p in (root / "runs").glob("*/run.json") if p.parent != killed]
    assert newest["status"] == "ok" and newest["steps"][0]["status"] == "ok"  # ran, not reused from the killed run
    assert "killed" in (root / "EXPERIMENTS.md").read_text() and not list(root.rglob("*.tmp"))
    log = mlkit_cli("log", cwd=root)
    assert log.returncode == 0 and killed.name[:8] in log.stdout


@pytest.mark.slow
def test_run_records_git_commit_and_dirty_flag(tmp_path):
    root = toy_project(tmp_path / "p")

    def git(*args):
        return subprocess.run(
            ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            capture_output=True,
            text=True,
            check=True,
        )

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "start")
    head = git("rev-parse", "HEAD").stdout.strip()
    first = run(root, echo=lambda *a, **k: None)
    assert first.record["git"] == {"commit": head, "dirty": False}  # runs/ is in the project's .gitignore
    (root / "notes.txt").write_text("uncommitted")
    second = run(root, echo=lambda *a, **k: None)
    assert second.record["git"] == {"commit": head, "dirty": True} and second.steps() == {"score": "reused"}
    r = mlkit_cli("run", "--force", cwd=root)
    assert r.returncode == 0 and "score        ran in" in r.stdout, r.stdout + r.stderr


def test_best_estimator_of_a_baseline_report():
    from sklearn.base import clone

    from mlkit.baselines import baseline
    from mlkit.core import Report
    from mlkit.datasets import load_demo
    from mlkit.pipeline import best_estimator

    df = load_demo().dropna(subset=["Sex"])
    r = baseline(df, "Sex", cv=3)
    est = best_estimator(r)
    assert est is r.pipelines[r.best] and not hasattr(est, "n_features_in_")  # unfitted
    back = Report.from_json(r.to_json())
    with pytest.raises(MlkitInputError, match="pass data and target"):
        best_estimator(back)
    rebuilt = best_estimator(back, df, "Sex")
    assert type(rebuilt) is type(est) and clone(rebuilt).get_params().keys() == est.get_params().keys()


@pytest.mark.slow
def test_executed_step_notebooks_keep_no_empty_progress_bar(tmp_path):
    "A step whose mlkit call shows its notebook bar (progress=True: at once) leaves no empty output, nor does a failed step."
    call = "import mlkit\nr = mlkit.check(read_table(data_path), target='y', progress=True)\nprint('checked')\n"
    root = toy_project(tmp_path / "p", body=SCORE + "\n" + call, steps=("score", "boom"))
    write_step(root / "notebooks/boom.ipynb", "from mlkit.data import read_table\n" + call + "raise ValueError('stop here')")
    result = run(root, echo=lambda *a, **k: None)
    assert [s["status"] for s in result.record["steps"]] == ["ok", "failed"]
    for step in result.record["steps"]:
        nb = nbformat.read(root / step["executed"], as_version=4)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        assert [o.text for o in outputs if o.output_type == "stream"] == ["checked\n"]  # the step's own output stays
        empty = [o for o in outputs if o.output_type == "display_data" and not any(o.get("data", {}).values())]
        assert not empty, f"{step['name']}: {empty}"
