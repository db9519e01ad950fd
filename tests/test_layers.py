"""mlkit's import rules: dependencies point one way, down the layers of nbs/architecture.ipynb.

Every `import` in mlkit/ counts, including the ones inside functions (a lazy import is still a
dependency). Three rules:

1. no module imports a package of a higher layer, or a package of the same layer that comes later
   in the order below (`LAYERS`);
2. no import cycle among mlkit's modules (files): a cycle through several packages always holds an
   upward import (rule 1), so rule 2 reports the cycles inside one package;
3. no private name of another package, neither imported (`from mlkit.x import _private`) nor
   reached through a name an import bound to a module (`ch._private` after `import mlkit.charts as
   ch` or `from mlkit import charts as ch`, at the top or inside a function): what another package
   needs is public.

`KNOWN` lists violations that existed when the rules were written and are being removed; it may only
shrink: an entry that no longer occurs fails the test too, so the list stays true.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "mlkit"

# the order of mlkit's top-level packages and modules: each may import only those before it
# (`frame` and `runtime` share layer 1, the analyses are layer 4, in the order they may use each other)
LAYERS = [
    ("core",),  # 0: Finding, Report, HTML toolkit, atomic io, formatting
    ("frame", "runtime"),  # 1: ProblemSpec; deadline worker, model loading, progress
    ("data",),  # 2: reading, kinds, task, statistics, raw-data registry
    ("datasets",),  # 2: the demo data
    ("charts",),  # 3: theme, chart families, export
    ("schema",),  # 4: the analyses, in this order
    ("compare",),
    ("checks",),
    ("profile",),
    ("baselines",),
    ("sanity",),
    ("cards",),
    ("whyif",),  # local explanations: why this prediction, what would change it
    ("monitor",),
    ("tracking",),  # 5: pipeline, tracking, ML Test Score, serving
    ("pipeline",),
    ("testscore",),
    ("serve",),
    ("demo",),
    ("widgets",),  # 6: widgets and the command line
    ("cli",),
]
RANK = {name: i for i, group in enumerate(LAYERS) for name in group}
# the layer number of each (0 core ... 6 widgets and cli), as nbs/architecture.ipynb draws them
LAYER = {"core": 0, "frame": 1, "runtime": 1, "data": 2, "datasets": 2, "charts": 3, "widgets": 6, "cli": 6}
LAYER |= {n: 4 for n in ("schema", "compare", "checks", "profile", "baselines", "sanity", "cards", "whyif", "monitor")}
LAYER |= {n: 5 for n in ("tracking", "pipeline", "testscore", "serve", "demo")}
EXEMPT = {"mlkit", "mlkit.__main__", "mlkit._modidx"}  # the lazy top-level namespace and the entry point

# (rule, importer, imported): empty since the layered-packages restructuring; keep it so
KNOWN: set[tuple[str, str, str]] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def imports_of(name: str, path: Path, modules) -> list[tuple[str, list[str]]]:
    "Every mlkit module `name` imports, with the names it takes from it."
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.split(".")[0] == "mlkit"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "mlkit":
                continue
            names = [a.name for a in node.names]
            subs = [n for n in names if f"{target}.{n}" in modules]  # `from mlkit import charts`
            found += [(f"{target}.{n}", []) for n in subs]
            rest = [n for n in names if n not in subs]
            if rest or not subs:
                found.append((target, rest))
    return found


def top(name: str) -> str:
    return name.split(".")[1] if "." in name else ""


SCOPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _own_nodes(scope):
    "The nodes of a scope that are not inside a function, lambda or class nested in it."
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, SCOPES):
            todo += ast.iter_child_nodes(node)


def private_attributes(name: str, path: Path, modules) -> set[tuple[str, str]]:
    """Private names `name` reaches on another mlkit module through a name bound to that module by an
    import (`ch._x` after `from mlkit import charts as ch`, or `mlkit.charts._x` after `import mlkit.charts`,
    or `getattr(ch, "_x")`), as (module, attribute). An import binds the name in its own function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parent = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    bound: dict[ast.AST, dict[str, str]] = {}  # scope -> {local name: mlkit module}
    for scope in (n for n in ast.walk(tree) if isinstance(n, SCOPES)):
        names = bound.setdefault(scope, {})
        for node in _own_nodes(scope):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] == "mlkit":
                        names[a.asname or "mlkit"] = a.name if a.asname else "mlkit"
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for a in node.names:
                    if f"{target}.{a.name}" in modules:  # `from mlkit import charts [as ch]`
                        names[a.asname or a.name] = f"{target}.{a.name}"

    def scope_of(node):
        node = parent.get(node)
        while not isinstance(node, SCOPES):
            node = parent[node]
        return node

    def module_of(expr) -> str | None:
        "The mlkit module `expr` names: a bound name, or a submodule reached from one."
        if isinstance(expr, ast.Name):
            scope = scope_of(expr)
            while scope is not None:
                if expr.id in bound[scope]:
                    return bound[scope][expr.id]
                scope = parent.get(scope)
                while scope is not None and not isinstance(scope, SCOPES):
                    scope = parent.get(scope)
            return None
        if isinstance(expr, ast.Attribute):
            base = module_of(expr.value)
            return f"{base}.{expr.attr}" if base and f"{base}.{expr.attr}" in modules else None
        return None

    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            target, attr = module_of(node.value), node.attr
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr", "setattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            target, attr = module_of(node.args[0]), node.args[1].value
        else:
            continue
        if target and attr.startswith("_") and not attr.startswith("__") and f"{target}.{attr}" not in modules:
            found.add((target, attr))
    return found


def violations() -> set[tuple[str, str, str]]:
    modules = all_modules()
    out, graph = set(), {m: set() for m in modules}
    for name, path in modules.items():
        for target, names in imports_of(name, path, modules):
            if target in modules:
                graph[name].add(target)
            if name in EXEMPT or target == "mlkit" and set(names) <= {"__version__"}:
                continue
            a, b = top(name), top(target)
            assert a in RANK, f"{name}: top-level package {a!r} has no layer in LAYERS (add it)"
            if b and b != a and RANK.get(b, len(RANK)) >= RANK[a]:
                out.add(("upward", name, target))
            if b != a and any(n.startswith("_") and not n.startswith("__") for n in names):
                out.add(("private", name, target))
        if name not in EXEMPT:
            for target, attr in private_attributes(name, path, modules):
                if top(target) != top(name):
                    out.add(("private", name, f"{target}.{attr}"))
    for cycle in cycles(graph):
        # a cycle through several packages always contains an upward import, reported above
        if len({top(m) for m in cycle}) == 1:
            out.add(("cycle", cycle[0], " -> ".join(cycle)))
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    "Strongly connected components of more than one module (Tarjan), each as a sorted list."
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_layer_numbers_follow_the_order():
    assert set(LAYER) == set(RANK)
    order = [LAYER[n] for group in LAYERS for n in group]
    assert order == sorted(order)


def test_every_package_has_a_layer():
    missing = {top(m) for m in all_modules() if m not in EXEMPT} - set(RANK)
    assert not missing, f"give these a layer in LAYERS: {sorted(missing)}"


def test_imports_point_down_without_cycles_or_private_names():
    found = violations()
    new = sorted(found - KNOWN)
    assert not new, "import rules broken:\n" + "\n".join(f"  {r}: {a} uses {b}" for r, a, b in new)
    stale = sorted(KNOWN - found)
    assert not stale, "fixed, now remove from KNOWN:\n" + "\n".join(map(str, stale))


def test_the_rules_catch_what_they_guard(tmp_path, monkeypatch):
    "The checker itself: an upward import, a cycle and a private cross import (by name or by attribute) are each found."
    pkg = tmp_path / "mlkit"
    for rel, src in {
        "__init__.py": "",
        "core.py": "def f():\n    from mlkit.charts import g\n",
        "charts.py": "from mlkit.core import f\nfrom mlkit.data import _kind\n",
        "data.py": "_kind = 1\n",
        "profile/__init__.py": "import mlkit.charts as c\nc.g\n",
        "profile/a.py": "def f():\n    from mlkit import charts as ch\n    return ch._h(), getattr(ch, '_j')\n",
        "profile/b.py": "import mlkit.data\nfrom mlkit.profile import a as own\nx = mlkit.data._kind, own._f\n",
        "profile/c.py": "def f(ch):\n    return ch._h\ndef g():\n    from mlkit import charts as ch\n    def h(charts):\n        return charts._h, ch.g\n",
        "checks/__init__.py": "from mlkit.checks.a import x\n",
        "checks/a.py": "from mlkit.checks.b import y\nx = 1\n",
        "checks/b.py": "y = 2\ndef g():\n    from mlkit.checks.a import x\n",
    }.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(src)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "PKG", pkg)
    found = violations()
    assert ("upward", "mlkit.core", "mlkit.charts") in found
    assert ("private", "mlkit.charts", "mlkit.data") in found
    # through a module alias: bound in a function, `import mlkit.x`, getattr; not a local name nor its own package
    assert ("private", "mlkit.profile.a", "mlkit.charts._h") in found
    assert ("private", "mlkit.profile.a", "mlkit.charts._j") in found
    assert ("private", "mlkit.profile.b", "mlkit.data._kind") in found
    assert not [v for v in found if v[1] in ("mlkit.profile", "mlkit.profile.c") or v[2].endswith("._f")]
    assert ("cycle", "mlkit.checks.a", "mlkit.checks.a -> mlkit.checks.b") in found
    assert not [v for v in found if v[0] == "cycle" and "mlkit.core" in v[2]]  # core <-> charts: upward
