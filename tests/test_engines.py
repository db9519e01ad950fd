"""Same answers on every engine: data checks, schema inference and validation, and compare on pandas,
polars (eager and lazy), DuckDB and PySpark (local[2]), and on a scanned Parquet folder.

One frame plants a defect of every check family; pandas is the reference. Each engine must report the
same check ids, columns and severities, the same exact counts, and quartile fences within the stated
tolerance (`FENCE_TOL`: Spark and DuckDB compute quantiles in the engine). Row positions come back
from engines with a row order (pandas, polars, polars lazy); DuckDB and Spark say in the evidence that
they have none. The Spark tests start one SparkSession for the module and are marked slow.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

import mlkit
from mlkit.checks import check
from mlkit.compare import compare
from mlkit.compare.lazy import EXACT_DISTINCT
from mlkit.data.sources import as_frame, scan
from mlkit.schema import infer_schema, validate

COUNTS = ("count", "missing", "duplicate_rows", "rows_involved", "distinct_duplicated_rows", "groups", "rows", "below", "above",
          "top_count", "values", "group_counts", "class_counts", "rare_classes", "small_groups")  # fmt: skip
FENCE_TOL = 0.02  # relative: quartiles computed by the engine (approximate percentiles on Spark)
ORDERED = ("pandas", "polars", "polars-lazy")  # engines with a row order: row positions equal to pandas'


def defect_frame(n: int = 400, seed: int = 1) -> pd.DataFrame:
    "A frame with a planted defect of every check family (structure, missing, numbers, text, relations, target, bias)."
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "uid": np.arange(n), "age": rng.integers(18, 80, n), "income": rng.normal(50_000, 8_000, n).round(2),
        "height": rng.normal(170, 10, n).round(1), "city": rng.choice(["Berlin", "Paris", "Rome", "Madrid"], n),
        "plan": rng.choice(["free", "basic", "pro"], n), "price": [f"${v:,.2f}" for v in rng.uniform(1000, 5000, n)],
        "const": 1, "member": rng.random(n) < 0.4, "group": rng.choice(["a", "b"], n, p=[0.97, 0.03]),
        "label": rng.choice(["yes", "no"], n, p=[0.95, 0.05]),
    })  # fmt: skip
    df["income2"] = df["income"] * 2 + rng.normal(0, 1, n)  # correlated copy
    df["leak"] = df["label"].map({"yes": "Y", "no": "N"})  # target leakage
    df.loc[0:29, "income"] = np.nan  # missing values
    df.loc[30:39, "age"] = -999  # disguised missing (number)
    df.loc[40:41, "height"] = np.inf  # infinite values
    df.loc[42:49, "height"] = 5000.0  # outliers
    df.loc[50:59, "city"] = "N/A"  # disguised missing (text)
    df.loc[60:64, "plan"], df.loc[65:69, "plan"] = "Pro ", "PRO"  # inconsistent categories
    df["city_copy"] = df["city"]  # duplicate column
    dup = df.iloc[100:105].copy()
    conflict = df.iloc[[200]].copy()
    conflict["label"] = "no" if df.loc[200, "label"] == "yes" else "yes"  # conflicting label
    return pd.concat([df, dup, conflict], ignore_index=True)


@pytest.fixture(scope="module")
def frame():
    return defect_frame()


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark")
    if not shutil.which("java"):
        pytest.skip("PySpark needs java: run tools/java-setup.sh")
    from mlkit.data.sources import spark_session

    session = spark_session()
    yield session
    session.stop()


def as_engine(df: pd.DataFrame, engine: str, spark=None):
    import polars as pl

    if engine == "pandas":
        return df
    if engine == "polars":
        return pl.from_pandas(df)
    if engine == "polars-lazy":
        return pl.from_pandas(df).lazy()
    if engine == "duckdb":
        duckdb = pytest.importorskip("duckdb")  # the duckdb extra (the lean env has none)

        return duckdb.connect().from_arrow(pl.from_pandas(df).to_arrow())
    return spark.createDataFrame(df)


def run_check(data):
    return check(data, target="label", sensitive="group")


@pytest.fixture(scope="module")
def reference(frame):
    return run_check(frame)


def keyed(report) -> dict:
    return {(f.check, f.columns): f for f in report.findings}


def assert_same_findings(report, reference, engine: str) -> None:
    got, want = keyed(report), keyed(reference)
    assert "check_failed" not in {k[0] for k in got}, [f.message for f in report.findings if f.check == "check_failed"]
    assert {k: f.severity for k, f in got.items()} == {k: f.severity for k, f in want.items()}
    for key, f in want.items():
        g = got[key]
        for k in COUNTS:
            if k in f.evidence:
                assert g.evidence[k] == f.evidence[k], (engine, key, k)
        if "fences" in f.evidence:
            assert g.evidence["fences"] == pytest.approx(f.evidence["fences"], rel=FENCE_TOL), (engine, key)
        if "row_positions" in f.evidence:
            if "row_positions_unavailable" in g.evidence:  # said, not skipped: DuckDB and Spark, and duplicates on any lazy engine
                assert engine not in ("pandas", "polars") and g.evidence["row_positions"] == [], (engine, key)
                assert engine not in ORDERED or key[0] == "duplicate_rows", (engine, key)
            else:
                assert engine in ORDERED and g.evidence["row_positions"] == f.evidence["row_positions"], (engine, key)


def test_reference_finds_every_family(reference):
    "The planted defects fire on pandas (so that the parity below compares something)."
    ids = set(reference.checks)
    assert {"duplicate_rows", "duplicate_columns", "constant_column", "missing_values", "disguised_missing",
            "infinite_values", "outliers", "inconsistent_categories", "numeric_as_text", "highly_correlated_features",
            "target_leakage", "conflicting_labels", "class_imbalance", "underrepresented_group"} <= ids  # fmt: skip


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb"])
def test_check_same_on_engine(engine, frame, reference):
    report = run_check(as_engine(frame, engine))
    assert_same_findings(report, reference, engine)
    assert report.meta["engine"] == {"polars": "polars", "polars-lazy": "polars-lazy", "duckdb": "duckdb"}[engine]


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_scanned_parquet_folder_same(engine, frame, reference, tmp_path):
    for i, part in enumerate(np.array_split(np.arange(len(frame)), 3)):
        frame.iloc[part].to_parquet(tmp_path / f"part-{i}.parquet", index=False)
    data = scan(tmp_path, engine=engine)
    assert_same_findings(run_check(data), reference, "polars-lazy" if engine == "polars" else engine)


def clean_part() -> pd.DataFrame:
    "The reference the defects break: a slice of the planted frame without them (ranges, categories, nulls)."
    return defect_frame().iloc[300:400].reset_index(drop=True)


VALIDATION_COUNTS = ("count", "below", "above")


def keyed_plain(report) -> dict:
    return {(f.check, f.columns): f for f in report.findings}


def assert_same_validation(got, want, engine: str) -> None:
    "Same ids, columns, severities and exact counts; the same failing values; the same row positions where the engine has a row order."
    g, w = keyed_plain(got), keyed_plain(want)
    assert {k: f.severity for k, f in g.items()} == {k: f.severity for k, f in w.items()}, engine
    for key, f in w.items():
        for k in VALIDATION_COUNTS:
            if k in f.evidence:
                assert g[key].evidence[k] == f.evidence[k], (engine, key, k)
        cases, want_cases = g[key].evidence.get("failure_cases", []), f.evidence.get("failure_cases", [])
        if engine in ORDERED:
            assert cases == want_cases, (engine, key)
        elif want_cases:  # no row order: the failing values are real ones of the column, and the evidence says why there are no positions
            assert "row_positions_unavailable" in g[key].evidence and all(c["row"] is None for c in cases), (engine, key)
            assert len(cases) == len(want_cases), (engine, key)


def assert_same_comparison(got, want, engine: str) -> None:
    "Same findings (ids, columns, severities, exact counts) and the same drift table (methods, verdicts; p-values and effects to 1e-9)."
    g, w = keyed_plain(got), keyed_plain(want)
    assert {k: f.severity for k, f in g.items()} == {k: f.severity for k, f in w.items()}, engine
    for key, f in w.items():
        assert g[key].evidence.get("count") == f.evidence.get("count"), (engine, key)
        if engine in ORDERED and "current_rows" in f.evidence:
            assert g[key].evidence["current_rows"] == f.evidence["current_rows"], (engine, key)
    gd, wd = got.drift.set_index("column"), want.drift.set_index("column")
    assert list(gd.index) == list(wd.index) and list(gd["method"]) == list(wd["method"]) and list(gd["drifted"]) == list(wd["drifted"])
    for col in ("statistic", "p_value", "effect", "n_reference", "n_current"):
        assert np.allclose(gd[col].astype(float), wd[col].astype(float), rtol=1e-9, equal_nan=True), (engine, col)


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb"])
def test_schema_same_on_engine(engine, frame):
    "infer_schema: the same schema (types, nullability, ranges, categories, keys) on every engine; validate: the same violations."
    assert infer_schema(as_engine(frame, engine)) == infer_schema(frame)
    schema = infer_schema(clean_part())
    want = validate(frame, schema)
    assert {"out_of_range", "unexpected_category"} <= set(want.checks)
    assert_same_validation(validate(as_engine(frame, engine), schema), want, engine)


def test_validation_every_rule_on_engines(frame):
    "A strict schema that every rule breaks (nulls, type, range, categories, key, text that should be numbers), on every engine."
    schema = infer_schema(clean_part()).to_dict()
    cols = schema["columns"]
    cols["income"]["nullable"] = False  # 30 planted missing values
    cols["group"] = {"type": "string", "nullable": False, "unique": True}  # a key that repeats
    cols["price"] = {
        "type": "float",
        "nullable": True,
        "unique": False,
        "min": None,
        "max": None,
    }  # "$1,234.56" text: unreadable as numbers
    cols["label"]["categories"] = ["yes"]  # "no" is outside
    cols["gone"] = {"type": "integer", "nullable": True, "unique": False, "min": None, "max": None}  # missing_column
    want = validate(frame, schema)
    assert {"unexpected_nulls", "uniqueness_violated", "dtype_mismatch", "unexpected_category", "out_of_range", "missing_column"} <= set(
        want.checks
    )
    for engine in ("polars", "polars-lazy", "duckdb"):
        assert_same_validation(validate(as_engine(frame, engine), schema), want, engine)


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb"])
def test_compare_same_on_engine(engine, frame):
    "compare: the same findings and drift table, with the target (new labels, label drift) and overlap."
    clean = clean_part()
    want = compare(clean, frame, target="label")
    assert {"new_categories", "feature_drift", "train_test_overlap"} <= set(want.checks)
    assert_same_comparison(compare(as_engine(clean, engine), as_engine(frame, engine), target="label"), want, engine)


def test_compare_mixed_sides(frame):
    "A pandas reference against a lazy current (and the reverse): each side in its own engine, the same answers."
    clean = clean_part()
    want = compare(clean, frame)
    assert_same_comparison(compare(clean, as_engine(frame, "duckdb")), want, "duckdb")
    assert_same_comparison(compare(as_engine(clean, "polars-lazy"), frame), want, "polars-lazy")


@pytest.mark.parametrize("engine", ["polars-lazy", "duckdb"])
def test_profile_same_on_engine(engine, frame):
    "profile on a lazy engine: the same table (types, counts, missing, distinct, top values) and findings as pandas, charts drawn."
    from mlkit.profile import profile

    want, got = profile(frame, target="label"), profile(as_engine(frame, engine), target="label")
    cols = ["column", "type", "count", "missing", "distinct", "top", "top_count"]
    assert got.table[cols].equals(want.table[cols]) and sorted(got.checks) == sorted(want.checks)
    assert np.allclose(got.table["mean"].astype(float), want.table["mean"].astype(float), equal_nan=True)
    assert got.meta["statistics_passes"]["columns"] == 1 and got.meta["statistics_passes"]["profile_head"] == 1
    for name in ("city", "income", "member"):
        assert got.charts._factories[name]().to_dict(), name  # drawn (a Vega-Lite spec)


@pytest.mark.parametrize("engine", ["polars-lazy", "duckdb"])
def test_monitor_same_on_engine(engine, frame):
    "monitor without a model on lazy inputs: the same drift table and findings (drift, label drift, schema) as on pandas."
    from mlkit.monitor import monitor

    clean = clean_part()
    want = monitor(clean, frame, target="label", schema=infer_schema(clean))
    got = monitor(as_engine(clean, engine), as_engine(frame, engine), target="label", schema=infer_schema(clean))
    assert sorted((f.check, f.columns, f.severity) for f in got) == sorted((f.check, f.columns, f.severity) for f in want)
    assert got.drift.equals(want.drift) and got.meta["current_rows"] == len(frame)


class QueryLog:
    "Every polars plan the analyses run (LazyFrame.collect): how many, and how many rows each brought back."

    def __init__(self, monkeypatch):
        import polars as pl

        self.rows: list = []
        real = pl.LazyFrame.collect

        def counted(lf, *args, **kwargs):
            out = real(lf, *args, **kwargs)
            self.rows.append(out.height)
            return out

        monkeypatch.setattr(pl.LazyFrame, "collect", counted)

    def take(self) -> list:
        rows, self.rows = self.rows, []
        return rows


def wider(df: pd.DataFrame, times: int) -> pd.DataFrame:
    "`df` with its columns repeated `times` (renamed): more columns, the same kinds of statistics."
    return pd.concat([df.add_suffix(f"_{i}" if i else "") for i in range(times)], axis=1)


def test_lazy_queries_fixed_in_number_and_small(frame, monkeypatch):
    """On a polars LazyFrame, schema inference, validation and compare run a number of queries that does not grow with the columns,
    and no query brings the frame back: each result is one row, the distinct values of few-valued columns, or a bounded head."""
    import polars as pl

    log = QueryLog(monkeypatch)
    counts = {}
    for times in (1, 3):
        df, clean = wider(frame, times), wider(clean_part(), times)
        lazy, lazy_clean = pl.from_pandas(df).lazy(), pl.from_pandas(clean).lazy()
        schema = infer_schema(lazy_clean)
        inferred = log.take()
        report = validate(lazy, schema)
        validated = log.take()
        comparison = compare(lazy_clean, lazy)
        compared = log.take()
        failures = sum(bool(f.evidence.get("failure_cases")) for f in report)
        positions = sum(bool(f.evidence.get("current_rows")) and f.check == "new_categories" for f in comparison)
        counts[times] = (len(inferred), len(validated), len(compared) - positions)
        assert len(validated) - 2 <= 3 * len(report.findings) and failures, validated  # bounded queries only for what failed
        assert max(inferred) == sum(len(c.categories or ()) for c in schema), inferred  # one row, and the categories themselves
        assert max(validated) <= 20, validated  # one row, head(5) failure cases, the 20 most frequent unexpected values
        # compare: the two bounded heads of the row-level checks (here the whole small frames), then value counts of few-valued columns
        # (value counts: at most EXACT_DISTINCT values a column; columns with more are tested on quantile grids)
        assert max(compared[2:4]) == len(df) and max(compared[4:]) <= EXACT_DISTINCT * df.shape[1], compared
    # a fixed number of queries whatever the columns: inference 3 (row count, counts select, categories); compare 10 plus one per
    # new-categories finding; validation 2 (row count, one aggregation of every rule) plus bounded queries per violation found (3x here)
    assert counts[1][0] == counts[3][0] == 3 and counts[1][2] == counts[3][2] == 10, counts
    assert counts[3][1] - 2 == 3 * (counts[1][1] - 2), counts


def test_lazy_frame_is_not_collected(frame):
    "The column pass runs once, as engine queries on the LazyFrame; the frame stays lazy."
    import polars as pl

    from mlkit.checks.engine import check_with_stats

    report, fs = check_with_stats(pl.from_pandas(frame).lazy(), target="label")
    assert fs.lazy and fs.passes["columns"] == 1 and report.meta["rows"] == len(frame)


def test_unknown_input_names_what_is_accepted():
    with pytest.raises(TypeError, match="DuckDB relation, a PySpark DataFrame"):
        as_frame({"a": [1]})
    with pytest.raises(FileNotFoundError, match="matches no file"):
        mlkit.check("/nonexistent/*.parquet")


@pytest.mark.slow
def test_spark_same(frame, reference, spark, tmp_path):
    "PySpark local[2]: check, schema inference and validation, compare, and a Parquet folder read by Spark."
    sdf = as_engine(frame, "spark", spark).cache()
    report = run_check(sdf)
    assert report.meta["engine"] == "spark"
    assert_same_findings(report, reference, "spark")
    assert infer_schema(sdf) == infer_schema(frame)
    clean = clean_part()
    schema = infer_schema(clean)
    assert infer_schema(as_engine(clean, "spark", spark)) == schema
    assert_same_validation(validate(sdf, schema), validate(frame, schema), "spark")
    assert_same_comparison(compare(as_engine(clean, "spark", spark), sdf, target="label"), compare(clean, frame, target="label"), "spark")
    from mlkit.monitor import monitor
    from mlkit.profile import profile

    want = monitor(clean, frame, target="label")
    got = monitor(as_engine(clean, "spark", spark), sdf, target="label")
    assert sorted((f.check, f.columns) for f in got) == sorted((f.check, f.columns) for f in want) and got.drift.equals(want.drift)
    cols = ["column", "type", "count", "missing", "distinct", "top", "top_count"]
    assert profile(sdf, target="label").table[cols].equals(profile(frame, target="label").table[cols])
    frame.to_parquet(tmp_path / "part-0.parquet", index=False)
    assert_same_findings(run_check(scan(tmp_path, engine="spark")), reference, "spark")


def _duck_relation(memory_limit: str):
    "2M rows with two high-cardinality integers, an id, a high-cardinality text and a float, in a DuckDB held to `memory_limit`."
    import duckdb
    import narwhals as nw

    con = duckdb.connect()
    con.execute(f"SET memory_limit='{memory_limit}'; SET threads=2")
    sql = "select i as id, (i * 7919) % 2000003 as a, (i * 104729) % 1999993 as b, 'x' || (i % 1500000)::varchar as t, random() as r from range(2000000) t(i)"
    return nw.from_native(con.sql(sql)), con


@pytest.mark.slow
def test_duckdb_memory_limit_splits_queries_and_finds_the_same():
    roomy, _c1 = _duck_relation("2GB")
    tight, _c2 = _duck_relation("128MB")  # the one-query column pass and sentinel pass do not fit: they are split
    want, got = check(roomy, progress=False), check(tight, progress=False)
    assert "check_failed" not in want.checks and "check_failed" not in got.checks, got.checks
    assert sorted((f.check, f.columns, f.severity) for f in got.findings) == sorted((f.check, f.columns, f.severity) for f in want.findings)
    assert {"id_like_column", "high_cardinality"} <= set(got.checks)


@pytest.mark.slow
def test_duckdb_out_of_memory_in_the_column_pass_is_an_error_that_says_so():
    starved, _con = _duck_relation("64MB")  # one aggregate alone does not fit
    report = check(starved, progress=False)
    failed = report.filter(check="check_failed").findings
    assert failed and failed[0].severity == "error" and not report.ok, report.summary()
    assert "memory" in failed[0].fix and "not a clean bill of health" in failed[0].fix


@pytest.mark.slow
def test_spark_quartiles_in_one_percentile_per_column_match_pandas(frame, spark):
    import narwhals as nw

    from mlkit.data.stats import FrameStats

    want = FrameStats(nw.from_native(frame)).columns
    got = FrameStats(nw.from_native(as_engine(frame, "spark", spark))).columns
    numeric = [c for c, s in want.items() if s["kind"] == "numeric" and s["present"]]
    assert len(numeric) >= 3
    for c in numeric:
        for stat in ("q1", "median", "q3"):
            assert got[c][stat] == pytest.approx(want[c][stat], rel=1e-9, abs=1e-9), (c, stat)


@pytest.mark.slow
def test_spark_names_with_dots_and_backticks(spark):
    "Spark parses '.' and '`' in a column reference (narwhals does not escape them): mlkit reads them as look-alikes and reports the user's names."
    rng = np.random.default_rng(0)
    pdf = pd.DataFrame({"a.b": rng.normal(size=300), "c`d": rng.choice(["x", "y"], 300), "plain": rng.integers(0, 5, 300)})
    pdf.loc[:9, "a.b"] = np.nan
    sdf = spark.createDataFrame(pdf)
    report = check(sdf, progress=False)
    assert_same_findings(report, check(pdf, progress=False), "spark")
    assert report.filter(check="missing_values", column="a.b").findings[0].message.startswith("Column 'a.b' has 10 missing")
    assert check(sdf, target="c`d", progress=False).meta["target"] == "c`d"
    assert infer_schema(sdf) == infer_schema(pdf)  # the user's names, so the schema validates either engine
    assert validate(sdf, infer_schema(pdf)).ok
    broken = pdf.assign(plain=pdf["plain"].where(pdf.index > 0, 99))
    got = validate(spark.createDataFrame(broken), infer_schema(pdf))
    assert [(f.check, f.columns) for f in got.findings] == [("out_of_range", ("plain",))]
    prof = mlkit.profile(sdf, target="c`d", progress=False)  # the profile's table and charts: the user's names too
    assert list(prof.table["column"]) == ["a.b", "c`d", "plain"] and {"a.b", "a.b by c`d"} <= set(prof.charts)
    assert prof.table.set_index("column").loc["a.b", "missing"] == 10 and prof.meta["target"] == "c`d"
    shifted = pdf.assign(**{"a.b": pdf["a.b"] + 3})
    both = compare(shifted, sdf, target="c`d", progress=False)  # a pandas side and a Spark side share their columns
    assert not both.filter(check=["missing_columns", "new_columns", "nothing_compared"]).findings
    assert both.filter(check="feature_drift", column="a.b").findings and list(both.drift["column"]) == ["a.b", "plain", "c`d"]
    watched = mlkit.monitor(shifted, sdf, target="c`d")  # and monitoring a Spark batch against a pandas reference
    assert watched.filter(check="feature_drift", column="a.b").findings and "a.b" in list(watched.drift["column"])
    assert not watched.filter(check=["missing_columns", "nothing_compared"]).findings and watched.meta["target"] == "c`d"
