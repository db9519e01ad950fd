"""mlkit.charts: every chart function rendered through vl-convert, with data marks asserted (never pictures compared)."""

import json
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

alt = pytest.importorskip("altair")
vlc = pytest.importorskip("vl_convert")

from mlkit import charts as ch  # noqa: E402
from mlkit.core import Finding, MlkitInputError, Report  # noqa: E402
from mlkit.datasets import load_demo  # noqa: E402

DATA_MARKS = {"rect", "line", "area", "rule", "symbol", "text"}


def data_marks(chart) -> Counter:
    "Items per mark type among the chart's data marks (role 'mark'), from vl-convert's scenegraph."
    return spec_marks(chart.to_dict())


def spec_marks(spec: dict, marks=DATA_MARKS) -> Counter:
    "Items per mark type among the data marks (role 'mark') of a Vega-Lite spec, from vl-convert's scenegraph."
    sg = vlc.vegalite_to_scenegraph(spec, vl_version=ch._vl_version())
    counts = Counter()

    def walk(node):
        if isinstance(node, dict):
            if node.get("role") == "mark" and node.get("marktype") in marks:
                counts[node["marktype"]] += len(node.get("items", []))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(sg["scenegraph"])
    return counts


def rendered(chart, **at_least) -> Counter:
    "Render to SVG (must be an SVG with graphics symbols) and return the data-mark counts, checking minimums."
    svg = ch.to_svg(chart)
    assert svg.lstrip().startswith("<svg") and 'role="graphics-symbol"' in svg
    marks = data_marks(chart)
    for mark, n in at_least.items():
        assert marks[mark] >= n, (mark, marks)
    return marks


def data_of(chart) -> pd.DataFrame:
    "The (aggregated) data frame a chart or its first layer carries."
    data = chart.data
    if not isinstance(data, pd.DataFrame):
        data = chart.layer[0].data
    return data


def title_of(chart) -> str:
    layer = getattr(chart, "layer", None)
    return (layer[0].title if layer else chart.title).text


@pytest.fixture
def penguins(to_backend):
    return to_backend(load_demo())


@pytest.fixture(scope="module")
def mixed():
    rng = np.random.default_rng(0)
    n = 2000
    df = pd.DataFrame(
        {
            "amount": rng.lognormal(3, 1, n),
            "score": rng.normal(0, 1, n),
            "plan": rng.choice(["free", "basic", "pro"], n, p=[0.6, 0.3, 0.1]),
            "when": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
            "active": rng.random(n) < 0.3,
            "label": rng.choice(["yes", "no"], n),
        }
    )
    df["target_num"] = df["amount"] * 2 + rng.normal(0, 5, n)
    df.loc[::17, "amount"] = np.nan
    return df


# --- theme -------------------------------------------------------------------


def test_theme_registered_not_enabled_on_import():
    code = "import altair as alt, mlkit, mlkit.charts as c; print(alt.theme.active, 'mlkit' in alt.theme.names())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["default", "True"]


def test_theme_context_manager_restores_previous():
    before = alt.theme.active
    with ch.theme():
        assert alt.theme.active == "mlkit"
        spec = alt.Chart(pd.DataFrame({"x": [1]})).mark_bar().encode(x="x").to_dict()
        assert spec["config"]["range"]["category"] == ch.TOKENS["palette"]
    assert alt.theme.active == before


def test_tokens_are_one_dict_with_distinct_severity_colours():
    sev = ch.TOKENS["severity"]
    assert set(sev) == {"error", "warning", "info"} and len(set(sev.values())) == 3
    assert all(c in ch.TOKENS["palette"] for c in sev.values())  # Okabe-Ito colours


def test_charts_render_with_theme_enabled(penguins):
    with ch.theme():
        rendered(ch.distribution_chart(penguins, "Body Mass (g)"), rect=5)
        rendered(ch.missing_chart(penguins), rect=3)


# --- distributions -------------------------------------------------------------


def test_numeric_histogram(penguins):
    chart = ch.distribution_chart(penguins, "Body Mass (g)")
    marks = rendered(chart, rect=5, rule=1)
    assert title_of(chart) == "Body Mass (g) is right-skewed; 2 values missing"
    assert marks["rect"] <= 41


def test_categorical_top_and_other(penguins):
    chart = ch.distribution_chart(penguins, "Species", max_categories=2)
    rendered(chart, rect=3, text=3)
    values = data_of(chart)["value"].tolist()
    assert values[-1] == "other (1 value)" and len(values) == 3
    counts = data_of(chart)["count"].tolist()
    assert counts[:2] == sorted(counts[:2], reverse=True) and sum(counts) == 344


def test_iso_text_dates_get_a_timeline(penguins):
    chart = ch.distribution_chart(penguins, "Date Egg")
    rendered(chart, rect=3)
    assert title_of(chart).startswith("Date Egg: 2007-11-09 to 2009-12-01")


def test_datetime_boolean_and_target_split(to_backend, mixed):
    data = to_backend(mixed)
    rendered(ch.distribution_chart(data, "when"), rect=5)
    rendered(ch.distribution_chart(data, "active"), rect=2)
    split = ch.distribution_chart(data, "score", target="label")
    rendered(split, rect=10)
    assert set(data_of(split)["class"]) == {"yes", "no"}


@pytest.mark.parametrize("dtype", ["float64", "object", "datetime64[ns]"])
def test_all_missing_column_says_so(to_backend, dtype):
    df = pd.DataFrame({"x": pd.Series([None] * 5, dtype=dtype), "y": range(5)})
    chart = ch.distribution_chart(to_backend(df), "x")
    marks = rendered(chart, text=1)
    assert "all 5 values are missing" in data_of(chart)["message"][0]
    assert marks["rect"] == 0


def test_empty_frame_says_so(to_backend):
    df = pd.DataFrame({"x": pd.Series([], dtype="float64"), "s": pd.Series([], dtype="object")})
    data = to_backend(df)
    for col in ("x", "s"):
        chart = ch.distribution_chart(data, col)
        rendered(chart, text=1)
        assert "has no rows" in data_of(chart)["message"][0]
    rendered(ch.missing_chart(data), text=1)
    rendered(ch.correlation_chart(data), text=1)


def test_unknown_column_names_it(penguins):
    with pytest.raises(MlkitInputError, match="'Body mass' not found.*'Species'"):
        ch.distribution_chart(penguins, "Body mass")


def test_constant_and_single_value_columns(to_backend):
    df = pd.DataFrame({"c": [3.0] * 10, "s": ["a"] * 10})
    rendered(ch.distribution_chart(to_backend(df), "c"), rect=1)
    chart = ch.distribution_chart(to_backend(df), "s")
    rendered(chart, rect=1)
    assert "single value" in title_of(chart)


def test_infinite_values_do_not_break_the_histogram(to_backend):
    df = pd.DataFrame({"x": [1.0, 2.0, np.inf, -np.inf, 3.0, np.nan]})
    rendered(ch.distribution_chart(to_backend(df), "x"), rect=2)


# --- missing, correlation, target ------------------------------------------------


def test_missing_chart_sorted_with_labels(penguins):
    chart = ch.missing_chart(penguins)
    rendered(chart, rect=8, text=8)
    assert title_of(chart) == "8 of 17 columns have missing values; Comments is 84% empty"
    shares = data_of(chart)["share"].tolist()
    assert shares == sorted(shares, reverse=True)


def test_missing_chart_complete_table(to_backend):
    chart = ch.missing_chart(to_backend(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})))
    rendered(chart, text=1)
    assert title_of(chart) == "No missing values in 2 columns"


def test_missing_counts_nan_and_null_on_polars():
    pl = pytest.importorskip("polars")
    df = pl.DataFrame({"x": [1.0, float("nan"), None, 4.0]})
    assert ch._missing_counts(ch._frame(df)) == {"x": 2}


def test_correlation_heatmap_matches_pandas(penguins):
    chart = ch.correlation_chart(penguins)
    rendered(chart, rect=15, text=15)
    assert "Body Mass (g) and Flipper Length (mm)" in title_of(chart) and "r = 0.87" in title_of(chart)
    corr = ch.correlation_matrix(penguins)
    expected = load_demo()[list(corr.columns)].corr()
    assert np.allclose(corr.to_numpy(), expected.to_numpy(), equal_nan=True)


def test_correlation_needs_two_numeric_columns(to_backend):
    chart = ch.correlation_chart(to_backend(pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})))
    rendered(chart, text=1)
    assert "at least two numeric columns" in data_of(chart)["message"][0]


@pytest.mark.parametrize(
    "feature,target,marks",
    [
        ("Flipper Length (mm)", "Sex", {"rect": 2, "rule": 2}),  # numeric vs classes: boxes
        ("Island", "Species", {"rect": 5}),  # categorical vs classes: 100% bars
        ("Flipper Length (mm)", "Body Mass (g)", {"line": 1, "area": 1}),  # numeric vs numeric: mean per bin
        ("Island", "Body Mass (g)", {"rect": 3, "rule": 3}),  # categorical vs numeric: mean with interval
        ("Date Egg", "Sex", {"rect": 2}),  # dates vs classes
    ],
)
def test_target_chart_by_types(penguins, feature, target, marks):
    rendered(ch.target_chart(penguins, feature, target), **marks)


def test_target_chart_no_overlap(to_backend):
    df = pd.DataFrame({"x": [1.0, None, 3.0], "y": [None, "a", None]})
    chart = ch.target_chart(to_backend(df), "x", "y")
    rendered(chart, text=1)
    assert "No row has both" in data_of(chart)["message"][0]


# --- drift -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def ref_cur():
    rng = np.random.default_rng(1)
    ref = pd.DataFrame({"x": rng.normal(0, 1, 4000), "c": rng.choice(list("abc"), 4000, p=[0.6, 0.3, 0.1])})
    cur = pd.DataFrame({"x": rng.normal(1, 1, 3000), "c": rng.choice(list("abc"), 3000, p=[0.2, 0.3, 0.5])})
    return ref, cur


def test_drift_numeric_and_categorical(to_backend, ref_cur):
    ref, cur = (to_backend(d) for d in ref_cur)
    num = ch.drift_chart(ref, cur, "x")
    rendered(num, rect=5, line=1)
    assert "major shift" in title_of(num)
    cat = ch.drift_chart(ref, cur, "c")
    rendered(cat, rect=6)
    assert "PSI" in cat.title.text
    stable = ch.drift_chart(ref, ref, "x")
    assert "stable (PSI = 0.00)" in title_of(stable)


def test_drift_statistic_from_a_dict(ref_cur):
    ref, cur = ref_cur
    chart = ch.drift_chart(ref, cur, "x", statistic={"test": "ks", "statistic": 0.41, "p_value": 1e-30, "drifted": True})
    assert title_of(chart) == "x: has drifted (ks = 0.41, p = 1e-30)"


def test_drift_with_empty_side(ref_cur):
    ref, _ = ref_cur
    chart = ch.drift_chart(ref, ref.iloc[:0], "x")
    rendered(chart, text=1)
    assert "no values in the current data" in data_of(chart)["message"][0]


# --- findings, baselines, learning curves ------------------------------------------


def test_findings_chart_colours_and_order():
    rep = Report(
        [
            Finding("a", "info", ("Body",), "m"),
            Finding("b", "error", ("Comments",), "m"),
            Finding("c", "warning", ("Comments", "Sex"), "m"),
            Finding("d", "warning", (), "m"),
        ]
    )
    chart = rep.chart()
    rendered(chart, rect=5, text=4)
    assert title_of(chart) == "4 findings (1 error, 2 warnings, 1 info); most serious on Comments"
    spec = chart.to_dict()
    colour = spec["layer"][0]["encoding"]["color"]["scale"]
    assert colour["domain"] == ["error", "warning", "info"] and colour["range"] == [ch.TOKENS["severity"][s] for s in colour["domain"]]
    order = spec["layer"][0]["encoding"]["y"]["sort"]
    assert order[0] == "Comments" and "(whole table)" in order


def test_findings_chart_empty_report():
    chart = ch.findings_chart(Report([]))
    rendered(chart, text=1)
    assert title_of(chart) == "No findings: nothing to fix"


def test_baseline_chart(to_backend):
    table = pd.DataFrame({"model": ["dummy", "linear", "boosting"], "mean": [0.5, 0.81, 0.9], "std": [0.0, 0.03, 0.02]})
    chart = ch.baseline_chart(to_backend(table), metric="accuracy", score_to_beat=0.85)
    rendered(chart, rect=3, rule=4, text=4)
    assert title_of(chart) == "boosting scores best: accuracy 0.9 ± 0.02; beats the score to beat (0.85)"
    assert data_of(chart)["model"].tolist() == ["boosting", "linear", "dummy"]
    lower = ch.baseline_chart(table.assign(mean=[3.0, 2.0, 1.0]), metric="RMSE", higher_is_better=False)
    assert data_of(lower)["model"].tolist()[0] == "boosting"
    with pytest.raises(MlkitInputError, match="missing \\['std'\\]"):
        ch.baseline_chart(table[["model", "mean"]], metric="accuracy")


def test_learning_curve_chart(to_backend):
    curve = pd.DataFrame(
        {
            "train_size": [10, 50, 100] * 2,
            "split": ["train"] * 3 + ["validation"] * 3,
            "mean": [1.0, 0.95, 0.93, 0.6, 0.8, 0.85],
            "std": [0, 0.01, 0.01, 0.1, 0.05, 0.03],
        }
    )
    chart = ch.learning_curve_chart(to_backend(curve), metric="accuracy")
    rendered(chart, line=2, area=2, text=2)
    assert "gap 0.08" in title_of(chart)
    rendered(ch.learning_curve_chart(curve.iloc[:0], metric="accuracy"), text=1)


# --- export ------------------------------------------------------------------------


class _Urls(HTMLParser):
    def __init__(self):
        super().__init__()
        self.external, self.script_src = [], []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href") and v and (v.startswith("http") or v.startswith("//")):
                self.external.append((tag, v))
            if tag == "script" and k == "src":
                self.script_src.append(v)


def external_urls(html: str):
    p = _Urls()
    p.feed(html)
    return p.external + p.script_src


def test_save_chart_every_format_offline(tmp_path, penguins):
    chart = ch.distribution_chart(penguins, "Body Mass (g)")
    assert ch.save_chart(chart, tmp_path / "c.svg").read_text().lstrip().startswith("<svg")
    assert ch.save_chart(chart, tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(ch.save_chart(chart, tmp_path / "c.json").read_text())["$schema"].startswith(
        "https://vega.github.io/schema/vega-lite/v6"
    )
    page = ch.save_chart(chart, tmp_path / "c.html").read_text()
    assert external_urls(page) == [] and "vegaEmbed" in page
    with pytest.raises(MlkitInputError, match="cannot save a chart as '.pdf'"):
        ch.save_chart(chart, tmp_path / "c.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.html", "c.json", "c.png", "c.svg"]  # no temp files left


def test_svg_html_escapes_data():
    df = pd.DataFrame({"<script>alert(1)</script>": ["<b>x</b>", "<b>x</b>", "y"]})
    frag = ch.svg_html(ch.distribution_chart(df, "<script>alert(1)</script>"), label="<script>")
    assert "<script>" not in frag and "&lt;script&gt;" in frag and frag.startswith("<figure")


# --- size ---------------------------------------------------------------------------


@pytest.mark.slow
def test_million_rows_make_small_specs(backend):
    rng = np.random.default_rng(0)
    n = 1_000_000
    df = pd.DataFrame(
        {
            "x": rng.lognormal(size=n),
            "y": rng.normal(size=n),
            "c": rng.choice([f"v{i}" for i in range(500)], n),
            "d": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 10**8, n), unit="s"),
            "t": rng.choice(["a", "b"], n),
        }
    )
    df.loc[::7, "x"] = np.nan
    if backend == "polars":
        import polars as pl

        df = pl.from_pandas(df)
    half = df[: n // 2] if backend == "pandas" else df.head(n // 2)
    charts = {
        "numeric": ch.distribution_chart(df, "x"),
        "categorical": ch.distribution_chart(df, "c"),
        "datetime": ch.distribution_chart(df, "d"),
        "split": ch.distribution_chart(df, "y", target="t"),
        "missing": ch.missing_chart(df),
        "correlation": ch.correlation_chart(df),
        "target": ch.target_chart(df, "x", "t"),
        "target_numeric": ch.target_chart(df, "x", "y"),
        "drift": ch.drift_chart(half, df, "x"),
        "drift_cat": ch.drift_chart(half, df, "c"),
    }
    for name, chart in charts.items():
        rows = ch.chart_rows(chart)
        assert 0 < rows <= 2000, (name, rows)
        assert len(chart.to_json()) < 200_000, name
    rendered(charts["numeric"], rect=5)
