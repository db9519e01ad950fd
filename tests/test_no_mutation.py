"""Inputs are never mutated: every public analysis leaves the frames it is given exactly as they were.

Each analysis runs on frames with integer or tuple column names, a non-default index, categoricals, nullable
dtypes (Int64, boolean, string) and `df.attrs`; afterwards each frame must equal its deep copy taken before
(values, column labels, index, dtypes, attrs). Where an analysis cannot take such a frame (tuple names), it
must raise mlkit's own `MlkitInputError` naming the column, not crash.
"""

import numpy as np
import pandas as pd
import pytest

from mlkit.core import MlkitInputError

N = 60


def _frame(names: str = "int") -> pd.DataFrame:
    "A frame with every awkward trait: the column labels are ints (0..5 and target 6) or tuples."
    rng = np.random.default_rng(0)
    x = rng.normal(size=N)
    cols = {
        "num": x,
        "cat": pd.Categorical(rng.choice(["a", "b", "c"], size=N)),
        "int": pd.array(rng.integers(0, 5, size=N), dtype="Int64"),
        "flag": pd.array(rng.random(N) < 0.5, dtype="boolean"),
        "text": pd.array(rng.choice(["u", "v", "w"], size=N), dtype="string"),
        "other": rng.normal(size=N),
        "y": np.where(x + rng.normal(scale=0.5, size=N) > 0, 1, 0),
    }
    df = pd.DataFrame(cols, index=pd.RangeIndex(100, 100 + 2 * N, 2, name="row_id"))
    df.iloc[3, 2] = pd.NA
    df.iloc[5, 3] = pd.NA
    df.iloc[7, 4] = pd.NA
    if names == "int":
        df.columns = list(range(len(cols)))
    elif names == "tuple":
        df.columns = [("g", k) for k in cols]
    df.attrs = {"source": "unit test", "nested": {"k": [1, 2]}}
    return df


def _target(df):
    return df.columns[-1]


def _features(df):
    return df[[c for c in df.columns if c != _target(df)]]


def _assert_unchanged(df: pd.DataFrame, before: pd.DataFrame):
    pd.testing.assert_frame_equal(df, before)
    assert list(df.columns) == list(before.columns)
    assert [type(c) for c in df.columns] == [type(c) for c in before.columns]
    assert df.index.equals(before.index) and df.index.name == before.index.name and type(df.index) is type(before.index)
    assert df.attrs == before.attrs
    assert df.dtypes.to_dict() == before.dtypes.to_dict()


def _model(df):
    from sklearn.linear_model import LogisticRegression

    feats = [c for c in _features(df).columns if df[c].dtype == "float64"]
    return LogisticRegression().fit(df[feats], df[_target(df)]), feats


def _run_all():
    "(name, function of the frames) for each public analysis; the function takes (df, other) and returns anything."
    import mlkit
    from mlkit.schema import infer_schema, validate

    def sanity(df, other):
        from sklearn.linear_model import LogisticRegression

        X = df[[c for c in df.columns if df[c].dtype == "float64"] + [_target(df)]]
        return mlkit.sanity(LogisticRegression(), X, _target(df), cv=2, n_permutations=19)

    def card(df, other):
        model, feats = _model(df)
        return mlkit.model_card(model, df[feats + [_target(df)]], _target(df), cv=2, run_sanity=False, run_checks=True)

    def explain(df, other):
        model, feats = _model(df)
        return mlkit.explain(model, df[feats + [_target(df)]], _target(df), n_repeats=2)

    def monitor_model(df, other):
        model, feats = _model(df)
        return mlkit.monitor(df[feats], other[feats], model)

    return {
        "check": lambda df, other: mlkit.check(df, target=_target(df)),
        "profile": lambda df, other: mlkit.profile(df, target=_target(df)),
        "compare": lambda df, other: mlkit.compare(df, other, target=_target(df)),
        "monitor": lambda df, other: mlkit.monitor(df, other, target=_target(df)),
        "monitor_model": monitor_model,
        "monitor_batches": lambda df, other: mlkit.monitor_batches([other, other.iloc[:30]], df, target=_target(df)),
        "drift_table": lambda df, other: mlkit.drift_table(df, other),
        "compare_profiles": lambda df, other: mlkit.compare_profiles(df, other),
        "baseline": lambda df, other: mlkit.baseline(df, _target(df), cv=2),
        "sanity": sanity,
        "schema": lambda df, other: validate(other, infer_schema(df)),
        "model_card": card,
        "explain": explain,
    }


ANALYSES = list(_run_all())
REFUSE_TUPLES: set = set()  # every analysis names a tuple column 'a / b' (data.read.column_text), as check() does


@pytest.mark.parametrize("names", ["int", "str"])
@pytest.mark.parametrize("analysis", ANALYSES)
def test_analysis_does_not_mutate(analysis, names):
    df = _frame(names)
    other = _frame(names).iloc[::-1]
    other.attrs = {"side": "current"}
    before, other_before = df.copy(deep=True), other.copy(deep=True)
    _run_all()[analysis](df, other)
    _assert_unchanged(df, before)
    _assert_unchanged(other, other_before)


@pytest.mark.parametrize("analysis", ANALYSES)
def test_tuple_names_are_refused_or_handled(analysis):
    "Tuple column names: the analysis either works (and mutates nothing) or raises MlkitInputError naming the column."
    df = _frame("tuple")
    other = _frame("tuple").iloc[::-1]
    before, other_before = df.copy(deep=True), other.copy(deep=True)
    if analysis in REFUSE_TUPLES:
        with pytest.raises(MlkitInputError, match=r"\('g', '\w+'\)"):
            _run_all()[analysis](df, other)
    else:
        _run_all()[analysis](df, other)
    _assert_unchanged(df, before)
    _assert_unchanged(other, other_before)
