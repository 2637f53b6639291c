"""What the Bicep loader is told by the scan (see `iaclint.lang.options`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iaclint.fileaccess import ScanRoots


@dataclass(frozen=True, slots=True)
class BicepOptions:
    """Bicep: the roots, the `.bicepparam` files given, and the pre-commit focus."""

    roots: ScanRoots | None = None
    # `.bicepparam` files named on the command line (others are found beside their templates).
    parameter_files: tuple[str, ...] = ()
    # Pre-commit (`--files`): the changed files (resolved). Only the entry files that are one of
    # them or reach one through local modules are evaluated; None: every entry file is.
    focus: frozenset[str] | None = None
