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
from iaclint.findings import Finding, Related
from iaclint.report.jsontext import write_indented
from iaclint.report.paths import shown
from iaclint.report.summary import (
    PerRule,
    active,
    dumps_utf8,
    file_counts,
    level_counts,
    ordered,
    rule_counts,
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


class _Findings:
    """Findings as the report writes them, with what they share worked out once (`PerRule`)."""

    def __init__(self, result: ScanResult) -> None:
        self.root = result.root
        self.rules = PerRule(result)
        # A related place shared by findings (a parameter's default behind each finding it decides:
        # 2,539 related places, 780 different, on the Bicep corpus) is one dict, written once.
        self._related: dict[tuple[str, str, int, int, int, int], dict[str, Any]] = {}

    def finding(self, f: Finding) -> dict[str, Any]:
        _, name, category = self.rules.rule(f.rule_id)
        root = self.root
        span = f.span
        line = span.line
        return {
            "rule_id": f.rule_id,
            "rule_name": name,
            "category": category,
            "level": f.level._value_,
            "message": f.message,
            "path": shown(span.path, root),
            "start_line": max(line, 1),
            "start_column": max(span.column, 1),
            "end_line": max(span.end_line, line, 1),
            "end_column": max(span.end_column, 1),
            "address": f.address,
            "resource_type": f.resource_type,
            "attribute": f.attribute,
            "fingerprint": f.fingerprint(),
            "unknown": f.unknown,
            "related": [self.related(r) for r in f.related] if f.related else [],
            "fix": self.rules.fix(f),
            "properties": {str(k): str(v) for k, v in f.properties.items()} if f.properties else {},
            "suppression": _suppression(f, root) if f.suppression is not None else None,
        }

    def related(self, r: Related) -> dict[str, Any]:
        s = r.span
        key = (r.message, s.path, s.line, s.column, s.end_line, s.end_column)
        got = self._related.get(key)
        if got is None:
            got = self._related[key] = {"message": r.message, **_location(s, self.root)}
        return got


def _finding(f: Finding, result: ScanResult) -> dict[str, Any]:
    return _Findings(result).finding(f)


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
    written = _Findings(result)
    by_category: dict[str, int] = {}
    for f in findings:
        cat = written.rules.category(f)
        by_category[cat] = by_category.get(cat, 0) + 1
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "root": Path(os.path.realpath(result.root)).as_posix(),
        "findings": [written.finding(f) for f in findings],
        "suppressed": [written.finding(f) for f in ordered(suppressed(result.findings))],
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
