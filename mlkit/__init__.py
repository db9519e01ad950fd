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
}
_SUBMODULES = {
    "core", "data", "datasets", "cli", "checks", "schema", "compare", "charts", "profile",
    "baselines", "sanity", "frame", "pipeline", "tracking", "widgets", "cards", "monitor",
    "testscore",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"mlkit.{name}")
    raise AttributeError(f"module 'mlkit' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
