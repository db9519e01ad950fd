"""mlkit: the ML production checklist, executable.

`import mlkit` stays light: public names load their module on first use (PEP 562), so
scikit-learn, Altair, papermill, the profiling library and ipywidgets are imported only
when a function that needs them is called. This file is written by hand; nbdev only
updates the `__version__` line above.
"""

__version__ = "0.1.0"

import importlib

# public name -> module that defines it (add a line when a module gains a public name)
_LAZY = {
    # core
    "Finding": "mlkit.core",
    "Report": "mlkit.core",
    "DataCheckError": "mlkit.core",
    "MlkitInputError": "mlkit.core",
    # data
    "read_table": "mlkit.data",
    "DataFileError": "mlkit.data",
    "load_demo": "mlkit.datasets",
    # checks
    "check": "mlkit.checks",
    "CheckConfig": "mlkit.checks",
    "CHECKS": "mlkit.checks",
    # schema
    "infer_schema": "mlkit.schema",
    "validate": "mlkit.schema",
    "Schema": "mlkit.schema",
    "ColumnSchema": "mlkit.schema",
    # compare
    "drift_test": "mlkit.compare",
    "drift_table": "mlkit.compare",
    "ComparisonReport": "mlkit.compare",
    # frame, raw data, pipeline, tracking
    "ProblemSpec": "mlkit.frame",
    "register": "mlkit.data",
    "init": "mlkit.pipeline",
    "run": "mlkit.pipeline",
    "StepOutputs": "mlkit.pipeline",
    "note": "mlkit.tracking",
    # progress lines and bars of the long calls: mlkit.set_progress(False) turns them off (or MLKIT_PROGRESS=0)
    "set_progress": "mlkit.runtime",
    # baselines, sanity
    "baseline": "mlkit.baselines",
    "BaselineReport": "mlkit.baselines",
    "BaselineClassifier": "mlkit.baselines",
    "BaselineRegressor": "mlkit.baselines",
    "TablePreprocessor": "mlkit.baselines",
    "candidate_pipelines": "mlkit.baselines",
    "infer_task": "mlkit.baselines",
    "infer_columns": "mlkit.baselines",
    "SanityReport": "mlkit.sanity",
    # profile (`mlkit.profile` itself is the module, made callable: mlkit.profile(df) == mlkit.profile.profile(df))
    "deep_profile": "mlkit.profile",
    "compare_profiles": "mlkit.profile",
    "Profile": "mlkit.profile",
    "ProfileComparison": "mlkit.profile",
    # widgets (ipywidgets + offline alt.JupyterChart; need the `widgets` extra)
    "explore": "mlkit.widgets",
    "explore_profile": "mlkit.widgets",
    "compare_board": "mlkit.widgets",
    "baseline_board": "mlkit.widgets",
    "threshold_tuner": "mlkit.widgets",
    "why_board": "mlkit.widgets",
    # model cards, explanations, monitoring, ML Test Score (`mlkit.monitor` is also its module, made callable)
    "model_card": "mlkit.cards",
    "ModelCard": "mlkit.cards",
    "explain": "mlkit.cards",
    "Explanation": "mlkit.cards",
    # local explanations: why this prediction, what would change it (`mlkit.explain` above stays the global one)
    "why": "mlkit.whyif",
    "WhyReport": "mlkit.whyif",
    "contributions": "mlkit.whyif",
    "counterfactuals": "mlkit.whyif",
    "monitor_batches": "mlkit.monitor",
    "MonitorReport": "mlkit.monitor",
    "MonitorBatchesReport": "mlkit.monitor",
    "score": "mlkit.testscore",
    "TestScore": "mlkit.testscore",
}
_SUBMODULES = {
    "core", "data", "datasets", "cli", "checks", "schema", "compare", "charts", "profile",
    "baselines", "sanity", "frame", "pipeline", "tracking", "widgets", "cards", "monitor",
    "testscore", "whyif",
}

# modules that are callable as their main function (see `mlkit.core.callable_module`)
_CALLABLE_MODULES = {"profile", "compare", "sanity", "monitor"}

__all__ = sorted(set(_LAZY) | _CALLABLE_MODULES)


def __getattr__(name):
    if name in _CALLABLE_MODULES:
        return importlib.import_module(f"mlkit.{name}")
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"mlkit.{name}")
    raise AttributeError(f"module 'mlkit' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
