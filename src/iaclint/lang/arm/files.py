"""Read ARM templates and their parameter files; bad input becomes diagnostics, never exceptions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from iaclint.lang.arm.template import Output, Template
from iaclint.lang.jsonpos import JsonError, parse_json
from iaclint.resources import Diagnostic, LoadResult
from iaclint.source import SourceText, display_path
from iaclint.values import Value

MAX_FILE_BYTES = 20 * 1024 * 1024


def _read_json(path: Path, result: LoadResult) -> Value | None:
    shown = display_path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            result.diagnostics.append(Diagnostic(shown, 1, 1, "file larger than 20 MB; not read"))
            return None
        data = path.read_bytes()
    except OSError as exc:
        result.diagnostics.append(Diagnostic(shown, 1, 1, f"cannot read file: {exc.strerror}"))
        return None
    result.files_read.add(str(path))
    try:
        source = SourceText.decode(shown, data)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        result.diagnostics.append(Diagnostic(shown, line, 1, "not valid UTF-8 text; save the file as UTF-8"))
        return None
    try:
        return parse_json(source)
    except JsonError as exc:
        result.diagnostics.append(Diagnostic(shown, exc.line, exc.column, f"invalid JSON: {exc.message}"))
    except RecursionError:
        result.diagnostics.append(Diagnostic(shown, 1, 1, "JSON nested too deeply"))
    return None


def _parameters(template: Path, explicit: list[str], result: LoadResult) -> dict[str, Value]:
    candidates = [Path(p) for p in explicit]
    stem = template.name[: -len(".json")] if template.name.endswith(".json") else template.stem
    candidates.append(template.with_name(f"{stem}.parameters.json"))
    for cand in candidates:
        if not cand.is_file():
            continue
        doc = _read_json(cand, result)
        if doc is None:
            continue
        params = doc.get("parameters")
        if not params.is_known:
            continue
        values: dict[str, Value] = {}
        for k, p in params.items():
            v = p.get("value")
            values[k] = (
                v if not v.is_absent else Value.unknown(f"parameter '{k}' is a Key Vault reference", p.span)
            )
        if explicit and cand in candidates[: len(explicit)]:
            # An explicit parameters file applies only to the template it was written for.
            schema = doc.get("$schema").as_str() or ""
            if "deploymentParameters" not in schema and not cand.name.endswith(".parameters.json"):
                continue
        return values
    return {}


def load_units(units: list[Any], options: Any) -> LoadResult:
    result = LoadResult()
    explicit = [p for p in (getattr(options, "arm_parameter_files", None) or []) if str(p).endswith(".json")]
    for unit in units:
        for f in unit.files:
            path = Path(f)
            doc = _read_json(path, result)
            if doc is None:
                continue
            schema = doc.get("$schema").as_str() or ""
            if "deploymentTemplate" not in schema:
                result.skipped[str(path)] = "JSON that is not an ARM deployment template"
                continue
            out = Output()
            try:
                params = _parameters(path, explicit, result)
                Template(doc, display_path(path), out, params).load()
            except RecursionError:
                result.diagnostics.append(Diagnostic(display_path(path), 1, 1, "template nested too deeply"))
                continue
            result.resources.extend(out.resources)
            result.diagnostics.extend(out.diagnostics)
            result.directives.extend(out.directives)
    return result
