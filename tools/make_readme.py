"""Generate README.md from nbs/index.ipynb with nbconvert's markdown exporter.

Quarto (which `nbdev_readme` needs) cannot be installed here, so this small script does its
job: cells tagged or flagged `#| hide` are dropped, nbdev directives are stripped, and code
cells are shown with their text outputs. `--check` exits 1 when README.md is out of step.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = "<!-- Generated from nbs/index.ipynb by tools/make_readme.py: do not edit by hand. -->\n\n"
_DIRECTIVE = re.compile(r"^\s*#\s*\|.*$\n?", re.MULTILINE)


def render() -> str:
    "The README text for the current nbs/index.ipynb."
    import nbformat
    from nbconvert import MarkdownExporter

    nb = nbformat.read(ROOT / "nbs" / "index.ipynb", as_version=4)
    cells = []
    for cell in nb.cells:
        src = cell.source
        if cell.cell_type == "code" and re.search(r"^\s*#\s*\|\s*(hide|export)", src, re.MULTILINE):
            continue
        if cell.cell_type == "code":
            cell.source = _DIRECTIVE.sub("", src).strip()
            # keep only plain-text outputs: README must render on any Markdown viewer
            keep = []
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    keep.append(out)
                elif out.get("output_type") in ("execute_result", "display_data") and "text/plain" in out.get("data", {}):
                    out["data"] = {"text/plain": out["data"]["text/plain"]}
                    keep.append(out)
            cell.outputs = keep
        cells.append(cell)
    nb.cells = cells
    nb.metadata["language_info"] = {"name": "python"}  # fenced code blocks get ```python
    body, _ = MarkdownExporter().from_notebook_node(nb)
    body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
    return HEADER + body


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="exit 1 if README.md is not what nbs/index.ipynb generates")
    args = p.parse_args(argv)
    text = render()
    readme = ROOT / "README.md"
    if args.check:
        if not readme.exists() or readme.read_text(encoding="utf-8") != text:
            print("README.md is out of step with nbs/index.ipynb: run `python tools/make_readme.py`", file=sys.stderr)
            return 1
        print("README.md is in step with nbs/index.ipynb")
        return 0
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(readme)
    print(f"wrote {readme.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
