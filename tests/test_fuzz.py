"""Property-based fuzzing of mlkit's public analyses on hostile frames (issue 13, point 10).

Every analysis gets frames that mix every pandas and polars dtype under hostile names (tests/strategies.py).
The only exception allowed is mlkit's own input error, with a message that names the problem; no analysis may
report an internal error as a `check_failed` finding, change the caller's frame, or fail to render.
CI runs a bounded, derandomized number of examples; `HYPOTHESIS_PROFILE=nightly python -m pytest
tests/test_fuzz.py` runs thousands of random ones (documented in the README's tests section).
"""

import json
import os

import pandas as pd
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from strategies import pandas_frames, polars_frames  # noqa: E402

import mlkit  # noqa: E402
from mlkit.core import MlkitInputError, Report  # noqa: E402


def _internal_failures(report) -> list:
    return [f.evidence for f in report.findings if f.check == "check_failed"]


def _renders(report):
    assert isinstance(report, Report)
    json.loads(report.to_json())
    assert isinstance(report._repr_html_(), str)


def _snapshot(frame):
    return frame.copy(deep=True) if isinstance(frame, pd.DataFrame) else frame.clone()


def _unchanged(frame, before):
    if isinstance(frame, pd.DataFrame):
        pd.testing.assert_frame_equal(frame, before, check_exact=True, obj="the caller's frame")
    else:
        assert frame.equals(before), "the caller's frame changed"


def _run(call, frame, *more):
    "Run one analysis: a Report with no internal failure, or mlkit's own input error with a real message."
    before = [_snapshot(f) for f in (frame, *more)]
    try:
        report = call(frame, *more)
    except MlkitInputError as err:
        assert len(str(err)) > 15, f"an input error must say what is wrong: {err!r}"
        return None
    finally:
        for f, b in zip((frame, *more), before):
            _unchanged(f, b)
    _renders(report)
    assert not _internal_failures(report), _internal_failures(report)
    return report


def _target_and_sensitive(frame, data):
    names = [c for c in dict.fromkeys(frame.columns)]
    target = data.draw(st.one_of(st.none(), st.sampled_from(names))) if names else None
    sensitive = data.draw(st.lists(st.sampled_from(names), max_size=2, unique=True)) if names else []
    return target, sensitive


FRAMES = st.one_of(pandas_frames(), polars_frames())
# the nightly profile (conftest.py) multiplies every bound here; MLKIT_FUZZ_SCALE sets the factor by hand
SCALE = int(os.environ.get("MLKIT_FUZZ_SCALE", 50 if os.environ.get("HYPOTHESIS_PROFILE") == "nightly" else 1))


@settings(max_examples=60 * SCALE)
@given(frame=FRAMES, data=st.data())
def test_check_on_hostile_frames(frame, data):
    target, sensitive = _target_and_sensitive(frame, data)
    _run(lambda f: mlkit.check(f, target=target, sensitive=sensitive), frame)


@settings(max_examples=40 * SCALE)
@given(frame=FRAMES, data=st.data())
def test_profile_on_hostile_frames(frame, data):
    target, _ = _target_and_sensitive(frame, data)
    _run(lambda f: mlkit.profile(f, target=target), frame)


@settings(max_examples=40 * SCALE)
@given(frame=FRAMES, other=FRAMES)
def test_schema_on_hostile_frames(frame, other):
    schema = None

    def infer(f):
        nonlocal schema
        schema = mlkit.infer_schema(f)
        return mlkit.validate(f, schema)

    _run(infer, frame)
    if schema is not None:
        _run(lambda f: mlkit.validate(f, schema), other)


@settings(max_examples=40 * SCALE)
@given(reference=FRAMES, current=FRAMES)
def test_compare_and_monitor_on_hostile_frames(reference, current):
    _run(lambda r, c: mlkit.compare(r, c), reference, current)
    _run(lambda r, c: mlkit.monitor(r, c), reference, current)
