"""House rule: no function in mlkit/ is longer than 80 lines.

A function's length is `end_lineno - lineno + 1` of its `def` (decorators not counted, nested
functions counted in their parent and on their own). The generated `mlkit/_modidx.py` is skipped.
Long functions are split into short, well-named private helpers in the notebooks (nbs/), never in
the generated .py files.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "mlkit"
MAX_LINES = 80

# No allow-list: a long function is split into short private helpers, in its notebook.
ALLOWED = ()


def _allowed(rel: str) -> bool:
    return any(rel == a or (a.endswith("/") and rel.startswith(a)) for a in ALLOWED)


def long_functions(max_lines: int = MAX_LINES) -> list[tuple[str, str, int, int]]:
    "Every (file, function, line, length) in mlkit/ over `max_lines`, allow-list excluded."
    found = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if path.name == "_modidx.py" or _allowed(rel):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=rel)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > max_lines:
                    found.append((rel, node.name, node.lineno, length))
    return found


def test_no_function_over_80_lines():
    found = long_functions()
    listing = "\n".join(f"  {rel}:{line} {name} ({n} lines)" for rel, name, line, n in found)
    assert not found, f"{len(found)} function(s) over {MAX_LINES} lines in mlkit/:\n{listing}"


def test_the_rule_sees_long_functions():
    # self-test: a lower limit must report something, so the scan really looks at mlkit/
    assert long_functions(max_lines=20)
