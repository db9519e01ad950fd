"""Sanity checks: each finding fires on a planted problem and stays silent on a clean case."""

import json
import subprocess
import sys
import time
import types

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import mlkit
from mlkit.core import MlkitInputError, Report
from mlkit.sanity import CHECKS, SanityReport, grouped_splits, load_model, sanity

FAST = {"cv": 3, "n_permutations": 19}


def xor(n=400, seed=0):
    "A target no single split and no linear model can learn, but a full tree can."
    r = np.random.default_rng(seed)
    X = r.uniform(-1, 1, size=(n, 4))
    return pd.DataFrame(X, columns=list("abcd")).assign(y=((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int))


def noisy_linear(n=300, flip=0.3, seed=0):
    "A learnable target with 30% of labels flipped."
    r = np.random.default_rng(seed)
    X = r.normal(size=(n, 5))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    flipped = r.random(n) < flip
    y[flipped] = 1 - y[flipped]
    return pd.DataFrame(X, columns=list("abcde")).assign(y=y)


def random_labels(n=200, seed=0):
    r = np.random.default_rng(seed)
    return pd.DataFrame(r.normal(size=(n, 5)), columns=list("abcde")).assign(y=r.integers(0, 2, n))


def duplicated(n_unique=60, copies=4, signal=False, seed=0):
    "Every row copied `copies` times; labels random (memorising copies is the only way to score) or learnable."
    r = np.random.default_rng(seed)
    X = r.normal(size=(n_unique, 5))
    y = (X[:, 0] > 0).astype(int) if signal else r.integers(0, 2, n_unique)
    df = pd.DataFrame(X, columns=list("abcde")).assign(y=y)
    return pd.concat([df] * copies, ignore_index=True)


def iris():
    return load_iris(as_frame=True).frame


def status(report, check):
    return report.results[check]["status"]


# --- each check both ways --------------------------------------------------------


def test_cannot_overfit_fires_for_a_one_split_tree():
    r = sanity(DecisionTreeClassifier(max_depth=1), xor(), "y", **FAST)
    f = r.filter(check="cannot_overfit").findings[0]
    assert f.severity == "warning" and f.evidence["train_score"] < 0.95 and f.evidence["rows"] == 100 and f.evidence["bar"] == 0.95


def test_cannot_overfit_silent_for_a_full_tree():
    r = sanity(DecisionTreeClassifier(random_state=0), xor(), "y", **FAST)
    assert (
        "cannot_overfit" not in r.checks and status(r, "cannot_overfit") == "silent" and r.results["cannot_overfit"]["train_score"] == 1.0
    )


def test_cannot_overfit_regression():
    df = load_diabetes(as_frame=True).frame
    fired = sanity(DecisionTreeRegressor(max_depth=1), df, "target", cv=3, n_permutations=0)
    silent = sanity(DecisionTreeRegressor(random_state=0), df, "target", cv=3, n_permutations=0)
    assert status(fired, "cannot_overfit") == "fired" and fired.results["cannot_overfit"]["metric"] == "r2"
    assert status(silent, "cannot_overfit") == "silent"


def test_no_signal_fires_on_random_labels():
    r = sanity(DecisionTreeClassifier(max_depth=3, random_state=0), random_labels(), "y", **FAST)
    f = r.filter(check="no_signal").findings[0]
    assert f.severity == "error" and f.evidence["p_value"] > 0.05 and f.evidence["n_permutations"] == 19 and not r.ok


def test_no_signal_silent_on_iris():
    r = sanity(DecisionTreeClassifier(max_depth=3, random_state=0), iris(), "target", **FAST)
    assert "no_signal" not in r.checks and r.results["no_signal"]["p_value"] <= 0.05 and r.results["no_signal"]["permutation_mean"] < 0.5


def test_not_better_than_baseline_both_ways():
    fired = sanity(DecisionTreeClassifier(max_depth=1), xor(), "y", **FAST)
    f = fired.filter(check="not_better_than_baseline").findings[0]
    assert (
        f.evidence["validation_skill"] < 0.05
        and f.evidence["trivial_model"] == "dummy_most_frequent"
        and f.evidence["margin_skill"] == 0.05
    )
    silent = sanity(DecisionTreeClassifier(random_state=0), xor(), "y", **FAST)
    assert status(silent, "not_better_than_baseline") == "silent" and silent.results["not_better_than_baseline"]["validation_skill"] > 0.5


def test_overfitting_fires_for_an_unconstrained_tree_on_noisy_data():
    r = sanity(DecisionTreeClassifier(random_state=0), noisy_linear(), "y", cv=3, n_permutations=0)
    f = r.filter(check="overfitting").findings[0]
    assert f.evidence["train_score"] == 1.0 and f.evidence["gap_skill"] > 0.2


def test_overfitting_silent_for_a_linear_model_on_the_same_data():
    r = sanity(LogisticRegression(), noisy_linear(), "y", cv=3, n_permutations=0)
    assert status(r, "overfitting") == "silent" and r.results["overfitting"]["gap_skill"] < 0.2


def test_underfitting_fires_for_a_linear_model_on_xor():
    r = sanity(LogisticRegression(), xor(), "y", cv=3, n_permutations=0)
    f = r.filter(check="underfitting").findings[0]
    assert f.evidence["train_skill"] < 0.2 and f.evidence["gap_skill"] <= 0.1


def test_underfitting_silent_for_a_tree_on_xor():
    r = sanity(DecisionTreeClassifier(random_state=0), xor(), "y", cv=3, n_permutations=0)
    assert status(r, "underfitting") == "silent" and r.results["underfitting"]["train_skill"] == 1.0


def test_duplicate_leakage_fires_when_copies_are_memorised():
    r = sanity(DecisionTreeClassifier(random_state=0), duplicated(), "y", cv=3, n_permutations=0)
    f = r.filter(check="duplicate_leakage").findings[0]
    ev = f.evidence
    assert (
        ev["duplicate_rows"] == 180
        and ev["distinct_rows"] == 60
        and ev["plain_score"] > 0.9
        and ev["grouped_score"] < 0.7
        and ev["inflation_skill"] > 0.02
    )


def test_duplicate_leakage_silent_when_copies_do_not_help():
    r = sanity(DecisionTreeClassifier(random_state=0), duplicated(signal=True), "y", cv=3, n_permutations=0)
    assert status(r, "duplicate_leakage") == "silent" and r.results["duplicate_leakage"]["duplicate_rows"] == 180
    assert abs(r.results["duplicate_leakage"]["inflation_skill"]) <= 0.02


def test_duplicate_leakage_silent_without_duplicates():
    df = iris().drop_duplicates()
    r = sanity(DecisionTreeClassifier(random_state=0), df, "target", cv=3, n_permutations=0)
    assert r.results["duplicate_leakage"] == {"status": "silent", "duplicate_rows": 0}


def test_grouped_splits_keep_copies_together_and_move_nothing_else():
    from sklearn.model_selection import KFold

    groups = np.array([0, 1, 2, 0, 3, 4, 5, 6, 1, 7])
    plain = list(KFold(3, shuffle=True, random_state=0).split(groups))
    grouped = grouped_splits(plain, groups)
    for (_, pte), (gtr, gte) in zip(plain, grouped):
        assert not set(groups[gtr]) & set(groups[gte])
        unique = [i for i in range(10) if (groups == groups[i]).sum() == 1]
        assert {i for i in pte if i in unique} == {i for i in gte if i in unique}


def test_clean_model_is_silent_everywhere():
    r = sanity(make_pipeline(StandardScaler(), LogisticRegression(C=10)), iris(), "target", **FAST)
    assert r.ok and not r.warnings and {status(r, c) for c in CHECKS} == {"silent"}


# --- learning curve, report --------------------------------------------------------


def test_learning_curve_and_more_data():
    r = sanity(DecisionTreeClassifier(random_state=0), noisy_linear(n=600), "y", cv=3, n_permutations=0)
    lc = r.learning_curve
    assert list(lc.columns) == ["train_size", "split", "mean", "std"] and set(lc["split"]) == {"train", "validation"}
    assert lc["train_size"].is_monotonic_increasing and lc["train_size"].max() == 400
    assert isinstance(r.more_data_helps, bool)
    assert r.filter(check="learning_curve").findings[0].evidence["more_data_helps"] == r.more_data_helps
    chart = r.chart()
    from mlkit.charts import to_svg

    assert "<svg" in to_svg(chart)


def test_more_data_helps_both_ways():
    r = np.random.default_rng(0)
    n, p = 400, 60  # a linear target in 60 dimensions: the curve still climbs at 266 training rows
    X = r.normal(size=(n, p))
    y = (X @ r.normal(size=p) + r.normal(scale=2, size=n) > 0).astype(int)
    wide = pd.DataFrame(X, columns=[f"x{i}" for i in range(p)]).assign(y=y)
    rising = sanity(LogisticRegression(max_iter=500), wide, "y", cv=3, n_permutations=0)
    assert rising.more_data_helps is True and "likely to help" in rising.filter(check="learning_curve").findings[0].message
    flat = sanity(make_pipeline(StandardScaler(), LogisticRegression(C=10)), iris(), "target", cv=3, n_permutations=0)
    assert flat.more_data_helps is False


def test_report_round_trip_and_html():
    r = sanity(DecisionTreeClassifier(random_state=0), duplicated(), "y", cv=3, n_permutations=19)
    back = Report.from_json(r.to_json())
    assert isinstance(back, SanityReport) and back == r and back.more_data_helps == r.more_data_helps
    pd.testing.assert_frame_equal(back.learning_curve, r.learning_curve, check_dtype=False)
    html = r.to_html(standalone=True)
    assert "duplicate_leakage" in html and "<svg" in html
    assert "duplicate_leakage" in r.to_text() and "duplicate_leakage" in r.to_markdown()
    assert json.loads(r.to_json())["results"]["duplicate_leakage"]["status"] == "fired"


def test_hostile_names_are_escaped():
    df = random_labels().rename(columns={"a": "<img src=x onerror=alert(1)>"})
    html = sanity(DecisionTreeClassifier(max_depth=2), df, "y", cv=3, n_permutations=0).to_html()
    assert "<img src=x" not in html


# --- inputs -----------------------------------------------------------------------


def test_raw_demo_is_wrapped_in_inferred_preprocessing(to_backend):
    pen = mlkit.load_demo().dropna(subset=["Sex"]).reset_index(drop=True)
    r = sanity(LogisticRegression(max_iter=1000), to_backend(pen), "Sex", cv=3, n_permutations=0)
    f = r.filter(check="model_wrapped").findings[0]
    assert "Individual ID" in f.evidence["dropped_columns"] and r.ok
    assert r.results["not_better_than_baseline"]["validation_score"] > 0.9


def test_model_that_takes_raw_frames_is_not_wrapped():
    df = noisy_linear()
    df.loc[::7, "a"] = np.nan  # HistGradientBoosting handles missing values itself
    r = sanity(HistGradientBoostingClassifier(max_iter=20), df, "y", cv=3, n_permutations=0)
    assert "model_wrapped" not in r.checks


def test_regression_and_missing_target():
    df = load_diabetes(as_frame=True).frame
    df.loc[[1, 2], "target"] = np.nan
    r = sanity(Ridge(), df, "target", cv=3, n_permutations=0)
    assert (
        r.task == "regression"
        and r.metric == "r2"
        and "target_missing" in r.checks
        and r.errors[0].check == "target_missing"
        and len(r.errors) == 1
    )
    assert {status(r, c) for c in ("overfitting", "underfitting", "not_better_than_baseline")} == {"silent"}


def test_errors_are_clear():
    with pytest.raises(MlkitInputError, match="classifier but the task"):
        sanity(DecisionTreeClassifier(), load_diabetes(as_frame=True).frame, "target", cv=3)
    with pytest.raises(MlkitInputError, match="estimator instance"):
        sanity(DecisionTreeClassifier, iris(), "target")
    with pytest.raises(MlkitInputError, match="n_permutations=5"):
        sanity(DecisionTreeClassifier(), iris(), "target", n_permutations=5)
    with pytest.raises(MlkitInputError, match="single value"):
        sanity(DecisionTreeClassifier(), iris().assign(target=1), "target")
    with pytest.raises(MlkitInputError, match="2 row"):
        sanity(DecisionTreeClassifier(), iris().head(2), "target")


def test_time_budget_and_sampling():
    r = sanity(DecisionTreeClassifier(random_state=0), duplicated(), "y", cv=3, time_budget=0)
    f = r.filter(check="skipped_for_time").findings[0]
    assert set(f.evidence["checks_skipped"]) == set(CHECKS) - {"duplicate_leakage"} or set(f.evidence["checks_skipped"]) == set(CHECKS)
    assert all(r.results[c]["status"] == "skipped" for c in ("cannot_overfit", "no_signal", "overfitting"))
    big = noisy_linear(n=2000)
    s = sanity(DecisionTreeClassifier(max_depth=3, random_state=0), big, "y", cv=3, n_permutations=0, max_rows=500)
    ev = s.filter(check="sampled").findings[0].evidence
    assert ev["rows_used"] == 500 and ev["seed"] == 0 and ev["rows_total"] == 2000


def test_time_budget_holds_while_a_step_runs():
    # a forest's learning curve on 30,000 rows takes far longer than the budget: the step is cut off, not waited for
    from sklearn.ensemble import RandomForestClassifier

    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(30_000, 8)), columns=list("abcdefgh"))
    df["y"] = (df.a + df.b * df.c + rng.normal(size=len(df)) > 0).astype(int)
    t0 = time.perf_counter()
    r = sanity(RandomForestClassifier(n_estimators=300, random_state=0), df, "y", time_budget=6, progress=False)
    took = time.perf_counter() - t0
    assert took < 6 + 4, took
    f = r.filter(check="skipped_for_time").findings[0]
    assert f.evidence["stopped"] and set(f.evidence["stopped"]) <= {"overfit a small sample", "learning curve"}
    assert r.results["no_signal"]["status"] == "skipped" and "no_signal" in f.evidence["checks_skipped"]
    assert "budget_between_steps" not in r.checks


def test_time_budget_with_a_model_the_worker_cannot_import():
    # a class that exists only in this process (like one defined in a notebook): run here, budget between steps, said so
    mod = types.ModuleType("mlkit_test_local_models")

    class LocalTree(DecisionTreeClassifier):
        pass

    LocalTree.__module__, LocalTree.__qualname__ = mod.__name__, "LocalTree"
    mod.LocalTree = LocalTree
    sys.modules[mod.__name__] = mod
    try:
        r = sanity(LocalTree(max_depth=3, random_state=0), iris(), "target", cv=3, time_budget=120)
    finally:
        del sys.modules[mod.__name__]
    f = r.filter(check="budget_between_steps").findings[0]
    assert "mlkit_test_local_models" in f.evidence["error"]
    assert "skipped_for_time" not in r.checks and r.results["no_signal"]["status"] == "silent"


def test_progress_lines(capsys):
    sanity(DecisionTreeClassifier(max_depth=2), iris(), "target", cv=3, n_permutations=0, progress=True)
    lines = capsys.readouterr().err.splitlines()
    assert [ln.split(" (")[0] for ln in lines[:-1]] == [
        "mlkit: sanity: first fit on a small sample",
        "mlkit: sanity: overfit a small sample",
        "mlkit: sanity: learning curve",
        "mlkit: sanity: duplicate rows: grouped folds",  # iris holds copies of rows
    ]
    assert lines[-1].startswith("mlkit: sanity done in")


def test_model_is_not_changed():
    model = DecisionTreeClassifier(max_depth=2)
    sanity(model, iris(), "target", cv=3, n_permutations=0)
    assert not hasattr(model, "tree_")


# --- command line -------------------------------------------------------------------


def _mlkit(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "mlkit", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_cli_sanity_module_factory_and_model_file(tmp_path):
    import joblib

    data = tmp_path / "noise.csv"
    random_labels().to_csv(data, index=False)
    (tmp_path / "mymodels.py").write_text(
        "from sklearn.tree import DecisionTreeClassifier\n\ndef make():\n    return DecisionTreeClassifier(max_depth=3, random_state=0)\n"
    )
    out = _mlkit(
        "sanity",
        str(data),
        "--target",
        "y",
        "--model",
        "mymodels:make",
        "--cv",
        "3",
        "--permutations",
        "19",
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert out.returncode == 1, out.stderr  # no_signal is an error
    d = json.loads(out.stdout)
    assert d["kind"] == "sanity" and d["results"]["no_signal"]["status"] == "fired"
    joblib.dump(DecisionTreeClassifier(random_state=0), tmp_path / "tree.joblib")
    out = _mlkit(
        "sanity",
        str(data),
        "--target",
        "y",
        "--model",
        str(tmp_path / "tree.joblib"),
        "--cv",
        "3",
        "--permutations",
        "0",
        "--fail-on",
        "none",
    )
    assert out.returncode == 0 and "overfitting" in out.stdout
    out = _mlkit("sanity", str(data), "--target", "y", "--model", "nomodule:make")
    assert out.returncode == 2 and "cannot import module 'nomodule'" in out.stderr
    out = _mlkit("sanity", str(data), "--target", "y", "--model", "LogisticRegression")
    assert out.returncode == 2 and "MODULE:FACTORY" in out.stderr
    out = _mlkit("sanity", "--help")
    assert "Unpickling runs code" in out.stdout


def test_load_model_variants(tmp_path):
    assert type(load_model("sklearn.linear_model:LogisticRegression")).__name__ == "LogisticRegression"
    (tmp_path / "m.py").write_text("from sklearn.linear_model import Ridge\nmodel = Ridge(alpha=3.0)\n")
    assert load_model(f"{tmp_path}/m.py:model").alpha == 3.0
    with pytest.raises(MlkitInputError, match="no attribute 'nope'"):
        load_model(f"{tmp_path}/m.py:nope")
    with pytest.raises(FileNotFoundError):
        load_model(str(tmp_path / "missing.pkl"))


@pytest.mark.slow
def test_load_model_skops(tmp_path):
    skops = pytest.importorskip("skops.io")  # importing skops.io alone takes seconds (it walks scikit-learn)
    skops.dump(DecisionTreeClassifier(max_depth=2), tmp_path / "t.skops")
    assert load_model(str(tmp_path / "t.skops")).max_depth == 2
    from mlkit.baselines import BaselineClassifier

    skops.dump(BaselineClassifier(strategy="linear"), tmp_path / "b.skops")
    with pytest.raises(MlkitInputError, match="mlkit.baselines.BaselineClassifier"):
        load_model(str(tmp_path / "b.skops"))
    assert load_model(str(tmp_path / "b.skops"), trust=["mlkit.baselines.BaselineClassifier"]).strategy == "linear"
