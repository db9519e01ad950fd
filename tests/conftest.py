"""Shared pytest fixtures: run the same test on pandas and on polars."""

import pandas as pd
import pytest


@pytest.fixture(params=["pandas", "polars"])
def backend(request):
    "The name of the dataframe library a test runs on (polars is skipped when absent)."
    if request.param == "polars":
        pytest.importorskip("polars")
    return request.param


@pytest.fixture
def to_backend(backend):
    "Convert a pandas DataFrame to the current backend's frame."

    def convert(df: pd.DataFrame):
        if backend == "pandas":
            return df
        import polars as pl

        return pl.from_pandas(df)

    return convert


# Hypothesis profiles: CI runs a bounded, derandomized number of examples (the same examples every run, so a
# red CI always reproduces); `HYPOTHESIS_PROFILE=nightly` runs many random examples for a long fuzzing run.
try:
    from hypothesis import HealthCheck, settings

    settings.register_profile("ci", derandomize=True, deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
    settings.register_profile("nightly", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
    import os as _os

    settings.load_profile(_os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # hypothesis is a dev extra; the tests that need it skip
    pass
