"""The result contract: Finding and Report behave the same in every rendering."""

import json

import pytest

from mlkit.core import DataCheckError, Finding, MlkitInputError, Report, atomic_write, to_jsonable

XSS = "<img src=x onerror=alert(1)>"


def _report():
    return Report(
        [
            Finding("missing_values", "warning", ("age",), "12% of age is missing.", {"count": 12}, "Impute."),
            Finding("target_leakage", "error", (XSS,), "Predicts the target alone.", {"score": 1.0, "examples": [XSS]}, "Drop it."),
            Finding("duplicate_rows", "info", (), "2 rows repeat.", {"rows": [3, 4]}),
        ],
        title=f"checks of {XSS}",
        meta={"rows": 100},
    )


def test_finding_validates_fields():
    with pytest.raises(ValueError, match="severity"):
        Finding("x", "fatal")
    with pytest.raises(ValueError, match="check"):
        Finding("", "info")
    assert Finding("x", "info", "col").columns == ("col",)


def test_evidence_is_json_safe():
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    f = Finding("x", "info", evidence={"n": np.int64(2), "v": np.array([1.0, np.nan]), "t": pd.Timestamp("2020-01-01"), "s": {2, 1}})
    assert json.loads(json.dumps(f.evidence)) == {"n": 2, "v": [1.0, None], "t": "2020-01-01T00:00:00", "s": [1, 2]}
    assert to_jsonable(float("-inf")) == "-inf"


def test_report_round_trips_through_json():
    r = _report()
    again = Report.from_json(r.to_json())
    assert again == r and again.title == r.title and again.meta == {"rows": 100}
    assert [f.check for f in again] == ["missing_values", "target_leakage", "duplicate_rows"]


def test_report_summaries_and_filter():
    r = _report()
    assert not r.ok and [f.check for f in r.errors] == ["target_leakage"]
    assert r.counts() == {"error": 1, "warning": 1, "info": 1}
    assert r.filter(severity=["warning", "info"]).ok
    assert r.filter(column="age").checks == ["missing_values"]
    assert r.filter(check="duplicate_rows", severity="error").findings == []
    with pytest.raises(ValueError, match="severity"):
        r.filter(severity="fatal")


def test_html_escapes_everything_and_puts_errors_first():
    h = _report()._repr_html_()
    assert XSS not in h and "&lt;img src=x onerror=alert(1)&gt;" in h
    assert h.index("target_leakage") < h.index("missing_values") < h.index("duplicate_rows")
    page = _report().to_html(standalone=True)
    assert page.startswith("<!DOCTYPE html>") and "http://" not in page and "https://" not in page and "<script" not in page


def test_repr_html_returns_string_without_displaying(capsys):
    assert isinstance(_report()._repr_html_(), str)
    assert capsys.readouterr().out == ""


def test_markdown_escapes_pipes():
    r = Report([Finding("x", "info", ("a|b",), "one | two")])
    md = r.to_markdown()
    assert "a\\|b" in md and "one \\| two" in md


def test_raise_for_errors_lists_every_error():
    r = Report([Finding("a", "error", message="first"), Finding("b", "error", message="second"), Finding("c", "warning")])
    with pytest.raises(DataCheckError) as e:
        r.raise_for_errors()
    assert "first" in str(e.value) and "second" in str(e.value) and "c:" not in str(e.value)
    assert e.value.report is r


def test_exit_code_by_fail_on():
    r = Report([Finding("w", "warning")])
    assert r.exit_code("error") == 0 and r.exit_code("warning") == 1 and r.exit_code("none") == 0
    with pytest.raises(MlkitInputError):
        r.exit_code("bad")


def test_to_frame_one_row_per_finding_errors_first():
    df = _report().to_frame()
    assert list(df["severity"]) == ["error", "warning", "info"]


def test_atomic_write_leaves_old_file_on_failure(tmp_path):
    p = tmp_path / "out.json"
    p.write_text("good")

    class Boom:
        def __str__(self):
            raise RuntimeError("boom")

    with pytest.raises(TypeError):
        atomic_write(p, Boom())  # not a str: write fails midway
    assert p.read_text() == "good"
    assert [x.name for x in tmp_path.iterdir()] == ["out.json"]


def test_save_by_extension(tmp_path):
    r = _report()
    assert Report.from_json(r.save(tmp_path / "r.json").read_text()) == r
    assert r.save(tmp_path / "r.md").read_text().startswith("### ")
    with pytest.raises(MlkitInputError, match="r.pdf"):
        r.save(tmp_path / "r.pdf")
