"""mlkit.widgets driven headless: set control values, click buttons, check the state and the chart data (pandas and polars)."""

import copy
import gc
import json
import pickle
import re
import weakref

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("anywidget")

import mlkit  # noqa: E402
from mlkit.compare import ComparisonReport  # noqa: E402
from mlkit.core import Finding, MlkitInputError, Report  # noqa: E402
from mlkit.widgets import (  # noqa: E402
    BaselineBoard,
    CompareBoard,
    FindingsExplorer,
    ProfileExplorer,
    ThresholdTuner,
    baseline_board,
    compare_board,
    explore,
    explore_profile,
    threshold_tuner,
)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _datasets(chart) -> list:
    "Every inline dataset of an Altair chart, as lists of records."
    return list(chart.to_dict()["datasets"].values())


def _frame(chart) -> pd.DataFrame:
    "All rows of all the chart's datasets in one DataFrame."
    return pd.concat([pd.DataFrame(d) for d in _datasets(chart)], ignore_index=True)


@pytest.fixture(scope="module")
def planted():
    "A table with known defects: a constant column, missing values, a text column, and a numeric target."
    rng = np.random.default_rng(0)
    n = 300
    return pd.DataFrame(
        {
            "age": rng.normal(40, 10, n).round(1),
            "income": np.where(rng.random(n) < 0.3, np.nan, rng.lognormal(10, 0.5, n)),
            "country": rng.choice(["fr", "de", "it"], n),
            "constant": ["same"] * n,
            "label": rng.choice(["yes", "no"], n),
        }
    )


def _report():
    return Report(
        [
            Finding("missing_values", "warning", ("income",), "30% of income is missing.", {"count": 90, "share": 0.3}, "Impute it."),
            Finding("constant_column", "warning", ("constant",), "constant has one value.", {"value": "same"}, "Drop it."),
            Finding("target_leakage", "error", ("age",), "age predicts the label alone.", {"score": 0.99}, "Drop it."),
            Finding("high_correlation", "info", ("age", "income"), "age and income move together.", {"r": 0.96}),
            Finding("duplicate_rows", "info", (), "2 rows are copies.", {"count": 2}),
        ],
        title="planted",
    )


# --- explore ------------------------------------------------------------------------------------------------------


def test_explore_filters_select_and_reset(planted, to_backend):
    board = explore(_report(), to_backend(planted))
    assert isinstance(board, FindingsExplorer)
    assert [f.severity for f in board.visible] == ["error", "warning", "warning", "info", "info"]  # errors first
    assert board.selected.check == "target_leakage"
    assert "age" in json.dumps(board.chart.to_dict())  # the chart of the finding's column, from the data
    assert _frame(board.chart)["count"].sum() == planted["age"].notna().sum()

    board.severity_filter.value = "warning"
    assert [f.check for f in board.visible] == ["missing_values", "constant_column"]
    assert [label for label, _ in board.findings_list.options][0].startswith("WARNING")
    assert board.selected.check == "missing_values" and "income" in board.detail.value

    board.select(1)  # a click on the second line
    assert board.selected.check == "constant_column"
    rows = _frame(board.chart)
    assert "same" in set(rows.get("value", pd.Series(dtype=object)).astype(str))  # the chart draws the constant column's values

    board.severity_filter.value = "all"
    board.check_filter.value = "high_correlation"
    assert [f.check for f in board.visible] == ["high_correlation"]
    assert board.chart_column.layout.display == "flex"
    assert [v for _, v in board.chart_column.options] == [("age", "income"), "age", "income"]  # the pair first, then each column
    drawn = json.dumps(board.chart.to_dict())
    assert board.chart_column.options[0][0] == "age × income" and "income barely changes with age" in drawn  # one against the other
    board.chart_column.value = "income"
    assert "income" in json.dumps(board.chart.to_dict())

    board.column_filter.value = "constant"  # no high_correlation finding on `constant`
    assert board.visible == [] and board.selected is None and "No finding matches" in board.detail.value

    board.reset_button.click()
    assert len(board.visible) == 5 and board.check_filter.value == "" and board.column_filter.value == ""


def test_explore_without_data_charts_the_rows_each_finding_touches():
    board = explore(_report())
    header = board.widget.children[0].value
    assert "Findings only" in header and "made without data" in header and "pass the data" in header
    rows = _frame(board.chart).set_index("finding")
    # one bar per finding that touches rows, as long as the rows it touches; findings about whole columns get none
    assert rows["rows"].to_dict() == {"missing_values: income": 90, "duplicate_rows: whole table": 2}
    sub = board.chart.to_dict()["title"]["subtitle"]  # wrapped onto lines when long
    assert "age × income" not in rows.index and "3 findings are about whole columns" in (" ".join(sub) if isinstance(sub, list) else sub)
    assert "(90 rows)" in board.findings_list.options[1][0] and "[age × income]" in board.findings_list.options[3][0]
    board.column_filter.value = "income"
    assert {f.check for f in board.visible} == {"missing_values", "high_correlation"}


def test_explore_empty_report_and_escaping():
    empty = explore(Report([], title="nothing"))
    assert empty.visible == [] and "no findings" in empty.widget.children[0].value
    hostile = Report(
        [Finding("x", "error", ("<script>alert(1)</script>",), "<img src=x onerror=alert(1)>", {"<b>": "<i>"}, "<u>fix</u>")],
        title="<h1>t</h1>",
    )
    board = explore(hostile)
    html = board.detail.value + board.widget.children[0].value + "".join(label for label, _ in board.findings_list.options)
    assert "<script>" not in board.detail.value and "<img" not in board.detail.value and "<h1>" not in board.widget.children[0].value
    assert "&lt;img src=x" in board.detail.value and "&lt;u&gt;fix" in html


def test_explore_displays_as_a_widget():
    board = explore(_report())
    bundle = board._repr_mimebundle_()
    assert WIDGET_VIEW in bundle and bundle[WIDGET_VIEW]["model_id"] == board.widget.model_id
    assert "mlkit-explore" in board.widget._dom_classes


def test_report_widget_dispatches_on_kind(planted, to_backend):
    data = to_backend(planted)
    assert type(mlkit.check(data).widget()) is FindingsExplorer
    assert type(mlkit.profile(data, target="label").widget()) is ProfileExplorer
    half = len(planted) // 2
    assert type(mlkit.compare(to_backend(planted.iloc[:half]), to_backend(planted.iloc[half:])).widget()) is CompareBoard
    assert type(explore(_baseline_report())) is BaselineBoard
    with pytest.raises(TypeError, match="Report"):
        explore(["not", "a", "report"])


# --- full boards by default: a report remembers its data, weakly ------------------------------------------------


def test_check_widget_is_the_full_board_while_the_frame_lives(planted, to_backend):
    frame = to_backend(planted.assign(age_copy=planted["age"]))  # a fresh frame with a planted pair: a copied column
    report = mlkit.check(frame, target="label")
    board = report.widget()
    assert board.data is frame and board._frame is not None and "mlkit-no-data" not in board.widget.children[0].value
    board.check_filter.value = "duplicate_columns"  # the pair finding opens on the pair, one column against the other
    assert board.chart_column.options[0] == ("age × age_copy", ("age", "age_copy"))
    assert "age_copy" in json.dumps(board.chart.to_dict())
    board.check_filter.value = "missing_values"  # a one-column finding: no pair, its column's distribution, its rows counted
    assert [v for _, v in board.chart_column.options] == ["income"] and board.chart_column.layout.display == "none"
    assert f"({int(planted['income'].isna().sum())} rows)" in board.findings_list.options[0][0]
    assert report.filter(severity="warning").widget().data is frame  # a filtered report keeps the link
    # the report stays JSON-, pickle- and copy-able: copies share the link, JSON and pickles drop it
    assert Report.from_json(report.to_json()) == report
    assert copy.copy(report).kept_data()[0] is frame and copy.deepcopy(report).kept_data()[0] is frame
    assert pickle.loads(pickle.dumps(report)).widget()._frame is None
    temporary = to_backend(planted.copy())
    held = weakref.ref(temporary)
    later = mlkit.check(temporary, target="label")
    del temporary
    gc.collect()
    assert held() is None  # the report does not keep its frame alive (a board does, while it lives: ipywidgets keeps it)
    gone = later.widget()  # the frame is gone: the findings-only board, saying why in one line
    assert gone._frame is None and "no longer in memory" in gone.widget.children[0].value
    assert "touches the most rows" in json.dumps(gone.chart.to_dict())


def test_check_widget_on_clean_data_shows_no_pair_and_no_rows(to_backend):
    rng = np.random.default_rng(3)
    clean = to_backend(pd.DataFrame({"x": rng.normal(size=200), "group": rng.choice(["a", "b", "c"], 200)}))
    board = mlkit.check(clean).widget()
    assert board.data is clean and "mlkit-no-data" not in board.widget.children[0].value
    assert not any(" × " in label or "rows)" in label for label, _ in board.findings_list.options)
    assert not any(isinstance(v, tuple) for _, v in board.chart_column.options)


def test_compare_widget_is_the_full_board_while_both_frames_live(drifted_pair, to_backend):
    ref, cur = (to_backend(f.copy()) for f in drifted_pair)
    report = mlkit.compare(ref, cur)
    board = report.widget()
    assert board.reference is ref and board.current is cur and "mlkit-no-data" not in board.widget.children[0].value
    assert set(_frame(board.chart)["data"]) == {"reference", "current"}  # both distributions, without passing the frames
    assert copy.deepcopy(report).kept_data()[1] is cur and pickle.loads(pickle.dumps(report)).kept_data() is None
    later = mlkit.compare(ref, to_backend(drifted_pair[1].copy()))  # the current frame a temporary, freed once compare returns
    gc.collect()
    gone = later.widget()
    assert gone.reference is None and "no longer in memory" in gone.widget.children[0].value
    assert set(_frame(gone.chart)["column"]) == {"stable", "shifted", "colour"}  # the effect sizes, from the report alone


# --- explore_profile ---------------------------------------------------------------------------------------------


def test_profile_board_columns_views_and_stats(planted, to_backend):
    board = explore_profile(to_backend(planted), target="label")
    assert board.column in ("age", "income") and board.view == "distribution"
    board.show("income")
    assert board.stats["missing"] == int(planted["income"].isna().sum())
    assert "Statistics of income" in board.stats_panel.value and "missing" in board.stats_panel.value
    assert board.chart.to_dict() == board.profile.charts["income"].to_dict() or "income" in json.dumps(board.chart.to_dict())
    board.view_picker.value = "target"
    assert "label" in json.dumps(board.chart.to_dict())  # income against the label
    board.column_picker.value = "label"
    assert "no chart against label" in board.note.value
    board.column_picker.value = "constant"
    assert "constant" in board.stats_panel.value
    with pytest.raises(MlkitInputError, match="nope"):
        board.show("nope")


def test_profile_board_without_target_and_from_path(planted, tmp_path):
    path = tmp_path / "planted.csv"
    planted.to_csv(path, index=False)
    board = explore_profile(path)
    assert board.view_picker.layout.display == "none" and [v for _, v in board.view_picker.options] == ["distribution"]
    assert sorted(v for _, v in board.column_picker.options) == sorted(planted.columns)
    board.show("country")
    assert set(_frame(board.chart)["value"].dropna().astype(str)) >= {"fr", "de", "it"}
    with pytest.raises(MlkitInputError, match="target"):
        explore_profile(planted, target="missing_column")
    with pytest.raises(MlkitInputError, match="target"):
        explore_profile(mlkit.profile(planted), target="label")


def test_profile_widget_is_full_and_a_read_back_profile_says_it_has_no_charts(planted, to_backend):
    prof = mlkit.profile(to_backend(planted), target="label")
    board = prof.widget()
    assert "mlkit-no-data" not in board.widget.children[0].value and "age" in json.dumps(board.show("age").chart.to_dict())
    for back in (type(prof).from_json(prof.to_json()), pickle.loads(pickle.dumps(prof))):  # JSON and pickle: numbers, no charts
        assert back.table["column"].tolist() == prof.table["column"].tolist() and back.findings == prof.findings
        bare = back.widget()
        assert "holds no charts" in bare.widget.children[0].value and "statistics only" in json.dumps(bare.chart.to_dict())
    assert copy.deepcopy(prof).charts.keys() == prof.charts.keys()  # a copy keeps the charts


# --- compare_board -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def drifted_pair():
    "Reference and current where `shifted` moved by two standard deviations and `stable` did not."
    rng = np.random.default_rng(1)
    n = 400
    ref = pd.DataFrame({"stable": rng.normal(0, 1, n), "shifted": rng.normal(0, 1, n), "colour": rng.choice(["red", "blue"], n)})
    cur = pd.DataFrame({"stable": rng.normal(0, 1, n), "shifted": rng.normal(2, 1, n), "colour": rng.choice(["red", "blue"], n)})
    return ref, cur


def test_compare_board_orders_drifted_first_and_filters(drifted_pair, to_backend):
    ref, cur = drifted_pair
    board = compare_board(to_backend(ref), to_backend(cur))
    assert board.columns[0] == "shifted" and board.column == "shifted" and board.test["drifted"]
    assert "drifted" in board.column_picker.options[0][0]
    shares = _frame(board.chart)
    assert set(shares["data"]) == {"reference", "current"}
    board.show("stable")
    assert not board.test["drifted"] and "Drift test of stable" in board.test_panel.value and "no drift" in board.test_panel.value
    board.only_drifted.value = True
    assert board.columns == ["shifted"] and board.column == "shifted"
    board.only_drifted.value = False
    board.sort_by.value = "name"
    assert board.columns == ["colour", "shifted", "stable"]
    board.show("colour")
    assert set(_frame(board.chart)["value"]) >= {"red", "blue"}


def test_compare_board_from_a_report_alone(drifted_pair):
    ref, cur = drifted_pair
    report = ComparisonReport.from_json(mlkit.compare(ref, cur).to_json())  # read back: no frames to draw
    board = compare_board(report)
    assert (
        board.reference is None
        and "pass the frames" in board.widget.children[0].value
        and "loaded from JSON" in board.widget.children[0].value
    )
    rows = _frame(board.chart)
    assert set(rows["column"]) == {"stable", "shifted", "colour"}
    assert rows.set_index("column").loc["shifted", "drifted"] == "drifted"
    with pytest.raises(TypeError, match="both frames"):
        compare_board(ref)
    with pytest.raises(TypeError, match="no `current`"):
        compare_board(report, cur)


def test_compare_board_when_nothing_drifted(to_backend):
    rng = np.random.default_rng(2)
    a = pd.DataFrame({"x": rng.normal(size=300)})
    b = pd.DataFrame({"x": rng.normal(size=300)})
    board = compare_board(to_backend(a), to_backend(b))
    assert not board.test["drifted"]
    board.only_drifted.value = True
    assert board.columns == [] and board.column is None and "No column matches" in board.test_panel.value


# --- baseline_board -------------------------------------------------------------------------------------------------


def _baseline_report():
    from mlkit.baselines import BaselineReport

    table = pd.DataFrame(
        {
            "model": ["dummy_most_frequent", "dummy_stratified", "one_rule", "linear", "gradient_boosting"],
            "kind": ["trivial", "random", "simple", "linear", "boosting"],
            "roc_auc": [0.5, 0.52, 0.8, 0.9, 0.92],
            "roc_auc_std": [0.0, 0.02, 0.03, 0.01, 0.02],
            "log_loss": [0.69, 16.0, 0.55, 0.3, 0.28],
            "log_loss_std": [0.0, 1.0, 0.02, 0.02, 0.03],
            "status": ["ok"] * 5,
        }
    )
    return BaselineReport(table=table, task="binary", metric="roc_auc", metrics=["roc_auc", "log_loss"], title="planted baselines")


def test_baseline_board_metric_and_score_to_beat():
    board = baseline_board(_baseline_report())
    assert board.metric == "roc_auc" and board.score_to_beat == 0.9  # the best simple baseline (linear), never roc_auc's 0.5
    assert board.ranking["model"].tolist() == ["gradient_boosting", "linear", "one_rule", "dummy_stratified", "dummy_most_frequent"]
    assert board.ranking.set_index("model")["beats"].to_dict() == {
        "gradient_boosting": True,
        "linear": False,
        "one_rule": False,
        "dummy_stratified": False,
        "dummy_most_frequent": False,
    }
    bars = _frame(board.chart)
    assert bars["model"].dropna().tolist()[:5] == board.ranking["model"].tolist()
    assert 0.9 in set(bars["score"].dropna()) and 0.5 not in set(bars["score"].dropna())
    assert "best simple baseline" in board.table_panel.value
    board.metric_picker.value = "log_loss"  # lower is better
    assert board.ranking["model"].tolist()[:2] == ["gradient_boosting", "linear"] and board.score_to_beat == 0.3
    assert 0.3 in set(_frame(board.chart)["score"].dropna()) and "Candidates by log_loss" in board.table_panel.value
    board.show_trivial.value = False
    assert set(board.ranking["kind"]) == {"simple", "linear", "boosting"}
    assert "dummy" not in json.dumps(_datasets(board.chart))
    with pytest.raises(TypeError, match="BaselineReport"):
        baseline_board(Report())


@pytest.mark.slow
def test_baseline_board_on_a_real_baseline(planted, to_backend):
    report = mlkit.baseline(to_backend(planted.drop(columns=["constant"])), "label", cv=2)
    board = report.widget()
    assert isinstance(board, BaselineBoard) and board.metric == report.metric
    assert board.score_to_beat == report.score_to_beat
    assert (
        board.ranking["model"].iloc[0] in (report.best, "dummy_stratified", "dummy_most_frequent")
        or board.ranking["mean"].iloc[0] >= report.best_score
    )
    for m in report.metrics:
        board.metric_picker.value = m
        assert board.ranking["mean"].notna().all() and _marks_exist(board.chart)


def _marks_exist(chart) -> bool:
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(chart.to_dict())
    return "role-mark" in svg and ("<path" in svg or "<line" in svg)


# --- threshold_tuner ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def binary():
    "A separable-but-noisy binary problem with string labels."
    rng = np.random.default_rng(3)
    n = 400
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    y = pd.Series(np.where(X["a"] + 0.8 * rng.normal(size=n) > 0.3, "spam", "ham"), name="kind")
    return X, y


def _sk_counts(y_true, scores, pos, threshold):
    from sklearn.metrics import confusion_matrix

    pred = np.where(scores >= threshold, pos, "other")
    truth = np.where(np.asarray(y_true) == pos, pos, "other")
    tn, fp, fn, tp = confusion_matrix(truth, pred, labels=["other", pos]).ravel()
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn}


def test_tuner_on_a_fitted_model_matches_sklearn(binary, to_backend, backend):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import precision_score, recall_score

    X, y = binary
    model = LogisticRegression().fit(X, y)
    y_in = y if backend == "pandas" else __import__("polars").Series("kind", y.tolist())
    tuner = threshold_tuner(model, to_backend(X), y_in)
    assert isinstance(tuner, ThresholdTuner) and tuner.pos_label == "spam" and "fitted model" in tuner.source
    proba = model.predict_proba(X)[:, list(model.classes_).index("spam")]
    for t in (0.1, 0.35, 0.5, 0.8):
        tuner.slider.value = t
        assert tuner.threshold == t and tuner.jchart.params.threshold == t
        assert tuner.confusion == _sk_counts(y, proba, "spam", t)
        pred = np.where(proba >= t, "spam", "ham")
        assert tuner.metrics["precision"] == pytest.approx(precision_score(y, pred, pos_label="spam", zero_division=np.nan), nan_ok=True)
        assert tuner.metrics["recall"] == pytest.approx(recall_score(y, pred, pos_label="spam"))
        assert f"threshold {t:.3g}" in tuner.matrix_panel.value
    tuner.threshold = 1.0  # nothing predicted positive: precision is undefined, not zero
    assert np.isnan(tuner.metrics["precision"]) and "undefined" in tuner.metrics_panel.value


def test_tuner_fits_an_unfitted_model_out_of_fold(binary, to_backend):
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.utils.validation import check_is_fitted

    X, y = binary
    data = to_backend(X.assign(kind=y))
    model = LogisticRegression()
    tuner = threshold_tuner(model, data, "kind")  # y named as a column of X
    check_is_fitted(model)  # fitted on all rows afterwards
    assert "5-fold cross-validation" in tuner.source and list(model.feature_names_in_) == ["a", "b"]
    oof = cross_val_predict(clone(model), X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0), method="predict_proba")[:, 1]
    tuner.threshold = 0.4
    assert tuner.confusion == _sk_counts(y, oof, "spam", 0.4)
    assert (tuner.predict(to_backend(X)) == tuner.classifier().predict(X)).all()
    assert set(tuner.predict(X)) <= {"spam", "ham"}


def test_tuner_positive_class_costs_and_buttons(binary):
    from sklearn.linear_model import LogisticRegression

    X, y = binary
    tuner = threshold_tuner(LogisticRegression().fit(X, y), X, y)
    assert tuner.min_cost_button.disabled and len(tuner.chart.to_dict().get("vconcat", [])) == 0  # no cost panel yet
    tuner.best_f1_button.click()
    assert tuner.metrics["f1"] == pytest.approx(tuner.curve["f1"].max())
    tuner.cost_fn_box.value = 10.0
    tuner.cost_fp_box.value = 1.0
    assert not tuner.min_cost_button.disabled and len(tuner.chart.to_dict()["vconcat"]) == 2  # the cost panel appears
    assert tuner.jchart.params.cost_fn == 10.0 and tuner.jchart.params.cost_fp == 1.0
    tuner.min_cost_button.click()
    cost = tuner.curve["fp"] * 1.0 + tuner.curve["fn"] * 10.0
    assert tuner.metrics["cost"] == cost.min() and "total cost" in tuner.metrics_panel.value
    assert tuner.metrics["cost"] == tuner.metrics["fp"] * 1.0 + tuner.metrics["fn"] * 10.0
    tuner.cost_fp_box.value = 3.0  # only a value changes: the chart stays, its parameter moves
    assert tuner.jchart.params.cost_fp == 3.0
    positives = int((y == "spam").sum())
    tuner.pos_picker.value = "ham"
    c = tuner.confusion
    assert tuner.pos_label == "ham" and c["tp"] + c["fn"] == len(y) - positives and "predicted ham" in tuner.matrix_panel.value
    tuner.cost_fn_box.value = 0.0
    tuner.cost_fp_box.value = 0.0
    assert tuner.min_cost_button.disabled
    with pytest.raises(MlkitInputError, match="cost"):
        tuner.use_lowest_cost()


def test_tuner_decision_function_model_and_missing_labels(binary):
    from sklearn.svm import LinearSVC

    X, y = binary
    y = y.copy().astype(object)
    y.iloc[:7] = None
    tuner = threshold_tuner(LinearSVC(), X, y)
    assert tuner.n_dropped == 7 and "7 row(s) without a label" in tuner.widget.children[0].value
    assert tuner.slider.min < 0 < tuner.slider.max and tuner.threshold == 0.0  # a score range, not probabilities
    scores = tuner.model.decision_function(X.iloc[7:])
    assert sum(tuner.confusion.values()) == len(X) - 7
    tuner.threshold = 0.0
    assert (tuner.predict(X.iloc[7:]) == np.where(scores >= 0, "spam", "ham")).all()


def test_tuner_refuses_bad_input(binary):
    from sklearn.linear_model import LinearRegression, LogisticRegression

    X, y = binary
    three = pd.Series(np.resize(["a", "b", "c"], len(X)))
    with pytest.raises(MlkitInputError, match="binary classification: y has 3 class"):
        threshold_tuner(LogisticRegression(), X, three)
    with pytest.raises(MlkitInputError, match="rows"):
        threshold_tuner(LogisticRegression(), X, y.iloc[:10])
    with pytest.raises(MlkitInputError, match="predict_proba or decision_function"):
        threshold_tuner(LinearRegression(), X, y)
    with pytest.raises(MlkitInputError, match="does not know"):
        threshold_tuner(LogisticRegression().fit(X, y), X, y.replace("ham", "eggs"))
    with pytest.raises(MlkitInputError, match="pos_label"):
        threshold_tuner(LogisticRegression().fit(X, y), X, y, pos_label="nope")
    with pytest.raises(MlkitInputError, match="not a column of X"):
        threshold_tuner(LogisticRegression(), X, "nope")


def test_import_mlkit_stays_light():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", "import sys, mlkit; mlkit.explore; print('ipywidgets' in sys.modules, 'altair' in sys.modules)"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_offline_bundle_is_cached_per_version(tmp_path):
    import subprocess
    import sys

    code = (
        "import time, altair as alt; from mlkit.widgets import _enable_offline_charts; t = time.perf_counter(); _enable_offline_charts(); "
        "print(alt.JupyterChart._is_offline, 'cdn.jsdelivr' in alt.JupyterChart._esm, round(time.perf_counter() - t, 2))"
    )
    env = {**__import__("os").environ, "MLKIT_CACHE_DIR": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert first.stdout.split()[:2] == ["True", "False"], first.stderr
    cached = list(tmp_path.glob("jupyterchart-altair*.js"))
    assert len(cached) == 1 and len(cached[0].read_text()) > 10_000
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert second.stdout.split()[:2] == ["True", "False"], second.stderr
    assert float(second.stdout.split()[2]) < float(first.stdout.split()[2])  # read, not rebuilt


def _html_of(widget) -> list:
    "The HTML of every ipywidgets HTML inside `widget`, walked through its children."
    import ipywidgets as w

    found = [widget.value] if isinstance(widget, w.HTML) else []
    return found + [h for child in getattr(widget, "children", ()) for h in _html_of(child)]


def _elements(html: str) -> list:
    "(tag, [(attribute, value), ...]) of every start tag, duplicates kept (the browser keeps only the first)."
    from html.parser import HTMLParser

    tags = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, attrs))

    Tags().feed(html)
    return tags


def test_tuner_html_has_one_style_per_element_and_right_aligned_row_labels(binary):
    from sklearn.linear_model import LogisticRegression

    X, y = binary
    tuner = threshold_tuner(LogisticRegression().fit(X, y), X, y)
    tuner.cost_fn_box.value = 5.0  # every panel, the cost one too
    pages = _html_of(tuner.widget)
    assert tuner.matrix_panel.value in pages and tuner.metrics_panel.value in pages
    for tag, attrs in (e for page in pages for e in _elements(page)):
        names = [a for a, _ in attrs]
        assert len(names) == len(set(names)), f"<{tag}> repeats an attribute (the browser ignores the second): {attrs}"
    heads = {text: style for style, text in re.findall(r'<th style="([^"]*)">([^<]*)</th>', tuner.matrix_panel.value)}
    assert heads["actual spam"].endswith("text-align:right") and heads["actual ham"].endswith("text-align:right")
    assert "text-align" not in heads["predicted spam"]
