"""Tests of mlkit.compare: compare, drift_test, drift_table, ComparisonReport and `mlkit compare`."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from test_schema import frames  # the same hostile frames as the schema property tests

import mlkit
from mlkit.compare import DRIFT_COLUMNS, ComparisonReport, compare, drift_table, drift_test
from mlkit.core import MlkitInputError, Report
from mlkit.datasets import load_demo

IDS = (
    "missing_columns",
    "new_columns",
    "dtype_changed",
    "train_test_overlap",
    "new_categories",
    "new_labels",
    "feature_drift",
    "label_drift",
)


def _dataset(name):
    if name == "demo":
        return load_demo(), "Sex"
    from sklearn import datasets

    return getattr(datasets, name)(as_frame=True).frame, "target"


def _split(df, seed, test_share=0.3):
    idx = np.random.default_rng(seed).permutation(len(df))
    k = int(len(df) * (1 - test_share))
    return df.iloc[idx[:k]].reset_index(drop=True), df.iloc[idx[k:]].reset_index(drop=True)


def _clean(n, seed):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": rng.normal(10, 2, n),
            "k": rng.integers(0, 1000, n),
            "colour": rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2]),
            "flag": rng.choice([True, False], n),
            "when": pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 10**6, n), unit="s"),
            "y": rng.choice(["yes", "no"], n),
        }
    )


# --- a random split is not drift ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["demo", "load_wine", "load_breast_cancer", "load_diabetes", "load_iris"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_random_split_is_not_drift(name, seed):
    df, target = _dataset(name)
    train, test = _split(df, seed)
    r = compare(train, test, target=target)
    assert not r.drift["drifted"].any(), r.drift[r.drift["drifted"]]
    assert not r.filter(check=["feature_drift", "label_drift"]).findings and r.ok


@pytest.mark.slow
def test_random_split_false_alarm_rate_many_seeds():
    "300 random splits of five datasets: at most 1% may show a drifted column (the family-wise alpha is 0.01)."
    alarms, runs = [], 0
    for name in ["demo", "load_wine", "load_breast_cancer", "load_diabetes", "load_iris"]:
        df, target = _dataset(name)
        for seed in range(20):
            for share in (0.2, 0.3, 0.5):
                train, test = _split(df, 100 + seed, share)
                r = compare(train, test, target=target)
                if r.drift["drifted"].any():
                    alarms.append((name, seed, share, list(r.drift.loc[r.drift["drifted"], "column"])))
                assert r.ok, r.errors
                runs += 1
    assert runs == 300 and len(alarms) <= 3, alarms


def test_random_split_of_a_big_frame_is_not_drift(backend, to_backend):
    df = _clean(40_000, 0)
    train, test = _split(df, 5)
    r = compare(to_backend(train), to_backend(test), target="y")
    assert not r.drift["drifted"].any() and len(r) == 0, r.findings


# --- planted drift fires on the right column ---------------------------------------------------


@pytest.mark.parametrize("name", ["demo", "load_wine", "load_breast_cancer", "load_diabetes"])
def test_shifted_mean_fires_on_that_column(name):
    df, target = _dataset(name)
    train, test = _split(df, 0)
    numeric = [c for c in df.columns if c != target and df[c].dtype.kind == "f" and df[c].nunique() > 10]
    for col in numeric[:4]:
        shifted = test.assign(**{col: test[col] + 1.0 * train[col].std()})
        got = [f.columns for f in compare(train, shifted, target=target).filter(check="feature_drift")]
        assert got == [(col,)], (col, got)


def test_planted_drift_both_backends(backend, to_backend):
    train, test = _clean(3000, 1), _clean(1000, 2)
    test["x"] = test["x"] + 1.0  # half a standard deviation
    test["colour"] = np.random.default_rng(3).choice(["red", "green", "blue"], len(test), p=[0.2, 0.3, 0.5])  # new mix
    r = compare(to_backend(train), to_backend(test), target="y")
    assert sorted(f.columns[0] for f in r.filter(check="feature_drift")) == ["colour", "x"], r.findings
    ev = {f.columns[0]: f.evidence for f in r.filter(check="feature_drift")}
    assert ev["x"]["method"] == "kolmogorov_smirnov" and ev["x"]["effect_metric"] == "wasserstein_normed"
    assert ev["colour"]["method"] == "chi_squared" and ev["colour"]["effect_metric"] == "jensen_shannon"
    for e in ev.values():
        assert e["p_value"] < e["threshold"] and e["effect"] >= e["effect_threshold"] and e["n_current"] == 1000


def test_label_drift_and_new_labels(backend, to_backend):
    train, test = _clean(2000, 1), _clean(600, 2)
    test["y"] = np.where(np.random.default_rng(0).random(len(test)) < 0.85, "yes", "no")
    r = compare(to_backend(train), to_backend(test), target="y")
    assert [(f.check, f.columns) for f in r] == [("label_drift", ("y",))], r.findings
    test.loc[[3, 8], "y"] = "maybe"
    r = compare(to_backend(train), to_backend(test), target="y")
    new = r.filter(check="new_labels").findings[0]
    assert (
        new.severity == "error"
        and new.columns == ("y",)
        and new.evidence["new_values"] == ["maybe"]
        and new.evidence["current_rows"] == [3, 8]
    )
    assert "new_categories" not in r.checks  # the target's unseen values are labels, not categories


def test_regression_target_has_no_new_labels():
    df, target = _dataset("load_diabetes")
    train, test = _split(df, 0)
    assert "new_labels" not in compare(train, test.assign(target=test["target"] + 0.5), target=target).checks


# --- every id fires, and stays silent on clean data ----------------------------------------------


def test_every_id_fires_on_the_right_column(backend, to_backend):
    train, test = _clean(2000, 1), _clean(600, 2)
    assert len(compare(to_backend(train), to_backend(test), target="y")) == 0
    bad = test.drop(columns=["flag"]).assign(extra=1)
    bad["k"] = bad["k"].astype(str)
    bad["x"] = bad["x"] + 2.0
    bad.loc[:9, "colour"] = "purple"
    bad.loc[:4, "y"] = "maybe"
    bad = pd.concat([bad, train.drop(columns=["flag"]).head(40).assign(extra=1, k=lambda d: d["k"].astype(str))], ignore_index=True)
    bad.loc[len(bad) - 1, "y"] = "no" if bad.loc[len(bad) - 1, "y"] == "yes" else "yes"
    r = compare(to_backend(train), to_backend(bad), target="y")
    fired = {(f.check, f.columns[0] if f.columns else None) for f in r}
    assert fired >= {
        ("missing_columns", "flag"),
        ("new_columns", "extra"),
        ("dtype_changed", "k"),
        ("train_test_overlap", None),
        ("new_categories", "colour"),
        ("new_labels", "y"),
        ("feature_drift", "x"),
    }, fired
    assert {c for c, _ in fired} - set(IDS) == set()
    ov = r.filter(check="train_test_overlap").findings[0]
    assert ov.evidence["count"] == 39 and ov.evidence["current_rows"][0] == 600 and ov.evidence["reference_rows"][:3] == [0, 1, 2]
    assert ov.evidence["same_features_count"] == 40 and ov.severity == "error"  # 39/640 >= 5%
    sev = {f.check: f.severity for f in r}
    assert (
        sev["missing_columns"] == "error"
        and sev["new_columns"] == "warning"
        and sev["dtype_changed"] == "error"
        and sev["new_labels"] == "error"
    )


def test_dtype_changed_severity_by_family():
    a = pd.DataFrame({"i": np.arange(50), "s": ["a", "b"] * 25, "t": pd.date_range("2024", periods=50, tz="UTC")})
    b = a.assign(i=a["i"].astype(float), s=a["s"].astype("category"), t=a["t"].dt.tz_localize(None))
    sev = {f.columns[0]: f.severity for f in compare(a, b).filter(check="dtype_changed")}
    assert sev == {"i": "warning", "s": "info", "t": "error"}


def test_small_overlap_is_a_warning_and_ints_match_floats():
    train, test = _clean(2000, 1), _clean(600, 2)
    both = pd.concat([test, train.head(3)], ignore_index=True)
    both["k"] = both["k"].astype(float)  # same numbers, other dtype: still the same rows
    ov = compare(train, both).filter(check="train_test_overlap").findings[0]
    assert ov.severity == "warning" and ov.evidence["count"] == 3


# --- the public drift functions ------------------------------------------------------------------


def test_drift_test_api_and_inputs():
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=300), rng.normal(1.0, 1, size=300)
    for conv in (lambda x: x, list, pd.Series, pl.Series):
        r = drift_test(conv(a), conv(b))
        assert set(r) == set(DRIFT_COLUMNS) and r["drifted"] and r["method"] == "kolmogorov_smirnov" and r["threshold"] == 0.01
    same = drift_test(a, rng.normal(size=300))
    assert not same["drifted"] and "not significant" in same["reason"]
    cat = drift_test(["a"] * 50 + ["b"] * 50, ["a"] * 90 + ["b"] * 10)
    assert cat["drifted"] and cat["method"] == "chi_squared" and cat["kind"] == "categorical"
    few = drift_test([1.0, 2.0], [5.0, 6.0])
    assert few["method"] == "not tested" and not few["drifted"] and "fewer than 10" in few["reason"]
    with pytest.raises(TypeError, match="pass df\\[column\\]"):
        drift_test(pd.DataFrame({"a": a}), b)
    with pytest.raises(TypeError, match="got builtins.int"):
        drift_test(3, b)


def test_large_samples_ignore_trivial_shifts():
    rng = np.random.default_rng(1)
    r = drift_test(rng.normal(size=200_000), rng.normal(0.05, 1, size=200_000))
    assert r["p_value"] < 1e-10 and not r["drifted"] and r["effect"] < 0.1
    cats = ["a", "b", "c"]
    r = drift_test(rng.choice(cats, 200_000, p=[0.5, 0.3, 0.2]), rng.choice(cats, 200_000, p=[0.49, 0.31, 0.2]))
    assert r["p_value"] < 1e-3 and not r["drifted"]


def test_drift_table(backend, to_backend):
    train, test = _clean(1000, 1), _clean(500, 2)
    t = drift_table(to_backend(train), to_backend(test))
    assert list(t.columns) == DRIFT_COLUMNS and list(t["column"]) == list(train.columns) and not t["drifted"].any()
    assert t["threshold"].iloc[0] == pytest.approx(0.01 / 6)  # Bonferroni over the six tested columns
    one = drift_table(to_backend(train), to_backend(test.assign(x=test["x"] + 3)), columns=["x"], correction=None)
    assert list(one["column"]) == ["x"] and one["drifted"].item() and one["threshold"].item() == 0.01
    with pytest.raises(MlkitInputError, match="'nope'"):
        drift_table(train, test, columns=["nope"])
    with pytest.raises(TypeError, match="unknown drift option"):
        drift_table(train, test, alpah=0.1)


def test_high_cardinality_text_is_not_tested():
    a = pd.DataFrame({"name": [f"n{i}" for i in range(500)]})
    b = pd.DataFrame({"name": [f"m{i}" for i in range(200)]})
    row = drift_table(a, b).iloc[0]
    assert row["method"] == "not tested" and "free text or identifiers" in row["reason"]


# --- the report ----------------------------------------------------------------------------------


def test_report_round_trips_and_escapes():
    train, test = _clean(500, 1), _clean(200, 2)
    test["x"] += 3
    r = compare(
        train.rename(columns={"x": "<img src=x onerror=alert(1)>"}), test.rename(columns={"x": "<img src=x onerror=alert(1)>"}), target="y"
    )
    assert isinstance(r, ComparisonReport) and r.checks == ["feature_drift"]
    again = Report.from_json(r.to_json())
    assert isinstance(again, ComparisonReport) and again == r and again.drift.shape == r.drift.shape
    h = r.to_html(standalone=True)
    assert "<img src=x" not in h and "&lt;img src=x onerror=alert(1)&gt;" in h and "kolmogorov_smirnov" in h
    assert r.meta["target"] == "y" and r.meta["alpha"] == 0.01
    import mlkit.compare as module

    assert mlkit.drift_test is drift_test and module.compare is compare
    assert isinstance(mlkit.compare(train, test), ComparisonReport)  # the function, or the module made callable


def test_bad_arguments():
    train = _clean(50, 1)
    with pytest.raises(MlkitInputError, match="target 'nope'"):
        compare(train, train, target="nope")
    with pytest.raises(TypeError, match="got builtins.list"):
        compare([1, 2], train)
    with pytest.raises(TypeError, match="got numpy.ndarray"):
        compare(train, np.zeros((3, 3)))
    with pytest.raises(TypeError, match="unknown compare option"):
        compare(train, train, alpah=0.1)


# --- property-based: never raise ---------------------------------------------------------------


def _never_raises(a, b):
    r = compare(a, b)
    json.loads(r.to_json())
    r._repr_html_()
    assert list(r.drift.columns) == DRIFT_COLUMNS
    if len(a.columns) and len(set(a.columns)) == len(a.columns):
        compare(a, b, target=a.columns[0]).to_json()
    same = compare(a, a)
    empty = not len(a) or not len(a.columns)  # nothing to compare: an error, not a clean report
    allowed = {"train_test_overlap"} | ({"nothing_compared"} if empty else set())
    assert not same.drift["drifted"].any() and {f.check for f in same} <= allowed
    assert ("nothing_compared" in same.checks) == empty


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(frames(), frames())
def test_compare_never_raises_fast(a, b):
    _never_raises(a, b)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(frames(max_rows=40, max_cols=6), frames(max_rows=40, max_cols=6))
def test_compare_never_raises_many(a, b):
    _never_raises(a, b)


# --- command line ------------------------------------------------------------------------------


def _mlkit(*args):
    return subprocess.run([sys.executable, "-m", "mlkit", *map(str, args)], capture_output=True, text=True, timeout=120)


def test_cli_compare(tmp_path):
    train, test = _clean(800, 1), _clean(300, 2)
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    pd.concat([test, train.head(50)]).to_csv(tmp_path / "leaky.csv", index=False)
    ok = _mlkit("compare", tmp_path / "train.csv", tmp_path / "test.csv", "--target", "y")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = _mlkit("compare", tmp_path / "train.csv", tmp_path / "leaky.csv", "--target", "y", "--format", "json")
    assert bad.returncode == 1 and json.loads(bad.stdout)["findings"][0]["check"] == "train_test_overlap"
    html = _mlkit("compare", tmp_path / "train.csv", tmp_path / "leaky.csv", "-o", tmp_path / "r.html", "--fail-on", "none")
    assert html.returncode == 0 and (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")


def test_cli_compare_bad_input(tmp_path):
    _clean(100, 1).to_csv(tmp_path / "train.csv", index=False)
    r = _mlkit("compare", tmp_path / "train.csv", tmp_path / "gone.csv")
    assert r.returncode == 2 and "gone.csv" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    r = _mlkit("compare", tmp_path / "train.csv", tmp_path / "train.csv", "--target", "nope")
    assert r.returncode == 2 and "nope" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert _mlkit("compare", tmp_path / "train.csv").returncode == 2
