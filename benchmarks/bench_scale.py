"""Bounded memory, shown: `check()` on a Parquet dataset larger than a memory cap, through polars' streaming engine and DuckDB, against the eager path.

Usage: python benchmarks/bench_scale.py [--parts 10] [--rows-per-part 1000000] [--cap-gib 2] [--keep DIR]

Writes `parts` Parquet files of the mixed 20-column benchmark frame (benchmarks/bench_checks.py; each part
the same rows with a shifted id, so nothing is duplicated), then runs `check()` on the whole folder in a
child process per engine. The cap is enforced by a watchdog in this process: it samples the child's RSS
every 10 ms and kills the child when the RSS passes the cap (RLIMIT_AS is no use here: polars and
DuckDB reserve several GiB of address space they never touch). Prints rows per second, peak RSS and
whether the run stayed within the cap; the eager path (`read_table` into pandas, then `check`) runs last.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
engine, folder = sys.argv[1], sys.argv[2]
from mlkit.checks import check
start = time.perf_counter()
if engine == "polars":
    from mlkit.data.sources import scan
    data = scan(folder, engine="polars")
elif engine == "duckdb":
    import duckdb
    con = duckdb.connect()
    con.execute(f"SET memory_limit='{sys.argv[3]}'; SET threads=2; SET preserve_insertion_order=false")
    import narwhals as nw
    data = nw.from_native(con.read_parquet(f"{folder}/*.parquet"))
else:  # eager: the whole folder in memory first (what mlkit did before lazy engines)
    import pandas as pd
    data = pd.read_parquet(folder)
report = check(data)
print(json.dumps({"seconds": time.perf_counter() - start, "rows": report.meta["rows"], "summary": report.summary(),
                  "checks": sorted(set(report.checks))}))
"""


def write_dataset(folder: Path, parts: int, rows: int) -> int:
    "Write `parts` Parquet files of `rows` rows each; return the in-memory size of one part in pandas (bytes)."
    sys.path.insert(0, str(HERE))
    import polars as pl
    from bench_checks import make_frame

    df = make_frame(rows)
    size = int(df.memory_usage(deep=True).sum())
    base = pl.from_pandas(df)
    for i in range(parts):
        base.with_columns(pl.col("id") + i * rows).write_parquet(folder / f"part-{i:03d}.parquet")
    return size


def run_capped(engine: str, folder: Path, cap: int) -> dict:
    "Run the check in a child; kill it when its RSS passes `cap` bytes. Returns the child's result, peak RSS and status."
    import psutil

    env = dict(os.environ, POLARS_MAX_THREADS="2")
    duck_limit = f"{int(cap * 0.5 / 2**20)}MB"  # DuckDB spills its hash tables to disk beyond this
    child = subprocess.Popen([sys.executable, "-c", CHILD, engine, str(folder), duck_limit], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)  # fmt: skip
    proc, peak, killed, start = psutil.Process(child.pid), 0, False, time.perf_counter()
    while child.poll() is None:
        try:
            rss = proc.memory_info().rss
        except psutil.NoSuchProcess:
            break
        peak = max(peak, rss)
        if rss > cap:
            child.kill()
            killed = True
            break
        time.sleep(0.01)
    out, err = child.communicate()
    result = {"engine": engine, "peak_rss_mib": peak / 2**20, "wall": time.perf_counter() - start, "killed_at_cap": killed}
    if not killed and child.returncode == 0:
        result.update(json.loads(out.strip().splitlines()[-1]))
    elif not killed:
        result["error"] = (err.strip().splitlines() or ["?"])[-1][:200]
    return result


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--parts", type=int, default=10)
    p.add_argument("--rows-per-part", type=int, default=1_000_000)
    p.add_argument("--cap-gib", type=float, default=2.0)
    p.add_argument("--keep", help="write the dataset here (reused when it exists) instead of a temporary folder")
    p.add_argument("--engines", nargs="+", default=["polars", "duckdb", "eager"])
    args = p.parse_args(argv)
    cap = int(args.cap_gib * 2**30)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        part_size = write_dataset(folder, args.parts, args.rows_per_part) if not any(folder.glob("*.parquet")) else None
        rows = args.parts * args.rows_per_part
        on_disk = sum(f.stat().st_size for f in folder.glob("*.parquet"))
        print(f"dataset: {rows:,} rows x 20 columns, {args.parts} Parquet files, {on_disk / 2**30:.2f} GiB on disk"
              + (f", {part_size * args.parts / 2**30:.1f} GiB in pandas ({time.perf_counter() - start:.0f} s to write)" if part_size else ""))  # fmt: skip
        print(f"memory cap on the checking process: {args.cap_gib:g} GiB RSS (watchdog, 10 ms)\n")
        print(f"{'engine':8} {'status':14} {'seconds':>8} {'rows/s':>12} {'peak RSS MiB':>13}  findings")
        for engine in args.engines:
            r = run_capped(engine, folder, cap)
            status = "killed at cap" if r["killed_at_cap"] else ("error" if "error" in r else "ok, in cap")
            secs = r.get("seconds", r["wall"])
            rate = f"{r['rows'] / secs:,.0f}" if "rows" in r else "-"
            print(f"{engine:8} {status:14} {secs:8.1f} {rate:>12} {r['peak_rss_mib']:13.0f}  {r.get('summary', r.get('error', ''))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
