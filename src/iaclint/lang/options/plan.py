"""What the Terraform plan JSON loader is told by the scan (see `iaclint.lang.options`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iaclint.fileaccess import ScanRoots


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """Terraform plan JSON: only where the plan files may be read."""

    roots: ScanRoots | None = None
