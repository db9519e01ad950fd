"""Speed of `mlkit.profile()` against fg-data-profiling's minimal description, on one generated frame, in one run.

    python benchmarks/bench_profile.py            # 1,000,000 x 20 (target: mlkit >= 10x faster)
    python benchmarks/bench_profile.py --rows 100000
    python benchmarks/bench_profile.py --repeat 5 --skip-peer

Prints the seconds of each (wall clock, and CPU seconds of the process, which other load on a
shared machine disturbs less) and the ratios. mlkit's side runs `--repeat` times (default 3) on pandas
and on polars and reports the median (each run is listed); the peer, which takes tens of seconds, runs
once in the same process. The load average before and after is printed: on a shared machine it says
how much the wall-clock numbers can be trusted. The frame mixes numeric, categorical, datetime, text and
boolean columns with missing values, like a real table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np
import pandas as pd


def make_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    "A rows x 20 mixed frame: 8 numeric, 5 categorical, 2 datetime, 2 text, 1 boolean, 2 integer; about 5% missing in half the columns."
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "num_normal": rng.normal(50, 10, rows),
            "num_lognormal": rng.lognormal(3, 1, rows),
            "num_uniform": rng.uniform(0, 1, rows),
            "num_exp": rng.exponential(2, rows),
            "num_corr": np.arange(rows) * 0.5 + rng.normal(0, 1000, rows),
            "num_small": rng.integers(0, 5, rows).astype("float64"),
            "num_price": np.round(rng.gamma(2, 30, rows), 2),
            "num_score": rng.beta(2, 5, rows) * 100,
            "int_count": rng.poisson(3, rows),
            "int_id": np.arange(rows),
            "cat_country": rng.choice(["DE", "FR", "US", "UK", "ES", "IT", "NL", "PL"], rows),
            "cat_plan": rng.choice(["free", "basic", "pro", "enterprise"], rows, p=[0.6, 0.25, 0.1, 0.05]),
            "cat_channel": rng.choice([f"channel_{i}" for i in range(40)], rows),
            "cat_color": rng.choice(["red", "green", "blue"], rows),
            "cat_size": rng.choice(["S", "M", "L", "XL"], rows),
            "date_signup": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, rows), unit="D"),
            "date_last": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 86400 * 365, rows), unit="s"),
            "text_comment": rng.choice([f"comment number {i}" for i in range(5000)], rows),
            "text_email": [f"user{i}@example.com" for i in rng.integers(0, rows, rows)],
            "flag_active": rng.random(rows) < 0.7,
        }
    )
    for col in [
        "num_normal",
        "num_lognormal",
        "num_price",
        "cat_plan",
        "cat_channel",
        "date_last",
        "text_comment",
        "num_score",
        "cat_size",
        "num_exp",
    ]:
        df.loc[rng.random(rows) < 0.05, col] = None
    return df


CPU = {}


def timed(fn, label=None):
    "Wall seconds and result of fn(); the process CPU seconds (all threads) go to CPU[label]."
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    if label:
        CPU[label] = time.process_time() - c
    return time.perf_counter() - t, out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=1_000_000, help="rows of the generated frame (default 1,000,000)")
    p.add_argument("--repeat", type=int, default=3, help="runs of mlkit.profile per backend; the median is reported (default 3)")
    p.add_argument("--skip-peer", action="store_true", help="time mlkit only")
    p.add_argument("--html", action="store_true", help="also time rendering the profile to HTML (charts drawn to SVG)")
    args = p.parse_args(argv)

    import mlkit.profile as mp

    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f} on {} CPUs".format(*os.getloadavg(), os.cpu_count()))
    t, df = timed(lambda: make_frame(args.rows))
    print(f"frame: {df.shape[0]:,} rows x {df.shape[1]} columns, generated in {t:.1f} s")
    results = {}
    frames = {"pandas": df}
    try:
        import polars as pl

        frames["polars"] = pl.from_pandas(df)
    except ImportError:
        print("polars not installed: skipped")
    repeat = max(1, args.repeat)
    prof = None
    for backend, data in frames.items():
        mp.profile(data.head(1000))  # warm imports (altair, narwhals, polars hashing) outside the timing
        name, walls, cpus = f"mlkit.profile ({backend})", [], []
        for _ in range(repeat):
            secs, prof_b = timed(lambda data=data: mp.profile(data), name)
            walls.append(secs)
            cpus.append(CPU[name])
        prof = prof if prof is not None else prof_b
        results[name], CPU[name] = statistics.median(walls), statistics.median(cpus)
        runs = ", ".join(f"{w:.2f}" for w in walls)
        print(
            f"mlkit.profile({backend}): {results[name]:.2f} s wall, {CPU[name]:.2f} s CPU (median of {repeat}; wall {runs}) "
            f"({len(prof_b.charts)} charts, {len(prof_b.findings)} findings)"
        )
    if args.html:
        t, html = timed(prof._repr_html_)
        print(f"profile HTML with {html.count('<svg')} inline SVG charts: {t:.2f} s, {len(html) / 1e6:.1f} MB")
    if args.skip_peer:
        print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        return 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                from data_profiling import ProfileReport
            except ImportError:
                from ydata_profiling import ProfileReport
    except ImportError:
        print('fg-data-profiling not installed (pip install "mlkit[profile]"): no comparison')
        return 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer, _ = timed(lambda: ProfileReport(df, minimal=True, progress_bar=False).get_description(), "peer")
    print(f"fg-data-profiling minimal get_description(): {peer:.2f} s wall, {CPU['peer']:.2f} s CPU")
    for name, secs in results.items():
        print(f"ratio {name}: {peer / secs:.1f}x faster (wall), {CPU['peer'] / CPU[name]:.1f}x less CPU")
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
