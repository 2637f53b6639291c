"""Bicep loader: `load(units, options) -> LoadResult`, and `module_calls(units, options)` for the
engine to load each entry file with the modules it calls.

The parser is imported only when this module's `load` runs, so scans without Bicep files never pay
for it (and the tree-sitter grammar only when `IACLINT_BICEP_PARSER=tree-sitter` asks for it). See
`evaluate.py` for the shape of the resources produced.
"""

from __future__ import annotations

from typing import Any

from iaclint.lang import gc_paused
from iaclint.lang.options import BicepOptions
from iaclint.resources import LoadResult

__all__ = ["load", "module_calls", "preload"]


def load(units: list[Any], options: BicepOptions | None = None) -> LoadResult:
    from iaclint.lang.bicep.files import load_units

    # The load's only cycles (each value left for later and its evaluator) are let go of by the
    # result's `release`, after the checks: the collector has nothing to do meanwhile.
    with gc_paused():
        return load_units(units, options)


def preload() -> None:
    """Import what `load` imports when it first runs: called by a scan about to fork workers, so
    that they share one import instead of each making its own in its first part."""
    import iaclint.lang.bicep.files  # noqa: F401


def module_calls(units: list[Any], options: BicepOptions | None = None) -> dict[str, set[str]]:
    """Per unit (the real path of its file), the local files its `module` statements name: the
    engine loads an entry file with the modules it calls, one group after another."""
    from iaclint.lang.bicep.graph import module_calls as calls

    with gc_paused():
        return calls(units, options)
