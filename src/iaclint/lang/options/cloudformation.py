"""What the CloudFormation loader is told by the scan (see `iaclint.lang.options`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iaclint.fileaccess import ScanRoots


@dataclass(frozen=True, slots=True)
class CloudFormationOptions:
    """CloudFormation and SAM: the roots, and the parameter values and files given."""

    roots: ScanRoots | None = None
    # Parameter values given on the command line, by name; they win over the parameter files.
    parameters: Mapping[str, str] = field(default_factory=dict)
    # Parameter files named on the command line (`[{"ParameterKey", "ParameterValue"}]` or
    # `{"Parameters": {...}}`).
    parameter_files: tuple[str, ...] = ()
