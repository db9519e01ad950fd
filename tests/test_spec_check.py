"""`mlkit run` checks the spec before any step runs (issue 13, point 8).

A missing target for steps that need one, an unknown data role, a missing notebook, a parameter of the
wrong type (in `parameters:`, a step's `parameters:` or `--set`) or one no notebook declares: the run
command fails in under a second, exit 2, naming the key and its line in `mlkit.yaml`, and no run folder
is made. The project `mlkit init` writes (with data and a target) passes the check.
"""

import re
import subprocess
import sys
import time

import pytest

from mlkit.cli import main
from mlkit.data import register
from mlkit.frame import ProblemSpec
from mlkit.pipeline import check_spec, init, spec_problems


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    "A project as `mlkit init` makes it, with training data and a target; the original spec text kept."
    root = init(tmp_path_factory.mktemp("spec") / "p", target="y")
    src = root.parent / "train.csv"
    src.write_text("x,y\n1,0\n2,1\n3,1\n")
    register(src, project=root, role="train")
    return root, (root / "mlkit.yaml").read_text()


def _with(project, old, new):
    root, text = project
    assert old in text, old
    bad = text.replace(old, new, 1)
    (root / "mlkit.yaml").write_text(bad)
    return root, bad


def _line_of(text, needle):
    return next(i + 1 for i, t in enumerate(text.splitlines()) if needle in t and not t.lstrip().startswith("#"))


@pytest.fixture(autouse=True)
def _restore(project):
    yield
    root, text = project
    (root / "mlkit.yaml").write_text(text)


def _run_cli(root, capsys, *extra):
    started = time.perf_counter()
    code = main(["run", "-C", str(root), *extra])
    seconds = time.perf_counter() - started
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip(), seconds


def test_the_initial_project_passes(project):
    root, _ = project
    declared = check_spec(root, ProblemSpec.load(root))
    assert declared["baseline"]["cv"]["type"] == "int" and "target" in declared["sanity"]
    assert spec_problems(root, ProblemSpec.load(root))[0] == []


CASES = {
    "target null": (
        'target: "y"',
        "target: null",
        "target:",
        "key 'target': is null, but step(s) baseline, sanity need the column to predict",
    ),
    "target not a column": (
        'target: "y"',
        "target: Y",
        "target:",
        "key 'target': column 'Y' is not in data/raw/train.csv; did you mean 'y'?",
    ),
    "unknown role": (
        "data: {",
        "data: {trian: data/raw/train.csv, ",
        "data:",
        "key 'data.trian': unknown data role 'trian'; the steps read train, test, schema: did you mean 'train'?",
    ),
    "missing notebook": (
        "notebooks/02_profile.ipynb",
        "notebooks/02_profil.ipynb",
        "02_profil",
        "key 'steps[1].notebook': notebook notebooks/02_profil.ipynb not found",
    ),
    "shared parameter mistyped": ("cv: 5", "cv: five", "cv: five", "key 'parameters.cv': expected an integer (int), got str 'five'"),
    "shared parameter unknown": ("cv: 5", "cv: 5\n  folds: 3", "folds: 3", "key 'parameters.folds': no step declares a parameter 'folds'"),
    "step parameter mistyped": (
        "notebook: notebooks/04_sanity.ipynb",
        "notebook: notebooks/04_sanity.ipynb\n    parameters: {n_permutations: many}",
        "n_permutations",
        "key 'steps[3].parameters.n_permutations': expected an integer (int), got str 'many'",
    ),
    "step parameter unknown": (
        "notebook: notebooks/03_baseline.ipynb",
        "notebook: notebooks/03_baseline.ipynb\n    parameters: {cv_folds: 3}",
        "cv_folds",
        "key 'steps[2].parameters.cv_folds': notebooks/03_baseline.ipynb declares no parameter 'cv_folds'",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_spec_mistake_fails_fast_naming_key_and_line(project, capsys, case):
    old, new, needle, words = CASES[case]
    root, bad = _with(project, old, new)
    before = sorted((root / "runs").iterdir())
    code, err, seconds = _run_cli(root, capsys)
    assert code == 2 and seconds < 1, (code, seconds)
    assert f"mlkit.yaml, line {_line_of(bad, needle)}: {words}" in err, err
    assert len(err.splitlines()) == 1
    assert sorted((root / "runs").iterdir()) == before  # no run folder: nothing ran


def test_mistyped_set_is_refused(project, capsys):
    root, _ = project
    code, err, seconds = _run_cli(root, capsys, "--set", "baseline.time_budget=soon")
    assert code == 2 and seconds < 1
    assert err == "mlkit run: --set baseline.time_budget='soon': expected a number (float), got str 'soon'"


def test_every_mistake_is_reported_at_once(project, capsys):
    root, _ = project
    text = (root / "mlkit.yaml").read_text()
    (root / "mlkit.yaml").write_text(text.replace('target: "y"', "target: null").replace("cv: 5", "cv: five"))
    code, err, _ = _run_cli(root, capsys)
    assert code == 2 and "2 problems, found before any step ran" in err
    assert re.search(r"line \d+: key 'target': is null", err) and re.search(r"line \d+: key 'parameters.cv': expected an integer", err)


def test_a_target_given_on_the_command_line_is_enough(project):
    root, _ = _with(project, 'target: "y"', "target: null")
    check_spec(root, ProblemSpec.load(root), {"target": "y"})
    check_spec(root, ProblemSpec.load(root), needed=["check", "profile"])  # these steps take no target


def test_a_role_read_by_a_step_is_known(project):
    root, text = project
    nb = root / "notebooks" / "01_check.ipynb"
    original = nb.read_text()
    try:
        nb.write_text(original.replace("schema_path: str", 'holdout_path: str = \\"\\"  # held-out data\\n",\n    "schema_path: str', 1))
        (root / "mlkit.yaml").write_text(text.replace("data: {", "data: {holdout: data/raw/train.csv, ", 1))
        declared = check_spec(root, ProblemSpec.load(root))
        assert "holdout_path" in declared["check"]
        from mlkit.pipeline import resolve_parameters

        assert resolve_parameters(ProblemSpec.load(root), declared)["check"]["holdout_path"] == "data/raw/train.csv"
    finally:
        nb.write_text(original)


def test_the_installed_command_answers_in_under_a_second(project):
    root, _ = _with(project, 'target: "y"', "target: null")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mlkit", "run"], cwd=root, capture_output=True, text=True, timeout=60)
    seconds = time.perf_counter() - started
    assert proc.returncode == 2 and "key 'target': is null" in proc.stderr and "Traceback" not in proc.stderr
    assert seconds < 3, seconds  # a whole new interpreter: start-up included (about 0.2 s here)
