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
