"""The GitLab Code Quality report (`artifacts: reports: codequality:`): a JSON array of issues, each
with `description`, `check_name`, `fingerprint`, `severity`, `location.path` (repository-relative)
and `location.lines.begin`. GitLab compares the fingerprints of a merge request's head and base to
show new and fixed issues, so they are independent of line numbers: the finding's own fingerprint
with its repository-relative path, unique within the report."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from iaclint.findings import Finding, Level
from iaclint.report.paths import relative_to, repository_root, shown
from iaclint.report.summary import active, dumps_utf8, ordered, rule_for

if TYPE_CHECKING:
    from iaclint.result import ScanResult

# Code Quality severities: info, minor, major, critical, blocker.
_SEVERITY = {Level.NOTE: "info", Level.WARNING: "minor", Level.ERROR: "major"}
# An error of a rule GitHub would call critical (security severity 9.0 or more) is critical here too.
_CRITICAL = 9.0


def _severity(f: Finding, result: ScanResult) -> str:
    rule = rule_for(result, f.rule_id)
    if f.level is Level.ERROR and rule is not None and rule.security_severity >= _CRITICAL:
        return "critical"
    return _SEVERITY[f.level]


def issues(result: ScanResult) -> list[dict[str, Any]]:
    base = repository_root(result.root)
    seen: dict[str, int] = {}
    out = []
    for f in ordered(active(result.findings)):
        path = relative_to(f.span.path, result.root, base) or shown(f.span.path, result.root)
        key = f"{f.fingerprint()}\0{path}"
        count = seen[key] = seen.get(key, 0) + 1
        if count > 1:
            key += f"\0{count}"  # the same finding twice in one file: still two issues
        rule = rule_for(result, f.rule_id)
        out.append({
            "type": "issue",
            "description": f.message,
            "check_name": f"{f.rule_id} {rule.name}" if rule is not None else f.rule_id,
            "categories": ["Security"],
            "fingerprint": hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest(),
            "severity": _severity(f, result),
            "location": {
                "path": path,
                "lines": {"begin": max(f.span.line, 1), "end": max(f.span.end_line, f.span.line, 1)},
            },
        })
    return out


def render(result: ScanResult, *, color: bool = False) -> str:
    """The Code Quality JSON array ending in a newline; `color` is ignored."""
    return dumps_utf8(issues(result), indent=2)
