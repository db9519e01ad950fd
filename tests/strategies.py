"""Hypothesis strategies for hostile frames: every pandas and polars dtype, and any column name.

Used by tests/test_fuzz.py. A frame mixes columns of the dtypes issue 13 lists (nullable Int/Float/boolean,
string[python]/string[pyarrow], Categorical with unused categories, period, interval, sparse, timedelta,
tz-aware datetime, complex, float16, object columns of dicts, lists, sets, bytes, decimals, Python ints beyond
int64; polars Struct, List, Array, Null, Decimal, Enum, Categorical, Duration, Time, Binary) under names that are
duplicates, integers, empty, with newlines, quotes, markup, emoji, or 500 characters long.
"""

import datetime as dt
import decimal

import numpy as np
import pandas as pd
from hypothesis import strategies as st

HOSTILE_NAMES = [
    "a", "b", "", " ", 0, 1, 2019, "0", "line\nbreak", 'quote"s', "it's", "<b>x</b>", "<script>alert(1)</script>",
    "a.b", "a[0]", "a\\b", "{x}", "😀 emoji", "列", "NaN", "x" * 500, "tab\there", "$y", "id",
]  # fmt: skip
NAMES = st.sampled_from(HOSTILE_NAMES)

PANDAS_KINDS = [
    "int", "float", "float16", "complex", "bool", "nullable_int", "nullable_float", "boolean", "string_python",
    "string_pyarrow", "object_text", "category_unused", "period", "interval", "sparse", "timedelta", "datetime_tz",
    "dicts", "lists", "sets", "bytes", "decimals", "big_ints", "null", "const", "dense_ints",
]  # fmt: skip
POLARS_KINDS = ["struct", "list", "array", "pl_null", "pl_decimal", "enum", "pl_categorical", "duration", "time", "binary"]


def _lists(draw, values, n):
    return draw(st.lists(values, min_size=n, max_size=n))


def _or_none(values):
    return st.one_of(st.none(), values)


def pandas_column(draw, kind: str, n: int) -> pd.Series:  # noqa: C901 - one branch per dtype, on purpose
    "A pandas Series of `kind` with `n` rows."
    small = st.integers(-5, 5)
    if kind == "int":
        return pd.Series(_lists(draw, st.integers(-(2**40), 2**40), n), dtype="int64")
    if kind == "float":
        return pd.Series(_lists(draw, st.floats(allow_nan=True, allow_infinity=True), n), dtype="float64")
    if kind == "float16":
        return pd.Series(_lists(draw, st.floats(-100, 100, width=16), n), dtype="float16")
    if kind == "complex":
        return pd.Series([complex(a, b) for a, b in _lists(draw, st.tuples(small, small), n)], dtype="complex128")
    if kind == "bool":
        return pd.Series(_lists(draw, st.booleans(), n), dtype=bool)
    if kind == "nullable_int":
        return pd.Series(_lists(draw, _or_none(small), n), dtype="Int64")
    if kind == "nullable_float":
        return pd.Series(_lists(draw, _or_none(st.floats(-10, 10)), n), dtype="Float64")
    if kind == "boolean":
        return pd.Series(_lists(draw, _or_none(st.booleans()), n), dtype="boolean")
    text = st.one_of(st.text(max_size=6), st.sampled_from(["", "N/A", "?", "1,234", "2020-01-01", "a;b", "x\x00y"]))
    if kind == "string_python":
        return pd.Series(_lists(draw, _or_none(text), n), dtype="string[python]")
    if kind == "string_pyarrow":
        return pd.Series(_lists(draw, _or_none(text), n), dtype="string[pyarrow]")
    if kind == "object_text":
        return pd.Series(_lists(draw, _or_none(text), n), dtype=object)
    if kind == "category_unused":
        values = _lists(draw, _or_none(st.sampled_from(["x", "y"])), n)
        return pd.Series(pd.Categorical(values, categories=["x", "y", "never"]))
    if kind == "period":
        return pd.Series(pd.period_range("2020-01", periods=n, freq="M")) if n else pd.Series([], dtype="period[M]")
    if kind == "interval":
        starts = _lists(draw, small, n)
        return pd.Series(pd.arrays.IntervalArray.from_tuples([(s, s + 1) for s in starts])) if n else pd.Series([], dtype="interval[int64]")
    if kind == "sparse":
        return pd.Series(pd.arrays.SparseArray(_lists(draw, st.sampled_from([0.0, 0.0, 1.5, np.nan]), n)))
    if kind == "timedelta":
        return pd.Series(pd.to_timedelta(_lists(draw, _or_none(st.integers(0, 10**6)), n), unit="s"))
    if kind == "datetime_tz":
        stamps = _lists(draw, _or_none(st.integers(0, 10**9)), n)
        return pd.Series(pd.to_datetime(stamps, unit="s", utc=True)).dt.tz_convert("Europe/Berlin")
    if kind == "dicts":
        return pd.Series(_lists(draw, _or_none(st.dictionaries(st.sampled_from("ab"), small, max_size=2)), n), dtype=object)
    if kind == "lists":
        return pd.Series(_lists(draw, _or_none(st.lists(small, max_size=2)), n), dtype=object)
    if kind == "sets":
        return pd.Series(_lists(draw, _or_none(st.frozensets(small, max_size=2).map(set)), n), dtype=object)
    if kind == "bytes":
        return pd.Series(_lists(draw, _or_none(st.binary(max_size=4)), n), dtype=object)
    if kind == "decimals":
        return pd.Series([None if v is None else decimal.Decimal(v) / 4 for v in _lists(draw, _or_none(small), n)], dtype=object)
    if kind == "big_ints":
        return pd.Series([2**70 + i for i in range(n)], dtype=object)
    if kind == "null":
        return pd.Series([None] * n, dtype=object)
    if kind == "dense_ints":
        return pd.Series(np.arange(n) % 100, dtype="int64")
    return pd.Series([draw(st.integers(-999, 9999))] * n)


def polars_column(draw, kind: str, n: int):
    "A polars Series of `kind` with `n` rows."
    import polars as pl

    small = st.integers(-5, 5)
    if kind == "struct":
        return pl.Series([{"x": v, "y": "t"} for v in _lists(draw, small, n)], dtype=pl.Struct({"x": pl.Int64, "y": pl.String}))
    if kind == "list":
        return pl.Series(_lists(draw, _or_none(st.lists(small, max_size=2)), n), dtype=pl.List(pl.Int64))
    if kind == "array":
        return pl.Series([[v, v] for v in _lists(draw, small, n)], dtype=pl.Array(pl.Int64, 2))
    if kind == "pl_null":
        return pl.Series([None] * n, dtype=pl.Null)
    if kind == "pl_decimal":
        return pl.Series([decimal.Decimal(v) / 4 for v in _lists(draw, small, n)], dtype=pl.Decimal(10, 2))
    if kind == "enum":
        return pl.Series(_lists(draw, _or_none(st.sampled_from(["x", "y"])), n), dtype=pl.Enum(["x", "y", "never"]))
    if kind == "pl_categorical":
        return pl.Series(_lists(draw, _or_none(st.sampled_from(["x", "y"])), n), dtype=pl.Categorical)
    if kind == "duration":
        return pl.Series([dt.timedelta(seconds=v) for v in _lists(draw, st.integers(0, 10**5), n)], dtype=pl.Duration("us"))
    if kind == "time":
        return pl.Series([dt.time(v % 24, 0) for v in _lists(draw, st.integers(0, 23), n)], dtype=pl.Time)
    return pl.Series(_lists(draw, _or_none(st.binary(max_size=4)), n), dtype=pl.Binary)


@st.composite
def pandas_frames(draw, max_rows: int = 20, max_cols: int = 5, unique_names: bool = False):
    "A pandas frame of hostile dtypes and names (names may repeat unless `unique_names`)."
    n = draw(st.integers(0, max_rows))
    kinds = draw(st.lists(st.sampled_from(PANDAS_KINDS), min_size=0, max_size=max_cols))
    names = draw(st.lists(NAMES, min_size=len(kinds), max_size=len(kinds), unique=unique_names))
    df = pd.DataFrame({i: pandas_column(draw, k, n).reset_index(drop=True) for i, k in enumerate(kinds)}, index=range(n))
    df.columns = names
    return df


@st.composite
def polars_frames(draw, max_rows: int = 20, max_cols: int = 5):
    "A polars frame mixing polars-only dtypes with plain ones (polars names are unique strings)."
    import polars as pl

    n = draw(st.integers(0, max_rows))
    kinds = draw(st.lists(st.sampled_from(POLARS_KINDS + ["int", "float", "object_text"]), min_size=0, max_size=max_cols))
    names = draw(st.lists(NAMES.map(str), min_size=len(kinds), max_size=len(kinds), unique=True))
    cols = {}
    for name, k in zip(names, kinds):
        cols[name] = polars_column(draw, k, n) if k in POLARS_KINDS else pl.from_pandas(pandas_column(draw, k, n))
    return pl.DataFrame(cols) if cols else pl.DataFrame()
