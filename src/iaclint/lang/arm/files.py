"""Read ARM templates and their parameter files; bad input becomes diagnostics, never exceptions.

Every file goes through the guarded reader (`fileaccess.read_bytes`): a template and the
`<stem>.parameters.json` beside it are the scanned code's own files (inside the scan roots); a
`--parameter-file` is the user's choice (read wherever it is, still regular and bounded). A
template that cannot be read is a failed file (IAC001), never a skip. Each top-level template is
evaluated, with its nested deployments, under a budget of its own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from iaclint import budget as _budget
from iaclint.discover import ARM_PARAMETERS
from iaclint.fileaccess import ReadRefused, ScanRoots, read_bytes, utf8_error_position
from iaclint.lang.arm import functions as fns
from iaclint.lang.arm.template import Output, Template
from iaclint.lang.jsonpos import JsonError, parse_json
from iaclint.lang.options import ArmOptions, roots_for
from iaclint.resources import Diagnostic, LoadResult
from iaclint.source import SourceText, display_path
from iaclint.values import Value


def _parse(path: Path, data: bytes, result: LoadResult) -> Value | None:
    shown = display_path(path)
    try:
        source = SourceText.decode(shown, data)
    except UnicodeDecodeError as exc:
        line, _ = utf8_error_position(data, exc.start)
        result.diagnostics.append(Diagnostic(shown, line, 1, "not valid UTF-8 text; save the file as UTF-8"))
        return None
    try:
        # Nothing deeper than an evaluation may nest is read: a value that deep could not be used.
        return parse_json(source, max_depth=_budget.LIMITS.depth, arm=True)
    except JsonError as exc:
        result.diagnostics.append(Diagnostic(shown, exc.line, exc.column, f"invalid JSON: {exc.message}"))
    return None


def _read_json(path: Path, roots: ScanRoots | None, result: LoadResult) -> Value | None:
    """A JSON file as a Value tree, or None with a diagnostic for the file."""
    try:
        data = read_bytes(path, roots=roots, limit=_budget.LIMITS.file_bytes)
    except ReadRefused as err:
        result.diagnostics.append(Diagnostic(display_path(path), 1, 1, err.reason))
        return None
    result.files_read.add(str(path))
    return _parse(path, data, result)


def _values(doc: Value) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for k, p in doc.get("parameters").items():
        v = p.get("value")
        values[k] = (
            v if not v.is_absent else Value.unknown(f"parameter '{k}' is a Key Vault reference", p.span)
        )
    return values


def _explicit(path: Path, result: LoadResult) -> tuple[str, Value] | None:
    """A `--parameter-file` (read where the user says) when it is an ARM parameters file: the
    name of the template it is written for, with its parameters."""
    doc = _read_json(path, None, result)
    if doc is None or not doc.get("parameters").is_known:
        return None
    # An explicit parameters file applies only to the template it was written for.
    schema = doc.get("$schema").as_str() or ""
    if "deploymentparameters" not in schema.lower() and not path.name.endswith(ARM_PARAMETERS):
        return None
    return path.name, doc


def _beside(template: Path, roots: ScanRoots, result: LoadResult) -> tuple[dict[str, Value], str]:
    """The parameters of `<stem>.parameters.json` beside the template: (values, "") when read or
    absent, ({}, why) when it is there but cannot be read, which makes every parameter unknown."""
    stem = template.name[: -len(".json")] if template.name.endswith(".json") else template.stem
    cand = template.with_name(stem + ARM_PARAMETERS)
    if not os.path.lexists(cand):
        return {}, ""
    doc = _read_json(cand, roots, result)
    if doc is None:
        return {}, f"parameters file {cand.name} could not be read"
    if not doc.get("parameters").is_known:
        return {}, ""
    return _values(doc), ""


def load_units(units: list[Any], options: ArmOptions | None = None) -> LoadResult:
    options = options or ArmOptions()
    result = LoadResult()
    explicit = [
        found
        for p in options.parameter_files
        if str(p).endswith(".json") and (found := _explicit(Path(p), result)) is not None
    ]
    for unit in units:
        roots = roots_for(options.roots, [unit.path])
        for f in unit.files:
            path = Path(f)
            doc = _read_json(path, roots, result)
            if doc is None:
                continue
            schema = doc.get("$schema").as_str() or ""
            if "deploymenttemplate" not in schema.lower():
                result.skipped[str(path)] = "JSON that is not an ARM deployment template"
                continue
            if explicit:
                params, unknown = _values(explicit[0][1]), ""
            else:
                params, unknown = _beside(path, roots, result)
            shown = display_path(path)
            budget = _budget.Budget(limits=_budget.LIMITS, unit=shown)
            result.budgets.append(budget)
            out = Output()
            with budget.active():
                try:
                    Template(doc, shown, out, params, budget=budget, params_unknown=unknown).load()
                finally:
                    fns.forget()
            result.resources.extend(out.resources)
            result.diagnostics.extend(out.diagnostics)
            result.directives.extend(out.directives)
    return result
