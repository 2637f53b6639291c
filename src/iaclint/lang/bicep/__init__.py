"""Bicep loader: `load(units, options) -> LoadResult`.

The tree-sitter grammar is imported only when this module's `load` runs, so scans without Bicep
files never pay for it. See `evaluate.py` for the shape of the resources produced.
"""

from __future__ import annotations

import gc
from typing import Any

from iaclint.resources import LoadResult

__all__ = ["load"]


def load(units: list[Any], options: Any) -> LoadResult:
    from iaclint.lang.bicep.files import load_units

    # Loading allocates many small objects that live on (Values, Spans, syntax nodes); the cyclic
    # collector would rescan them again and again. The few cycles (evaluators and their context)
    # are collected once it runs again.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return load_units(units, options)
    finally:
        if gc_was_enabled:
            gc.enable()
