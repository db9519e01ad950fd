"""Side by side: do mlkit's data checks find what deepchecks, fg-data-profiling, TFDV, pandera and Evidently find on the same data?

    python benchmarks/peers_checks.py                       # every peer importable here; TFDV through --tfdv-python
    python benchmarks/peers_checks.py --rows 4000 --verbose
    python benchmarks/peers_checks.py --tfdv-python /path/to/tfdv-venv/bin/python

The peers do not fit in the project's environment (deepchecks needs scikit-learn < 1.6 and pandas < 2.3;
TFDV 1.16, the last with a Python 3.11 wheel, needs pandas < 2 and tensorflow 2.16), so run this script from
a separate venv made with benchmarks/requirements-peers.txt (its header says how). TFDV, if wanted, lives in
a third venv: the script sends it the data as CSV in a subprocess (`--worker tfdv`) and reads its anomalies back.

Datasets: (a) `churn`: a generated customer table, train and test, with one planted defect of every kind the
peers look for; (b) `penguins`: mlkit's raw demo data (`mlkit.load_demo()`, target "Sex") as it comes.

Each peer's findings are normalised to (column or None, kind) through the hand-written table PEER_MAP
(peer check -> mlkit check ids that name the same problem); a finding counts as found by mlkit when a mlkit
finding with one of those ids names the same column. Findings that are not a data problem (a zero is a value,
a uniform column is fine) are classified as noise in NOISE, with the reason, and left out of the counts.
The last lines give, per peer: `found by peer: N, also by mlkit: M, missed: K`, and the misses.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

# --------------------------------------------------------------------------------------------------------------------
# data with planted defects


def make_churn(rows: int = 4000, seed: int = 0):
    "(train, test, target, planted): a customer table with one planted defect of every kind; `planted` maps defect -> column."
    import numpy as np
    import pandas as pd

    def table(n, rng, start, churn_rate):
        cities = np.array(["Berlin", "Hamburg", "Munich", "Cologne", "Frankfurt", "Stuttgart", "Leipzig", "Dresden"])
        region_of = {"Berlin": "east", "Hamburg": "north", "Munich": "south", "Cologne": "west", "Frankfurt": "west",
                     "Stuttgart": "south", "Leipzig": "east", "Dresden": "east"}  # fmt: skip
        city = cities[rng.integers(0, len(cities), n)]
        churn = rng.random(n) < churn_rate
        income = rng.lognormal(10.5, 0.6, n).round(2)
        tenure = rng.integers(0, 73, n)
        calls = rng.poisson(np.where(churn, 3.0, 1.2))
        return pd.DataFrame(
            {
                "customer_id": [f"C{start + i:07d}" for i in range(n)],
                "age": rng.integers(18, 86, n),
                "income": income,
                "income_monthly": (income / 12 + rng.normal(0, 5, n)).round(2),  # planted: high correlation with income
                "credit_score": rng.integers(300, 851, n),
                "tenure_months": tenure,
                "monthly_charges": rng.normal(70, 20, n).clip(10, 150).round(2),
                "satisfaction": rng.integers(1, 6, n),
                "support_calls": calls,
                "city": city,
                "region": [region_of[c] for c in city],  # planted: categorical association with city (Cramér's V = 1)
                "plan": rng.choice(["free", "basic", "pro", "team"], n, p=[0.4, 0.3, 0.2, 0.1]),
                "country": "DE",  # planted: constant
                "channel": np.where(rng.random(n) < 0.996, "web", "phone"),  # planted: near-constant
                "zip_code": [int(z) for z in rng.integers(10000, 99999, n)],  # planted below: mixed ints and text
                "phone_type": rng.choice(["mobile", "landline", "voip"], n, p=[0.6, 0.3, 0.1]).astype(object),
                "device": [f"DV-{d:04d}" for d in rng.integers(0, 9999, n)],
                "notes": rng.choice(["called twice", "prefers email", "vip", "moved recently", "asked for discount", None], n),
                "signup_date": (pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), unit="D")).strftime("%Y-%m-%d"),
                "legacy_score": rng.normal(0.5, 0.1, n).round(4),
                "refund_requested": np.where(rng.random(n) < 0.995, churn, ~churn),  # planted: leakage (a consequence of churn)
                "churn": np.where(churn, "yes", "no"),  # planted: class imbalance (about 7% yes)
            }
        )

    rng = np.random.default_rng(seed)
    n_test = rows // 2
    train = table(rows, rng, 0, 0.07)
    test = table(n_test, rng, 5_000_000, 0.25)  # planted: label drift (7% -> 25% churn)
    planted = {}

    def put(df, col, share, values, what):
        idx = rng.choice(len(df), max(1, int(share * len(df))), replace=False)
        s = df[col].astype(object)
        s.iloc[idx] = [values[i % len(values)] for i in range(len(idx))]
        df[col] = s
        planted.setdefault(what, col)
        return idx

    # --- single-table defects, in train
    put(train, "income", 0.08, [np.nan], "missing values")
    train["income"] = train["income"].astype(float)
    put(train, "credit_score", 0.01, [-999], "disguised missing (number)")
    train["credit_score"] = train["credit_score"].astype("int64")
    put(train, "phone_type", 0.06, ["N/A", "?", "", None], "disguised missing (text) / mixed nulls")
    put(train, "city", 0.03, ["berlin", "BERLIN", " Berlin", "Munich ", "munich"], "inconsistent categories (case/spacing)")
    train["region"] = [r for r in train["region"]]
    put(train, "notes", 0.02, ["###", "***", "@@"], "special characters")
    put(train, "zip_code", 0.05, ["10115-A", "unknown", "D-80331", "NW1"], "mixed types")  # deepchecks flags a rare type between 1% and 10%
    put(train, "device", 0.002, ["DV-0042 replaced after water damage, see ticket 4471 for the details"], "string length outliers")
    put(train, "age", 0.002, [250, 310, 999], "outliers")
    train["age"] = train["age"].astype("int64")
    planted["constant column"] = "country"
    planted["near-constant column"] = "channel"
    planted["high correlation (numeric)"] = "income/income_monthly"
    planted["categorical association"] = "city/region"
    planted["feature-label leakage"] = "refund_requested"
    planted["class imbalance"] = "churn"
    planted["dates stored as text"] = "signup_date"
    dup = train.sample(rows // 16, random_state=seed)  # about 6%: deepchecks' DataDuplicates passes up to 5%
    conflict = train.sample(15, random_state=seed + 1).assign(churn=lambda d: np.where(d["churn"] == "yes", "no", "yes"))
    train = pd.concat([train, dup, conflict], ignore_index=True)
    planted["duplicate rows"] = None
    planted["conflicting labels"] = "churn"

    # --- train-test defects, in test
    test["monthly_charges"] = (test["monthly_charges"] + 18).round(2)
    planted["feature drift"] = "monthly_charges"
    planted["label drift"] = "churn"
    put(test, "plan", 0.05, ["enterprise"], "new category in test")
    put(test, "satisfaction", 0.03, [0, 7], "out of range against the train schema")
    test["satisfaction"] = test["satisfaction"].astype("int64")
    test = pd.concat([test, train.sample(rows // 16, random_state=seed + 2)], ignore_index=True)  # planted: train rows in test (about 11%)
    planted["train-test overlap"] = None
    test = test.drop(columns=["legacy_score"]).assign(promo_code=rng.choice(["SPRING", "NONE", "WELCOME"], len(test)))
    planted["missing column in test"] = "legacy_score"
    planted["new column in test"] = "promo_code"
    test["tenure_months"] = test["tenure_months"].astype(str)
    planted["dtype change"] = "tenure_months"
    return train, test, "churn", planted


def load_penguins():
    "The raw demo data as mlkit ships it, target 'Sex'."
    import mlkit

    return mlkit.load_demo(), "Sex"


# --------------------------------------------------------------------------------------------------------------------
# the mapping: peer check -> mlkit check ids that name the same problem (on the same column)

PEER_MAP = {
    "deepchecks": {
        "IsSingleValue": ("constant_column",),
        "SpecialCharacters": ("special_characters", "disguised_missing"),  # '?' alone is a symbol to deepchecks, a missing code to mlkit
        "MixedNulls": ("disguised_missing",),
        "MixedDataTypes": ("mixed_types", "numeric_as_text"),
        "StringMismatch": ("inconsistent_categories",),
        "DataDuplicates": ("duplicate_rows",),
        "StringLengthOutOfBounds": ("string_length_outliers",),
        "ConflictingLabels": ("conflicting_labels",),
        "FeatureLabelCorrelation": ("target_leakage",),
        "FeatureFeatureCorrelation": ("highly_correlated_features", "duplicate_columns"),
        "IdentifierLabelCorrelation": ("target_leakage",),
        "PercentOfNulls": ("missing_values",),
        "NewLabelTrainTest": ("new_labels",),
        "NewCategoryTrainTest": ("new_categories", "unexpected_category", "out_of_range"),  # deepchecks calls 0..5 ints categories
        "StringMismatchComparison": ("inconsistent_categories", "new_categories"),
        "TrainTestSamplesMix": ("train_test_overlap",),
        "FeatureLabelCorrelationChange": ("feature_drift", "label_drift"),
        "FeatureDrift": ("feature_drift", "dtype_changed"),
        "LabelDrift": ("label_drift",),
        "MultivariateDrift": ("feature_drift",),
        "DatasetsSizeComparison": (),
    },
    "fg-data-profiling": {
        "CONSTANT": ("constant_column",),
        "HIGH_CORRELATION": ("highly_correlated_features", "duplicate_columns"),
        "HIGH_CORRELATION (with the target)": ("target_leakage",),
        "HIGH_CARDINALITY": ("high_cardinality", "id_like_column"),
        "UNSUPPORTED": ("mixed_types", "check_failed"),
        "DUPLICATES": ("duplicate_rows",),
        "NEAR_DUPLICATES": ("duplicate_rows",),
        "SKEWED": ("skewed_distribution",),
        "IMBALANCE": ("near_constant_column", "class_imbalance"),
        "MISSING": ("missing_values", "target_missing"),
        "INFINITE": ("infinite_values",),
        "TYPE_DATE": ("datetime_as_text",),
        "UNIQUE": ("id_like_column",),
        "DIRTY_CATEGORY": ("inconsistent_categories",),
        "EMPTY": ("empty_dataset",),
        "ZEROS": (),
        "CONSTANT_LENGTH": (),
        "REJECTED": (),
        "UNIFORM": (),
        "NON_STATIONARY": (),
        "SEASONAL": (),
    },
    "pandera": {
        "column_in_dataframe": ("missing_column", "missing_columns"),
        "column_in_schema": ("unexpected_column", "new_columns"),
        "dtype": ("dtype_mismatch", "dtype_changed"),
        "coerce_dtype": ("dtype_mismatch", "dtype_changed"),
        "greater_than_or_equal_to": ("out_of_range",),
        "less_than_or_equal_to": ("out_of_range",),
        "in_range": ("out_of_range",),
        "not_nullable": ("unexpected_nulls",),
        "isin": ("unexpected_category", "new_categories"),
        "field_uniqueness": ("uniqueness_violated",),
    },
    "tfdv": {
        "ENUM_TYPE_UNEXPECTED_STRING_VALUES": ("new_categories", "unexpected_category"),
        "SCHEMA_NEW_COLUMN": ("new_columns", "unexpected_column"),
        "SCHEMA_MISSING_COLUMN": ("missing_columns", "missing_column"),
        "FEATURE_TYPE_LOW_FRACTION_PRESENT": ("unexpected_nulls", "missing_values"),
        "FEATURE_TYPE_LOW_NUMBER_PRESENT": ("unexpected_nulls", "missing_values"),
        "FEATURE_TYPE_NOT_PRESENT": ("unexpected_nulls", "missing_values"),
        "UNEXPECTED_DATA_TYPE": ("dtype_changed", "dtype_mismatch"),
        "INT_TYPE_NOT_INT_STRING": ("dtype_changed", "dtype_mismatch"),
        "FLOAT_TYPE_NOT_FLOAT_STRING": ("dtype_changed", "dtype_mismatch"),
        "BOOL_TYPE_UNEXPECTED_STRING": ("dtype_changed", "dtype_mismatch"),
        "INT_TYPE_SMALL_INT": ("out_of_range",),
        "INT_TYPE_BIG_INT": ("out_of_range",),
        "FLOAT_TYPE_SMALL_FLOAT": ("out_of_range",),
        "FLOAT_TYPE_BIG_FLOAT": ("out_of_range",),
        "COMPARATOR_L_INFTY_HIGH": ("feature_drift", "label_drift"),
        "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH": ("feature_drift", "label_drift"),
    },
    "evidently": {
        "ValueDrift": ("feature_drift", "label_drift", "dtype_changed"),  # a column that changed type also shows as drifted there
        "DatasetDrift": ("feature_drift",),
    },
}
# peer checks whose findings are not data problems, and why (left out of the counts, listed apart)
NOISE = {
    ("fg-data-profiling", "ZEROS"): "zeros are values (0 support calls, 0 months of tenure), not missing data",
    ("fg-data-profiling", "CONSTANT_LENGTH"): "codes of one fixed length are normal",
    (
        "fg-data-profiling",
        "REJECTED",
    ): "the profiler's own consequence of another alert on the column (unsupported, constant), not a second problem",
    ("fg-data-profiling", "UNIFORM"): "a uniform distribution is not a defect",
    ("fg-data-profiling", "NON_STATIONARY"): "a time-series alert; these tables are not time series",
    ("fg-data-profiling", "SEASONAL"): "a time-series alert; these tables are not time series",
    ("deepchecks", "DatasetsSizeComparison"): "the size of the test set is a choice, not a data problem",
}


def noise_reason(peer: str, f: dict, ctx: dict) -> str | None:
    "Why a peer finding is not a data problem (None when it is one)."
    if (peer, f["check"]) in NOISE:
        return NOISE[(peer, f["check"])]
    cols = [c for c in f["columns"] if c is not None]
    frame = ctx["train"]
    if peer == "fg-data-profiling" and f["check"] == "IMBALANCE" and cols and cols[0] != ctx["target"] and not f.get("matched"):
        top = frame[cols[0]].value_counts(normalize=True).iloc[0]
        return f"its commonest value covers {top:.0%}: skewed frequencies describe the population; mlkit flags a column past 99% (near_constant_column)"
    if peer == "fg-data-profiling" and f["check"] == "UNIQUE" and cols and cols[0] in frame and frame[cols[0]].dtype.kind == "f":
        return "every value unique is expected of a continuous measurement"
    if f["check"] in ("FeatureFeatureCorrelation", "HIGH_CORRELATION", "HIGH_CORRELATION (with the target)") and len(cols) == 2:
        many = [c for c in cols if c in frame and frame[c].dtype == object and frame[c].nunique() > 50]
        if many:
            return (
                f"{many[0]!r} has {frame[many[0]].nunique()} distinct text values: the correlation ratio of a near-unique grouping is ~1 "
                "by construction (an identifier or free text, which mlkit reports as such)"
            )
        measure, value = association(frame[cols[0]], frame[cols[1]])
        if value is not None and value < 0.9:
            what = "a predictor of the target, not leakage" if ctx["target"] in cols else "related features, not copies"
            return f"{measure} = {value:.2f} < 0.9 on the rows where both are present: {what} (the peer's binned/PPS score overstates it)"
    return None


def association(a, b) -> tuple:
    "(measure, strength in [0, 1]) of two columns: |Pearson r| for two numbers, bias-corrected Cramér's V for two categories, the correlation ratio otherwise."
    import numpy as np
    import pandas as pd
    from scipy import stats

    ok = a.notna() & b.notna()
    a, b = a[ok], b[ok]
    if len(a) < 3:
        return "rows", None
    num = [pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s) and s.nunique() > 10 for s in (a, b)]
    if all(num):
        return "|Pearson r|", abs(float(np.corrcoef(a.astype(float), b.astype(float))[0, 1]))
    if not any(num):
        t = pd.crosstab(a.astype(str), b.astype(str)).to_numpy()
        n, (r, k) = t.sum(), t.shape
        if min(r, k) < 2:
            return "Cramér's V", None
        phi2 = max(0.0, stats.chi2_contingency(t, correction=False)[0] / n - (k - 1) * (r - 1) / (n - 1))
        r, k = r - (r - 1) ** 2 / (n - 1), k - (k - 1) ** 2 / (n - 1)
        return "Cramér's V (bias-corrected)", float(np.sqrt(phi2 / max(min(k - 1, r - 1), 1e-12)))
    cat, x = (a, b.astype(float)) if num[1] else (b, a.astype(float))
    g = x.groupby(cat.astype(str))
    k, n = g.ngroups, len(x)
    between, total = float(((g.mean() - x.mean()) ** 2 * g.size()).sum()), float(((x - x.mean()) ** 2).sum())
    eps2 = (between - (k - 1) * (total - between) / max(n - k, 1)) / total  # epsilon squared: eta squared without its many-groups bias
    return "correlation ratio (bias-corrected)", float(np.sqrt(max(eps2, 0.0)))


# --------------------------------------------------------------------------------------------------------------------
# the peers: each returns [{"check": peer check name, "columns": (column, ...) or (), "detail": text}]


def _quoted_columns(text: str, columns) -> tuple:
    "Column names that a peer's message quotes ('name')."
    return tuple(c for c in columns if f"'{c}'" in text)


def run_deepchecks(train, test, target) -> list:
    "deepchecks' data_integrity suite on train (and test when given) and train_test_validation on the shared columns."
    import numpy as np
    from deepchecks.tabular import Dataset
    from deepchecks.tabular.suites import data_integrity, train_test_validation

    out = []

    def collect(suite_result, frame_columns, suite):
        for res in suite_result.results:
            if not hasattr(res, "conditions_results"):  # a check that could not run ('no datetime', 'no index')
                continue
            name = type(res.check).__name__
            for cond in res.conditions_results:
                if cond.category.name == "PASS":
                    continue
                check = name
                if name == "FeatureLabelCorrelationChange" and "in train dataset" in cond.name.lower() + cond.details.lower():
                    check = "FeatureLabelCorrelation"  # its second condition is the train-only PPS test
                if name == "FeatureFeatureCorrelation":
                    corr = res.value.abs()
                    cols = list(corr.columns)
                    for i, a in enumerate(cols):
                        for b in cols[i + 1 :]:
                            if np.isfinite(corr.loc[a, b]) and corr.loc[a, b] > 0.9:
                                out.append({"check": check, "columns": (a, b), "detail": f"{suite}: correlation {corr.loc[a, b]:.2f}"})
                    continue
                if name in ("LabelDrift", "ConflictingLabels", "NewLabelTrainTest"):
                    cols = (target,)
                else:
                    cols = _quoted_columns(cond.details, frame_columns)
                for c in cols or (None,):
                    out.append({"check": check, "columns": (c,) if c else (), "detail": f"{suite}: {cond.details[:160]}"})

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import logging

        logging.getLogger("deepchecks").setLevel(logging.ERROR)
        collect(data_integrity().run(Dataset(train, label=target)), train.columns, "data_integrity(train)")
        if test is not None:
            shared = [c for c in train.columns if c in test.columns]
            # deepchecks compares only frames with the same columns of the same types: give it the shared columns, test cast to train's dtypes
            cur = test[shared].copy()
            for c in shared:
                if cur[c].dtype != train[c].dtype and train[c].dtype.kind in "if":
                    cur[c] = pandas_to_numeric(cur[c])
            ref = Dataset(train[shared], label=target)
            collect(train_test_validation().run(ref, Dataset(cur, label=target)), shared, "train_test_validation")
    return out


def pandas_to_numeric(s):
    import pandas as pd

    return pd.to_numeric(s, errors="coerce")


def run_profiling(train, test, target) -> list:
    "fg-data-profiling's alerts on train (the full description, as a report shows them)."
    try:
        from data_profiling import ProfileReport
    except ImportError:
        from ydata_profiling import ProfileReport
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alerts = ProfileReport(train, progress_bar=False).get_description().alerts
    out, pairs = [], set()
    for a in alerts:
        kind = a.alert_type.name
        if kind == "HIGH_CORRELATION":
            for other in (a.values or {}).get("fields", []):
                pair = tuple(sorted((a.column_name, other)))
                if pair in pairs:
                    continue
                pairs.add(pair)
                k = "HIGH_CORRELATION (with the target)" if target in pair else kind
                out.append({"check": k, "columns": pair, "detail": f"{(a.values or {}).get('corr', '')} correlation"})
            continue
        out.append({"check": kind, "columns": (a.column_name,) if a.column_name else (), "detail": ""})
    return out


def run_pandera(train, test, target) -> list:
    "pandera: infer a schema on train, validate test against it (lazy, every failure)."
    if test is None:
        return []
    import pandera.pandas as pa

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = pa.infer_schema(train)
        try:
            schema.validate(test, lazy=True)
            return []
        except pa.errors.SchemaErrors as e:
            fc = e.failure_cases
    out = []
    for (_context, col, chk), g in fc.groupby(["schema_context", "column", "check"], dropna=False):
        name = str(chk).split("(")[0]
        if name == "column_in_dataframe":  # failure_case holds the missing column's name
            cols = tuple(str(v) for v in g["failure_case"].unique())
        else:
            cols = (str(col),) if isinstance(col, str) else ()
        out.append({"check": name, "columns": cols, "detail": f"{chk} ({len(g)} failure cases)"})
    return out


def run_evidently(train, test, target) -> list:
    "Evidently's DataDriftPreset with its defaults on the shared columns."
    if test is None:
        return []
    from evidently import Report
    from evidently.presets import DataDriftPreset

    shared = [c for c in train.columns if c in test.columns]  # Evidently refuses columns present on one side only
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        snap = Report([DataDriftPreset()]).run(reference_data=train[shared], current_data=test[shared])
    out = []
    for m in snap.dict()["metrics"]:
        cfg, value = m["config"], m["value"]
        if cfg["type"].endswith("ValueDrift"):
            method, threshold = str(cfg.get("method", "")), float(cfg["threshold"])
            drifted = value < threshold if "p_value" in method else value >= threshold
            if drifted:
                out.append(
                    {"check": "ValueDrift", "columns": (cfg["column"],), "detail": f"{method} = {value:.3g} (threshold {threshold})"}
                )
        elif cfg["type"].endswith("DriftedColumnsCount") and value["share"] >= cfg.get("drift_share", 0.5):
            out.append({"check": "DatasetDrift", "columns": (), "detail": f"{value['share']:.0%} of the columns drifted"})
    return out


def _tfdv_findings(train, test) -> list:
    "TFDV: statistics of train, inferred schema, anomalies of test (runs where tensorflow_data_validation imports)."
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow_data_validation as tfdv
    from tensorflow_metadata.proto.v0 import anomalies_pb2

    schema = tfdv.infer_schema(tfdv.generate_statistics_from_dataframe(train))
    anomalies = tfdv.validate_statistics(tfdv.generate_statistics_from_dataframe(test), schema)
    out = []
    for col, info in anomalies.anomaly_info.items():
        for r in info.reason:
            out.append({"check": anomalies_pb2.AnomalyInfo.Type.Name(r.type), "columns": (col,), "detail": r.short_description})
    return out


def _for_files(df):
    "A copy that Parquet can hold: object columns of mixed Python types as text (TFDV reads such columns as text anyway)."
    import pandas as pd

    df = df.copy()
    for c in df.columns:
        if df[c].dtype == object and pd.api.types.infer_dtype(df[c], skipna=True) != "string":
            df[c] = df[c].map(lambda v: v if v is None or (isinstance(v, float) and v != v) else str(v))
    return df


def run_tfdv(train, test, target, python: str | None = None) -> list:
    "TFDV in this interpreter, or in `python` (its own venv) through `--worker tfdv` and Parquet files."
    if test is None:
        return []
    if python is None:
        return _tfdv_findings(_for_files(train), _for_files(test))
    with tempfile.TemporaryDirectory() as tmp:
        _for_files(train).to_parquet(os.path.join(tmp, "train.parquet"), index=False)
        _for_files(test).to_parquet(os.path.join(tmp, "test.parquet"), index=False)
        proc = subprocess.run(
            [python, os.path.abspath(__file__), "--worker", "tfdv", "--data", tmp], capture_output=True, text=True, timeout=900, check=False
        )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("FINDINGS ")]
    if proc.returncode or not lines:
        raise RuntimeError(f"TFDV worker failed ({proc.returncode}): {proc.stderr.strip().splitlines()[-1:] or proc.stdout[-300:]}")
    return [{**f, "columns": tuple(f["columns"])} for f in json.loads(lines[-1][len("FINDINGS ") :])]


def _worker(kind: str, folder: str) -> int:
    "Run one peer on train.parquet / test.parquet in `folder` and print its findings as one JSON line."
    import pandas as pd

    warnings.simplefilter("ignore")
    train, test = pd.read_parquet(os.path.join(folder, "train.parquet")), pd.read_parquet(os.path.join(folder, "test.parquet"))
    if kind != "tfdv":
        raise SystemExit(f"unknown worker {kind!r}")
    found = _tfdv_findings(train, test)
    print("FINDINGS " + json.dumps([{**f, "columns": list(f["columns"])} for f in found]))
    return 0


# --------------------------------------------------------------------------------------------------------------------
# mlkit on the same data, and the comparison


def run_mlkit(train, test, target) -> list:
    "mlkit's findings on one dataset: check(train), and for a pair compare(train, test) and validate(test, infer_schema(train))."
    import mlkit

    reports = [mlkit.check(train, target=target)]
    if test is not None:
        reports += [mlkit.compare(train, test, target=target), mlkit.validate(test, mlkit.infer_schema(train))]
    return [f for r in reports for f in r.findings]


def match(finding: dict, ids: tuple, mlkit_findings: list):
    "The first mlkit finding with one of `ids` that names every column of the peer finding (any column when it names none)."
    cols = {c for c in finding["columns"] if c is not None}
    for f in mlkit_findings:
        if f.check in ids and cols <= set(f.columns):
            return f
    return None


PEERS = {
    "deepchecks": run_deepchecks,
    "fg-data-profiling": run_profiling,
    "pandera": run_pandera,
    "tfdv": run_tfdv,
    "evidently": run_evidently,
}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=4000, help="rows of the generated train table (test has half as many)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--peers", nargs="+", default=list(PEERS), choices=list(PEERS))
    p.add_argument("--tfdv-python", default=os.environ.get("PEERS_TFDV_PYTHON"), help="python of a venv with TFDV (else TFDV in this one)")
    p.add_argument("--verbose", action="store_true", help="also print each finding's detail")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        return _worker(args.worker, args.data)

    import mlkit

    warnings.simplefilter("ignore")
    train, test, target, planted = make_churn(args.rows, args.seed)
    penguins, ptarget = load_penguins()
    datasets = {"churn": (train, test, target), "penguins": (penguins, None, ptarget)}
    print(
        f"mlkit {mlkit.__version__}; churn train {train.shape}, test {test.shape}, target {target!r}; penguins {penguins.shape}, target {ptarget!r}"
    )
    print("planted in churn: " + "; ".join(f"{k} ({v})" if v else k for k, v in planted.items()))
    ours = {}
    for name, (tr, te, t) in datasets.items():
        t0 = time.perf_counter()
        ours[name] = run_mlkit(tr, te, t)
        print(f"mlkit on {name}: {len(ours[name])} findings in {time.perf_counter() - t0:.2f} s")

    summary = {}
    for peer in args.peers:
        rows, skipped = [], []
        for name, (tr, te, t) in datasets.items():
            t0 = time.perf_counter()
            try:
                found = run_tfdv(tr, te, t, args.tfdv_python) if peer == "tfdv" else PEERS[peer](tr, te, t)
            except ImportError as e:
                skipped.append(f"not installed here ({e.name or e})")
                break
            except Exception as e:  # a peer that fails on this data: say so, go on
                skipped.append(f"{name}: failed: {type(e).__name__}: {str(e)[:200]}")
                continue
            seconds = time.perf_counter() - t0
            seen = set()
            for f in found:
                key = (f["check"], f["columns"])
                if key in seen:
                    continue
                seen.add(key)
                ids = PEER_MAP[peer].get(f["check"])
                hit = match(f, ids, ours[name]) if ids else None
                f = {**f, "dataset": name, "ids": ids, "matched": hit}
                f["noise"] = None if hit else noise_reason(peer, f, {"train": tr, "target": t})
                if ids is None and not f["noise"]:
                    f["noise"] = None  # unmapped: counts as missed so that the table shows it
                rows.append(f)
            print(f"\n{peer} on {name}: {len(found)} findings in {seconds:.1f} s")
        if skipped and not rows:
            print(f"\n== {peer}: skipped, {skipped[0]}")
            summary[peer] = None
            continue
        print(f"\n== {peer}" + (f" (notes: {'; '.join(skipped)})" if skipped else ""))
        print(f"{'dataset':9} {'peer check':36} {'column(s)':34} mlkit")
        for f in rows:
            cols = ", ".join(map(str, f["columns"])) or "(table)"
            if f["matched"] is not None:
                verdict = f"found: {f['matched'].check}"
            elif f["noise"]:
                verdict = f"noise: {f['noise']}"
            else:
                verdict = "MISSED (mlkit ids: " + (", ".join(f["ids"]) if f["ids"] else "unmapped") + ")"
            print(f"{f['dataset']:9} {f['check'][:36]:36} {cols[:34]:34} {verdict}")
            if args.verbose and f["detail"]:
                print(f"{'':9} {'':36} {'':34}   {f['detail']}")
        summary[peer] = rows

    print("\nsummary (noise: peer findings that are not data problems, reasons above)")
    for peer, rows in summary.items():
        if rows is None:
            print(f"{peer}: skipped (not installed)")
            continue
        real = [f for f in rows if not f["noise"]]
        hit = [f for f in real if f["matched"] is not None]
        miss = [f for f in real if f["matched"] is None]
        line = f"{peer}: found by peer: {len(real)}, also by mlkit: {len(hit)}, missed: {len(miss)} (noise: {len(rows) - len(real)})"
        if miss:
            line += "; misses: " + "; ".join(f"{f['dataset']}/{f['check']}[{', '.join(map(str, f['columns']))}]" for f in miss)
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
