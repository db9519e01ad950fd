"""Outputs never overwrite inputs: every writer goes through `mlkit.core.refuse_overwrite`.

Real files on disk and the real command line (`python -m mlkit ...` in a subprocess). For each command that
writes a file with `-o`: onto one of its inputs (however spelled: same name, relative detour, symlink, hard
link), onto a registered raw data file (even one made writable again), onto a read-only file -> exit 2, one
line on stderr naming the paths, the file's bytes unchanged and no temporary file left; onto a new path ->
written as before. The Python API (`Report.save`, `Schema.save`, `ProfileReport.save`, `save_chart`,
`deep_profile`, `atomic_write`) refuses the same destinations.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mlkit.core import MlkitInputError, OverwriteRefusedError, Report, atomic_write, refuse_overwrite
from mlkit.datasets import load_demo

TARGET = "Species"


def mlkit(*args, cwd):
    return subprocess.run([sys.executable, "-m", "mlkit", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


def snapshot(folder: Path) -> dict:
    "Every file under `folder` (hidden temporaries included) with its bytes."
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    "A folder with data files, a config, a schema, and an mlkit project whose raw files are registered."
    from mlkit.data import register
    from mlkit.pipeline import init

    d = tmp_path_factory.mktemp("no_overwrite")
    df = load_demo().head(80)
    df.to_csv(d / "train.csv", index=False)
    df.tail(40).to_csv(d / "test.csv", index=False)
    (d / "config.json").write_text("{}\n")
    assert mlkit("schema", "infer", "train.csv", "-o", "schema.json", cwd=d).returncode == 0
    proj = init(d / "proj", target=TARGET)
    register(d / "train.csv", project=proj, role="train")
    (d / "lookup.json").write_text('{"a": 1}\n')
    register(d / "lookup.json", project=proj)
    raw = proj / "data" / "raw"
    assert stat.S_IMODE((raw / "train.csv").stat().st_mode) & 0o222 == 0  # the registry made it read-only
    (raw / "train.csv").chmod(0o644)  # made writable again by hand: the registry still protects it
    (raw / "lookup.json").chmod(0o644)
    ro = d / "readonly.html"
    ro.write_text("<p>keep me</p>\n")
    ro.chmod(0o444)
    return d


@pytest.fixture
def work(template, tmp_path):
    "A fresh copy of the template for each test (modes kept), so that one broken guard cannot spoil the next test."
    import shutil

    return Path(shutil.copytree(template, tmp_path / "work", symlinks=True))


def assert_refused(res, work: Path, before: dict, *names):
    "Exit 2, one stderr line naming every path in `names`, and not one byte changed or added under `work`."
    assert res.returncode == 2, res.stdout + res.stderr
    assert "refusing to write" in res.stderr, res.stderr
    for name in names:
        assert str(name) in res.stderr, (name, res.stderr)
    assert "wrote" not in res.stdout
    assert snapshot(work) == before  # input bytes unchanged, no temporary file left behind


# each writing command, with `-o` onto one of its inputs: (arguments before -o, the input it names, extra args)
ONTO_INPUT = {
    "check": (["check", "train.csv"], "train.csv", []),
    "check --config": (["check", "train.csv", "--config", "config.json"], "config.json", []),
    "compare (reference)": (["compare", "train.csv", "test.csv"], "train.csv", []),
    "compare (current)": (["compare", "train.csv", "test.csv"], "test.csv", []),
    "schema infer": (["schema", "infer", "train.csv"], "train.csv", []),
    "schema validate (data)": (["schema", "validate", "train.csv", "schema.json"], "train.csv", []),
    "schema validate (schema)": (["schema", "validate", "train.csv", "schema.json"], "schema.json", []),
    "profile": (["profile", "train.csv"], "train.csv", []),
    "baseline": (["baseline", "train.csv", "--target", TARGET], "train.csv", []),
    "sanity": (["sanity", "train.csv", "--target", TARGET, "--model", "sklearn.dummy:DummyClassifier"], "train.csv", []),
    "monitor": (["monitor", "train.csv", "test.csv"], "test.csv", []),
}


@pytest.mark.parametrize("case", sorted(ONTO_INPUT))
def test_output_onto_an_input_is_refused(work, case):
    argv, name, extra = ONTO_INPUT[case]
    before = snapshot(work)
    res = mlkit(*argv, "-o", name, *extra, cwd=work)
    assert_refused(res, work, before, name)
    assert "input file" in res.stderr


@pytest.mark.parametrize(
    "command", [["check", "train.csv"], ["compare", "test.csv", "train.csv"], ["schema", "infer", "train.csv"], ["profile", "train.csv"]]
)
def test_the_same_input_spelled_otherwise_is_refused(work, command):
    (work / "link.csv").symlink_to(work / "train.csv")
    os.link(work / "train.csv", work / "hard.csv")
    before = snapshot(work)
    for dest in ["sub/../train.csv", str(work / "train.csv"), "link.csv", "hard.csv"]:
        res = mlkit(*command, "-o", dest, cwd=work)
        assert_refused(res, work, before, dest, "train.csv")


@pytest.mark.parametrize(
    "command",
    [
        ["check", "test.csv"],
        ["compare", "train.csv", "test.csv"],
        ["schema", "infer", "test.csv"],
        ["schema", "validate", "test.csv", "schema.json"],
        ["profile", "test.csv"],
    ],
)
@pytest.mark.parametrize("raw", ["proj/data/raw/train.csv", "proj/data/raw/lookup.json"])
def test_output_onto_a_registered_raw_file_is_refused(work, command, raw):
    before = snapshot(work)
    res = mlkit(*command, "-o", raw, cwd=work)
    assert_refused(res, work, before, raw)
    assert "raw data registered in" in res.stderr and "manifest.json" in res.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["check", "test.csv"],
        ["compare", "train.csv", "test.csv"],
        ["schema", "infer", "test.csv"],
        ["schema", "validate", "test.csv", "schema.json"],
        ["profile", "test.csv"],
        ["baseline", "test.csv", "--target", TARGET],
    ],
)
def test_output_onto_a_read_only_file_is_refused(work, command):
    before = snapshot(work)
    res = mlkit(*command, "-o", "readonly.html", cwd=work)
    assert_refused(res, work, before, "readonly.html")
    assert "read-only" in res.stderr


@pytest.mark.parametrize(
    "command, out, expect",
    [
        (["check", "train.csv"], "out/check.json", '"findings"'),
        (["compare", "train.csv", "test.csv"], "out/compare.md", "###"),
        (["schema", "infer", "train.csv"], "out/schema.json", '"columns"'),
        (["schema", "validate", "test.csv", "schema.json"], "out/validate.txt", "schema validation"),
        pytest.param(["profile", "train.csv"], "out/profile.html", "<!DOCTYPE html>", marks=pytest.mark.slow),  # ~7 s: a full profile
    ],
)
def test_output_onto_a_new_path_is_written_as_before(work, command, out, expect):
    res = mlkit(*command, "-o", out, cwd=work)
    assert res.returncode in (0, 1), res.stderr
    assert f"wrote {out}" in res.stdout
    assert expect in (work / out).read_text()
    if command[0] == "schema":  # an earlier output that is no input may be replaced
        (work / out).write_text("old")
        res = mlkit(*command, "-o", out, cwd=work)
        assert res.returncode in (0, 1) and expect in (work / out).read_text(), res.stderr


def test_init_leaves_files_alone(work):
    "`mlkit init` over an existing project writes nothing; the raw files stay as they were."
    before = snapshot(work / "proj")
    res = mlkit("init", "proj", cwd=work)
    assert res.returncode == 0, res.stderr
    assert "nothing changed" in res.stdout and snapshot(work / "proj") == before


# the Python API


def test_report_save_onto_a_registered_raw_file_is_refused(work):
    raw = work / "proj" / "data" / "raw" / "lookup.json"
    before = snapshot(work)
    with pytest.raises(OverwriteRefusedError, match="raw data registered in") as e:
        Report(title="r").save(raw)
    assert str(raw) in str(e.value) and str(work / "proj" / "data" / "manifest.json") in str(e.value)
    assert isinstance(e.value, MlkitInputError)
    with pytest.raises(OverwriteRefusedError, match="input file"):
        Report(title="r").save(work / "config.json", protect=[work / "config.json"])
    assert snapshot(work) == before


def test_schema_and_profile_save_refuse_their_input(work):
    from mlkit.profile import deep_profile, profile
    from mlkit.schema import Schema, infer_schema

    before = snapshot(work)
    schema = infer_schema(work / "test.csv")
    with pytest.raises(OverwriteRefusedError, match="input file"):
        schema.save(work / "schema.json", protect=[work / "schema.json"])
    with pytest.raises(OverwriteRefusedError, match="raw data registered in"):
        schema.save(work / "proj" / "data" / "raw" / "lookup.json")
    with pytest.raises(OverwriteRefusedError, match="read-only"):
        Schema.load(work / "schema.json").save(work / "readonly.html")
    prof = profile(work / "test.csv")
    with pytest.raises(OverwriteRefusedError, match="input file"):
        prof.save(work / "schema.json", protect=[work / "test.csv", work / "schema.json"])
    with pytest.raises(OverwriteRefusedError, match="read-only"):
        prof.save(work / "readonly.html")
    with pytest.raises(OverwriteRefusedError, match="input file"):  # refused before the library is even imported
        deep_profile(work / "test.csv", work / "test.csv")
    assert snapshot(work) == before


def test_save_chart_refuses_raw_and_read_only(work):
    pytest.importorskip("vl_convert")
    import altair as alt

    from mlkit.charts import save_chart

    chart = alt.Chart(load_demo().head(20)).mark_point().encode(x="Culmen Length (mm)", y="Culmen Depth (mm)")
    before = snapshot(work)
    with pytest.raises(OverwriteRefusedError):
        save_chart(chart, work / "proj" / "data" / "raw" / "lookup.json")
    with pytest.raises(OverwriteRefusedError):
        save_chart(chart, work / "readonly.html")
    assert snapshot(work) == before


def test_atomic_write_and_refuse_overwrite(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a\n1\n")
    with pytest.raises(OverwriteRefusedError) as e:
        atomic_write(tmp_path / "." / "data.csv", "report", protect=[data])
    assert e.value.dest == tmp_path / "data.csv" and e.value.protected == data
    assert refuse_overwrite(tmp_path / "new.txt", [data]) == tmp_path / "new.txt"
    assert refuse_overwrite(tmp_path / "new.txt", data) == tmp_path / "new.txt"  # one path, not a list
    assert atomic_write(tmp_path / "old.txt", "one") and atomic_write(tmp_path / "old.txt", "two").read_text() == "two"
    # an unreadable manifest protects all of data/raw; a folder named data/raw with no manifest is not a project's
    (tmp_path / "p" / "data" / "raw").mkdir(parents=True)
    assert refuse_overwrite(tmp_path / "p" / "data" / "raw" / "x.csv")
    (tmp_path / "p" / "data" / "manifest.json").write_text("{not json")
    with pytest.raises(OverwriteRefusedError, match="raw data"):
        atomic_write(tmp_path / "p" / "data" / "raw" / "x.csv", "x")
    assert not (tmp_path / "p" / "data" / "raw" / "x.csv").exists()
    (tmp_path / "p" / "data" / "manifest.json").write_text(json.dumps({"files": {"data/raw/y.csv": {}}}))
    assert atomic_write(tmp_path / "p" / "data" / "raw" / "x.csv", "x").read_text() == "x"  # not registered: fine
    assert sorted(p.name for p in (tmp_path / "p" / "data" / "raw").iterdir()) == ["x.csv"]
