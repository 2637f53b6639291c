"""Inline suppressions and the baseline: findings a team has decided not to count.

Loaders find the directives (comments in each language's syntax, read with the grammar of
`iaclint.directives`, and CloudFormation/ARM resource metadata) and hand them over as `Directive`s;
this module only decides what they cover. A suppressed finding is kept with its suppression (SARIF
shows it as such); a directive without a reason, or one that suppresses nothing, is itself reported.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from iaclint.fileaccess import ReadRefused, read_bytes
from iaclint.findings import Finding, Level, Suppression
from iaclint.resources import Directive, Resource
from iaclint.source import Span

META_RULE = "IAC002"
BASELINE_VERSION = 1


@dataclass(slots=True)
class _Use:
    directive: Directive
    used: bool = False


def apply_directives(
    findings: list[Finding],
    directives: Iterable[Directive],
    resources: Iterable[Resource],
    rules_run: set[str],
) -> list[Finding]:
    """Mark findings covered by a directive; add IAC002 notes for directives without a reason or
    that cover nothing (only when a rule they name was run, so --select does not make them stale)."""
    out, uses = mark_directives(findings, directives, resources)
    return out + directive_notes(uses, rules_run)


def mark_directives(
    findings: list[Finding], directives: Iterable[Directive], resources: Iterable[Resource]
) -> tuple[list[Finding], list[tuple[Directive, bool]]]:
    """Findings covered by a directive marked suppressed, and each directive with whether it covered
    one. The engine marks one unit at a time and gives the notes once, for the whole scan (a module
    loaded with two roots has its directives used by either)."""
    resolved: dict[str, str] = {}

    def real(path: str) -> str:
        # Many findings share a file: resolve each path once.
        got = resolved.get(path)
        if got is None:
            got = resolved[path] = os.path.realpath(path)  # never raises on a link loop
        return got

    headers = {r.address: (r.span.path, r.span.line) for r in resources}
    uses = [_Use(d) for d in directives]
    by_line: dict[tuple[str, int], list[_Use]] = {}
    by_address: dict[str, list[_Use]] = {}
    for u in uses:
        d = u.directive
        if d.address:
            by_address.setdefault(d.address, []).append(u)
        else:
            key = real(d.path)
            by_line.setdefault((key, d.line), []).append(u)
            by_line.setdefault((key, d.line + 1), []).append(u)

    out = []
    for f in findings:
        path = real(f.span.path)
        candidates = list(by_line.get((path, f.span.line), ()))
        header = headers.get(f.address)
        if header is not None:
            candidates += by_line.get((real(header[0]), header[1]), ())
        candidates += by_address.get(f.address, ())
        match = next((u for u in candidates if not u.directive.rules or f.rule_id in u.directive.rules), None)
        if match is not None and f.rule_id != META_RULE:
            match.used = True
            d = match.directive
            f = f.suppressed(Suppression("inSource", d.reason, Span.point(d.path, d.line)))
        out.append(f)
    return out, [(u.directive, u.used) for u in uses]


def directive_notes(uses: Iterable[tuple[Directive, bool]], rules_run: set[str]) -> list[Finding]:
    """IAC002 notes for directives without a reason or that cover nothing."""
    out: list[Finding] = []
    if META_RULE not in rules_run:
        return out
    for d, used in uses:
        where = Span.point(d.path, d.line)
        named = ", ".join(d.rules) or "all rules"
        if not d.reason:
            out.append(Finding(META_RULE, Level.NOTE,
                               f"suppression of {named} gives no reason; add one after `--`",
                               where, address=d.address or f"{d.path}:{d.line}", attribute="no-reason"))
        if not used and (not d.rules or any(r in rules_run for r in d.rules)):
            out.append(Finding(META_RULE, Level.NOTE,
                               f"suppression of {named} matches no finding; remove it",
                               where, address=d.address or f"{d.path}:{d.line}", attribute="unused"))
    return out


def write_baseline(findings: Iterable[Finding], path: Path) -> int:
    """Record unsuppressed findings by fingerprint; returns how many were written."""
    entries = sorted(
        {
            f.fingerprint(): {"fingerprint": f.fingerprint(), "rule": f.rule_id, "address": f.address,
                              "attribute": f.attribute, "message": f.message}
            for f in findings if f.suppression is None
        }.values(),
        key=lambda e: (e["rule"], e["address"], e["fingerprint"]),
    )
    path.write_text(json.dumps({"version": BASELINE_VERSION, "findings": entries}, indent=2) + "\n",
                    encoding="utf-8")
    return len(entries)


class BaselineError(ValueError):
    """A baseline file that cannot be used; the message names the file and what is wrong."""


def read_baseline(path: Path) -> set[str]:
    """The fingerprints recorded in a baseline file. The path is the user's (`--baseline`): read
    wherever it is, but only a regular file and at most the size limit; every entry must have the
    shape `write_baseline` gives it, so a damaged file is an error, never a partial baseline."""
    try:
        data = read_bytes(path, roots=None)
    except ReadRefused as err:
        raise BaselineError(f"{path}: cannot read: {err.reason}") from None
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise BaselineError(f"{path}: not a baseline file: not UTF-8 (byte {err.start})") from None
    except RecursionError:
        raise BaselineError(f"{path}: not a baseline file: nested too deeply") from None
    except ValueError as err:
        raise BaselineError(f"{path}: not a baseline file: {err}") from None
    version = doc.get("version") if isinstance(doc, dict) else None
    if type(version) is not int or version != BASELINE_VERSION or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"{path}: not a version {BASELINE_VERSION} iaclint baseline")
    prints: set[str] = set()
    for i, entry in enumerate(doc["findings"]):
        fingerprint = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(fingerprint, str):
            raise BaselineError(f"{path}: findings[{i}]: must be an object with a string fingerprint")
        prints.add(fingerprint)
    return prints


def apply_baseline(findings: list[Finding], fingerprints: set[str], name: str) -> tuple[list[Finding], int]:
    """Findings already in the baseline are suppressed; returns them and how many entries are gone."""
    seen: set[str] = set()
    out = []
    for f in findings:
        fp = f.fingerprint()
        if fp in fingerprints and f.suppression is None:
            seen.add(fp)
            f = f.suppressed(Suppression("external", f"in baseline {name}"))
        out.append(f)
    return out, len(fingerprints - seen)
