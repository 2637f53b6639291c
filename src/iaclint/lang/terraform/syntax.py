"""Reading and parsing Terraform files: bytes to tree-sitter trees, and trees to bodies.

A `Body` is the language-neutral shape of an HCL body (attributes and nested blocks), built once per
file so the evaluator never walks raw syntax to find a block. Expressions are copied out of the
tree-sitter tree into small Python nodes (`SNode`, `LitExpr`) that answer the same questions the
evaluator asks of a tree-sitter node (`type`, `children`, byte offsets), and the tree is dropped:
a tree costs about 260 bytes per node, and a module called 20 times is then walked 20 times in
plain Python. For `.tf.json`, expressions are position-tracked JSON values (`JsonExpr`).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import field
from itertools import accumulate
from typing import Any

import tree_sitter_hcl
from tree_sitter import Language, Node, Parser

from iaclint.lang.parsing import ParseDeadline
from iaclint.records import record
from iaclint.resources import Diagnostic
from iaclint.source import SourceText, Span
from iaclint.values import Value

# Blocks nested deeper than this are not real Terraform; stop before Python's stack does.
MAX_BLOCK_DEPTH = 64

_PARSER: Parser | None = None
_PLUS_ONE = (1).__add__


def parser() -> Parser:
    global _PARSER
    if _PARSER is None:
        _PARSER = Parser(Language(tree_sitter_hcl.language()))
    return _PARSER


class SourceFile:
    """One parsed file: its text, its tree, and span conversion for its nodes.

    `fixed_span` is set for synthetic sources (a `.tf.json` string or a `templatefile` template
    wrapped into HCL to parse it): every node then maps to the place the text came from.
    """

    __slots__ = (
        "_ascii",
        "_line_starts",
        "_lines",
        "_spans",
        "data",
        "doc",
        "fixed_span",
        "path",
        "source",
        "tree",
    )

    def __init__(self, source: SourceText, tree: Any = None, fixed_span: Span | None = None) -> None:
        self.source = source
        self.path = source.path
        self.data = source.data
        self.tree = tree
        self.fixed_span = fixed_span
        # The document of a JSON-syntax file (`tree` is None then).
        self.doc: Value | None = None
        self._ascii = len(source.data) == len(source.text)
        self._lines: list[bytes] | None = None
        self._line_starts: list[int] | None = None
        # One Span per byte range: values of every module instance share them.
        self._spans: dict[int, Span] = {}

    def _col(self, row: int, byte_col: int) -> int:
        if self._ascii:
            return byte_col + 1
        if self._lines is None:
            self._lines = self.data.split(b"\n")
        lines = self._lines
        if row >= len(lines):
            return byte_col + 1
        line = lines[row]
        if line[:byte_col].isascii():
            return byte_col + 1
        return len(line[:byte_col].decode("utf-8", errors="replace")) + 1

    def span(self, node: Any) -> Span:
        if self.fixed_span is not None:
            return self.fixed_span
        try:
            sp = node.sp
        except AttributeError:  # a tree-sitter node (deep expressions, parse errors)
            return self.span_bytes(node.start_byte, node.end_byte)
        if sp is None:
            sp = node.sp = self.span_bytes(node.start_byte, node.end_byte)
        return sp

    def span_range(self, start: Any, end: Any) -> Span:
        if self.fixed_span is not None:
            return self.fixed_span
        return self.span_bytes(start.start_byte, end.end_byte)

    def span_bytes(self, start: int, end: int) -> Span:
        """The span of a byte range, as tree-sitter points would give it (rows count `\\n` only)."""
        key = (start << 32) | end
        got = self._spans.get(key)
        if got is not None:
            return got
        ls = self._line_starts
        if ls is None:
            # The offset after each `\n`, summed in C (a loop of find() calls cost 1 us a line).
            lines = self.data.split(b"\n")
            lines.pop()
            ls = self._line_starts = list(accumulate(map(_PLUS_ONE, map(len, lines)), initial=0))
        sr = bisect_right(ls, start) - 1
        # Most spans end on the line they start on: one bisect then.
        nxt = sr + 1
        er = sr if start <= end and (nxt == len(ls) or end < ls[nxt]) else bisect_right(ls, end) - 1
        sc = start - ls[sr]
        ec = end - ls[er]
        if self._ascii:
            span = Span(self.path, sr + 1, sc + 1, er + 1, ec + 1)
        else:
            span = Span(self.path, sr + 1, self._col(sr, sc), er + 1, self._col(er, ec))
        self._spans[key] = span
        return span

    def text(self, node: Any) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")


class SNode:
    """A tree-sitter node copied into Python: what the evaluator reads, without the tree.

    Anonymous tokens stay (operators, brackets, strip markers, heredoc markers: the evaluator reads
    them); `key`/`val` are the fields of an `object_elem`.
    """

    __slots__ = ("children", "end_byte", "is_named", "key", "memo", "sp", "start_byte", "type", "val")

    def __init__(
        self, type_: str, is_named: bool, start: int, end: int, children: tuple[Any, ...] = ()
    ) -> None:
        self.type = type_
        self.is_named = is_named
        self.start_byte = start
        self.end_byte = end
        self.children = children
        self.key: Any = None
        self.val: Any = None
        # Its span, once asked for (see SourceFile.span).
        self.sp: Span | None = None
        # What the evaluator read from this subtree once, for every module instance (a traversal).
        self.memo: Any = None

    @property
    def named_children(self) -> list[Any]:
        return [c for c in self.children if c.is_named]

    def child_by_field_name(self, name: str) -> Any:
        return self.key if name == "key" else self.val if name == "val" else None


class LitExpr:
    """An `expression` that is one literal (a string without interpolation, a number, a boolean,
    null). Its Value is the same in every module instance, so it is computed once (`value`)."""

    __slots__ = ("end_byte", "inner_end", "inner_start", "kind", "sp", "start_byte", "value")
    type = "expression"
    is_named = True
    children: tuple[Any, ...] = ()

    def __init__(self, kind: str, start: int, end: int, inner_start: int, inner_end: int) -> None:
        self.kind = kind
        self.start_byte = start
        self.end_byte = end
        # For a string: the bytes between the quotes (-1 when the string is unterminated).
        self.inner_start = inner_start
        self.inner_end = inner_end
        self.value: Value | None = None
        self.sp: Span | None = None

    @property
    def named_children(self) -> list[Any]:
        return []


class GetAttr:
    """A `.name` accessor (a `get_attr` node without its `.` and identifier children)."""

    __slots__ = ("end_byte", "name", "sp", "start_byte")
    type = "get_attr"
    is_named = True

    def __init__(self, name: str, start: int, end: int) -> None:
        self.name = name
        self.start_byte = start
        self.end_byte = end
        self.sp: Span | None = None


_LITERALS = frozenset({"string_lit", "numeric_lit", "bool_lit", "null_lit"})
_BY_RANGE = frozenset({"variable_expr", "identifier", "comment"})
# Deeper expressions keep their tree-sitter node (and so their tree): the evaluator's own depth
# bound then reports them, exactly as before, and hostile input cannot exhaust the stack here.
MAX_COMPACT_DEPTH = 200


# Node kind id -> (type, is_named): one property read per node instead of two string-making ones.
_KINDS: dict[int, tuple[str, bool]] = {}


def _kind(node: Any) -> tuple[str, bool]:
    kid = node.kind_id
    got = _KINDS.get(kid)
    if got is None:
        got = _KINDS[kid] = (node.type, node.is_named)
    return got


def compact(node: Any, data: bytes, depth: int = 0, tn: tuple[str, bool] | None = None) -> Any:
    """`node` and its subtree as `SNode`/`LitExpr`/`GetAttr`, keeping what the evaluator reads.
    `data` is the file's text: a tree parsed from a reader (under a deadline) fetches a node's
    `text` through that reader again, so names are sliced from `data` instead. `tn`: the node's
    `_kind`, when the caller has it already."""
    kinds = _KINDS
    if tn is None:
        tn = kinds.get(node.kind_id) or _kind(node)
    t = tn[0]
    if t in _BY_RANGE:
        # Read by byte range only (the identifier inside a variable_expr is never looked at).
        return SNode(t, tn[1], node.start_byte, node.end_byte)
    kids = node.children
    if not kids:
        return SNode(t, tn[1], node.start_byte, node.end_byte)
    if depth > MAX_COMPACT_DEPTH:
        return node
    if t == "expression":
        if len(kids) == 1:
            lit = kids[0]
            if (kinds.get(lit.kind_id) or _kind(lit))[0] == "literal_value":
                inner = lit.children
                if len(inner) == 1:
                    one = inner[0]
                    ot = (kinds.get(one.kind_id) or _kind(one))[0]
                    if ot in _LITERALS:
                        a = b = -1
                        if ot == "string_lit":
                            parts = one.children
                            if len(parts) >= 2:
                                a, b = parts[0].end_byte, parts[-1].start_byte
                        return LitExpr(ot, one.start_byte, one.end_byte, a, b)
    elif t == "get_attr" and len(kids) == 2:
        ident = kids[1]
        if (kinds.get(ident.kind_id) or _kind(ident))[0] == "identifier":
            name = data[ident.start_byte : ident.end_byte].decode("utf-8", errors="replace")
            return GetAttr(name, node.start_byte, node.end_byte)
    d = depth + 1
    # Leaves are built here rather than by a recursive call: most nodes are leaves.
    out_kids: list[Any] = []
    add = out_kids.append
    for k in kids:
        kn = kinds.get(k.kind_id) or _kind(k)
        kt = kn[0]
        if kt in _BY_RANGE or k.child_count == 0:
            add(SNode(kt, kn[1], k.start_byte, k.end_byte))
            continue
        if kt == "get_attr" and d <= MAX_COMPACT_DEPTH:
            # `.name`, a third of all nodes compacted: made here, as `compact` would make it.
            gk = k.children
            if len(gk) == 2:
                ident = gk[1]
                if (kinds.get(ident.kind_id) or _kind(ident))[0] == "identifier":
                    name = data[ident.start_byte : ident.end_byte].decode("utf-8", errors="replace")
                    add(GetAttr(name, k.start_byte, k.end_byte))
                    continue
        add(compact(k, data, d, kn))
    out = SNode(t, tn[1], node.start_byte, node.end_byte, tuple(out_kids))
    if t == "object_elem":
        key = node.child_by_field_name("key")
        val = node.child_by_field_name("val")
        for k, c in zip(kids, out.children, strict=True):
            if key is not None and k == key:
                out.key = c
            elif val is not None and k == val:
                out.val = c
    return out


@record(frozen=True, init=False)
class HclExpr:
    """An HCL expression: its syntax node and the file it is in."""

    node: Any
    file: SourceFile

    def __init__(self, node: Any, file: SourceFile) -> None:
        # Through the slots' descriptors, as `Value` does: one per attribute of every file.
        _H_NODE(self, node)
        _H_FILE(self, file)


_H_NODE, _H_FILE = (HclExpr.__dict__[n].__set__ for n in ("node", "file"))


@record(frozen=True)
class JsonExpr:
    """An expression in JSON syntax: a JSON value whose strings are templates."""

    value: Value
    file: SourceFile


Expr = HclExpr | JsonExpr


@record
class Attr:
    """An HCL attribute: its name, expression and span."""

    name: str
    expr: Expr
    span: Span
    # The attribute's value when it is the same in every instance (a literal), once computed.
    const: Value | None = None


@record
class Block:
    """An HCL block: type, labels, body, and where it and its header are."""

    type: str
    labels: tuple[str, ...]
    body: Body
    span: Span
    header: Span
    file: SourceFile


@record
class Body:
    """An HCL body: its attributes by name and its blocks in order."""

    attrs: dict[str, Attr] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


# -- parsing ------------------------------------------------------------------------------------
def parse_hcl(source: SourceText, diagnostics: list[Diagnostic] | None, quote: bool = True) -> SourceFile:
    """Parse HCL; the first syntax error region (if any) becomes one partial diagnostic, quoting
    the source there unless `quote` is False (a variables file named by an option: its content
    is not ours to print). Raises ParseTimeout past the file's parse deadline."""
    tree = ParseDeadline(len(source.data)).parse(parser(), source.data, node_text=False)
    sf = SourceFile(source, tree)
    root = tree.root_node
    if root.has_error and diagnostics is not None:
        bad = first_error(root)
        if bad is not None:
            span = sf.span(bad)
            if quote:
                # The source from the error to the end of its line says more than the node type.
                line_end = source.data.find(b"\n", bad.start_byte)
                rest = source.data[bad.start_byte : line_end if line_end != -1 else len(source.data)]
                snippet = rest.decode("utf-8", errors="replace").strip()[:30]
                what = f"unexpected {snippet!r}" if snippet else "unexpected end of line"
            else:
                what = "not valid HCL here"
            diagnostics.append(
                Diagnostic(source.path, span.line, span.column, f"syntax error: {what}", partial=True)
            )
    return sf


def first_error(root: Node) -> Node | None:
    """The first ERROR or MISSING node in document order (iterative: trees can be very deep)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            return node
        if node.has_error:
            stack.extend(reversed(node.children))
    return None


# -- bodies -----------------------------------------------------------------------------------
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape(raw: str, quoted: bool) -> str:
    """Literal template text as HCL reads it: `$${`/`%%{` escapes, and backslash escapes in quotes."""
    if "$${" in raw:
        raw = raw.replace("$${", "${")
    if "%%{" in raw:
        raw = raw.replace("%%{", "%{")
    if not quoted or "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        c = raw[i]
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        e = raw[i + 1]
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            i += 2
        elif e in "uU":
            width = 4 if e == "u" else 8
            digits = raw[i + 2 : i + 2 + width]
            try:
                out.append(chr(int(digits, 16)))
                i += 2 + width
            except (ValueError, OverflowError):
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def string_lit_text(node: Node, sf: SourceFile) -> str:
    """The value of a `string_lit` (a quoted string without interpolation)."""
    children = node.children
    if len(children) < 2:
        return ""
    raw = sf.data[children[0].end_byte : children[-1].start_byte].decode("utf-8", errors="replace")
    return unescape(raw, quoted=True)


def label_text(node: Node, sf: SourceFile) -> str:
    if node.type == "string_lit":
        return string_lit_text(node, sf)
    return sf.text(node)


_EXPRESSION = ("expression", True)


def hcl_body(body: Node | None, sf: SourceFile, depth: int = 0) -> Body:
    """Attributes and blocks of a `body` node; ERROR regions are skipped (reported per file)."""
    out = Body()
    if body is None or depth > MAX_BLOCK_DEPTH:
        return out
    kinds = _KINDS
    data = sf.data
    span_bytes = sf.span_bytes
    attrs = out.attrs
    for child in body.named_children:
        t = (kinds.get(child.kind_id) or _kind(child))[0]
        if t == "attribute":
            # `identifier = expression`: read from `children` (the tree keeps that list) when its
            # ends are those named nodes, as they are but for comments and errors.
            kids = child.children
            first = kids[0] if kids else None
            last = kids[-1] if kids else None
            if (
                first is None
                or first is last
                or (kinds.get(first.kind_id) or _kind(first)) != _IDENTIFIER
                or (kinds.get(last.kind_id) or _kind(last)) != _EXPRESSION
            ):
                kids = child.named_children
                if (
                    len(kids) < 2
                    or (kinds.get(kids[0].kind_id) or _kind(kids[0]))[0] != "identifier"
                    or (kinds.get(kids[-1].kind_id) or _kind(kids[-1]))[0] != "expression"
                ):
                    continue
                first, last = kids[0], kids[-1]
            name = data[first.start_byte : first.end_byte].decode("utf-8", errors="replace")
            attrs[name] = Attr(
                name,
                HclExpr(compact(last, data, 0, _EXPRESSION), sf),
                span_bytes(child.start_byte, child.end_byte),
            )
        elif t == "block":
            blk = hcl_block(child, sf, depth)
            if blk is not None:
                out.blocks.append(blk)
    return out


_IDENTIFIER = ("identifier", True)
_LABELS = frozenset({"string_lit", "identifier"})


def hcl_block(node: Node, sf: SourceFile, depth: int) -> Block | None:
    kids = node.children
    kinds = _KINDS
    if not kids or (kinds.get(kids[0].kind_id) or _kind(kids[0]))[0] != "identifier":
        return None
    labels: list[str] = []
    body_node: Node | None = None
    header_end: Node = kids[0]
    for k in kids[1:]:
        t = (kinds.get(k.kind_id) or _kind(k))[0]
        if t in _LABELS:
            labels.append(string_lit_text(k, sf) if t == "string_lit" else sf.text(k))
            header_end = k
        elif t == "block_start":
            header_end = k
        elif t == "body":
            body_node = k
    return Block(
        sf.text(kids[0]),
        tuple(labels),
        hcl_body(body_node, sf, depth + 1),
        sf.span_bytes(node.start_byte, node.end_byte),
        sf.span_bytes(kids[0].start_byte, header_end.end_byte),
        sf,
    )


def module_blocks(sf: SourceFile) -> list[Block]:
    """The file's top-level `module` blocks, as `parse_file_body` would give them, without building
    the rest of the file (what finding a unit's module calls needs); the tree is released."""
    out: list[Block] = []
    kinds = _KINDS
    data = sf.data
    for child in sf.tree.root_node.named_children:
        if (kinds.get(child.kind_id) or _kind(child))[0] != "body":
            continue
        for node in child.named_children:
            if (kinds.get(node.kind_id) or _kind(node))[0] != "block":
                continue
            kids = node.children
            if kids and data[kids[0].start_byte : kids[0].end_byte] == b"module":
                blk = hcl_block(node, sf, 0)
                if blk is not None:
                    out.append(blk)
        break
    sf.tree = None
    return out


def parse_file_body(sf: SourceFile) -> Body:
    """The file's body; the tree is released afterwards (expressions are copied out of it)."""
    root = sf.tree.root_node
    body = Body()
    for child in root.named_children:
        if child.type == "body":
            body = hcl_body(child, sf)
            break
    sf.tree = None
    return body
