"A long lazy scan shows progress (issue 15 point 7): one line per check on stderr, a final line; eager and short inputs stay quiet."

import pandas as pd
import polars as pl

import mlkit.checks.engine as engine


def test_long_lazy_scan_reports_progress(capsys, monkeypatch):
    monkeypatch.setattr(engine, "PROGRESS_MIN_ROWS", 10)  # the real threshold is a million rows: lowered, not faked
    frame = {"a": list(range(20)), "b": ["x", "y"] * 10}
    engine.check(pl.LazyFrame(frame))
    err = capsys.readouterr().err
    assert "mlkit: check 1/" in err and "(20 rows, polars-lazy)" in err and "mlkit: checked 20 rows x 2 columns" in err
    engine.check(pd.DataFrame(frame))  # eager: no progress
    engine.check(pl.LazyFrame({"a": list(range(5))}))  # below the threshold: no progress
    assert capsys.readouterr().err == ""
