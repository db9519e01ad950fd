"""House rule: no export cell in nbs/ is longer than about 80 lines.

A cell's length is its number of source lines. Long cells are split so each exported function sits in
a cell of its own, followed by its lesson. The cells below are the ones still over the limit (most are a
class whose methods sit in one cell); the list may only shrink: a new long cell, or a listed cell that
grew, fails the test, and a listed cell that was split must leave the list.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 80

# (notebook, first line of the cell's code after `#| export`) -> lines when listed; may only shrink
KNOWN_LONG = {}


def export_cells():
    "Every (notebook, first code line, lines) of an export cell in nbs/."
    for path in sorted((ROOT / "nbs").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            src = "".join(cell["source"])
            if cell["cell_type"] != "code" or not src.startswith("#| export"):
                continue
            lines = src.splitlines()
            first = next((ln for ln in lines[1:] if ln.strip() and not ln.startswith(("#", "from ", "import "))), "")
            yield path.relative_to(ROOT / "nbs").as_posix(), first, len(lines)


def too_long(max_lines: int = MAX_LINES) -> list:
    "Export cells over `max_lines` that are not listed, or listed but longer than when listed."
    found = []
    for nb, first, n in export_cells():
        listed = KNOWN_LONG.get((nb, first))
        if n > max_lines and (listed is None or n > listed):
            found.append((nb, first, n, listed))
    return found


def test_no_new_long_export_cell():
    found = too_long()
    listing = "\n".join(f"  {nb}: {first[:60]!r} ({n} lines; listed at {listed})" for nb, first, n, listed in found)
    assert not found, f"{len(found)} export cell(s) over {MAX_LINES} lines (split them):\n{listing}"


def test_the_list_only_shrinks():
    now = {(nb, first): n for nb, first, n in export_cells()}
    stale = [key for key in KNOWN_LONG if now.get(key, 0) <= MAX_LINES]
    assert not stale, f"these listed cells are split or gone: remove them from KNOWN_LONG: {stale}"


def test_the_rule_sees_long_cells():
    # self-test: a lower limit must report something, so the scan really reads nbs/
    assert too_long(max_lines=20)
