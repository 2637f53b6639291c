"""The JSON report: a documented, versioned schema (`docs/json-schema.md`,
`docs/iaclint-report.schema.json`) for scripts and dashboards.

Compatibility: within a major `schema_version` fields are only added, never renamed or removed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iaclint import __version__
from iaclint.findings import Finding
from iaclint.report.jsontext import write_indented
from iaclint.report.paths import shown
from iaclint.report.summary import (
    active,
    category_of,
    dumps_utf8,
    file_counts,
    fix_for,
    level_counts,
    ordered,
    rule_counts,
    rule_for,
    rules_reported,
    suppressed,
    suppression_of,
)
from iaclint.source import Span

if TYPE_CHECKING:
    from iaclint.result import FileRecord, ScanResult

SCHEMA_VERSION = "1.0"
TOOL_NAME = "iaclint"


def _location(span: Span, root: Path) -> dict[str, Any]:
    return {
        "path": shown(span.path, root),
        "start_line": max(span.line, 1),
        "start_column": max(span.column, 1),
        "end_line": max(span.end_line, span.line, 1),
        "end_column": max(span.end_column, 1),
    }


def _finding(f: Finding, result: ScanResult) -> dict[str, Any]:
    rule = rule_for(result, f.rule_id)
    return {
        "rule_id": f.rule_id,
        "rule_name": rule.name if rule is not None else "",
        "category": category_of(result, f),
        "level": f.level.value,
        "message": f.message,
        **_location(f.span, result.root),
        "address": f.address,
        "resource_type": f.resource_type,
        "attribute": f.attribute,
        "fingerprint": f.fingerprint(),
        "unknown": f.unknown,
        "related": [{"message": r.message, **_location(r.span, result.root)} for r in f.related],
        "fix": fix_for(f, rule),
        "properties": {str(k): str(v) for k, v in f.properties.items()},
        "suppression": _suppression(f, result.root),
    }


def _suppression(f: Finding, root: Path) -> dict[str, Any] | None:
    s = suppression_of(f)
    if s is None:
        return None
    span = getattr(s, "span", None)
    return {
        "kind": s.kind,
        "justification": s.justification,
        "location": _location(span, root) if span is not None else None,
    }


def document(result: ScanResult) -> dict[str, Any]:
    """The report as a JSON-ready dict (what `render` serialises)."""
    findings = ordered(active(result.findings))
    by_category: dict[str, int] = {}
    for f in findings:
        cat = category_of(result, f)
        by_category[cat] = by_category.get(cat, 0) + 1
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "root": Path(os.path.realpath(result.root)).as_posix(),
        "findings": [_finding(f, result) for f in findings],
        "suppressed": [_finding(f, result) for f in ordered(suppressed(result.findings))],
        "files": [
            _file(r, result) for r in sorted(result.files, key=lambda r: shown(r.path, result.root))
        ],
        "rules": [
            {
                "id": r.id,
                "name": r.name,
                "category": r.category,
                "severity": r.severity.value,
                "security_severity": r.security_severity,
                "title": r.title,
            }
            for r in rules_reported(result)
        ],
        "summary": {
            "findings": len(findings),
            "by_level": level_counts(findings),
            "by_category": dict(sorted(by_category.items())),
            "by_rule": rule_counts(findings),
            "suppressed": len(result.findings) - len(findings),
            "baseline_gone": int(getattr(result, "baseline_gone", 0)),
            "files": file_counts(result),
        },
    }


def render(result: ScanResult, *, color: bool = False) -> str:
    """The report as indented JSON ending in a newline; `color` is ignored (machine output)."""
    return dumps_utf8(document(result), indent=2)


def write(result: ScanResult, out: Callable[[str], object]) -> None:
    """`render(result)` handed to `out` in pieces: a report of tens of thousands of findings is
    tens of MB of text, and held whole (with the pieces it is joined from) it was the largest
    thing the scan process ever held. Raises `Unsupported` or `UnicodeEncodeError` (from `out`)
    where `render` would have to start again differently (see `dumps_utf8`): the caller then
    writes `render(result)` instead."""
    write_indented(document(result), 2, out)
    out("\n")


def _file(record: FileRecord, result: ScanResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "path": shown(record.path, result.root), "status": record.status, "reason": record.reason
    }
    if record.unchecked:
        out["unchecked"] = True
    return out
