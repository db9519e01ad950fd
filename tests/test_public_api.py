"""The public names of every mlkit module before the layered-packages restructuring stay importable.

`public_api.json` is the snapshot of each module's `__all__` taken before the restructuring (stop 10).
A name may move only when `MOVED` says where to, and then it must be found there; everything else
must still import from the module path it had, because users' code and the step notebooks copied by
earlier `mlkit init` runs import from those paths.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

SNAPSHOT = json.loads((Path(__file__).parent / "public_api.json").read_text())

# old "module.name" -> new "module.name": the subcommands moved into the `cli` package
MOVED = {
    f"mlkit.{mod}.{fn}": f"mlkit.cli.{new}.{fn}"
    for mod, fn, new in [
        ("checks", "cli_check", "check"),
        ("schema", "cli_schema", "schema"),
        ("compare", "cli_compare", "compare"),
        ("profile", "cli_profile", "profile"),
        ("baselines", "cli_baseline", "baseline"),
        ("sanity", "cli_sanity", "sanity"),
        ("pipeline", "cli_init", "pipeline"),
        ("pipeline", "cli_run", "pipeline"),
        ("pipeline", "cli_add_data", "pipeline"),
        ("tracking", "cli_log", "tracking"),
        ("tracking", "cli_note", "tracking"),
        ("tracking", "cli_diff", "tracking"),
        ("monitor", "cli_monitor", "monitor"),
        ("testscore", "cli_score", "score"),
        ("cli", "cli_demo", "demo"),
    ]
}


def lookup(dotted: str):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("module", sorted(SNAPSHOT))
def test_public_names_still_import(module):
    missing = []
    for name in SNAPSHOT[module]:
        places = [f"{module}.{name}"] + [MOVED[p] for p in [f"{module}.{name}"] if p in MOVED]
        errors = []
        for where in places:
            try:
                getattr(importlib.import_module("mlkit"), name) if module == "mlkit" else lookup(where)
                break
            except (ImportError, AttributeError) as e:
                errors.append(f"{where}: {e}")
        else:
            missing.append("; ".join(errors))
    assert not missing, f"{module}: public names lost:\n" + "\n".join(missing)


def test_moved_names_are_gone_from_the_old_place_or_the_same_object():
    for old, new in MOVED.items():
        try:
            before, after = lookup(old), lookup(new)
        except (ImportError, AttributeError):
            continue
        assert before is after, f"{old} and {new} are two different objects"
