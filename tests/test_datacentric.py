"""Data-centric checks (issue 17): label_errors, temporal and group leakage, near-duplicates across splits, leak-safe folds.

Every check runs on planted defects and on clean data, on pandas and polars. Model fits are shared (module fixtures)."""

import json

import numpy as np
import pandas as pd
import polars as pl
import pytest
from sklearn.datasets import load_diabetes, load_wine

from mlkit.baselines import baseline, leak_safe_splits
from mlkit.checks import CHECKS, check
from mlkit.checks.labels import confident_learning, find_label_errors, residual_outliers
from mlkit.compare import compare, suggest_group_column
from mlkit.core import MlkitInputError

BACKENDS = {"pandas": lambda d: d, "polars": pl.from_pandas}


@pytest.fixture(params=list(BACKENDS), scope="module")
def to_backend(request):
    return BACKENDS[request.param]


# --- label errors --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine(return_X_y=True, as_frame=True)
    clean = X.assign(cultivar=y.map({0: "barolo", 1: "grignolino", 2: "barbera"}))
    rows = np.random.default_rng(7).choice(len(clean), 12, replace=False)
    noisy = clean.copy()
    noisy.loc[rows, "cultivar"] = y[rows].map({0: "barbera", 1: "barolo", 2: "grignolino"})
    return clean, noisy, set(rows.tolist())


def test_label_errors_is_declared_and_off_by_default(wine):
    clean, noisy, _ = wine
    assert CHECKS["label_errors"][0] == "warning"
    assert "label_errors" not in check(noisy, target="cultivar").checks


def test_label_errors_finds_planted_flips(wine, to_backend):
    _, noisy, planted = wine
    r = check(to_backend(noisy), target="cultivar", config={"label_errors": True})
    f = r.filter(check="label_errors").findings[0]
    found = set(f.evidence["row_positions"])
    assert len(found & planted) >= 10 and len(found & planted) >= len(found - planted), (found, planted)  # recall, precision >= 0.5
    top = f.evidence["suspects"][0]
    assert top["row"] in planted and top["given"] != top["suggested"] and top["given_probability"] < 0.5
    assert f.severity == "warning" and f.evidence["estimated_noise_share"] > 0.03 and f.columns == ("cultivar",)
    json.loads(r.to_json())


def test_label_errors_silent_on_clean_labels(wine, to_backend):
    clean, _, _ = wine
    r = check(to_backend(clean), target="cultivar", config={"label_errors": True})
    assert not r.filter(check="label_errors").findings or r.filter(check="label_errors").findings[0].severity == "info"


def test_find_label_errors_regression_typos():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    typed = y.copy()
    typed.iloc[[5, 60, 120]] *= 10
    r = find_label_errors(X.assign(progression=typed), "progression")
    assert {5, 60, 120} <= set(r.suspects["row"][:5]) and r.findings[0].evidence["robust_z_threshold"] == 3.5
    assert not find_label_errors(X.assign(progression=y), "progression").warnings
    with pytest.raises(MlkitInputError, match="nope"):
        find_label_errors(X.assign(progression=y), "nope")


def test_confident_learning_matches_cleanlab_on_the_same_probabilities():
    cleanlab = pytest.importorskip("cleanlab.filter")
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 600)
    logits = rng.normal(size=(600, 3)) + 3 * np.eye(3)[y]
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    noisy = y.copy()
    noisy[:30] = (noisy[:30] + 1) % 3
    ours = confident_learning(noisy, p)
    theirs = cleanlab.find_label_issues(noisy, p)
    assert (ours["issues"] == theirs).mean() > 0.99 and ours["issues"][:30].mean() > 0.7
    with pytest.raises(MlkitInputError):
        confident_learning([0, 5], p[:2])


def test_residual_outliers_robust_to_the_outliers_themselves():
    y = np.r_[np.random.default_rng(1).normal(size=300), [50.0] * 10]
    r = residual_outliers(y, np.zeros(310))
    assert set(r["ranked"].tolist()) >= set(range(300, 310)) and r["issues"].sum() <= 13


@pytest.mark.slow  # the first ipywidgets/altair import costs seconds
def test_findings_widget_shows_label_errors(wine):
    pytest.importorskip("ipywidgets")
    from mlkit.widgets import explore

    _, noisy, _ = wine
    board = explore(check(noisy, target="cultivar", config={"label_errors": True}), noisy)
    board.check_filter.value = "label_errors"
    assert [f.check for f in board.visible] == ["label_errors"]
    board.select(0)
    assert board.selected.check == "label_errors"


# --- temporal leakage ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def days():
    n = 1000
    return pd.DataFrame({"day": pd.date_range("2018-01-01", periods=n, freq="D"), "y": np.cumsum(np.random.default_rng(2).normal(size=n))})


def test_temporal_leakage_current_before_reference(days, to_backend):
    r = compare(to_backend(days.iloc[700:]), to_backend(days.iloc[:700]))
    f = r.filter(check="temporal_leakage").findings[0]
    assert f.severity == "error" and f.evidence["before_reference_start"] == 700 and not f.evidence["named"]


def test_temporal_leakage_silent_when_current_follows(days, to_backend):
    assert (
        not compare(to_backend(days.iloc[:700]), to_backend(days.iloc[700:]), time_column="day").filter(check="temporal_leakage").findings
    )


def test_temporal_overlap_only_when_named(days, to_backend):
    shuffled = days.sample(frac=1, random_state=1)
    a, b = to_backend(shuffled.iloc[:700]), to_backend(shuffled.iloc[700:])
    assert not compare(a, b).filter(check="temporal_leakage").findings
    f = compare(a, b, time_column="day").filter(check="temporal_leakage").findings[0]
    assert f.evidence["pattern"] == "ranges_overlap" and f.severity == "error"
    with pytest.raises(MlkitInputError, match="time_column"):
        compare(a, b, time_column="when")


def test_temporal_leakage_on_date_text_when_named():
    ref = pd.DataFrame({"d": ["2021-03-01", "2021-04-01"] * 10, "x": range(20)})
    cur = pd.DataFrame({"d": ["2020-01-01"] * 10, "x": range(10)})
    assert (
        compare(ref, cur, time_column="d").filter(check="temporal_leakage").findings[0].evidence["pattern"] == "current_predates_reference"
    )


TEXT_DATES = {"object": lambda d: d, "string": lambda d: d.astype({"day": "string"}), "polars": pl.from_pandas}


@pytest.mark.parametrize("store", list(TEXT_DATES))
def test_temporal_leakage_found_in_date_text_without_naming_it(days, store):
    as_text = TEXT_DATES[store](days.assign(day=days["day"].dt.strftime("%Y-%m-%d")))
    f = compare(as_text[700:], as_text[:700]).filter(check="temporal_leakage").findings[0]
    assert f.severity == "error" and f.columns == ("day",) and f.evidence["before_reference_start"] == 700 and not f.evidence["named"]
    assert not compare(as_text[:700], as_text[700:]).filter(check="temporal_leakage").findings


def test_temporal_leakage_ignores_text_that_is_not_dates(days, to_backend):
    codes = days.assign(day=[f"A-{i:05d}" for i in range(len(days))])
    assert not compare(to_backend(codes.iloc[700:]), to_backend(codes.iloc[:700])).filter(check="temporal_leakage").findings


# --- group leakage -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def visits():
    rng = np.random.default_rng(3)
    v = pd.DataFrame({"user_id": rng.integers(0, 80, 800), "x": rng.normal(size=800)})
    v["y"] = np.where(v["x"] + rng.normal(size=800) > 0, "yes", "no")
    return v


def test_group_leakage_named_and_suggested(visits, to_backend):
    a, b = to_backend(visits.iloc[:600]), to_backend(visits.iloc[600:])
    named = compare(a, b, groups="user_id").filter(check="group_leakage").findings[0]
    assert named.severity == "error" and named.evidence["named"] and named.evidence["examples"][0]["current_rows"] >= 1
    hint = compare(a, b).filter(check="group_leakage").findings[0]
    assert hint.severity == "warning" and "groups='user_id'" in hint.message
    with pytest.raises(MlkitInputError, match="groups"):
        compare(a, b, groups="nobody")


def test_group_leakage_silent_on_a_grouped_split(visits, to_backend):
    left = visits[visits.user_id < 60]
    right = visits[visits.user_id >= 60]
    assert not compare(to_backend(left), to_backend(right), groups="user_id").filter(check="group_leakage").findings
    assert not compare(to_backend(left), to_backend(right)).filter(check="group_leakage").findings


def test_suggest_group_column_rules(visits):
    assert suggest_group_column(visits) == "user_id"
    assert suggest_group_column(visits.assign(user_id=range(800))) is None  # all unique: a row id, not a group
    assert suggest_group_column(visits.rename(columns={"user_id": "amount"})) is None  # not an id name
    assert suggest_group_column(visits.assign(user_id=visits.user_id + 0.5)) is None  # floats are measurements


# --- near-duplicates -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def people():
    rng = np.random.default_rng(4)

    def make(n):
        return pd.DataFrame({"h": rng.normal(170, 10, n).round(2), "w": rng.normal(70, 12, n).round(2),
                             "name": rng.choice(["José Núñez", "Anna Berg", "Li Wei", "Zoë Smit"], n), "k": rng.integers(0, 100, n)})  # fmt: skip

    return make(2000), make(800)


def _exported(d):
    return d.assign(h=d.h.round(1), w=d.w.round(1), name=d.name.str.upper().str.replace("É", "E").str.replace(" ", "   "))


def test_near_duplicates_planted(people, to_backend):
    train, test = people
    current = _exported(pd.concat([test, train.iloc[100:130]], ignore_index=True))
    f = compare(to_backend(train), to_backend(current)).filter(check="near_duplicates").findings[0]
    assert f.evidence["count"] == 30 and f.evidence["examples"][0]["reference_row"] == 100
    assert "name" in f.evidence["examples"][0]["differences"] or "h" in f.evidence["examples"][0]["differences"]


def test_near_duplicates_clean_and_exact_copies_left_to_overlap(people, to_backend):
    train, test = people
    assert not compare(to_backend(train), to_backend(_exported(test))).filter(check="near_duplicates").findings
    r = compare(to_backend(train), to_backend(pd.concat([test, train.iloc[:10]], ignore_index=True)))
    assert "train_test_overlap" in r.checks and "near_duplicates" not in r.checks


def test_near_duplicates_silent_on_random_splits_of_shipped_data():
    for name in ("load_wine", "load_diabetes", "load_breast_cancer"):
        from sklearn import datasets

        df = getattr(datasets, name)(as_frame=True).frame
        idx = np.random.default_rng(0).permutation(len(df))
        r = compare(df.iloc[idx[:300]], df.iloc[idx[300:]])
        assert not r.filter(check=["near_duplicates", "temporal_leakage", "group_leakage"]).findings, name


# --- leak-safe folds in baseline and sanity ------------------------------------------------------------------


def test_time_ordered_folds_and_warning(days):
    X, y = days[["day"]].assign(x=np.arange(len(days)) % 7), days["y"]
    splits, found = leak_safe_splits(X, y, "regression")
    assert [f.check for f in found] == ["random_folds_on_time_series"]
    splits, found = leak_safe_splits(X.sample(frac=1, random_state=0), y.sample(frac=1, random_state=0), "regression", time_column="day")
    shuffled = X.sample(frac=1, random_state=0)
    assert all(shuffled.day.iloc[tr].max() < shuffled.day.iloc[te].min() for tr, te in splits) and found[0].check == "leak_safe_folds"
    with pytest.raises(MlkitInputError, match="time_column"):
        leak_safe_splits(X, y, "regression", time_column="when")


@pytest.mark.parametrize("store", ["object", "string"])
def test_random_folds_warning_on_date_text(days, store):
    X = TEXT_DATES[store](days[["day"]].assign(day=days["day"].dt.strftime("%Y-%m-%d"), x=np.arange(len(days)) % 7))
    assert [f.check for f in leak_safe_splits(X, days["y"], "regression")[1]] == ["random_folds_on_time_series"]
    splits, _ = leak_safe_splits(X, days["y"], "regression", time_column="day")
    assert all(X.day.iloc[tr].max() < X.day.iloc[te].min() for tr, te in splits)
    noise = pd.Series(np.random.default_rng(3).normal(size=len(days)), name="y")
    assert not leak_safe_splits(X, noise, "regression")[1]  # dates as text but no autocorrelated target: silent


def test_random_folds_warning_on_date_text_through_baseline_polars(days):
    data = pl.from_pandas(days.assign(day=days["day"].dt.strftime("%Y-%m-%d"), x=np.arange(len(days)) % 7))
    assert "random_folds_on_time_series" in baseline(data, "y", cv=3).checks
    assert "random_folds_on_time_series" not in baseline(data.with_columns(y=pl.Series(np.arange(len(days)) % 5 * 1.0)), "y", cv=3).checks


def test_grouped_folds_keep_groups_apart(visits):
    X, y = visits.drop(columns="y"), visits["y"]
    assert [f.check for f in leak_safe_splits(X, y, "binary")[1]] == ["group_column_suggested"]
    splits, _ = leak_safe_splits(X, y, "binary", groups="user_id")
    assert all(not set(X.user_id.iloc[tr]) & set(X.user_id.iloc[te]) for tr, te in splits)
    both, _ = leak_safe_splits(X.assign(t=pd.date_range("2020", periods=800, freq="h")), y, "binary", time_column="t", groups="user_id")
    assert all(not set(X.user_id.iloc[tr]) & set(X.user_id.iloc[te]) for tr, te in both)


@pytest.mark.slow
def test_baseline_and_sanity_take_time_and_groups(visits, to_backend):
    from sklearn.linear_model import LogisticRegression

    from mlkit.sanity import sanity

    data = to_backend(visits.assign(t=pd.date_range("2020", periods=800, freq="h")))
    b = baseline(data, "y", groups="user_id", time_column="t")
    assert "leak_safe_folds" in b.checks and b.best is not None
    s = sanity(LogisticRegression(), data, "y", n_permutations=0, groups="user_id")
    assert "leak_safe_folds" in s.checks and "group_column_suggested" not in s.checks


def test_near_duplicates_grid_never_coarser_than_the_spread():
    ref = pd.DataFrame({"a": range(100), "level": [0, 10] * 50})
    cur = pd.DataFrame({"a": range(100), "level": [3, 7] * 50})  # not copies: the grid of 10 would make them so
    assert not compare(ref, cur).filter(check="near_duplicates").findings


def test_label_errors_silent_when_the_model_cannot_predict_the_labels(wine):
    clean, _, _ = wine
    shuffled = clean.assign(cultivar=clean["cultivar"].sample(frac=1, random_state=0).to_numpy())  # labels unrelated to the features
    assert not find_label_errors(shuffled, "cultivar").findings


# --- the demo ------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_quick_demo_shows_the_data_centric_findings_that_fire_on_penguins(tmp_path):
    from mlkit.demo import quick_demo

    page = quick_demo(tmp_path / "demo").read_text()
    assert "Train vs test (the last season)" in page  # the last season compared with the earlier ones
    for check_id in ("label_errors", "group_leakage", "group_column_suggested", "datetime_as_text"):
        assert check_id in page, check_id
    assert "temporal_leakage" not in page  # the last season comes after the others: no leak in time
