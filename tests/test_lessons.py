"""House rule (issue 12 point 7): each public function or class sits in an export cell of its own, followed at once
(markdown between is fine) by its lesson: a code cell that runs it, whose output is the evidence.

A public name is a top-level `def` or `class` without a leading underscore in a `#| export` cell. The places that
do not hold yet are listed in `lessons_known.json` ("notebook::name::why"); the list may only shrink: a new
violation fails the test, and a listed one that was fixed must leave the list.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KNOWN = set(json.loads((Path(__file__).parent / "lessons_known.json").read_text(encoding="utf-8")))
EXPORT = re.compile(r"#\|\s*export\s*$")
NOT_A_LESSON = re.compile(r"#\|\s*(export|exporti|hide)\b")


def _public_names(src: str) -> list:
    "Top-level public defs and classes of a cell's code."
    code = "\n".join(ln for ln in src.splitlines() if not ln.startswith("#|"))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return [n.name for n in tree.body if isinstance(n, kinds) and not n.name.startswith("_")]


def violations(folder: Path = ROOT / "nbs") -> set:
    "Every 'notebook::name::why' where a public name shares its cell or has no lesson right after it."
    found = set()
    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        nb = path.relative_to(folder).as_posix()
        for i, cell in enumerate(cells):
            src = "".join(cell["source"])
            if cell["cell_type"] != "code" or not src or not EXPORT.match(src.splitlines()[0]):
                continue
            names = _public_names(src)
            after = next(("".join(c["source"]) for c in cells[i + 1 :] if c["cell_type"] == "code"), None)
            lesson = after is not None and after.strip() and not NOT_A_LESSON.match(after)
            for name in names:
                if len(names) > 1:
                    found.add(f"{nb}::{name}::shares a cell")
                if not lesson:
                    found.add(f"{nb}::{name}::no lesson next")
    return found


def test_no_new_public_name_without_its_own_cell_and_lesson():
    new = sorted(violations() - KNOWN)
    assert not new, "give each its own export cell followed by a lesson cell:\n" + "\n".join(new)


def test_the_list_only_shrinks():
    stale = sorted(KNOWN - violations())
    assert not stale, "fixed, now remove from tests/lessons_known.json:\n" + "\n".join(stale)


def test_the_rule_sees_a_missing_lesson(tmp_path):
    def cell(kind, src):
        return {"cell_type": kind, "source": src, "metadata": {}, **({"outputs": [], "execution_count": None} if kind == "code" else {})}

    nb = {"cells": [cell("code", "#| export\ndef a(): ...\ndef b(): ..."), cell("markdown", "text"), cell("code", "#| export\ndef c(): ..."),
                    cell("code", "c()"), cell("code", "#| export\ndef _d(): ...")], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    (tmp_path / "x.ipynb").write_text(json.dumps(nb))
    assert violations(tmp_path) == {"x.ipynb::a::shares a cell", "x.ipynb::b::shares a cell", "x.ipynb::a::no lesson next", "x.ipynb::b::no lesson next"}  # fmt: skip
