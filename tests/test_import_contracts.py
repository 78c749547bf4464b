"""The import graph: no cycle, no upward import (contracts in pyproject.toml, checked by import-linter)."""

from __future__ import annotations

import copy
import os
import sys
import tomllib
from pathlib import Path

import pytest

grimp = pytest.importorskip("grimp")
importlinter_cli = pytest.importorskip("importlinter.cli")

REPO = Path(__file__).resolve().parent.parent


def cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (each is an import cycle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:  # iterative Tarjan: no recursion limit on long chains
        nonlocal counter
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


@pytest.fixture(scope="module")
def graph():
    sys.path.insert(0, str(REPO))
    try:
        return grimp.build_graph("workbench", cache_dir=None, exclude_type_checking_imports=True)
    finally:
        sys.path.remove(str(REPO))


def test_no_module_imports_itself_back(graph):
    # every import counts, including those inside functions (not those only for type checkers)
    assert cycles(graph) == []


def test_the_cycle_check_sees_a_planted_cycle(graph):
    planted = copy.deepcopy(graph)
    planted.add_import(importer="workbench.schema", imported="workbench.store")  # store imports schema
    # (through the store's modules: the cycle holds both packages and the store module that imports schema)
    assert any({"workbench.schema", "workbench.store"} <= set(c) for c in cycles(planted))


def _layers() -> tuple[list, set[str]]:
    """The layers contract of pyproject.toml as grimp layers (optional layers that do not exist dropped)."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]
    contract = next(c for c in config["contracts"] if c["type"] == "layers")
    layers = []
    for raw in contract["layers"]:
        sep = "|" if "|" in raw else ":"
        tails = [t.strip() for t in raw.split(sep)]
        layers.append((tails, sep == "|"))
    return layers, set(contract["containers"])


def test_the_layers_catch_a_planted_upward_import(graph):
    layers, containers = _layers()
    present = []
    for tails, independent in layers:
        kept = [t.strip("()") for t in tails
                if not t.startswith("(") or any(f"{c}.{t.strip('()')}" in graph.modules for c in containers)]
        if kept:
            present.append(grimp.Layer(*kept, independent=independent))
    assert graph.find_illegal_dependencies_for_layers(layers=present, containers=containers) == set()
    planted = copy.deepcopy(graph)
    planted.add_import(importer="workbench.collect.base", imported="workbench.share.disclosure")
    illegal = planted.find_illegal_dependencies_for_layers(layers=present, containers=containers)
    assert {(d.importer, d.imported) for d in illegal} == {("workbench.collect", "workbench.share")}


def test_import_contracts_are_kept(monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.syspath_prepend(str(REPO))
    code = importlinter_cli.lint_imports(config_filename=str(REPO / "pyproject.toml"), no_cache=True, no_logo=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "BROKEN" not in out.upper().replace("0 BROKEN", "") and "KEPT" in out
