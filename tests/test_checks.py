"""Tests of `mlkit.check`: every check planted and found, clean data silent, on pandas and polars; bad input; the CLI."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import mlkit
from mlkit.checks import CHECKS, CheckConfig, check
from mlkit.checks.examples import clean_frame, planted  # the lessons' fixtures: a tidy frame, a defect planted in a copy
from mlkit.core import MlkitInputError, Report


def _flip(d):
    return d.head(10).assign(label=d.head(10)["label"].map({"yes": "no", "no": "yes"}))


# check id -> (plant the defect into the clean frame, check() keyword arguments, columns the finding must name)
CASES = {
    "empty_dataset": (lambda d: d.head(0), {}, ()),
    "duplicate_column_names": (lambda d: pd.concat([d, d[["age"]]], axis=1), {}, ("age",)),
    "duplicate_rows": (lambda d: pd.concat([d, d.head(20)], ignore_index=True), {}, ()),
    "duplicate_columns": (lambda d: d.assign(age_copy=d["age"]), {}, ("age", "age_copy")),
    "constant_column": (lambda d: d.assign(country="DE"), {}, ("country",)),
    "near_constant_column": (lambda d: d.assign(flag=["a"] * (len(d) - 5) + ["b"] * 5), {}, ("flag",)),
    "id_like_column": (lambda d: d.assign(customer_id=np.arange(len(d)) + 1000), {}, ("customer_id",)),
    "column_not_analysed": (lambda d: d.assign(tags=[[i % 3, 1] for i in range(len(d))]), {}, ("tags",)),
    "high_cardinality": (lambda d: d.assign(street=[f"street {i % 400}" for i in range(len(d))]), {}, ("street",)),
    "missing_values": (lambda d: planted(d, "income", slice(0, 100), np.nan), {}, ("income",)),
    "disguised_missing": (lambda d: planted(planted(d, "city", slice(0, 30), "N/A"), "age", slice(0, 10), -999), {}, ("city", "age")),
    "infinite_values": (lambda d: planted(d, "income", slice(0, 3), np.inf), {}, ("income",)),
    "outliers": (lambda d: planted(d, "height", slice(0, 5), 1700.0), {}, ("height",)),
    "skewed_distribution": (lambda d: d.assign(wait=np.random.default_rng(1).lognormal(0, 1.5, len(d))), {}, ("wait",)),
    "special_characters": (
        lambda d: planted(planted(d, "city", slice(0, 5), "Ber\x00lin"), "plan", slice(0, 5), "###"),
        {},
        ("city", "plan"),
    ),
    "string_length_outliers": (lambda d: planted(d, "code", slice(0, 3), "K00001 see the attached scan of the form"), {}, ("code",)),
    "mixed_types": (lambda d: d.assign(room=[str(i % 50) if i % 4 else "lobby" for i in range(len(d))]), {}, ("room",)),
    "numeric_as_text": (lambda d: d.assign(price=[f"${x:,.2f}" for x in d["income"]]), {}, ("price",)),
    "datetime_as_text": (lambda d: d.assign(signup_text=d["signup"].dt.strftime("%Y-%m-%d")), {}, ("signup_text",)),
    "inconsistent_categories": (
        lambda d: planted(planted(d, "city", slice(0, 20), "berlin "), "plan", slice(20, 30), "basci"),
        {},
        ("city", "plan"),
    ),
    "untidy_column_headers": (
        lambda d: d.assign(**{"2019": d["income"] * 0.9, "2020": d["income"], "2021": d["income"] * 1.1}),
        {},
        ("2019", "2020", "2021"),
    ),
    "multiple_values_in_cell": (
        lambda d: d.assign(tags=np.random.default_rng(2).choice(["red;green", "blue", "green;blue;red", "red", "blue;red"], len(d))),
        {},
        ("tags",),
    ),
    "highly_correlated_features": (lambda d: d.assign(height_in=(d["height"] / 2.54).round(2)), {}, ("height", "height_in")),
    "target_missing": (lambda d: planted(d, "label", slice(0, 10), None), {"target": "label"}, ("label",)),
    "target_leakage": (
        lambda d: d.assign(outcome_code=d["label"].map({"yes": 1, "no": 0})),
        {"target": "label"},
        ("outcome_code", "label"),
    ),
    "class_imbalance": (lambda d: d.assign(label=["no"] * 30 + ["yes"] * (len(d) - 30)), {"target": "label"}, ("label",)),
    "rare_classes": (lambda d: planted(d, "label", slice(0, 3), "maybe"), {"target": "label"}, ("label",)),
    "conflicting_labels": (lambda d: pd.concat([d, _flip(d)], ignore_index=True), {"target": "label"}, ("label",)),
    "underrepresented_group": (lambda d: planted(d, "city", slice(0, 12), "Oslo"), {"sensitive": ["city"]}, ("city",)),
    "label_errors": (  # the label follows age and height, 40 of them flipped; off unless asked for (it trains a model)
        lambda d: d.assign(label=np.where((d["age"] + d["height"] / 5 > 83) ^ (np.arange(len(d)) % 25 == 0), "yes", "no")),
        {"target": "label", "config": {"label_errors": True}},
        ("label",),
    ),
    "outcome_disparity": (
        lambda d: d.assign(label=np.where((d["city"] == "Rome") & (np.arange(len(d)) % 5 != 0), "no", d["label"])),
        {"target": "label", "sensitive": ["city"]},
        ("city", "label"),
    ),
}


@pytest.fixture(scope="module")
def clean():
    return clean_frame()


@pytest.fixture
def run_check(backend, to_backend, tmp_path):
    "check() on the current backend; frames polars cannot hold (duplicated names) go through a CSV file."

    def run(df, **kwargs):
        if backend == "polars" and df.columns.duplicated().any():
            path = tmp_path / "frame.csv"
            df.to_csv(path, index=False)
            return check(path, **kwargs)
        return check(to_backend(df), **kwargs)

    return run


def test_every_check_has_a_case():
    assert set(CASES) == set(CHECKS) - {"check_failed"}


def test_clean_frame_is_silent(clean, run_check):
    for kwargs in ({}, {"target": "label"}, {"target": "label", "sensitive": ["city", "plan"]}):
        report = run_check(clean, **kwargs)
        assert report.findings == [], report.to_text()


@pytest.mark.parametrize("check_id", list(CASES))
def test_planted_defect_is_found(check_id, clean, run_check):
    build, kwargs, columns = CASES[check_id]
    report = run_check(build(clean), **kwargs)
    hits = report.filter(check=check_id)
    assert hits.findings, f"{check_id} did not fire:\n{report.to_text()}"
    for c in columns:
        assert hits.filter(column=c).findings, f"{check_id} did not name {c!r}: {[f.columns for f in hits]}"
    for f in hits:
        assert f.severity in ("error", "warning", "info") and f.message and f.fix
        json.dumps(f.evidence, allow_nan=False)  # evidence is JSON-safe
    assert not report.filter(check="check_failed").findings, report.to_text()
    json.loads(report.to_json())


@pytest.mark.parametrize("check_id", list(CASES))
def test_check_is_silent_on_clean_data(check_id, clean, run_check):
    _, kwargs, _ = CASES[check_id]
    assert not run_check(clean, **kwargs).filter(check=check_id).findings


def test_evidence_has_positions_and_examples(clean, run_check):
    report = run_check(planted(planted(clean, "city", slice(3, 33), "N/A"), "income", slice(5, 8), np.inf))
    dm = report.filter(check="disguised_missing", column="city").findings[0]
    assert dm.evidence["count"] == 30 and dm.evidence["values"] == {"N/A": 30} and dm.evidence["row_positions"] == [3, 4, 5, 6, 7]
    inf = report.filter(check="infinite_values").findings[0]
    assert inf.evidence["count"] == 3 and inf.evidence["row_positions"] == [5, 6, 7]
    assert inf.severity == "error"


def test_mixed_python_objects_pandas(clean):
    report = check(clean.assign(reading=[1.5, "n/a", 3, "high"] * 250))
    f = report.filter(check="mixed_types", column="reading").findings[0]
    assert f.evidence["types"] == {"number": 500, "text": 500}


def test_disguised_missing_rules(clean, run_check):
    # -1 repeated below a non-negative column is a code; -1 inside a standardised column is a value
    rng = np.random.default_rng(3)
    df = clean.assign(score=rng.normal(0, 1, 1000).round(2), visits=rng.integers(0, 30, 1000))
    df.loc[:9, "visits"] = -1
    df.loc[:9, "score"] = -1.0
    report = run_check(df)
    assert report.filter(check="disguised_missing", column="visits").findings
    assert not report.filter(check="disguised_missing", column="score").findings
    assert not run_check(clean.assign(magnesium=rng.integers(70, 160, 1000))).findings  # 99 among 70..160 is a value


def test_sentinels_are_not_counted_as_outliers(clean, run_check):
    # -999 standing for missing is one finding (disguised_missing), not also 40 outliers
    rng = np.random.default_rng(3)
    df = clean.assign(visits=rng.normal(50, 5, 1000).round(1))
    df.loc[:39, "visits"] = -999.0
    report = run_check(df)
    assert report.filter(check="disguised_missing", column="visits").findings
    assert not report.filter(check="outliers", column="visits").findings
    df.loc[40:44, "visits"] = 500.0  # real extremes beside the sentinel are still outliers, and only they are counted
    found = run_check(df).filter(check="outliers", column="visits").findings
    assert [f.evidence["count"] for f in found] == [5]


def test_sentinels_are_not_outliers_on_a_short_wide_frame():
    # 250 short columns: the fence counts run in numpy, and skip the sentinels there too
    rng = np.random.default_rng(4)
    wide = pd.DataFrame(rng.normal(50, 5, (300, 250)).round(1), columns=[f"x{j}" for j in range(250)])
    wide.iloc[:20, :] = -999.0
    report = check(wide, progress=False)
    assert len(report.filter(check="disguised_missing").findings) == 250
    assert not report.filter(check="outliers").findings


def test_duplicate_names_keep_other_checks_running(clean):
    df = pd.concat([clean, clean[["income"]].rename(columns={"income": "age"})], axis=1)
    df.iloc[:5, -1] = np.inf
    report = check(df)
    assert report.filter(check="duplicate_column_names", column="age").findings
    assert report.filter(check="infinite_values", column="age (2)").findings


def test_duplicate_names_from_csv(clean, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("a,b,a\n1,2,3\n4,5,6\n")
    report = check(path)
    assert report.filter(check="duplicate_column_names", column="a").findings[0].evidence["count"] == 2


def test_untidy_headers_months_and_series(run_check):
    months = pd.DataFrame({"store": ["a", "b", "c"], "jan": [1, 2, 3], "feb": [2, 3, 4], "mar": [3, 4, 5]})
    f = run_check(months).filter(check="untidy_column_headers").findings[0]
    assert f.severity == "warning" and f.evidence["kind"] == "months"
    series = pd.DataFrame({f"week{i}": [i, i + 1, i + 2] for i in range(1, 6)})
    f = run_check(series).filter(check="untidy_column_headers").findings[0]
    assert f.severity == "info" and f.evidence["kind"] == "numbered series"


def test_regression_target(run_check):
    rng = np.random.default_rng(4)
    x = rng.normal(0, 1, 500)
    df = pd.DataFrame({"x": x, "group": rng.choice(["a", "b"], 500), "y": 3 * x + rng.normal(0, 1, 500)})
    report = run_check(df, target="y", sensitive=["group"])
    assert report.meta["task"] == "regression" and not report.findings, report.to_text()
    leak = run_check(df.assign(y_copy=df["y"] * 2 + 0.001), target="y")
    assert leak.filter(check="target_leakage", column="y_copy").findings
    biased = df.assign(y=df["y"] + np.where(df["group"] == "a", 5.0, 0.0))
    assert run_check(biased, target="y", sensitive=["group"]).filter(check="outcome_disparity", column="group").findings


def test_categorical_association(clean, run_check):
    "Cramér's V: a category that determines another is found on the right columns; independent categories stay silent."
    region_of = {"Berlin": "east", "Paris": "west", "Rome": "south", "Madrid": "south"}
    report = run_check(clean.assign(region=clean["city"].map(region_of)))
    hits = report.filter(check="highly_correlated_features").findings
    assert len(hits) == 1 and set(hits[0].columns) == {"city", "region"}, report.to_text()
    assert hits[0].evidence["method"] == "Cramér's V (bias-corrected)" and hits[0].evidence["pairs"][0][2] > 0.99
    noisy = clean.assign(region=[region_of[c] if i % 4 else "north" for i, c in enumerate(clean["city"])])  # 25% broken: V about 0.7
    assert not run_check(noisy).filter(check="highly_correlated_features").findings
    assert not run_check(clean).filter(check="highly_correlated_features").findings
    # a boolean that follows a category counts too; the target is never a feature here
    flagged = clean.assign(is_capital=clean["city"].isin(["Berlin", "Paris", "Rome", "Madrid"]) & (clean["city"] != "Rome"))
    assert run_check(flagged).filter(check="highly_correlated_features", column="is_capital").findings
    assert not run_check(clean.assign(label=clean["plan"]), target="label").filter(check="highly_correlated_features").findings


def test_category_number_association(clean, run_check):
    "Correlation ratio: a category that sets a number is found on the right columns; independent and weak relations stay silent."
    fee_of = {"free": 0.0, "basic": 10.0, "pro": 30.0}
    noise = np.random.default_rng(6).normal(0, 1, len(clean))
    report = run_check(clean.assign(fee=clean["plan"].map(fee_of) + noise))
    hits = report.filter(check="highly_correlated_features").findings
    assert len(hits) == 1 and hits[0].columns == ("plan", "fee"), report.to_text()
    ev = hits[0].evidence
    assert ev["method"] == "correlation ratio (eta)" and ev["pairs"][0][:2] == ["plan", "fee"] and ev["pairs"][0][2] > 0.99
    assert ev["threshold"] == 0.9 and ev["rows_used"] == len(clean) and ev["sampled"] is False
    json.dumps(ev, allow_nan=False)
    assert not run_check(clean.assign(fee=50 + noise)).filter(check="highly_correlated_features").findings  # independent
    weak = clean.assign(fee=clean["plan"].map(fee_of) + 20 * noise)  # eta about 0.5
    assert not run_check(weak).filter(check="highly_correlated_features").findings
    # the target's relation is target_leakage's job; a missing category or number drops only that row
    priced = clean.assign(fee=clean["plan"].map(fee_of) + noise)
    as_target = run_check(priced, target="fee")
    assert (
        not as_target.filter(check="highly_correlated_features").findings
        and as_target.filter(check="target_leakage", column="plan").findings
    )
    gappy = planted(planted(clean.assign(fee=clean["plan"].map(fee_of) + noise), "plan", slice(0, 50), None), "fee", slice(50, 100), np.nan)
    hit = run_check(gappy).filter(check="highly_correlated_features", column="fee").findings
    assert hit and hit[0].evidence["pairs"][0][2] > 0.99


def test_correlation_ratio_small_groups_and_sample(run_check):
    "Many categories on few rows do not look associated by chance; large frames are judged on the seeded row sample."
    rng = np.random.default_rng(8)
    few = pd.DataFrame({"group": [f"g{i}" for i in rng.integers(0, 40, 120)], "x": rng.normal(0, 1, 120)})  # 3 rows per category
    assert not run_check(few).filter(check="highly_correlated_features").findings
    n = 3000
    big = pd.DataFrame({"group": rng.choice(list("abcdef"), n)})
    big["x"] = big["group"].map({c: i * 10.0 for i, c in enumerate("abcdef")}) + rng.normal(0, 1, n)
    f = run_check(big, config={"correlation_sample_rows": 500}).filter(check="highly_correlated_features").findings[0]
    assert f.columns == ("group", "x") and f.evidence["sampled"] is True and f.evidence["rows_used"] == 500


def test_inconsistent_categories_high_cardinality(run_check):
    "Case, spacing and accent variants are found among 5,000 distinct values; a clean high-cardinality column stays silent."
    names = pd.Series([f"Product {i:04d} Café" for i in range(5000)] * 4)
    planted_names = names.copy()
    planted_names[:3] = ["PRODUCT 0000 CAFÉ", "product 0001 cafe", "Product  0002 Café"]
    hits = run_check(pd.DataFrame({"product": planted_names})).filter(check="inconsistent_categories").findings
    assert len(hits) == 1 and hits[0].columns == ("product",)
    ev = hits[0].evidence
    assert ev["group_count"] == 3 and ev["row_positions"] == [0, 1, 2]
    assert {"PRODUCT 0000 CAFÉ", "Product 0000 Café"} == set(next(g for g in ev["groups"] if "PRODUCT 0000 CAFÉ" in g))
    assert not run_check(pd.DataFrame({"product": names})).filter(check="inconsistent_categories").findings
    # fuzzy spelling variants are still found among the most frequent values
    rng = np.random.default_rng(9)
    cities = pd.Series(rng.choice(["Berlin", "Hamburg", "Munich"], 6000).astype(object))
    cities[:20] = "Hambrug"
    tail = pd.Series([f"street {i}" for i in range(5000)])
    df = pd.DataFrame({"city": pd.concat([cities, tail], ignore_index=True)})
    hit = run_check(df).filter(check="inconsistent_categories").findings
    assert hit and any(set(g) == {"Hamburg", "Hambrug"} for g in hit[0].evidence["groups"])


def test_leakage_warning_tier(clean, run_check):
    "A feature that follows the label in 95% of rows: a warning (skill 0.8-0.98); a weaker hint (70%) stays silent."
    rng = np.random.default_rng(5)
    yes = clean["label"] == "yes"
    refund = np.where(rng.random(len(clean)) < 0.95, yes, ~yes)
    hits = run_check(clean.assign(refund=refund), target="label").filter(check="target_leakage").findings
    assert len(hits) == 1 and hits[0].columns == ("refund", "label") and hits[0].severity == "warning"
    assert 0.8 <= hits[0].evidence["skill"] < 0.98
    hint = np.where(rng.random(len(clean)) < 0.7, yes, ~yes)
    assert not run_check(clean.assign(hint=hint), target="label").filter(check="target_leakage").findings
    exact = run_check(clean.assign(refund=yes), target="label").filter(check="target_leakage").findings
    assert exact and exact[0].severity == "error"


def test_numeric_sensitive_is_binned(clean, run_check):
    report = run_check(clean, target="label", sensitive=["age"])
    assert not report.filter(check="underrepresented_group").findings


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "diabetes", "digits"])
def test_sklearn_datasets_have_no_errors(name, to_backend):
    from sklearn import datasets

    frame = getattr(datasets, f"load_{name}")(as_frame=True).frame
    for target in (None, "target"):
        report = check(to_backend(frame), target=target)
        assert report.ok, report.to_text()
        assert len(report.warnings) <= 5, report.to_text()
        assert not report.filter(check="check_failed").findings


def test_demo_data(backend):
    demo = mlkit.load_demo(as_frame=backend)
    report = check(demo, target="Sex", sensitive=["Island"])
    assert report.title == "Data checks: 344 rows x 17 columns"
    assert report.meta["shape"] == [344, 17] and report.meta["target"] == "Sex" and report.meta["elapsed_seconds"] >= 0
    assert report.filter(check="target_missing", column="Sex").findings
    assert report.filter(check="datetime_as_text", column="Date Egg").findings
    assert report.filter(check="constant_column", column="Region").findings
    assert not report.filter(check=["target_leakage", "conflicting_labels", "outcome_disparity", "check_failed"]).findings
    # categories that determine each other (found by fg-data-profiling's alerts; benchmarks/peers_checks.py)
    assert report.filter(check="highly_correlated_features", column="Comments").findings[0].columns == ("Clutch Completion", "Comments")
    assert set(report.filter(check="highly_correlated_features", column="studyName").findings[0].columns) == {"studyName", "Date Egg"}
    # a category that fixes a number (fg-data-profiling's alert; the correlation ratio)
    eta = report.filter(check="highly_correlated_features", column="Sample Number").findings[0]
    assert eta.columns == ("Date Egg", "Sample Number") and eta.evidence["method"] == "correlation ratio (eta)"
    assert 0.9 <= eta.evidence["pairs"][0][2] < 0.95


def test_config_overrides(clean):
    df = clean.assign(wait=np.random.default_rng(1).lognormal(0, 1.5, 1000))
    report = check(df, config=CheckConfig(disable=("outliers",), severity={"skewed_distribution": "error"}))
    assert report.checks == ["skewed_distribution"] and not report.ok
    assert check(df, config={"skew_threshold": 50}).filter(check="skewed_distribution").findings == []
    assert report.meta["config"]["disable"] == ["outliers"]
    with pytest.raises(MlkitInputError, match="skew_treshold"):
        check(df, config={"skew_treshold": 3})
    with pytest.raises(MlkitInputError, match="nope"):
        CheckConfig(severity={"nope": "error"})
    with pytest.raises(TypeError, match="config must be"):
        check(df, config=3)


def test_bad_arguments(clean, tmp_path):
    with pytest.raises(MlkitInputError, match=r"target column 'Label' is not in the data; available columns: 'age', 'income'"):
        check(clean, target="Label")
    with pytest.raises(MlkitInputError, match="sensitive column 'gender'"):
        check(clean, sensitive="gender")
    with pytest.raises(TypeError, match="builtins.dict"):
        check({"a": [1, 2]})
    with pytest.raises(TypeError, match="numpy.ndarray"):
        check(np.zeros((3, 3)))
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,4\n5,6,7,8\n")
    with pytest.raises(MlkitInputError, match=r"bad\.csv, line 4"):
        check(bad)
    with pytest.raises(FileNotFoundError, match="missing.csv"):
        check(tmp_path / "missing.csv")


def test_polars_lazyframe_and_parquet(clean, tmp_path):
    pl = pytest.importorskip("polars")
    df = planted(clean, "income", slice(0, 3), np.inf)
    assert check(pl.from_pandas(df).lazy()).filter(check="infinite_values").findings
    path = tmp_path / "f.parquet"
    df.to_parquet(path)
    assert check(path).filter(check="infinite_values").findings


def test_engines_agree(clean):
    pytest.importorskip("polars")
    df = CASES["disguised_missing"][0](CASES["inconsistent_categories"][0](clean)).assign(price=[f"${x:,.2f}" for x in clean["income"]])
    native = check(df, config={"engine": "native"})
    polars = check(df, config={"engine": "polars"})
    assert native.meta["engine"] == "pandas" and polars.meta["engine"].startswith("polars")
    assert [(f.check, f.columns) for f in native] == [(f.check, f.columns) for f in polars]


def test_sampled_paths_on_small_frame(clean):
    "The large-frame code paths (sampled quartiles, sampled text scans) run on a small frame with tiny sample sizes."
    df = CASES["disguised_missing"][0](clean).assign(
        street=[f"street {i}" for i in range(1000)], height=planted(clean, "height", slice(0, 5), 1700.0)["height"]
    )
    report = check(df, config={"quantile_sample_rows": 300, "max_distinct_scan": 100, "polars_min_rows": 10**9})
    assert report.filter(check="outliers", column="height").findings
    assert report.filter(check="disguised_missing", column="city").findings[0].evidence["count"] == 30
    hc = report.filter(check="high_cardinality", column="street").findings[0]
    assert hc.evidence["distinct_counted_on_sample"] is True
    assert not report.filter(check="check_failed").findings


def test_report_html_escapes_and_groups(clean):
    df = planted(clean.rename(columns={"city": "<script>alert(1)</script>"}), "<script>alert(1)</script>", slice(0, 30), "N/A")
    html = check(df, target="label").to_html()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_report_chart(clean):
    pytest.importorskip("mlkit.charts")
    report = check(CASES["disguised_missing"][0](clean))
    spec = report.chart().to_dict()
    rows = [r for values in spec["datasets"].values() for r in values]
    assert {r.get("column") for r in rows} >= {"city", "age"}  # one bar per column with a finding


def test_report_roundtrip(clean):
    report = check(CASES["outliers"][0](clean))
    again = Report.from_json(report.to_json())
    assert again.to_dict() == report.to_dict()


def test_import_mlkit_stays_light():
    code = "import sys, mlkit; mlkit.CheckConfig; print(any(m in sys.modules for m in ('sklearn', 'altair', 'scipy', 'polars')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- command line -------------------------------------------------------------------


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "mlkit", "check", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.mark.slow
def test_cli_exit_codes_and_formats(clean, tmp_path):
    clean = clean.drop(columns="signup")  # a CSV stores dates as text (datetime_as_text)
    good = tmp_path / "good.csv"
    clean.to_csv(good, index=False)
    r = _cli(good, "--target", "label", "--sensitive", "city", "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["ok"] and data["meta"]["target"] == "label" and data["meta"]["sensitive"] == ["city"]

    bad = tmp_path / "bad.csv"
    planted(clean, "label", slice(0, 10), None).to_csv(bad, index=False)
    r = _cli(bad, "--target", "label")
    assert r.returncode == 1 and "target_missing" in r.stdout

    out = tmp_path / "report.html"
    r = _cli(bad, "--target", "label", "-o", out, "--fail-on", "none")
    assert r.returncode == 0 and out.read_text().startswith("<!DOCTYPE html>")
    r = _cli(bad, "--format", "markdown", "--fail-on", "warning")
    assert r.returncode == 0 and "| severity |" in r.stdout  # no warnings without the target


@pytest.mark.slow
def test_cli_bad_input(clean, tmp_path):
    r = _cli(tmp_path / "nope.csv")
    assert r.returncode == 2 and "nope.csv" in r.stderr and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    good = tmp_path / "good.csv"
    clean.to_csv(good, index=False)
    r = _cli(good, "--target", "Label")
    assert r.returncode == 2 and "available columns" in r.stderr and "Traceback" not in r.stderr
    broken = tmp_path / "broken.csv"
    broken.write_text("a,b\n1,2\n3,4,5\n")
    r = _cli(broken)
    assert r.returncode == 2 and "broken.csv, line 3" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow
def test_cli_config_files(clean, tmp_path):
    clean = clean.drop(columns="signup")
    data = tmp_path / "d.csv"
    clean.assign(wait=np.random.default_rng(1).lognormal(0, 1.5, 1000)).to_csv(data, index=False)
    yml = tmp_path / "c.yaml"
    yml.write_text("disable: [outliers]\nskew_threshold: 1.5\n")
    r = _cli(data, "--config", yml, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert [f["check"] for f in json.loads(r.stdout)["findings"]] == ["skewed_distribution"]
    bad = tmp_path / "c.json"
    bad.write_text('{"skew": 1}')
    r = _cli(data, "--config", bad)
    assert r.returncode == 2 and "c.json" in r.stderr and "'skew'" in r.stderr
    broken = tmp_path / "b.json"
    broken.write_text('{"skew_threshold": 1,\n')
    r = _cli(data, "--config", broken)
    assert r.returncode == 2 and "b.json, line 2" in r.stderr


# --- property-based: check never raises on odd frames -----------------------------------

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_NAMES = st.sampled_from(["a", "a", "b", "", " ", "列", "2019", "2020", "<b>x</b>", "x1", "x2", "x3", "id", "Name", "NaN", "0"])
_TEXT = st.one_of(
    st.text(max_size=8), st.sampled_from(["", "N/A", "?", "-", "null", "1,234", "$5", "12%", "2020-01-01", "a;b", "\x00", "\ufffd"])
)


@st.composite
def _column(draw, n):
    kind = draw(st.sampled_from(["int", "float", "bool", "text", "datetime_tz", "null", "mixed", "category", "nullable_int", "const"]))
    if kind == "int":
        return pd.Series(draw(st.lists(st.integers(-(2**40), 2**40), min_size=n, max_size=n)), dtype="int64")
    if kind == "float":
        vals = st.floats(allow_nan=True, allow_infinity=True, width=64)
        return pd.Series(draw(st.lists(vals, min_size=n, max_size=n)), dtype="float64")
    if kind == "bool":
        return pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    if kind == "text":
        return pd.Series(draw(st.lists(st.one_of(st.none(), _TEXT), min_size=n, max_size=n)), dtype=object)
    if kind == "datetime_tz":
        stamps = st.datetimes(min_value=pd.Timestamp("1700-01-01").to_pydatetime(), max_value=pd.Timestamp("2250-01-01").to_pydatetime())
        values = draw(st.lists(st.one_of(st.none(), stamps), min_size=n, max_size=n))
        return pd.to_datetime(pd.Series(values, dtype=object)).dt.tz_localize("Europe/Berlin", ambiguous="NaT", nonexistent="NaT")
    if kind == "null":
        return pd.Series([None] * n, dtype=object)
    if kind == "mixed":
        obj = st.one_of(
            st.none(),
            st.integers(),
            st.floats(),
            _TEXT,
            st.lists(st.integers(), max_size=2),
            st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
        )
        return pd.Series(draw(st.lists(obj, min_size=n, max_size=n)), dtype=object)
    if kind == "category":
        return pd.Series(draw(st.lists(st.sampled_from(["x", "y", "X ", None]), min_size=n, max_size=n)), dtype="category")
    if kind == "nullable_int":
        return pd.Series(draw(st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=n, max_size=n)), dtype="Int64")
    return pd.Series([draw(st.integers(-999, 9999))] * n)


@st.composite
def odd_frames(draw):
    n = draw(st.integers(0, 25))
    k = draw(st.integers(0, 6))
    names = [draw(_NAMES) for _ in range(k)]
    cols = [draw(_column(n)).reset_index(drop=True) for _ in range(k)]
    df = pd.concat(cols, axis=1) if cols else pd.DataFrame(index=range(n))
    df.columns = names if cols else df.columns
    return df


def _assert_never_raises(df, data):
    names = [str(c) for c in df.columns]
    unique = [c for c in dict.fromkeys(names)]
    target = data.draw(st.one_of(st.none(), st.sampled_from(unique))) if unique else None
    sensitive = data.draw(st.lists(st.sampled_from(unique), max_size=2)) if unique else []
    report = check(df, target=target, sensitive=sensitive)
    assert isinstance(report, Report)
    json.loads(report.to_json())
    report.to_html()
    failed = report.filter(check="check_failed").findings
    assert not failed, [f.evidence for f in failed]
    try:
        import polars as pl

        pl_df = pl.from_pandas(df)
    except Exception:  # duplicated names or Python objects polars cannot hold
        return
    if pl_df.columns != names:  # polars renames an empty column name
        return
    report = check(pl_df, target=target, sensitive=sensitive)
    assert not report.filter(check="check_failed").findings, report.to_text()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(df=odd_frames(), data=st.data())
def test_check_never_raises_quick(df, data):
    _assert_never_raises(df, data)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(df=odd_frames(), data=st.data())
def test_check_never_raises_many(df, data):
    _assert_never_raises(df, data)


def test_a_runner_for_the_same_checks_replaces_the_old_one():
    # a notebook that defines a package check again (nbdev_test runs many notebooks in one process) must not
    # leave two runners behind: the check would report every defect twice
    import types

    from mlkit.checks import registry

    old = next(r for r in registry.RUNNERS if "constant_column" in r.ids)
    kw = dict(needs=old.needs, order=old.order, label=old.label, per_text_column=old.per_text_column, gate=old.gate)
    df = pd.DataFrame({"a": [1] * 20, "b": range(20)})
    try:
        copy = types.FunctionType(old.fn.__code__, old.fn.__globals__, old.fn.__name__, old.fn.__defaults__, old.fn.__closure__)
        copy.__module__, copy.check_ids = "__main__", old.ids
        registry.check_runner(**kw)(copy)
        assert [r.fn for r in registry.RUNNERS if set(r.ids) == set(old.ids)] == [copy]
        assert [f.check for f in check(df).findings if f.columns == ("a",)] == ["constant_column"]
    finally:
        registry.check_runner(**kw)(old.fn)
    assert [r.fn for r in registry.RUNNERS if set(r.ids) == set(old.ids)] == [old.fn]


def test_text_checks_of_many_short_text_columns_on_pandas():
    "Twenty or more text columns of a short pandas frame are scanned in one stacked pass: it must find what polars finds, column by column."
    import polars as pl

    from mlkit.checks import check

    r, n = np.random.default_rng(4), 600
    cats = ["Oslo"] * 200 + ["Rome"] * 150 + ["Lima"] * 120 + ["Paris"] * 100 + ["Pariss"] * 3 + ["Lmia"] * 2 + ["Lisbon"] * 25
    df = pd.DataFrame({f"city {i}": r.permutation(cats) for i in range(20)})
    df["price"] = [f"{v:.2f}" for v in r.normal(50, 5, n)]
    df["when"] = pd.date_range("2024-01-01", periods=n, freq="D").strftime("%d/%m/%Y")
    df["code"] = np.where(r.random(n) < 0.1, "N/A", r.choice(["ab", "cd", "ef"], n))
    report = check(df)
    assert {(f.check, f.columns) for f in report.filter(check=["numeric_as_text", "datetime_as_text", "disguised_missing"])} == {
        ("numeric_as_text", ("price",)), ("datetime_as_text", ("when",)), ("disguised_missing", ("code",))}  # fmt: skip
    assert len(report.filter(check="inconsistent_categories").findings) == 20
    assert [f.to_dict() for f in report.findings] == [f.to_dict() for f in check(pl.from_pandas(df)).findings]
    few = check(df.drop(columns=[f"city {i}" for i in range(5, 20)]))  # under 20 text columns: one scan per column, the same answers
    assert {(f.check, f.columns) for f in few if f.check != "untidy_column_headers"} <= {(f.check, f.columns) for f in report}
