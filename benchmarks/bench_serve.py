"""Does `mlkit serve` (contract checks and the fsynced prediction log on) keep up with a bare FastAPI endpoint?

The same fitted pipeline (one-hot island and species, scaled measurements, logistic regression on
the embedded penguins data) is served twice, in one run, each by uvicorn with one worker on
127.0.0.1:

- bare: a FastAPI endpoint that does `model.predict(pd.DataFrame(records))` on `await request.json()`;
- mlkit: `mlkit serve BUNDLE` (body read with a size cap, contract check, cast to training dtypes,
  one model pass (predict_proba, the class by argmax), one fsynced log record per request, group-committed,
  the answer and the log line encoded once, with orjson when it is installed).

Concurrent clients (threads with httpx) send 1-row and 1,000-row requests. Prints throughput
(requests/s) and p50/p99 latency of both, and the ratio mlkit / bare throughput (goal: >= 0.8).

    python benchmarks/bench_serve.py [--clients 8] [--small 600] [--large 40] [--rounds 3]

Each request size runs in rounds, the two servers one after the other in alternating order, and the
ratio printed is the median of the rounds' ratios: on a shared machine the load changes between two
measurements, and alternating keeps that from favouring one server.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ["Island", "Species", "Culmen Length (mm)", "Culmen Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]
BARE = textwrap.dedent(
    """
    import os
    import pandas as pd
    import skops.io as sio
    from fastapi import FastAPI, Request

    path = os.environ["BENCH_MODEL"]
    model = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    app = FastAPI()

    @app.post("/predict")
    async def predict(request: Request):
        records = (await request.json())["records"]
        return {"predictions": model.predict(pd.DataFrame(records)).tolist()}
    """
)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(proc, url: str) -> None:
    import httpx

    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stdout.read().decode()[-1500:]}")
        try:
            httpx.post(url + "/predict", json={"records": []}, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def _bundle(tmp: Path) -> Path:
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from mlkit.datasets import DEMO_TARGET, load_demo
    from mlkit.serve import package

    df = load_demo()
    df = df[df[DEMO_TARGET].isin(["MALE", "FEMALE"])][FEATURES + [DEMO_TARGET]].dropna().reset_index(drop=True)
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(handle_unknown="ignore"), FEATURES[:2]), (StandardScaler(), FEATURES[2:])),
        LogisticRegression(max_iter=500),
    ).fit(df[FEATURES], df[DEMO_TARGET])
    return package(model, df, DEMO_TARGET, tmp / "bundle", cv=0), df


def _load(url: str, payload: dict, requests: int, clients: int) -> dict:
    "Send `requests` POSTs from `clients` threads; throughput and latency percentiles."
    import httpx

    latencies, lock, left = [], threading.Lock(), [requests]

    def worker():
        with httpx.Client(base_url=url, timeout=60) as c:
            c.post("/predict", json=payload)  # warm the connection
            while True:
                with lock:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                t = time.perf_counter()
                r = c.post("/predict", json=payload)
                dt = time.perf_counter() - t
                assert r.status_code == 200, r.text[:300]
                with lock:
                    latencies.append(dt)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ms = np.asarray(latencies) * 1000
    return {"rps": len(latencies) / wall, "p50": float(np.percentile(ms, 50)), "p99": float(np.percentile(ms, 99))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--small", type=int, default=600, help="1-row requests per server and round")
    ap.add_argument("--large", type=int, default=40, help="1,000-row requests per server and round")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per request size (each: both servers, in alternating order)")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bundle, df = _bundle(tmp)
        (tmp / "bare_app.py").write_text(BARE)
        pb, pm = _port(), _port()
        bare = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bare_app:app", "--port", str(pb), "--no-access-log", "--log-level", "warning"],
            cwd=tmp,
            env={**env, "BENCH_MODEL": str(bundle / "model.skops")},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        mlk = subprocess.Popen(
            [sys.executable, "-m", "mlkit", "serve", str(bundle), "--port", str(pm), "--max-bytes", "50000000"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            urls = {"bare": f"http://127.0.0.1:{pb}", "mlkit": f"http://127.0.0.1:{pm}"}
            for name, proc in (("bare", bare), ("mlkit", mlk)):
                _wait(proc, urls[name])
            one = {"records": df[FEATURES].head(1).to_dict(orient="records")}
            big = {"records": df[FEATURES].sample(1000, replace=True, random_state=0).to_dict(orient="records")}
            print(
                f"{args.clients} concurrent clients, one uvicorn worker each, {os.cpu_count()} CPU cores, {args.rounds} rounds (order alternating)"
            )
            print(f"{'request':>10} {'server':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}   (medians over rounds)")
            for label, payload, n in (("1 row", one, args.small), ("1000 rows", big, args.large)):
                res, ratios = {"bare": [], "mlkit": []}, []
                for r in range(args.rounds):  # alternate who goes first, so a change in the machine's load hits both alike
                    for name in ("bare", "mlkit") if r % 2 == 0 else ("mlkit", "bare"):
                        res[name].append(_load(urls[name], payload, n, args.clients))
                    ratios.append(res["mlkit"][-1]["rps"] / res["bare"][-1]["rps"])
                for name, runs in res.items():
                    med = {k: float(np.median([x[k] for x in runs])) for k in ("rps", "p50", "p99")}
                    print(f"{label:>10} {name:>6} {med['rps']:8.1f} {med['p50']:8.1f} {med['p99']:8.1f}")
                shown = ", ".join(f"{x:.2f}" for x in ratios)
                print(
                    f"{label:>10} ratio mlkit / bare throughput: {float(np.median(ratios)):.2f}x median of rounds ({shown}) (goal >= 0.8)"
                )
        finally:
            for proc in (bare, mlk):
                proc.send_signal(signal.SIGINT)
                proc.wait(timeout=10)


if __name__ == "__main__":
    main()
