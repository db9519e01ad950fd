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


# --- point 6: a score to beat that informs ----------------------------------------------


def wavy(n=400, seed=0):
    "A target only a flexible model learns: boosting beats every simple baseline by far."
    r = np.random.default_rng(seed)
    X = r.uniform(-1, 1, (n, 3))
    return pd.DataFrame(X, columns=list("abc")).assign(y=(np.sin(5 * X[:, 0]) * np.cos(4 * X[:, 1]) > 0).astype(int))


@pytest.fixture(scope="module")
def baselines():
    import mlkit

    demo = mlkit.load_demo().dropna(subset=["Sex"]).reset_index(drop=True)
    dup = pd.concat([noisy_linear(n=10, flip=0.0)] * 30, ignore_index=True)  # 97% duplicated rows
    return {
        "demo": mlkit.baseline(demo, "Sex", cv=3, metric="roc_auc"),
        "wavy": mlkit.baseline(wavy(), "y", cv=3, metric="accuracy"),
        "noisy": mlkit.baseline(noisy_linear(), "y", cv=3, metric="roc_auc"),
        "dup": mlkit.baseline(dup, "y", cv=3, metric="roc_auc"),
    }


def _chart_title(chart):
    return (chart.layer[0].title if chart.layer else chart.title).text


def _rule_at(chart):
    "The x value of the chart's score-to-beat rule."
    rules = [layer for layer in chart.layer if layer.mark == "rule" or getattr(layer.mark, "type", None) == "rule"]
    values = [float(layer.data["score"].iloc[0]) for layer in rules if hasattr(layer.data, "columns") and "score" in layer.data.columns]
    return values[0] if values else None


def test_headline_compares_with_the_best_simple_baseline(baselines):
    r = baselines["wavy"]
    assert r.best == "gradient_boosting" and r.best_simple == "shallow_tree"
    h = r.headline()
    assert f"score to beat (the best simple baseline, shallow_tree: {r.best_simple_score:.3f})" in h
    assert f"{r.best_score - r.best_simple_score:+.3f}" in h and "Trivial floor (dummy_most_frequent" in h
    assert "shallow_tree" in _chart_title(r.chart()) and _rule_at(r.chart()) == pytest.approx(r.best_simple_score)
    f = r.filter(check="best_baseline").findings[0]
    assert f.evidence["best_simple"] == "shallow_tree" and h in f.message


@pytest.mark.parametrize("name", ["demo", "noisy"])
def test_roc_auc_floor_is_never_the_bar(baselines, name):
    r = baselines[name]
    h = r.headline()
    assert r.trivial_floor == pytest.approx(0.5)
    assert "0.500" not in h.split("Trivial floor")[0], h  # 0.5 appears only as the floor, said to be no bar
    assert "so it is no bar" in h and "score to beat" in h
    assert _rule_at(r.chart()) == pytest.approx(r.best_simple_score) and r.best_simple_score > 0.6
    assert "0.5)" not in _chart_title(r.chart())


def test_near_perfect_score_warns_and_points_at_the_leakage_checks(baselines):
    r = baselines["dup"]
    assert r.best_score >= 0.99
    f = r.filter(check="near_perfect_score").findings[0]
    assert f.severity == "warning"
    for check in ("duplicate_rows", "target_leakage", "conflicting_labels"):
        assert check in f.fix and check in f.evidence["leakage_checks"]
    for clean in ("noisy", "wavy"):
        assert not baselines[clean].filter(check="near_perfect_score").findings


def test_baseline_names_its_models_with_the_one_display_name(baselines):
    r = baselines["noisy"]
    assert r.meta["models"]["linear"] == "TablePreprocessor -> LogisticRegression"
    assert r.display_name("linear") == "linear (TablePreprocessor -> LogisticRegression)"
    back = type(r).from_json(r.to_json())  # the names survive a round trip through JSON
    assert back.headline() == r.headline() and "TablePreprocessor -> LogisticRegression" in back.headline()


def test_run_headline_never_takes_the_fixed_floor_as_the_bar(baselines):
    from mlkit.pipeline.report import _headline_html, headline, headline_text

    wavy = headline(baselines["wavy"])
    assert wavy["score_to_beat"] == pytest.approx(baselines["wavy"].best_simple_score) and wavy["beats"] is True
    assert wavy["score_to_beat_source"] == "best simple baseline, shallow_tree"
    for name in ("demo", "noisy"):
        r = baselines[name]
        h = headline(r)
        assert h["score_to_beat"] != pytest.approx(0.5) and h["trivial_floor"] == pytest.approx(0.5)
        if r.best == r.best_simple:
            assert h["score_to_beat"] is None and "no bar" in h["score_to_beat_source"]
            assert "no bar" in headline_text(h) and "n/a" not in _headline_html(h)
        else:
            assert h["score_to_beat"] == pytest.approx(r.best_simple_score)


def test_sanity_on_the_demo_tells_one_story():
    import mlkit
    from mlkit.runtime import model_name

    demo = mlkit.load_demo().dropna(subset=["Sex"]).reset_index(drop=True)
    model = DecisionTreeClassifier(max_depth=3, random_state=0)
    r = sanity(model, demo, "Sex", cv=3, n_permutations=0)
    finding = r.filter(check="learning_curve").findings[0]
    title = r.curve_title()
    assert title and _verdict_words(title) == _verdict_words(finding.message) and finding.evidence["headline"] in title
    assert r.meta["model"] == model_name(model) == "DecisionTreeClassifier"


def test_sanity_warns_on_a_near_perfect_validation_score():
    dup = pd.concat([noisy_linear(n=10, flip=0.0)] * 30, ignore_index=True)  # copies cross the folds
    r = sanity(DecisionTreeClassifier(random_state=0), dup, "y", cv=3, n_permutations=0, metric="roc_auc")
    f = r.filter(check="near_perfect_score").findings
    assert f and f[0].severity == "warning" and "duplicate_rows" in f[0].fix and f[0].evidence["model"] == "DecisionTreeClassifier"


def test_sanity_stays_silent_on_an_ordinary_score(sanity_pair):
    for r in sanity_pair:
        assert not r.filter(check="near_perfect_score").findings


def test_model_card_score_to_beat_is_the_best_simple_baseline(baselines):
    from mlkit.cards.card import model_card

    quick = {"run_checks": False, "run_sanity": False, "cv": 3, "top_features": 1}
    data = wavy()
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(data.drop(columns="y"), data["y"])
    perf = model_card(tree, data, "y", metric="accuracy", **quick).sections["performance"]
    assert perf["score_to_beat_source"] == "mlkit.baselines: best simple baseline, shallow_tree"
    assert perf["score_to_beat"] > baselines["wavy"].trivial_floor + 0.03  # the card's own 5-fold baseline, not the floor
    r = baselines["noisy"]  # roc_auc, the best is the linear baseline itself
    own = model_card(r.fitted(r.best_simple), noisy_linear(), "y", metric="roc_auc", **quick).sections["performance"]
    assert r.best == r.best_simple and own["score_to_beat"] is None and "no bar" in own["score_to_beat_source"]


def test_headline_says_when_the_gain_over_the_bar_is_within_the_noise(baselines):
    demo, wavy_r = baselines["demo"], baselines["wavy"]
    std = float(demo.table.loc[demo.table["model"] == demo.best, "roc_auc_std"].iloc[0])
    assert (abs(demo.best_score - demo.best_simple_score) <= std) == ("the gain may be noise" in demo.headline())
    assert "the gain may be noise" not in wavy_r.headline()
    assert ("may be noise" in _chart_title(demo.chart())) == ("the gain may be noise" in demo.headline())


# --- point 4 (and 3, 6) on the demo run: one story across the run's outputs ------------------------------------------


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    "The demo project run once end to end (real papermill steps), with room for a few charts by the target."
    import json

    from mlkit.pipeline import demo

    root = tmp_path_factory.mktemp("story") / "penguins"
    lines = []
    small = ["cv=3", "time_budget=20", "profile.max_charts=6", "sanity.n_permutations=0", "chart_formats=[svg]"]
    code = demo(root, overrides=small, echo=lines.append)
    assert code == 0, "\n".join(lines)
    run_dir = sorted((root / "runs").glob("*/run.json"))[-1].parent

    def read(rel):
        return json.loads((run_dir / rel).read_text(encoding="utf-8"))

    return {"root": root, "dir": run_dir, "read": read, "record": read("run.json")}


@pytest.mark.slow
def test_demo_ml_test_score_and_model_card_read_the_current_run(demo_run):
    rec, read = demo_run["record"], demo_run["read"]
    score = read("report/cards/ml_test_score.json")
    assert score["meta"]["latest_run"] == rec["id"]
    marks = {r["id"]: r["evidence"] for r in score["results"]}
    assert rec["id"] in marks["infra_3"] and "No run of the pipeline finished" not in marks["infra_3"], marks["infra_3"]
    assert "No model card" not in marks["data_2"] and rec["id"] in marks["data_2"], marks["data_2"]
    card = read("report/cards/model_card.json")
    assert card["sections"]["reproduce"]["run_id"] == rec["id"]


@pytest.mark.slow
def test_demo_every_step_uses_the_project_metric_and_one_model_name(demo_run):
    from mlkit.frame import ProblemSpec

    read = demo_run["read"]
    metric = ProblemSpec.load(demo_run["root"]).metric
    assert metric == "balanced_accuracy"
    baseline, sanity_r, card = read("baseline/baseline.json"), read("sanity/sanity.json"), read("report/cards/model_card.json")
    assert baseline["metric"] == sanity_r["meta"]["metric"] == card["explanation"]["meta"]["metric"] == metric
    assert card["sections"]["performance"]["metric"] == demo_run["record"]["headline"]["metric"] == metric
    name = baseline["meta"]["models"][baseline["best"]] if "best" in baseline else None
    name = name or sanity_r["meta"]["model"]
    assert sanity_r["meta"]["model"] == name and name in card["title"] and name in card["explanation"]["title"]


@pytest.mark.slow
def test_demo_report_header_counts_what_its_sections_show(demo_run):
    import re

    from mlkit.pipeline.report import run_counts

    rec, run_dir = demo_run["record"], demo_run["dir"]
    steps = [s["name"] for s in rec["steps"]]
    counts = run_counts(run_dir, steps)
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    head = page[: page.index("Data findings")]
    shown = {s: int(n) for n, s in re.findall(r"(\d+) (error|warning|info)", re.sub(r"<[^>]+>", " ", head))}
    assert {s: shown.get(s, 0) for s in counts} == counts, (shown, counts)
    card = demo_run["read"]("report/cards/model_card.json")
    card_html = (run_dir / "report" / "model_card.card.html").read_text(encoding="utf-8")
    card_html = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", card_html, flags=re.S)))
    check_errors = card["check_report"]["counts"]["error"] if card.get("check_report") else 0
    if check_errors:
        assert "FAILED" in card_html[:600] and not re.search(r"\b0 errors?\b", card_html[:600])


@pytest.mark.slow
def test_demo_charts_by_the_target_come_strongest_first_with_sentences_and_keep_the_explained(demo_run):
    read, run_dir = demo_run["read"], demo_run["dir"]
    listed = read("profile/charts.json")
    names = [e["name"] for e in listed]
    assert names[:2] == ["missing values", "correlations"]
    strength = read("profile/profile.json")["meta"]["target_association"]
    by_target = [n.removesuffix(" by Sex") for n in names if n.endswith(" by Sex")]
    assert by_target and [strength[c] for c in by_target] == sorted(strength.values(), reverse=True)[: len(by_target)]
    assert by_target[0] in ("Body Mass (g)", "Culmen Depth (mm)")  # the one that tells the sexes apart comes first
    for e in listed:
        assert e["caption"] != e["file"] and "_" not in e["caption"] and " " in e["caption"], e
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    profile_part = page[page.index('id="step-profile"') : page.index('id="step-baseline"')]
    top5 = [r["feature"] for r in read("report/cards/model_card.json")["explanation"]["importance"][:5]]
    for e in [*listed, *read("report/charts.json")] if (run_dir / "report" / "charts.json").exists() else listed:
        if e["name"].removesuffix(" by Sex") in top5:
            top5.remove(e["name"].removesuffix(" by Sex"))
            assert e["caption"] in profile_part or e["caption"].replace("'", "&#x27;") in profile_part
    assert not top5, f"explained features without a chart in the profile section: {top5}"
    assert "<figcaption>Culmen_Depth" not in page


@pytest.mark.slow
def test_demo_headline_never_takes_the_fixed_floor_as_the_bar(demo_run):
    h = demo_run["record"]["headline"]
    assert h["score_to_beat"] is None or h["score_to_beat"] > 0.6, h  # balanced accuracy's 0.5 is the floor, not the bar
    bundle = demo_run["dir"] / "bundle"
    if (bundle / "bundle.json").exists():
        import json

        m = json.loads((bundle / "bundle.json").read_text())["metrics"]
        assert m["score_to_beat"] is None or m["score_to_beat"] > m["trivial_score"]
