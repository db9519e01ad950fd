"""mlkit.profile: the fast profile, the deep fg-data-profiling wrapper, profile comparison and `mlkit profile`."""

import importlib.util
import subprocess
import sys
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import mlkit
from mlkit.core import MlkitInputError, Report
from mlkit.datasets import load_demo

pytest.importorskip("altair")
pytest.importorskip("vl_convert")

import mlkit.profile as mp  # noqa: E402
from mlkit.checks import CHECKS  # noqa: E402

HAVE_PROFILING = bool(importlib.util.find_spec("data_profiling") or importlib.util.find_spec("ydata_profiling"))


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "mlkit", *map(str, args)], capture_output=True, text=True, timeout=600, cwd=cwd)


class _Refs(HTMLParser):
    "Collect every src/href attribute and every <script>/<link> tag of a page."

    def __init__(self):
        super().__init__()
        self.refs, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "link", "iframe", "img"):
            self.tags.append(tag)
        self.refs += [v for k, v in attrs if k in ("src", "href") and v]


def remote_refs(html: str) -> list:
    p = _Refs()
    p.feed(html)
    return [r for r in p.refs if r.startswith(("http:", "https:", "//"))], p.tags


@pytest.fixture
def penguins(to_backend):
    return to_backend(load_demo())


@pytest.fixture(scope="module")
def demo_profile():
    return mp.profile(load_demo(), target="Sex")


# --- the statistics table ------------------------------------------------------


def test_table_matches_pandas(penguins):
    prof = mp.profile(penguins)
    raw = load_demo()
    t = prof.table.set_index("column")
    assert list(prof.table.columns) == mp.STAT_COLUMNS and list(t.index) == list(raw.columns)
    for col in ["Body Mass (g)", "Culmen Length (mm)", "Delta 15 N (o/oo)"]:
        s = raw[col]
        assert t.loc[col, "missing"] == s.isna().sum() and t.loc[col, "count"] == s.notna().sum()
        assert t.loc[col, "distinct"] == s.nunique()
        assert np.isclose(t.loc[col, "mean"], s.mean()) and np.isclose(t.loc[col, "std"], s.std())
        assert np.isclose(t.loc[col, "median"], s.median()) and np.isclose(t.loc[col, "p25"], s.quantile(0.25))
        assert t.loc[col, "min"] == s.min() and t.loc[col, "max"] == s.max()
    assert t.loc["Species", "distinct"] == 3 and t.loc["Species", "top"] == raw["Species"].mode()[0]
    assert t.loc["Comments", "missing"] == raw["Comments"].isna().sum()
    assert t.loc["Date Egg", "type"] == "datetime" and t.loc["Date Egg", "min"] == "2007-11-09"
    assert t.loc["Individual ID", "type"] == "text"


def test_pandas_and_polars_agree():
    pytest.importorskip("polars")
    a = mp.profile(load_demo()).table
    b = mp.profile(load_demo(as_frame="polars")).table
    cols = ["column", "type", "count", "missing", "distinct", "top", "top_count"]
    assert a[cols].equals(b[cols])
    assert np.allclose(a["mean"].astype(float), b["mean"].astype(float), equal_nan=True)


def test_polars_nan_counts_as_missing():
    pl = pytest.importorskip("polars")
    prof = mp.profile(pl.DataFrame({"x": [1.0, float("nan"), None, 4.0]}))
    row = prof.table.iloc[0]
    assert row["missing"] == 2 and row["count"] == 2 and row["mean"] == 2.5


def test_accepts_paths_and_lazyframes(tmp_path):
    pl = pytest.importorskip("polars")
    path = tmp_path / "p.csv"
    load_demo().to_csv(path, index=False)
    assert mp.profile(path).meta["rows"] == 344
    assert mp.profile(pl.scan_csv(path)).meta["rows"] == 344


def test_empty_frames_and_empty_columns(to_backend):
    df = pd.DataFrame({"x": pd.Series([], dtype="float64"), "s": pd.Series([], dtype="object")})
    prof = mp.profile(to_backend(df))
    assert prof.table["count"].tolist() == [0, 0] and set(prof.charts) >= {"x", "s", "missing values"}
    html = prof.to_html()
    assert html.count("<svg") == len(prof.charts)
    allnan = mp.profile(to_backend(pd.DataFrame({"a": [None] * 4, "b": [1.0, 2, 3, 4]}).astype({"a": "float64"})))
    assert [(f.check, f.severity) for f in allnan.filter(column="a")] == [("missing_values", "warning")]
    assert "empty" in allnan.filter(column="a").findings[0].message
    assert "all 4 values are missing" in mp.profile(pd.DataFrame({"a": [None] * 4}, dtype="float64")).charts["a"].data["message"][0]
    assert mp.profile(pd.DataFrame()).table.empty


def test_bad_target_names_the_column(penguins):
    with pytest.raises(MlkitInputError, match="target column 'sex' not found"):
        mp.profile(penguins, target="sex")


def test_bad_input_type():
    with pytest.raises(TypeError, match="expected a pandas or polars DataFrame"):
        mp.profile([1, 2, 3])


# --- findings: planted defect fires on the right column, clean data is silent -------

rng = np.random.default_rng(0)
N = 400
CLEAN = pd.DataFrame({"x": rng.normal(size=N), "y": rng.normal(size=N), "g": rng.choice(["a", "b", "c"], N)})
PLANTED = {
    "missing_values": ("bad", pd.Series([np.nan] * 3 + [1.0, 2.0] * ((N - 3) // 2) + [1.0] * ((N - 3) % 2))),
    "constant_column": ("bad", pd.Series(["same"] * N)),
    "id_like_column": ("bad", pd.Series([f"id{i}" for i in range(N)])),
    "high_cardinality": ("bad", pd.Series([f"t{i % 300}" for i in range(N)])),
    "datetime_as_text": ("bad", pd.Series(pd.date_range("2024-01-01", periods=N).strftime("%Y-%m-%d"))),
    "skewed_distribution": ("bad", pd.Series(rng.lognormal(0, 1.5, N))),
    "infinite_values": ("bad", pd.Series(np.r_[np.inf, rng.normal(size=N - 1)])),
}


@pytest.mark.parametrize("check", sorted(PLANTED))
def test_column_finding_fires_on_planted_column(check, to_backend):
    col, values = PLANTED[check]
    df = CLEAN.assign(**{col: values})
    prof = mp.profile(to_backend(df))
    assert (check, (col,)) in {(f.check, f.columns) for f in prof}
    assert not [f for f in prof if f.columns != (col,)], prof.to_text()
    assert {f.severity for f in prof if f.check == check} == {CHECKS[check][0] if check != "missing_values" else "info"}


@pytest.mark.parametrize(
    "values, severity",
    [([None] * N, "warning"), ([1.0] * (N // 4) + [np.nan] * (N - N // 4), "warning"), ([np.nan] * 3 + [1.0] * (N - 3), "info")],
)
def test_missing_values_severity_follows_the_check(values, severity):
    # empty, mostly missing and a few missing are one defect, missing_values, at the severity `check` gives it
    df = CLEAN.assign(bad=pd.Series(values, dtype="float64"))
    assert [f.severity for f in mp.profile(df).filter(check="missing_values")] == [severity]
    assert [f.severity for f in mlkit.checks.check(df).filter(check="missing_values")] == [severity]


def test_clean_data_is_silent(to_backend):
    prof = mp.profile(to_backend(CLEAN), target="g")
    assert prof.findings == [], prof.to_text()


def test_high_correlation_fires_on_the_pair(to_backend):
    df = CLEAN.assign(z=CLEAN["x"] * 3 + rng.normal(0, 0.01, N))
    found = mp.profile(to_backend(df)).filter(check="highly_correlated_features").findings
    assert [f.columns for f in found] == [("x", "z")]


def test_target_findings(to_backend):
    df = CLEAN.assign(label=["rare"] * 10 + ["common"] * (N - 10))
    assert mp.profile(to_backend(df), target="label").filter(check="class_imbalance").findings[0].columns == ("label",)
    df = CLEAN.assign(label=[None] * 5 + ["a", "b"] * ((N - 5) // 2) + ["a"])
    prof = mp.profile(to_backend(df), target="label")
    assert prof.filter(check="target_missing").findings[0].columns == ("label",)
    assert not prof.filter(check="class_imbalance").findings


# --- charts, HTML, saving ---------------------------------------------------------------


def test_charts_are_lazy_and_cover_every_column(demo_profile):
    names = list(demo_profile.charts)
    assert names[:2] == ["missing values", "correlations"]
    assert all(c in names for c in load_demo().columns)
    assert "Body Mass (g) by Sex" in names and "Individual ID by Sex" not in names and "Region by Sex" not in names
    assert isinstance(demo_profile.charts, mp.LazyCharts)
    from mlkit.charts import chart_rows

    assert all(0 < chart_rows(demo_profile.charts[n]) <= 2000 for n in names)


def test_every_profile_chart_renders_with_marks(demo_profile):
    from tests.test_charts import data_marks  # noqa: F401  (same helper as the chart tests)

    for name in demo_profile.charts:
        marks = data_marks(demo_profile.charts[name])
        assert sum(marks.values()) > 0, name


def test_html_is_standalone_and_offline(demo_profile, tmp_path):
    path = demo_profile.save(tmp_path / "profile.html")
    html = path.read_text()
    remote, tags = remote_refs(html)
    assert remote == [] and "script" not in tags and "link" not in tags
    assert html.count("<svg") == len(demo_profile.charts)
    assert "Body Mass (g) is right-skewed" in html and "Columns" in html
    frag = demo_profile._repr_html_()
    assert frag.count("<svg") == len(demo_profile.charts) and "<script" not in frag


def test_html_escapes_column_names_and_values():
    df = pd.DataFrame({"<script>alert(1)</script>": ["<img src=x onerror=alert(1)>"] * 3 + ["b"], "n": [1.0, 2.0, 3.0, 4.0]})
    html = mp.profile(df).to_html(standalone=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_save_one_chart_by_name_slug_or_keyword(demo_profile, tmp_path):
    assert demo_profile.save(tmp_path / "Body Mass (g).svg").read_text().lstrip().startswith("<svg")
    assert demo_profile.save(tmp_path / "delta_15_n_o_oo.png").read_bytes()[:4] == b"\x89PNG"
    assert demo_profile.save(tmp_path / "m.svg", chart="missing values").exists()
    page = demo_profile.save(tmp_path / "corr.html", chart="correlations").read_text()
    assert remote_refs(page)[0] == []
    with pytest.raises(MlkitInputError, match="no chart named 'nope'.*'missing values'"):
        demo_profile.save(tmp_path / "nope.svg")
    with pytest.raises(MlkitInputError):
        demo_profile.save(tmp_path / "x.pdf")


def test_json_round_trip(demo_profile):
    back = Report.from_json(demo_profile.to_json())
    assert isinstance(back, mp.Profile) and back.kind == "profile"
    assert back.findings == demo_profile.findings
    cols = ["column", "type", "count", "missing", "distinct"]
    assert back.table[cols].equals(demo_profile.table[cols])
    assert back.charts == {} or len(back.charts) == 0


def test_module_is_callable_and_public_names():
    prof = mlkit.profile(load_demo().head(30))
    assert isinstance(prof, mlkit.profile.Profile) and isinstance(prof, Report)
    assert mlkit.deep_profile is mp.deep_profile and mlkit.compare_profiles is mp.compare_profiles and mlkit.Profile is mp.Profile


def test_import_mlkit_profile_stays_light():
    code = (
        "import sys, mlkit.profile; print([m for m in ('altair', 'vl_convert', 'data_profiling', 'ydata_profiling') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr


@pytest.mark.slow
def test_million_rows_profile_stays_small(backend):
    n = 1_000_000
    r = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "x": r.lognormal(size=n),
            "y": r.normal(size=n),
            "c": r.choice([f"v{i}" for i in range(300)], n),
            "id": np.arange(n).astype(str),
            "d": pd.Timestamp("2021-01-01") + pd.to_timedelta(r.integers(0, 10**7, n), unit="s"),
        }
    )
    if backend == "polars":
        import polars as pl

        df = pl.from_pandas(df)
    prof = mp.profile(df)
    from mlkit.charts import chart_rows

    assert all(chart_rows(prof.charts[k]) <= 2000 for k in prof.charts)
    assert len(prof.to_html()) < 2_000_000
    assert prof.filter(check="id_like_column", column="id").findings


# --- deep_profile --------------------------------------------------------------------------


def test_deep_profile_without_the_library_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "data_profiling", None)
    monkeypatch.setitem(sys.modules, "ydata_profiling", None)
    with pytest.raises(ImportError, match=r'pip install "mlkit\[profile\]"'):
        mp.deep_profile(load_demo())


def test_deep_profile_cli_without_the_library_is_exit_2(tmp_path):
    path = tmp_path / "p.csv"
    load_demo().head(20).to_csv(path, index=False)
    code = (
        "import sys; sys.modules['data_profiling'] = None; sys.modules['ydata_profiling'] = None; "
        f"from mlkit.cli import main; sys.exit(main(['profile', {str(path)!r}, '--deep']))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 2 and 'pip install "mlkit[profile]"' in out.stderr and "Traceback" not in out.stderr


@pytest.fixture
def profiling():
    if not HAVE_PROFILING:
        pytest.skip("fg-data-profiling / ydata-profiling not installed")
    return mp._profiling_module()


@pytest.mark.slow
def test_deep_profile_writes_html_and_returns_the_report(profiling, tmp_path, backend, to_backend):
    out = tmp_path / "deep.html"
    rep = mp.deep_profile(to_backend(load_demo().head(80)), out, progress=False)
    assert type(rep).__name__ == "ProfileReport" and out.exists() and out.stat().st_size > 10_000
    assert rep.mlkit_meta["minimal"] is False and rep.mlkit_meta["sample_size"] is None
    assert [p.name for p in tmp_path.iterdir()] == ["deep.html"]  # written atomically, no temp file left


@pytest.mark.slow
def test_deep_profile_minimal_and_sampling_thresholds(profiling, monkeypatch):
    monkeypatch.setattr("mlkit.profile.deep.DEEP_MINIMAL_ROWS", 100)  # read where deep_profile lives
    monkeypatch.setattr("mlkit.profile.deep.DEEP_SAMPLE_ROWS", 200)
    rep = mp.deep_profile(load_demo(), progress=False)
    assert rep.mlkit_meta["minimal"] is True and rep.mlkit_meta["sample_size"] == 200 and rep.mlkit_meta["seed"] == 0
    assert "sample of 200 of 344 rows, seed 0" in rep.config.title
    assert "200 of 344 rows (seed 0)" in rep.config.dataset.description
    assert rep.get_description().table["n"] == 200
    full = mp.deep_profile(load_demo(), sample=False, minimal=True, progress=False)
    assert full.mlkit_meta["sample_size"] is None and full.get_description().table["n"] == 344


@pytest.mark.slow
def test_deep_profile_shows_mlkits_progress_not_the_librarys_bars(profiling, tmp_path, capfd, monkeypatch):
    monkeypatch.delenv("MLKIT_PROGRESS", raising=False)
    rep = mp.deep_profile(load_demo().head(60), tmp_path / "deep.html", progress=True)
    assert rep.mlkit_meta["rows"] == 60 and (tmp_path / "deep.html").exists()
    out, err = capfd.readouterr()
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert "%|" not in err and "Summarize dataset" not in err, err  # no tqdm bar of the library
    assert [ln.split(" (")[0] for ln in lines[:-1]] == [
        "mlkit: deep_profile: 1/2 the statistics",
        "mlkit: deep_profile: 2/2 the HTML report",
    ]
    assert lines[-1].startswith("mlkit: deep_profile done in") and lines[-1].endswith(": 60 rows x 17 columns")
    mp.deep_profile(load_demo().head(60), tmp_path / "quiet.html", progress=False)
    assert capfd.readouterr().err == ""


# --- compare_profiles ------------------------------------------------------------------------


def test_compare_profiles_finds_the_shift(to_backend):
    r = np.random.default_rng(3)
    ref = pd.DataFrame({"x": r.normal(0, 1, 3000), "c": r.choice(list("ab"), 3000), "same": r.normal(size=3000), "gone": 1.0})
    cur = pd.DataFrame({"x": r.normal(1.5, 1, 2000), "c": r.choice(list("ab"), 2000), "same": r.normal(size=2000), "new": 2.0})
    cur.loc[:400, "c"] = None
    cmp = mp.compare_profiles(to_backend(ref), to_backend(cur))
    found = {(f.check, f.columns) for f in cmp}
    assert ("distribution_shift", ("x",)) in found and ("missing_increase", ("c",)) in found
    assert ("column_removed", ("gone",)) in found and ("column_added", ("new",)) in found
    assert not cmp.filter(column="same").findings
    assert list(cmp.charts)[0] == "x"
    row = cmp.table.set_index("column").loc["x"]
    assert abs(row["mean_change"] - (cur["x"].mean() - ref["x"].mean())) < 1e-9
    html = cmp.to_html(standalone=True)
    assert remote_refs(html)[0] == [] and html.count("<svg") == len(cmp.charts)


def test_compare_profiles_same_data_is_silent(penguins):
    cmp = mp.compare_profiles(penguins, penguins)
    assert cmp.findings == [], cmp.to_text()
    assert Report.from_json(cmp.to_json()).table.shape == cmp.table.shape


# --- command line ------------------------------------------------------------------------------


def test_cli_profile_default_output(tmp_path):
    src = tmp_path / "penguins.csv"
    load_demo().to_csv(src, index=False)
    out = run_cli("profile", src, "--target", "Sex", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    page = tmp_path / "penguins_profile.html"
    assert "wrote penguins_profile.html" in out.stdout and page.exists()
    assert "Body Mass (g) by Sex" in page.read_text()


def test_cli_profile_output_and_errors(tmp_path):
    src = tmp_path / "penguins.csv"
    load_demo().to_csv(src, index=False)
    out = run_cli("profile", src, "-o", tmp_path / "sub" / "p.html")
    assert out.returncode == 0 and (tmp_path / "sub" / "p.html").exists()
    missing = run_cli("profile", tmp_path / "nope.csv")
    assert missing.returncode == 2 and "nope.csv" in missing.stderr and "Traceback" not in missing.stderr
    bad_target = run_cli("profile", src, "--target", "nope", "-o", tmp_path / "x.html")
    assert bad_target.returncode == 2 and "'nope' not found" in bad_target.stderr
    bad_ext = run_cli("profile", src, "-o", tmp_path / "x.txt")
    assert bad_ext.returncode == 2 and "use a .html file name" in bad_ext.stderr


@pytest.mark.slow
def test_cli_deep(tmp_path):
    if not HAVE_PROFILING:
        pytest.skip("fg-data-profiling not installed")
    src = tmp_path / "penguins.csv"
    load_demo().head(60).to_csv(src, index=False)
    out = run_cli("profile", src, "--deep", "--minimal", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "penguins_deep_profile.html").exists() and "written to penguins_deep_profile.html" in out.stdout
