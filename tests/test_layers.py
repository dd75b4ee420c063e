"""The house: the package's imports, read with ``ast`` (every import, at module level or inside
a function), have no cycles, keep the pipeline's layer order, never reach the CLI from the
library, and never take another module's private names."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "kg"

#: The pipeline, bottom up: a module may import its own package and the layers below it.
LAYERS = [
    ("core",),
    ("sources",),
    ("extract",),
    ("reasoning",),
    ("store",),
    ("sparql",),
    ("validation",),
    ("pipeline",),
    ("explanation", "remote"),
    ("serve", "present"),
    ("cli",),
]
LAYER_OF = {pkg: i for i, pkgs in enumerate(LAYERS) for pkg in pkgs}
#: the package's entry points, above every layer
ENTRY = {"kg", "kg.__main__"}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(encoding="utf-8")) for p in sorted(ROOT.rglob("*.py"))}


def imports(name: str, tree: ast.Module, known: set[str]) -> list[tuple[str, list[str]]]:
    """(imported module, names taken from it) for every kg import in *tree*."""
    out = []
    pkg = name if any(m.startswith(name + ".") for m in known) else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names if a.name.split(".")[0] == "kg"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = pkg.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] != "kg":
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                if sub in known:
                    out.append((sub, []))
                else:
                    out.append((base, [a.name]))
    return out


def graph() -> tuple[dict[str, set[str]], list[tuple[str, str, str]]]:
    mods = modules()
    known = set(mods)
    edges: dict[str, set[str]] = {m: set() for m in mods}
    private = []
    for name, tree in mods.items():
        for target, names in imports(name, tree, known):
            if target != name and target in known:
                edges[name].add(target)
            for n in names:
                if n.startswith("_") and not n.startswith("__"):
                    private.append((name, target, n))
    return edges, private


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYER_OF.get(parts[1]) if len(parts) > 1 else None


def test_kg_has_no_import_cycles():
    edges, _ = graph()
    index, low, stack, on, cycles = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                strong(w)
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
                cycles.append(sorted(comp))

    for v in edges:
        if v not in index:
            strong(v)
    assert cycles == []


def test_every_kg_module_sits_in_a_layer():
    edges, _ = graph()
    unplaced = [m for m in edges if m not in ENTRY and layer(m) is None]
    assert unplaced == []


def test_no_module_imports_a_layer_above_it_or_a_sibling_package():
    edges, _ = graph()
    bad = []
    for src, targets in edges.items():
        if src in ENTRY:
            continue
        for dst in targets:
            if dst in ENTRY:  # the public API and the entry point sit above every layer
                bad.append((src, dst))
                continue
            same_package = src.split(".")[1] == dst.split(".")[1]
            if not same_package and layer(dst) >= layer(src):
                bad.append((src, dst))
    assert bad == []


def test_the_library_never_imports_the_cli():
    edges, _ = graph()
    bad = [(s, d) for s, ds in edges.items() for d in ds
           if d.startswith("kg.cli") and not s.startswith("kg.cli") and s != "kg.__main__"]
    assert bad == []


def test_no_module_takes_another_modules_private_names():
    _, private = graph()
    assert private == []


def test_the_layer_test_sees_a_planted_upward_import(tmp_path):
    """The check itself can fail: an import of the CLI from the core is caught."""
    tree = ast.parse("from kg.cli.app import main\nfrom kg.store.oxigraph import _syntax_error\n")
    found = imports("kg.core.errors", tree, {"kg.cli.app", "kg.store.oxigraph", "kg.core.errors"})
    assert ("kg.cli.app", ["main"]) in found
    assert layer("kg.cli.app") > layer("kg.core.errors")
    assert ("kg.store.oxigraph", ["_syntax_error"]) in found
