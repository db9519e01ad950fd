"""The ML Test Score: every mark comes from evidence in the project (runs, reports, files) or the answers file; both ways."""

import json
import subprocess
import sys

import numpy as np
import pytest
import yaml

from mlkit.core import Finding, MlkitInputError, Report
from mlkit.datasets import DEMO_TARGET, load_demo

FEATURES = ["Culmen Length (mm)", "Culmen Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", "Island", "Species"]


@pytest.fixture(scope="module")
def penguins():
    df = load_demo().dropna(subset=[DEMO_TARGET])
    return df[df[DEMO_TARGET] != "."][FEATURES + [DEMO_TARGET]].reset_index(drop=True)


@pytest.fixture(scope="module")
def model(penguins):
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OrdinalEncoder

    encode = make_column_transformer(
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1), ["Island", "Species"]),
        remainder="passthrough",
    )
    return make_pipeline(encode, RandomForestClassifier(n_estimators=30, min_samples_leaf=3, random_state=0)).fit(
        penguins[FEATURES], penguins[DEMO_TARGET]
    )


@pytest.fixture(scope="module")
def card_json(model, penguins):
    "A real model card with slices on the sensitive column and permutation importance."
    from mlkit.cards import model_card

    card = model_card(
        model, penguins, target=DEMO_TARGET, spec={"sensitive": ["Island"]}, run_checks=False, run_sanity=False, top_features=1
    )
    return card.to_json()


SPEC = "name: proj\ntarget: Sex\nsensitive: [Island]\nsteps:\n  - {name: check, notebook: notebooks/01_check.ipynb}\n  - {name: baseline, notebook: notebooks/03_baseline.ipynb}\n"


def _project(tmp_path, spec=SPEC):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "mlkit.yaml").write_text(spec)
    return root


def _run(
    root,
    run_id,
    *,
    started,
    status="ok",
    steps=None,
    sha="aaa",
    metrics=None,
    params=None,
    headline=None,
    git=None,
    files=None,
    seconds=10.0,
):
    "Write runs/<id>/run.json and the step files, as `mlkit run` lays them out."
    steps = steps or {"check": "ok", "baseline": "ok"}
    run_dir = root / "runs" / run_id
    run_dir.mkdir(parents=True)
    record = {
        "id": run_id,
        "started": started,
        "finished": started,
        "status": status,
        "git": git,
        "data": {"train": {"path": "data/raw/train.csv", "sha256": sha}},
        "notebooks": {n: {"path": f"notebooks/{n}.ipynb", "sha256": "nb-" + n} for n in steps},
        "parameters": params or {n: {"target": "Sex", "cv": 5} for n in steps},
        "steps": [{"name": n, "status": s, "seconds": seconds} for n, s in steps.items()],
        "metrics": metrics if metrics is not None else {"baseline": {"headline": {"value": 0.9, "std": 0.01}}},
        "headline": headline,
        "environment": {"python": "3.11", "packages": {"scikit-learn": "1.9"}},
    }
    (run_dir / "run.json").write_text(json.dumps(record))
    for name in steps:
        (run_dir / name).mkdir(exist_ok=True)
    for rel, content in (files or {}).items():
        (run_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (run_dir / rel).write_text(content) if isinstance(content, str) else (run_dir / rel).write_bytes(content)
    return run_dir


def _marks(result):
    return {r["id"]: r["points"] for r in result.results}


def _row(result, test_id):
    return next(r for r in result.results if r["id"] == test_id)


def test_project_without_runs_scores_zero_with_next_steps(tmp_path):
    from mlkit.testscore import TESTS, score

    for folder in (tmp_path / "empty", _project(tmp_path)):
        folder.mkdir(exist_ok=True)
        result = score(folder)
        assert result.final == 0 and set(result.sections.values()) == {0} and len(result.results) == 28
        assert [i for i, _ in result.next_steps()] and len(result.next_steps()) == 28 and all(step for _, step in result.next_steps())
        assert {f.severity for f in result.findings} == {"warning"} and sorted(f.check for f in result.findings) == sorted(
            t.id for t in TESTS
        )
        assert result.interpretation.startswith("More of a research project")


def test_the_28_tests_are_the_papers():
    from mlkit.testscore import SECTIONS, TESTS

    assert [t.id for t in TESTS] == [f"{s}_{i}" for s in SECTIONS for i in range(1, 8)]
    names = {t.id: t.name for t in TESTS}
    assert names["data_1"] == "Feature expectations are captured in a schema." and names["model_5"] == "A simpler model is not better."
    assert names["infra_1"] == "Training is reproducible." and names["monitor_7"] == "Prediction quality has not regressed."
    assert all(t.asks and t.evidence and t.next_step for t in TESTS)


def test_reproducible_training_both_ways(tmp_path):
    from mlkit.testscore import score

    root = _project(tmp_path)
    _run(root, "r1", started="2026-01-01T00:00:00Z")
    assert _marks(score(root))["infra_1"] == 0  # one run is not enough
    _run(root, "r2", started="2026-01-02T00:00:00Z")
    same = score(root)
    assert _marks(same)["infra_1"] == 1 and _row(same, "infra_1")["passing"] is True and "r1 and r2" in _row(same, "infra_1")["evidence"]
    _run(root, "r3", started="2026-01-03T00:00:00Z", metrics={"baseline": {"headline": {"value": 0.8, "std": 0.01}}})
    differ = score(root)
    assert _marks(differ)["infra_1"] == 0 and _row(differ, "infra_1")["passing"] is False
    assert differ.filter(check="infra_1").findings[0].severity == "error" and differ.exit_code("error") == 1


def test_reused_or_changed_runs_do_not_prove_reproducibility(tmp_path):
    from mlkit.testscore import score

    root = _project(tmp_path)
    _run(root, "r1", started="2026-01-01T00:00:00Z")
    _run(root, "r2", started="2026-01-02T00:00:00Z", steps={"check": "reused", "baseline": "reused"})
    _run(root, "r3", started="2026-01-03T00:00:00Z", sha="bbb")
    _run(root, "r4", started="2026-01-04T00:00:00Z", status="failed")
    result = score(root)
    assert _marks(result)["infra_1"] == 0 and "reused steps do not count" in _row(result, "infra_1")["evidence"]


def test_evidence_from_the_latest_run(tmp_path, card_json, penguins):
    from mlkit.schema import infer_schema, validate
    from mlkit.testscore import score

    root = _project(tmp_path)
    validation = validate(penguins, infer_schema(penguins)).to_json()
    baseline = Report(title="baselines").to_dict() | {"kind": "baseline"}
    sanity = Report([Finding("underfitting", "info", (), "fine")], title="sanity").to_dict() | {"kind": "sanity"}
    files = {
        "check/validation.json": validation,
        "baseline/baseline.json": json.dumps(baseline),
        "baseline/model.pkl": b"a model file",
        "sanity/sanity.json": json.dumps(sanity),
        "report/cards/model_card.json": card_json,
    }
    steps = {"check": "ok", "baseline": "ok", "sanity": "ok", "report": "ok"}
    head = {"metric": "roc_auc", "value": 0.97, "score_to_beat": 0.5, "beats": True, "model": "gradient_boosting"}
    _run(root, "r1", started="2026-01-01T00:00:00Z", steps=steps, files=files, headline=head)
    m = _marks(score(root))
    assert m["data_1"] == 1 and m["data_2"] == 1 and m["model_5"] == 1 and m["model_6"] == 1 and m["model_7"] == 1
    assert m["infra_2"] == 1 and m["infra_3"] == 0.5 and m["infra_4"] == 0.5 and m["monitor_2"] == 0.5
    gated = {n: {"fail_on": "error"} if n == "sanity" else {} for n in steps}
    _run(
        root, "r2", started="2026-01-02T00:00:00Z", steps=steps, files=files, headline={**head, "value": 0.4, "beats": False}, params=gated
    )
    later = score(root)
    assert _marks(later)["infra_4"] == 1 and _marks(later)["infra_7"] == 0.5  # two runs keep a model file
    assert _row(later, "model_5")["passing"] is False and later.filter(check="model_5", severity="error").findings


def test_schema_without_validation_is_half_a_point(tmp_path):
    from mlkit.testscore import score

    root = _project(tmp_path)
    _run(root, "r1", started="2026-01-01T00:00:00Z", files={"check/schema.json": "{}"})
    assert _marks(score(root))["data_1"] == 0.5


def test_slice_gap_in_the_card_marks_model_6_failing(tmp_path, model, penguins):
    from mlkit.cards import model_card
    from mlkit.testscore import score

    rng = np.random.default_rng(0)
    noisy = penguins.copy()
    flip = (noisy["Island"] == "Dream").to_numpy() & (rng.random(len(noisy)) < 0.6)
    noisy.loc[flip, DEMO_TARGET] = noisy.loc[flip, DEMO_TARGET].map({"MALE": "FEMALE", "FEMALE": "MALE"})
    card = model_card(
        model, noisy, target=DEMO_TARGET, slices=["Island"], metric="accuracy", run_checks=False, run_sanity=False, top_features=1
    )
    root = _project(tmp_path)
    _run(
        root,
        "r1",
        started="2026-01-01T00:00:00Z",
        steps={"baseline": "ok", "report": "ok"},
        files={"report/cards/model_card.json": card.to_json()},
    )
    row = _row(score(root), "model_6")
    assert row["points"] == 1 and row["passing"] is False and "Dream" in row["evidence"]


def test_monitoring_reports_count_once_then_repeated(tmp_path, model, penguins):
    from mlkit.monitor import monitor
    from mlkit.schema import infer_schema
    from mlkit.testscore import score

    root = _project(tmp_path)
    ref, cur = penguins.iloc[:160], penguins.iloc[160:]
    assert {k: v for k, v in _marks(score(root)).items() if k.startswith("monitor")} == {f"monitor_{i}": 0 for i in range(1, 8)}
    report = monitor(ref, cur, model, target=DEMO_TARGET, schema=infer_schema(penguins), metric="accuracy")
    report.save(root / "monitoring" / "day1.json")
    once = _marks(score(root))
    assert once["monitor_3"] == 0.5 and once["monitor_5"] == 0.5 and once["monitor_7"] == 0.5 and once["monitor_2"] == 0.5
    report.save(root / "monitoring" / "day2.json")
    twice = _marks(score(root))
    assert twice["monitor_3"] == 1 and twice["monitor_5"] == 1 and twice["monitor_7"] == 1
    assert twice["monitor_2"] == 0.5  # serving is validated, training is not: capped at half a point


def test_answers_file(tmp_path):
    from mlkit.testscore import score

    root = _project(tmp_path)
    (root / "deploy").mkdir()
    (root / "deploy" / "canary.yaml").write_text("share: 0.05\n")
    answers = {
        "data_5": "raw data readable by the ML team only (docs/privacy.md)",
        "infra_6": {"status": "automated", "note": "5% canary", "evidence": "deploy/canary.yaml"},
        "infra_7": {"status": "automated", "note": "rollback job", "evidence": "deploy/missing.yaml"},
    }
    (root / "mltestscore.yaml").write_text(yaml.safe_dump(answers))
    result = score(root)
    m = _marks(result)
    assert m["data_5"] == 0.5 and m["infra_6"] == 1 and m["infra_7"] == 0.5
    assert _row(result, "infra_6")["source"] == "mltestscore.yaml" and "not in the project" in _row(result, "infra_7")["evidence"]
    assert result.filter(check="data_5").findings[0].severity == "info"
    (root / "mltestscore.yaml").write_text("model_9: yes\n")
    with pytest.raises(MlkitInputError, match="model_9"):
        score(root)
    (root / "mltestscore.yaml").write_text("data_5: [unclosed\n")
    with pytest.raises(MlkitInputError, match="mltestscore.yaml: not valid YAML"):
        score(root)


def test_tests_ci_and_dependency_bots(tmp_path):
    from mlkit.testscore import score

    root = _project(tmp_path)
    (root / "tests").mkdir()
    (root / "tests" / "test_features.py").write_text("def test_x():\n    assert True\n")
    assert _marks(score(root))["data_7"] == 0.5
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text("jobs:\n  t:\n    steps:\n      - run: pytest\n      - run: mlkit run\n")
    (root / ".github" / "dependabot.yml").write_text("version: 2\n")
    _run(root, "r1", started="2026-01-01T00:00:00Z")
    m = _marks(score(root))
    assert m["data_7"] == 1 and m["infra_3"] == 1 and m["monitor_1"] == 1


def test_git_state_marks_model_1(tmp_path):
    from mlkit.testscore import score

    root = _project(tmp_path)
    _run(root, "r1", started="2026-01-01T00:00:00Z", git={"commit": "abcdef1234567", "dirty": False})
    assert _marks(score(root))["model_1"] == 0.5
    _run(root, "r2", started="2026-01-02T00:00:00Z", git={"commit": "abcdef1234567", "dirty": True})
    row = _row(score(root), "model_1")
    assert row["points"] == 0 and row["passing"] is False and "uncommitted" in row["evidence"]


def test_final_score_is_the_minimum_of_the_sections(tmp_path):
    from mlkit.testscore import TESTS, score

    root = _project(tmp_path)
    answers = {t.id: "done by hand, see the runbook" for t in TESTS if t.section != "infra"}
    answers.update({f"infra_{i}": "done by hand" for i in (1, 2)})
    (root / "mltestscore.yaml").write_text(yaml.safe_dump(answers))
    result = score(root)
    assert (
        result.sections == {"data": 3.5, "model": 3.5, "infra": 1.0, "monitor": 3.5} and result.final == 1.0 and result.weakest == "infra"
    )
    assert result.interpretation.startswith("Not totally untested")
    assert Report.from_json(result.to_json()).to_dict() == result.to_dict()
    page = result.to_html(standalone=True)
    assert "<svg" in page and page.count("<h3>") == 4 and "<script" not in page


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "mlkit", "score", *map(str, args)], capture_output=True, text=True, timeout=300)


def test_cli(tmp_path):
    root = _project(tmp_path)
    out = _cli(root)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ML Test Score 0") and "next:" in out.stdout and "Monitoring tests for ML: 0 / 7" in out.stdout
    js = _cli(root, "--format", "json")
    d = json.loads(js.stdout)
    assert d["kind"] == "ml_test_score" and d["final"] == 0 and len(d["results"]) == 28
    html = _cli(root, "-o", tmp_path / "score.html")
    assert html.returncode == 0 and (tmp_path / "score.html").read_text().startswith("<!DOCTYPE html>")
    low = _cli(root, "--min-score", "0.5")
    assert low.returncode == 1 and "below --min-score" in low.stderr
    assert _cli(root, "--fail-on", "warning").returncode == 1
    missing = _cli(tmp_path / "nope")
    assert missing.returncode == 2 and "nope" in missing.stderr and "Traceback" not in missing.stderr
    (root / "mltestscore.yaml").write_text("infra_99: x\n")
    bad = _cli(root)
    assert bad.returncode == 2 and "infra_99" in bad.stderr


@pytest.mark.slow
def test_two_real_runs_prove_reproducible_training(tmp_path):
    "mlkit run --force twice on the same data: infra_1 is automated from the two run records."
    from mlkit.datasets import demo_path
    from mlkit.testscore import score

    proj = tmp_path / "proj"
    out = subprocess.run(
        [sys.executable, "-m", "mlkit", "init", str(proj), "--target", DEMO_TARGET, "--data", str(demo_path())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    spec = (proj / "mlkit.yaml").read_text()
    keep = "steps:\n  - name: baseline\n    notebook: notebooks/03_baseline.ipynb\n"
    (proj / "mlkit.yaml").write_text(spec[: spec.index("steps:")].replace("cv: 5", "cv: 3") + keep)
    for _ in range(2):
        run = subprocess.run([sys.executable, "-m", "mlkit", "run", "--force"], cwd=proj, capture_output=True, text=True, timeout=1800)
        assert run.returncode == 0, run.stdout + run.stderr
    result = score(proj)
    row = _row(result, "infra_1")
    assert row["points"] == 1 and row["passing"] is True, row["evidence"]
    assert _marks(result)["model_5"] == 1
