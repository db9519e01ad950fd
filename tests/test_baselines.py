"""Baselines: task inference, column roles, the candidate ladder, the report, the estimators, the CLI."""

import json
import operator
import subprocess
import sys
import time
import types

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine

import mlkit
from mlkit.baselines import (
    CANDIDATE_KINDS,
    BaselineClassifier,
    BaselineRegressor,
    BaselineReport,
    CannotSend,
    DeadlineWorker,
    OutOfTime,
    Ref,
    WorkerError,
    baseline,
    candidate_pipelines,
    infer_columns,
    infer_task,
)
from mlkit.core import MlkitInputError, Report


def _frame(loader):
    return loader(as_frame=True).frame


@pytest.mark.parametrize(
    "loader, task, metric",
    [
        (load_iris, "multiclass", "accuracy"),
        (load_breast_cancer, "binary", "roc_auc"),
        (load_diabetes, "regression", "r2"),
        (load_wine, "multiclass", "accuracy"),
    ],
)
def test_bundled_datasets(loader, task, metric):
    df = _frame(loader)
    r = baseline(df, "target", cv=3)
    assert r.task == task and r.metric == metric and r.ok
    dummies = ["dummy_mean", "dummy_median"] if task == "regression" else ["dummy_most_frequent", "dummy_stratified"]
    assert list(r.table["model"]) == [*dummies, "one_rule", "shallow_tree", "linear", "gradient_boosting"]
    assert (r.table["status"] == "ok").all() and r.table[metric].notna().all() and (r.table["fit_time"] >= 0).all()
    assert r.best not in ("dummy_most_frequent", "dummy_mean", "dummy_median", "dummy_stratified")
    assert r.best_score > r.trivial_score + 0.2
    assert "best_baseline" in r.checks and "nothing_beats_trivial" not in r.checks
    # the trivial floor is the best trivial model that always gives the same answer; the score to beat, the best simple one
    trivial = r.table[r.table["kind"] == "trivial"][metric]
    assert r.trivial_score == r.trivial_floor == pytest.approx(trivial.max())
    simple = r.table[r.table["kind"].isin(["simple", "linear"])][metric]
    assert r.score_to_beat == r.best_simple_score == pytest.approx(simple.min() if metric in ("rmse", "mae") else simple.max())
    # std across folds is reported for every metric
    for m in r.metrics:
        assert f"{m}_std" in r.table.columns


def test_regression_metrics_are_natural_numbers():
    r = baseline(_frame(load_diabetes), "target", cv=3)
    assert r.metrics == ["r2", "rmse", "mae"]
    assert (r.table["rmse"] > 0).all() and (r.table["mae"] > 0).all()
    assert r.metric_table("rmse")["mean"].is_monotonic_increasing  # lower is better: best first
    with pytest.raises(MlkitInputError, match="not in this report"):
        r.metric_table("roc_auc")


def test_metric_override_and_task_override():
    df = _frame(load_diabetes)
    r = baseline(df, "target", cv=3, metric="mae")
    assert r.metric == "mae" and not r.higher_is_better and r.best_score < r.trivial_score and r.best_score <= r.score_to_beat
    codes = pd.DataFrame({"x": np.arange(200) % 7 + np.random.default_rng(0).normal(size=200), "y": np.arange(200) % 7})
    assert baseline(codes, "y", cv=3).task == "multiclass"
    assert baseline(codes, "y", cv=3, task="regression").task == "regression"
    with pytest.raises(MlkitInputError, match="not numeric"):
        baseline(pd.DataFrame({"x": range(20), "y": ["a", "b"] * 10}), "y", task="regression")
    with pytest.raises(MlkitInputError, match="task must be one of"):
        baseline(codes, "y", task="ranking")


def test_demo_pandas_and_polars(backend):
    df = mlkit.load_demo(as_frame=backend)
    df = df.dropna(subset=["Sex"]) if backend == "pandas" else df.drop_nulls(subset=["Sex"])
    r = mlkit.baseline(df, target="Sex", cv=3)
    assert r.task == "binary" and r.ok and r.best_score > 0.9
    dropped = {f.columns[0]: f.evidence["reason"] for f in r.filter(check="dropped_column")}
    assert dropped == {"Sample Number": "identifier", "Region": "constant", "Stage": "constant", "Individual ID": "identifier"}
    assert r.filter(check="date_parts").findings[0].columns == ("Date Egg",)
    assert r.meta["rows_used"] == 333


def test_pandas_and_polars_give_the_same_table(to_backend):
    df = _frame(load_iris)
    r = baseline(to_backend(df), "target", cv=3)
    ref = baseline(df, "target", cv=3)
    pd.testing.assert_frame_equal(r.table.drop(columns=["fit_time", "score_time"]), ref.table.drop(columns=["fit_time", "score_time"]))


def test_missing_target_rows_are_dropped_and_reported(to_backend):
    df = _frame(load_breast_cancer)
    df.loc[[3, 10, 50], "target"] = np.nan
    r = baseline(to_backend(df), "target", cv=3)
    f = r.filter(check="target_missing").findings  # the check's id and severity: one defect, one name
    assert len(f) == 1 and f[0].severity == "error" and f[0].columns == ("target",) and f[0].evidence["count"] == 3
    assert r.meta["rows_used"] == len(df) - 3 and r.best is not None


def test_single_class_target_is_a_clear_error(to_backend):
    df = pd.DataFrame({"x": np.arange(30.0), "label": ["yes"] * 30})
    with pytest.raises(MlkitInputError, match=r"target 'label' has a single value \('yes'\)"):
        baseline(to_backend(df), "label")


def test_two_row_frame_is_a_clear_error(to_backend):
    df = pd.DataFrame({"x": [1.0, 2.0], "y": [0, 1]})
    with pytest.raises(MlkitInputError, match="2 row"):
        baseline(to_backend(df), "y")


def test_bad_inputs():
    df = _frame(load_iris)
    with pytest.raises(MlkitInputError, match="'nope' not found"):
        baseline(df, "nope")
    with pytest.raises(MlkitInputError, match="cv must be at least 2"):
        baseline(df, "target", cv=1)
    with pytest.raises(MlkitInputError, match="no feature columns"):
        baseline(df[["target"]], "target")
    with pytest.raises(MlkitInputError, match="no usable feature columns"):
        baseline(pd.DataFrame({"const": [1] * 40, "y": [0, 1] * 20}), "y")
    with pytest.raises(MlkitInputError, match="unknown metric"):
        baseline(df, "target", metric="accuracyy")


def test_rare_classes_are_dropped_and_reported():
    df = _frame(load_iris)
    df["target"] = df["target"].astype(str)
    df.loc[0, "target"] = "rare"
    r = baseline(df, "target", cv=5)
    f = r.filter(check="rare_classes").findings[0]
    assert f.evidence["classes"] == {"rare": 1} and r.meta["rows_used"] == 149


def test_column_roles():
    n = 120
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "row": np.arange(n),
            "note": [f"customer {i} called about the {w} order" for i, w in zip(range(n), rng.choice(["late", "lost", "wrong"], n))],
            "empty": [np.nan] * n,
            "const": ["x"] * n,
            "when": pd.date_range("2024-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "stamp": pd.date_range("2024-01-01", periods=n, freq="h"),
            "amount_text": [str(v) for v in rng.normal(size=n).round(2)],
            "flag": rng.random(n) > 0.5,
            "colour": rng.choice(["red", "green", None], n),
            "size": rng.normal(size=n),
        }
    )
    plan = infer_columns(df)
    assert {c: v["reason"] for c, v in plan["dropped"].items()} == {
        "customer_id": "identifier",
        "row": "identifier",
        "note": "free_text",
        "empty": "empty",
        "const": "constant",
    }
    assert plan["datetime"] == ["when", "stamp"] and plan["categorical"] == ["colour"]
    assert plan["numeric"] == ["amount_text", "flag", "size"]


def test_raw_messy_frame_runs_end_to_end():
    n = 200
    rng = np.random.default_rng(1)
    x = rng.normal(size=n)
    df = pd.DataFrame(
        {
            "id": np.arange(n),
            "when": pd.date_range("2020-01-01", periods=n, freq="D").astype(str),
            "city": rng.choice(["a", "b", "c", None], n),
            "x": np.where(rng.random(n) < 0.1, np.nan, x),
            "y": np.where(x + rng.normal(scale=0.5, size=n) > 0, "pos", "neg"),
        }
    )
    r = baseline(df, "y", cv=3)
    assert r.ok and (r.table["status"] == "ok").all() and r.best_score > 0.75


def test_nothing_beats_trivial_on_random_labels():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(300, 4)), columns=list("abcd")).assign(y=rng.integers(0, 2, 300))
    r = baseline(df, "y", cv=3)
    # the best model may edge the trivial one by luck; it must not beat it by much
    assert r.best_score < r.trivial_score + 0.1


def test_time_budget_skips_and_reports():
    r = baseline(_frame(load_iris), "target", cv=3, time_budget=0)
    f = r.filter(check="skipped_for_time").findings[0]
    assert f.severity == "warning" and f.evidence["skipped"] == ["one_rule", "shallow_tree", "linear", "gradient_boosting"]
    assert set(r.table.loc[r.table["kind"].isin(["trivial", "random"]), "status"]) == {"ok"}
    assert r.best == "dummy_most_frequent"


def test_time_budget_holds_while_a_candidate_runs():
    # the ladder on 200,000 rows takes about 17 s here, far longer than the budget: cut off, not waited for
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(200_000, 12)), columns=[f"x{i}" for i in range(12)])
    df["y"] = df.x0 + df.x1 * df.x2 + rng.normal(size=len(df)) > 0
    # the budget also pays for preparing the data and the trivial models (budget 0 runs only those): measure that
    # part first. On a loaded machine the deadline can still fall while the worker starts (every candidate is then
    # skipped, none is running): try again with a longer budget, up to three times
    t0 = time.perf_counter()
    baseline(df, "y", time_budget=0, progress=False)
    untimed = time.perf_counter() - t0
    for margin in (4, 8, 16):
        budget = round(untimed + margin, 1)
        t0 = time.perf_counter()
        r = baseline(df, "y", time_budget=budget, progress=False)
        took = time.perf_counter() - t0
        assert took < budget + 4, (took, budget)  # cut off, not waited for
        status = dict(zip(r.table["model"], r.table["status"]))
        if "stopped" in status.values():
            break
    assert status["dummy_most_frequent"] == "ok" and status["gradient_boosting"] in ("stopped", "skipped")
    assert "stopped" in status.values(), (budget, untimed)  # a candidate was running at the deadline and was killed
    f = r.filter(check="skipped_for_time").findings[0]
    halted = {s["model"] for s in f.evidence["stopped"]}
    assert halted | set(f.evidence["skipped"]) == {m for m, s in status.items() if s != "ok"}
    assert all(s["folds_done"] < s["folds"] for s in f.evidence["stopped"])
    assert r.meta["time_budget"] == budget and r.best is not None


def test_no_budget_runs_everything_in_process():
    r = baseline(_frame(load_iris), "target", cv=3)
    assert (r.table["status"] == "ok").all() and "budget_between_folds" not in r.checks and "time_budget" not in r.meta


def test_deadline_worker():
    with DeadlineWorker(time.perf_counter() + 60) as w:
        w.put(a=np.arange(5))
        assert w.call(np.sum, Ref("a")) == 10 and w.call("operator:add", 2, 3) == 5
        with pytest.raises(WorkerError, match="ZeroDivisionError") as e:
            w.call(operator.truediv, 1, 0)
        assert e.value.kind == "ZeroDivisionError" and w.alive
        with pytest.raises(CannotSend):  # cannot even be pickled here
            w.call(np.sum, lambda: 1)
        # a class the worker cannot import (it exists only in this process)
        mod = types.ModuleType("mlkit_only_in_this_process")
        mod.Thing = type("Thing", (), {"__module__": mod.__name__})
        sys.modules[mod.__name__] = mod
        try:
            with pytest.raises(CannotSend, match="mlkit_only_in_this_process"):
                w.call(repr, mod.Thing())
        finally:
            del sys.modules[mod.__name__]
        assert w.call(operator.add, 1, 1) == 2  # still usable
    assert not w.alive
    t0 = time.perf_counter()
    with DeadlineWorker(t0 + 3) as w, pytest.raises(OutOfTime):
        w.call(time.sleep, 60)
    assert time.perf_counter() - t0 < 10 and not w.alive
    with pytest.raises(OutOfTime):  # after the deadline nothing starts
        w.call(operator.add, 1, 1)


def test_best_pipeline_is_fitted_once_and_predicts():
    df = _frame(load_breast_cancer)
    r = baseline(df, "target", cv=3)
    bp = r.best_pipeline
    assert bp is r.fitted() and bp is r.fitted(r.best)
    X = df.drop(columns="target")
    assert (bp.predict(X) == df["target"]).mean() > 0.9
    assert set(r.pipelines) == set(r.table["model"])
    assert r.fitted("dummy_most_frequent").predict(X.head(3)).tolist() == [1, 1, 1]
    with pytest.raises(MlkitInputError, match="no candidate named"):
        r.fitted("forest")
    back = Report.from_json(r.to_json())
    with pytest.raises(MlkitInputError, match="loaded from JSON"):
        _ = back.best_pipeline


def test_large_data_is_sampled_and_says_so():
    rng = np.random.default_rng(0)
    n = 3000
    df = pd.DataFrame({"x": rng.normal(size=n), "y": (rng.random(n) < 0.1).astype(int)})
    r = baseline(df, "y", cv=3, max_rows=600)
    f = r.filter(check="sampled").findings[0]
    assert f.evidence == {"rows_total": 3000, "rows_used": 600, "seed": 0, "max_rows": 600, "stratified": True}
    assert r.meta["rows_used"] == 600


def test_progress_lines(capsys, monkeypatch):
    baseline(_frame(load_iris), "target", cv=3, progress=True)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("mlkit: baseline: [1/6] dummy_most_frequent on 150 rows x 4 columns, fold 1/3")
    assert len(lines) == 7 and lines[-1].startswith("mlkit: baseline done in")  # a plain log: one line per candidate, not per fold
    import mlkit.runtime.progress

    monkeypatch.setattr(mlkit.runtime.progress, "PROGRESS_DELAY", 3600.0)  # a call shorter than the delay: nothing at all
    baseline(_frame(load_iris), "target", cv=3)
    monkeypatch.setattr(mlkit.runtime.progress, "PROGRESS_DELAY", 0.0)
    baseline(_frame(load_iris), "target", cv=3, progress=False)
    assert capsys.readouterr().err == ""


def test_renderings_and_round_trip():
    df = _frame(load_iris)
    df.columns = [*df.columns[:-2], "<script>alert(1)</script>", "target"]
    r = baseline(df, "target", cv=3)
    back = Report.from_json(r.to_json())
    assert isinstance(back, BaselineReport) and back == r and back.best == r.best and back.score_to_beat == pytest.approx(r.score_to_beat)
    pd.testing.assert_frame_equal(back.table, r.table, check_dtype=False)
    html = r.to_html(standalone=True)
    assert "<script>alert(1)</script>" not in html and "gradient_boosting" in html
    assert "<svg" in html  # the chart, inline
    md = r.to_markdown()
    assert "| model | kind | accuracy |" in md and "| gradient_boosting | boosting |" in md
    text = r.to_text()
    assert "score to beat" in text and "dummy_stratified" in text
    d = json.loads(r.to_json())
    assert d["kind"] == "baseline" and d["best"] == r.best and len(d["table"]) == 6


def test_chart_has_a_bar_per_model_and_a_rule():
    r = baseline(_frame(load_iris), "target", cv=3)
    chart = r.chart()
    spec = chart.to_dict()
    assert "score to beat" in json.dumps(spec) or "score_to_beat" in json.dumps(spec) or r.score_to_beat is not None
    from mlkit.charts import chart_rows, to_svg

    assert chart_rows(chart) >= 6
    assert "<svg" in to_svg(chart)


def test_candidate_pipelines_are_what_baseline_runs():
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    df = _frame(load_breast_cancer)
    X, y = df.drop(columns="target"), df["target"]
    pipes = candidate_pipelines(X, y, "binary")
    r = baseline(df, "target", cv=3)
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    auc = cross_val_score(pipes["shallow_tree"], X, y, cv=folds, scoring="roc_auc").mean()
    assert auc == pytest.approx(float(r.table.set_index("model").loc["shallow_tree", "roc_auc"]))


def test_infer_task_rule():
    assert infer_task(pd.Series(["a", "b"]))[0] == "binary"
    assert infer_task(pd.Series(pd.Categorical(["a", "b", "c"])))[0] == "multiclass"
    assert infer_task(pd.Series([0.5, 1.5, 2.5, 3.5] * 10))[0] == "regression"
    assert infer_task(pd.Series(range(8)))[0] == "multiclass"
    assert infer_task(pd.Series(range(50)))[0] == "regression"


# --- estimators -----------------------------------------------------------------


@pytest.mark.parametrize(
    "est", [BaselineClassifier(strategy="linear"), BaselineRegressor(strategy="linear")], ids=lambda e: type(e).__name__
)
def test_check_estimator_fixed_strategy(est):
    from sklearn.utils.estimator_checks import check_estimator

    check_estimator(est)


@pytest.mark.slow
@pytest.mark.parametrize("est", [BaselineClassifier(), BaselineRegressor()], ids=lambda e: type(e).__name__)
def test_check_estimator_auto(est):
    from sklearn.utils.estimator_checks import check_estimator

    check_estimator(est)


def test_estimators_on_frames(to_backend):
    pen = mlkit.load_demo().dropna(subset=["Sex"]).reset_index(drop=True)
    X, y = pen.drop(columns="Sex"), pen["Sex"]
    clf = BaselineClassifier(cv=3).fit(to_backend(X), y)
    assert clf.strategy_ in ("linear", "gradient_boosting") and set(clf.cv_scores_) == set(CANDIDATE_KINDS) - {"dummy_mean", "dummy_median"}
    assert clf.score(to_backend(X), y) > 0.9 and list(clf.feature_names_in_) == list(X.columns)
    assert clf.predict_proba(to_backend(X.head(4))).shape == (4, 2)
    with pytest.raises(ValueError, match="strategy must be"):
        BaselineClassifier(strategy="deep_net").fit(X, y)


def test_regressor_auto_picks_a_real_model():
    df = _frame(load_diabetes)
    reg = BaselineRegressor().fit(df.drop(columns="target"), df["target"])
    assert reg.strategy_ in ("linear", "gradient_boosting") and reg.cv_scores_["dummy_mean"] < 0.05


def test_estimators_in_a_grid_search():
    from sklearn.model_selection import GridSearchCV

    df = _frame(load_iris)
    gs = GridSearchCV(BaselineClassifier(), {"strategy": ["one_rule", "shallow_tree"]}, cv=3).fit(df.drop(columns="target"), df["target"])
    assert gs.best_params_["strategy"] == "shallow_tree"


# --- command line ----------------------------------------------------------------


def _mlkit(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "mlkit", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_cli_baseline(tmp_path):
    path = tmp_path / "pen.csv"
    mlkit.load_demo().to_csv(path, index=False)
    out = _mlkit("baseline", str(path), "--target", "Sex", "--cv", "3", "--format", "json")
    assert out.returncode == 1, out.stderr  # the demo's missing labels are target_missing, an error as in `mlkit check`
    d = json.loads(out.stdout)
    assert d["kind"] == "baseline" and d["task"] == "binary" and d["best"] in ("linear", "gradient_boosting")
    assert any(f["check"] == "target_missing" for f in d["findings"])
    html = tmp_path / "b.html"
    out = _mlkit("baseline", str(path), "--target", "Sex", "--cv", "3", "--time-budget", "0", "-o", str(html), "--fail-on", "warning")
    assert out.returncode == 1 and html.exists() and "skipped" in html.read_text()
    out = _mlkit("baseline", str(path), "--target", "Nope")
    assert out.returncode == 2 and "'Nope' not found" in out.stderr and "Traceback" not in out.stderr
    out = _mlkit("baseline", str(tmp_path / "missing.csv"), "--target", "Sex")
    assert out.returncode == 2 and "missing.csv" in out.stderr


def test_metric_task_mismatch_and_every_candidate_failing():
    df = _frame(load_iris)
    r = baseline(df, "target", cv=3, metric="roc_auc")
    assert r.metric == "roc_auc_ovr" and r.best_score > 0.9
    with pytest.raises(MlkitInputError, match="does not apply to a multiclass task"):
        baseline(df, "target", metric="rmse")
    neg = _frame(load_diabetes).assign(target=lambda d: d["target"] - 400.0)  # Poisson deviance needs y >= 0
    with pytest.raises(MlkitInputError, match="every candidate failed"):
        baseline(neg, "target", cv=3, metric="neg_mean_poisson_deviance")


def test_lazy_polars_input():
    pl = pytest.importorskip("polars")
    r = baseline(pl.from_pandas(_frame(load_iris)).lazy(), "target", cv=3)
    assert r.task == "multiclass" and r.best_score > 0.9
