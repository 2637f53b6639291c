"""Parse Bicep, and report the regions that could not be read: with iaclint's own parser
(parser.py, the default), or with tree-sitter-bicep after the pre-pass (`IACLINT_BICEP_PARSER=
tree-sitter`; the grammar misreads some of the language, see parser.py)."""

from __future__ import annotations

import itertools
import os
import re
from bisect import bisect_right
from dataclasses import field
from functools import lru_cache
from itertools import accumulate
from typing import Any, cast

from iaclint.lang.bicep.prepass import prepass
from iaclint.lang.parsing import ParseDeadline, ParseTimeout
from iaclint.records import record
from iaclint.resources import Diagnostic
from iaclint.source import SourceText, Span, make_span

# Unreadable regions reported per file; more add nothing a user can act on.
MAX_REGIONS = 5
# A file this large or larger is parsed in pieces of about this many bytes (see `_parse_chunks`).
CHUNK_BYTES = 2048
# Lines that may start a top-level statement: where a file may be cut into pieces for the parser.
# Only a hint: a cut anywhere else leaves a piece that does not parse, and the file is then parsed
# whole (see `_parse_chunks`). Decorator lines (`@`) are not cut before, so a group of decorators
# stays one node.
# Which parser reads Bicep: "own" (parser.py, a tokenizer and a recursive-descent parser) or
# "tree-sitter" (the grammar after the pre-pass, kept for comparison: tests/bicep/
# test_bicep_own_parser.py compares the two). The environment variable chooses for a run.
PARSER = os.environ.get("IACLINT_BICEP_PARSER", "own")
_STATEMENT_LINE = re.compile(
    rb"\n(?=(?:param|var|resource|module|output|type|func|import|metadata|targetScope)\b)"
)


class NodeSpans:
    """Spans of tree-sitter nodes, equal to `SourceText.span_from_points` but cheaper: the evaluator
    asks for hundreds of thousands of them, and on a file with non-ASCII text `span_from_points`
    splits the whole file for every column it converts."""

    __slots__ = ("_ascii", "_cache", "_data", "_starts", "path")

    def __init__(self, source: SourceText) -> None:
        self.path = source.path
        # By node id: loop bodies and module calls evaluate the same nodes again and again.
        self._cache: dict[int, Span] = {}
        self._data = source.data
        self._ascii = len(source.data) == len(source.text)
        self._starts: list[int] | None = None  # byte offset of each line, built on first need

    def _column(self, row: int, byte_col: int) -> int:
        starts = self._starts
        if starts is None:
            data = self._data
            starts = [0]
            pos = data.find(b"\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = data.find(b"\n", pos + 1)
            self._starts = starts
        if row >= len(starts) or byte_col == 0:
            return byte_col + 1
        begin = starts[row]
        end = starts[row + 1] - 1 if row + 1 < len(starts) else len(self._data)
        seg = self._data[begin : min(begin + byte_col, end)]
        if seg.isascii():
            return byte_col + 1 if begin + byte_col <= end else len(seg) + 1
        return len(seg.decode("utf-8", errors="replace")) + 1

    def of(self, node: Any) -> Span:
        key = node.id
        span = self._cache.get(key)
        if span is not None:
            return span
        (sr, sc), (er, ec) = node.start_point, node.end_point
        if self._ascii:
            span = Span(self.path, sr + 1, sc + 1, er + 1, ec + 1)
        else:
            span = Span(self.path, sr + 1, self._column(sr, sc), er + 1, self._column(er, ec))
        self._cache[key] = span
        return span

    def between(self, start: Any, end: Any) -> Span:
        """From the start of node `start` to the end of node `end`."""
        (sr, sc), (er, ec) = start.start_point, end.end_point
        if self._ascii:
            return Span(self.path, sr + 1, sc + 1, er + 1, ec + 1)
        return Span(self.path, sr + 1, self._column(sr, sc), er + 1, self._column(er, ec))


def line_starts(data: bytes) -> list[int]:
    """The byte offset of each line of `data` (lines end at `\n`), counted at C speed: `splitlines`
    also ends a line at a lone `\r`, so a file with one is counted line by line."""
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        starts = [0]
        find = data.find
        pos = find(b"\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find(b"\n", pos + 1)
        return starts
    starts = [0, *accumulate(map(len, data.splitlines(keepends=True)))]
    if data and data[-1] != 10:
        starts.pop()  # the end of a last line without a line break starts nothing
    return starts


class ByteSpans:
    """Spans of the own parser's nodes (parser.py), from their byte offsets; the same Spans
    `NodeSpans` gives for tree-sitter nodes over the same text. (Built by `make_span`, without the
    class call in front of `Span.__new__`: a scan asks for tens of thousands.)"""

    __slots__ = ("_ascii", "_data", "_starts", "path")

    def __init__(self, source: SourceText) -> None:
        self.path = source.path
        self._data = source.data
        self._ascii = len(source.data) == len(source.text)
        self._starts = line_starts(source.data)

    def _point(self, offset: int) -> tuple[int, int]:
        """(line, column), both from 1, of a byte offset; columns count characters."""
        starts = self._starts
        row = bisect_right(starts, offset) - 1
        begin = starts[row]
        if self._ascii:
            return row + 1, offset - begin + 1
        seg = self._data[begin:offset]
        if seg.isascii():
            return row + 1, len(seg) + 1
        return row + 1, len(seg.decode("utf-8", errors="replace")) + 1

    def of(self, node: Any) -> Span:
        # Kept on the node: loop bodies and module calls evaluate the same nodes again and again.
        span = node.sp
        if span is not None:
            return span
        start, end = node.start_byte, node.end_byte
        starts = self._starts
        line = bisect_right(starts, start)
        if self._ascii:
            # The common case at once: ASCII text, where a column is a byte count.
            if line == len(starts) or end < starts[line]:  # the node on one line
                begin = starts[line - 1]
                span = make_span(self.path, line, start - begin + 1, line, end - begin + 1)
            else:
                last = bisect_right(starts, end)
                column = start - starts[line - 1] + 1
                span = make_span(self.path, line, column, last, end - starts[last - 1] + 1)
        else:
            span = self.bytes(start, end)
        node.sp = span
        return span

    def bytes(self, start: int, end: int) -> Span:
        starts = self._starts
        if self._ascii:
            # As `of`, without a node.
            line = bisect_right(starts, start)
            begin = starts[line - 1]
            if line == len(starts) or end < starts[line]:
                return make_span(self.path, line, start - begin + 1, line, end - begin + 1)
            last = bisect_right(starts, end)
            return make_span(self.path, line, start - begin + 1, last, end - starts[last - 1] + 1)
        sl, sc = self._point(start)
        el, ec = self._point(end)
        return make_span(self.path, sl, sc, el, ec)

    def between(self, start: Any, end: Any) -> Span:
        """From the start of node `start` to the end of node `end`."""
        return self.bytes(start.start_byte, end.end_byte)


@record
class Parsed:
    source: SourceText
    # The top-level named nodes (statements, decorators, comments) of the file, in order.
    statements: list[Any]
    spreads: frozenset[int]
    diagnostics: list[Diagnostic]
    # The `infrastructure` root of each piece the file was parsed in; they keep the trees alive
    # while nodes are used.
    roots: list[Any] = field(default_factory=list)
    spans: NodeSpans | ByteSpans | None = None
    # By node id, for the evaluator: node text, and named children but comments and decorators.
    texts: dict[int, str] = field(default_factory=dict)
    kids: dict[int, list[Any]] = field(default_factory=dict)
    members: dict[int, list[Any]] = field(default_factory=dict)  # object members, see the evaluator
    literals: dict[int, Any] = field(default_factory=dict)  # string Values without interpolation
    templates: dict[int, Any] = field(default_factory=dict)  # strings read once (the evaluator's _template)
    shapes: dict[int, Any] = field(default_factory=dict)  # member and call expressions' parts
    decls: dict[str, tuple[str, Any]] | None = None  # top-level declarations, collected on first need
    # Local module targets as written -> (resolved path, the same as a string).
    module_files: dict[str, tuple[Any, str]] = field(default_factory=dict)
    loop_free: dict[int, bool] = field(default_factory=dict)  # see the evaluator's _params_loop_free
    nested: dict[int, list[Any]] = field(default_factory=dict)  # see the evaluator's _nested
    # The bytes the grammar read (the source after the pre-pass). A tree parsed under a deadline
    # is read through a callback, and its nodes' own `text` reads back through it, slowly: node
    # text comes from here (`text_of`).
    data: bytes = b""
    # The comments of a file read by the own parser (with tree-sitter they are in the trees).
    comments: list[Any] | None = None

    def __post_init__(self) -> None:
        if self.spans is None:
            self.spans = NodeSpans(self.source)
        if not self.data:
            self.data = self.source.data

    def text_of(self, node: Any) -> bytes:
        """The bytes of `node` as the grammar read them (what `node.text` gives)."""
        return self.data[node.start_byte : node.end_byte]


def decode_source(shown: str, data: bytes) -> SourceText | tuple[int, str]:
    """The text of a Bicep file read as `data` (named `shown`), or (line, why) when it is not Bicep
    text: not UTF-8, or binary. The one step for the loader, which reports why, and for the
    module-call pass (graph.py), which reads nothing of such a file, as the loader reads nothing."""
    try:
        source = SourceText.decode(shown, data)
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1, "not valid UTF-8 text; save the file as UTF-8"
    text = source.text
    if "\x00" in text:
        return text.count("\n", 0, text.index("\x00")) + 1, "binary content (NUL byte); not Bicep"
    return source


@lru_cache(maxsize=1)
def _parser() -> Any:
    # Imported here so that a scan with no Bicep file never loads the grammar.
    import tree_sitter
    import tree_sitter_bicep

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bicep.language()))


def parse(source: SourceText, params_file: bool = False) -> Parsed:
    """The file parsed. Raises ParseTimeout when the parse (all its pieces together) runs past the
    file's deadline or its memory: the caller reports the file as not read."""
    if PARSER == "own":
        return _parse_own(source, params_file)
    pre = prepass(source.data, params_file)
    parser = _parser()
    deadline = ParseDeadline(len(pre.data))
    roots = _parse_chunks(parser, pre.data, deadline) if len(pre.data) >= 2 * CHUNK_BYTES else None
    if roots is None:
        roots = [deadline.parse(parser, pre.data).root_node]
    diags: list[Diagnostic] = []
    statements: list[Any] = []
    for root in roots:
        if root.has_error:
            _collect_errors(source, root, diags)
        statements.extend(root.named_children)
    return Parsed(source, statements, pre.spreads, diags, roots, data=pre.data)


def _parse_own(source: SourceText, params_file: bool) -> Parsed:
    from iaclint.lang.bicep import parser

    deadline = ParseDeadline(len(source.data))
    try:
        found = parser.parse_bytes(source.data, params_file, deadline)
    except parser.TooDeep:
        raise ParseTimeout(
            f"nested more than {parser.MAX_NESTING} levels deep; file not read"
        ) from None
    spans = ByteSpans(source)
    diags: list[Diagnostic] = []
    for offset, _what in found.errors[:MAX_REGIONS]:
        span = spans.bytes(offset, offset)
        diags.append(
            Diagnostic(
                source.path,
                span.line,
                span.column,
                f"Bicep syntax not understood at line {span.line}; the statements around it were skipped",
                partial=True,
            )
        )
    return Parsed(source, found.statements, found.spreads, diags, spans=spans, comments=found.comments)


def _parse_chunks(parser: Any, data: bytes, deadline: ParseDeadline) -> list[Any] | None:
    """The file parsed in pieces cut before top-level statements, or None when a piece has an error
    (a cut inside a statement, or bad syntax: the caller then parses the file whole).

    The grammar's conflicts (nested ternaries, `[f (...)]`) keep several parse stacks alive, and on a
    long file the parser's cost grows faster than its length: pieces parse in about 60% of the time
    on real modules. Pieces also keep an ambiguity from reaching across statements: whole, the
    registry's `azd/aks` module read `[union({...}, x)]` as an array of two items. Each piece is
    parsed in place (`included_ranges`), so positions stay those of the file. The pieces and the
    whole-file parse that may follow share one deadline.
    """
    import tree_sitter

    n = len(data)
    cuts = [0]
    for m in _STATEMENT_LINE.finditer(data):
        at = m.end()
        if at - cuts[-1] >= CHUNK_BYTES and n - at >= CHUNK_BYTES:
            cuts.append(at)
    if len(cuts) == 1:
        return None
    cuts.append(n)
    roots = []
    row = 0
    try:
        for start, end in itertools.pairwise(cuts):
            lines = data.count(b"\n", start, end)
            # A cut is at the start of a line; the last piece ends where the file does.
            last_col = end - (data.rfind(b"\n", 0, end) + 1) if end == n else 0
            end_point = (row + lines, last_col)
            parser.included_ranges = [tree_sitter.Range((row, 0), end_point, start, end)]
            root = deadline.parse(parser, cast(bytes, _Piece(data, start, end))).root_node
            if root.has_error:
                return None
            roots.append(root)
            row += lines
    finally:
        parser.included_ranges = []
    return roots


class _Piece:
    """The file as the parser reads it for one piece: a read starting in the piece stops at its
    end. Under a deadline the parser reads through a callback, and each tree keeps what it was
    handed: whole 64 KB reads for pieces of 2 KB held a 200 KB file many times over (a scan of
    bicep-registry-modules peaked 125 MB higher)."""

    __slots__ = ("data", "end", "start")

    def __init__(self, data: bytes, start: int, end: int) -> None:
        self.data = data
        self.start = start
        self.end = end

    def __getitem__(self, s: slice) -> bytes:
        stop = min(s.stop, self.end) if self.start <= s.start < self.end else s.stop
        return self.data[s.start : stop]


def _collect_errors(source: SourceText, root: Any, out: list[Diagnostic]) -> None:
    """One diagnostic per unreadable region (an ERROR node or a missing token), outermost only."""
    stack = [root]
    found: list[Any] = []
    while stack and len(found) < MAX_REGIONS:
        node = stack.pop()
        if node.is_error or node.is_missing:
            found.append(node)
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    for node in found:
        row, col = node.start_point
        span = source.span_from_points((row, col), (row, col))
        what = f"expected {node.type}" if node.is_missing else "Bicep syntax not understood"
        out.append(
            Diagnostic(
                source.path,
                span.line,
                span.column,
                f"{what} at line {span.line}; the statements around it were skipped",
                partial=True,
            )
        )
