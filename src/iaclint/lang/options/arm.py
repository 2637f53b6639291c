"""What the ARM template loader is told by the scan (see `iaclint.lang.options`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iaclint.fileaccess import ScanRoots


@dataclass(frozen=True, slots=True)
class ArmOptions:
    """ARM templates: the roots, and the parameters files given."""

    roots: ScanRoots | None = None
    # ARM parameters files named on the command line (others are found beside their templates).
    parameter_files: tuple[str, ...] = ()
