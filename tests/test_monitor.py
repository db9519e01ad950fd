"""Monitoring: a random split stays silent, planted drift fires on the right column, pandas and polars, the command line."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin

from mlkit.core import MlkitInputError, Report
from mlkit.datasets import DEMO_TARGET, load_demo

FEATURES = ["Culmen Length (mm)", "Culmen Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", "Island", "Species"]


@pytest.fixture(scope="module")
def split():
    df = load_demo().dropna(subset=[DEMO_TARGET])
    df = df[df[DEMO_TARGET] != "."][FEATURES + [DEMO_TARGET]]
    order = np.random.default_rng(0).permutation(len(df))
    return (
        df.iloc[order[:150]].reset_index(drop=True),
        df.iloc[order[150:240]].reset_index(drop=True),
        df.iloc[order[240:]].reset_index(drop=True),
    )


@pytest.fixture(scope="module")
def model(split):
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OrdinalEncoder

    train = split[0]
    encode = make_column_transformer(
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1), ["Island", "Species"]),
        remainder="passthrough",
    )
    return make_pipeline(encode, RandomForestClassifier(n_estimators=40, min_samples_leaf=3, random_state=0)).fit(
        train[FEATURES], train[DEMO_TARGET]
    )


def _flip_labels(df, share=0.45, seed=3):
    out = df.copy()
    flip = np.random.default_rng(seed).random(len(out)) < share
    out.loc[flip, DEMO_TARGET] = out.loc[flip, DEMO_TARGET].map({"MALE": "FEMALE", "FEMALE": "MALE"})
    return out


def test_random_split_is_silent(split, model, to_backend):
    from mlkit.monitor import monitor

    _, ref, cur = split
    report = monitor(to_backend(ref), to_backend(cur), model, target=DEMO_TARGET)
    assert report.findings == [], report.to_text()
    assert report.meta["predictions"] and report.meta["performance"] and len(report.drift) == len(FEATURES)
    assert report.prediction["drifted"] is False and report.performance["relative_drop"] < 0.05


def test_planted_numeric_drift_fires_on_that_column(split, model, to_backend):
    from mlkit.monitor import monitor

    _, ref, cur = split
    shifted = cur.assign(**{"Flipper Length (mm)": cur["Flipper Length (mm)"] + 25})
    report = monitor(to_backend(ref), to_backend(shifted), model, target=DEMO_TARGET)
    assert [f.columns for f in report.filter(check="feature_drift")] == [("Flipper Length (mm)",)]
    assert report.drifted == ["Flipper Length (mm)"]


def test_planted_categorical_drift_fires_on_that_column(split):
    from mlkit.monitor import monitor

    _, ref, cur = split
    only_biscoe = pd.concat([cur[cur["Island"] == "Biscoe"]] * 3, ignore_index=True)
    report = monitor(ref, only_biscoe, columns=["Island", "Culmen Length (mm)"])
    assert "Island" in report.drifted and all(f.columns in (("Island",), ("Culmen Length (mm)",)) for f in report.findings)
    assert report.meta["predictions"] is False  # no model: data drift only


def test_performance_drop_and_label_drift(split, model, to_backend):
    from mlkit.monitor import monitor

    _, ref, cur = split
    report = monitor(to_backend(ref), to_backend(_flip_labels(cur)), model, target=DEMO_TARGET, metric="accuracy")
    drop = report.filter(check="performance_drop").findings
    assert drop and drop[0].columns == (DEMO_TARGET,) and drop[0].evidence["metric"] == "accuracy" and not report.ok
    assert report.performance["relative_drop"] > 0.05 and report.performance["threshold"] == 0.05
    # the same flip on too few labelled rows is reported but not judged
    small = monitor(ref, _flip_labels(cur).head(20), model, target=DEMO_TARGET, metric="accuracy")
    assert small.filter(check="performance_drop").findings == [] and small.performance["judged"] is False


def test_prediction_drift_follows_input_drift(split, model):
    from mlkit.monitor import monitor

    _, ref, cur = split
    heavier = cur.assign(**{"Body Mass (g)": cur["Body Mass (g)"] * 1.5})
    report = monitor(ref, heavier, model)
    assert report.filter(check="prediction_drift").findings and report.prediction["column"] == "P(MALE)"


class _Reciprocal(RegressorMixin, BaseEstimator):
    "A real (if fragile) regressor: predicts 1/x, so x == 0 gives an infinite prediction."

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def predict(self, X):
        with np.errstate(divide="ignore"):
            return 1.0 / np.asarray(X, dtype=float)[:, 0]


def test_non_finite_predictions_fire():
    from mlkit.monitor import monitor

    ref = pd.DataFrame({"x": np.linspace(1, 2, 100)})
    cur = pd.DataFrame({"x": np.r_[np.linspace(1, 2, 97), [0.0, 0.0, 0.0]]})
    report = monitor(ref, cur, _Reciprocal().fit(ref))
    bad = report.filter(check="non_finite_predictions").findings
    assert bad and bad[0].evidence["count"] == 3 and not report.ok
    assert monitor(ref, ref.copy(), _Reciprocal().fit(ref)).filter(check="non_finite_predictions").findings == []


def test_missing_feature_and_unfitted_model(split, model):
    from sklearn.ensemble import RandomForestClassifier

    from mlkit.monitor import monitor

    _, ref, cur = split
    report = monitor(ref, cur.drop(columns=["Island"]), model)
    assert [f.columns for f in report.errors] == [("Island",)] and report.meta["predictions"] is False
    with pytest.raises(MlkitInputError, match="not fitted"):
        monitor(ref, cur, RandomForestClassifier())
    with pytest.raises(MlkitInputError, match="'Planet'"):
        monitor(ref, cur, target="Planet")


def test_schema_violations_come_through(split):
    from mlkit.monitor import monitor
    from mlkit.schema import infer_schema

    train, ref, cur = split
    schema = infer_schema(train)
    assert monitor(ref, cur, schema=schema).filter(severity="error").findings == []
    broken = cur.assign(Island="Atlantis")
    report = monitor(ref, broken, schema=schema)
    assert report.meta["schema_validated"] and any(f.evidence.get("from") == "schema" and "Island" in f.columns for f in report.findings)


def test_batches_over_time(split, model, to_backend):
    import vl_convert as vlc

    from mlkit.monitor import monitor_batches

    _, ref, cur = split
    weeks = [cur.iloc[idx].reset_index(drop=True) for idx in np.array_split(np.arange(len(cur)), 3)]
    weeks[1] = weeks[1].assign(**{"Body Mass (g)": weeks[1]["Body Mass (g)"] * 1.4})
    weeks[2] = _flip_labels(weeks[2].assign(**{"Body Mass (g)": weeks[2]["Body Mass (g)"] * 1.8}), share=0.5)
    report = monitor_batches([to_backend(w) for w in weeks], reference=to_backend(ref), model=model, target=DEMO_TARGET, metric="accuracy")
    t = report.table
    assert list(t["batch"]) == ["batch 1", "batch 2", "batch 3"] and list(t["drifted"]) == [0, 1, 1]
    dropped = [f.evidence["batch"] for f in report.filter(check="performance_drop")]
    assert t["value"].iloc[2] < t["value"].iloc[0] and "batch 3" in dropped and "batch 1" not in dropped
    svg = vlc.vegalite_to_svg(report.chart().to_json())
    assert svg.count("<path") >= 2 and "accuracy" in svg
    back = Report.from_json(report.to_json())
    assert back.kind == "monitor_batches" and back.table.equals(report.table)
    assert "<svg" in report.to_html(standalone=True)


def test_report_html_escapes_and_roundtrips(split):
    from mlkit.monitor import MonitorReport, monitor

    _, ref, cur = split
    hostile = "<script>alert(1)</script>"
    r2, c2 = ref.rename(columns={"Island": hostile}), cur.rename(columns={"Island": hostile})
    c2[hostile] = "Torgersen"
    report = monitor(r2, c2)
    page = report.to_html(standalone=True)
    assert hostile in report.drifted and "<script>alert(1)" not in page and "&lt;script&gt;" in page
    back = Report.from_json(report.to_json())
    assert isinstance(back, MonitorReport) and back.drifted == report.drifted


def test_performance_table_escapes_the_metric_name():
    from mlkit.monitor import MonitorReport

    evil = "<img src=x onerror=alert(1)>"
    perf = {"metric": evil, "reference": 0.9, "current": 0.5, "relative_drop": 0.44, "threshold": 0.05, "judged": False, "current_rows": 9}
    page = MonitorReport(performance=perf).to_html(standalone=True)
    assert (
        "<img" not in page
        and "<td>&lt;img src=x onerror=alert(1)&gt;</td><td>0.9</td><td>0.5</td><td>+44.0% (too few rows to judge)</td>" in page
    )


def test_mlkit_monitor_is_callable_whatever_was_imported(split):
    import mlkit
    import mlkit.monitor  # noqa: F401

    _, ref, cur = split
    assert mlkit.monitor(ref, cur).findings == [] and callable(mlkit.monitor_batches)


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "mlkit", "monitor", *map(str, args)], capture_output=True, text=True, timeout=600, cwd=cwd)


def test_cli(split, model, tmp_path):
    import joblib

    _, ref, cur = split
    ref.to_csv(tmp_path / "ref.csv", index=False)
    cur.to_csv(tmp_path / "same.csv", index=False)
    _flip_labels(cur.assign(**{"Body Mass (g)": cur["Body Mass (g)"] * 1.4})).to_parquet(tmp_path / "bad.parquet", index=False)
    joblib.dump(model, tmp_path / "model.pkl")
    quiet = _cli(
        tmp_path / "ref.csv", tmp_path / "same.csv", "--target", DEMO_TARGET, "--model", tmp_path / "model.pkl", "--fail-on", "warning"
    )
    assert quiet.returncode == 0, quiet.stderr
    assert "0 error(s), 0 warning(s)" in quiet.stdout
    loud = _cli(
        tmp_path / "ref.csv",
        tmp_path / "bad.parquet",
        "-t",
        DEMO_TARGET,
        "-m",
        tmp_path / "model.pkl",
        "--metric",
        "accuracy",
        "--format",
        "json",
    )
    assert loud.returncode == 1, loud.stderr
    d = json.loads(loud.stdout)
    assert d["kind"] == "monitor" and {"performance_drop", "feature_drift"} <= {f["check"] for f in d["findings"]}
    (tmp_path / "monitoring").mkdir()
    many = _cli(
        tmp_path / "ref.csv",
        tmp_path / "same.csv",
        tmp_path / "bad.parquet",
        "-t",
        DEMO_TARGET,
        "-m",
        tmp_path / "model.pkl",
        "--fail-on",
        "none",
        "-o",
        tmp_path / "monitoring" / "week.json",
    )
    assert many.returncode == 0 and "wrote" in many.stdout
    assert json.loads((tmp_path / "monitoring" / "week.json").read_text())["kind"] == "monitor_batches"
    missing = _cli(tmp_path / "ref.csv", tmp_path / "nope.csv")
    assert missing.returncode == 2 and "nope.csv" in missing.stderr and "Traceback" not in missing.stderr
    bad_model = _cli(tmp_path / "ref.csv", tmp_path / "same.csv", "--model", tmp_path / "ref.csv")
    assert bad_model.returncode == 2 and ".csv" in bad_model.stderr


def test_monitor_keeps_its_frames_weakly_for_the_full_drift_board():
    import gc
    import pickle

    import mlkit

    pytest.importorskip("ipywidgets")
    rng = np.random.default_rng(3)
    live = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    moved = live.assign(b=live["b"] + 1)
    report = mlkit.monitor(live, moved)
    assert report.kept_data()[0] is live and report.kept_data()[1] is moved
    assert pickle.loads(pickle.dumps(report)).kept_data() is None  # a pickle carries no frames
    board = report.widget()
    assert type(board).__name__ == "CompareBoard" and board.reference is live and board.current is moved
    gone = mlkit.monitor(live.copy(), moved.copy())  # frames nobody else holds
    gc.collect()
    assert gone.kept_data() is None and "no longer in memory" in gone.data_note()  # the report keeps nothing alive
