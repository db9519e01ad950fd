"""Any column name works (issue 13, point 5): what is done so far.

Duplicated names are refused by `profile`, `baseline` and `sanity` (API and CLI, exit 2) with a message
naming each repeated name, instead of a crash inside narwhals or scikit-learn; `check` keeps reporting
them as a finding. Hostile names (a newline, a dot, brackets, quotes, markup, emoji, an empty string,
500 characters) render in the model card and explanation charts (a newline in an axis title used to
break Vega's tooltip expression) and stay escaped in the HTML.
"""

import numpy as np
import pandas as pd
import pytest

import mlkit
from mlkit.charts import axis_label
from mlkit.cli import main
from mlkit.core import MlkitInputError

HOSTILE = ["line\nbreak", "dot.name", "br[0]", 'q"uote', "<b>bold</b>", "😀", "", "x" * 500]


def _dups(n=120):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "a", "b"])
    df["y"] = (rng.random(n) > 0.5).astype(int)
    return df


@pytest.mark.parametrize(
    "analysis,what",
    [
        (lambda df: mlkit.profile(df), "profile"),
        (lambda df: mlkit.baseline(df, "y", cv=2), "a model"),
        (lambda df: mlkit.sanity(__import__("sklearn.linear_model").linear_model.LogisticRegression(), df, "y", cv=2), "a model"),
    ],
)
def test_duplicate_names_are_refused_naming_them(analysis, what):
    with pytest.raises(MlkitInputError, match=rf"{what} needs unique column names; these repeat: 'a' \(2 times\)"):
        analysis(_dups())


def test_duplicate_names_are_a_finding_in_check():
    report = mlkit.check(_dups(), target="y")
    assert any("a" in f.columns for f in report.findings if "duplicate" in f.check)


@pytest.mark.parametrize("command", ["profile", "baseline"])
def test_duplicate_names_on_the_command_line(tmp_path, capsys, command):
    p = tmp_path / "dup.csv"
    p.write_text("a,a,y\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(60)))
    argv = [command, str(p)] + (["-t", "y", "-q"] if command == "baseline" else [])
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "needs unique column names; these repeat: 'a' (2 times)" in err[0], err


def test_axis_label_is_safe():
    assert axis_label("line\nbreak\ttab") == "line break tab"
    assert len(axis_label("x" * 500)) == 60 and axis_label("x" * 500).endswith("…")
    assert axis_label(3) == "3" and axis_label('q"uote') == 'q"uote'


@pytest.fixture(scope="module")
def hostile_frame():
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.normal(size=(160, len(HOSTILE))), columns=HOSTILE)
    df["y"] = (df["line\nbreak"] + rng.normal(scale=0.5, size=160) > 0).astype(int)
    return df


def test_explain_charts_take_any_name(hostile_frame):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit(hostile_frame[HOSTILE], hostile_frame["y"])
    page = mlkit.cards.explain(model, hostile_frame, "y")._repr_html_()
    assert "<svg" in page and "<b>bold</b>" not in page and "could not be drawn" not in page


@pytest.mark.slow
def test_model_card_charts_take_any_name(hostile_frame):
    from sklearn.linear_model import LogisticRegression

    page = mlkit.cards.model_card(LogisticRegression(), hostile_frame, "y")._repr_html_()
    assert "<svg" in page and "<b>bold</b>" not in page and "could not be drawn" not in page


def test_profile_and_check_html_take_any_name(hostile_frame):
    page = mlkit.profile(hostile_frame, max_charts=4)._repr_html_()
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<b>bold</b>" not in mlkit.check(hostile_frame, target="y")._repr_html_()
