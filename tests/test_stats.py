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


def _planted(n=2000):
    "One defect of most families: missing, constant, sentinel codes, numbers and dates as text, duplicates, a near-copy column."
    df = _frame(n)
    df["constant"] = "same"
    df["amount"] = df["count"].astype(float)
    df.loc[:40, "amount"] = -999.0
    df["price_text"] = df["x"].round(2).astype(str)
    df["day"] = pd.date_range("2024-01-01", periods=n, freq="h").strftime("%Y-%m-%d %H:%M")
    df.loc[:9, "city"] = "  Oslo"
    return pd.concat([df, df.head(30)], ignore_index=True)


HEAVY = ("columns", "duplicated", "fence_counts", "numeric_matrix", "correlations")


def _as(backend, df, tmp_path):
    if backend == "pandas":
        return df
    if backend == "polars":
        return pl.from_pandas(df)
    if backend == "polars lazy":
        return pl.from_pandas(df).lazy()
    path = tmp_path / "data.parquet"
    df.to_parquet(path)
    return str(path)


@pytest.mark.parametrize("backend", ["pandas", "polars", "polars lazy", "parquet path"])
def test_handed_on_statistics_give_the_same_answers_without_a_heavy_pass(backend, tmp_path):
    data = _as(backend, _planted(), tmp_path)
    report, fs = check_with_stats(data, target="y")
    assert {"missing_values", "constant_column", "duplicate_rows"} <= set(report.checks)
    before = {k: fs.passes[k] for k in HEAVY}
    again = check(data, target="y", stats=fs)
    handed = profile(data, target="y", stats=fs)
    assert {k: fs.passes[k] for k in HEAVY} == before  # check and profile after check: the heavy passes ran once
    assert [f.to_dict() for f in again.findings] == [f.to_dict() for f in report.findings]
    fresh = profile(data, target="y")
    assert [f.to_dict() for f in handed.findings] == [f.to_dict() for f in fresh.findings]
    assert handed.table.equals(fresh.table) and handed.meta["backend"] == fresh.meta["backend"]
    assert again.meta["statistics"] == "handed on" and "statistics" not in report.meta


def test_handed_on_statistics_follow_a_new_config():
    df = _planted()
    _, fs = check_with_stats(df, target="y")
    for config in ({"category_max_distinct": 2}, {"disable": ["missing_values"]}, {"severity": {"constant_column": "error"}},
                   {"missing_warn_share": 0.01, "outlier_iqr_factor": 1.5}):  # fmt: skip
        handed, fresh = check(df, target="y", config=config, stats=fs), check(df, target="y", config=config)
        assert [f.to_dict() for f in handed.findings] == [f.to_dict() for f in fresh.findings], config
    assert fs.passes["columns"] == 1


def test_statistics_of_another_or_a_changed_input_are_refused(tmp_path):
    from mlkit.core import MlkitInputError

    df = _planted(300)
    _, fs = check_with_stats(df)
    with pytest.raises(MlkitInputError, match="another input"):
        check(df.copy(), stats=fs)
    with pytest.raises(MlkitInputError, match="another input"):
        profile(pl.from_pandas(df), stats=fs)
    with pytest.raises(MlkitInputError, match=r"quantile_sample_rows=200000 \(now 1000\)"):
        check(df, config={"quantile_sample_rows": 1000}, stats=fs)
    with pytest.raises(MlkitInputError, match="takes the FrameStats"):
        check(df, stats=frame_stats(df))  # statistics not made by check_with_stats: what they came from is unknown
    df.drop(index=df.index[-5:], inplace=True)  # fewer rows, in place: the signature changed
    with pytest.raises(MlkitInputError, match="the input changed"):
        check(df, stats=fs)
    path = tmp_path / "d.csv"
    _planted(300).to_csv(path, index=False)
    _, on_file = check_with_stats(path)
    assert check(str(path), stats=on_file).meta["statistics"] == "handed on"  # the same file, named as text
    _planted(301).to_csv(path, index=False)  # rewritten since
    with pytest.raises(MlkitInputError, match="the input changed"):
        check(path, stats=on_file)


def test_handed_on_text_scans_follow_category_max_distinct():
    r, cats = (
        np.random.default_rng(0),
        ["Oslo"] * 200 + ["Rome"] * 150 + ["Lima"] * 120 + ["Paris"] * 100 + ["Pariss"] * 3 + ["Lmia"] * 2 + ["Lisbon"] * 25,
    )
    df = pd.DataFrame({f"city_{i}": r.permutation(cats) for i in range(24)})  # enough text columns to scan them in one stacked pass
    report, fs = check_with_stats(df)
    assert "text_scans" in fs.cache and len(report.filter(check="inconsistent_categories").findings) == 24
    narrow = check(df, config={"category_max_distinct": 2}, stats=fs)
    assert not narrow.filter(check="inconsistent_categories").findings  # the keys kept per column follow the new config
    assert [f.to_dict() for f in narrow.findings] == [f.to_dict() for f in check(df, config={"category_max_distinct": 2}).findings]
    assert [f.to_dict() for f in check(df, stats=fs).findings] == [f.to_dict() for f in report.findings] and fs.passes["columns"] == 1
