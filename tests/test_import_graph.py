"""The modules of `iaclint` depend on each other one way: no import cycle, and every stage imports
only the stages before it (discover → lang → model → checks → findings → report).

Imports are read with `ast`, wherever they are written: at the top, inside a function (an import
moved into a function still ties the two modules together, it only hides the cycle), or under
`if TYPE_CHECKING:` (a type that names a later stage is a dependency on it all the same).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "iaclint"



def _module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = parts[-1] == "__init__"
    if package:
        parts = parts[:-1]
    return ".".join(parts), package


def import_graph() -> dict[str, set[str]]:
    """Module → the `iaclint` modules it imports (a `from package import name` counts as an
    import of the submodule when `name` is one, else of the package)."""
    files = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
    modules = {name for name, _ in files}
    graph: dict[str, set[str]] = {}
    for (name, package), path in files.items():
        here = name if package else name.rpartition(".")[0]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                for a in node.names:
                    sub = f"{source}.{a.name}"
                    if sub in modules:
                        deps.add(sub)
                    elif source in modules:
                        deps.add(source)
        deps.discard(name)
        graph[name] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, todo = work[-1]
            if todo:
                nxt = todo.pop()
                if nxt not in graph:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph[nxt])))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    component.append(m)
                    if m == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_the_import_graph_is_read_from_every_module() -> None:
    graph = import_graph()
    assert "iaclint.lang.terraform.evaluate" in graph
    # An import inside a function and one under TYPE_CHECKING are read too.
    assert "iaclint.engine" in graph["iaclint.cli"]


def test_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_a_cycle_is_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


# Stages no module of a stage may import: data flows discover → lang → model → checks → findings →
# report, and the orchestrator (`engine`, `cli`) sits on top.
LATER_STAGES = {
    "iaclint.lang": (
        "iaclint.model", "iaclint.checks", "iaclint.findings", "iaclint.suppress", "iaclint.result",
        "iaclint.report", "iaclint.engine", "iaclint.cli", "iaclint.rules", "iaclint.config",
    ),
    "iaclint.model": (
        "iaclint.checks", "iaclint.findings", "iaclint.suppress", "iaclint.result", "iaclint.report",
        "iaclint.engine", "iaclint.cli",
    ),
    # Checks build `Finding`s (the type their stage hands on), nothing after it.
    "iaclint.checks": ("iaclint.report", "iaclint.engine", "iaclint.cli", "iaclint.lang"),
    "iaclint.report": ("iaclint.engine", "iaclint.cli", "iaclint.lang", "iaclint.model", "iaclint.checks"),
    "iaclint.result": ("iaclint.engine", "iaclint.cli", "iaclint.report"),
    "iaclint.directives": ("iaclint.suppress", "iaclint.findings", "iaclint.engine"),
}  # fmt: skip


def test_every_stage_imports_only_earlier_stages() -> None:
    wrong = []
    for module, deps in sorted(import_graph().items()):
        for stage, later in LATER_STAGES.items():
            if _within(module, (stage,)):
                wrong += [f"{module} imports {d}" for d in sorted(deps) if _within(d, later)]
    assert wrong == []
