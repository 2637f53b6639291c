"""Terraform loader: HCL (and JSON-syntax) configurations evaluated into resources with values.

The tree-sitter grammar is imported only when `load` runs, so importing this package (for example
for the plan loader in `plan.py`) costs nothing.
"""

from __future__ import annotations

from iaclint.discover import Unit
from iaclint.lang.options import TerraformOptions
from iaclint.resources import LoadResult

__all__ = ["load", "module_calls"]


def load(units: list[Unit], options: TerraformOptions | None = None) -> LoadResult:
    """Load every Terraform unit of a scan at once (local child modules are evaluated via callers)."""
    from iaclint.lang.terraform.loader import load_units

    return load_units(units, options)


def module_calls(units: list[Unit], options: TerraformOptions | None = None) -> dict[str, set[str]]:
    """Per unit (the real path of its directory), the local module directories it calls: the engine
    loads a root with the modules it calls, one root after another."""
    from iaclint.lang.terraform.loader import module_calls as calls

    return calls(units, options)
