"""mlkit's counterfactuals against dice-ml's, on the same models and the same rows, in one process.

Two real datasets shipped in packages: scikit-learn's breast cancer (569 rows, 30 numbers) and
mlkit's Palmer penguins (`mlkit.datasets.load_demo`: sex from 4 measurements, island and species;
`Island` is declared sensitive, so neither tool may change it). Two models each: a logistic
regression and a gradient-boosted classifier, in a scikit-learn Pipeline (scaler + one-hot encoder).
For the same held-out rows, both tools are asked for 4 counterfactuals of the opposite class:

- mlkit: `mlkit.whyif.counterfactuals` (one `Reference` per model, as DiCE builds its explainer once);
- dice-ml: `Dice(method="random")` (its default for scikit-learn models) and `method="genetic"`.

Both outputs are scored by the same code (`mlkit.whyif.quality`, `mlkit.whyif.violations`), with
validity re-checked by calling the model: validity, proximity (minus the mean MAD-scaled distance of
the numbers), sparsity (share of features unchanged), features changed, diversity (mean pairwise
distance) and constraint violations (numbers outside the training range, unseen categories, changes
to an immutable feature), plus seconds per row. The goal: at least DiCE's validity, no violation,
faster.

    pip install -r benchmarks/requirements-peers.txt   # dice-ml (shap is for bench_contributions.py)
    python benchmarks/bench_counterfactuals.py [--rows 10] [--methods random,genetic] [--threads 1]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import time
import warnings

import numpy as np
import pandas as pd


def breast_cancer():
    "(train, test, numeric, categorical, target, immutable) from scikit-learn's breast cancer data."
    from sklearn.datasets import load_breast_cancer

    d = load_breast_cancer(as_frame=True)
    df = d.frame.rename(columns={"target": "benign"})
    numeric = [c for c in df.columns if c != "benign"]
    return *_split(df, "benign"), numeric, [], "benign", []


def penguins():
    "(train, test, numeric, categorical, target, immutable) from mlkit's penguins: male or not, Island held fixed."
    from mlkit.datasets import load_demo

    numeric = ["Culmen Length (mm)", "Culmen Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]
    categorical = ["Island", "Species"]
    df = load_demo().dropna(subset=["Sex", *numeric])
    df = df[df["Sex"].isin(["MALE", "FEMALE"])]
    df = df[numeric + categorical].assign(male=(df["Sex"] == "MALE").astype(int)).reset_index(drop=True)
    return *_split(df, "male"), numeric, categorical, "male", ["Island"]


def _split(df, target, seed: int = 0):
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(df, test_size=0.25, random_state=seed, stratify=df[target])
    return train.reset_index(drop=True), test.reset_index(drop=True)


def models(numeric, categorical):
    "The two models: logistic regression and gradient boosting behind the same preprocessing."
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    def prep():
        parts = [(StandardScaler(), numeric)] + ([(OneHotEncoder(handle_unknown="ignore"), categorical)] if categorical else [])
        return make_column_transformer(*parts)

    return {
        "logistic": make_pipeline(prep(), LogisticRegression(max_iter=5000)),
        "gradient boosting": make_pipeline(prep(), GradientBoostingClassifier(n_estimators=100, random_state=0)),
    }


def run_mlkit(model, train, rows, target, immutable, n):
    "mlkit's counterfactuals for each row: (list of frames, seconds per row)."
    from mlkit.whyif import Reference, counterfactuals

    ref = Reference(model, train, target, sensitive=immutable)
    out, t0 = [], time.perf_counter()
    for _, x in rows.iterrows():
        cf = counterfactuals(model, train, x.to_frame().T, target=target, n=n, reference=ref)
        out.append(cf.values if cf.found else cf.values.iloc[0:0])
    return out, (time.perf_counter() - t0) / len(rows)


def run_dice(model, train, rows, numeric, target, immutable, n, method):
    "dice-ml's counterfactuals for each row: (list of frames, seconds per row, rows it failed on)."
    import dice_ml

    data = dice_ml.Data(dataframe=train, continuous_features=numeric, outcome_name=target)
    dice = dice_ml.Dice(data, dice_ml.Model(model=model, backend="sklearn"), method=method)
    vary = [c for c in train.columns if c != target and c not in immutable]
    out, failed, t0 = [], 0, time.perf_counter()
    for i in range(len(rows)):
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                res = dice.generate_counterfactuals(rows.iloc[[i]], total_CFs=n, desired_class="opposite", features_to_vary=vary)
            cfs = res.cf_examples_list[0].final_cfs_df
        except Exception:  # DiCE raises when it finds nothing ("No counterfactuals found ...")
            cfs, failed = None, failed + 1
        out.append(pd.DataFrame(columns=rows.columns) if cfs is None else cfs.drop(columns=[target]).reset_index(drop=True))
    return out, (time.perf_counter() - t0) / len(rows), failed


def score(model, train, rows, target, immutable, cfs_per_row, n):
    "Mean quality over rows (validity re-checked with the model) and total violations, the same code for both tools."
    from mlkit.whyif import Reference, quality, violations

    ref = Reference(model, train, target, sensitive=immutable)
    qs, viol = [], {"out_of_range": 0, "unseen_category": 0, "immutable_changed": 0}
    for (_, x), cfs in zip(rows.iterrows(), cfs_per_row):
        cfs = cfs[ref.features].copy()
        for c in ref.numeric:
            cfs[c] = pd.to_numeric(cfs[c])
        before = model.predict(x.to_frame().T[ref.features])[0]
        valid = model.predict(cfs) != before if len(cfs) else np.array([], dtype=bool)
        qs.append(quality(ref, x, cfs, valid, n))
        for k, v in violations(ref, x, cfs, immutable).items():
            viol[k] += v
    keys = ["validity", "proximity", "sparsity", "features_changed", "diversity"]
    mean = {
        k: float(np.mean([q[k] for q in qs if q.get(k) is not None])) if any(q.get(k) is not None for q in qs) else float("nan")
        for k in keys
    }
    return mean, viol


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=10, help="held-out rows per dataset")
    ap.add_argument("--n", type=int, default=4, help="counterfactuals per row")
    ap.add_argument("--methods", default="random,genetic", help="dice-ml methods to run")
    ap.add_argument("--threads", type=int, default=1, help="native threads for both sides")
    a = ap.parse_args()
    from threadpoolctl import threadpool_limits

    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    header = f"{'dataset':<14}{'model':<19}{'tool':<14}{'validity':>9}{'proximity':>10}{'sparsity':>9}{'changed':>8}{'diversity':>10}{'violations':>11}{'s/row':>8}"
    print(header)
    print("-" * len(header))
    totals = {}
    with threadpool_limits(a.threads):
        for name, load in (("breast cancer", breast_cancer), ("penguins", penguins)):
            train, test, numeric, categorical, target, immutable = load()
            for mname, model in models(numeric, categorical).items():
                model.fit(train.drop(columns=[target]), train[target])
                rows = test.drop(columns=[target]).iloc[: a.rows]
                results = {"mlkit": run_mlkit(model, train, rows, target, immutable, a.n) + (0,)}
                for method in a.methods.split(","):
                    results[f"dice {method}"] = run_dice(model, train, rows, numeric, target, immutable, a.n, method)
                for tool, (cfs, secs, failed) in results.items():
                    q, v = score(model, train, rows, target, immutable, cfs, a.n)
                    nv = sum(v.values())
                    totals.setdefault(tool, []).append((q["validity"], nv, secs))
                    print(f"{name:<14}{mname:<19}{tool:<14}{q['validity']:>9.3f}{q['proximity']:>10.3f}{q['sparsity']:>9.3f}"
                          f"{q['features_changed']:>8.2f}{q['diversity']:>10.3f}{nv:>11d}{secs:>8.3f}"
                          + (f"  ({failed} rows: DiCE found nothing)" if failed else "") + (f"  {v}" if nv else ""))  # fmt: skip
    print()
    ml = totals["mlkit"]
    for tool, vals in totals.items():
        if tool == "mlkit":
            continue
        speed = np.mean([d[2] for d in vals]) / np.mean([m[2] for m in ml])
        dv = np.mean([m[0] for m in ml]) - np.mean([d[0] for d in vals])
        print(f"mlkit vs {tool}: validity {dv:+.3f} (mean over the 4 cases), violations {sum(m[1] for m in ml)} vs {sum(d[1] for d in vals)}, "
              f"mlkit {speed:.1f}x faster per row")  # fmt: skip


if __name__ == "__main__":
    main()
