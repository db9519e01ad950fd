"""Local explanations (`mlkit.whyif`): contributions that are right where the answer is known, counterfactuals that respect
the data's constraints, clear messages on bad input, and the report and widget built on them.

Small planted data, one fit per model (module fixtures), pandas frames and scikit-learn pipelines with a
ColumnTransformer and a OneHotEncoder, a classifier and a regressor.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import LinearSVC

from mlkit.core import MlkitInputError
from mlkit.whyif import Reference, contributions, counterfactuals, quality, violations, why


def _prep(numeric, categorical):
    return make_column_transformer((StandardScaler(), numeric), (OneHotEncoder(handle_unknown="ignore"), categorical))


@pytest.fixture(scope="module")
def planted():
    "y = 3a - 2b + 5 (colour red), a `sex` column the target ignores; a linear regression recovers it exactly."
    rng = np.random.RandomState(0)
    df = pd.DataFrame(
        {
            "a": rng.normal(size=240).round(2),
            "b": rng.uniform(0, 5, 240).round(1),
            "colour": rng.choice(["red", "green", "blue"], 240),
            "sex": rng.choice(["F", "M"], 240),
        }
    )
    df["y"] = 3 * df["a"] - 2 * df["b"] + 5 * (df["colour"] == "red")
    model = make_pipeline(_prep(["a", "b"], ["colour", "sex"]), LinearRegression()).fit(df.drop(columns="y"), df["y"])
    return df, model


@pytest.fixture(scope="module")
def classified():
    "approved when a + colour bonus > 0.5; `sex` strongly tied to the label in the data but not used by the rule."
    rng = np.random.RandomState(1)
    df = pd.DataFrame(
        {
            "a": rng.normal(size=300).round(2),
            "b": rng.normal(size=300).round(2),
            "colour": rng.choice(["red", "green", "blue"], 300),
        }
    )
    score = df["a"] + 0.8 * (df["colour"] == "red")
    df["approved"] = np.where(score > 0.5, "yes", "no")
    df["sex"] = np.where(rng.random(300) < 0.9, np.where(df["approved"] == "yes", "M", "F"), "F")
    X = df.drop(columns="approved")
    logit = make_pipeline(_prep(["a", "b"], ["colour", "sex"]), LogisticRegression(max_iter=2000)).fit(X, df["approved"])
    gb = make_pipeline(_prep(["a", "b"], ["colour", "sex"]), GradientBoostingClassifier(n_estimators=40, random_state=0)).fit(
        X, df["approved"]
    )
    return df, logit, gb


# --- contributions ----------------------------------------------------------------------------------------------


def test_linear_regression_contributions_are_the_known_answer(planted):
    df, model = planted
    rows = [0, 1, 2, 3]
    c = contributions(model, df, rows, target="y", background=len(df))
    got = c.table.pivot(index="row", columns="feature", values="contribution").loc[rows]
    assert c.method == "linear"
    assert np.allclose(got["a"], 3 * (df.loc[rows, "a"] - df["a"].mean()))
    assert np.allclose(got["b"], -2 * (df.loc[rows, "b"] - df["b"].mean()))
    assert np.allclose(got["colour"], 5 * ((df.loc[rows, "colour"] == "red") - (df["colour"] == "red").mean()), atol=1e-8)
    assert np.allclose(got["sex"], 0, atol=1e-8)  # a feature the model does not use gets nothing
    assert set(c.table["feature"]) == {"a", "b", "colour", "sex"}  # one-hot columns folded back into their feature
    assert c.additivity_error() < 1e-9


def test_exact_shapley_agrees_with_the_linear_closed_form(planted):
    df, model = planted
    lin = contributions(model, df, [5, 6], target="y")
    ex = contributions(model, df, [5, 6], target="y", method="exact")
    assert ex.method == "exact" and np.allclose(lin.table["contribution"], ex.table["contribution"])


def test_classifier_contributions_in_probability_units_add_up(classified):
    df, logit, gb = classified
    for model in (logit, gb):
        c = contributions(model, df, [0, 1, 2], target="approved")
        assert c.method == "exact" and c.additivity_error() < 1e-9
        for r in c.rows:
            assert c.cls[r] == model.predict(df.drop(columns="approved").loc[[r]])[0]
            assert abs(c.prediction[r] - model.predict_proba(df.drop(columns="approved").loc[[r]]).max()) < 1e-12
            assert c.label[r] == f"P({c.cls[r]})"


def test_logistic_decision_function_is_linear_and_matches_exact(classified):
    df, logit, _ = classified
    lin = contributions(logit, df, [3, 4], target="approved", output="decision", cls="yes")
    ex = contributions(logit, df, [3, 4], target="approved", output="decision", cls="yes", method="exact")
    assert lin.method == "linear" and np.allclose(lin.table["contribution"], ex.table["contribution"])


def test_a_model_without_predict_proba_is_explained_in_its_decision_function(classified):
    df, _, _ = classified
    svm = make_pipeline(_prep(["a", "b"], ["colour", "sex"]), LinearSVC()).fit(df.drop(columns="approved"), df["approved"])
    c = contributions(svm, df, 0, target="approved")
    assert c.method == "linear" and c.label[0].startswith("decision score for") and c.additivity_error() < 1e-9


def test_sampling_is_close_to_exact_and_adds_up(classified):
    df, _, gb = classified
    ex = contributions(gb, df, 7, target="approved", background=40)
    sa = contributions(gb, df, 7, target="approved", background=40, method="sampling", n_permutations=64)
    assert sa.additivity_error() < 1e-9
    assert (np.abs(ex.table["contribution"] - sa.table["contribution"]) <= 4 * sa.table["se"] + 1e-3).all()


@pytest.mark.slow  # shap's ExactExplainer compiles with numba on first use (~40 s here)
def test_contributions_match_shap_within_tolerance(classified):
    "mlkit's exact values equal shap's model-agnostic ExactExplainer on the same background (tolerance 1e-9)."
    shap = pytest.importorskip("shap")
    df, _, _ = classified
    num = df[["a", "b"]].assign(approved=df["approved"])
    gb = GradientBoostingClassifier(n_estimators=30, random_state=0).fit(num[["a", "b"]], num["approved"])
    ref = Reference(gb, num, "approved", background=30)
    c = contributions(gb, num, [0, 1], target="approved", cls="yes", reference=ref)
    masker = shap.maskers.Independent(ref.background.to_numpy(), max_samples=30)
    theirs = shap.explainers.Exact(lambda X: gb.predict_proba(X)[:, 1], masker)(num[["a", "b"]].loc[[0, 1]].to_numpy(), silent=True).values
    ours = c.table.pivot(index="row", columns="feature", values="contribution").loc[[0, 1], ["a", "b"]].to_numpy()
    assert np.abs(ours - theirs).max() < 1e-9


def test_contributions_match_shap_linear_explainer(planted):
    shap = pytest.importorskip("shap")
    df, _ = planted
    X = df[["a", "b"]]
    model = make_pipeline(StandardScaler(), LinearRegression()).fit(X, df["y"])
    ref = Reference(model, df[["a", "b", "y"]], "y", background=80)
    c = contributions(model, df[["a", "b", "y"]], [0, 1, 2], target="y", reference=ref)
    pre = model[:-1]
    ex = shap.LinearExplainer(model[-1], shap.maskers.Independent(pre.transform(ref.background), max_samples=80))
    theirs = ex.shap_values(pre.transform(X.loc[[0, 1, 2]]))
    ours = c.table.pivot(index="row", columns="feature", values="contribution").loc[[0, 1, 2], ["a", "b"]].to_numpy()
    assert np.abs(ours - theirs).max() < 1e-9


# --- counterfactuals --------------------------------------------------------------------------------------------


def _no(df, model):
    return df.index[model.predict(df.drop(columns="approved")) == "no"]


def test_counterfactuals_reach_the_outcome_within_the_data_and_leave_sex_alone(classified):
    df, logit, gb = classified
    for model in (logit, gb):
        row = _no(df, model)[0]
        cf = counterfactuals(model, df, row, target="approved", desired="yes")
        assert cf.found and cf.quality["validity"] == 1.0 and len(cf.values) == 4
        assert list(model.predict(cf.values)) == ["yes"] * 4  # valid by the model's own call
        assert cf.violations == {"out_of_range": 0, "unseen_category": 0, "immutable_changed": 0}
        assert "sex" in cf.immutable and (cf.values["sex"] == df.loc[row, "sex"]).all()  # sensitive by its name
        assert all(len(cf.changes(i)) <= 3 for i in range(4))
        assert (cf.values["a"].round(2) == cf.values["a"]).all()  # rounded as the data is
        assert 0 < cf.quality["sparsity"] < 1 and cf.quality["diversity"] > 0


def test_immutable_features_never_change_even_when_they_are_the_way_out(classified):
    df, logit, _ = classified
    row = _no(df, logit)[0]
    cf = counterfactuals(logit, df, row, target="approved", immutable=["a", "colour"])
    assert cf.violations["immutable_changed"] == 0
    assert (cf.values[["a", "colour", "sex"]].astype(str) == df.loc[row, ["a", "colour", "sex"]].astype(str)).all().all()


def test_an_impossible_request_says_so_and_shows_the_closest(classified):
    df, logit, _ = classified
    row = df.index[logit.predict_proba(df.drop(columns="approved"))[:, 1].argmin()]  # the surest "no"
    cf = counterfactuals(logit, df, row, target="approved", immutable=["a", "colour"])
    assert not cf.found and cf.quality["validity"] == 0 and len(cf.values) > 0
    assert cf.sentences()[0].startswith("No counterfactual within the constraints reaches a prediction of 'yes'")
    report = why(logit, df, row, target="approved", immutable=["a", "colour"])
    assert "no_counterfactual" in report.checks and report.filter(check="no_counterfactual").findings[0].severity == "warning"


def test_a_row_far_from_the_boundary_still_gets_counterfactuals():
    "yes only when a > 1 and b > 1: from a row low on both, no single change can do it (max_changes=1), the nearest rows can."
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.RandomState(2)
    df = pd.DataFrame({"a": rng.uniform(0, 2, 400).round(2), "b": rng.uniform(0, 2, 400).round(2)})
    df["y"] = np.where((df["a"] > 1) & (df["b"] > 1), "yes", "no")
    tree = DecisionTreeClassifier(random_state=0).fit(df[["a", "b"]], df["y"])
    row = int(((df["a"] < 0.5) & (df["b"] < 0.5)).idxmax())
    cf = counterfactuals(tree, df, row, target="y", max_changes=1)
    assert cf.found and cf.quality["validity"] == 1.0 and all(len(cf.changes(i)) == 2 for i in range(len(cf.values)))
    assert (cf.values["a"] > 1).all() and (cf.values["b"] > 1).all() and cf.violations["out_of_range"] == 0


def test_regressor_counterfactuals_land_in_the_range(planted):
    df, model = planted
    now = float(model.predict(df.drop(columns="y").loc[[0]])[0])
    cf = counterfactuals(model, df, 0, target="y", desired=(now + 2, now + 4))
    assert cf.found and all(now + 2 <= v <= now + 4 for v in model.predict(cf.values))
    assert cf.violations["out_of_range"] == 0 and "sex" in cf.immutable


def test_quality_measures_are_dice_s(planted):
    df, model = planted
    ref = Reference(model, df, "y")
    x = df.drop(columns="y").iloc[int((df["a"] - df["a"].median()).abs().argmin())]  # a + one MAD stays in range
    cfs = pd.DataFrame([x, x]).reset_index(drop=True)
    cfs.loc[0, "a"] = x["a"] + ref.mad["a"]  # one number moved by one MAD
    cfs.loc[1, "colour"] = "blue" if x["colour"] != "blue" else "red"  # one category changed
    q = quality(ref, x, cfs, [True, False], n=4)
    assert q["validity"] == 0.25  # 1 valid of the 4 asked
    assert q["proximity"] == pytest.approx(-0.25)  # mean over 2 cfs of mean over 2 numbers: (1/2 + 0)/2
    assert q["categorical_proximity"] == pytest.approx(1 - 0.25)  # (0 + 1/2)/2 of the 2 categorical features changed
    assert q["sparsity"] == pytest.approx(1 - 2 / 8) and q["features_changed"] == 1
    assert q["count_diversity"] == pytest.approx(2 / 4)
    v = violations(ref, x, cfs.assign(b=99.0), immutable=["sex"])
    assert v == {"out_of_range": 2, "unseen_category": 0, "immutable_changed": 0}
    flipped = cfs.assign(sex=["F" if x["sex"] == "M" else "M", x["sex"]], colour=["purple", x["colour"]])
    assert violations(ref, x, flipped, immutable=["sex"]) == {"out_of_range": 0, "unseen_category": 1, "immutable_changed": 1}


# --- bad input --------------------------------------------------------------------------------------------------


def test_bad_rows_get_a_clear_message(classified):
    df, logit, _ = classified
    x = df.drop(columns="approved").iloc[0].to_dict()
    with pytest.raises(MlkitInputError, match=r"colour is 'purple', a category the model never saw \(seen: "):
        contributions(logit, df, {**x, "colour": "purple"}, target="approved")
    with pytest.raises(MlkitInputError, match=r"a is 40, outside the training range"):
        why(logit, df, {**x, "a": 40.0}, target="approved")
    with pytest.raises(MlkitInputError, match=r"b is missing, and the training data always had a value there"):
        counterfactuals(logit, df, {**x, "b": np.nan}, target="approved")
    with pytest.raises(MlkitInputError, match=r"lacks the feature\(s\) 'sex'"):
        contributions(logit, df, {k: v for k, v in x.items() if k != "sex"}, target="approved")
    loose = why(logit, df, {**x, "a": 40.0}, target="approved", strict=False)
    assert "row_outside_training_data" in loose.checks


def test_bad_requests_get_a_clear_message(classified, planted):
    df, logit, _ = classified
    with pytest.raises(MlkitInputError, match="not a class of the model"):
        counterfactuals(logit, df, 0, target="approved", desired="maybe")
    with pytest.raises(MlkitInputError, match="for a regressor, desired must be a"):
        counterfactuals(planted[1], planted[0], 0, target="y")
    with pytest.raises(MlkitInputError, match="immutable feature\\(s\\) 'height' are not features"):
        counterfactuals(logit, df, 0, target="approved", immutable=["height"])
    with pytest.raises(MlkitInputError, match="target 'nope' is not a column"):
        contributions(logit, df, 0, target="nope")


# --- the report ---------------------------------------------------------------------------------------------------


def test_why_report_is_plain_words_escaped_and_round_trips(classified):
    df, logit, _ = classified
    evil = df.rename(columns={"colour": "<b>colour</b>", "a": "<i>a</i>"})  # `a` drives the model: it is in the takeaway
    model = make_pipeline(_prep(["<i>a</i>", "b"], ["<b>colour</b>", "sex"]), LogisticRegression(max_iter=2000)).fit(
        evil.drop(columns="approved"), evil["approved"]
    )
    r = why(model, evil, int(_no(evil, model)[0]), target="approved")
    assert r.takeaway.startswith("Predicted no (") and " mostly because " in r.takeaway
    assert any(s.startswith("If ") for s in r.sentences)
    html = r._repr_html_()
    assert "<i>a</i>" in r.takeaway
    assert "<b>colour</b>" not in html and "<i>a</i>" not in html and "&lt;i&gt;a&lt;/i&gt;" in html and "<svg" in html
    back = type(r).from_dict(json.loads(r.to_json()))
    assert back.to_dict() == r.to_dict()


# --- the widget -----------------------------------------------------------------------------------------------------


def test_why_board_follows_the_row_the_values_and_the_outcome(classified):
    pytest.importorskip("ipywidgets")
    from mlkit.widgets import why_board

    df, logit, _ = classified
    no = int(_no(df, logit)[0])
    board = why_board(logit, df, "approved")
    assert board.row == df.index[0] and board.report.meta["row"] == df.index[0]
    board.select_row(no)
    assert board.report.takeaway.startswith("Predicted no") and board.values["a"] == df.loc[no, "a"]
    assert "What would change it: a prediction of &#x27;yes&#x27;" in board.counterfactual_panel.value  # escaped; the other class
    board.set_value("a", float(df["a"].max()))  # far above the rule's threshold: now approved
    assert board.row is None and board.report.takeaway.startswith("Predicted yes")
    board.set_value("b", 99.0)
    assert board.report is None and "b is 99, outside the training range" in board.error
    assert "Cannot explain this row" in board.summary_panel.value
    board.select_row(no)
    board.set_desired("yes")
    assert board.error is None and board.report.counterfactuals["found"] and board.chart is not None


# --- the model card -------------------------------------------------------------------------------------------------


def test_model_card_gains_two_worked_examples(classified):
    from mlkit.cards import ModelCard, model_card
    from mlkit.whyif import worked_examples

    df, logit, _ = classified
    examples = worked_examples(logit, df, "approved")
    assert [e["takeaway"].split(" (")[0] for e in examples] == ["Predicted no", "Predicted yes"]  # one per class, most common first
    assert all(any(s.startswith("If ") for s in e["sentences"]) for e in examples)
    card = model_card(logit, df, "approved", run_checks=False, run_sanity=False, cv=2, examples=examples)
    md = card.to_markdown()
    assert "## Worked examples" in md and all(e["takeaway"] in md for e in examples)
    assert ModelCard.from_json(card.to_json()).examples == card.examples
    plain = model_card(logit, df, "approved", run_checks=False, run_sanity=False, cv=2)
    assert "Worked examples" not in plain.to_markdown()  # the section appears only when examples are given
