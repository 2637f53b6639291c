"""Inline suppressions and the baseline: findings a team has decided not to count.

Loaders find the directives (comments in each language's syntax, read with the grammar of
`iaclint.directives`, and CloudFormation/ARM resource metadata) and hand them over as `Directive`s;
this module only decides what they cover. A suppressed finding is kept with its suppression (SARIF
shows it as such); a directive without a reason, or one that suppresses nothing, is itself reported.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from iaclint.directives import DIRECTIVE
from iaclint.fileaccess import ReadRefused, read_bytes
from iaclint.findings import Finding, Level, Suppression
from iaclint.records import record
from iaclint.resources import Directive, Resource
from iaclint.rules import Rule
from iaclint.source import Span

META_RULE = "IAC002"
# IAC002's fix hint for each of its findings.
_FIX_UNKNOWN = "Name an existing rule id, rule name or category (`iaclint rules` lists them)."
_FIX_NO_REASON = (
    "Give the reason after `--`: `# iaclint:ignore IAC101 -- legacy clients until 2027-03` "
    "(`reason:` in resource metadata)."
)
_FIX_UNUSED = "Delete the suppression: the finding it was written for is gone."
# Version 2: fingerprints name the resource's place in the repository (see Finding.fingerprint).
BASELINE_VERSION = 2


@record
class _Use:
    """An inline suppression directive, the rules it covers, and whether a finding used it."""

    directive: Directive
    # The rule ids the directive covers (None: every rule), resolved as `--select` resolves them.
    covers: frozenset[str] | None = None
    unknown: tuple[str, ...] = ()
    used: bool = False


def _resolve(d: Directive, pack: dict[str, Rule]) -> _Use:
    """A directive's rule names as ids: ids, id prefixes, rule names and categories, in any case,
    as `--select` takes them. Names that match no rule are kept apart to be reported."""
    from iaclint.config import resolve_selector

    if not d.rules:
        return _Use(d)
    covers: set[str] = set()
    unknown: list[str] = []
    for token in d.rules:
        sel = resolve_selector(token, pack)
        if sel is None:
            unknown.append(token)
            continue
        covers.update(r.id for r in pack.values() if r.id.startswith(sel) or sel in (r.name, r.category))
    return _Use(d, frozenset(covers), tuple(unknown))


def apply_directives(
    findings: list[Finding],
    directives: Iterable[Directive],
    resources: Iterable[Resource],
    rules_run: set[str],
) -> list[Finding]:
    """Mark findings covered by a directive that gives a reason; add IAC002 findings for directives
    that name a rule that does not exist (whatever ran), that give no reason (they suppress
    nothing: the README makes the reason the price of a suppression), or that cover nothing (only
    when a rule they name was run, so --select does not make them stale)."""
    out, uses = mark_directives(findings, directives, resources)
    return out + directive_notes(uses, rules_run)


def mark_directives(
    findings: list[Finding],
    directives: Iterable[Directive],
    resources: Iterable[Resource],
    resolve: Callable[[str], str] = os.path.realpath,
) -> tuple[list[Finding], list[tuple[Directive, bool]]]:
    """Findings covered by a directive with a reason marked suppressed, and each directive with
    whether it covered one. The engine marks one unit at a time and gives the notes once, for the
    whole scan (a module loaded with two roots has its directives used by either). `resolve`: as
    `os.path.realpath` (the engine passes its scan's cached `ScanRoots.real`)."""
    from iaclint.rules import load_rules

    directives = list(directives)
    if not directives:
        # Nothing to mark (most parts): no resource header or path worth looking up.
        return list(findings), []
    pack = load_rules()
    resolved: dict[str, str] = {}

    def real(path: str) -> str:
        # Many findings share a file: resolve each path once.
        got = resolved.get(path)
        if got is None:
            got = resolved[path] = resolve(path)  # never raises on a link loop
        return got

    headers = {r.address: (r.span.path, r.span.line) for r in resources}
    uses = [_resolve(d, pack) for d in directives]
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
        matches = [u for u in candidates if u.covers is None or f.rule_id in u.covers]
        if matches and f.rule_id != META_RULE:
            for u in matches:
                u.used = True
            # Only a directive with a reason suppresses; one without is reported by the notes.
            match = next((u for u in matches if u.directive.reason), None)
            if match is not None:
                d = match.directive
                f = f.suppressed(Suppression("inSource", d.reason, Span.point(d.path, d.line)))
        out.append(f)
    return out, [(u.directive, u.used) for u in uses]


def directive_notes(uses: Iterable[tuple[Directive, bool]], rules_run: set[str]) -> list[Finding]:
    """IAC002 findings for directives naming no rule, giving no reason, or covering nothing."""
    from iaclint.config import suggestion
    from iaclint.rules import load_rules

    out: list[Finding] = []
    if META_RULE not in rules_run:
        return out
    pack = load_rules()
    lines = _DirectiveLines()
    for d, used in uses:
        u = _resolve(d, pack)
        where = lines.span(d)
        address = d.address or f"{d.path}:{d.line}"
        named = ", ".join(d.rules) or "all rules"
        for token in u.unknown:
            # Directives are read in upper case; a name or category is shown as it is spelt.
            shown = token if token.startswith("IAC") else token.lower()
            out.append(Finding(META_RULE, Level.WARNING,
                               f"suppression names {shown}, which is no rule{suggestion(shown, pack)}",
                               where, address=address, attribute=f"unknown:{token}",
                               fix=_FIX_UNKNOWN))
        if not d.reason:
            out.append(Finding(META_RULE, Level.WARNING,
                               f"suppression of {named} gives no reason, so it suppresses nothing; "
                               "add one after `--`",
                               where, address=address, attribute="no-reason",
                               fix=_FIX_NO_REASON))
        elif not used and (u.covers is None or any(r in rules_run for r in u.covers)):
            out.append(Finding(META_RULE, Level.NOTE,
                               f"suppression of {named} matches no finding; remove it",
                               where, address=address, attribute="unused",
                               fix=_FIX_UNUSED))
    return out


class _DirectiveLines:
    """Where an IAC002 finding points: at the directive on its line (the comment may follow code),
    read from the file once per file; the start of the line when it cannot be read."""

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}

    def _lines(self, path: str) -> list[str] | None:
        if path not in self._files:
            try:
                text = read_bytes(path, roots=None).decode("utf-8-sig")
            except (ReadRefused, UnicodeDecodeError, ValueError):
                self._files[path] = None
            else:
                self._files[path] = [line.removesuffix("\r") for line in text.split("\n")]
        return self._files[path]

    def span(self, d: Directive) -> Span:
        lines = self._lines(d.path)
        if lines is None or not 0 < d.line <= len(lines):
            return Span.point(d.path, d.line)
        line = lines[d.line - 1]
        # A comment holds the directive's own words; resource metadata holds the `iaclint` key.
        at = line.find(DIRECTIVE)
        if at >= 0:
            # From the comment marker in front of the directive (`#`, `//`, `/*`), when there is one.
            head = line[:at].rstrip()
            for marker in ("/*", "//", "#"):
                if head.endswith(marker):
                    at = len(head) - len(marker)
                    break
        else:
            at = line.find("iaclint")
        if at < 0:
            at = len(line) - len(line.lstrip())
        end = len(line.rstrip())
        return Span(d.path, d.line, at + 1, d.line, max(end, at) + 1)


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
    if type(version) is int and 0 < version < BASELINE_VERSION:
        raise BaselineError(
            f"{path}: a version {version} baseline, made by an older iaclint whose fingerprints did not"
            " name the file; its entries cannot be matched: create it again with"
            " `iaclint baseline create`"
        )
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
