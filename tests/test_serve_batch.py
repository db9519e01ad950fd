"Concurrent requests share one model pass (mlkit.serve.batch.Combiner), and each caller still gets exactly its own rows."

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest

from mlkit.serve.batch import Combiner

FEATURES = ["Island", "Species", "Culmen Length (mm)", "Culmen Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]


@pytest.fixture(scope="module")
def fitted():
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from mlkit.datasets import load_demo

    df = load_demo()
    df = df[df["Sex"].isin(["MALE", "FEMALE"])][FEATURES + ["Sex"]].dropna().reset_index(drop=True)
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(handle_unknown="ignore"), FEATURES[:2]), (StandardScaler(), FEATURES[2:])),
        LogisticRegression(max_iter=500),
    ).fit(df[FEATURES], df["Sex"])
    return model, df[FEATURES]


def _held_first(model, combiner_box, waiting: int):
    "A model call that, the first time, holds the lock until `waiting` other callers are queued: they must be combined."
    inside = threading.Event()

    def fn(frame):
        if not inside.is_set():
            inside.set()
            deadline = time.time() + 20
            while combiner_box[0]._queue.qsize() < waiting and time.time() < deadline:
                time.sleep(0.005)
        proba = model.predict_proba(frame)
        return model.classes_[proba.argmax(axis=1)], proba

    return fn, inside


def _concurrently(call, n: int, inside) -> tuple:
    "(answers, errors) of call(i) for i < n in threads: call(0) first, the others once it is inside the model."
    answers, errors = [None] * n, [None] * n

    def ask(i):
        try:
            answers[i] = call(i)
        except ValueError as e:
            errors[i] = e

    first = threading.Thread(target=ask, args=(0,))
    first.start()
    assert inside.wait(20)
    rest = [threading.Thread(target=ask, args=(i,)) for i in range(1, n)]
    for t in rest:
        t.start()
    for t in [first, *rest]:
        t.join(30)
    return answers, errors


def _ask_concurrently(combiner, frames, inside):
    answers, errors = _concurrently(lambda i: combiner(frames[i]), len(frames), inside)
    assert errors == [None] * len(frames)
    return answers


def test_waiting_requests_are_predicted_in_one_pass_each_gets_its_rows(fitted):
    model, X = fitted
    sizes = [1, 3, 1, 7, 2, 1, 5, 1]
    starts = np.cumsum([0] + sizes[:-1]) * 5  # distinct rows for every caller
    frames = [X.iloc[s : s + n].reset_index(drop=True) for s, n in zip(starts, sizes)]
    box = [None]
    fn, inside = _held_first(model, box, waiting=len(frames) - 1)
    box[0] = combiner = Combiner(fn)
    answers = _ask_concurrently(combiner, frames, inside)
    assert combiner.calls == 2 and combiner.combined == 1  # the first alone, the 7 that waited in one pass
    for frame, (pred, proba) in zip(frames, answers):
        assert len(pred) == len(frame) and np.allclose(proba, model.predict_proba(frame))
        assert list(pred) == list(model.predict(frame))


def test_frames_that_do_not_stack_are_not_combined(fitted):
    model, X = fitted
    one = X.iloc[:2].reset_index(drop=True)
    other = one.astype({"Body Mass (g)": "float32"})  # another dtype: concat would change what the model sees
    box = [None]
    fn, inside = _held_first(model, box, waiting=3)
    box[0] = combiner = Combiner(fn)
    answers = _ask_concurrently(combiner, [one, one, other, one], inside)
    assert combiner.calls == 3 and combiner.combined == 1  # [one] alone, then [one, one] together, then [other] alone
    assert all(np.allclose(p, model.predict_proba(one)) for _, p in answers)


def test_the_row_cap_splits_passes(fitted):
    model, X = fitted
    frames = [X.iloc[:4].reset_index(drop=True)] * 4
    box = [None]
    fn, inside = _held_first(model, box, waiting=3)
    box[0] = combiner = Combiner(fn, max_rows=8)
    _ask_concurrently(combiner, frames, inside)
    assert combiner.calls == 3 and combiner.combined == 1  # 4 alone; then 4 + 4 (the cap); then the last 4 alone


def test_a_frame_the_model_refuses_fails_alone(fitted):
    model, X = fitted
    good = X.iloc[:2].reset_index(drop=True)
    box = [None]
    fn, inside = _held_first(model, box, waiting=3)
    box[0] = combiner = Combiner(fn)
    as_text = good.astype({"Body Mass (g)": object})  # stacks with the bad frame below
    bad = as_text.assign(**{"Body Mass (g)": pd.Series(["heavy", "light"], dtype=object)})  # the scaler cannot convert text
    assert list(bad.dtypes) == list(as_text.dtypes)  # object, not pandas 3's str: the frames stack
    frames = [good, as_text, bad, as_text]
    answers, errors = _concurrently(lambda i: combiner(frames[i]), 4, inside)
    assert combiner.combined == 1 and combiner.calls == 5  # first alone; one combined try of 3; then each of the 3 alone
    assert isinstance(errors[2], ValueError) and answers[2] is None
    assert errors[1] is None and errors[3] is None
    assert np.allclose(answers[1][1], model.predict_proba(good)) and np.allclose(answers[3][1], model.predict_proba(good))


def test_the_server_combines_and_answers_each_request_with_its_own_row(fitted, tmp_path):
    from mlkit.serve import load_bundle, package
    from mlkit.serve.app import create_app
    from mlkit.serve.codec import loads

    model, X = fitted
    train = X.assign(Sex=model.predict(X))
    bundle = load_bundle(package(model, train, "Sex", tmp_path / "bundle", cv=0))
    predictor = create_app(bundle, log_dir=tmp_path / "log").state.predictor
    assert create_app(bundle, log_dir=tmp_path / "log2", batch=False).state.predictor.combiner is None
    frames = [X.iloc[[i]].reset_index(drop=True) for i in range(0, 80, 5)]
    real = predictor.combiner.fn
    inside = threading.Event()

    def held(frame):  # the first request holds the model until the 15 others wait: they share the next pass
        if not inside.is_set():
            inside.set()
            deadline = time.time() + 20
            while predictor.combiner._queue.qsize() < len(frames) - 1 and time.time() < deadline:
                time.sleep(0.005)
        return real(frame)

    predictor.combiner.fn = held
    answers, errors = _concurrently(lambda i: loads(predictor.answer(frames[i])), len(frames), inside)
    assert errors == [None] * len(frames)
    predictor.log.close()
    assert predictor.combiner.combined == 1
    for frame, answer in zip(frames, answers):
        assert answer["predictions"] == list(model.predict(frame))
        assert answer["probabilities"][0][str(model.classes_[1])] == pytest.approx(model.predict_proba(frame)[0, 1])
    assert len({a["request_id"] for a in answers}) == len(frames)
