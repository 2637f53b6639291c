"""The SARIF 2.1.0 report, shaped for GitHub code scanning (the steering documents' REFERENCE.md, GitHub
section): one run, every rule run described with its tags and security severity, results located
by repository-relative URI, resource address and a line-independent fingerprint, and files that
could not be read reported as tool execution notifications as well as results."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from iaclint import __version__
from iaclint.findings import PARSE_RULE, Finding, Level
from iaclint.helptext import DOC_URL, plain
from iaclint.report.jsontext import compact_pieces
from iaclint.report.paths import (
    absolute,
    directory_uri,
    file_uri,
    relative_to,
    repository_root,
    uri_reference,
)
from iaclint.report.summary import (
    dumps_utf8,
    file_counts,
    ordered,
    rules_reported,
    suppression_of,
)
from iaclint.rules import Rule
from iaclint.source import Span

if TYPE_CHECKING:
    from pathlib import Path

    from iaclint.result import ScanResult

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "iaclint"
INFORMATION_URI = "https://github.com/iaclint/iaclint"
# Where each rule's documentation page lives (docs/rules/<ID>.md, generated from rules/).
HELP_URI = DOC_URL
SRCROOT = "%SRCROOT%"
# GitHub tracks results of different `automationDetails.id`s as separate analyses. The id is left out
# unless a category is asked for (`--sarif-category`, `sarif-category` in the configuration), so the
# upload action's own `category` input decides and matrix jobs do not replace each other's alerts.
# GitHub's security-severity buckets: a rule lowered to warning or note is shown no higher than the
# top of the bucket of that level.
_SEVERITY_CEILING = {Level.WARNING: 6.9, Level.NOTE: 3.9}
FINGERPRINT_KEY = "iaclintFindingHash/v2"


def _first_paragraph(markdown: str) -> str:
    return " ".join(markdown.strip().split("\n\n", 1)[0].split())


def _rule_descriptor(rule: Rule, level: Level | None = None) -> dict[str, Any]:
    """The rule as SARIF describes it; `level`, when the configuration changes the rule's level,
    becomes its default level, and a lower level caps its security severity to match."""
    text = plain(rule.help)
    markdown = rule.help
    if rule.fix:
        text += f"\n\nFix: {plain(rule.fix)}"
        markdown += f"\n\n**Fix**\n\n{rule.fix}"
    if rule.references:
        text += "\n\nReferences:\n" + "\n".join(f"- {ref}" for ref in rule.references)
        markdown += "\n\n**References**\n\n" + "\n".join(f"- <{ref}>" for ref in rule.references)
    level = level or rule.severity
    security = rule.security_severity
    if level.rank < rule.severity.rank:
        security = min(security, _SEVERITY_CEILING.get(level, security))
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": plain(_first_paragraph(rule.help)) or rule.title},
        "help": {"text": text, "markdown": markdown},
        "helpUri": HELP_URI.format(id=rule.id),
        "defaultConfiguration": {"level": level.value},
        "properties": {
            "category": rule.category,
            "tags": list(dict.fromkeys(rule.tags)),
            # GitHub reads this as a string holding a number and buckets it (critical >= 9.0, ...).
            "security-severity": f"{security:.1f}",
            "precision": "high",
        },
    }


def _placeholder_descriptor(rule_id: str) -> dict[str, Any]:
    # A finding whose rule is in no pack still needs a descriptor for its ruleIndex.
    return {
        "id": rule_id,
        "shortDescription": {"text": rule_id},
        "helpUri": HELP_URI.format(id=rule_id),
        "properties": {"tags": ["security"], "precision": "high"},
    }


class _Locator:
    """Turns spans into SARIF physical locations relative to the repository root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.base = repository_root(root)
        # One artifact location per file, shared by the results in it (a report of 3,788 findings
        # names about 600 files in 6,300 locations); nothing changes them once made.
        self._artifacts: dict[str, dict[str, Any]] = {}

    def artifact(self, path: str) -> dict[str, Any]:
        got = self._artifacts.get(path)
        if got is None:
            got = self._artifacts[path] = self._artifact(path)
        return got

    def _artifact(self, path: str) -> dict[str, Any]:
        rel = relative_to(path, self.root, self.base)
        if rel is None:
            # Outside the repository (a module cache, a temp dir): an absolute URI, no base id.
            return {"uri": file_uri(path, self.root)}
        return {"uri": uri_reference(rel), "uriBaseId": SRCROOT}

    def physical(self, span: Span) -> dict[str, Any]:
        start_line = max(span.line, 1)
        start_column = max(span.column, 1)
        end_line = max(span.end_line, start_line)
        end_column = max(span.end_column, 1)
        if end_line == start_line:
            end_column = max(end_column, start_column)
        return {
            "artifactLocation": self.artifact(span.path),
            "region": {
                "startLine": start_line,
                "startColumn": start_column,
                "endLine": end_line,
                "endColumn": end_column,
            },
        }


def _result(f: Finding, index: int, locator: _Locator) -> dict[str, Any]:
    location: dict[str, Any] = {"physicalLocation": locator.physical(f.span)}
    if f.address and f.rule_id != PARSE_RULE:  # a parse finding's address names a file, not a resource
        location["logicalLocations"] = [{"fullyQualifiedName": f.address, "kind": "resource"}]
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": f.level.value,
        "message": {"text": f.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint()},
    }
    suppression = suppression_of(f)
    if suppression is not None:
        # GitHub shows these as dismissed; the finding is kept, never dropped silently.
        entry: dict[str, Any] = {"kind": suppression.kind, "status": "accepted"}
        if suppression.justification:
            entry["justification"] = suppression.justification
        span = getattr(suppression, "span", None)
        if span is not None:
            entry["location"] = {"physicalLocation": locator.physical(span)}
        result["suppressions"] = [entry]
    if f.related:
        result["relatedLocations"] = [
            {"id": i, "message": {"text": rel.message}, "physicalLocation": locator.physical(rel.span)}
            for i, rel in enumerate(f.related, start=1)
        ]
    properties: dict[str, Any] = {str(k): str(v) for k, v in f.properties.items()}
    if f.resource_type:
        properties["resourceType"] = f.resource_type
    if f.attribute and f.rule_id != PARSE_RULE:
        properties["attribute"] = f.attribute
    if f.unknown:
        properties["unknown"] = True
    if properties:
        result["properties"] = properties
    return result


def _notifications(result: ScanResult, index: dict[str, int], locator: _Locator) -> list[dict[str, Any]]:
    """One notification per parse finding (error when the file failed, warning when it was partly
    read), and one per failed file no parse finding speaks for."""

    def key(path: str) -> str:
        return os.path.normcase(os.path.abspath(absolute(path, result.root)))

    failed = {key(r.path): r for r in result.files if r.status == "failed"}
    spoken: set[str] = set()
    out: list[dict[str, Any]] = []
    # The parse findings alone, in report order (sorting all findings to skip the others cost a
    # sort key per finding).
    for f in ordered([f for f in result.findings if f.rule_id == PARSE_RULE]):
        k = key(f.span.path)
        spoken.add(k)
        out.append(
            {
                "level": (Level.ERROR if k in failed else Level.WARNING).value,
                "message": {"text": f.message},
                "locations": [{"physicalLocation": locator.physical(f.span)}],
                "associatedRule": {"id": PARSE_RULE, "index": index[PARSE_RULE]},
            }
        )
    for record in sorted((r for r in result.files if r.unchecked), key=lambda r: r.path):
        out.append(
            {
                "level": "warning",
                "message": {"text": f"skipped, may hold infrastructure not checked: {record.reason}"},
                "locations": [{"physicalLocation": {"artifactLocation": locator.artifact(record.path)}}],
            }
        )
    for k, record in sorted(failed.items()):
        if k not in spoken:
            out.append(
                {
                    "level": "error",
                    "message": {"text": f"{record.reason or 'could not be read'}"},
                    "locations": [{"physicalLocation": {"artifactLocation": locator.artifact(record.path)}}],
                }
            )
    return out


def document(
    result: ScanResult, *, category: str | None = None, levels: dict[str, Level] | None = None
) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict (what `render` serialises). `category`: the
    `automationDetails.id` (left out when None); `levels`: rule levels the configuration sets."""
    locator = _Locator(result.root)
    rules = rules_reported(result)
    levels = levels or {}
    descriptors = [_rule_descriptor(r, levels.get(r.id)) for r in rules]
    index = {r.id: i for i, r in enumerate(rules)}
    for f in result.findings:
        if f.rule_id not in index:
            index[f.rule_id] = len(descriptors)
            descriptors.append(_placeholder_descriptor(f.rule_id))
    results = [_result(f, index[f.rule_id], locator) for f in ordered(result.findings)]
    counts = file_counts(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": directory_uri(locator.base)}},
        "invocations": [
            {
                # The scan ran to the end; files it could not read are notifications, not a failed run.
                "executionSuccessful": True,
                "toolExecutionNotifications": _notifications(result, index, locator),
                "properties": {
                    "filesScanned": counts["scanned"],
                    "filesSkipped": counts["skipped"],
                    "filesFailed": counts["failed"],
                },
            }
        ],
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if category:
        # GitHub reads the part before the last `/` as the category: end the id with one.
        run["automationDetails"] = {"id": category if category.endswith("/") else f"{category}/"}
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render(
    result: ScanResult,
    *,
    color: bool = False,
    category: str | None = None,
    levels: dict[str, Level] | None = None,
) -> str:
    """The SARIF log as compact JSON ending in a newline; `color` is ignored. Compact because logs
    of thousands of results approach GitHub's upload limit and the C encoder is several times faster;
    `python -m json.tool` shows it indented."""
    return dumps_utf8(document(result, category=category, levels=levels), separators=(",", ":"))


def write(
    result: ScanResult,
    out: Callable[[str], object],
    *,
    category: str | None = None,
    levels: dict[str, Level] | None = None,
) -> None:
    """`render(...)` handed to `out` in pieces, each encoded once by the writer. Raises
    `UnicodeEncodeError` (from `out`) for a document with a lone surrogate: the caller then writes
    `render(...)` instead, which replaces them."""
    for piece in compact_pieces(document(result, category=category, levels=levels)):
        out(piece)
    out("\n")
