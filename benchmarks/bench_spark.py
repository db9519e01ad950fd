"""Spark side by side (issue 15 point 5): `check()` on a PySpark DataFrame and fg-data-profiling's Spark mode on the same DataFrame, in one run.

Usage: python benchmarks/bench_spark.py [--rows 300000] [--seed 0]

Builds the mixed 20-column benchmark frame (benchmarks/bench_checks.py), hands it to a local Spark session
(`local[2]`, mlkit's own `spark_session()`), caches and counts it (so neither side pays for the conversion),
then times `mlkit.check(spark_df)` and `ProfileReport(spark_df, minimal=True).get_description()`. Prints both
times, the ratio (goal: check at least 5x faster) and what each found: mlkit's findings by check id, the
profiler's alerts and the statistics it computed per column. When the profiler's Spark mode fails on this
version, the error is printed instead of its time.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _profiler_found(desc) -> str:
    "The profiler's alerts by type, and how many statistics it computed per column."
    alerts = Counter(str(getattr(a, "alert_type", a)).split(".")[-1] for a in getattr(desc, "alerts", []) or [])
    variables = getattr(desc, "variables", {}) or {}
    per_col = sorted({len(v) for v in variables.values()}) if variables else []
    return (
        f"{len(variables)} columns described ({per_col[0]}-{per_col[-1]} statistics each); alerts: {dict(alerts)}"
        if per_col
        else f"alerts: {dict(alerts)}"
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=300_000)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    from bench_checks import make_frame, profiler_minimal

    import mlkit
    from mlkit.data.sources import spark_session

    df = make_frame(args.rows, args.seed)
    spark = spark_session()
    print(f"Spark {spark.version} local mode ({spark.sparkContext.master}); frame: {len(df):,} rows x {df.shape[1]} columns")
    sdf = spark.createDataFrame(df).cache()
    sdf.count()  # materialise the cache outside both timings
    mlkit.check(spark.createDataFrame(df.head(500)))  # warm mlkit's imports and Spark's code paths

    t0 = time.perf_counter()
    report = mlkit.check(sdf)
    t_check = time.perf_counter() - t0
    found = Counter(f.check for f in report.findings)
    print(f"\nmlkit.check(spark_df): {t_check:.1f} s  [engine: {report.meta['engine']}]")
    print(f"  found: {report.summary()}; by check: {dict(sorted(found.items()))}")

    desc, t_prof = None, 0.0
    for ansi in ("true", "false"):  # Spark 4 runs ANSI SQL by default; the profiler's casts of NaN to INT fail there
        spark.conf.set("spark.sql.ansi.enabled", ansi)
        t0 = time.perf_counter()
        try:
            desc = profiler_minimal(sdf)  # the same call on a Spark DataFrame: its Spark mode
        except Exception as e:
            print(f"\nprofiler Spark mode (spark.sql.ansi.enabled={ansi}): failed after {time.perf_counter() - t0:.1f} s: "
                  f"{type(e).__name__}: {str(e).splitlines()[0][:300]}")  # fmt: skip
            continue
        t_prof = time.perf_counter() - t0
        print(f"\nprofiler Spark mode (minimal get_description, spark.sql.ansi.enabled={ansi}): {t_prof:.1f} s")
        print(f"  found: {_profiler_found(desc)}")
        break
    if desc is None:
        return 0
    print(f"\nprofiler / check = {t_prof / t_check:.1f}x (goal >= 5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
