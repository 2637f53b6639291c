"""Source lines for the text report: read lazily from disk, once per file, and the caret line that
underlines a span on them.

Files are read through the guarded reader with the scan's roots: a report quotes lines only of
files the scanned code could read (inside the scan roots, never `.git`), only of regular files and
within the size limit. A finding located in a `--var-file` outside the roots, or in
`/proc/self/environ`, gets no excerpt: the report must not print a file nobody asked to check.

Lines are split on `\\n` only (a trailing `\\r` dropped), as the loaders count them: `str.splitlines`
would also break on form feeds and U+2028 and shift every line after them.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from iaclint.fileaccess import ReadRefused, ScanRoots, read_bytes
from iaclint.source import SourceText, Span

# Longer lines are cut: a minified template on one line would flood the terminal.
MAX_SNIPPET_COLUMNS = 200
TAB_WIDTH = 4
# The most characters of a line looked at: what lies further cannot be in the columns shown (only
# zero-width characters could make it so, and those are not worth unbounded work).
_MAX_SCANNED = 4 * MAX_SNIPPET_COLUMNS
# Characters shown before the column when a long line is windowed around it.
_CONTEXT = 60

# Characters that would let a hostile file drive the terminal (escape sequences) or reorder what
# the reader sees (bidirectional overrides, "Trojan Source").
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
REPLACEMENT = "\ufffd"
_MISSING = object()


def _unsafe(ch: str) -> bool:
    if ch == "\t":
        return False
    return ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs")


def printable(text: str) -> str:
    """`text` with control characters and bidirectional overrides replaced by U+FFFD, tabs kept."""
    if text.isprintable():
        return text
    return "".join(REPLACEMENT if _unsafe(ch) else ch for ch in text)


def _width(ch: str) -> int:
    """Terminal columns a character takes: wide East Asian characters two, combining marks none."""
    if ch == "\t":
        return TAB_WIDTH
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    if text.isascii():
        # No ASCII character is wide or combining: one column each, a tab `TAB_WIDTH` (the text
        # report measures each snippet line several times, 400,000 characters for 3,788 findings).
        return len(text) + (TAB_WIDTH - 1) * text.count("\t")
    return sum(_width(ch) for ch in text)


class SourceLines:
    """The lines of the files findings point into, read on first use and cached per file. A file
    that may not or cannot be read (outside `roots`, not a regular file, gone, not UTF-8, too
    large) has no lines: no snippet.

    Only the last few files stay cached: the report goes file by file, and a repository's worth of
    lines kept to the end would make the report's memory grow with the repository."""

    KEEP = 8

    def __init__(self, roots: ScanRoots) -> None:
        self._roots = roots
        self._files: dict[Path, list[str] | None] = {}

    def _read(self, path: Path) -> list[str] | None:
        try:
            source = SourceText.decode(str(path), read_bytes(path, roots=self._roots))
        except (ReadRefused, UnicodeDecodeError, ValueError):
            return None
        lines = source.text.split("\n")
        if "\r" not in source.text:
            return lines  # no line to take a `\r` off (65,000 lines of the Bicep corpus)
        return [line.removesuffix("\r") for line in lines]

    def line(self, path: Path, number: int) -> str | None:
        lines = self._files.pop(path, _MISSING)
        if lines is _MISSING:
            lines = self._read(path)
            if len(self._files) >= self.KEEP:
                del self._files[next(iter(self._files))]  # the least recently used
        self._files[path] = lines  # type: ignore[assignment]
        if lines is None or not 0 < number <= len(lines):
            return None
        return lines[number - 1]


def underline(line: str, span: Span) -> tuple[str, str] | None:
    """The line as shown (tabs expanded, unsafe characters replaced, cut to a sane width) and the
    caret line under `span`'s part of it: `^` at the start, `~` to the end of the span on this line.
    A span far into a long line (a minified template) is shown in a window around its column, the
    cut-off head marked `…`. None when the span does not start on a column of this line."""
    start = span.column - 1
    if start < 0 or start > len(line):
        return None
    end = span.end_column - 1 if span.end_line == span.line else len(line)
    windowed = len(line) > MAX_SNIPPET_COLUMNS and start > _CONTEXT and (
        start > _MAX_SCANNED or display_width(line[:start]) > MAX_SNIPPET_COLUMNS - _CONTEXT
    )
    if windowed:
        offset = start - _CONTEXT
        line, start, end = line[offset:], _CONTEXT, end - offset
    # Only the head of a long line can be shown: measuring the whole of a one-line 400 KB template
    # for each of its findings took half a minute.
    cut_short = len(line) > _MAX_SCANNED
    line = line[:_MAX_SCANNED]
    end = min(end, len(line))
    if display_width(line[:start]) > MAX_SNIPPET_COLUMNS:
        return None  # only zero-width or wide characters could make the context this wide
    shown = printable(line)
    lead = display_width(shown[:start])
    # A zero-width span, or one past the end of the line (a missing attribute), gets one caret.
    width = max(1, display_width(shown[start:max(end, start)]))
    width = min(width, max(1, MAX_SNIPPET_COLUMNS - lead + 1))
    cut = shown
    while display_width(cut) > MAX_SNIPPET_COLUMNS:
        cut = cut[: len(cut) - max(1, len(cut) // 10)]
    if cut != shown or cut_short:
        cut += "…"
    if windowed:
        cut, lead = "…" + cut, lead + 1
    return _expand(cut), " " * lead + "^" + "~" * (width - 1)


def _expand(text: str) -> str:
    # Fixed-width tabs, the same width `display_width` counts, so carets stay aligned.
    return text.replace("\t", " " * TAB_WIDTH)
