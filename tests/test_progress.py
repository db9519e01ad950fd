"""Progress that behaves (issue 14 point 8): time-based, silent when nested, off with progress=False / set_progress / MLKIT_PROGRESS,
rewritten in place on a real terminal, gone from a real notebook's outputs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import mlkit
import mlkit.runtime.progress as progress_module

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def session_default():
    "Every test starts and ends with the automatic progress (no set_progress left over)."
    mlkit.set_progress(None)
    yield
    mlkit.set_progress(None)


@pytest.fixture
def no_delay(monkeypatch):
    "Progress from the first update: the delay is configuration, set to 0 here."
    monkeypatch.setattr(progress_module, "PROGRESS_DELAY", 0.0)
    monkeypatch.delenv("MLKIT_PROGRESS", raising=False)


@pytest.fixture(scope="module")
def iris():
    return load_iris(as_frame=True).frame


def small():
    return pd.DataFrame({"a": range(30), "b": ["x", "y", "z"] * 10, "y": [0, 1] * 15})


def mlkit_lines(err: str) -> list:
    return [ln for ln in err.splitlines() if ln.startswith("mlkit:")]


# --- (a) a quick call says nothing -------------------------------------------------------------


def test_a_quick_call_shows_nothing(capfd, monkeypatch):
    monkeypatch.delenv("MLKIT_PROGRESS", raising=False)
    start = time.perf_counter()
    mlkit.check(small(), target="y")
    mlkit.compare(small(), small().assign(a=range(100, 130)))
    assert time.perf_counter() - start < progress_module.PROGRESS_DELAY  # quick indeed, so nothing may show
    out, err = capfd.readouterr()
    assert err == "" and out == ""


# --- (b) after the delay it shows; the three off switches ---------------------------------------


def test_a_long_call_shows_progress_lines_and_one_final_line(capsys, no_delay):
    mlkit.check(small(), target="y")
    lines = mlkit_lines(capsys.readouterr().err)
    assert lines[0].startswith("mlkit: check: 1/") and "(30 rows, pandas)" in lines[0]
    assert lines[-1].startswith("mlkit: check done in ") and lines[-1].endswith(": 30 rows x 3 columns")
    assert len(lines) == len(set(lines)) and all(" s)" in ln for ln in lines[:-1])  # one line per step, with the seconds so far


def test_the_off_switches(capsys, no_delay, monkeypatch):
    mlkit.check(small(), progress=False)
    assert capsys.readouterr().err == ""
    mlkit.set_progress(False)
    mlkit.check(small())
    assert capsys.readouterr().err == ""
    mlkit.check(small(), progress=True)  # the call's argument wins over the session's setting
    assert "mlkit: check done in" in capsys.readouterr().err
    mlkit.set_progress(None)
    monkeypatch.setenv("MLKIT_PROGRESS", "0")
    mlkit.check(small())
    assert capsys.readouterr().err == ""
    mlkit.set_progress(True)  # the session's setting wins over the environment
    mlkit.check(small())
    assert "mlkit: check done in" in capsys.readouterr().err


def test_progress_true_shows_without_the_delay(capsys, monkeypatch):
    monkeypatch.setattr(progress_module, "PROGRESS_DELAY", 3600.0)
    mlkit.check(small())
    assert capsys.readouterr().err == ""
    mlkit.check(small(), progress=True)
    assert mlkit_lines(capsys.readouterr().err)[-1].startswith("mlkit: check done in")


def test_profile_compare_explain_show_only_their_own_progress(capsys, iris, no_delay):
    mlkit.profile(small(), target="y", progress=True)
    lines = mlkit_lines(capsys.readouterr().err)
    assert [ln.split(" (")[0] for ln in lines[:-1]] == [
        "mlkit: profile: 1/2 column statistics and data checks",
        "mlkit: profile: 2/2 the table and the charts",
    ]
    assert lines[-1].startswith("mlkit: profile done in")  # the check() inside it is silent
    mlkit.compare(small(), small(), progress=True)
    lines = mlkit_lines(capsys.readouterr().err)
    assert [ln.split(" ")[2] for ln in lines] == ["1/3", "2/3", "3/3", "done"]
    model = LogisticRegression(max_iter=500).fit(iris.drop(columns="target"), iris["target"])
    mlkit.explain(model, iris, "target", top=1, n_repeats=2, progress=True)
    lines = mlkit_lines(capsys.readouterr().err)
    assert lines[0].startswith("mlkit: explain: 1/2 permutation importance (4 features x 2 shuffles, 150 rows)")
    assert lines[-1].startswith("mlkit: explain done in") and len(lines) == 3


# --- (c) nested calls are silent ------------------------------------------------------------------


def test_model_card_shows_only_its_own_progress(capsys, iris, no_delay):
    model = LogisticRegression(max_iter=500).fit(iris.drop(columns="target"), iris["target"])
    card = mlkit.model_card(model, iris, "target", cv=2, top_features=1, progress=True)
    assert card.sanity_report is not None and card.sections["performance"]["score_to_beat_source"].startswith("mlkit.baselines")
    lines = mlkit_lines(capsys.readouterr().err)
    assert lines and all(ln.startswith("mlkit: model_card") for ln in lines), lines  # no baseline, sanity, check or explain lines
    assert [ln.split(" ")[2] for ln in lines[:-1]] == ["1/6", "2/6", "3/6", "4/6", "5/6", "6/6"]
    assert lines[-1].startswith("mlkit: model_card done in")
    mlkit.model_card(model, iris, "target", cv=2, top_features=1, progress=False)  # and off means off, inside too
    assert capsys.readouterr().err == ""


def test_compare_profiles_and_the_quick_demo_show_only_their_own_progress(capsys, no_delay, tmp_path):
    mlkit.compare_profiles(small(), small().assign(a=range(100, 130)), max_charts=1)
    lines = mlkit_lines(capsys.readouterr().err)
    assert [ln.split(" ")[2] for ln in lines] == ["1/3", "2/3", "3/3", "done"] and all(
        ln.startswith("mlkit: compare_profiles") for ln in lines
    )
    from mlkit.demo import quick_demo

    assert quick_demo(tmp_path / "demo").exists()
    lines = mlkit_lines(capsys.readouterr().err)
    assert all(ln.startswith("mlkit: demo") for ln in lines), lines  # its check, compare, profile and baseline are silent
    assert [ln.split(" (")[0] for ln in lines[:-1]] == [
        "mlkit: demo: data checks",
        "mlkit: demo: train vs test",
        "mlkit: demo: profile",
        "mlkit: demo: baselines",
    ]


# --- (d) a real terminal ----------------------------------------------------------------------------

SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    import pandas as pd
    import mlkit
    df = pd.DataFrame({{"a": range(30), "b": ["x", "y", "z"] * 10, "y": [0, 1] * 15}})
    mlkit.check(df, target="y", progress={progress})
    """
)


def _in_pty(progress) -> str:
    "What a script calling check(progress=...) writes to a real terminal (stdout and stderr both the pty)."
    import pty

    main, child = pty.openpty()
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("MLKIT_PROGRESS", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT.format(root=str(ROOT), progress=progress)], stdin=child, stdout=child, stderr=child, env=env
    )
    os.close(child)
    out = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    assert proc.wait(timeout=120) == 0, out.decode(errors="replace")
    return out.decode()


def test_a_terminal_gets_one_line_rewritten_in_place_then_one_final_line():
    out = _in_pty(True)
    assert out.count("\n") == 1 and out.endswith("\r\n")  # one line on the screen in the end (the pty writes \n as \r\n)
    rewrites = out[:-2].split("\r")[1:]
    assert len(rewrites) >= 5 and all(r.startswith("mlkit: check") for r in rewrites)
    assert rewrites[-1].rstrip().startswith("mlkit: check done in") and rewrites[-1].rstrip().endswith("30 rows x 3 columns")
    assert all(len(b) >= len(a.rstrip()) for a, b in zip(rewrites, rewrites[1:]))  # each write covers the one before
    assert _in_pty(None) == ""  # a quick call: nothing on the terminal at all


def test_a_long_step_shows_at_the_delay_without_an_update():
    import pty

    script = f"import sys, time\nsys.path.insert(0, {str(ROOT)!r})\nfrom mlkit.runtime import progress_of\n"
    script += 'with progress_of("slow") as p:\n    p.update("one long step")\n    time.sleep(3.5)\n'
    main, child = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "MLKIT_PROGRESS"}
    proc = subprocess.Popen([sys.executable, "-c", script], stdin=child, stdout=child, stderr=child, env=env)
    os.close(child)
    start, chunks = time.perf_counter(), []
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append((time.perf_counter() - start, chunk.decode()))
    os.close(main)
    assert proc.wait(timeout=60) == 0
    out = "".join(c for _, c in chunks)
    assert chunks[0][0] >= progress_module.PROGRESS_DELAY - 0.2 and chunks[0][1].startswith("\rmlkit: slow: one long step")
    assert out.count("\r") >= 3 and out.endswith("\r\n") and "mlkit: slow done in 3." in out  # shown, refreshed, finished


def test_a_pipe_gets_plain_lines():
    env = {k: v for k, v in os.environ.items() if k != "MLKIT_PROGRESS"}
    res = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(root=str(ROOT), progress=True)], capture_output=True, text=True, env=env, timeout=120
    )
    assert res.returncode == 0 and "\r" not in res.stderr
    lines = res.stderr.splitlines()
    assert len(lines) >= 5 and all(ln.startswith("mlkit: check") for ln in lines) and lines[-1].startswith("mlkit: check done in")


# --- (e) a real notebook kernel ---------------------------------------------------------------------


def _run_cells(cells: list, tmp_path) -> list:
    "Execute `cells` in a real kernel (nbclient) with this worktree's mlkit; return the executed cells."
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nimport mlkit\nassert mlkit.__file__.startswith({str(ROOT)!r})"
        )
    ]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    env = {k: v for k, v in os.environ.items() if k != "MLKIT_PROGRESS"}
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute(env=env)
    return nb.cells


def test_a_notebook_bar_is_gone_when_done_and_nothing_goes_to_stderr(tmp_path):
    df = 'df = __import__("pandas").DataFrame({"a": range(30), "b": ["x", "y", "z"] * 10, "y": [0, 1] * 15})\n'
    slow = 'import time\nfrom mlkit.runtime import progress_of\nwith progress_of("slow") as p:\n    p.update("one long step")\n    time.sleep(2.6)'
    cells = _run_cells(
        [df + 'r = mlkit.check(df, target="y", progress=True)', 'q = mlkit.check(df, target="y")\nprint("quiet")', slow], tmp_path
    )
    shown, quiet, clocked = cells[1].outputs, cells[2].outputs, cells[3].outputs
    assert shown and clocked, "the bar was never displayed"
    for o in shown + clocked:  # the bar was displayed (by the call, or by its clock thread), updated in place, and emptied at the end
        assert o.output_type == "display_data" and all(v == "" for v in o.data.values()), o
    assert len(shown) == len(clocked) == 1
    assert [o.output_type for o in quiet] == ["stream"] and quiet[0].text == "quiet\n"  # a quick call: no bar at all
    assert not [o for c in cells for o in c.outputs if o.get("name") == "stderr"]


# --- (f) the command line: --quiet ---------------------------------------------------------------------

CLI = "import sys\nsys.path.insert(0, {root!r})\nimport mlkit.runtime.progress as p\np.PROGRESS_DELAY = 0.0  # every call is 'slow'\nfrom mlkit.cli import main\nsys.exit(main({argv!r}))"


def _cli(argv: list, cwd) -> subprocess.CompletedProcess:
    "The `mlkit` command's main in a real process (stderr a pipe: plain progress lines), progress shown from the first update."
    env = {k: v for k, v in os.environ.items() if k != "MLKIT_PROGRESS"}
    code = CLI.format(root=str(ROOT), argv=argv)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


@pytest.mark.parametrize(
    "argv, name",
    [
        (["check", "a.csv", "-t", "y"], "check"),
        (["compare", "a.csv", "b.csv"], "compare"),
        (["profile", "a.csv", "-o", "p.html"], "profile"),
        (["baseline", "a.csv", "-t", "y", "--cv", "2"], "baseline"),
        (["demo", "d", "--quick"], "demo"),
    ],
)
def test_quiet_turns_the_commands_progress_off(tmp_path, argv, name):
    small().to_csv(tmp_path / "a.csv", index=False)
    small().assign(a=range(100, 130)).to_csv(tmp_path / "b.csv", index=False)
    loud = _cli(argv, tmp_path)
    assert loud.returncode in (0, 1), loud.stderr
    assert mlkit_lines(loud.stderr) and mlkit_lines(loud.stderr)[-1].startswith(f"mlkit: {name} done in"), loud.stderr
    quiet = _cli([*argv, "--quiet"], tmp_path)
    assert quiet.returncode == loud.returncode and not mlkit_lines(quiet.stderr), quiet.stderr
    assert quiet.stdout.splitlines()[-1] == loud.stdout.splitlines()[-1]  # the same report (or the same `wrote` line)
    assert "MLKIT_PROGRESS=0" in _cli([name, "--help"], tmp_path).stdout
