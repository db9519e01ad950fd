"""Label errors: mlkit's confident learning beside cleanlab's `find_label_issues` on the same out-of-fold probabilities, in one run.

    python benchmarks/bench_label_errors.py                    # breast_cancer, wine, digits, penguins; 0%, 5%, 10% flips
    python benchmarks/bench_label_errors.py --rates 0 0.05 --datasets wine penguins

Real data shipped in packages (scikit-learn's breast cancer, wine and digits; mlkit's raw Palmer penguins, target
Species). A seeded share of the labels is flipped to another class; both methods get the same labels and the same
out-of-fold probabilities (mlkit.checks.labels.out_of_fold: 5-fold gradient boosting on mlkit's encoding), so the
comparison is of the method, not the model. Precision and recall are against the planted flips; at rate 0 (the clean
control) every flagged row is a false alarm, and the `label_errors` severity shows that the clean table raises no
error. cleanlab is not a dependency of mlkit (benchmarks/requirements-peers.txt); without it mlkit runs alone.
"""

from __future__ import annotations

import argparse
import time
import warnings


def load(name: str):
    "(features, integer labels) of one shipped dataset."
    import numpy as np
    import pandas as pd

    if name == "penguins":
        from mlkit.datasets import load_demo

        df = load_demo().dropna(subset=["Species"])
        codes, _ = pd.factorize(df["Species"], sort=True)
        return df.drop(columns=["Species", "Individual ID", "Sample Number", "Comments"]).reset_index(drop=True), codes
    from sklearn import datasets

    X, y = getattr(datasets, f"load_{name}")(return_X_y=True, as_frame=True)
    return X, np.asarray(y)


def flip(y, rate: float, seed: int):
    "(noisy labels, mask of flipped rows): each flipped label moved to another class at random."
    import numpy as np

    rng = np.random.default_rng(seed)
    k = int(y.max()) + 1
    flipped = rng.random(len(y)) < rate
    noisy = y.copy()
    noisy[flipped] = (noisy[flipped] + rng.integers(1, k, int(flipped.sum()))) % k
    return noisy, flipped


def score(issues, flipped) -> tuple:
    "(flagged, precision, recall); precision is None when nothing is flagged, recall None when nothing was flipped."
    tp = int((issues & flipped).sum())
    n = int(issues.sum())
    return n, (tp / n if n else None), (tp / int(flipped.sum()) if flipped.any() else None)


def fmt(v) -> str:
    return "   -" if v is None else f"{v:.2f}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", nargs="+", default=["breast_cancer", "wine", "digits", "penguins"])
    p.add_argument("--rates", nargs="+", type=float, default=[0.0, 0.05, 0.1])
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    import pandas as pd

    from mlkit.checks.labels import _label_errors, confident_learning, out_of_fold

    try:
        from cleanlab.filter import find_label_issues
    except ImportError:
        find_label_issues = None
        print("cleanlab is not installed: mlkit only (pip install cleanlab)")
    print(
        f"{'data':14s} {'rows':>5s} {'flip':>5s} {'flips':>5s} {'oof s':>6s} | {'mlkit n':>7s} {'prec':>5s} {'rec':>5s} {'noise':>6s} {'ms':>6s} | {'cleanlab n':>10s} {'prec':>5s} {'rec':>5s} {'ms':>6s} | same | check severity"
    )
    totals = {"mlkit": [0, 0, 0], "cleanlab": [0, 0, 0]}  # flagged, true positives, flips
    for name in args.datasets:
        X, y = load(name)
        for rate in args.rates:
            noisy, flipped = flip(y, rate, args.seed)
            t = time.perf_counter()
            probs = out_of_fold(X, noisy, random_state=args.seed)
            oof = time.perf_counter() - t
            t = time.perf_counter()
            cl = confident_learning(noisy, probs)
            ours_ms = 1000 * (time.perf_counter() - t)
            row = f"{name:14s} {len(y):5d} {rate:5.2f} {int(flipped.sum()):5d} {oof:6.2f} | "
            n, prec, rec = score(cl["issues"], flipped)
            row += f"{n:7d} {fmt(prec):>5s} {fmt(rec):>5s} {cl['noise_share']:6.3f} {ours_ms:6.1f} | "
            totals["mlkit"] = [a + b for a, b in zip(totals["mlkit"], (n, int((cl["issues"] & flipped).sum()), int(flipped.sum())))]
            if find_label_issues is not None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    t = time.perf_counter()
                    theirs = find_label_issues(noisy, probs)
                    their_ms = 1000 * (time.perf_counter() - t)
                m, p2, r2 = score(theirs, flipped)
                totals["cleanlab"] = [a + b for a, b in zip(totals["cleanlab"], (m, int((theirs & flipped).sum()), int(flipped.sum())))]
                row += f"{m:10d} {fmt(p2):>5s} {fmt(r2):>5s} {their_ms:6.1f} | {(theirs == cl['issues']).mean():.3f} | "
            else:
                row += f"{'':10s} {'':5s} {'':5s} {'':6s} |      | "
            finding, _ = _label_errors(X, pd.Series(noisy), "classification", "label", seed=args.seed)  # the check's verdict on this table
            row += "silent" if finding is None else finding.severity
            print(row, flush=True)
    for who, (n, tp, flips) in totals.items():
        if n:
            print(f"overall {who:9s}: {n} flagged, precision {tp / n:.3f}, recall {tp / max(flips, 1):.3f} (over all planted flips)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
