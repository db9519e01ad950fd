"""Any column name works in every chart and every HTML page (issue 13, point 5).

Every chart-returning call gets a frame whose columns are named with a newline, a dot, brackets, quotes,
a backslash, a colon, markup, an emoji, an empty string, 500 characters, an integer and a tuple. Each chart
must render with vl-convert with data marks drawn, show the real name (as text, control characters as
spaces or pictures, long names shortened), and use only plain field names in its Vega-Lite spec: the
chart families put the data under fixed field names ("value", "share", ...) and keep the column names in
titles, labels and data values, so no name can break a Vega field path or expression. Every HTML page
escapes the names.
"""

import json
import re

import numpy as np
import pandas as pd
import pytest

import mlkit
from mlkit import charts as ch

vlc = pytest.importorskip("vl_convert")
from test_charts import spec_marks  # noqa: E402  (the one mark counter of the chart tests)

NUMERIC = ["<i>num</i>", "line\nbreak", "dot.name", "br[0]", 'q"uote', "it's", "😀", "", "x" * 500, "back\\slash", "co:lon", 7, ("t", 1)]
CATEGORY, WHEN = "<b>bold</b>", "when.[0]"
MODEL_FEATURES = [c for c in NUMERIC if isinstance(c, str)]  # scikit-learn takes string feature names only
SAFE_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DATA_MARKS = {"rect", "line", "area", "rule", "symbol", "text", "arc", "path"}


def _frame(seed: int, n: int = 240) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, len(NUMERIC))), columns=pd.Index(NUMERIC, dtype=object))
    df[CATEGORY] = rng.choice(["a", "b", "<i>c</i>"], n)
    df[WHEN] = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    df.loc[:9, "dot.name"] = np.nan
    df["y"] = (df["line\nbreak"] + rng.normal(scale=0.5, size=n) > 0).astype(int)
    return df


@pytest.fixture(scope="module")
def frames():
    return _frame(0), _frame(1), _frame(2)


@pytest.fixture(scope="module")
def model_data(frames):
    return frames[0][MODEL_FEATURES + ["y"]].fillna(0.0)


@pytest.fixture(scope="module")
def fitted(model_data):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=500).fit(model_data[MODEL_FEATURES], model_data["y"])


def shown(name) -> str:
    "The text a chart shows for a column name: control characters as spaces, tuples joined, long names cut (a prefix)."
    return ch.axis_label(ch.columns.column_text(name), 40)[:30]


def _fields(node, out: set) -> set:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "field" and isinstance(v, str):
                out.add(v)
            elif k in ("groupby", "fields") and isinstance(v, list):
                out.update(x for x in v if isinstance(x, str))
            else:
                _fields(v, out)
    elif isinstance(node, list):
        for v in node:
            _fields(v, out)
    return out


def _marks(spec) -> int:
    "Data marks drawn by a chart spec (vl-convert's scenegraph), counted as test_charts counts them."
    return sum(spec_marks(spec, DATA_MARKS).values())


def assert_draws(chart, names=()) -> None:
    "The chart renders to SVG with data marks, its fields are plain identifiers, and each of `names` is shown."
    spec = ch.export._spec(chart)
    assert ch.to_svg(chart).lstrip().startswith("<svg")
    assert _marks(spec) > 0, "no data marks drawn"
    odd = [f for f in _fields(spec, set()) if not SAFE_FIELD.fullmatch(f)]
    assert not odd, f"fields that are not plain identifiers: {odd}"
    text = json.dumps(spec, ensure_ascii=False).replace("\\n", " ")
    text = re.sub(r"\s+", " ", text)
    for name in names:
        want = re.sub(r"\s+", " ", json.dumps(shown(name), ensure_ascii=False)[1:-1])
        assert want in text, f"{name!r} is not shown"


def _shown_names(df, *, skip=()) -> list:
    return [c for c in df.columns if c != "y" and c not in skip and c != ""]


@pytest.mark.parametrize("column", NUMERIC + [CATEGORY, WHEN], ids=repr)
def test_column_charts(frames, column):
    df, ref, cur = frames
    for chart in (ch.distribution_chart(df, column), ch.target_chart(df, column, "y"), ch.drift_chart(ref, cur, column)):
        assert_draws(chart, [column] if column != "" else [])


def test_hostile_target_name(frames):
    df = frames[0].rename(columns={"y": 'y"\n<t>'})
    assert_draws(ch.target_chart(df, "dot.name", 'y"\n<t>'), ["dot.name", 'y"\n<t>'])
    assert_draws(ch.distribution_chart(df, "br[0]", target='y"\n<t>'), ["br[0]"])


def test_table_charts(frames):
    df = frames[0]
    assert_draws(ch.missing_chart(df), ["dot.name"])
    assert_draws(ch.correlation_chart(df.drop(columns=[CATEGORY, WHEN])), [c for c in NUMERIC[:6] if c])
    assert_draws(mlkit.check(df, target="y").chart())


def test_profile_charts(frames):
    prof = mlkit.profile(frames[0], target="y")  # integer and tuple names as text: '7', 't / 1'
    assert len(prof.charts) >= len(frames[0].columns) and {"7", "t / 1"} <= set(prof.table["column"])
    for name in prof.charts:
        assert_draws(prof.charts[name])
    cmp = mlkit.compare_profiles(frames[1], frames[2])
    for name in cmp.charts:
        assert_draws(cmp.charts[name])


def test_compare_and_monitor_charts(frames, model_data, fitted):
    _, ref, cur = frames
    assert_draws(mlkit.compare(ref, cur).chart())
    assert_draws(mlkit.monitor(ref, cur).chart())
    cols = list(model_data.columns)
    assert_draws(mlkit.monitor(ref[cols].fillna(0), cur[cols].fillna(0), model=fitted, target="y").chart())
    assert_draws(mlkit.monitor_batches([cur, ref], ref).chart())


def test_model_charts(model_data, fitted):
    from sklearn.linear_model import LogisticRegression

    assert_draws(mlkit.baseline(model_data, "y", cv=2).chart())
    assert_draws(mlkit.sanity(LogisticRegression(max_iter=500), model_data, "y", cv=2).chart())
    ex = mlkit.explain(fitted, model_data, "y")
    for name, chart in ex.charts().items():
        assert_draws(chart, [name] if name != "importance" else ["line\nbreak"])
    assert_draws(mlkit.why(fitted, model_data, 0, target="y").chart())


@pytest.mark.slow
def test_model_card_charts(model_data):
    from sklearn.linear_model import LogisticRegression

    card = mlkit.model_card(LogisticRegression(max_iter=500), model_data, "y", cv=2)
    for chart in card.charts().values():
        assert_draws(chart)


def _no_raw_markup(what: str, page: str) -> None:
    raw = [m for m in ("<i>num</i>", "<b>bold</b>", "<i>c</i>") if m in page]
    assert not raw, f"{what}: {raw} reached the HTML unescaped"


def test_html_pages_escape_names(frames, model_data, fitted):
    from sklearn.linear_model import LogisticRegression

    df, ref, cur = frames
    planted = df.copy()
    planted.loc[:40, "<i>num</i>"] = np.nan  # a finding that names the column
    naming = {  # pages that list the columns: the escaped name must be there
        "check": mlkit.check(planted, target="y")._repr_html_(),
        "profile": mlkit.profile(df, target="y", max_charts=6)._repr_html_(),
        "compare": mlkit.compare(ref, cur)._repr_html_(),
        "monitor": mlkit.monitor(ref, cur)._repr_html_(),
        "schema": mlkit.infer_schema(df)._repr_html_(),
        "explain": mlkit.explain(fitted, model_data, "y")._repr_html_(),
        "why": mlkit.why(fitted, model_data, 0, target="y")._repr_html_(),
    }
    other = {
        "baseline": mlkit.baseline(model_data, "y", cv=2)._repr_html_(),
        "sanity": mlkit.sanity(LogisticRegression(max_iter=500), model_data, "y", cv=2)._repr_html_(),
        "monitor_batches": mlkit.monitor_batches([cur, ref], ref)._repr_html_(),
    }
    for what, page in {**naming, **other}.items():
        _no_raw_markup(what, page)
    for what, page in naming.items():
        assert "&lt;i&gt;num&lt;/i&gt;" in page, f"{what}: the column name is not shown"


def test_models_take_integer_and_tuple_names(frames):
    "baseline and sanity name features as text for scikit-learn (7 -> '7', ('t', 1) -> 't / 1'); the caller's frame keeps its names."
    from sklearn.linear_model import LogisticRegression

    df = frames[0][NUMERIC + ["y"]].fillna(0.0)
    before = list(df.columns)
    report = mlkit.baseline(df, "y", cv=2)
    assert report.ok and report.best
    assert_draws(report.chart())
    assert mlkit.sanity(LogisticRegression(max_iter=500), df, "y", cv=2).ok
    assert list(df.columns) == before
