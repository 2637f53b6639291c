"""What each language's loader is told by the scan, typed and per language.

The engine builds one of these from its `ScanOptions` for each language it loads; each carries only
what that loader reads. A library caller may pass None instead: no parameter or variable values,
and the roots worked out from the units loaded (see `roots_for`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from iaclint.fileaccess import ScanRoots


@dataclass(frozen=True, slots=True)
class TerraformOptions:
    # What the scanned code may read; None: the roots of the units loaded.
    roots: ScanRoots | None = None
    # `-var` values, by name (the text as given: an HCL literal or a plain string).
    variables: Mapping[str, str] = field(default_factory=dict)
    # Variables files named on the command line: the user's choice, read wherever they are.
    var_files: tuple[str, ...] = ()
    # Variables files named by the configuration file: committed with the code, read inside the roots.
    config_var_files: tuple[str, ...] = ()
    # Pre-commit (`--files`): the directories (resolved) of the changed files. Only the roots that
    # are one of them or reach one through local module calls are evaluated; the other units are
    # loaded to find those callers. None: every root is evaluated.
    focus: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """Terraform plan JSON: only where the plan files may be read."""

    roots: ScanRoots | None = None


@dataclass(frozen=True, slots=True)
class CloudFormationOptions:
    roots: ScanRoots | None = None
    # Parameter values given on the command line, by name; they win over the parameter files.
    parameters: Mapping[str, str] = field(default_factory=dict)
    # Parameter files named on the command line (`[{"ParameterKey", "ParameterValue"}]` or
    # `{"Parameters": {...}}`).
    parameter_files: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BicepOptions:
    roots: ScanRoots | None = None
    # `.bicepparam` files named on the command line (others are found beside their templates).
    parameter_files: tuple[str, ...] = ()
    # Pre-commit (`--files`): the changed files (resolved). Only the entry files that are one of
    # them or reach one through local modules are evaluated; None: every entry file is.
    focus: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class ArmOptions:
    roots: ScanRoots | None = None
    # ARM parameters files named on the command line (others are found beside their templates).
    parameter_files: tuple[str, ...] = ()


LoaderOptions = TerraformOptions | PlanOptions | CloudFormationOptions | BicepOptions | ArmOptions


def roots_for(roots: ScanRoots | None, paths: Iterable[str | os.PathLike[str]]) -> ScanRoots:
    """`roots` when the scan gave them, else the roots of `paths` (a library caller's load)."""
    if roots is not None:
        return roots
    return ScanRoots.for_paths([str(p) for p in paths] or ["."])
