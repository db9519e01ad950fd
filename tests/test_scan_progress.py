"A long scan shows progress (issue 15 point 7, issue 14 point 8): one line per check on stderr, a final line; a quick scan stays quiet."

import pandas as pd
import polars as pl

import mlkit.checks.engine as engine
import mlkit.runtime.progress as progress_module


def test_long_lazy_scan_reports_progress(capsys, monkeypatch):
    monkeypatch.setattr(progress_module, "PROGRESS_DELAY", 0.0)  # every scan runs "long": the delay is configuration, set to 0
    frame = {"a": list(range(20)), "b": ["x", "y"] * 10}
    engine.check(pl.LazyFrame(frame))
    err = capsys.readouterr().err
    assert (
        "mlkit: check: 1/" in err and "(20 rows, polars-lazy)" in err and "mlkit: check done in" in err and ": 20 rows x 2 columns" in err
    )
    engine.check(pd.DataFrame(frame))  # the rule is time, not the engine: an eager frame shows progress too
    assert "(20 rows, pandas)" in capsys.readouterr().err
    engine.check(pl.LazyFrame(frame), progress=False)
    assert capsys.readouterr().err == ""


def test_quick_scan_stays_quiet(capsys):
    engine.check(pl.LazyFrame({"a": list(range(5))}))  # far below PROGRESS_DELAY: nothing, not even a final line
    assert capsys.readouterr().err == ""
