"""Bicep loader: `load(units, options) -> LoadResult`.

The parser is imported only when this module's `load` runs, so scans without Bicep files never pay
for it (and the tree-sitter grammar only when `IACLINT_BICEP_PARSER=tree-sitter` asks for it). See
`evaluate.py` for the shape of the resources produced.
"""

from __future__ import annotations

from typing import Any

from iaclint.lang import gc_paused
from iaclint.lang.options import BicepOptions
from iaclint.resources import LoadResult

__all__ = ["load"]


def load(units: list[Any], options: BicepOptions | None = None) -> LoadResult:
    from iaclint.lang.bicep.files import load_units

    # The few cycles (evaluators and their context) are collected once the collector runs again.
    with gc_paused():
        return load_units(units, options)
