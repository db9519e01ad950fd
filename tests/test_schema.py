"""Tests of mlkit.schema: infer_schema, Schema JSON, validate, and `mlkit schema` on the command line."""

import datetime as dt
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlkit
from mlkit.core import MlkitInputError
from mlkit.datasets import load_demo
from mlkit.schema import Schema, infer_schema, validate

IDS = (
    "missing_column",
    "unexpected_column",
    "dtype_mismatch",
    "out_of_range",
    "unexpected_category",
    "unexpected_nulls",
    "uniqueness_violated",
)


@pytest.fixture(scope="module")
def penguins():
    return load_demo()


def _clean_frame(n=60):
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "age": rng.integers(18, 90, n),
            "income": rng.normal(50_000, 10_000, n),
            "city": rng.choice(["Oslo", "Lima", "Pune"], n),
            "member": rng.choice([True, False], n),
            "joined": pd.date_range("2020-01-01", periods=n, freq="D", tz="UTC"),
            "code": [f"K{i:04d}" for i in range(n)],
        }
    )


def _fired(report):
    return {(f.check, f.columns[0] if f.columns else None) for f in report}


# --- inference ---------------------------------------------------------------------------------


def test_infer_types_and_rules(backend, to_backend):
    s = infer_schema(to_backend(_clean_frame()))
    assert [c.type for c in s] == ["integer", "integer", "float", "string", "boolean", "datetime", "string"]
    assert s["id"].unique and s["code"].unique and not s["income"].unique  # floats are never called keys
    assert s["city"].categories == ("Lima", "Oslo", "Pune") and s["code"].categories is None
    assert s["joined"].timezone == "UTC" and s["joined"].min.startswith("2020-01-01T00:00:00")
    assert s["age"].min >= 18 and isinstance(s["age"].min, int) and not s["age"].nullable


def test_same_schema_from_pandas_polars_and_files(penguins, tmp_path):
    pl = pytest.importorskip("polars")
    s = infer_schema(penguins)
    assert infer_schema(pl.from_pandas(penguins)) == s
    assert infer_schema(pl.from_pandas(penguins).lazy()) == s
    penguins.to_csv(tmp_path / "p.csv", index=False)
    penguins.to_parquet(tmp_path / "p.parquet")
    assert infer_schema(tmp_path / "p.csv") == s and infer_schema(str(tmp_path / "p.parquet")) == s


def test_category_limit_is_a_parameter():
    df = pd.DataFrame({"c": [f"v{i % 60}" for i in range(600)]})
    assert infer_schema(df)["c"].categories is None  # 60 > 50 distinct values
    assert len(infer_schema(df, max_categories=60)["c"].categories) == 60


@pytest.mark.parametrize(
    "values, expected",
    [
        ([1, 2, None], "integer"),  # object of Python ints
        ([1.5, "a"], "mixed"),
        ([None, None], "null"),
        ([{"a": 1}, [2]], "other"),
        ([dt.date(2020, 1, 1), None], "date"),
        ([b"x", b"y"], "other"),
    ],
)
def test_object_columns(values, expected):
    s = infer_schema(pd.DataFrame({"x": pd.Series(values, dtype=object)}))
    assert s["x"].type == expected
    assert len(validate(pd.DataFrame({"x": pd.Series(values, dtype=object)}), s)) == 0


def test_infinities_and_nan_count_as_expected(backend, to_backend):
    df = to_backend(pd.DataFrame({"x": [1.0, np.nan, np.inf, -np.inf, 2.0]}))
    s = infer_schema(df)
    assert s["x"].nullable and s["x"].min == "-inf" and s["x"].max == "inf"
    assert json.loads(s.to_json())["columns"]["x"]["max"] == "inf"
    assert len(validate(df, s)) == 0
    finite = Schema.from_dict({"columns": {"x": {"type": "float", "nullable": True, "min": 0, "max": 10}}})
    r = validate(df, finite)
    ev = r.filter(check="out_of_range").findings[0].evidence
    assert ev["count"] == 2 and ev["below"] == 1 and ev["above"] == 1 and [c["row"] for c in ev["failure_cases"]] == [2, 3]


# --- JSON --------------------------------------------------------------------------------------


def test_json_is_diff_friendly_and_round_trips(penguins, tmp_path):
    s = infer_schema(penguins)
    path = s.save(tmp_path / "s.json")
    text = path.read_text()
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert Schema.load(path) == s and Schema.from_dict(s.to_dict()) == s
    assert '    "Island": {\n      "categories": [\n        "Biscoe",' in text  # one column per block, one category per line
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # atomic write leaves no temp file


def test_user_edits_are_honoured(tmp_path):
    df = _clean_frame()
    d = infer_schema(df).to_dict()
    d["columns"]["income"]["max"] = 1e9
    d["columns"]["city"]["categories"].append("Rome")
    (tmp_path / "s.json").write_text(json.dumps(d))
    bigger = df.assign(income=df["income"] * 10, city=["Rome"] * len(df))
    assert len(validate(bigger, tmp_path / "s.json")) == 0
    assert {f.check for f in validate(bigger, infer_schema(df))} == {"out_of_range", "unexpected_category"}


@pytest.mark.parametrize(
    "content, expected",
    [
        ("{not json", "not valid JSON (line 1"),
        ("[1, 2]", "expected a JSON object"),
        ('{"colums": {}}', "unknown top-level key(s) 'colums'"),
        ('{"columns": {"a": {"type": "float", "nulable": true}}}', "column 'a': unknown key(s) 'nulable'"),
        ('{"columns": {"a": {"type": "number"}}}', "column 'a': 'type' must be one of"),
        ('{"columns": {"a": {"type": "float", "nullable": "yes"}}}', "'nullable' must be true or false"),
        ('{"columns": {"a": {"type": "float", "min": "low"}}}', "'min' must be a number"),
        ('{"columns": {"a": {"type": "float", "min": 3, "max": 1}}}', "'min' (3) is greater than 'max' (1)"),
        ('{"columns": {"a": {"type": "string", "min": 3}}}', "'min'/'max' apply only to"),
        ('{"columns": {"a": {"type": "string", "categories": "x"}}}', "'categories' must be a list of strings"),
        ('{"columns": {"a": {"type": "float", "categories": ["x"]}}}', "'categories' apply only to"),
        ('{"columns": {"a": {"type": "datetime", "timezone": "Mars/Olympus"}}}', "'timezone' must be an IANA zone"),
        ('{"columns": {"a": {"type": "date", "max": "2024-13-01"}}}', "not an ISO 8601 date"),
        ('{"columns": {"a": "float"}}', "column 'a': expected an object"),
        ('{"mlkit_schema": 99, "columns": {}}', "version 99 is not supported"),
        ('{"columns": {}, "rows": -1}', "'rows' must be a non-negative integer"),
    ],
)
def test_malformed_schema_files_are_named(tmp_path, content, expected):
    path = tmp_path / "broken.schema.json"
    path.write_text(content)
    with pytest.raises(MlkitInputError) as e:
        Schema.load(path)
    assert "broken.schema.json" in str(e.value) and expected in str(e.value), str(e.value)


def test_missing_schema_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.json"):
        Schema.load(tmp_path / "nope.json")


def test_html_is_escaped():
    s = infer_schema(pd.DataFrame({"<script>alert(1)</script>": ["<b>x</b>", "<b>x</b>", "y", "y"]}))
    h = s._repr_html_()
    assert "<script>alert" not in h and "&lt;script&gt;" in h and "&lt;b&gt;x&lt;/b&gt;" in h
    assert list(s.to_frame().columns) == ["column", "type", "nullable", "unique", "min", "max", "categories"]
    evil = "<img src=x onerror=alert(1)>"
    h = infer_schema(pd.DataFrame({evil: [evil, "y"], "n": [1, 2]}))._repr_html_()
    assert "<img" not in h and "<tr><td>&lt;img src=x onerror=alert(1)&gt;</td><td>string</td>" in h


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize("loader", ["load_wine", "load_breast_cancer", "load_diabetes", "load_iris", "demo"])
def test_data_validates_against_its_own_schema(loader, backend, to_backend):
    if loader == "demo":
        df = load_demo()
    else:
        from sklearn import datasets

        df = getattr(datasets, loader)(as_frame=True).frame
    df = to_backend(df)
    assert len(validate(df, infer_schema(df))) == 0


def _planted(df):
    "One defect per check id, each on its own column."
    bad = df.drop(columns=["age"]).assign(extra=1.0)
    bad["income"] = bad["income"].astype(object).where(bad.index != 4, "n/a").astype(str)  # dtype_mismatch
    bad["joined"] = bad["joined"].where(bad.index != 7, pd.Timestamp("2035-01-01", tz="UTC"))  # out_of_range
    bad["city"] = bad["city"].where(~bad.index.isin([2, 9]), "Atlantis")  # unexpected_category
    bad["member"] = bad["member"].astype(object).where(bad.index != 5, None)  # unexpected_nulls
    bad["code"] = bad["code"].where(bad.index != 11, "K0003")  # uniqueness_violated
    return bad


def test_every_check_fires_on_the_right_column(backend, to_backend):
    df = _clean_frame()
    s = infer_schema(df)
    r = validate(to_backend(_planted(df)), s)
    assert _fired(r) == {
        ("missing_column", "age"),
        ("unexpected_column", "extra"),
        ("dtype_mismatch", "income"),
        ("out_of_range", "joined"),
        ("unexpected_category", "city"),
        ("unexpected_nulls", "member"),
        ("uniqueness_violated", "code"),
    }, r.findings
    sev = {f.check: f.severity for f in r}
    assert sev["missing_column"] == "error" and sev["unexpected_column"] == "warning" and sev["dtype_mismatch"] == "error"
    ev = {f.check: f.evidence for f in r}
    assert ev["unexpected_category"]["failure_cases"] == [{"row": 2, "value": "Atlantis"}, {"row": 9, "value": "Atlantis"}]
    assert ev["unexpected_nulls"]["rows"] == [5] and ev["unexpected_nulls"]["count"] == 1
    assert [c["row"] for c in ev["uniqueness_violated"]["failure_cases"]] == [3, 11]
    assert ev["dtype_mismatch"]["failure_cases"] == [{"row": 4, "value": "n/a"}] and ev["dtype_mismatch"]["count"] == 1
    assert ev["out_of_range"]["failure_cases"][0]["row"] == 7 and ev["out_of_range"]["failure_cases"][0]["value"].startswith("2035-01-01")
    assert set(IDS) == {f.check for f in r}
    assert len(validate(to_backend(df), s)) == 0  # and silence on the clean frame


def test_integer_schema_accepts_whole_floats_only(backend, to_backend):
    s = infer_schema(pd.DataFrame({"n": np.arange(30)}))
    assert len(validate(to_backend(pd.DataFrame({"n": np.arange(30, dtype=float)})), s)) == 0
    r = validate(to_backend(pd.DataFrame({"n": np.arange(30) + 0.5})), s)
    assert "dtype_mismatch" in r.checks
    assert validate(to_backend(pd.DataFrame({"n": [float(i) if i % 2 else None for i in range(30)]})), s).checks == ["unexpected_nulls"]


def test_timezones(backend, to_backend):
    aware = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=5, freq="h", tz="Europe/Paris")})
    s = infer_schema(to_backend(aware))
    assert len(validate(to_backend(aware), s)) == 0
    utc = aware.assign(t=aware["t"].dt.tz_convert("UTC"))
    r = validate(to_backend(utc), s)  # same instants, other zone: a warning, and the range still holds
    assert [(f.check, f.severity) for f in r] == [("dtype_mismatch", "warning")]
    naive = aware.assign(t=aware["t"].dt.tz_localize(None))
    assert [(f.check, f.severity) for f in validate(to_backend(naive), s)] == [("dtype_mismatch", "error")]


def test_duplicated_and_unicode_column_names():
    df = pd.DataFrame([[1, 2, "x"]] * 4, columns=["a", "a", "naïve 名前"])
    s = infer_schema(df)
    assert s.names == ["a", "naïve 名前"]
    r = validate(df, s)
    assert [(f.check, f.columns) for f in r] == [("unexpected_column", ("a",))]
    assert Schema.from_dict(json.loads(s.to_json())) == s


def test_zero_rows_and_empty_frames(backend, to_backend):
    df = _clean_frame().head(0)
    s = infer_schema(to_backend(df))
    assert len(s) == 7 and all(c.min is None for c in s)
    assert len(validate(to_backend(df), s)) == 0
    assert len(validate(to_backend(_clean_frame()), s)) == 0
    empty = infer_schema(pd.DataFrame())
    assert len(empty) == 0 and validate(pd.DataFrame(), empty).ok


@pytest.mark.parametrize("bad", [[1, 2], {"a": [1]}, 3.5, None, np.arange(3)])
def test_non_tables_get_a_type_error(bad):
    with pytest.raises(TypeError, match="got "):
        infer_schema(bad)
    with pytest.raises(TypeError, match="got "):
        validate(bad, Schema())


def test_public_names():
    assert mlkit.infer_schema is infer_schema and mlkit.validate is validate and mlkit.Schema is Schema


# --- property-based: never raise ---------------------------------------------------------------

_NAMES = st.text(min_size=0, max_size=4) | st.sampled_from(["a", "a", "名", "<b>", " ", "1"])


@st.composite
def columns(draw, n):
    kind = draw(
        st.sampled_from(["int", "float", "bool", "str", "null", "mixed", "tz", "naive", "cat", "list", "nullable_int", "empty_str"])
    )
    if kind == "int":
        return pd.Series(draw(st.lists(st.integers(-(2**62), 2**62), min_size=n, max_size=n)), dtype="int64")
    if kind == "nullable_int":
        return pd.Series(draw(st.lists(st.none() | st.integers(-1000, 1000), min_size=n, max_size=n)), dtype="Int64")
    if kind == "float":
        return pd.Series(draw(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=n, max_size=n)), dtype="float64")
    if kind == "bool":
        return pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    if kind == "str":
        return pd.Series(draw(st.lists(st.none() | st.text(max_size=5), min_size=n, max_size=n)), dtype=object)
    if kind == "empty_str":
        return pd.Series([""] * n, dtype=object)
    if kind == "null":
        return pd.Series([None] * n, dtype=object)
    if kind == "mixed":
        atoms = st.none() | st.integers(-5, 5) | st.floats(allow_nan=True) | st.text(max_size=3) | st.booleans()
        return pd.Series(draw(st.lists(atoms, min_size=n, max_size=n)), dtype=object)
    if kind == "list":
        return pd.Series(draw(st.lists(st.none() | st.lists(st.integers(0, 3), max_size=2), min_size=n, max_size=n)), dtype=object)
    if kind == "cat":
        return pd.Series(pd.Categorical(draw(st.lists(st.none() | st.sampled_from(["x", "y", "z"]), min_size=n, max_size=n))))
    stamps = draw(
        st.lists(st.none() | st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2200, 1, 1)), min_size=n, max_size=n)
    )
    s = pd.Series(pd.to_datetime(stamps))
    return (
        s.dt.tz_localize(draw(st.sampled_from(["UTC", "Asia/Kolkata", "America/New_York"])), ambiguous="NaT", nonexistent="NaT")
        if kind == "tz"
        else s
    )


@st.composite
def frames(draw, max_rows=8, max_cols=5):
    n = draw(st.integers(0, max_rows))
    k = draw(st.integers(0, max_cols))
    names = [draw(_NAMES) for _ in range(k)]
    cols = [draw(columns(n)) for _ in range(k)]
    df = pd.concat(cols, axis=1) if cols else pd.DataFrame(index=range(n))
    df.columns = names
    return df


def _polars_or_none(df):
    try:
        import polars as pl

        if len(set(df.columns)) < len(df.columns):
            return None
        return pl.from_pandas(df)
    except Exception:
        return None


def _never_raises(df, other):
    s = infer_schema(df)
    assert Schema.from_dict(json.loads(s.to_json())) == s
    repeated = {c for c in df.columns if list(df.columns).count(c) > 1}
    own = validate(df, s)
    assert {f.check for f in own} <= {"unexpected_column"} and {f.columns[0] for f in own} <= {str(c) for c in repeated}, own.findings
    validate(other, s).to_json()
    p = _polars_or_none(df)
    if p is not None:
        validate(p, s).to_json()
        assert len(validate(p, infer_schema(p))) == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(frames(), frames())
def test_infer_and_validate_never_raise_fast(df, other):
    _never_raises(df, other)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(frames(max_rows=30, max_cols=8), frames(max_rows=30, max_cols=8))
def test_infer_and_validate_never_raise_many(df, other):
    _never_raises(df, other)


# --- command line ------------------------------------------------------------------------------


def _mlkit(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "mlkit", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_cli_infer_and_validate(tmp_path):
    df = _clean_frame()
    df.to_csv(tmp_path / "train.csv", index=False)
    _planted(df).to_csv(tmp_path / "bad.csv", index=False)
    r = _mlkit("schema", "infer", tmp_path / "train.csv", "-o", tmp_path / "s.json")
    assert r.returncode == 0 and "s.json" in r.stdout, r.stderr
    assert Schema.load(tmp_path / "s.json")["city"].categories == ("Lima", "Oslo", "Pune")
    printed = _mlkit("schema", "infer", tmp_path / "train.csv")
    assert printed.returncode == 0 and json.loads(printed.stdout) == json.loads((tmp_path / "s.json").read_text())
    ok = _mlkit("schema", "validate", tmp_path / "train.csv", tmp_path / "s.json")
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stdout + ok.stderr
    bad = _mlkit("schema", "validate", tmp_path / "bad.csv", tmp_path / "s.json", "--format", "json")
    assert bad.returncode == 1
    assert {f["check"] for f in json.loads(bad.stdout)["findings"]} >= {
        "missing_column",
        "unexpected_category",
        "unexpected_nulls",
        "uniqueness_violated",
    }
    assert _mlkit("schema", "validate", tmp_path / "bad.csv", tmp_path / "s.json", "--fail-on", "none").returncode == 0


def test_cli_bad_input_exits_2_with_one_line(tmp_path):
    _clean_frame().to_csv(tmp_path / "train.csv", index=False)
    r = _mlkit("schema", "infer", tmp_path / "missing.csv")
    assert r.returncode == 2 and "missing.csv" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    (tmp_path / "broken.json").write_text('{"columns": {"a": {"type": "number"}}}')
    r = _mlkit("schema", "validate", tmp_path / "train.csv", tmp_path / "broken.json")
    assert r.returncode == 2 and "broken.json" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    r = _mlkit("schema", "validate", tmp_path / "train.csv", tmp_path / "none.json")
    assert r.returncode == 2 and "none.json" in r.stderr
    assert _mlkit("schema").returncode == 2
    (tmp_path / "ragged.csv").write_text("a,b\n1,2\n3,4,5\n")
    r = _mlkit("schema", "infer", tmp_path / "ragged.csv")
    assert r.returncode == 2 and "ragged.csv, line 3" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
