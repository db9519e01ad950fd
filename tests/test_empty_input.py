"""Empty is not OK: an empty side, zero rows under a header, or no column in common gives the `nothing_compared` error.

In the API (`compare`, `monitor`, `monitor_batches`) and through the command line (`mlkit compare`,
`mlkit monitor --fail-on warning` exit 1 with the finding), on real CSV files; clean input never gives it.
"""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from mlkit.compare import compare
from mlkit.monitor import monitor, monitor_batches

CHECK = "nothing_compared"


def _clean(n=120, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(size=n), "z": rng.integers(0, 9, size=n), "y": rng.choice(["a", "b"], size=n)})


def _cases():
    a = _clean()
    return {
        "empty reference": (pd.DataFrame(), a, ["the reference data has no rows", "the two tables have no column in common"]),
        "empty current": (a, pd.DataFrame(), ["the current data has no rows", "the two tables have no column in common"]),
        "zero rows in reference": (a.iloc[:0], a, ["the reference data has no rows"]),
        "zero rows in current": (a, a.iloc[:0], ["the current data has no rows"]),
        "no common column": (a, a.rename(columns=str.upper), ["the two tables have no column in common"]),
    }


CASES = list(_cases())


def _the_finding(report):
    found = report.filter(check=CHECK).findings
    assert len(found) == 1, report.to_text()
    return found[0]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("analysis", ["compare", "monitor"])
def test_nothing_compared_is_an_error(analysis, case):
    ref, cur, reasons = _cases()[case]
    report = (compare if analysis == "compare" else monitor)(ref, cur)
    f = _the_finding(report)
    assert f.severity == "error" and not report.ok
    assert f.evidence["reasons"] == reasons
    assert f.message.startswith("Nothing could be compared: ") and all(r in f.message for r in reasons)


def test_nothing_compared_with_a_target_and_columns():
    a = _clean()
    assert CHECK in compare(a, a.iloc[:0], target="y").checks
    assert CHECK in monitor(a, a.iloc[:0], target="y").checks
    assert CHECK in compare(a, a[["x"]].rename(columns={"x": "w"}), columns=["x"]).checks
    assert CHECK in monitor(a, a[["y"]].rename(columns={"y": "w"}), columns=["x"]).checks


def test_monitor_batches_flags_the_empty_batch():
    a = _clean()
    r = monitor_batches([_clean(60, 1), a.iloc[:0]], a)
    assert CHECK in r.checks


def test_clean_input_is_free_of_it():
    from mlkit.compare import nothing_compared

    ref, cur = _clean(200, 1), _clean(150, 2)
    assert CHECK not in compare(ref, cur).checks
    assert CHECK not in compare(ref, cur, target="y").checks
    assert CHECK not in monitor(ref, cur).checks
    assert CHECK not in monitor(ref, cur, target="y").checks
    assert CHECK not in monitor(ref, cur[["y"]], target="y", columns=["x"]).checks  # the labels alone are compared
    assert nothing_compared(1, 1, ["x"]) is None


# --- command line, on real CSV files --------------------------------------------------------------


def _mlkit(*args):
    return subprocess.run([sys.executable, "-m", "mlkit", *map(str, args)], capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("empty")
    a = _clean()
    (d / "empty.csv").write_text("")
    a.to_csv(d / "ref.csv", index=False)
    _clean(100, 3).to_csv(d / "cur.csv", index=False)
    a.iloc[:0].to_csv(d / "header_only.csv", index=False)
    a.rename(columns=str.upper).to_csv(d / "other_columns.csv", index=False)
    return d


CLI_CASES = [
    ("empty.csv", "cur.csv"),
    ("ref.csv", "empty.csv"),
    ("header_only.csv", "cur.csv"),
    ("ref.csv", "header_only.csv"),
    ("ref.csv", "other_columns.csv"),
]


@pytest.mark.parametrize("ref,cur", CLI_CASES)
@pytest.mark.parametrize("command", ["compare", "monitor"])
def test_cli_fails_when_nothing_compared(files, command, ref, cur):
    extra = ["--fail-on", "warning"] if command == "monitor" else []
    r = _mlkit(command, files / ref, files / cur, "--format", "json", *extra)
    assert r.returncode == 1, r.stdout + r.stderr
    checks = {f["check"]: f for f in json.loads(r.stdout)["findings"]}
    assert checks[CHECK]["severity"] == "error" and checks[CHECK]["message"].startswith("Nothing could be compared")
    text = _mlkit(command, files / ref, files / cur, *extra)
    assert text.returncode == 1 and "Nothing could be compared" in text.stdout + text.stderr


@pytest.mark.parametrize("command", ["compare", "monitor"])
def test_cli_clean_input_has_no_such_finding(files, command):
    r = _mlkit(command, files / "ref.csv", files / "cur.csv", "--format", "json", "--fail-on", "error")
    assert r.returncode == 0, r.stdout + r.stderr
    assert CHECK not in {f["check"] for f in json.loads(r.stdout)["findings"]}
