"""One question, one answer: every analysis asks `data.kinds` for a column's kind and `data.task` for the task."""

import numpy as np
import pandas as pd
import pytest

from mlkit.baselines import infer_task
from mlkit.cards.metrics import _infer_task as card_task
from mlkit.charts.columns import _column_kind as chart_kind
from mlkit.checks import check
from mlkit.data import as_narwhals
from mlkit.data.kinds import column_kind
from mlkit.profile import profile

rng = np.random.default_rng(0)

TARGETS = {
    "text labels": (["cat", "dog", "bird"] * 40, "classification"),
    "booleans": ([True, False] * 60, "classification"),
    "0/1 numbers": ([0, 1] * 60, "classification"),
    "15 codes in 400 rows": (list(np.arange(400) % 15), "classification"),
    "15 codes in 100 rows": (list(np.arange(100) % 15), "regression"),
    "whole floats 0.0/1.0/2.0 with a gap": ([0.0, 1.0, 2.0, np.nan] * 30, "classification"),
    "measurements": (list(rng.normal(size=120)), "regression"),
}


@pytest.mark.parametrize("name", list(TARGETS))
def test_checks_baseline_and_card_agree_on_the_task(name):
    values, expected = TARGETS[name]
    df = pd.DataFrame({"x": rng.normal(size=len(values)), "y": values})
    task = check(df, target="y").meta["task"]
    base = infer_task(df["y"])[0]
    assert task == expected
    assert (
        ("regression" if base == "regression" else "classification")
        == task
        == ("regression" if card_task(df["y"]) == "regression" else "classification")
    )


def test_charts_profile_and_kinds_agree_on_the_kind():
    n = 300
    df = pd.DataFrame(
        {
            "number": rng.normal(size=n),
            "flag": rng.integers(0, 2, n).astype(bool),
            "iso dates as text": [f"2024-01-{i % 28 + 1:02d}" for i in range(n)],
            "dates as categories": pd.Categorical([f"2024-02-{i % 28 + 1:02d}" for i in range(n)]),
            "few words": rng.choice(["a", "b", "c"], n),
            "free text": [f"note number {i}" for i in range(n)],
            "mixed objects": pd.Series(["a", 1, "b"] * 100, dtype=object),
        }
    )
    nw_df = as_narwhals(df)
    kinds = {c: column_kind(nw_df[c]) for c in df.columns}
    assert kinds == {
        "number": "numeric",
        "flag": "boolean",
        "iso dates as text": "datetime",
        "dates as categories": "datetime",
        "few words": "categorical",
        "free text": "text",
        "mixed objects": "categorical",
    }
    assert {c: chart_kind(nw_df[c]) for c in df.columns} == kinds
    assert dict(zip(profile(df).table["column"], profile(df).table["type"])) == kinds


SYNONYMS = {"dates_as_text", "mostly_missing", "missing_target", "high_correlation", "empty_column", "unique_values", "skewed"}


def test_one_defect_one_name_and_one_severity_on_the_demo():
    from mlkit.baselines import baseline
    from mlkit.checks import CHECKS
    from mlkit.datasets import load_demo

    demo = load_demo()
    reports = {"check": check(demo, target="Sex"), "profile": profile(demo, target="Sex"), "baseline": baseline(demo, "Sex", cv=3)}
    severities, where = {}, {}
    for name, r in reports.items():
        assert not {f.check for f in r.findings} & SYNONYMS, name
        for f in r.findings:
            if f.check in CHECKS:
                severities.setdefault((f.check, f.columns), set()).add(f.severity)
                where.setdefault((f.check, f.columns), set()).add(name)
    assert all(len(s) == 1 for s in severities.values()), {k: s for k, s in severities.items() if len(s) > 1}
    assert all("check" in names for names in where.values()), {k: n for k, n in where.items() if "check" not in n}
    assert where[("target_missing", ("Sex",))] == {"check", "profile", "baseline"}
    assert severities[("target_missing", ("Sex",))] == {"error"} and ("missing_values", ("Sex",)) not in where


def _planted(n=400):
    "A frame with one of each defect that several analyses can see."
    r = np.random.default_rng(1)
    x = r.normal(size=n)
    df = pd.DataFrame(
        {
            "x": x,
            "x_twin": x * 2 + r.normal(0, 1e-3, n),
            "region": ["Anvers"] * n,
            "day": [f"2024-03-{i % 28 + 1:02d}" for i in range(n)],
            "notes": [None] * (n // 2) + ["seen"] * (n - n // 2),
            "ratio": np.r_[np.inf, r.normal(size=n - 1)],
            "y": np.where(x + r.normal(0, 0.5, n) > 0, "yes", "no").astype(object),
        }
    )
    df.loc[:9, "y"] = None
    return df


@pytest.mark.slow
@pytest.mark.parametrize("frame", ["demo", "planted"])
def test_every_analysis_speaks_the_check_vocabulary(frame):
    # check, profile, baseline, sanity and model_card on one frame: no synonym, one severity per (id, columns),
    # and every catalogued defect another analysis reports on a column is one that check reports there
    from sklearn.linear_model import LogisticRegression

    from mlkit.baselines import baseline
    from mlkit.cards import model_card
    from mlkit.checks import CHECKS
    from mlkit.datasets import load_demo
    from mlkit.sanity import sanity

    df, target = (load_demo(), "Sex") if frame == "demo" else (_planted(), "y")
    found = {
        "check": check(df, target=target),
        "profile": profile(df, target=target),
        "baseline": baseline(df, target, cv=3),
        "sanity": sanity(LogisticRegression(max_iter=500), df, target, cv=3, n_permutations=0),
    }
    model = found["baseline"].best_pipeline  # fitted on the labelled rows, with mlkit's preprocessing
    found["card"] = model_card(model, df, target=target, cv=3, top_features=1)
    severities, where = {}, {}
    for name, r in found.items():
        assert not {f.check for f in r.findings} & SYNONYMS, name
        for f in r.findings:
            if f.check in CHECKS and f.check != "check_failed":
                severities.setdefault((f.check, f.columns), set()).add(f.severity)
                where.setdefault((f.check, f.columns), set()).add(name)
    assert all(len(s) == 1 for s in severities.values()), {k: s for k, s in severities.items() if len(s) > 1}
    assert all("check" in names for names in where.values()), {k: n for k, n in where.items() if "check" not in n}
    assert {"check", "profile", "baseline", "sanity"} <= where[("target_missing", (target,))]
    if frame == "planted":  # each planted defect is seen by the profile too, under the check's id
        planted = {"constant_column", "datetime_as_text", "missing_values", "highly_correlated_features", "infinite_values"}
        assert planted <= {c for (c, _), names in where.items() if {"check", "profile"} <= names}
    said = [lim for lim in found["card"].sections["limitations"] if "target_missing" in lim]
    assert len(said) == 1, found["card"].sections["limitations"]
