"""mlkit as a user gets it: light to import, a working command, a real wheel."""

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ["sklearn", "altair", "papermill", "data_profiling", "ydata_profiling", "ipywidgets", "scipy", "vl_convert", "nbdev", "fastcore"]


def run(*args, **kw):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=600, **kw)


def test_import_is_light():
    code = f"import sys, mlkit; mlkit.Report; mlkit.load_demo; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = run("-c", code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_public_names_resolve():
    import mlkit

    missing = [n for n in mlkit.__all__ if not hasattr(mlkit, n)]
    assert missing == []
    with pytest.raises(AttributeError, match="no_such_name"):
        mlkit.no_such_name  # noqa: B018


def test_version_and_help():
    import mlkit

    out = run("-m", "mlkit", "--version")
    assert out.returncode == 0 and out.stdout.strip() == f"mlkit {mlkit.__version__}"
    out = run("-m", "mlkit", "--help")
    assert out.returncode == 0 and "demo" in out.stdout and "Exit codes" in out.stdout


def test_unknown_command_is_exit_2():
    out = run("-m", "mlkit", "frobnicate")
    assert out.returncode == 2 and "unknown command 'frobnicate'" in out.stderr and "Traceback" not in out.stderr


def test_quick_demo_writes_a_report(tmp_path):
    out = run("-m", "mlkit", "demo", "--quick", str(tmp_path / "d"))
    assert out.returncode == 0, out.stderr
    report = tmp_path / "d" / "report.html"
    assert str(report) in out.stdout and report.exists()
    html = report.read_text()
    assert "Palmer penguins" in html and "<script src" not in html


def test_settings_keep_nbdev_out_of_runtime_requirements():
    from configparser import ConfigParser

    cfg = ConfigParser(delimiters=["="])
    cfg.read(ROOT / "settings.ini")
    d = cfg["DEFAULT"]
    runtime = " ".join(d[k] for k in d if k.endswith("requirements") and k != "dev_requirements")
    assert "nbdev" not in runtime and "fastcore" not in runtime and "execnb" not in runtime
    assert "nbdev==2.4.14" in d["dev_requirements"] and d["allowed_cell_metadata_keys"] == "tags"
    assert d["console_scripts"] == "mlkit=mlkit.cli:main" and d["min_python"] == "3.10"


@pytest.mark.slow
@pytest.mark.once
def test_wheel_installs_and_runs(tmp_path):
    """Build a wheel, install it (not editable) in a fresh venv, run the demo and a check."""
    out = run("-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(ROOT))
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    wheel = next((tmp_path / "dist").glob("mlkit-*.whl"))
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "mlkit/data/penguins_raw.csv" in names and "mlkit/data/penguins_raw.LICENSE.md" in names
    assert any(n.startswith("mlkit/steps/") and n.endswith(".ipynb") for n in names) or not list((ROOT / "mlkit" / "steps").glob("*.ipynb"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    inst = subprocess.run(
        [py, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)], capture_output=True, text=True, timeout=900
    )
    assert inst.returncode == 0, inst.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{env_dir / 'bin'}:{env['PATH']}"
    demo = subprocess.run(
        [env_dir / "bin" / "mlkit", "demo", str(tmp_path / "demo")], capture_output=True, text=True, timeout=900, cwd=tmp_path, env=env
    )
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "report" in demo.stdout and list((tmp_path / "demo").rglob("report.html"))
    # the installed package never needs nbdev or fastcore
    chk = subprocess.run(
        [py, "-c", "import importlib.util as u; print(u.find_spec('nbdev'), u.find_spec('fastcore'))"], capture_output=True, text=True
    )
    assert chk.stdout.strip() == "None None"
    csv = tmp_path / "d.csv"
    csv.write_text("a,b\n1,x\n2,y\n3,z\n")
    res = subprocess.run(
        [env_dir / "bin" / "mlkit", "check", str(csv), "--format", "json"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert res.returncode in (0, 1), res.stderr
    assert '"findings"' in res.stdout


def test_readme_outputs_are_what_the_code_prints_now(tmp_path):
    # README.md shows the stored outputs of nbs/index.ipynb (tools/make_readme.py --check keeps the two in step);
    # this runs the notebook afresh so a change in behaviour cannot leave a stale output in the README
    import nbformat
    from nbclient import NotebookClient

    root = Path(__file__).resolve().parent.parent
    stored = nbformat.read(root / "nbs" / "index.ipynb", as_version=4)
    fresh = nbformat.read(root / "nbs" / "index.ipynb", as_version=4)
    NotebookClient(fresh, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()

    def texts(nb):
        return [
            "".join(o.get("text", "") for o in c.get("outputs", []) if o.get("output_type") == "stream")
            for c in nb.cells
            if c.cell_type == "code"
        ]

    assert texts(fresh) == texts(stored), "nbs/index.ipynb has stale outputs: re-execute it and run tools/make_readme.py"
