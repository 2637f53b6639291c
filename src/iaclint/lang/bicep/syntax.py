"""Parse Bicep with tree-sitter-bicep after the pre-pass, and report the regions it could not read."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from iaclint.lang.bicep.prepass import prepass
from iaclint.resources import Diagnostic
from iaclint.source import SourceText

# Unreadable regions reported per file; more add nothing a user can act on.
MAX_REGIONS = 5


@dataclass(slots=True)
class Parsed:
    source: SourceText
    root: Any  # tree_sitter.Node of type `infrastructure`
    spreads: frozenset[int]
    diagnostics: list[Diagnostic]
    tree: Any = None  # keeps the tree alive while nodes are used


@lru_cache(maxsize=1)
def _parser() -> Any:
    # Imported here so that a scan with no Bicep file never loads the grammar.
    import tree_sitter
    import tree_sitter_bicep

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bicep.language()))


def parse(source: SourceText, params_file: bool = False) -> Parsed:
    pre = prepass(source.data, params_file)
    tree = _parser().parse(pre.data)
    root = tree.root_node
    diags: list[Diagnostic] = []
    if root.has_error:
        _collect_errors(source, root, diags)
    return Parsed(source, root, pre.spreads, diags, tree)


def _collect_errors(source: SourceText, root: Any, out: list[Diagnostic]) -> None:
    """One diagnostic per unreadable region (an ERROR node or a missing token), outermost only."""
    stack = [root]
    found: list[Any] = []
    while stack and len(found) < MAX_REGIONS:
        node = stack.pop()
        if node.is_error or node.is_missing:
            found.append(node)
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    for node in found:
        row, col = node.start_point
        span = source.span_from_points((row, col), (row, col))
        what = f"expected {node.type}" if node.is_missing else "Bicep syntax not understood"
        out.append(
            Diagnostic(
                source.path,
                span.line,
                span.column,
                f"{what} at line {span.line}; the statements around it were skipped",
                partial=True,
            )
        )
