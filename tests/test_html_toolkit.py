"Every HTML table of mlkit comes from the one toolkit (`mlkit/core/html.py`), which escapes every header and cell."

from pathlib import Path

from mlkit.core.html import Html, badge, cell, figure, table

ROOT = Path(__file__).resolve().parents[1] / "mlkit"

# No allow-list: every hand-built table has moved onto `mlkit.core.html.table` (issue 12 pt 3).
ALLOWED: set = set()


def test_no_hand_built_tables_outside_the_toolkit():
    found = sorted(
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*.py")
        if p.name != "_modidx.py" and p.relative_to(ROOT).as_posix() != "core/html.py" and "<table" in p.read_text()
    )
    stray = [f for f in found if f not in ALLOWED]
    assert not stray, f"hand-built <table> outside mlkit/core/html.py (use core.html.table): {stray}"


def test_table_escapes_headers_and_cells():
    evil = '<img src=x onerror="alert(1)">'
    t = table([evil, "ok"], [[evil, badge("error", evil)], [1, cell(evil, cls="mlk-col")]], group=None)
    assert "<img" not in t and t.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") == 4
    assert '<span class="mlk-badge mlk-error">' in t  # built HTML goes in as is
    g = table(["col", "x"], [[evil, 1], [evil, 2]], group=0)
    assert "<img" not in g and 'rowspan="2"' in g
    assert "<img" not in figure(evil, evil) and "<svg>" in figure(Html("<svg>"), "c")
    a = table(["a"], [[1]], attrs={"title": evil, "border": 1})
    assert "<img" not in a and a.startswith('<table title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" border="1"><thead>')


def test_findings_table_is_the_toolkit_table():
    import pandas as pd

    from mlkit import check

    df = pd.DataFrame({"<b>x</b>": ["x"] * 40, "a": [1, 2, None, 4] * 10, "y": [0, 1] * 20})
    page = check(df).to_html(standalone=True)
    assert "<b>x</b>" not in page and '<td class="mlk-col">&lt;b&gt;x&lt;/b&gt;</td>' in page
