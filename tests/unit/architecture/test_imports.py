"""Import-graph gates: no cycle among ``backend`` modules (imports inside functions count), lower layers
never import the domain, and no module reaches into another package's ``_private`` module.

The graph comes from grimp, which reads every ``import`` statement in a module, wherever it is; the
first two tests prove that on a throw-away package, so the gates cannot pass by not seeing imports.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import grimp
import pytest

LOWER_LAYERS = ("backend.lib", "backend.db", "backend.config")


def _graph(package: str) -> grimp.ImportGraph:
    return grimp.build_graph(package, include_external_packages=False, cache_dir=None)


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph.find_modules_directly_imported_by(succ)))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def private_reaches(graph: grimp.ImportGraph) -> list[tuple[str, str]]:
    """(importer, imported) pairs where ``imported`` is a ``_private`` module of a package the importer is outside."""
    bad = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            parts = imported.split(".")
            for depth, part in enumerate(parts):
                if part.startswith("_") and not part.startswith("__"):
                    owner = ".".join(parts[:depth])
                    if not importer.startswith(owner + "."):
                        bad.append((importer, imported))
                    break
    return bad


@pytest.fixture
def scratch_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write a package ``archprobe`` with the given modules and make it importable."""
    def write(files: dict[str, str]) -> grimp.ImportGraph:
        for name, body in files.items():
            path = tmp_path / "archprobe" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(body))
        monkeypatch.syspath_prepend(str(tmp_path))
        return _graph("archprobe")

    yield write
    for name in [m for m in sys.modules if m == "archprobe" or m.startswith("archprobe.")]:
        del sys.modules[name]


def test_the_gate_sees_a_cycle_made_only_by_an_import_inside_a_function(scratch_package) -> None:
    graph = scratch_package({
        "__init__.py": "",
        "a.py": "from archprobe import b\n",
        "b.py": "def late():\n    from archprobe.c import helper\n    return helper\n",
        "c.py": "def helper():\n    import archprobe.a\n    return archprobe.a\n",
    })
    assert import_cycles(graph) == [["archprobe.a", "archprobe.b", "archprobe.c"]]


def test_the_gate_sees_a_private_module_used_from_another_package(scratch_package) -> None:
    graph = scratch_package({
        "__init__.py": "",
        "inner/__init__.py": "",
        "inner/_hidden.py": "X = 1\n",
        "inner/public.py": "from archprobe.inner._hidden import X\n",
        "outer.py": "def f():\n    from archprobe.inner._hidden import X\n    return X\n",
    })
    assert private_reaches(graph) == [("archprobe.outer", "archprobe.inner._hidden")]


@pytest.fixture(scope="module")
def backend_graph() -> grimp.ImportGraph:
    return _graph("backend")


def test_no_import_cycle_among_backend_modules(backend_graph) -> None:
    assert import_cycles(backend_graph) == []


@pytest.mark.parametrize("layer", LOWER_LAYERS)
def test_lower_layers_never_import_the_domain(backend_graph, layer: str) -> None:
    direct = sorted((m, i) for m in backend_graph.find_children(layer) | {layer}
                    for i in backend_graph.find_modules_directly_imported_by(m)
                    if i == "backend.domain" or i.startswith("backend.domain."))
    assert direct == []
    assert not backend_graph.chain_exists(importer=layer, imported="backend.domain", as_packages=True)


def test_no_module_imports_another_packages_private_module(backend_graph) -> None:
    assert private_reaches(backend_graph) == []


def test_controllers_never_import_the_server(backend_graph) -> None:
    for package in ("backend.domain", "backend.web"):
        assert not backend_graph.chain_exists(importer=package, imported="backend.server", as_packages=True)
