"""Every report opens with its verdict, then its errors, then warnings, then the detail; headers count what the sections show."""

from __future__ import annotations

import html as html_lib
import re

import pytest

import mlkit
from mlkit.core import Finding, Report, tally

TARGET = mlkit.datasets.DEMO_TARGET


@pytest.fixture(scope="module")
def demo():
    return mlkit.load_demo()


@pytest.fixture(scope="module")
def numeric(demo):
    sexed = demo[demo[TARGET].isin(["MALE", "FEMALE"])]
    return sexed[["Culmen Length (mm)", "Culmen Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", TARGET]]


def _opens_with_verdict(html: str) -> str:
    "The verdict line, asserted to come right after the title (nothing but the <h2> before it)."
    m = re.search(r'<div class="mlkit-report"><h2>.*?</h2>(<p class="mlk-summary mlk-verdict[^"]*">.*?</p>)', html, re.S)
    assert m, f"the report does not open with a verdict line: {html[:400]!r}"
    return m.group(1)


def _visible(html: str) -> str:
    "The text a reader sees: tags and the folded evidence JSON left out."
    return re.sub(r"<[^>]+>", " ", re.sub(r"<pre>.*?</pre>", "", html, flags=re.S))


def _at(html: str, needle: str) -> int:
    i = html.find(needle)
    assert i >= 0, f"{needle!r} is not in the page"
    return i


def test_check_report_verdict_then_errors_then_notes(demo):
    report = mlkit.check(demo, target=TARGET)
    html = report.to_html()
    line = _opens_with_verdict(html)
    assert "FAILED" in line and "Sex" in line and tally(report.counts()) in line
    assert _at(html, "mlk-verdict") < _at(html, "<h3>Errors and warnings</h3>") < _at(html, "<h3>Notes</h3>")
    first_error = _at(html, 'mlk-badge mlk-error">error')
    assert first_error < _at(html, 'mlk-badge mlk-warning">warning') < _at(html, 'mlk-badge mlk-info">info')


def test_clean_report_says_ok():
    line = _opens_with_verdict(Report([], title="clean").to_html())
    assert "OK" in line and "No problems found." in line and "no findings" in line
    warned = Report([Finding(check="x_check", severity="warning", columns=["a"], message="Two columns hold the same values.")], title="t")
    assert "WARNINGS" in _opens_with_verdict(warned.to_html()) and "a: Two columns" in warned.verdict()


def test_profile_findings_come_before_its_charts(demo):
    prof = mlkit.profile(demo, target=TARGET, max_charts=3)
    html = prof.to_html()
    _opens_with_verdict(html)
    assert _at(html, "<h3>Errors and warnings</h3>") < _at(html, "<h3>Columns</h3>") < _at(html, "<h3>Overview</h3>")
    assert _at(html, "<svg") > _at(html, "<h3>Errors and warnings</h3>")


def test_compare_error_comes_before_its_drift_table(demo):
    ref, cur = demo[demo["studyName"] == "PAL0708"], demo[demo["studyName"] != "PAL0708"]
    html = mlkit.compare(ref, cur, target=TARGET).to_html()
    _opens_with_verdict(html)
    assert _at(html, "<h3>") < _at(html, "drift tests:")
    shown = _visible(html)  # plain words, not the tests' internal names
    assert "Kolmogorov-Smirnov test" in shown and "size of the shift" in shown
    assert not [w for w in ("kolmogorov_smirnov", "wasserstein_normed", "jensen_shannon", "chi_squared") if w in shown]


def test_baseline_and_sanity_open_with_their_verdict(numeric):
    from sklearn.linear_model import LogisticRegression

    base = mlkit.baseline(numeric, TARGET, cv=2)
    assert base.headline() in html_lib.unescape(_opens_with_verdict(base.to_html()))
    san = mlkit.sanity(LogisticRegression(max_iter=500), numeric.dropna(), TARGET, cv=2)
    html = san.to_html()
    _opens_with_verdict(html)
    words = re.findall(r'mlk-badge mlk-\w+">([^<]*)<', html)
    assert "passed" in words and not {"silent", "fired", "skipped"} & set(words)
    assert "Does it beat a model that ignores the features?" in html.replace("&#x27;", "'")


def test_run_report_opens_with_verdict_counting_each_defect_once(demo, tmp_path):
    from mlkit.pipeline.report import build_report, run_counts

    checks = mlkit.check(demo, target=TARGET)
    for step in ("01_check", "04_sanity"):
        (tmp_path / step).mkdir()
        checks.save(tmp_path / step / "check.json")  # the same findings seen by two steps
    counts = run_counts(tmp_path, ["01_check", "04_sanity"])
    assert counts == checks.counts()
    page = build_report(tmp_path, steps=["01_check", "04_sanity"], project_name="demo")
    line = re.search(r'<h1>demo</h1>(<p class="mlk-summary mlk-verdict[^"]*">.*?</p>)', page, re.S)
    assert line and "FAILED" in line.group(1) and "1 error to fix first" in line.group(1)


@pytest.mark.slow
def test_model_card_header_counts_its_data_checks(demo, numeric, monkeypatch, capsys):
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    X = numeric.drop(columns=[TARGET])
    model = make_pipeline(SimpleImputer(), LogisticRegression(max_iter=500)).fit(X, numeric[TARGET])
    import mlkit.runtime.progress

    monkeypatch.setattr(mlkit.runtime.progress, "PROGRESS_DELAY", 0.0)  # every call runs "long enough" to show its progress
    card = mlkit.model_card(model, demo, TARGET, cv=2, top_features=1)
    lines = capsys.readouterr().err.splitlines()
    assert lines and all(
        ln.startswith("mlkit: model_card") for ln in lines
    )  # the user called model_card, not baseline: no baseline progress
    assert card.check_report is not None and card.check_report.errors
    html = card.to_html()
    line = _opens_with_verdict(html)
    assert "FAILED" in line and "The data checks found 1 error" in line
    shown = card.shown_counts()
    assert shown["error"] >= len(card.check_report.errors) and tally(shown) in line
    assert "FAILED" in card.summary() and f"{shown['error']} error(s)" in card.summary()
