"""ARM template loader: `load(units, options) -> LoadResult`. See `template.py` for the resource shape.

Parameter values come from `options.parameter_files` (files whose name or `$schema` says
deploymentParameters) or from `<template stem>.parameters.json` beside the template.
"""

from __future__ import annotations

from typing import Any

from iaclint.lang.options import ArmOptions
from iaclint.resources import LoadResult

__all__ = ["load"]


def load(units: list[Any], options: ArmOptions | None = None) -> LoadResult:
    from iaclint.lang.arm.files import load_units

    return load_units(units, options)
