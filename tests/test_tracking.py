"""The experiment log from real runs: mlkit log (newest first), EXPERIMENTS.md keeping notes, mlkit note, mlkit diff, warnings."""

import json
import subprocess
import sys

import nbformat
import pytest

from mlkit.core import MlkitInputError
from mlkit.data import register
from mlkit.frame import ProblemSpec, StepSpec
from mlkit.pipeline import init, run
from mlkit.tracking import diff, list_runs, log, note, resolve_run, write_experiments

BODY = (
    "from mlkit.data import read_table\nfrom mlkit.pipeline import StepOutputs\n\nout = StepOutputs(output_dir)\nx = read_table(data_path)['x']\n"
    "out.save_metrics(headline={'metric': 'mean_x', 'value': float(x.mean()) * scale, 'score_to_beat': 3.0, 'beats': float(x.mean()) * scale > 3})"
)
PARAMS = 'data_path: str = ""  # the table\nscale: float = 1.0  # a factor\noutput_dir: str = "out"  # outputs'
quiet = lambda *a, **k: None  # noqa: E731


def mlkit_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "mlkit", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300)


def write_step(path, body=BODY):
    cells = [nbformat.v4.new_code_cell(PARAMS, metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell(body)]
    nbformat.write(
        nbformat.v4.new_notebook(
            cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
        ),
        path,
    )


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    "Four real runs: first, a parameter change, nothing changed, then two things changed at once."
    root = init(tmp_path_factory.mktemp("log") / "p", target="y")
    (root / "a.csv").write_text("x,y\n1,0\n2,1\n3,1\n")
    register(root / "a.csv", project=root, name="t.csv", role="train")
    write_step(root / "notebooks/score.ipynb")
    spec = ProblemSpec.load(root)
    spec.steps, spec.parameters = [StepSpec("score", "notebooks/score.ipynb")], {}
    spec.save(root)
    runs = [run(root, echo=quiet), run(root, overrides=["scale=2"], echo=quiet), run(root, overrides=["scale=2"], echo=quiet)]
    (root / "b.csv").write_text("x,y\n4,0\n5,1\n")
    register(root / "b.csv", project=root, name="t.csv")  # a new version of the data, and ...
    write_step(root / "notebooks/score.ipynb", BODY + "\n# edited")  # ... an edited notebook
    runs.append(run(root, overrides=["scale=2"], echo=quiet))
    return root, runs


@pytest.mark.slow
def test_log_is_newest_first_with_changes_and_metric(history):
    root, runs = history
    entries = log(root)
    assert [e["id"] for e in entries] == [r.id for r in runs][::-1]
    newest, same, param, first = entries
    assert first["changed"] == "first run" and first["headline"]["value"] == 2.0
    assert param["changed"] == "scale (default) -> 2 (score)" and param["delta"] == pytest.approx(2.0) and param["ran"] == ["score"]
    churn = bool(same["changes"]["code"])  # only when mlkit's own source was edited between the runs (a shared dev tree)
    assert (
        (same["changes"]["count"] == 1 if churn else same["changed"] == "nothing (same inputs)")
        and same["reused"] == ["score"]
        and same["delta"] == 0
    )
    assert newest["count"] - len(newest["changes"]["code"]) == 2 and "data train: data/raw/t.csv -> data/raw/t.v2.csv" in newest["changed"]
    assert "notebook notebooks/score.ipynb edited" in newest["changed"] and "change one thing at a time" in newest["warnings"][0]
    assert runs[3].record["warnings"] and not runs[1].record["warnings"]
    r = mlkit_cli("log", cwd=root)
    assert r.returncode == 0
    ids = [line.split()[0] for line in r.stdout.splitlines() if line and not line.startswith(" ")]
    assert ids == [e["id"] for e in entries]
    assert "mean_x 9.0000 (+5.0000), beats 3.0000" in r.stdout and "WARNING" in r.stdout
    as_json = json.loads(mlkit_cli("log", "--format", "json", "-n", "2", cwd=root).stdout)
    assert [e["id"] for e in as_json] == [e["id"] for e in entries[:2]]


@pytest.mark.slow
def test_experiments_md_keeps_notes_and_ideas(history):
    root, runs = history
    path = root / "EXPERIMENTS.md"
    text = path.read_text()
    assert text.index(runs[3].id) < text.index(runs[2].id) < text.index(runs[1].id) < text.index(runs[0].id)
    r = mlkit_cli("note", "tried scale 2 because the", "metric was low", cwd=root)
    assert r.returncode == 0 and runs[3].id in r.stdout
    note("first try", root, run=runs[0].id[-6:])
    edited = path.read_text().replace("## Ideas to try\n\n- ", "## Ideas to try\n\n- a log transform of x")
    edited = edited.replace(f"<!-- notes:{runs[1].id} -->\n", f"<!-- notes:{runs[1].id} -->\nwritten by hand\n")
    path.write_text(edited)
    write_experiments(root)  # as after the next run
    text = path.read_text()
    block = lambda rid: text.split(f"<!-- notes:{rid} -->")[1].split("<!-- /notes -->")[0]  # noqa: E731
    assert "- tried scale 2 because the metric was low" in block(runs[3].id)
    assert "- first try" in block(runs[0].id) and "written by hand" in block(runs[1].id)
    assert "a log transform of x" in text
    path.unlink()  # notes also live in the run folders
    write_experiments(root)
    assert "- first try" in path.read_text() and "written by hand" in path.read_text()
    assert mlkit_cli("note", "", cwd=root).returncode == 2


@pytest.mark.slow
def test_diff_two_runs(history):
    root, runs = history
    d = diff(runs[0].id, runs[3].id, root)
    assert d["changes"]["count"] - len(d["changes"]["code"]) == 3 and d["headline"][0]["value"] == 2.0 and d["headline"][1]["value"] == 9.0
    assert [s["name"] for s in d["steps"]] == ["score"]
    r = mlkit_cli("diff", runs[0].id, runs[3].id, cwd=root)
    assert r.returncode == 0 and "scale (default) -> 2 (score)" in r.stdout and "headline mean_x: 2.0000 -> 9.0000 (+7.0000)" in r.stdout
    assert "data train" in r.stdout and "notebook notebooks/score.ipynb edited" in r.stdout
    r = mlkit_cli("diff", cwd=root)  # previous vs latest
    assert r.returncode == 0 and runs[2].id in r.stdout and runs[3].id in r.stdout
    assert mlkit_cli("diff", "nope", "latest", cwd=root).returncode == 2


def test_resolve_run_errors(tmp_path):
    root = init(tmp_path / "empty", target="y")
    with pytest.raises(MlkitInputError, match="no runs yet"):
        resolve_run(root, "latest")
    assert list_runs(root) == [] and log(root) == []
