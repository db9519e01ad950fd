"""`mlkit serve` over real HTTP: uvicorn started as a subprocess on 127.0.0.1, called with httpx; nothing mocked."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ["Island", "Species", "Culmen Length (mm)", "Culmen Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]
TARGET = "Sex"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _start(bundle: Path, *extra, env: dict | None = None) -> tuple:
    "Start `mlkit serve BUNDLE` on a free port; wait until /health answers; (process, base url)."
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlkit", "serve", str(bundle), "--port", str(port), *extra],
        env={**_env(), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mlkit serve exited {proc.returncode}: {proc.stdout.read().decode()[-2000:]}")
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("mlkit serve did not answer /health within 60 s")


def _stop(proc) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def train():
    from mlkit.datasets import load_demo

    df = load_demo()
    return df[df[TARGET].isin(["MALE", "FEMALE"])][FEATURES + [TARGET]].dropna().reset_index(drop=True)


@pytest.fixture(scope="module")
def bundle(train, tmp_path_factory):
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from mlkit.serve import package

    model = make_pipeline(
        make_column_transformer((OneHotEncoder(handle_unknown="ignore"), FEATURES[:2]), (StandardScaler(), FEATURES[2:])),
        LogisticRegression(max_iter=500),
    ).fit(train[FEATURES], train[TARGET])
    return package(model, train, TARGET, tmp_path_factory.mktemp("serve") / "penguins", cv=3, policy={"Species": "warn"})


@pytest.fixture(scope="module")
def server(bundle):
    proc, url = _start(bundle, "--max-bytes", "300000", "--max-rows", "2000")
    with httpx.Client(base_url=url, timeout=30) as client:
        yield client
    _stop(proc)


def _rows(train, n=3):
    return train[FEATURES].head(n).to_dict(orient="records")


def test_health_metadata_and_offline_docs(server, bundle):
    health = server.get("/health").json()
    meta = server.get("/metadata").json()
    assert health["status"] == "ok" and health["model_version"] == meta["model_version"]
    assert meta["features"] == FEATURES and set(meta["schema"]["columns"]) == set(FEATURES)
    assert meta["metrics"]["metric"] == "roc_auc" and meta["metrics"]["trivial_score"] == pytest.approx(0.5)
    assert meta["metrics"]["score_to_beat"] > 0.6 and "best simple baseline" in meta["metrics"]["score_to_beat_source"]
    assert {"python", "mlkit", "scikit-learn", "skops"} <= set(meta["versions"]) and meta["data"]["sha256"]
    docs = server.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert server.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert "/predict" in server.get("/openapi.json").json()["paths"]


def test_predict_json_csv_parquet_and_upload(server, train):
    rows = _rows(train, 5)
    expected = server.post("/predict", json={"records": rows}).json()
    assert len(expected["predictions"]) == 5 and set(expected["probabilities"][0]) == {"FEMALE", "MALE"}
    columns = {c: [r[c] for r in rows] for c in FEATURES}
    assert server.post("/predict", json={"columns": columns}).json()["predictions"] == expected["predictions"]
    assert server.post("/predict", json=rows).json()["predictions"] == expected["predictions"]
    csv = train[FEATURES].head(5).to_csv(index=False).encode()
    assert server.post("/predict", content=csv, headers={"content-type": "text/csv"}).json()["predictions"] == expected["predictions"]
    buf = io.BytesIO()
    train[FEATURES].head(5).to_parquet(buf)
    pq = buf.getvalue()
    assert (
        server.post("/predict", content=pq, headers={"content-type": "application/vnd.apache.parquet"}).json()["predictions"]
        == expected["predictions"]
    )
    up = server.post("/predict", files={"file": ("batch.parquet", pq, "application/octet-stream")})
    assert up.json()["predictions"] == expected["predictions"]
    assert server.post("/predict", files={"file": ("batch.csv", csv, "text/csv")}).json()["predictions"] == expected["predictions"]


def test_contract_violations_are_422_with_column_rows_expected(server, train):
    rows = _rows(train, 4)
    rows[1]["Culmen Length (mm)"] = "long"
    rows[2]["Island"] = "Atlantis"
    rows[3]["Body Mass (g)"] = 1e9
    rows[0]["Flipper Length (mm)"] = None
    r = server.post("/predict", json={"records": [{**x, "extra": 1} for x in rows]})
    assert r.status_code == 422
    body = r.json()
    found = {(p["check"], p["column"]): p["rows"] for p in body["problems"]}
    assert found == {
        ("dtype_mismatch", "Culmen Length (mm)"): [1],
        ("unexpected_category", "Island"): [2],
        ("out_of_range", "Body Mass (g)"): [3],
        ("unexpected_nulls", "Flipper Length (mm)"): [0],
    }
    assert all(p["expected"] for p in body["problems"]) and body["ignored_columns"] == ["extra"]
    missing = server.post("/predict", json={"records": [{k: v for k, v in x.items() if k != "Species"} for x in _rows(train)]})
    assert missing.status_code == 422 and missing.json()["problems"][0]["check"] == "missing_column"
    assert missing.json()["problems"][0]["column"] == "Species"


def test_warn_policy_and_extra_columns(server, train):
    row = {**_rows(train, 1)[0], "Species": "Emperor penguin", "note": "x"}
    r = server.post("/predict", json={"records": [row]})
    assert r.status_code == 200
    assert [w["check"] for w in r.json()["warnings"]] == ["unexpected_category"] and r.json()["ignored_columns"] == ["note"]


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"{", "application/json"),
        (b"", "application/json"),
        (b"[]", "application/json"),
        (b'{"records": []}', "application/json"),
        (b'{"records": [[]]}', "application/json"),
        (b'{"columns": {"Island": []}}', "application/json"),
        (b"null", "application/json"),
        (b'[{"Culmen Length (mm)": NaN}]', "application/json"),
        (b'[{"Culmen Length (mm)": Infinity}]', "application/json"),
        (b'[{"Body Mass (g)": 1e999}]', "application/json"),
        (b'[{"Body Mass (g)": 123456789012345678901234567890}]', "application/json"),
        (b'[{"Body Mass (g)": 1}, {"Body Mass (g)": 1' + b"0" * 400 + b"}]", "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        (b"[" * 100000, "application/json"),
        (b"not,a\ncsv", "text/csv"),
        (b"PAR1xx", "application/vnd.apache.parquet"),
        (b"--x\r\n\r\n", "multipart/form-data; boundary=x"),
    ],
)
def test_bad_payloads_never_500(server, body, content_type):
    r = server.post("/predict", content=body, headers={"content-type": content_type})
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert "problems" in r.json() or "detail" in r.json()


def test_oversized_payloads_are_413(server, train):
    big = json.dumps({"records": _rows(train, 1) * 5000}).encode()
    assert len(big) > 300000
    r = server.post("/predict", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"] == "payload_too_large"
    many = train[FEATURES].sample(2500, replace=True, random_state=0).to_csv(index=False).encode()
    assert len(many) < 300000
    assert server.post("/predict", content=many, headers={"content-type": "text/csv"}).status_code == 413


def test_fuzz_no_5xx(server, train):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8))
    values = st.recursive(
        scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6
    )
    names = st.sampled_from(FEATURES + ["extra", ""])
    record = st.dictionaries(names, values, max_size=8)
    base = _rows(train, 1)[0]
    mutated = st.dictionaries(st.sampled_from(FEATURES), values, max_size=3).map(lambda d: {**base, **d})
    payloads = st.one_of(
        st.lists(record | mutated, max_size=4).map(lambda r: {"records": r}),
        st.dictionaries(names, st.lists(values, max_size=3), max_size=6).map(lambda c: {"columns": c}),
        values,
    )

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(payloads, st.booleans())
    def run(payload, raw):
        body = json.dumps(payload, allow_nan=True).encode()
        if raw:
            body = body[: max(1, len(body) // 2)]
        r = server.post("/predict", content=body, headers={"content-type": "application/json"})
        assert r.status_code < 500, (payload, r.status_code, r.text[:300])

    run()


def test_feedback_and_prediction_log(server, bundle, train):
    from mlkit.serve import log_frame, read_log
    from mlkit.serve.app import default_log_dir

    answer = server.post("/predict", json={"records": _rows(train, 2)}).json()
    rid = answer["request_id"]
    assert server.post("/feedback", json={"request_id": rid, "labels": ["MALE", "FEMALE"]}).json()["recorded"] == 2
    assert server.post("/feedback", json={"request_id": rid, "label": "MALE"}).status_code == 422  # 2 rows: say which
    assert server.post("/feedback", json={"request_id": rid, "row": 1, "label": "ROBIN"}).status_code == 422
    assert server.post("/feedback", json={"request_id": "0" * 32, "label": "MALE"}).status_code == 404
    assert server.post("/feedback", content=b"{", headers={"content-type": "application/json"}).status_code == 422
    records, torn = read_log(default_log_dir(bundle))
    mine = [r for r in records if r["request_id"] == rid]
    assert [r["kind"] for r in mine] == ["prediction", "feedback"] and torn == []
    pred = mine[0]
    assert pred["model_version"] == answer["model_version"] and pred["predictions"] == answer["predictions"]
    assert pred["inputs"]["Island"] == [r["Island"] for r in _rows(train, 2)] and pred["time"].endswith("Z")
    frame = log_frame(default_log_dir(bundle), target=TARGET)
    assert frame[frame.request_id == rid][TARGET].tolist() == ["MALE", "FEMALE"]


def test_explain_one_row_like_why(server, bundle, train):
    import mlkit
    from mlkit.serve import load_bundle

    row = _rows(train, 1)[0]
    answer = server.post("/explain", json={"row": row})
    assert answer.status_code == 200, answer.text
    got = answer.json()
    b = load_bundle(bundle)
    local = mlkit.why(b.model, b.background(), train[FEATURES].head(1), strict=False).to_dict()
    assert got["contributions"]["prediction"] == pytest.approx(local["contributions"]["prediction"])
    feats = {c["feature"]: c["contribution"] for c in got["contributions"]["contributions"]}
    assert set(feats) == set(FEATURES) and feats == pytest.approx(
        {c["feature"]: c["contribution"] for c in local["contributions"]["contributions"]}
    )
    assert got["takeaway"].startswith("Predicted") and len(got["sentences"]) >= 2
    cf = got["counterfactuals"]
    assert cf["found"] and all(x["outcome"] != got["contributions"]["class"] for x in cf["counterfactuals"])
    other = [c for c in ("MALE", "FEMALE") if c != server.post("/predict", json={"records": [row]}).json()["predictions"][0]][0]
    assert server.post("/explain", json={"records": [row], "desired": other}).json()["counterfactuals"]["goal"]
    bad = server.post("/explain", json={"row": {**row, "Culmen Depth (mm)": "deep"}})
    assert bad.status_code == 422 and bad.json()["problems"][0]["column"] == "Culmen Depth (mm)"
    for body in ({"row": {**row, "Island": "Atlantis"}}, {"row": row, "desired": "ROBIN"}, {"records": _rows(train, 2)}, [1], {"row": 3}):
        r = server.post("/explain", json=body)
        assert r.status_code == 422 and r.json()["problems"], (body, r.text)


def test_monitor_over_the_log(server, bundle, train, tmp_path):
    from mlkit.cli import main
    from mlkit.serve.app import default_log_dir

    shifted = train[FEATURES].sample(60, random_state=1).copy()
    shifted["Body Mass (g)"] = shifted["Body Mass (g)"].clip(upper=5000) * 0 + 4900.0
    answer = server.post("/predict", json={"records": shifted.to_dict(orient="records")}).json()
    labels = train.loc[shifted.index, TARGET].tolist()
    assert server.post("/feedback", json={"request_id": answer["request_id"], "labels": labels}).status_code == 200
    ref = tmp_path / "train.csv"
    train.to_csv(ref, index=False)
    out = tmp_path / "monitor.json"
    code = main(["monitor", "--log", str(default_log_dir(bundle)), "--reference", str(ref), "-o", str(out), "--fail-on", "none"])
    assert code == 0
    report = json.loads(out.read_text())
    (batch,) = report["batches"]
    assert "Body Mass (g)" in batch["drifted_columns"] and batch["value"] is not None


def test_incompatible_scikit_learn_is_refused(bundle, tmp_path):
    import shutil

    from mlkit.cli import main
    from mlkit.serve import BundleVersionError, load_bundle

    old = tmp_path / "old"
    shutil.copytree(bundle, old)
    meta = json.loads((old / "bundle.json").read_text())
    meta["versions"]["scikit-learn"] = "0.23.2"
    (old / "bundle.json").write_text(json.dumps(meta))
    with pytest.raises(BundleVersionError, match=r"scikit-learn 0\.23\.2.*install scikit-learn==0\.23\.\*"):
        load_bundle(old)
    r = subprocess.run(
        [sys.executable, "-m", "mlkit", "serve", str(old), "--port", str(_free_port())],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "scikit-learn 0.23.2" in r.stderr
    assert main(["package", "--mlflow", "--model", "x.pkl"]) == 2


# A slow disk: the log writer waits this long before each batch. An answer that did not wait for its record
# (the ordering this guards) would come back faster than this and would be lost by a SIGKILL, so both tests fail then.
SLOW_DISK = {"MLKIT_SERVE_LOG_DELAY": "0.2"}


@pytest.mark.slow
def test_sigkill_during_a_burst_loses_no_answered_request(bundle, train, tmp_path):
    from mlkit.serve import read_log

    log_dir = tmp_path / "log"
    proc, url = _start(bundle, "--log-dir", str(log_dir), env=SLOW_DISK)
    answered, lock, stop = [], threading.Lock(), threading.Event()
    rows = _rows(train, 3)

    def client():
        with httpx.Client(base_url=url, timeout=10) as c:
            while not stop.is_set():
                try:
                    r = c.post("/predict", json={"records": rows})
                except httpx.TransportError:
                    return
                if r.status_code == 200:
                    with lock:
                        answered.append(r.json()["request_id"])

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    while len(answered) < 40:
        time.sleep(0.001)
    proc.send_signal(signal.SIGKILL)  # in the middle of the burst: 8 requests are waiting for the slow writer
    proc.wait()
    stop.set()
    for t in threads:
        t.join()
    records, torn = read_log(log_dir)
    logged = {r["request_id"] for r in records}
    assert set(answered) <= logged, f"{len(set(answered) - logged)} answered request(s) missing from the log"
    assert all(len(r["predictions"]) == 3 and r["inputs"]["Island"] == [x["Island"] for x in rows] for r in records)
    assert len(torn) <= 1  # at most the line the kill cut, and the reader skipped it


@pytest.mark.slow
def test_an_answer_waits_for_its_log_record(bundle, train, tmp_path):
    "The ordering itself: on a slow disk, no answer comes back before its record is written, and a SIGKILL the instant it arrives loses nothing."
    from mlkit.serve import read_log

    log_dir = tmp_path / "log"
    proc, url = _start(bundle, "--log-dir", str(log_dir), env=SLOW_DISK)
    try:
        with httpx.Client(base_url=url, timeout=10) as c:
            c.post("/predict", json={"records": _rows(train, 1)})  # warm: the first answer pays for opening the log file
            t0 = time.perf_counter()
            r = c.post("/predict", json={"records": _rows(train, 2)})
            waited = time.perf_counter() - t0
        proc.send_signal(signal.SIGKILL)  # the instant the answer is in: before a writer that lagged could catch up
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert r.status_code == 200 and waited >= 0.2, f"answered in {waited:.3f} s, before the 0.2 s write of its log record"
    records, torn = read_log(log_dir)
    assert r.json()["request_id"] in {x["request_id"] for x in records} and torn == []


# --- the pipeline's package step and the loop back to training (real papermill runs) ----------------------------------

RUN_FAST = ["cv=2", "time_budget=20", "baseline.label_errors=false", "report.ml_test_score=false", "chart_formats=[svg]"]


def _pipeline_project(root: Path) -> Path:
    "A project on the demo data, made by `mlkit init`, with the steps baseline, report and the optional package step."
    from mlkit.data import register
    from mlkit.datasets import demo_path
    from mlkit.frame import ProblemSpec, StepSpec
    from mlkit.pipeline import init

    init(root, target=TARGET, task="classification", metric="balanced_accuracy")
    spec = ProblemSpec.load(root)
    assert "package" not in [s.name for s in spec.steps]  # off by default: listed in mlkit.yaml only as a comment
    assert "# - name: package" in (root / "mlkit.yaml").read_text() and (root / "notebooks" / "06_package.ipynb").exists()
    register(demo_path(), project=root, role="train")
    spec = ProblemSpec.load(root)
    spec.steps = [
        StepSpec("baseline", "notebooks/03_baseline.ipynb", {}, []),
        StepSpec("report", "notebooks/05_report.ipynb"),
        StepSpec("package", "notebooks/06_package.ipynb", {}, ["baseline", "report"]),
    ]
    spec.save(root)
    return root


@pytest.mark.slow
def test_package_step_then_the_loop_back_to_the_next_run(tmp_path, capsys):
    "mlkit run with the package step -> serve its bundle -> predict, feedback -> add-data --from-log -> the next run trains on it."
    from mlkit import tracking
    from mlkit.cli import main
    from mlkit.core import MlkitInputError
    from mlkit.data import fingerprint, read_table
    from mlkit.datasets import demo_path
    from mlkit.pipeline import init, read_run, run
    from mlkit.serve import load_bundle, read_log

    root = _pipeline_project(tmp_path / "penguins")
    (root / "notebooks" / "06_package.ipynb").unlink()  # a project from an older `mlkit init`, its yaml edited by hand
    with pytest.raises(MlkitInputError, match=r"06_package\.ipynb not found.*mlkit init"):
        run(root, overrides=RUN_FAST, echo=lambda *a, **k: None)
    init(root)  # puts the missing step notebook back, touches nothing else
    import importlib.util

    with_mlflow = importlib.util.find_spec("mlflow") is not None
    first = run(root, overrides=[*RUN_FAST, *(["package.mlflow=true"] if with_mlflow else [])], echo=lambda *a, **k: None)
    assert first.ok and first.steps() == {"baseline": "ok", "report": "ok", "package": "ok"}, first.record.get("error")
    rec = read_run(first.path)
    entry = rec["metrics"]["package"]["bundle"]  # recorded in run.json
    bundle_dir = root / entry["path"]
    assert bundle_dir == first.path / "package" / "bundle" and rec["headline"]["metric"] == "balanced_accuracy"
    b = load_bundle(bundle_dir)
    assert entry["model_version"] == b.version and b.meta["run"]["id"] == first.id and b.meta["card"]
    assert b.meta["data"]["sha256"] == rec["data"]["train"]["sha256"] == entry["data_sha256"]
    assert b.meta["metrics"]["value"] == pytest.approx(rec["headline"]["value"])
    assert (bundle_dir / "mlflow" / "MLmodel").exists() == with_mlflow == entry["mlflow"]
    log_md = (root / "EXPERIMENTS.md").read_text()
    assert f"`{entry['path']}` (model version {b.version})" in log_md

    # serve it, predict production rows, label them
    source = read_table(demo_path())
    prod = source[source[TARGET].isin(["MALE", "FEMALE"])].sample(40, random_state=3)
    log_dir = tmp_path / "prod-log"
    proc, url = _start(bundle_dir, "--log-dir", str(log_dir))
    try:
        with httpx.Client(base_url=url, timeout=30) as c:
            rows = json.loads(prod[b.features].to_json(orient="records"))
            answer = c.post("/predict", json={"records": rows})
            assert answer.status_code == 200, answer.text[:500]
            rid = answer.json()["request_id"]
            fb = c.post("/feedback", json={"request_id": rid, "labels": prod[TARGET].tolist()})
            assert fb.status_code == 200 and fb.json()["recorded"] == 40
            unlabelled = c.post("/predict", json={"records": rows[:5]})  # no feedback: must not reach the training data
            assert unlabelled.status_code == 200
    finally:
        _stop(proc)
    assert {r["request_id"] for r in read_log(log_dir)[0]} == {rid, unlabelled.json()["request_id"]}

    # the loop closes: a new raw version with its fingerprint, and the next run trains on it
    old = rec["data"]["train"]
    assert main(["add-data", "--from-log", str(log_dir), "-C", str(root)]) == 0
    assert "40 labelled production row(s) added" in capsys.readouterr().out
    assert main(["add-data", "--from-log", str(log_dir), "-C", str(root)]) == 2  # the same rows twice: refused
    assert "already holds every labelled row" in capsys.readouterr().err
    from mlkit.frame import ProblemSpec

    new_path = ProblemSpec.load(root).data["train"]
    assert new_path != old["path"]
    new_data = read_table(root / new_path)
    assert len(new_data) == len(read_table(root / old["path"])) + 40  # the labelled rows only, appended
    assert new_data.tail(40)[TARGET].tolist() == prod[TARGET].tolist()
    second = run(root, overrides=RUN_FAST, echo=lambda *a, **k: None)
    assert second.ok and second.steps()["baseline"] == "ok" and second.steps()["package"] == "ok"  # retrained, repackaged
    rec2 = read_run(second.path)
    assert rec2["data"]["train"]["path"] == Path(new_path).as_posix()
    assert rec2["data"]["train"]["sha256"] == fingerprint(root / new_path) != old["sha256"]
    b2 = load_bundle(root / rec2["metrics"]["package"]["bundle"]["path"])
    assert b2.meta["data"]["sha256"] == rec2["data"]["train"]["sha256"] and b2.meta["data"]["rows"] > b.meta["data"]["rows"]
    assert rec2["changes"]["data"] and "data train" in rec2["changes_text"]  # the experiment log says so
    entry2 = next(e for e in tracking.log(root) if e["id"] == second.id)
    assert "data train" in entry2["changed"] and entry2["bundle"]["model_version"] == b2.version
    assert "data train" in (root / "EXPERIMENTS.md").read_text().split(f"`{first.id}`")[0]  # in the newer run's entry


def test_package_mlflow_writes_a_pyfunc_model_that_predicts_like_the_bundle(bundle, train, tmp_path, capsys):
    mlflow_pyfunc = pytest.importorskip("mlflow.pyfunc")  # skipped only where mlflow is not installed
    import pandas as pd

    from mlkit.cli import main
    from mlkit.serve import ContractError, load_bundle

    data = tmp_path / "train.csv"
    train.to_csv(data, index=False)
    out = tmp_path / "bundle"
    args = ["package", "--model", str(bundle / "model.skops"), "--data", str(data), "--target", TARGET, "-o", str(out)]
    assert main([*args, "--cv", "0", "--mlflow"]) == 0
    assert f"MLflow pyfunc model written to {out / 'mlflow'}" in capsys.readouterr().out
    model = mlflow_pyfunc.load_model(str(out / "mlflow"))
    sig = model.metadata.get_input_schema()
    assert [c.name for c in sig.inputs] == FEATURES and all(c.required for c in sig.inputs)
    types = {c.name: c.type.name for c in sig.inputs}
    assert types["Island"] == "string" and types["Culmen Length (mm)"] == "double" and types["Body Mass (g)"] in ("long", "double")
    b = load_bundle(out)
    rows = train[FEATURES].sample(50, random_state=4).reset_index(drop=True)
    assert model.predict(rows)["prediction"].tolist() == b.model.predict(rows).tolist()
    from_json = pd.DataFrame(json.loads(rows.to_json(orient="records")))  # what a JSON request becomes
    assert model.predict(from_json)["prediction"].tolist() == b.model.predict(rows).tolist()
    with pytest.raises(Exception, match="Species"):  # MLflow's own signature check: a required column is missing
        model.predict(rows.drop(columns="Species"))
    with pytest.raises(ContractError) as refused:  # then the bundle's contract: an island the model never saw
        model.predict(rows.assign(Island="Atlantis"))
    assert refused.value.problems[0]["check"] == "unexpected_category" and refused.value.problems[0]["column"] == "Island"
