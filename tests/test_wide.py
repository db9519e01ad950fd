"Wide frames (issue 13 point 9): the matrix-product correlations agree with pandas, copies and links are still found, and the all-pairs steps are bounded."

import numpy as np
import pandas as pd

import mlkit
from mlkit.checks.relations import _cramers_v, _cramers_v_many
from mlkit.data.stats import pearson_matrix


def test_pairwise_pearson_matches_pandas():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(300, 30))
    a[:, 5] = a[:, 4] * 2 + rng.normal(size=300) * 0.01  # a strong pair
    a[:, 7] = 3.3  # constant: NaN
    a[:, 11] = 1e9 + a[:, 3]  # a large offset keeps its correlation
    a[rng.random(a.shape) < 0.2] = np.nan
    a[:, 9] = np.nan
    a[:2, 9] = [1, 2]  # two rows: below min_periods
    a[:, 12] = np.where(np.isnan(a[:, 13]), a[:, 12], 7.0)  # constant where its partner is present: NaN for that pair
    want = pd.DataFrame(a).corr(min_periods=3).to_numpy()
    got = pearson_matrix(a)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.nanmax(np.abs(got - want)) < 1e-6


def test_cramers_v_many_matches_pairwise():
    rng = np.random.default_rng(0)
    for _ in range(20):
        n = int(rng.integers(5, 300))
        a = rng.integers(1, int(rng.integers(2, 8)), n).astype(float)
        others = np.column_stack([rng.integers(1, int(rng.integers(2, 9)), n) for _ in range(5)]).astype(float)
        others[:, 1] = a % 2 + 1  # determined by a
        others[:, 2] = 1  # one category: no association
        a[rng.random(n) < 0.1] = np.nan
        others[rng.random(others.shape) < 0.1] = np.nan
        got = _cramers_v_many(a, others)
        want = np.array([np.nan if (v := _cramers_v(a, others[:, j])) is None else v for j in range(others.shape[1])])
        assert np.array_equal(np.isnan(got), np.isnan(want)) and np.nanmax(np.abs(got - want), initial=0) < 1e-9


def test_wide_frame_finds_copies_and_links_and_says_what_is_bounded():
    rng = np.random.default_rng(2)
    df = pd.DataFrame(rng.normal(size=(40, 500)), columns=[f"x{j}" for j in range(500)])
    df["x1"] = df["x0"] * 3 + 0.001 * rng.normal(size=40)  # linked to x0
    df["copy"] = df["x2"]  # a copy
    df["city"] = rng.choice(["a", "b", "c"], 40)
    df["city_code"] = df["city"].map({"a": "1", "b": "2", "c": "3"}) + "x"
    report = mlkit.check(df)
    dup = report.filter(check="duplicate_columns").findings
    assert [f.columns for f in dup] == [("x2", "copy")]
    linked = [set(f.columns) for f in report.filter(check="highly_correlated_features").findings]
    assert {"x0", "x1"} in linked and {"city", "city_code"} in linked
    bounded = report.meta["bounded"]["numeric correlations"]
    assert bounded["columns"] == 500 and bounded["compared"] == 447
    assert "bounded" not in mlkit.check(df.iloc[:, :100]).meta


def _planted_wide(rows: int = 40, texts: int = 30, numbers: int = 240) -> pd.DataFrame:
    "A short frame of many text and numeric columns, with a defect of each text family and of the numeric checks planted."
    rng = np.random.default_rng(5)
    data = {f"t{j}": rng.choice(["red", "green", "blue", "yellow"], rows).astype(object) for j in range(texts)}
    data["t0"][:3] = ["Red", "red ", "RED"]  # one category spelt three ways
    data["t1"][:6] = "n/a"  # text that stands for missing
    data["t2"] = np.array([f"{x:,}" for x in rng.integers(1000, 99999, rows)], dtype=object)  # numbers stored as text
    data["t3"][:2] = "###"  # symbol-only values
    data["t4"][:4] = None  # missing text
    for j in range(numbers):
        data[f"x{j}"] = rng.normal(0, 1, rows)
    data["x0"][:3] = 40.0  # beyond the far fences
    for j in range(1, 26):
        data[f"x{j}"][[j % 3 + 1, 9 + j % 2]] = np.nan  # missing numbers in 25 columns: their positions are read in one select
    data["x2"][5] = np.inf
    return pd.DataFrame(data)


def _batched_off(monkeypatch):
    "The one-query-per-column paths: stacking, numpy fence counts and batched positions switched off by their thresholds."
    import mlkit.checks.context as context
    import mlkit.data.stats as stats

    monkeypatch.setattr(stats, "STACK_MIN_COLUMNS", 10**9)
    monkeypatch.setattr(stats, "FENCE_NUMPY_COLUMNS", 10**9)
    monkeypatch.setattr(context, "POSITIONS_BATCH_COLUMNS", 10**9)


def _facts(report) -> list:
    return [(f.check, f.columns, f.severity, f.evidence) for f in report.findings]


def test_wide_batched_paths_find_the_planted_defects_as_one_query_per_column_does(monkeypatch):
    df = _planted_wide()
    before = df.copy()
    from mlkit.checks.engine import check_with_stats

    fast, fs = check_with_stats(df)
    assert fs.passes["value_counts"] == 1 and fs.passes["fence_counts"] == 1  # the 30 text columns in one group-by
    found = {(f.check, f.columns) for f in fast.findings}
    planted = {("inconsistent_categories", ("t0",)), ("disguised_missing", ("t1",)), ("numeric_as_text", ("t2",)),
               ("special_characters", ("t3",)), ("missing_values", ("t4",)), ("outliers", ("x0",)), ("missing_values", ("x1",)), ("missing_values", ("x25",)),
               ("infinite_values", ("x2",))}  # fmt: skip
    assert planted <= found, planted - found
    assert not [
        f
        for f in fast.findings
        if f.check in ("inconsistent_categories", "special_characters", "numeric_as_text") and f.columns[0] not in ("t0", "t2", "t3")
    ]
    assert fast.filter(check="missing_values", column="x1").findings[0].evidence["row_positions"] == [2, 10]
    _batched_off(monkeypatch)
    slow, fs_slow = check_with_stats(df)
    assert fs_slow.passes["value_counts"] > 1  # really the other path
    assert _facts(fast) == _facts(slow)
    pd.testing.assert_frame_equal(df, before)


def test_wide_clean_frame_stays_silent_on_the_batched_paths():
    import itertools

    rng = np.random.default_rng(6)
    names = ["".join(p) for p in itertools.product("abcdefghijklmnopqrstuvwxyz", repeat=2)][:270]  # no numbered headers
    text = {n: rng.choice(["red", "green", "blue"], 40) for n in names[:30]}
    clean = pd.DataFrame({**text, **{n: rng.normal(0, 1, 40) for n in names[30:]}})
    report = mlkit.check(clean)
    assert {f.check for f in report.findings} <= {"highly_correlated_features"}, (
        report.checks
    )  # 240 random columns of 40 rows: chance pairs only
