"""What each language's loader is told by the scan, typed and per language.

The engine builds one of these from its `ScanOptions` for each language it loads; each carries only
what that loader reads. A library caller may pass None instead: no parameter or variable values,
and the roots worked out from the units loaded (see `roots_for`).

Each language's options class lives in its own module here (`terraform`, `plan`, `cloudformation`,
`bicep`, `arm`) and is named by this package on first use (PEP 562): a scan creates only the
classes of the languages it loads. Creating a frozen dataclass compiles its methods, about 2
million instructions each: the four a one-file Terraform scan does not need were 1.4% of it.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from iaclint.fileaccess import ScanRoots

if TYPE_CHECKING:
    from iaclint.lang.options.arm import ArmOptions
    from iaclint.lang.options.bicep import BicepOptions
    from iaclint.lang.options.cloudformation import CloudFormationOptions
    from iaclint.lang.options.plan import PlanOptions
    from iaclint.lang.options.terraform import TerraformOptions

    LoaderOptions = TerraformOptions | PlanOptions | CloudFormationOptions | BicepOptions | ArmOptions

# Each class named here → the module of this package that defines it.
_HOMES = {
    "TerraformOptions": "terraform",
    "PlanOptions": "plan",
    "CloudFormationOptions": "cloudformation",
    "BicepOptions": "bicep",
    "ArmOptions": "arm",
}

__all__ = ["ArmOptions", "BicepOptions", "CloudFormationOptions", "PlanOptions", "TerraformOptions",
           "roots_for"]


def __getattr__(name: str) -> type:
    """`from iaclint.lang.options import BicepOptions`: the class, its module imported now."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    cls: type = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = cls
    return cls


def roots_for(roots: ScanRoots | None, paths: Iterable[str | os.PathLike[str]]) -> ScanRoots:
    """`roots` when the scan gave them, else the roots of `paths` (a library caller's load)."""
    if roots is not None:
        return roots
    return ScanRoots.for_paths([str(p) for p in paths] or ["."])
