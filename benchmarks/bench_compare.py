"""Speed of `mlkit.compare` (and `infer_schema` + `validate`) against Evidently's DataDriftPreset on the same two frames, in one run.

    python benchmarks/bench_compare.py                 # reference and current of 1,000,000 x 20 each
    python benchmarks/bench_compare.py --rows 200000 --skip-peer

The frames come from bench_checks.make_frame (the current one with another seed, a shifted column and a new
category, so that the drift tests have something to find). Evidently runs only where it imports (it is not a
dependency of mlkit: see benchmarks/requirements-peers.txt); without it the script prints mlkit's times only.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_checks import make_frame, timed  # noqa: E402


def evidently_drift(reference, current):
    "Evidently's DataDriftPreset with its defaults."
    from evidently import Report
    from evidently.presets import DataDriftPreset

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Report([DataDriftPreset()]).run(reference_data=reference, current_data=current)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000, help="rows of each frame")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--skip-peer", action="store_true", help="do not run Evidently even where it is installed")
    args = p.parse_args(argv)

    import mlkit

    reference = make_frame(args.rows, args.seed)
    current = make_frame(args.rows, args.seed + 1)
    current["score"] = current["score"] + 0.5  # drift
    current.loc[current.index[::50], "segment"] = "E"  # a new category
    print(f"frames: reference and current of {len(reference):,} rows x {reference.shape[1]} columns")
    mlkit.compare(reference.head(2000), current.head(2000))  # warm imports outside the timings

    results = {}
    t, cpu, peak, rep = timed(mlkit.compare, reference, current)
    results["mlkit.compare"] = (t, cpu, peak)
    print(f"  compare: {rep.summary()}; drifted: {', '.join(rep.drift.loc[rep.drift['drifted'], 'column']) or 'none'}")
    t, cpu, peak, schema = timed(mlkit.infer_schema, reference)
    results["mlkit.infer_schema"] = (t, cpu, peak)
    t, cpu, peak, rep = timed(mlkit.validate, current, schema)
    results["mlkit.validate"] = (t, cpu, peak)
    print(f"  validate: {rep.summary()}")
    if not args.skip_peer:
        try:
            import evidently

            t, cpu, peak, _ = timed(evidently_drift, reference, current)
            results[f"evidently {evidently.__version__} DataDriftPreset"] = (t, cpu, peak)
        except ImportError:
            print("  evidently not installed here: mlkit's times only (see benchmarks/requirements-peers.txt)")

    print(f"\n{'side':38} {'wall s':>8} {'CPU s':>8} {'peak extra MiB':>15}")
    for name, (t, cpu, peak) in results.items():
        print(f"{name:38} {t:8.2f} {cpu:8.2f} {peak / 2**20:15.0f}")
    peer = next((k for k in results if k.startswith("evidently")), None)
    if peer:
        t, cpu, _ = results["mlkit.compare"]
        print(f"\n{peer} / mlkit.compare = {results[peer][0] / t:.1f}x wall, {results[peer][1] / cpu:.1f}x CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
