"""No traceback for a user's mistake: every command answers a bad input with one line on stderr and exit code 2.

The mistakes of issue 13, point 7: `mlkit init` onto a file, run records that are corrupt or half-written
(skipped with a warning naming the file, the good runs still listed), a config value of the wrong type
(refused naming the key and the expected type), a model that raises (named, with its step and its own
message), a model file that is not a model. Each case runs the real `mlkit` entry point in this process
(`mlkit.cli.main`), and the clean case beside it answers 0.
"""

import json
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from mlkit.checks import CheckConfig, check
from mlkit.cli import main
from mlkit.core import MlkitInputError, MlkitWarning, ModelError
from mlkit.tracking import list_runs


def _run(argv, capsys):
    "The exit code and the stderr lines of `mlkit ARGV`; a traceback fails the test (main lets it through)."
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    return code, [line for line in err.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def data_csv(tmp_path_factory):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120)})
    df["y"] = (df.a > 0).astype(int)
    path = tmp_path_factory.mktemp("data") / "d.csv"
    df.to_csv(path, index=False)
    return path


# --- mlkit init onto a file ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["file", "below a file"])
def test_init_onto_a_file_is_refused(tmp_path, capsys, where):
    f = tmp_path / "notes.txt"
    f.write_text("mine")
    code, err = _run(["init", f if where == "file" else f / "project"], capsys)
    assert code == 2 and len(err) == 1
    assert f"mlkit init: {f}: is a file, not a folder" in err[0]
    assert f.read_text() == "mine"


def test_init_into_a_folder_works(tmp_path, capsys):
    assert _run(["init", tmp_path / "p", "--target", "y"], capsys)[0] == 0
    assert (tmp_path / "p" / "mlkit.yaml").exists()


# --- corrupt or partial run records --------------------------------------------------------------------------------

GOOD = {"id": "20260101T100000Z-aaaaaa", "status": "ok", "started": "2026-01-01T10:00:00Z", "steps": [{"name": "check", "status": "ok"}]}
BAD = {
    "not json": ("{not json", "is not valid JSON"),
    "half written": (json.dumps(GOOD)[:30], "is not valid JSON"),
    "a list": ("[1, 2]", "expected a JSON object, got list"),
    "no id": (json.dumps({"status": "ok"}), "field 'id' is missing"),
    "id a number": (json.dumps({**GOOD, "id": 7}), "field 'id' is 7, expected non-empty text"),
    "no status": (json.dumps({"id": "x1"}), "field 'status' is missing"),
    "started a number": (json.dumps({**GOOD, "id": "x2", "started": 3}), "field 'started' is int 3, expected text"),
    "steps a number": (json.dumps({**GOOD, "id": "x3", "steps": 5}), "field 'steps' is int 5, expected a list"),
    "step without name": (json.dumps({**GOOD, "id": "x4", "steps": [{"status": "ok"}]}), "steps[0] has no name"),
    "headline text": (json.dumps({**GOOD, "id": "x5", "headline": "good"}), "field 'headline' is str"),
    "headline value text": (json.dumps({**GOOD, "id": "x6", "headline": {"value": "high"}}), "headline.value is str"),
    "parameters a list": (json.dumps({**GOOD, "id": "x7", "parameters": [1]}), "field 'parameters' is list"),
    "notebook without hash": (json.dumps({**GOOD, "id": "x8", "notebooks": {"check": {"path": "n.ipynb"}}}), "notebooks.check.sha256"),
    "not utf-8": (b"\xff\xfe{}", "cannot be read"),
}


@pytest.fixture(scope="module")
def broken_project(tmp_path_factory):
    root = tmp_path_factory.mktemp("proj")
    (root / "mlkit.yaml").write_text("target: y\nsteps: [{name: check, notebook: notebooks/01_check.ipynb}]\n")
    for i, (text, _) in enumerate([(json.dumps(GOOD), None), *BAD.values()]):
        folder = root / "runs" / f"r{i:02d}"
        folder.mkdir(parents=True)
        (folder / "run.json").write_bytes(text if isinstance(text, bytes) else text.encode())
    return root


def test_bad_run_records_are_skipped_with_a_warning_naming_the_file(broken_project):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runs = list_runs(broken_project)
    assert [r["id"] for r in runs] == [GOOD["id"]]
    said = {str(w.message).split(": run record skipped: ")[0]: str(w.message) for w in caught if w.category is MlkitWarning}
    assert len(said) == len(BAD)
    for i, (case, (_, words)) in enumerate(BAD.items(), start=1):
        path = str(broken_project / "runs" / f"r{i:02d}" / "run.json")
        assert path in said and words in said[path], (case, said.get(path))


@pytest.mark.parametrize("command", [["log"], ["log", "--format", "json"], ["log", "--format", "markdown"], ["diff", "latest", "latest"]])
def test_log_over_bad_records_answers_with_warnings(broken_project, capsys, command):
    code = main([*command, "-C", str(broken_project)])
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in err and GOOD["id"] in out
    warned = [line for line in err.splitlines() if line.startswith(f"mlkit {command[0]}: warning: ")]
    assert len(warned) == len(BAD), err  # once per file, one line each
    assert all("run record skipped" in line for line in warned)


def test_a_clean_project_logs_without_warnings(tmp_path, capsys):
    (tmp_path / "mlkit.yaml").write_text("target: y\nsteps: [{name: check, notebook: n.ipynb}]\n")
    (tmp_path / "runs" / "r1").mkdir(parents=True)
    (tmp_path / "runs" / "r1" / "run.json").write_text(json.dumps(GOOD))
    assert main(["log", "-C", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""


# --- config values of the wrong type --------------------------------------------------------------------------------

WRONG = {
    "missing_warn_share": ("lots", "'missing_warn_share': expected a number (float), got str 'lots'"),
    "id_min_rows": (2.5, "'id_min_rows': expected an integer (int), got float 2.5"),
    "max_examples": (True, "'max_examples': expected an integer (int), got bool True"),
    "near_constant_share": (1.5, "'near_constant_share': expected a share between 0 and 1"),
    "skew_threshold": (None, "'skew_threshold': expected a number (float), got NoneType None"),
    "disable": ("outliers", "'disable': expected a list of check ids (tuple), got str 'outliers'"),
    "severity": (["error"], "'severity': expected a mapping (dict), got list"),
}


@pytest.mark.parametrize("key", WRONG)
def test_config_value_of_the_wrong_type_is_refused(key, tmp_path, data_csv, capsys):
    value, words = WRONG[key]
    with pytest.raises(MlkitInputError) as caught:
        check(pd.read_csv(data_csv), config={key: value})
    assert words in str(caught.value)
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({key: value}))
    code, err = _run(["check", data_csv, "--config", cfg], capsys)
    assert code == 2 and len(err) == 1 and words in err[0] and str(cfg) in err[0]


def test_config_values_of_the_right_type_pass(tmp_path, data_csv, capsys):
    assert CheckConfig.from_any({"missing_warn_share": 0, "id_min_rows": np.int64(5), "max_classes": None, "disable": ["outliers"]})
    cfg = tmp_path / "config.yaml"
    cfg.write_text("missing_warn_share: 0.2\noutlier_iqr_factor: 5\nmax_classes: null\n")
    assert _run(["check", data_csv, "--config", cfg, "-o", tmp_path / "r.json"], capsys)[0] in (0, 1)


# --- the user's model raises ----------------------------------------------------------------------------------------

MODELS = """
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

class Exploding(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise RuntimeError("my model exploded")

class BadPredict(LogisticRegression):
    def predict(self, X):
        raise KeyError("no column x")
"""


@pytest.fixture(scope="module")
def models_py(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "models.py"
    path.write_text(MODELS)
    return path


@pytest.mark.parametrize(
    "factory,budget,words",
    [
        ("Exploding", None, "your model Exploding failed during the first fit (on a small sample): RuntimeError: my model exploded"),
        ("BadPredict", None, "your model BadPredict failed during overfit a small sample: KeyError: 'no column x'"),
        ("BadPredict", "60", "your model BadPredict failed during overfit a small sample: KeyError: 'no column x'"),  # in the worker
    ],
)
def test_a_model_that_raises_is_named_with_its_step(models_py, data_csv, tmp_path, capsys, factory, budget, words):
    argv = ["sanity", data_csv, "-t", "y", "-m", f"{models_py}:{factory}", "-q", "--permutations", "0", "-o", tmp_path / "s.json"]
    code, err = _run(argv + (["--time-budget", budget] if budget else []), capsys)
    assert code == 2 and err == [f"mlkit sanity: {words}"]
    assert not (tmp_path / "s.json").exists()


def test_model_error_keeps_the_original(models_py):
    import importlib.util

    spec = importlib.util.spec_from_file_location("models_for_test", models_py)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    from mlkit.sanity import sanity

    df = pd.DataFrame({"a": np.arange(60.0), "y": [0, 1] * 30})
    with pytest.raises(ModelError) as caught:
        sanity(mod.Exploding(), df, "y", cv=3, n_permutations=0)
    assert caught.value.model == "Exploding" and isinstance(caught.value.original, RuntimeError)
    assert isinstance(caught.value, MlkitInputError)


def test_a_file_that_is_not_a_model(tmp_path, data_csv, capsys):
    junk = tmp_path / "junk.pkl"
    junk.write_text("garbage")
    for argv in (["sanity", data_csv, "-t", "y", "-m", junk], ["monitor", data_csv, data_csv, "-t", "y", "-m", junk]):
        code, err = _run(argv, capsys)
        assert code == 2 and len(err) == 1 and f"{junk}: not a model file joblib or pickle can read" in err[0]


# --- the top level: one line, exit 2 ---------------------------------------------------------------------------------


def test_os_errors_are_one_line(tmp_path, capsys):
    code, err = _run(["check", tmp_path], capsys)  # a folder where a file is expected
    assert code == 2 and len(err) == 1 and err[0].startswith("mlkit check: ")


def test_the_installed_command_prints_no_traceback(tmp_path):
    f = tmp_path / "f.txt"
    f.write_text("x")
    proc = subprocess.run([sys.executable, "-m", "mlkit", "init", str(f)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"mlkit init: {f}: is a file, not a folder; `mlkit init` makes a project folder: give a new or existing folder"
    ]
