"""The pipeline's compare step (issue 17): real `mlkit run`s (papermill, a real kernel) on planted and clean splits.

A project with train and test data gets a `compare` step after `check`; `time_column`/`groups` in mlkit.yaml reach it
and the baseline step; the findings (temporal_leakage, label_errors) are in the run's report.html."""

import json

import numpy as np
import pandas as pd
import pytest

from mlkit.core import MlkitInputError
from mlkit.data import register
from mlkit.frame import ProblemSpec, StepSpec
from mlkit.pipeline import STEPS_DIR, init, run

pytestmark = pytest.mark.slow

QUICK = ["cv=3", "time_budget=20", "chart_formats=[svg]"]


def daily(n: int = 360, seed: int = 0) -> pd.DataFrame:
    "A daily table whose class follows a feature (days as ISO text, as a CSV holds them)."
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "day": pd.date_range("2021-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "store_id": [f"S{i:03d}" for i in rng.integers(0, 200, n)],
            "x": x,
            "y": np.where(x + rng.normal(0, 0.5, n) > 0, "up", "down"),
        }
    )


def project(root, train: pd.DataFrame, test: pd.DataFrame | None, *, time_column="day", groups=None, older=False, label_errors=False):
    "A project on these splits with the steps check, baseline and report (a spec without a compare step, as older projects have)."
    init(root, target="y")
    for role, frame in (("train", train), ("test", test)):
        if frame is not None:
            frame.to_csv(root / f"{role}.csv", index=False)
            register(root / f"{role}.csv", project=root, role=role)
    spec = ProblemSpec.load(root)
    spec.steps = [
        StepSpec("check", "notebooks/01_check.ipynb"),
        StepSpec("baseline", "notebooks/03_baseline.ipynb"),
        StepSpec("report", "notebooks/05_report.ipynb"),
    ]
    spec.time_column, spec.groups = time_column, groups
    spec.parameters = {"label_errors": label_errors}
    spec.save(root)
    if older:  # made by an mlkit init from before the compare step: no such notebook in the project
        (root / "notebooks" / "01a_compare.ipynb").unlink()
    return root


def findings(run_dir, step: str, name: str) -> list:
    return [f["check"] for f in json.loads((run_dir / step / f"{name}.json").read_text())["findings"]]


def test_test_split_before_train_is_temporal_leakage_in_the_run_report(tmp_path):
    days = daily()
    root = project(tmp_path / "p", train=days.iloc[120:], test=days.iloc[:120], groups="store_id", older=True, label_errors=True)
    result = run(root, overrides=QUICK, echo=lambda *a, **k: None)
    record = json.loads((result.path / "run.json").read_text())
    assert [(s["name"], s["status"]) for s in record["steps"]] == [("check", "ok"), ("compare", "ok"), ("baseline", "ok"), ("report", "ok")]
    assert record["notebooks"]["compare"]["path"] == str(STEPS_DIR / "01a_compare.ipynb")  # an older project runs mlkit's own notebook
    assert record["parameters"]["compare"]["time_column"] == "day" and record["parameters"]["baseline"]["time_column"] == "day"
    assert {"temporal_leakage", "group_leakage"} <= set(
        findings(result.path, "compare", "compare")
    )  # the spec's groups: stores on both sides
    assert "leak_safe_folds" in findings(result.path, "baseline", "baseline")  # the spec's time_column: time-ordered folds
    assert (result.path / "baseline" / "label_errors.json").exists()  # asked for in the spec's parameters
    page = (result.path / "report.html").read_text()
    assert 'id="step-compare"' in page and "train (data/raw/train.csv) vs test (data/raw/test.csv)" in page
    assert "temporal_leakage" in page and "dated before every reference row" in page
    assert "label errors in y" in page and "label_errors" in findings(result.path, "baseline", "label_errors")


def test_clean_split_has_no_temporal_leakage_and_one_role_runs_as_before(tmp_path):
    days = daily(seed=1)
    root = project(tmp_path / "clean", train=days.iloc[:240], test=days.iloc[240:])
    result = run(root, overrides=QUICK, echo=lambda *a, **k: None)
    record = json.loads((result.path / "run.json").read_text())
    assert record["status"] == "ok" and record["notebooks"]["compare"]["path"] == "notebooks/01a_compare.ipynb"
    assert "temporal_leakage" not in findings(result.path, "compare", "compare")
    page = (result.path / "report.html").read_text()
    assert 'id="step-compare"' in page and "temporal_leakage" not in page
    assert not (result.path / "baseline" / "label_errors.json").exists()  # label_errors: false in the spec
    alone = project(tmp_path / "alone", train=days, test=None, time_column=None)
    record = json.loads((run(alone, overrides=QUICK, echo=lambda *a, **k: None).path / "run.json").read_text())
    assert [s["name"] for s in record["steps"]] == ["check", "baseline", "report"]  # no test data: no compare step


def test_spec_time_column_checked_against_both_splits_before_any_step(tmp_path):
    days = daily()
    root = project(tmp_path / "p", train=days.iloc[120:], test=days.iloc[:120].rename(columns={"day": "date"}))
    with pytest.raises(
        MlkitInputError, match=r"mlkit.yaml, line \d+: key 'time_column': column 'day' is not in data/raw/test.csv; its columns"
    ):
        run(root, overrides=QUICK, echo=lambda *a, **k: None)
    assert not list((root / "runs").glob("*/run.json"))  # found before any step ran
