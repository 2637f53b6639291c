"""What the Terraform loader is told by the scan (see `iaclint.lang.options`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iaclint.fileaccess import ScanRoots


@dataclass(frozen=True, slots=True)
class TerraformOptions:
    """Terraform: the roots, `-var` values and variables files, and the pre-commit focus."""

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
