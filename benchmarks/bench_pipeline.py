"""Benchmark: `mlkit run` with nothing changed must take under a tenth of the first run (issue 6, point 4).

Runs, in one process, on the embedded demo data:
  1. plain papermill executing the five step notebooks in order (the peer: no cache, no records),
  2. the first `mlkit run` (every step executes; run.json, report, experiment log written),
  3. a second `mlkit run` with nothing changed (every step reused from run 2),
and prints the times and the ratios second/first and first/papermill (mlkit's bookkeeping overhead).

    python benchmarks/bench_pipeline.py            # the demo's own parameters
    python benchmarks/bench_pipeline.py --small    # cv=2, 2 profile charts, no permutation test (quicker)
    python benchmarks/bench_pipeline.py --no-peer  # skip the plain papermill pass
"""

import argparse
import tempfile
import time
from pathlib import Path


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--small", action="store_true", help="small parameters (cv=2, 2 charts, no permutation test)")
    p.add_argument("--no-peer", action="store_true", help="skip the plain papermill pass")
    args = p.parse_args()

    import papermill as pm

    from mlkit.data import register
    from mlkit.datasets import DEMO_SENSITIVE, DEMO_TARGET, demo_path
    from mlkit.frame import ProblemSpec
    from mlkit.pipeline import init, notebook_parameters, resolve_parameters, run

    overrides = ["cv=2", "profile.max_charts=2", "sanity.n_permutations=0"] if args.small else []
    quiet = lambda *a, **k: None  # noqa: E731
    with tempfile.TemporaryDirectory() as d:
        root = init(Path(d) / "penguins", target=DEMO_TARGET, task="classification", metric="balanced_accuracy", sensitive=DEMO_SENSITIVE)
        register(demo_path(), project=root, role="train")
        spec = ProblemSpec.load(root)

        peer = None
        if not args.no_peer:
            declared = {s.name: set(notebook_parameters(root / s.notebook)) for s in spec.steps}
            from mlkit.pipeline import parse_overrides

            params = resolve_parameters(spec, declared, parse_overrides(overrides), run_dir="peer")
            t = time.perf_counter()
            for s in spec.steps:
                (root / "peer" / s.name).mkdir(parents=True, exist_ok=True)
                pm.execute_notebook(
                    str(root / s.notebook),
                    str(root / "peer" / s.name / "out.ipynb"),
                    parameters=params[s.name],
                    kernel_name="python3",
                    cwd=str(root),
                    progress_bar=False,
                    extra_arguments=["--IPKernelApp.log_level=ERROR"],
                )
            peer = time.perf_counter() - t

        t = time.perf_counter()
        first = run(root, overrides=overrides, echo=quiet)
        first_s = time.perf_counter() - t
        t = time.perf_counter()
        second = run(root, overrides=overrides, echo=quiet)
        second_s = time.perf_counter() - t

    assert first.ok and second.ok, (first.record.get("error"), second.record.get("error"))
    reused = sum(s == "reused" for s in second.steps().values())
    print(f"demo data, {'small' if args.small else 'default'} parameters, steps: {', '.join(first.steps())}")
    if peer is not None:
        print(f"plain papermill, 5 notebooks:   {peer:8.2f} s")
    print(f"mlkit run, first:               {first_s:8.2f} s  (steps {', '.join(f'{k} {v}' for k, v in first.steps().items())})")
    print(f"mlkit run, nothing changed:     {second_s:8.2f} s  ({reused}/{len(second.steps())} steps reused)")
    print(f"ratio second/first:             {second_s / first_s:8.3f}  (target < 0.1)")
    if peer is not None:
        print(f"ratio first run/papermill:      {first_s / peer:8.3f}  (mlkit's bookkeeping overhead)")
    return 0 if second_s < first_s / 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
