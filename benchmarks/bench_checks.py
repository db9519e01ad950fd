"""Benchmark `mlkit.check` against the pandas single pass and fg-data-profiling's minimal report, in one process run.

Usage: python benchmarks/bench_checks.py [--rows 100000 300000 1000000] [--repeat 3] [--skip-profiler] [--seed 0]

Each size is measured in turn in the same run (issue 15 point 6: >= 10x the profiler at every size, no slower than
the pandas pass from 300k rows up); a summary table of the three sizes ends the output.

Prints the time of each side (pandas pass and check: the median of `--repeat` calls, since one call's time swings
with the shared machine's load; the profiler: one call), the load average, the ratios the issue asks for (check >= 10x faster than the profiler,
<= 3x the pandas pass `df.isna().sum(); df.duplicated().sum(); df.nunique()`) and the peak extra memory
(highest process RSS sampled every 5 ms during the call, minus the RSS before it) against the frame's own in-memory size.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import warnings


def make_frame(rows: int, seed: int = 0):
    "A 20-column mixed frame: numeric, categorical, datetime, text, boolean, an id, with missing values."
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)

    def with_missing(values, share):
        values = pd.Series(values)
        mask = rng.random(rows) < share
        return values.mask(mask)

    cities = np.array(["Berlin", "Paris", "Madrid", "Rome", "Vienna", "Oslo", "Lisbon", "Prague", "Dublin", "Athens"])
    words = np.array(["alpha", "beta", "gamma", "delta", "omega", "sigma", "kappa", "zeta", "theta", "lambda", "tau", "rho"])
    base = np.datetime64("2015-01-01")
    text = pd.Series(words[rng.integers(0, len(words), rows)]).str.cat(
        [pd.Series(words[rng.integers(0, len(words), rows)]), pd.Series(rng.integers(0, 100_000, rows).astype(str))], sep=" "
    )
    df = pd.DataFrame(
        {
            "id": np.arange(rows),
            "age": with_missing(rng.integers(18, 90, rows).astype(float), 0.02),
            "income": with_missing(rng.lognormal(10, 1, rows), 0.05),
            "score": rng.normal(0, 1, rows),
            "height": with_missing(rng.normal(170, 10, rows), 0.01),
            "weight": rng.normal(70, 12, rows),
            "visits": rng.poisson(3, rows),
            "balance": with_missing(rng.normal(1000, 500, rows), 0.1),
            "ratio": rng.random(rows),
            "city": with_missing(cities[rng.integers(0, len(cities), rows)], 0.03),
            "segment": with_missing(np.array(["A", "B", "C", "D"])[rng.integers(0, 4, rows)], 0.0),
            "channel": with_missing(np.array(["web", "store", "phone"])[rng.integers(0, 3, rows)], 0.05),
            "plan": pd.Categorical(np.array(["free", "basic", "pro", "team", "enterprise"])[rng.integers(0, 5, rows)]),
            "status": with_missing(np.array(["active", "churned", "paused"])[rng.integers(0, 3, rows)], 0.01),
            "signup": base + rng.integers(0, 3000, rows).astype("timedelta64[D]"),
            "last_seen": pd.Series(base + rng.integers(0, 3000 * 86400, rows).astype("timedelta64[s]")).mask(rng.random(rows) < 0.02),
            "birthday": base - rng.integers(6000, 30000, rows).astype("timedelta64[D]"),
            "comment": text.mask(rng.random(rows) < 0.3),
            "email": pd.Series(rng.integers(0, rows * 10, rows).astype(str)).radd("user").add("@example.com"),
            "is_member": rng.random(rows) < 0.3,
        }
    )
    return df


class _PeakRSS:
    "Sample the process RSS every few milliseconds in a thread; `.peak` is the highest value seen."

    def __init__(self, interval=0.005):
        import threading

        import psutil

        self.proc, self.interval, self.peak = psutil.Process(os.getpid()), interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(self.interval)

    def __enter__(self):
        self.peak = self.proc.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)


def timed(fn, *args, **kwargs):
    "(wall seconds, CPU seconds of all threads, peak extra RSS bytes over the RSS before the call, result) of one call."
    import psutil

    gc.collect()
    before = psutil.Process(os.getpid()).memory_info().rss
    with _PeakRSS() as mem:
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn(*args, **kwargs)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return seconds, cpu, max(mem.peak - before, 0), result


def median_timed(repeat: int, fn, *args, **kwargs):
    "(median wall, median CPU, highest peak extra RSS, last result) over `repeat` calls of `fn`."
    runs = [timed(fn, *args, **kwargs) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), max(r[2] for r in runs), runs[-1][3]


def pandas_pass(df):
    "The single pandas pass the issue compares against."
    df.isna().sum()
    df.duplicated().sum()
    df.nunique()


def profiler_minimal(df):
    "fg-data-profiling's minimal description (falls back to ydata_profiling)."
    try:
        from data_profiling import ProfileReport
    except ImportError:
        from ydata_profiling import ProfileReport
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ProfileReport(df, minimal=True, progress_bar=False).get_description()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeat", type=int, default=3, help="calls of the pandas pass and of check() per size; the median is reported")
    p.add_argument("--skip-profiler", action="store_true", help="do not run the profiler (it takes the longest)")
    args = p.parse_args(argv)
    summary = [_one_size(rows, args) for rows in args.rows]
    print(f"\n{'rows':>10} {'pandas pass s':>14} {'check s':>8} {'profiler s':>11} {'check/pandas':>13} {'profiler/check':>15}")
    for rows, res in zip(args.rows, summary):
        base, ck = res["pandas pass"][0], res["mlkit.check(pandas)"][0]
        prof = res.get("profiler minimal", (float("nan"),))[0]
        print(f"{rows:>10,} {base:14.2f} {ck:8.2f} {prof:11.2f} {ck / base:12.2f}x {prof / ck:14.1f}x")
    print("goals: profiler/check >= 10x at every size; check/pandas <= 1x from 300,000 rows up")
    return 0


def _one_size(rows: int, args) -> dict:
    "Measure every side at one row count; return {side: (wall s, CPU s, peak extra bytes)}."
    import pandas as pd

    import mlkit

    df = make_frame(rows, args.seed)
    frame_bytes = int(df.memory_usage(deep=True).sum())
    print(f"\nframe: {len(df):,} rows x {df.shape[1]} columns, {frame_bytes / 2**20:.0f} MiB in memory (pandas {pd.__version__})")
    mlkit.check(df.head(2000), progress=False)  # warm imports and caches outside the timings
    print(f"  load average before: {os.getloadavg()[0]:.2f} (2 cores)")

    results = {}
    t, cpu, peak, _ = median_timed(args.repeat, pandas_pass, df)
    results["pandas pass"] = (t, cpu, peak)
    t, cpu, peak, rep = median_timed(args.repeat, mlkit.check, df, progress=False)
    results["mlkit.check(pandas)"] = (t, cpu, peak)
    print(f"  check(pandas): {rep.summary()}  [engine: {rep.meta['engine']}]")
    try:
        import polars as pl

        pl_df = pl.from_pandas(df)
        t, cpu, peak, rep_pl = median_timed(args.repeat, mlkit.check, pl_df, progress=False)
        results["mlkit.check(polars)"] = (t, cpu, peak)
        print(f"  check(polars): {rep_pl.summary()}")
        t, cpu, peak, _ = median_timed(
            args.repeat, lambda d: (d.null_count(), d.is_duplicated().sum(), [d[c].n_unique() for c in d.columns]), pl_df
        )
        results["polars pass (same three operations)"] = (t, cpu, peak)
    except ImportError:
        print("  polars not installed: polars figures skipped")
    if not args.skip_profiler:
        try:
            t, cpu, peak, _ = timed(profiler_minimal, df)
            results["profiler minimal"] = (t, cpu, peak)
        except ImportError:
            print("  fg-data-profiling / ydata-profiling not installed: profiler skipped")

    print(f"\n{'side':38} {'wall s':>8} {'CPU s':>8} {'peak extra MiB':>15}")
    for name, (t, cpu, peak) in results.items():
        print(f"{name:38} {t:8.2f} {cpu:8.2f} {peak / 2**20:15.0f}")
    print()
    base = results["pandas pass"][0]  # wall seconds
    for side in ("mlkit.check(pandas)", "mlkit.check(polars)"):
        if side not in results:
            continue
        t, cpu, peak = results[side]
        line = f"{side}: {t / base:.2f}x the pandas pass in wall time, {cpu / results['pandas pass'][1]:.2f}x in CPU time (target <= 3x)"
        if "profiler minimal" in results:
            prof = results["profiler minimal"]
            line += f"; profiler / check = {prof[0] / t:.1f}x wall, {prof[1] / cpu:.1f}x CPU (target >= 10x)"
        line += f"; peak extra memory {peak / frame_bytes:.0%} of the frame's {frame_bytes / 2**20:.0f} MiB (target < 100%)"
        print(line)
    return results


if __name__ == "__main__":
    sys.exit(main())
