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
