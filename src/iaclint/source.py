"""Source positions: where in which file a value, a resource or a finding sits.

Lines and columns are 1-based and counted in characters (not bytes), as SARIF and editors expect.
Parsers that report byte offsets (tree-sitter) convert through `SourceText`.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iaclint.realpath import PathResolver


class _SpanSlots:
    """A mutable class with the very slots of `Span`, to build Spans on (see `Span.__new__`)."""

    __slots__ = ("column", "end_column", "end_line", "line", "path")


@dataclass(frozen=True, slots=True, order=True, init=False)
class Span:
    """A region of one file: start and end, both 1-based, end column exclusive."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __new__(
        cls, path: str = "", line: int = 0, column: int = 0, end_line: int = 0, end_column: int = 0
    ) -> Span:
        # Hot: every value has a span. Built by `make_span` (on a mutable class with the same
        # slots, then made a Span), which costs two thirds of filling the slots through their
        # descriptors. There are no subclasses. (The defaults serve unpickling, which calls
        # `__new__(cls)`.)
        return make_span(path, line, column, end_line, end_column)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Findings travel back from the workers pickled, a Span or two each: rebuilt by one call
        # instead of the dataclass default (a state set field by field through `fields()`).
        return (make_span, (self.path, self.line, self.column, self.end_line, self.end_column))

    @classmethod
    def point(cls, path: str, line: int, column: int = 1) -> Span:
        return cls(path, line, column, line, column)


def make_span(path: str, line: int, column: int, end_line: int, end_column: int) -> Span:
    """`Span(path, line, column, end_line, end_column)`, the same object, for hot paths: without the
    class call in front of `Span.__new__`."""
    if _LAYOUT_TWIN:
        s: Any = _new(_SpanSlots)
        s.path = path
        s.line = line
        s.column = column
        s.end_line = end_line
        s.end_column = end_column
        s.__class__ = Span
        return s  # type: ignore[no-any-return]
    s = _new(Span)
    _S_PATH(s, path)
    _S_LINE(s, line)
    _S_COLUMN(s, column)
    _S_END_LINE(s, end_line)
    _S_END_COLUMN(s, end_column)
    return s  # type: ignore[no-any-return]


_S_PATH, _S_LINE, _S_COLUMN, _S_END_LINE, _S_END_COLUMN = (
    Span.__dict__[n].__set__ for n in ("path", "line", "column", "end_line", "end_column")
)
_new = object.__new__


def _layout_twin_works() -> bool:
    """Whether Python lets a `_SpanSlots` become a Span (the same layout); else Spans are built
    through the slot descriptors."""
    probe = _new(_SpanSlots)
    try:
        probe.__class__ = Span  # type: ignore[assignment]
    except TypeError:
        return False
    return True


_LAYOUT_TWIN = _layout_twin_works()


class SourceText:
    """The decoded text of one file with a line index, to turn offsets into spans.

    Tree-sitter reports rows and byte columns; a file with non-ASCII text needs the byte column
    turned into a character column, which this does only for lines that need it.
    """

    __slots__ = ("_ascii", "_byte_line_starts", "_line_starts", "_lines", "data", "path", "text")

    def __init__(self, path: str, data: bytes, text: str) -> None:
        self.path = path
        self.data = data
        self.text = text
        self._ascii = len(data) == len(text)
        self._line_starts: list[int] | None = None
        self._lines: list[str] | None = None
        self._byte_line_starts: list[int] | None = None

    @classmethod
    def decode(cls, path: str, data: bytes) -> SourceText:
        """Decode UTF-8 (a BOM is dropped). Raises UnicodeDecodeError for invalid UTF-8."""
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        return cls(path, data, data.decode("utf-8"))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        lines = self._lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def _char_column(self, row: int, byte_col: int) -> int:
        if self._ascii:
            return byte_col + 1
        starts = self._byte_line_starts
        if starts is None:
            starts = [0]
            find = self.data.find
            pos = find(b"\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find(b"\n", pos + 1)
            self._byte_line_starts = starts
        if row >= len(starts):
            return byte_col + 1
        begin = starts[row]
        return len(self.data[begin : begin + byte_col].decode("utf-8", errors="replace")) + 1

    def span_from_points(self, start: tuple[int, int], end: tuple[int, int]) -> Span:
        """Span from tree-sitter (row, byte column) points, both 0-based."""
        return Span(
            self.path,
            start[0] + 1,
            self._char_column(start[0], start[1]),
            end[0] + 1,
            self._char_column(end[0], end[1]),
        )

    def span_from_offsets(self, start: int, end: int) -> Span:
        """Span from character offsets into `text`."""
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        ls = self._line_starts
        sl = bisect_right(ls, start) - 1
        el = bisect_right(ls, end) - 1
        return Span(self.path, sl + 1, start - ls[sl] + 1, el + 1, end - ls[el] + 1)


def display_path(path: str | Path, root: Path | None = None) -> str:
    """A path as users see it: relative to `root` (default: the working directory) when inside it,
    with forward slashes."""
    if os.sep == "/":
        # The common case (reports and accounting show every file scanned, 5,000 in a large scan)
        # on strings alone, as `_display` would: the working directory never holds `..`, and a
        # path without `..` is made absolute and normalised by abspath as Path would.
        raw = os.fspath(path)
        top = os.getcwd() if root is None else os.fspath(root)
        if ".." not in raw.split("/") and ".." not in top.split("/"):
            try:
                real = _REAL.real_parent(os.path.abspath(raw))
                base = _REAL.real(os.path.abspath(top))
            except (ValueError, OSError, RuntimeError):  # a NUL in the name; a link loop
                return Path(raw).as_posix()
            if real == base:
                return "."
            prefix = base if base.endswith("/") else base + "/"
            if "//" not in real:
                if real.startswith(prefix):
                    return real[len(prefix) :]
                if "//" not in base:
                    # Outside `top` (a scan of a path outside the working directory): shown as
                    # given, as `_display` shows it once `relative_to` has refused it.
                    return Path(raw).as_posix()
    return _display(path, root)


def _display(path: str | Path, root: Path | None) -> str:
    p = Path(path)
    base = root or Path.cwd()
    try:
        if ".." in p.parts or ".." in base.parts:
            whole = p.resolve() if p.name in ("", "..") else p.parent.resolve() / p.name
            rel = whole.relative_to(base.resolve())
        else:
            # As Path.resolve, with each directory resolved once per process rather than once per
            # call: reports and loaders show every file scanned (2,350 in the Bicep registry), and a
            # resolve is a system call per path component. `..` is left to resolve (it applies
            # after links are followed); absolute keys keep the cache right across a chdir.
            # The last component is kept: a finding in a linked file is shown under the link's
            # name, where the user's tree has it (reads still resolve it, see fileaccess.py).
            real = _REAL.real_parent(os.path.abspath(p))
            rel = Path(real).relative_to(_REAL.real(os.path.abspath(base)))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a link loop
        return p.as_posix()
    return rel.as_posix()


_REAL = PathResolver()
