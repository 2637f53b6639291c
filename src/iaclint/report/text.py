"""The text report, in the style of ruff: one block per finding, grouped by file, with the source
line and a caret under the span, where each value came from, a one-line help, and a summary whose
last line accounts for every file looked at."""

from __future__ import annotations

from typing import TYPE_CHECKING

from iaclint.findings import Finding, Level
from iaclint.helptext import doc_url
from iaclint.report.paths import absolute, shown
from iaclint.report.snippets import SourceLines, printable, underline
from iaclint.report.summary import (
    LEVELS,
    PerRule,
    active,
    category_counts,
    file_counts,
    level_counts,
    ordered,
    plural,
    suppressed,
    suppression_of,
)

if TYPE_CHECKING:
    from pathlib import Path

    from iaclint.result import ScanResult

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_CYAN = "\x1b[36m"
_BLUE = "\x1b[34m"
_LEVEL_COLOUR = {Level.ERROR: "\x1b[1;31m", Level.WARNING: "\x1b[1;33m", Level.NOTE: "\x1b[1;36m"}


class _Paint:
    """ANSI colour when asked for, plain text otherwise: one code path for both."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.enabled and text else text


def _where(path: str, line: int, column: int, root: Path, memo: dict[str, str] | None = None) -> str:
    if memo is None:
        return f"{printable(shown(path, root))}:{line}:{column}"
    place = memo.get(path)
    if place is None:
        place = memo[path] = printable(shown(path, root))
    return f"{place}:{line}:{column}"


def _finding_block(
    f: Finding, result: ScanResult, lines: SourceLines, paint: _Paint, rules: PerRule, memo: dict[str, str]
) -> list[str]:
    """The lines of one finding. `rules` and `memo` (a file's path as shown): what findings share,
    worked out once per report."""
    rule = rules.rule(f.rule_id)[0]
    level_colour = _LEVEL_COLOUR[f.level]
    name = f" {rule.name}" if rule is not None else ""
    head = (
        f"{paint(_where(f.span.path, f.span.line, f.span.column, result.root, memo), _BOLD)}: "
        f"{paint(f.rule_id, level_colour)}{name} [{paint(f.level.value, level_colour)}] "
        f"{printable(f.message)}"
    )
    out = [head]
    source = lines.line(absolute(f.span.path, result.root), f.span.line)
    marked = underline(source, f.span) if source is not None else None
    if marked is not None:
        text, carets = marked
        number = str(f.span.line)
        gutter = " " * len(number)
        out.append(f" {paint(number, _BLUE)} {paint('|', _BLUE)} {text}".rstrip())
        lead = carets[: len(carets) - len(carets.lstrip(" "))]
        out.append(f" {gutter} {paint('|', _BLUE)} {lead}{paint(carets.lstrip(' '), level_colour)}")
    for rel in f.related:
        out.append(
            f"  {paint('=', _BLUE)} {printable(rel.message)}: "
            f"{_where(rel.span.path, rel.span.line, rel.span.column, result.root, memo)}"
        )
    if f.unknown:
        out.append(f"  {paint('=', _BLUE)} note: decided by a value iaclint could not know")
    fix = rules.fix(f)
    if fix:
        out.append(f"  {paint('help', _CYAN)}: {printable(fix)}")
    if rule is not None:
        out.append(f"  {paint('docs', _CYAN)}: {doc_url(rule.id)}")
    return out


def _counts_phrase(counts: dict[str, int], *, keep_zero: bool) -> str:
    parts = [plural(counts[lv.value], lv.value) for lv in LEVELS if keep_zero or counts.get(lv.value)]
    return ", ".join(parts)


def summary_line(result: ScanResult) -> str:
    """`Found N findings (E errors, W warnings, N notes) in S files scanned; K skipped, F failed.`"""
    counted = active(result.findings)
    levels = level_counts(counted)
    files = file_counts(result)
    found = plural(len(counted), "finding")
    scanned = plural(files["scanned"], "file")
    return (
        f"Found {found} ({_counts_phrase(levels, keep_zero=True)}) "
        f"in {scanned} scanned; {files['skipped']} skipped, {files['failed']} failed."
    )


def render(result: ScanResult, *, color: bool = False, verbose: bool = False, quiet: bool = False) -> str:
    """The report as text ending in a newline. `color` adds ANSI colour (the CLI decides: a
    terminal and NO_COLOR unset); `verbose` also lists skipped and failed files with reasons, and
    suppressed findings with their justification; `quiet` keeps the findings only (empty when
    there are none). Suppressed findings are not shown or counted."""
    paint = _Paint(color)
    lines = SourceLines(result.roots)
    out: list[str] = []
    rules = PerRule(result)
    memo: dict[str, str] = {}
    # Grouped by file as users see the path, a blank line after each finding as ruff does.
    for f in sorted(ordered(active(result.findings)), key=lambda f: shown(f.span.path, result.root)):
        out.extend(_finding_block(f, result, lines, paint, rules, memo))
        out.append("")
    if quiet:
        return "\n".join(out[:-1]) + "\n" if out else ""

    if verbose:
        for status, title in (("skipped", "Skipped files"), ("failed", "Failed files")):
            records = [r for r in result.files if r.status == status]
            if records:
                out.append(f"{title}:")
                out.extend(
                    f"  {printable(shown(r.path, result.root))}: {printable(r.reason or status)}"
                    for r in records
                )
                out.append("")

    hidden = suppressed(result.findings)
    if verbose and hidden:
        out.append("Suppressed findings:")
        for f in sorted(ordered(hidden), key=lambda f: shown(f.span.path, result.root)):
            why = printable(suppression_of(f).justification or "no reason given")
            where = _where(f.span.path, f.span.line, f.span.column, result.root)
            out.append(f"  {where}: {f.rule_id} ({why})")
        out.append("")

    categories = category_counts(result)
    if categories:
        out.append("Findings by category:")
        width = max(len(c) for c in categories)
        for cat, counts in categories.items():
            out.append(f"  {cat.ljust(width)}  {_counts_phrase(counts, keep_zero=False)}")
        out.append("")
    notes: list[str] = []
    unchecked = [r for r in result.files if r.status == "skipped" and r.unchecked]
    if unchecked:
        why = sorted({r.reason.split(" (")[0] for r in unchecked})
        notes.append(
            f"{plural(len(unchecked), 'skipped file')} may hold infrastructure that was not checked "
            f"({'; '.join(printable(w) for w in why)}){'' if verbose else '; -v lists them'}."
        )
    if hidden:
        notes.append(f"{plural(len(hidden), 'suppressed finding')} not counted (inline or baseline).")
    gone = getattr(result, "baseline_gone", 0)
    if gone:
        entries, verb = ("entry", "matches") if gone == 1 else ("entries", "match")
        notes.append(f"{gone} baseline {entries} no longer {verb} a finding.")
    if notes:
        out.extend([*notes, ""])
    out.append(paint(summary_line(result), _BOLD))
    return "\n".join(out) + "\n"
