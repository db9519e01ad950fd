"""One story (issue 14, points 4 and 6): a chart's title and the finding under it tell the same thing, one model has one
name everywhere, and the baseline's headline compares with a real bar and warns on a too-good score."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from mlkit.sanity import sanity


def noisy_linear(n=300, flip=0.2, seed=0):
    r = np.random.default_rng(seed)
    X = r.normal(size=(n, 5))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    flipped = r.random(n) < flip
    y[flipped] = 1 - y[flipped]
    return pd.DataFrame(X, columns=list("abcde")).assign(y=y)


@pytest.fixture(scope="module")
def sanity_pair():
    "A levelling-off linear model and a still-learning deep tree on the same data."
    data = noisy_linear()
    flat = sanity(make_pipeline(StandardScaler(), LogisticRegression()), data, "y", cv=3, n_permutations=0)
    tree = sanity(DecisionTreeClassifier(random_state=0), data, "y", cv=3, n_permutations=0)
    return flat, tree


def _verdict_words(text: str) -> str:
    "Which of the three verdicts a sentence gives."
    for words in ("unlikely to help", "may help a little", "likely to help"):
        if words in text:
            return words
    return ""


def test_sanity_chart_title_and_learning_curve_finding_agree(sanity_pair):
    for report in sanity_pair:
        finding = report.filter(check="learning_curve").findings[0]
        chart = report.chart()
        title = (chart.layer[0].title if chart.layer else chart.title).text
        assert title == report.curve_title()
        assert _verdict_words(title) and _verdict_words(title) == _verdict_words(finding.message), (title, finding.message)
        assert finding.evidence["headline"] in title
        assert (_verdict_words(title) == "likely to help") == bool(report.more_data_helps)
        assert "still improving" not in title  # the chart's own, different rule is not used for sanity


def test_curve_verdict_gives_one_sentence_and_one_headline_per_case():
    from mlkit.sanity.verdicts import _curve_verdict

    cases = {"likely to help": ([0.5, 0.6], 0.3), "may help a little": ([0.5, 0.6], 0.0), "unlikely to help": ([0.6, 0.6], 0.3)}
    for words, (curve, gap) in cases.items():
        v = _curve_verdict([100, 200], curve, gap)
        assert _verdict_words(v["headline"]) == _verdict_words(v["text"]) == words


def test_one_display_name_per_model(sanity_pair, tmp_path):
    from mlkit.cards.card import model_card
    from mlkit.cards.explanation import explain
    from mlkit.runtime import model_name

    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    name = model_name(pipe)
    assert name == "StandardScaler -> LogisticRegression"
    flat, _ = sanity_pair
    assert flat.meta["model"] == name and name in flat.title
    data = noisy_linear()
    fitted = pipe.fit(data.drop(columns="y"), data["y"])
    assert name in explain(fitted, data, "y", n_repeats=2).title
    card = model_card(fitted, target="y")
    assert name in card.title and card.sections["intended_use"]["model"] == name
