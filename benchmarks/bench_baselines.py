"""Does `mlkit.baseline()` add little to the scikit-learn work it does?

On a generated mixed frame (default 100,000 rows x 20 feature columns: numbers with gaps,
categories, a date stored as text, an id, a constant), time in one process run:

- plain: `cross_validate` over `mlkit.baselines.candidate_pipelines(X, y, task)` on the same
  folds and metrics, nothing else;
- mlkit: `mlkit.baseline(df, target)` (reading, column roles, findings, table).

Prints per-candidate seconds for both and the ratio mlkit / plain (target: <= 1.2).
Both sides run under the same native thread policy: mlkit's own (one thread below 20,000
rows, the library default above), or `--threads N` for both (use 1 on a shared machine,
where OpenMP threads competing with other work make gradient boosting times erratic).

    python benchmarks/bench_baselines.py [--rows 100000] [--cv 5] [--repeat 1] [--threads N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd


def make_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    "A mixed 20-feature frame with a binary target that depends on a few columns."
    rng = np.random.default_rng(seed)
    cols = {}
    for i in range(12):
        x = rng.normal(size=rows)
        x[rng.random(rows) < 0.05] = np.nan
        cols[f"num_{i}"] = x
    for i in range(4):
        cols[f"cat_{i}"] = rng.choice([f"level_{k}" for k in range(5 + 5 * i)], size=rows)
    cols["count"] = rng.poisson(3, size=rows)
    cols["signup_date"] = (pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, rows), unit="D")).strftime("%Y-%m-%d")
    cols["customer_id"] = [f"C{i:07d}" for i in range(rows)]
    cols["source"] = "web"
    df = pd.DataFrame(cols)
    logit = 0.8 * np.nan_to_num(df["num_0"]) - 0.6 * np.nan_to_num(df["num_1"]) + (df["cat_0"] == "level_1") * 1.2 + 0.1 * df["count"] - 0.5
    df["target"] = np.where(rng.random(rows) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return df


def plain_loop(df: pd.DataFrame, target: str, cv: int, seed: int = 0) -> tuple:
    "cross_validate over the same candidate pipelines, folds and scorers; (total seconds, per-candidate seconds)."
    from sklearn.model_selection import StratifiedKFold, cross_validate

    from mlkit.baselines import DEFAULT_METRICS, _threads, candidate_pipelines, make_scorers, positive_class

    t0 = time.perf_counter()
    X, y = df.drop(columns=[target]), df[target]
    pipes = candidate_pipelines(X, y, "binary", random_state=seed)
    scorers = make_scorers(DEFAULT_METRICS["binary"], pos_label=positive_class(y))
    folds = list(StratifiedKFold(cv, shuffle=True, random_state=seed).split(X, y))
    per = {"(setup)": time.perf_counter() - t0}
    for name, pipe in pipes.items():
        t = time.perf_counter()
        with _threads(len(X)):  # the same thread policy as baseline()
            cross_validate(pipe, X, y, cv=folds, scoring=scorers, error_score="raise")
        per[name] = time.perf_counter() - t
    return time.perf_counter() - t0, per


def mlkit_run(df: pd.DataFrame, target: str, cv: int, seed: int = 0) -> tuple:
    "mlkit.baseline on the same frame; (total seconds, per-candidate seconds from the table, report)."
    import mlkit

    t0 = time.perf_counter()
    report = mlkit.baseline(df, target, cv=cv, random_state=seed, progress=True)
    total = time.perf_counter() - t0
    per = {r.model: cv * (r.fit_time + r.score_time) for r in report.table.itertuples()}
    return total, per, report


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--cv", type=int, default=5)
    p.add_argument("--repeat", type=int, default=1, help="alternate the two runs this many times; the best time of each counts")
    p.add_argument("--threads", type=int, help="limit native thread pools to N threads for both sides")
    args = p.parse_args(argv)
    if args.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=args.threads)
    import sklearn  # noqa: F401  (import cost outside the timings)

    import mlkit.baselines  # noqa: F401

    df = make_frame(args.rows)
    print(f"frame: {df.shape[0]:,} rows x {df.shape[1] - 1} feature columns, cv={args.cv}, threads={args.threads or 'default'}")
    plain_best = mlkit_best = np.inf
    for i in range(args.repeat):
        pt, pper = plain_loop(df, "target", args.cv)
        mt, mper, report = mlkit_run(df, "target", args.cv)
        plain_best, mlkit_best = min(plain_best, pt), min(mlkit_best, mt)
        print(f"\nrun {i + 1}: plain {pt:.2f} s, mlkit {mt:.2f} s")
        print(f"  {'candidate':22} {'plain (s)':>10} {'mlkit fit+score (s)':>20}")
        for name in pper:
            print(f"  {name:22} {pper[name]:10.2f} {mper.get(name, float('nan')):20.2f}")
    print(f"\n{report.headline()}")
    ratio = mlkit_best / plain_best
    print(
        f"\nplain cross_validate loop: {plain_best:.2f} s\nmlkit.baseline():          {mlkit_best:.2f} s\nratio mlkit / plain:       {ratio:.3f} (target <= 1.2)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
