"""Model cards and explanations: real models on the demo data, planted slice gaps, pandas and polars input, pipeline runs."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlkit.core import MlkitInputError, Report
from mlkit.datasets import DEMO_TARGET, load_demo

NUMERIC = ["Culmen Length (mm)", "Culmen Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]
FEATURES = NUMERIC + ["Island", "Species"]


def _pipeline(regression: bool = False, drop=()):
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OrdinalEncoder

    cats = [c for c in ("Island", "Species") if c not in drop]
    nums = [c for c in NUMERIC if c not in drop]
    encode = make_column_transformer(
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1), cats),
        ("passthrough", nums),
        remainder="drop",
    )
    est = (
        RandomForestRegressor(n_estimators=40, random_state=0)
        if regression
        else RandomForestClassifier(n_estimators=40, min_samples_leaf=3, random_state=0)
    )
    return make_pipeline(encode, est)


@pytest.fixture(scope="module")
def penguins():
    df = load_demo().dropna(subset=[DEMO_TARGET])
    return df[df[DEMO_TARGET] != "."][FEATURES + [DEMO_TARGET]].reset_index(drop=True)


@pytest.fixture(scope="module")
def fitted(penguins):
    return _pipeline().fit(penguins[FEATURES], penguins[DEMO_TARGET])


@pytest.fixture(scope="module")
def gap_data(penguins):
    "Labels scrambled on Dream island only: the model must be much worse there."
    rng = np.random.default_rng(0)
    noisy = penguins.copy()
    flip = (noisy["Island"] == "Dream").to_numpy() & (rng.random(len(noisy)) < 0.6)
    noisy.loc[flip, DEMO_TARGET] = noisy.loc[flip, DEMO_TARGET].map({"MALE": "FEMALE", "FEMALE": "MALE"})
    return noisy


def _card(model, data, **kw):
    from mlkit.cards import model_card

    kw.setdefault("run_checks", False)
    kw.setdefault("run_sanity", False)
    kw.setdefault("top_features", 1)
    return model_card(model, data, **kw)


def test_card_on_pandas_and_polars(fitted, penguins, to_backend):
    spec = {
        "objective": "Sex penguins without a blood sample",
        "target": DEMO_TARGET,
        "metric": "accuracy",
        "score_to_beat": 0.52,
        "sensitive": ["Island"],
    }
    card = _card(fitted, to_backend(penguins), spec=spec)
    perf = card.sections["performance"]
    assert perf["cross_validated"] and len(perf["folds"]) == 5 and 0.75 < perf["mean"] <= 1 and perf["std"] > 0
    assert perf["score_to_beat"] == 0.52 and perf["score_to_beat_source"] == "problem spec" and "beats" in perf["summary"]
    assert card.sections["intended_use"]["objective"].startswith("Sex penguins") and card.sections["training_data"]["rows"] == len(penguins)
    assert set(card.slices["column"]) == {"Island"} and card.slices["rows"].sum() == len(penguins)
    assert card.filter(check="slice_gap").findings == []  # a clean model is silent on slices
    assert card.ok and card.explanation.top_features


def test_planted_slice_gap_shows_in_card(gap_data):
    model = _pipeline().fit(gap_data[FEATURES], gap_data[DEMO_TARGET])
    card = _card(model, gap_data, target=DEMO_TARGET, slices=["Island", "Species"], metric="accuracy")
    gaps = {f.columns[0]: f for f in card.filter(check="slice_gap").findings}
    assert gaps["Island"].evidence["group"] == "Dream" and gaps["Island"].evidence["relative_gap"] > 0.1
    # Chinstrap penguins live only on Dream, so that species may show the same gap; no other group may
    assert set(gaps) <= {"Island", "Species"} and ("Species" not in gaps or gaps["Species"].evidence["group"].startswith("Chinstrap"))
    assert "Dream" in card.to_markdown() and any("Dream" in x for x in card.sections["limitations"])
    html = card.to_html(standalone=True)
    assert "slice_gap" in html and html.count("<svg") >= 3  # slice charts + importance + partial dependence


def test_score_to_beat_fires_both_ways(fitted, penguins):
    assert (
        _card(fitted, penguins, target=DEMO_TARGET, metric="accuracy", score_to_beat=0.5).filter(check="below_score_to_beat").findings == []
    )
    bad = _card(fitted, penguins, target=DEMO_TARGET, metric="accuracy", score_to_beat=0.999)
    assert bad.filter(check="below_score_to_beat").findings and not bad.ok
    assert any("does not beat" in x for x in bad.sections["limitations"])


def test_regression_card_reads_errors_the_right_way(penguins):
    target = "Body Mass (g)"
    data = penguins.drop(columns=[DEMO_TARGET])
    feats = [c for c in FEATURES if c != target]
    model = _pipeline(regression=True, drop=(target,)).fit(data[feats], data[target])
    card = _card(model, data, target=target, metric="rmse", slices=["Species"])
    perf = card.sections["performance"]
    assert perf["metric"] == "rmse" and not perf["greater_is_better"] and perf["mean"] > 0  # errors shown as positive numbers
    assert card.sections["intended_use"]["task"] == "regression"
    assert "raises rmse" in card.explanation.takeaways["importance"]
    assert all(v is None or v > 0 for v in card.slices["value"])


def test_unused_feature_is_named(penguins):
    from mlkit.cards import explain

    model = _pipeline(drop=("Species",)).fit(penguins[FEATURES], penguins[DEMO_TARGET])
    ex = explain(model, penguins, DEMO_TARGET, n_repeats=2, top=1)
    assert [f.columns for f in ex.filter(check="feature_unused")] == [("Species",)]
    assert ex.importance.set_index("feature").loc["Species", "importance"] == 0
    assert Report.from_json(ex.to_json()).takeaways == ex.takeaways


def test_partial_dependence_moves_with_a_planted_effect():
    from sklearn.linear_model import LinearRegression

    from mlkit.cards import partial_dependence_table, pd_takeaway

    rng = np.random.default_rng(1)
    X = pd.DataFrame({"x": rng.uniform(0, 10, 300), "noise": rng.normal(size=300)})
    y = 3 * X["x"] + rng.normal(scale=0.1, size=300)
    model = LinearRegression().fit(X, y)
    t = partial_dependence_table(model, X, ["x", "noise"])
    assert pd_takeaway(t, "x").startswith("The predicted value rises") and "barely moves" in pd_takeaway(t, "noise")


def test_html_is_escaped_and_offline(penguins):
    hostile = "<script>alert(1)</script>"
    data = penguins.assign(**{hostile: np.where(np.arange(len(penguins)) % 2 == 0, "<b>a</b>", "b")})
    model = _pipeline().fit(data[FEATURES], data[DEMO_TARGET])
    card = _card(model, data, target=DEMO_TARGET, slices=[hostile], spec={"objective": "<img src=x onerror=alert(2)>"})
    page = card.to_html(standalone=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<b>a</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x" in page
    assert "<script" not in page and 'src="http' not in page and 'href="http' not in page


def test_json_roundtrip_and_save(fitted, penguins, tmp_path):
    card = _card(fitted, penguins, target=DEMO_TARGET, slices=["Island"])
    back = Report.from_json(card.to_json())
    assert type(back).__name__ == "ModelCard" and back.to_dict() == card.to_dict() and back.to_markdown() == card.to_markdown()
    for name in ("card.html", "card.md", "card.json"):
        assert card.save(tmp_path / name).exists()
    assert json.loads((tmp_path / "card.json").read_text())["kind"] == "model_card"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.html", "card.json", "card.md"]  # no temporary files left


def test_unfitted_model_is_fitted_and_said(penguins):
    card = _card(_pipeline(), penguins, target=DEMO_TARGET)
    assert any("unfitted" in n for n in card.sections["training_data"]["notes"]) and card.sections["performance"]["cross_validated"]


def test_bad_input_names_the_problem(fitted, penguins, tmp_path):
    from mlkit.cards import load_model, model_card

    with pytest.raises(MlkitInputError, match="'nope'"):
        _card(fitted, penguins, target="nope")
    with pytest.raises(MlkitInputError, match="slice column 'Planet'"):
        _card(fitted, penguins, target=DEMO_TARGET, slices=["Planet"])
    with pytest.raises(MlkitInputError, match="target"):
        model_card(fitted, penguins)
    with pytest.raises(MlkitInputError, match="'rmse' does not apply to a binary task"):
        _card(fitted, penguins, target=DEMO_TARGET, metric="rmse")
    with pytest.raises(MlkitInputError, match=r"\.txt"):
        load_model(tmp_path / "m.txt")
    with pytest.raises(FileNotFoundError, match="m.pkl"):
        load_model(tmp_path / "m.pkl")


def test_card_without_data_says_what_is_missing(fitted):
    from mlkit.cards import model_card

    card = model_card(fitted, spec={"objective": "x", "target": DEMO_TARGET})
    md = card.to_markdown()
    assert "Not measured" in md and card.sections["intended_use"]["objective"] == "x" and card.explanation is None


@pytest.mark.slow
def test_card_with_real_checks_and_sanity(fitted, penguins):
    card = _card(fitted, penguins, target=DEMO_TARGET, run_checks=True, run_sanity=True, spec={"sensitive": ["Island"]})
    assert card.check_report is not None and card.sanity_report is not None
    assert card.sections["sanity"]["summary"] and card.sections["training_data"]["checks"]
    assert Report.from_json(card.to_json()).sanity_report.to_dict() == card.sanity_report.to_dict()


@pytest.mark.slow
def test_write_run_card_in_a_real_pipeline_run(tmp_path):
    "mlkit init + mlkit run, then the report step's two lines: the card and the score land in the run's report."
    from mlkit.datasets import demo_path

    proj = tmp_path / "proj"
    out = subprocess.run(
        [sys.executable, "-m", "mlkit", "init", str(proj), "--target", DEMO_TARGET, "--sensitive", "Island", "--data", str(demo_path())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    _add_card_to_report_step(proj)
    spec = (proj / "mlkit.yaml").read_text().replace("  - name: profile\n    notebook: notebooks/02_profile.ipynb\n    needs: []\n", "")
    (proj / "mlkit.yaml").write_text(spec.replace("cv: 5", "cv: 3\n  n_permutations: 0"))
    out = subprocess.run([sys.executable, "-m", "mlkit", "run"], cwd=proj, capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stdout + out.stderr
    run_dir = sorted((proj / "runs").glob("*/run.json"))[-1].parent
    report = (run_dir / "report.html").read_text()
    assert 'id="model-card"' in report and 'id="ml-test-score"' in report
    card = json.loads((run_dir / "report" / "cards" / "model_card.json").read_text())
    assert card["sections"]["reproduce"]["run_id"] == run_dir.name and card["sections"]["training_data"]["fingerprint_source"].startswith(
        "run record"
    )
    assert {r["column"] for r in card["slices"]} == {"Island"}


def _add_card_to_report_step(proj: Path):
    "Insert the two lines the report step needs (as a user would in their copy of the notebook)."
    import nbformat

    path = proj / "notebooks" / "05_report.ipynb"
    nb = nbformat.read(path, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "build_report(" in c.source)
    nb.cells.insert(
        at,
        nbformat.v4.new_code_cell(
            "from mlkit.cards import write_run_card\nfrom mlkit.testscore import write_run_score\n\n"
            "card = write_run_card(run_dir, output_dir)\ntest_score = write_run_score('.', output_dir)"
        ),
    )
    nbformat.write(nb, path)


def test_write_run_card_without_a_model(tmp_path):
    "A run whose steps saved no model.pkl: an error by default, a note in the report with if_no_model='skip'."
    import json

    from mlkit.cards import write_run_card
    from mlkit.core import MlkitInputError

    run = tmp_path / "runs" / "r1"
    run.mkdir(parents=True)
    (tmp_path / "t.csv").write_text("a,y\n1,0\n2,1\n")
    (run / "run.json").write_text(
        json.dumps({"steps": [{"name": "check", "status": "ok"}], "data": {"train": {"path": str(tmp_path / "t.csv")}}})
    )
    with pytest.raises(MlkitInputError, match="no finished step of this run saved a model.pkl"):
        write_run_card(run, run / "report")
    assert write_run_card(run, run / "report", if_no_model="skip") is None
    assert "No model card for this run" in (run / "report" / "model_card.card.html").read_text()


def test_write_run_card_for_a_step_run_by_hand(tmp_path):
    "The report step run outside `mlkit run` (no run.json): skipped with a note, an error by default."
    from mlkit.cards import write_run_card

    with pytest.raises(FileNotFoundError, match="run.json"):
        write_run_card(tmp_path / "interactive", tmp_path / "out")
    assert write_run_card(tmp_path / "interactive", tmp_path / "out", if_no_model="skip") is None
    assert "no run record here" in (tmp_path / "out" / "model_card.card.html").read_text()


@pytest.mark.slow
def test_missing_labels_are_one_limitation(fitted):
    # the checks and the sanity run both see the rows without a label: one defect, one line in the card
    demo = load_demo()[FEATURES + [DEMO_TARGET]]
    card = _card(fitted, demo, target=DEMO_TARGET, run_checks=True, run_sanity=True)
    said = [lim for lim in card.sections["limitations"] if "target_missing" in lim]
    assert len(said) == 1 and said[0].startswith("Data check target_missing on Sex: "), card.sections["limitations"]
