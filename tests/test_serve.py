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


def _start(bundle: Path, *extra) -> tuple:
    "Start `mlkit serve BUNDLE` on a free port; wait until /health answers; (process, base url)."
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlkit", "serve", str(bundle), "--port", str(port), *extra],
        env=_env(),
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


@pytest.mark.slow
def test_sigkill_during_a_burst_loses_no_answered_request(bundle, train, tmp_path):
    from mlkit.serve import read_log

    log_dir = tmp_path / "log"
    proc, url = _start(bundle, "--log-dir", str(log_dir))
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
    while len(answered) < 150:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)  # in the middle of the burst
    proc.wait()
    stop.set()
    for t in threads:
        t.join()
    records, torn = read_log(log_dir)
    logged = {r["request_id"] for r in records}
    assert set(answered) <= logged, f"{len(set(answered) - logged)} answered request(s) missing from the log"
    assert all(len(r["predictions"]) == 3 and r["inputs"]["Island"] == [x["Island"] for x in rows] for r in records)
    assert len(torn) <= 1  # at most the line the kill cut, and the reader skipped it
