"""Benchmark `mlkit.check` on wide frames against the pandas pass, in one process run.

Usage: python benchmarks/bench_wide.py [--wide-columns 10000] [--wide-rows 20] [--tall-columns 1000] [--tall-rows 10000] [--profile FILE]

Two shapes (issue 13 point 9): a frame of many columns and few rows (mixed kinds: numbers, text, booleans, dates,
with missing values), where `check()` must finish in under 10 s, and 1,000 numeric columns x 10,000 rows, where
`check()` must take at most 2x the pandas pass `df.isna().sum(); df.nunique(); df.duplicated().sum()`.
Prints each side's median wall and CPU (process) time over `--repeat` calls, the ratio in CPU time, the load average, the findings, and the statistics passes run (`FrameStats.passes`).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time


def wide_frame(columns: int, rows: int, seed: int = 0):
    "`columns` columns of `rows` rows cycling over five kinds: float with missing, integer, text, boolean, datetime."
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    words = np.array(["alpha", "beta", "gamma", "delta", "omega"])
    base = np.datetime64("2020-01-01")
    data = {}
    for j in range(columns):
        kind = j % 5
        if kind == 0:
            values = rng.normal(0, 1, rows)
            values[rng.random(rows) < 0.1] = np.nan
        elif kind == 1:
            values = rng.integers(0, 1000, rows)
        elif kind == 2:
            values = words[rng.integers(0, len(words), rows)].astype(object)
        elif kind == 3:
            values = rng.random(rows) < 0.5
        else:
            values = base + rng.integers(0, 1000, rows).astype("timedelta64[D]")
        data[f"c{j}"] = values
    return pd.DataFrame(data)


def tall_frame(columns: int, rows: int, seed: int = 0):
    "`columns` float columns of `rows` rows, a few missing values in every tenth column."
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    arr = rng.normal(0, 1, (rows, columns))
    arr[:, ::10][rng.random((rows, len(range(0, columns, 10)))) < 0.05] = np.nan
    return pd.DataFrame(arr, columns=[f"x{j}" for j in range(columns)])


def pandas_pass(df):
    "The pandas pass the issue compares against."
    df.isna().sum()
    df.nunique()
    df.duplicated().sum()


def timed(fn, *args):
    "((wall seconds, CPU seconds of this process), result) of one call."
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args)
    return (time.perf_counter() - t0, time.process_time() - c0), out


def load_average() -> str:
    "The 1, 5 and 15 minute load averages (the machine is shared: read the figures beside them)."
    import os

    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def median_timed(repeat: int, fn, *args):
    "((median wall, median CPU) over `repeat` calls, the last result): one call's time swings with the shared machine's load."
    import statistics

    runs = [timed(fn, *args) for _ in range(repeat)]
    return (statistics.median(r[0][0] for r in runs), statistics.median(r[0][1] for r in runs)), runs[-1][1]


def _side_by_side(name: str, df, budget: str, profile: str | None, repeat: int = 3) -> tuple:
    from mlkit.checks.engine import check_with_stats

    t_pd, _ = median_timed(repeat, pandas_pass, df)
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    t_ck, (rep, fs) = median_timed(1 if profile else repeat, lambda d: check_with_stats(d, progress=False), df)
    if profile:
        prof.disable()
        prof.dump_stats(f"{profile}.{name}")
    counts: dict = {}
    for f in rep.findings:
        counts[f.check] = counts.get(f.check, 0) + 1
    print(f"{name}: {df.shape[0]:,} rows x {df.shape[1]:,} columns")
    print(f"  pandas pass    wall {t_pd[0]:8.2f} s   cpu {t_pd[1]:8.2f} s")
    print(
        f"  mlkit.check    wall {t_ck[0]:8.2f} s   cpu {t_ck[1]:8.2f} s   = {t_ck[1] / t_pd[1]:.2f}x the pandas pass in CPU time ({budget})  [engine: {rep.meta['engine']}]"
    )
    print(f"  findings: {rep.summary()}; by check: {dict(sorted(counts.items()))}")
    print(f"  statistics passes: {dict(fs.passes)}")
    return t_ck, t_pd


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--wide-columns", type=int, default=10_000)
    p.add_argument("--wide-rows", type=int, default=20)
    p.add_argument("--tall-columns", type=int, default=1_000)
    p.add_argument("--tall-rows", type=int, default=10_000)
    p.add_argument("--profile", help="write cProfile stats of each check() call to FILE.wide and FILE.tall")
    p.add_argument("--repeat", type=int, default=3, help="calls per side; the median is reported (default 3)")
    args = p.parse_args(argv)

    import mlkit

    mlkit.check(wide_frame(20, 50))  # warm imports outside the timings
    print(f"load average before: {load_average()}")
    wide = wide_frame(args.wide_columns, args.wide_rows)
    w_ck, _ = _side_by_side("wide", wide, "goal: check() under 10 s", args.profile, args.repeat)
    print()
    tall = tall_frame(args.tall_columns, args.tall_rows)
    t_ck, t_pd = _side_by_side("tall", tall, "goal: at most 2x", args.profile, args.repeat)
    print(f"\nsummary: wide check() {w_ck[0]:.2f} s wall, {w_ck[1]:.2f} s cpu (goal < 10 s);"
          f" tall check() / pandas pass = {t_ck[1] / t_pd[1]:.2f}x cpu, {t_ck[0] / t_pd[0]:.2f}x wall (goal <= 2x)")  # fmt: skip
    print(f"load average after: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
