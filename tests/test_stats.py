"""One statistics layer (`mlkit.data.stats`): check() and profile() on one frame compute each statistic once."""

import numpy as np
import pandas as pd
import polars as pl
import pytest

from mlkit.checks import check
from mlkit.checks.engine import check_with_stats
from mlkit.data.stats import frame_stats
from mlkit.profile import profile


def _frame(n=3000):
    r = np.random.default_rng(2)
    x = r.normal(size=n)
    return pd.DataFrame(
        {
            "x": x,
            "twin": 3 * x + r.normal(0, 1e-3, n),
            "count": r.poisson(3, n),
            "city": r.choice(["Oslo", "Rome", "Lima"], n),
            "note": [None] * 100 + [f"note {i}" for i in range(n - 100)],
            "flag": r.random(n) < 0.3,
            "y": r.choice(["a", "b"], n),
        }
    )


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_profile_and_its_findings_share_one_set_of_passes(backend):
    df = _frame() if backend == "pandas" else pl.from_pandas(_frame())
    report, fs = check_with_stats(df, target="y")
    assert fs.passes["columns"] == 1 and fs.passes["duplicated"] == 1 and fs.passes["numeric_matrix"] <= 1
    text = [c for c, k in fs.kinds.items() if k == "text"]
    assert fs.passes["value_counts"] == len(text)  # one count per text column, shared by every text check
    prof = profile(df, target="y")
    passes = prof.meta["statistics_passes"]
    # the profile's table, heatmap and findings come from the same passes as check() alone: nothing is computed twice
    assert passes == dict(fs.passes), (passes, dict(fs.passes))
    assert [f.to_dict() for f in prof.findings] == [f.to_dict() for f in report.findings]
    assert {f.check for f in prof.findings} >= {"highly_correlated_features", "missing_values"}


def test_profile_findings_follow_the_check_config():
    df = _frame()
    quiet = profile(df, target="y", config={"disable": ["missing_values"]})
    assert not quiet.filter(check="missing_values").findings and profile(df, target="y").filter(check="missing_values").findings
    assert [f.to_dict() for f in quiet.findings] == [
        f.to_dict() for f in check(df, target="y", config={"disable": ["missing_values"]}).findings
    ]


def test_a_lazy_frame_gives_the_eager_numbers():
    df = pl.from_pandas(_frame(500))
    eager, lazy = frame_stats(df), frame_stats(df.lazy())
    keys = ("missing", "distinct", "min", "max", "mean", "std", "q1", "median", "q3")
    for c in ("x", "count"):
        assert {k: lazy.columns[c].get(k) for k in keys} == pytest.approx({k: eager.columns[c].get(k) for k in keys})
    assert lazy.value_counts("city").rows() == eager.value_counts("city").rows()
    assert np.allclose(lazy.correlations(["x", "twin"]), eager.correlations(["x", "twin"]))
