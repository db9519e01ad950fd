"""CPU per request of `mlkit serve`'s work against a bare endpoint's, in one process, without HTTP.

`bench_serve.py` measures the real servers, but on a shared machine its throughput swings with the
load of other processes. This script times only the CPU each request costs (`time.process_time`,
median of many requests), so the ratio is steadier: mlkit's path (parse the body, build the frame,
check the contract, one model pass, an fsynced log record, the JSON answer with probabilities) against
the bare endpoint's (`json.loads`, `pd.DataFrame(records)`, `model.predict`, the JSON answer). Same
pipeline as bench_serve.py (one-hot island and species, scaled measurements, logistic regression on
the embedded penguins data), 1-row and 1,000-row requests.

    python benchmarks/bench_serve_cpu.py [--repeat 60]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

FEATURES = ["Island", "Species", "Culmen Length (mm)", "Culmen Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]


def _cpu_ms(f, repeat: int) -> float:
    f()  # warm
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        f()
        times.append(time.process_time() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=60)
    args = ap.parse_args()

    import pandas as pd
    from fastapi.encoders import jsonable_encoder
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from starlette.responses import JSONResponse, Response

    from mlkit.datasets import load_demo
    from mlkit.serve import load_bundle, package
    from mlkit.serve.app import create_app
    from mlkit.serve.contract import parse_json, request_frame

    df = load_demo()
    df = df[df["Sex"].isin(["MALE", "FEMALE"])][FEATURES + ["Sex"]].dropna().reset_index(drop=True)
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(handle_unknown="ignore"), FEATURES[:2]), (StandardScaler(), FEATURES[2:])),
        LogisticRegression(max_iter=500),
    ).fit(df[FEATURES], df["Sex"])
    with tempfile.TemporaryDirectory() as tmp:
        bundle = load_bundle(package(model, df, "Sex", Path(tmp) / "bundle", cv=0))
        predictor = create_app(bundle, log_dir=Path(tmp) / "log").state.predictor  # what /predict calls, log on
        print(f"CPU per request (median of {args.repeat}), one process, no HTTP")
        print(f"{'request':>10} {'mlkit ms':>9} {'bare ms':>8} {'bare / mlkit':>13}")
        for n in (1, 1000):
            body = json.dumps({"records": df[FEATURES].sample(n, replace=True, random_state=0).to_dict(orient="records")}).encode()

            def mlkit(body=body):
                return Response(predictor.answer(request_frame(parse_json(body))), media_type="application/json")

            def bare(body=body):
                records = json.loads(body)["records"]
                return JSONResponse(jsonable_encoder({"predictions": model.predict(pd.DataFrame(records)).tolist()}))

            m, b = _cpu_ms(mlkit, args.repeat), _cpu_ms(bare, args.repeat)
            print(f"{n:>5} rows {m:>9.2f} {b:>8.2f} {b / m:>12.2f}x")
        predictor.log.close()


if __name__ == "__main__":
    main()
