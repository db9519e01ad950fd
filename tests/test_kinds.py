"""Every dtype has one correct kind, and no false finding (issue 13, point 4).

One table: for each pandas and polars dtype, the kind `data.kinds.column_kind` gives it, and what
`check()`, `profile()`, `infer_schema()`/`validate()` and `compare()` say about a frame holding that
column beside a clean number. Each analysis either reads the column or says why it did not
(`column_not_analysed`), and no warning or error names it unless the table allows that finding.
"""

import datetime as dt
import decimal

import narwhals as nw
import numpy as np
import pandas as pd
import polars as pl
import pytest

import mlkit
from mlkit.data.kinds import column_kind

N = 200
_rng = np.random.default_rng(0)
_i = _rng.permutation(N)  # values in random order: the two halves compare() gets come from one distribution
_pick = _rng.integers(0, 4, N)


def _mask(s):
    return s.mask(pd.Series(_i % 10 == 0))


# name -> (series factory, expected kind, findings allowed on the column, schema types allowed)
PANDAS = {
    "Int64": (lambda: _mask(pd.Series(pd.array(_rng.integers(0, 1000, N), dtype="Int64"))), "numeric", {"missing_values"}, {"integer"}),
    "Float64": (lambda: _mask(pd.Series(pd.array(_rng.normal(size=N), dtype="Float64"))), "numeric", {"missing_values"}, {"float"}),
    "boolean": (lambda: _mask(pd.Series(pd.array(_pick == 0, dtype="boolean"))), "boolean", {"missing_values"}, {"boolean"}),
    "string[python]": (lambda: pd.Series([f"word {k}" for k in _pick], dtype="string[python]"), "categorical", set(), {"string"}),
    "string[pyarrow]": (lambda: pd.Series([f"word {k}" for k in _pick], dtype="string[pyarrow]"), "categorical", set(), {"string"}),
    "category, unused": (
        lambda: pd.Series(pd.Categorical.from_codes(_pick % 2, ["a", "b", "never"])),
        "categorical",
        set(),
        {"categorical"},
    ),
    "period": (lambda: pd.Series(pd.period_range("2020-01", periods=N, freq="D")[_i]), "datetime", set(), {"other", "datetime"}),
    "interval": (lambda: pd.Series(pd.interval_range(0, N)[_i]), "other", {"column_not_analysed"}, {"other"}),
    "sparse float": (
        lambda: pd.Series(pd.arrays.SparseArray(np.where(_pick == 0, _rng.normal(size=N), 0.0))),
        "numeric",
        set(),
        {"other", "float"},
    ),
    "timedelta": (lambda: pd.Series(pd.to_timedelta(_rng.integers(0, 10**6, N), unit="s")), "other", {"column_not_analysed"}, {"duration"}),
    "datetime, tz": (
        lambda: pd.Series(pd.date_range("2020-01-01", periods=N, freq="h", tz="Europe/Paris")[_i]),
        "datetime",
        set(),
        {"datetime"},
    ),
    "complex": (lambda: pd.Series(_rng.normal(size=N) + 1j * _rng.normal(size=N)), "other", {"column_not_analysed"}, {"other"}),
    "float16": (lambda: pd.Series(_rng.normal(size=N).astype("float16")), "numeric", set(), {"float"}),
    "object dicts": (lambda: pd.Series([{"k": int(k)} for k in _pick], dtype=object), "other", {"column_not_analysed"}, {"other"}),
    "object lists": (lambda: pd.Series([[int(k), 1] for k in _pick], dtype=object), "other", {"column_not_analysed"}, {"other"}),
    "object sets": (lambda: pd.Series([{int(k)} for k in _pick], dtype=object), "other", {"column_not_analysed"}, {"other"}),
    "object bytes": (lambda: pd.Series([f"b{k}".encode() for k in _pick], dtype=object), "other", {"column_not_analysed"}, {"other"}),
    "object Decimals": (lambda: pd.Series([decimal.Decimal(int(k)) / 7 for k in _i], dtype=object), "numeric", set(), {"float"}),
    # 200 distinct ints near 2**70: as floats they would be one value; as exact text each is unique, an identifier
    "ints beyond int64": (lambda: pd.Series([2**70 + int(k) for k in _i], dtype=object), "text", {"id_like_column"}, {"integer"}),
    "uniform ints 0..99": (lambda: pd.Series(_i % 100), "numeric", set(), {"integer"}),
}

POLARS = {
    "Struct": (lambda: pl.Series([{"a": int(k), "b": str(k)} for k in _pick]), "other", {"column_not_analysed"}, {"other"}),
    "List": (lambda: pl.Series([[int(k), 1] for k in _pick]), "other", {"column_not_analysed"}, {"other"}),
    "Array": (lambda: pl.Series([[int(k), 1] for k in _pick], dtype=pl.Array(pl.Int64, 2)), "other", {"column_not_analysed"}, {"other"}),
    "Null": (lambda: pl.Series([None] * N, dtype=pl.Null), "other", {"missing_values"}, {"null"}),
    "Decimal": (lambda: pl.Series([decimal.Decimal(int(k)) / 8 for k in _i], dtype=pl.Decimal(10, 3)), "numeric", set(), {"float"}),
    "Enum": (
        lambda: pl.Series([("a", "b")[k % 2] for k in _pick], dtype=pl.Enum(["a", "b", "never"])),
        "categorical",
        set(),
        {"categorical"},
    ),
    "Categorical": (lambda: pl.Series([str(k) for k in _pick], dtype=pl.Categorical), "categorical", set(), {"categorical"}),
    "Duration": (lambda: pl.Series([dt.timedelta(seconds=int(k) * 37) for k in _i]), "other", {"column_not_analysed"}, {"duration"}),
    "Time": (lambda: pl.Series([dt.time(int(k) % 24, int(k) % 60) for k in _i]), "other", {"column_not_analysed"}, {"time"}),
    "Binary": (lambda: pl.Series([f"b{k}".encode() for k in _pick]), "other", {"column_not_analysed"}, {"other"}),
}

CASES = [("pandas", name, *spec) for name, spec in PANDAS.items()] + [("polars", name, *spec) for name, spec in POLARS.items()]
IDS = [f"{lib}-{name}" for lib, name, *_ in CASES]
COL = "the column"


def _frame(lib: str, make):
    x = np.random.default_rng(1).normal(size=N)
    if lib == "pandas":
        return pd.DataFrame({COL: make().reset_index(drop=True), "x": x})
    return pl.DataFrame([make().alias(COL), pl.Series("x", x)])


def _halves(lib, df):
    if lib == "pandas":
        return df.iloc[: N // 2], df.iloc[N // 2 :]
    return df.head(N // 2), df.tail(N // 2)


def _false(report, allowed: set) -> list:
    "Warnings and errors naming the column that the table does not allow, and any internal failure."
    bad = [f for f in report.findings if f.check == "check_failed"]
    bad += [f for f in report.findings if COL in f.columns and f.severity != "info" and f.check not in allowed]
    return [(f.check, f.message) for f in bad]


@pytest.mark.parametrize("lib,name,make,kind,allowed,types", CASES, ids=IDS)
def test_kind(lib, name, make, kind, allowed, types):
    assert column_kind(nw.from_native(_frame(lib, make), eager_only=True)[COL]) == kind


@pytest.mark.parametrize("engine", ["native", "polars"])
@pytest.mark.parametrize("lib,name,make,kind,allowed,types", CASES, ids=IDS)
def test_check_and_profile(lib, name, make, kind, allowed, types, engine):
    df = _frame(lib, make)
    cfg = {"engine": engine}
    report = mlkit.check(df, config=cfg)
    assert not _false(report, allowed), _false(report, allowed)
    unread = report.filter(check="column_not_analysed").findings
    assert (kind == "other" and "column_not_analysed" in allowed) == bool(unread), unread  # skipped columns are said to be skipped
    prof = mlkit.profile(df, config=cfg)
    assert not _false(prof, allowed), _false(prof, allowed)
    assert dict(zip(prof.table["column"], prof.table["type"]))[COL] == kind  # the profile shows the classifier's kind


@pytest.mark.parametrize("lib,name,make,kind,allowed,types", CASES, ids=IDS)
def test_schema_and_validate(lib, name, make, kind, allowed, types):
    df = _frame(lib, make)
    schema = mlkit.infer_schema(df)
    assert schema.columns[COL].type in types, schema.columns[COL]
    assert not _false(mlkit.validate(df, schema), allowed)


@pytest.mark.parametrize("lib,name,make,kind,allowed,types", CASES, ids=IDS)
def test_compare(lib, name, make, kind, allowed, types):
    ref, cur = _halves(lib, _frame(lib, make))
    assert not _false(mlkit.compare(ref, cur), allowed)


@pytest.mark.parametrize("lib", ["pandas", "polars"])
def test_unused_category_is_not_an_empty_class(lib):
    rng = np.random.default_rng(2)
    y = pd.Categorical(rng.choice(["no", "yes"], 300), categories=["no", "yes", "maybe"])
    df = pd.DataFrame({"x": rng.normal(size=300), "y": y})
    df = df if lib == "pandas" else pl.from_pandas(df).with_columns(pl.col("y").cast(pl.Enum(["no", "yes", "maybe"])))
    for report in (mlkit.check(df, target="y"), mlkit.profile(df, target="y")):
        assert not report.filter(check="class_imbalance").findings and not report.filter(check="rare_classes").findings
    lopsided = df.head(220) if lib == "polars" else df.assign(y=pd.Categorical(["no"] * 290 + ["yes"] * 10, categories=y.categories))
    if lib == "polars":
        lopsided = lopsided.with_columns(pl.Series("y", ["no"] * 210 + ["yes"] * 10, dtype=pl.Enum(["no", "yes", "maybe"])))
    assert mlkit.check(lopsided, target="y").filter(check="class_imbalance").findings  # a real imbalance still shows


def test_sentinel_not_at_the_end_of_a_dense_range():
    dense = pd.DataFrame({"n": np.random.default_rng(3).permutation(np.arange(1000) % 100)})
    assert not mlkit.check(dense).filter(check="disguised_missing").findings
    coded = dense.assign(n=dense["n"].where(dense["n"] < 90, 99))  # 99 now stands in for 90..99
    assert mlkit.check(coded).filter(check="disguised_missing").findings
    far = dense.assign(n=dense["n"].where(dense["n"] != 50, 999))  # a code far from the range
    assert mlkit.check(far).filter(check="disguised_missing").findings


def _nested(lib: str):
    rng = np.random.default_rng(4)
    g = rng.integers(0, 2, 400)
    y = (rng.random(400) < np.where(g == 0, 0.2, 0.7)).astype(int)  # a planted disparity between the two groups
    pdf = pd.DataFrame({"groups": [[int(v), "x"] for v in g], "x": rng.normal(size=400), "y": y})
    if lib == "pandas":
        return pdf
    frame = pl.from_pandas(pdf.assign(groups=[[int(v), 0] for v in g]))
    return frame if lib == "polars" else frame.lazy()


@pytest.mark.parametrize("lib", ["pandas", "polars", "lazy"])
def test_nested_column_groups_by_one_text_key(lib):
    report = mlkit.check(_nested(lib), target="y", sensitive="groups")
    assert not report.filter(check="check_failed").findings
    found = report.filter(check="outcome_disparity").findings
    assert len(found) == 1 and found[0].columns == ("groups", "y")
    assert all(isinstance(k, str) for k in found[0].evidence["rates"])


@pytest.mark.parametrize("lib", ["pandas", "polars"])
def test_baseline_reads_the_same_kinds(lib):
    "baseline: an unused category leaves a binary target binary; columns the classifier calls other are dropped, with the reason."
    rng = np.random.default_rng(5)
    y = pd.Categorical(rng.choice(["no", "yes"], 300), categories=["no", "yes", "maybe"])
    df = pd.DataFrame({"x": rng.normal(size=300), "y": y})
    df = df if lib == "pandas" else pl.from_pandas(df)
    assert mlkit.baseline(df, "y", cv=2).best
    odd = pd.DataFrame(
        {
            "x": rng.normal(size=300),
            "tags": [[int(k), 1] for k in rng.integers(0, 3, 300)],
            "wait": pd.to_timedelta(rng.integers(0, 100, 300), unit="s"),
            "y": rng.integers(0, 2, 300),
        }
    )
    if lib == "pandas":
        odd["meta"] = [{"k": int(k)} for k in rng.integers(0, 3, 300)]
    report = mlkit.baseline(odd if lib == "pandas" else pl.from_pandas(odd), "y", cv=2)
    dropped = {f.columns[0]: f.message for f in report.findings if f.check == "dropped_column"}
    assert set(dropped) == {"tags", "wait"} | ({"meta"} if lib == "pandas" else set()), dropped
    assert "holds durations" in dropped["wait"] and "holds" in dropped["tags"]


@pytest.mark.parametrize("lib,name,make,kind,allowed,types", CASES, ids=IDS)
def test_column_charts_draw_every_dtype(lib, name, make, kind, allowed, types):
    "distribution, drift and target charts draw each dtype (a period as its start time, a sparse column dense), or say there is nothing to chart."
    from test_chart_names import assert_draws

    from mlkit import charts as ch

    df = _frame(lib, make)
    ref, cur = _halves(lib, df)
    charts = [ch.distribution_chart(df, COL), ch.drift_chart(ref, cur, COL), ch.target_chart(df, "x", COL), ch.target_chart(df, COL, "x")]
    for chart in charts:
        assert_draws(chart, [COL])
