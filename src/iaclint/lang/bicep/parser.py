"""Bicep read by iaclint's own tokenizer and recursive-descent parser, into compact syntax nodes.

The tree-sitter grammar (tree-sitter-bicep 1.1.0) lags the language: numeric and multi-line union
types, multi-line `scope:` expressions and strings holding `//` were unreadable regions in real
modules, and the pre-pass (prepass.py) can only rewrite what keeps its length. This parser reads the
language as Bicep documents it, straight from the file's bytes, and builds `Node`s with the node
types, fields and byte ranges the evaluator reads (the names tree-sitter-bicep uses), once per file:
the evaluator then works on plain Python objects instead of asking a tree for new node objects at
every step.

What the evaluator does not read is not built: types are one `type` node over their text,
decorators and `metadata`, `import`, `extension` statements are read and dropped, comments are
kept in a list of their own (for `// iaclint:` directives). A non-null assertion `x!` is its
operand. A spread `...x` is recorded in `Parsed.spreads`: in an object, as a member whose key is a
`spread` node at the `...`; in an array, by the offset of the spread expression.

Bounds: nesting deeper than `MAX_NESTING` levels (brackets, operators, strings in strings) stops
the parse (the file is reported as not read) before Python's stack would; the file's size is bounded
by the reader. A statement that does not parse is one unreadable region: it is reported, and the
parse goes on at the next line that starts a statement.

`module_statements` reads only a file's `module` statements (for the engine's grouping of entry
files with the modules they call, graph.py): the same tokens, every statement head parsed, every
declaration's value skipped over its tokens (see `_ModuleReader`).
"""

from __future__ import annotations

import re
import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count, islice
from typing import Any

from iaclint.lang.parsing import ParseTimeout

# Nesting levels (brackets, unary operators, interpolations, lambdas...) one file may have. Far
# more than real code (a few dozen); the evaluator's own depth limit cuts values off much earlier.
MAX_NESTING = 1500
# Python frames the parser may use per nesting level, at most (see `_RecursionLimit`).
_FRAMES_PER_LEVEL = 6

_ids = count(1)
# Node type -> field name -> index of the field among the node's named children.
_FIELDS: dict[str, dict[str, int]] = {
    "binary_expression": {"left": 0, "right": 1},
    "unary_expression": {"argument": 0},
    "ternary_expression": {"condition": 0, "consequence": 1, "alternative": 2},
    "member_expression": {"object": 0, "property": 1},
    "subscript_expression": {"object": 0, "index": 1},
    "call_expression": {"function": 0, "arguments": 1},
    "resource_expression": {"object": 0, "resource": 1},
    "user_defined_function": {"name": 0},
    # `initializer`: the loop variable when it is a bare identifier (`for x in ...`).
    "for_statement": {"initializer": 0, "body": 2},
}
_LEAF: tuple[Node, ...] = ()


class Node:
    """A syntax node: what the evaluator asks of one (the subset of tree-sitter's `Node` it uses)."""

    __slots__ = ("children", "end_byte", "id", "named_children", "sp", "start_byte", "tx", "type")

    has_error = False

    def __init__(
        self,
        type: str,
        start: int,
        end: int,
        named: list[Node] | None = None,
        children: list[Node] | None = None,
    ) -> None:
        self.type = type
        self.start_byte = start
        self.end_byte = end
        # Leaves share one empty tuple: most nodes are leaves, and an empty list each would be
        # one more object for the cyclic collector to walk for as long as the scan runs.
        self.named_children: Sequence[Node] = named if named is not None else _LEAF
        # All children, anonymous tokens (operators, `existing`) included; the named ones when
        # the evaluator reads no token of the node.
        self.children = children if children is not None else self.named_children
        self.id = next(_ids)
        self.sp: Any = None  # the node's Span, set on first need (syntax.ByteSpans)
        self.tx: str | None = None  # the node's text, set on first need (the evaluator's `text`)

    @property
    def child_count(self) -> int:
        return len(self.children)

    def child_by_field_name(self, name: str) -> Node | None:
        # Fields are named children at fixed places (`_FIELDS`): no dict per node.
        f = _FIELDS.get(self.type)
        i = f.get(name) if f is not None else None
        if i is None or (name == "initializer" and self.named_children[0].type != "identifier"):
            return None
        return self.named_children[i]

    def __repr__(self) -> str:
        return f"Node({self.type}, {self.start_byte}, {self.end_byte})"


# Kinds of object members (`ObjectNode.members`).
MEMBER_SPREAD, MEMBER_WORD, MEMBER_STRING, MEMBER_RESOURCE = 0, 1, 2, 3


class ObjectNode(Node):
    """An object, its members read straight into tuples instead of a node per member and per key
    (a third of a file's nodes): `members` holds (kind, key, value node, start, end) per member,
    from the key (or `...`) to the end of the value. Kinds: `MEMBER_WORD` (key: its text),
    `MEMBER_STRING` (key: the string node), `MEMBER_SPREAD` (`...value`, key None),
    `MEMBER_RESOURCE` (a nested resource declaration, the value node; key None). The named
    children are the members' string keys and values, in order."""

    __slots__ = ("members",)

    def __init__(
        self, start: int, end: int, named: list[Node], members: list[tuple[int, Any, Node, int, int]]
    ) -> None:
        Node.__init__(self, "object", start, end, named)
        self.members = members


def _token(type: str, start: int, end: int) -> Node:
    """An anonymous token among a node's children."""
    return Node(type, start, end)


class ParseError(Exception):
    def __init__(self, pos: int, what: str = "") -> None:
        super().__init__(what)
        self.pos = pos
        self.what = what


class TooDeep(Exception):
    """Nesting past MAX_NESTING: the file is not read."""


@dataclass(slots=True)
class Result:
    statements: list[Node]
    spreads: frozenset[int]
    comments: list[Node]
    # (byte offset, message) of each unreadable region.
    errors: list[tuple[int, str]]


# -- tokens ------------------------------------------------------------------------------------------
# A token is (kind, start, end, newline before it). Kinds: "w" word, "n" number, "s" string without
# interpolation or escape, "S" string with escapes (no interpolation), "m" multi-line string,
# "sb" / "sm" / "se" the start, middle parts and end of an interpolated string (see `_lex`),
# "}i" the brace that closes an interpolation, "eof"; anything else is the operator itself.
# The rest of a string segment, up to its closing quote, an interpolation, or the end of the line.
_SEGMENT = re.compile(rb"(?:[^'\\$\n]|\\[^\n]|\$(?!\{))*+")
_ESCAPE = re.compile(rb"\\u\{[0-9A-Fa-f]*\}|\\[^\n]")


# One match per token, the blanks before it skipped: a word, an operator, a plain string, a number,
# a line comment, or one character for the slower paths (strings with escapes or interpolations,
# multi-line strings, block comments, `#` pragmas, bad input). A word followed on its line by a `:`
# (not `::`) matches with it, and with the token after the `:` when that is a plain string, a word,
# `{` or `[`: an object member's key, colon and one-token value (`name: 'x'`, `k: v`, `p: {`) are
# one match, not three (a match costs about as much as the Python code reading its tokens; a third
# of the tokens of gateway-dense code are read this way). Line breaks are blanks too: a token after
# one matches in the first copy of the alternatives (groups 1-10), any other in the second (groups
# 11-20), so one match reads both the tokens and whether a line starts before them.
_WORD = rb"[A-Za-z_][A-Za-z0-9_]*+"
_PLAIN = rb"'(?!'')[^'\\$\n]*+(?:\$(?!\{)[^'\\$\n]*+)*+'"
_ALTERNATIVES = (
    # 1 word, 2 its colon, then 3 a plain string, 4 a word or 5 `{` / `[` after the colon
    rb"(" + _WORD + rb")(?:[ \t\r\f\v]*+(:)(?!:)"
    rb"(?:[ \t\r\f\v]*+(?:(" + _PLAIN + rb")|(" + _WORD + rb")|([{\[])))?+)?+"
    # 6 an operator (the longest one that matches)
    rb"|([{}\[\](),;@^~%*+\-]|:(?::)?+|\.(?:\.\.|\?)?+|=[>=~]?+|![=~]?+|<=?+|>=?+|&&?+|\|\|?+|\?\??+)"
    # 7 a plain string, 8 a number, 9 a line comment, 10 any other character
    rb"|(" + _PLAIN + rb")|([0-9]++(?:\.[0-9]++)?)|(//[^\n]*+)|([^\n])"
)
_TOKEN = re.compile(
    rb"[ \t\r\f\v]*+(?:\n[ \t\r\n\f\v]*+(?:" + _ALTERNATIVES + rb")|(?:" + _ALTERNATIVES + rb"))",
    re.S,
)
# Groups of one alternative (the second copy's are 10 more).
_GROUPS = 10
_G_OPERATOR, _G_COMMENT = 6, 9
# The token kind of each group that is a whole token alone (a word, a plain string, a number).
_ALONE: tuple[str | None, ...] = (None, *(("w", *[None] * 5, "s", "n", None, None) * 2))
_OPS_LIST = "... => == != =~ !~ <= >= && || ?? .? :: { } [ ] ( ) < > , : . ? ! = + - * % @ | & ; ^ ~"
_OPS = {op.encode(): op for op in _OPS_LIST.split(" ")}
_OPEN_BRACKETS = frozenset(("{", "[", "("))
_CLOSE_BRACKETS = frozenset(("}", "]", ")"))


def check(deadline: Any) -> None:
    """Raise ParseTimeout past the deadline's time, or past the peak memory it allows (a file of
    one-character tokens holds a token and a node for each: the file's size bound alone would
    allow gigabytes)."""
    if time.monotonic() > deadline.at:
        raise ParseTimeout(f"parsing gave up after {deadline.seconds:.0f} s; file not read")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if (peak if sys.platform == "darwin" else peak * 1024) > deadline.peak:
        raise ParseTimeout("parsing gave up: this input took too much memory; file not read")


# The tokenizer checks the deadline (see `check`) when it has read this many bytes since the last
# check, between runs of at most `_RUN` matches (`_lex`). A token is one byte at least and a match
# three tokens at most, so at most `_CHECK_BYTES + 3 * _RUN` tokens (61,440) are lexed between
# two checks, without counting tokens one by one.
_CHECK_BYTES = 49152
_RUN = 4096
# Tokens the parser reads (or skips over after an error) between two checks, at most about this
# many plus one statement: each check reads the clock and the process's peak memory (a syscall),
# about 2% of the parse when made before every statement.
_CHECK_WORK = 2048


def _lex(data: bytes, comments: list[Node], deadline: Any = None) -> list[tuple[str, int, int, bool]]:
    toks: list[tuple[str, int, int, bool]] = []
    append = toks.append
    n = len(data)
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # a byte order mark
    # A line starts before the next token (and no token was read since that line break).
    nl = True
    # Open brackets inside interpolations; "i" marks an interpolation, whose closing brace resumes
    # its string. Empty outside interpolations (brackets need no tracking there).
    stack: list[str] = []
    finditer = _TOKEN.finditer
    ops = _OPS
    alone = _ALONE
    checked = pos
    # Tokens come from one `finditer` until a token is read past its match (a string with escapes
    # or interpolations, a multi-line string, a block comment, a pragma, a string resumed after an
    # interpolation), or for `_RUN` matches: lexing then goes on with a new `finditer` from there.
    # (The pattern matches wherever a token starts, so `finditer` skips nothing but the blanks at
    # the end of the file.)
    while True:
        if pos - checked >= _CHECK_BYTES and deadline is not None:
            check(deadline)
            checked = pos
        m = None
        for m in islice(finditer(data, pos), _RUN):
            g = m.lastindex
            k = alone[g]
            if k is not None:  # most tokens
                s, e = m.span(g)
                append((k, s, e, g <= _GROUPS or nl))
                nl = False
                continue
            if g > _GROUPS:
                gi = g - _GROUPS
            else:
                gi = g
                nl = True
            if gi < _G_OPERATOR:  # a word and its colon, and maybe the token after the colon
                first = g - gi + 1
                s, e = m.span(first)
                append(("w", s, e, nl))
                s, e = m.span(first + 1)
                append((":", s, e, False))
                nl = False
                if gi > 2:
                    s, e = m.span(g)
                    if gi == 3:
                        append(("s", s, e, False))
                    elif gi == 4:
                        append(("w", s, e, False))
                    else:
                        op = "{" if data[s] == 123 else "["
                        if stack:
                            stack.append(op)
                        append((op, s, e, False))
                continue
            s, e = m.span(g)
            if gi == _G_OPERATOR:
                op = ops[data[s:e]]
                if stack:
                    if op in _OPEN_BRACKETS:
                        stack.append(op)
                    elif op in _CLOSE_BRACKETS:
                        top = stack.pop()
                        if top == "i":
                            if op == "}":
                                append(("}i", s, e, nl))
                                nl = False
                                pos = _string_part(data, e, toks, -1, False, stack)
                                break
                            stack.append(top)  # a stray bracket inside an interpolation
                append((op, s, e, nl))
            elif gi == _G_COMMENT:
                comments.append(Node("comment", s, e))
                continue
            else:
                c = data[s]
                if c == 39:  # '
                    if data.startswith(b"'''", s):
                        e = data.find(b"'''", s + 3)
                        e = n if e < 0 else e + 3
                        append(("m", s, e, nl))
                    else:
                        e = _string_part(data, s + 1, toks, s, nl, stack)
                    nl = False
                    pos = e
                    break
                if c == 47 and data.startswith(b"/*", s):
                    e = data.find(b"*/", s + 2)
                    e = n if e < 0 else e + 2
                    comments.append(Node("comment", s, e))
                    if b"\n" in data[s:e]:
                        nl = True
                    pos = e
                    break
                if c == 35 and nl:  # `#disable-next-line ...`: a pragma for Bicep's linter
                    e = data.find(b"\n", s)
                    pos = n if e < 0 else e
                    break
                append((data[s:e].decode("utf-8", errors="replace"), s, e, nl))  # not Bicep
            nl = False
        else:
            if m is None:
                break  # the end of the file
            pos = m.end()  # `_RUN` matches read
    append(("eof", n, n, True))
    return toks


def _string_part(
    data: bytes, pos: int, toks: list[tuple[str, int, int, bool]], start: int, nl: bool, stack: list[str]
) -> int:
    """Lex a string from `pos` (after its opening quote, or after an interpolation's `}`) to its
    end or its next interpolation. `start` is the opening quote's offset, -1 for a string going on
    after an interpolation. Returns where lexing goes on."""
    end = _SEGMENT.match(data, pos).end()
    if data.startswith(b"${", end):
        # A string start ("sb", from its quote) or middle ("sm", from the `}` before it) up to and
        # with the `${`.
        toks.append(("sb" if start >= 0 else "sm", start if start >= 0 else pos, end + 2, nl))
        stack.append("i")
        return end + 2
    closed = end < len(data) and data[end] == 39
    stop = end + 1 if closed else end
    if start >= 0:
        # No interpolation: a whole string with escapes (the plain ones are lexed before this).
        toks.append(("S" if closed else "u", start, stop, nl))
    else:
        toks.append(("se" if closed else "u", pos, stop, nl))
    return stop


# -- parser ------------------------------------------------------------------------------------------
_STATEMENT_WORDS = frozenset(
    {"param", "var", "resource", "module", "output", "type", "func", "import", "metadata",
     "targetScope", "extension", "using", "assert", "extends"}
)  # fmt: skip
# Binary operators by precedence (higher binds tighter).
_PREC = {
    "??": 1, "||": 2, "&&": 3, "==": 4, "!=": 4, "=~": 4, "!~": 4,
    "<": 5, "<=": 5, ">": 5, ">=": 5, "+": 6, "-": 6, "*": 7, "/": 7, "%": 7,
}  # fmt: skip
_LITERAL_WORDS = {"true": "boolean", "false": "boolean", "null": "null"}
_LITERAL_BYTES = {w.encode(): kind for w, kind in _LITERAL_WORDS.items()}


def _leaf(t: tuple[str, int, int, bool], data: bytes) -> Node:
    """The node of a one-token value (kind "s", "n" or "w"): a string, a number, a literal word or
    an identifier."""
    k = t[0]
    if k == "s":
        return Node("string", t[1], t[2])
    if k == "n":
        return Node("number", t[1], t[2])
    return Node(_LITERAL_BYTES.get(data[t[1] : t[2]], "identifier"), t[1], t[2])


# Tokens that are a whole expression when what follows ends it (see `_Parser.expr`).
_LEAF_TOKENS = frozenset(("s", "n", "w"))
_ENDS = frozenset((",", ")", "]", "}", ":", "eof", "}i"))
# Operators that go on with an expression from the line before (see `_Parser.expr`).
_CONTINUES = frozenset((*_PREC, "?"))


class _Parser:
    def __init__(self, data: bytes, params_file: bool, deadline: Any = None) -> None:
        self.deadline = deadline
        self.data = data
        self.params_file = params_file
        self.comments: list[Node] = []
        self.toks = _lex(data, self.comments, deadline)
        self.i = 0
        self.spreads: set[int] = set()
        self.depth = 0
        # True inside parentheses: newlines separate nothing there.
        self.free = False

    # helpers
    def peek(self) -> tuple[str, int, int, bool]:
        return self.toks[self.i]

    def text(self, tok: tuple[str, int, int, bool]) -> str:
        return self.data[tok[1] : tok[2]].decode("utf-8", errors="replace")

    def next(self) -> tuple[str, int, int, bool]:
        t = self.toks[self.i]
        if t[0] != "eof":
            self.i += 1
        return t

    def expect(self, kind: str) -> tuple[str, int, int, bool]:
        t = self.toks[self.i]
        if t[0] != kind:
            raise ParseError(t[1], f"expected {kind}")
        self.i += 1
        return t

    def is_word(self, word: str) -> bool:
        t = self.toks[self.i]
        return t[0] == "w" and self.data[t[1] : t[2]] == word.encode()

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise TooDeep

    # statements
    def file(self) -> tuple[list[Node], list[tuple[int, str]]]:
        return self.statements(self.statement)

    def statements(self, read: Callable[[], Node | None]) -> tuple[list[Node], list[tuple[int, str]]]:
        """The file's statements as `read` reads each one (None: nothing to keep), and the unreadable
        regions: a statement that does not parse is one, and reading goes on at the next line that
        starts a statement (`_recover`)."""
        out: list[Node] = []
        errors: list[tuple[int, str]] = []
        toks = self.toks
        deadline = self.deadline
        work = _CHECK_WORK  # tokens read since the deadline was checked (see `_CHECK_WORK`)
        while toks[self.i][0] != "eof":
            if work >= _CHECK_WORK and deadline is not None:
                check(deadline)
                work = 0
            start = self.i
            try:
                node = read()
                t = toks[self.i]
                if not t[3] and t[0] != "eof":
                    raise ParseError(t[1])
                if node is not None:
                    out.append(node)
                work += self.i - start
            except ParseError as err:
                errors.append((err.pos, err.what))
                work += self.i - start
                self.depth = 0
                self.free = False
                self.i = start + 1
                self._recover(self._column(toks[start][1]))
                work += self.i - start
        return out, errors

    def _column(self, offset: int) -> int:
        return offset - (self.data.rfind(b"\n", 0, offset) + 1)

    def _recover(self, column: int) -> None:
        """Skip to the next line that starts, no further right than the statement that failed, with
        a statement keyword or a decorator."""
        toks = self.toks
        data = self.data
        while True:
            t = toks[self.i]
            if t[0] == "eof":
                return
            if (
                t[3]
                and (t[0] == "@" or (t[0] == "w" and data[t[1] : t[2]].decode() in _STATEMENT_WORDS))
                and self._column(t[1]) <= column
            ):
                return
            self.i += 1

    def statement(self) -> Node | None:
        t = self.peek()
        if t[0] == "@":
            self.decorator()
            return None
        if t[0] != "w":
            raise ParseError(t[1])
        kw = self.text(t)
        if kw == "param":
            return self.param()
        if kw == "var":
            return self.var()
        if kw == "resource":
            return self.resource()
        if kw == "module":
            return self.module()
        if kw == "output":
            return self.output()
        if kw == "type":
            self.next()
            self.expect("w")
            self.expect("=")
            self.type_()
            return None
        if kw == "func":
            return self.func()
        if kw in ("metadata", "targetScope", "assert"):
            self.next()
            if kw != "targetScope":
                self.expect("w")
            self.expect("=")
            self.expr()
            return None
        if kw == "using":
            self.next()
            s = self.string_token()
            node = Node("using_statement", t[1], s.end_byte, [s])
            if self.is_word("with"):
                self.next()
                self.expr()
            return node
        if kw in ("import", "extension", "extends"):
            self._skip_statement()
            return None
        raise ParseError(t[1])

    def _skip_statement(self) -> None:
        """Skip to the end of the statement's line, or of a bracket opened on it."""
        toks = self.toks
        self.next()
        depth = 0
        while True:
            t = toks[self.i]
            if t[0] == "eof" or (t[3] and depth <= 0):
                return
            if t[0] in ("{", "[", "("):
                depth += 1
            elif t[0] in ("}", "]", ")"):
                depth -= 1
            self.i += 1

    def decorator(self) -> None:
        self.expect("@")
        self.postfix()

    def ident(self) -> Node:
        t = self.expect("w")
        return Node("identifier", t[1], t[2])

    def param(self) -> Node:
        start = self.next()[1]
        name = self.ident()
        if self.params_file:
            self.expect("=")
            value = self.expr()
            return Node("variable_declaration", start, value.end_byte, [name, value])
        first = self.i
        typ = self.type_()
        if self.i - first >= 2 and self.toks[self.i - 1][0] == "?" and self._plain_type(first, self.i - 1):
            # `param x someType?`: the node ends before the `?`, as the grammar read it after the
            # pre-pass (`_nullable` reads the `?` from the text).
            typ = Node("type", typ.start_byte, self.toks[self.i - 2][2])
        kids = [name, typ]
        if self.peek()[0] == "=":
            self.next()
            kids.append(self.expr())
        return Node("parameter_declaration", start, kids[-1].end_byte, kids)

    def _plain_type(self, start: int, end: int) -> bool:
        """Tokens start..end are a type name: `word(.word)*`."""
        toks = self.toks
        return all(toks[j][0] == ("w" if (j - start) % 2 == 0 else ".") for j in range(start, end)) and (
            end - start
        ) % 2 == 1

    def var(self) -> Node:
        start = self.next()[1]
        name = self.ident()
        if self.peek()[0] != "=":
            self.type_()
        self.expect("=")
        value = self.expr()
        return Node("variable_declaration", start, value.end_byte, [name, value])

    def output(self) -> Node:
        start = self.next()[1]
        name = self.ident()
        kids = [name]
        if self.is_word("resource"):
            self.next()
            t = self.string_token()
            kids.append(Node("type", t.start_byte, t.end_byte))
        else:
            kids.append(self.type_())
        self.expect("=")
        kids.append(self.expr())
        return Node("output_declaration", start, kids[-1].end_byte, kids)

    def func(self) -> Node:
        start = self.next()[1]
        name = self.ident()
        p0 = self.expect("(")
        params: list[Node] = []
        saved = self.free
        self.free = True
        while self.peek()[0] != ")":
            pn = self.ident()
            pt = self.type_()
            params.append(Node("parameter", pn.start_byte, pt.end_byte, [pn, pt]))
            if self.peek()[0] == ",":
                self.next()
        p1 = self.expect(")")
        self.free = saved
        plist = Node("parameters", p0[1], p1[2], params)
        ret = self.type_()
        self.expect("=>")
        body = self.expr()
        return Node("user_defined_function", start, body.end_byte, [name, plist, ret, body])

    def resource(self) -> Node:
        start = self.next()[1]
        name = self.ident()
        typ = self.string_token()
        children = [name, typ]
        if self.is_word("existing"):
            t = self.next()
            children.append(_token("existing", t[1], t[2]))
        self.expect("=")
        value = self.decl_value()
        children.append(value)
        return Node("resource_declaration", start, value.end_byte, [name, typ, value], children)

    def module(self) -> Node:
        start = self.next()[1]
        name = self.ident()
        path = self.string_token()
        self.expect("=")
        value = self.decl_value()
        return Node("module_declaration", start, value.end_byte, [name, path, value])

    def decl_value(self) -> Node:
        t = self.peek()
        if t[0] == "w" and self.text(t) == "if":
            return self.if_()
        return self.expr()

    def if_(self) -> Node:
        start = self.next()[1]
        p0 = self.expect("(")
        saved = self.free
        self.free = True
        cond = self.expr()
        self.free = saved
        p1 = self.expect(")")
        paren = Node("parenthesized_expression", p0[1], p1[2], [cond])
        body = self.expr()
        return Node("if_statement", start, body.end_byte, [paren, body])

    def string_token(self) -> Node:
        t = self.peek()
        if t[0] not in ("s", "S", "m", "sb"):
            raise ParseError(t[1], "expected a string")
        return self.primary()

    # types: one node over their text (the evaluator reads only whether a type is nullable)
    def type_(self) -> Node:
        toks = self.toks
        first = self.i
        depth = 0
        while True:
            t = toks[self.i]
            k = t[0]
            if k == "eof":
                break
            # A type ends, outside brackets, before what follows it in its statement, or at the end
            # of its line unless a union goes on (`|` ending the line or starting the next).
            if depth == 0 and (
                k in ("=", "=>", ",", ")", "}", "]")
                or (t[3] and self.i > first and k != "|" and toks[self.i - 1][0] != "|")
            ):
                break
            if k in ("{", "[", "(", "sb"):
                depth += 1
            elif k in ("}", "]", ")", "se"):
                depth -= 1
            elif k == "u":
                raise ParseError(t[1], "unterminated string")
            self.i += 1
        if self.i == first:
            raise ParseError(toks[self.i][1], "expected a type")
        return Node("type", toks[first][1], toks[self.i - 1][2])

    # expressions
    def expr(self) -> Node:
        """A whole expression: a lambda, or a ternary over binary operators."""
        toks = self.toks
        i = self.i
        t = toks[i]
        k = t[0]
        if k in _LEAF_TOKENS:
            # Most values are one token (`name: 'x'`, `enabled: true`): read at once when what
            # follows ends the expression.
            nxt = toks[i + 1]
            if nxt[0] in _ENDS or (nxt[3] and not self.free and nxt[0] not in _CONTINUES):
                self.i = i + 1
                return _leaf(t, self.data)
            if nxt[0] != "=>":
                # A leaf that operators or postfixes follow (`a.b`, `f(x)`, `x == 'y'`): the
                # primary expression read here, the rest as `binary` reads it after `unary`.
                self.i = i + 1
                node = _leaf(t, self.data)
                self.depth += 1
                if self.depth > MAX_NESTING:
                    raise TooDeep
                try:
                    return self._ternary(self.binary(1, node))
                finally:
                    self.depth -= 1
        if k == "{" or k == "[":
            # An object or an array value: read at once, and done when what follows ends it.
            self.enter()
            try:
                node = self.object() if k == "{" else self.array()
                nxt = toks[self.i]
                if nxt[0] in _ENDS or (nxt[3] and not self.free and nxt[0] not in _CONTINUES):
                    return node
                return self._ternary(self.binary(1, node))
            finally:
                self.depth -= 1
        self.enter()
        try:
            t = self.peek()
            if t[0] == "w" and self.toks[self.i + 1][0] == "=>":
                head = self.ident()
                self.next()
                body = self.expr()
                return Node("lambda_expression", head.start_byte, body.end_byte, [head, body])
            # (The ternary is read in a frame of its own, after the operand's frames have returned:
            # a nesting level costs no more frames than `_FRAMES_PER_LEVEL`.)
            return self._ternary(self.binary(1))
        finally:
            self.depth -= 1

    def _ternary(self, cond: Node) -> Node:
        """`cond`, or the ternary expression it is the condition of."""
        t = self.toks[self.i]
        if t[0] != "?" or (t[3] and not self.free and not self._continues()):
            return cond
        self.i += 1
        saved = self.free
        yes = self.expr()
        c = self.toks[self.i]
        if c[0] != ":":
            raise ParseError(c[1], "expected :")
        self.i += 1
        no = self.expr()
        self.free = saved
        return Node("ternary_expression", cond.start_byte, no.end_byte, [cond, yes, no])

    def _continues(self) -> bool:
        # An operator at the start of a line continues the expression of the line before (Bicep
        # reads multi-line ternaries and `&&` chains so).
        return True

    def binary(self, min_prec: int, first: Node | None = None) -> Node:
        """Binary operators, from `first` (the first operand's primary expression, already read)
        when given."""
        left = self.unary() if first is None else self.postfix_on(first)
        toks = self.toks
        while True:
            t = toks[self.i]
            prec = _PREC.get(t[0])
            if prec is None or prec < min_prec:
                return left
            self.i += 1
            self.enter()
            right = self.binary(prec + 1)
            self.depth -= 1
            op = _token(t[0], t[1], t[2])
            named = [left, right]
            left = Node("binary_expression", left.start_byte, right.end_byte, named, [left, op, right])

    def unary(self) -> Node:
        t = self.toks[self.i]
        if t[0] in ("!", "-", "+"):
            nxt = self.toks[self.i + 1]
            if t[0] == "-" and nxt[0] == "n" and nxt[1] == t[2]:
                # `-1` is one number token.
                self.i += 2
                return self.postfix_on(Node("number", t[1], nxt[2]))
            self.i += 1
            self.enter()
            arg = self.unary()
            self.depth -= 1
            op = _token(t[0], t[1], t[2])
            return Node("unary_expression", t[1], arg.end_byte, [arg], [op, arg])
        return self.postfix()

    def postfix(self) -> Node:
        return self.postfix_on(self.primary())

    def postfix_on(self, node: Node) -> Node:
        toks = self.toks
        free = self.free
        while True:
            t = toks[self.i]
            k = t[0]
            if t[3] and not free:
                return node
            if k == "." or k == ".?":
                self.i += 1
                p = toks[self.i]
                if p[0] != "w":
                    raise ParseError(p[1], "expected a property name")
                self.i += 1
                prop = Node("property_identifier", p[1], p[2])
                named = [node, prop]
                # The evaluator reads one token of a member access: `.?` (a plain `.` is left out).
                children = [node, _token(k, t[1], t[2]), prop] if k == ".?" else named
                node = Node("member_expression", node.start_byte, p[2], named, children)
            elif k == "[":
                self.i += 1
                safe = toks[self.i][0] == "?"
                if safe:
                    self.i += 1
                saved = self.free
                self.free = True
                idx = self.expr()
                self.free = saved
                close = self.expect("]")
                children = [node, idx]
                if safe:
                    children.append(_token("?", t[2], t[2] + 1))
                node = Node("subscript_expression", node.start_byte, close[2], [node, idx], children)
            elif k == "(":
                args = self.arguments()
                node = Node("call_expression", node.start_byte, args.end_byte, [node, args])
            elif k == "::":
                self.i += 1
                r = self.ident()
                node = Node("resource_expression", node.start_byte, r.end_byte, [node, r])
            elif k == "!" and toks[self.i + 1][0] != "=":
                self.i += 1  # a non-null assertion does not change the value
            else:
                return node

    def arguments(self) -> Node:
        toks = self.toks
        p0 = self.expect("(")
        saved = self.free
        self.free = True
        args: list[Node] = []
        while toks[self.i][0] != ")":
            args.append(self.expr())
            k = toks[self.i][0]
            if k == ",":
                self.i += 1
            elif k != ")":
                raise ParseError(toks[self.i][1], "expected )")
        p1 = toks[self.i]
        self.i += 1
        self.free = saved
        return Node("arguments", p0[1], p1[2], args)

    def primary(self) -> Node:
        t = self.peek()
        k = t[0]
        if k == "w":
            self.i += 1
            return Node(_LITERAL_BYTES.get(self.data[t[1] : t[2]], "identifier"), t[1], t[2])
        if k == "s" or k == "m":
            self.i += 1
            return Node("string", t[1], t[2])
        if k == "S":
            self.i += 1
            return Node("string", t[1], t[2], self._string_parts(t[1] + 1, t[2] - 1))
        if k == "n":
            self.i += 1
            return Node("number", t[1], t[2])
        if k == "sb":
            return self.interpolated()
        if k == "(":
            return self.paren()
        if k == "[":
            return self.array()
        if k == "{":
            return self.object()
        if k == "u":
            raise ParseError(t[1], "unterminated string")
        raise ParseError(t[1])

    def _string_parts(self, start: int, end: int) -> list[Node]:
        if self.data.find(b"\\", start, end) < 0:  # no escape: most parts
            return [Node("string_content", start, end)] if end > start else []
        out: list[Node] = []
        pos = start
        for m in _ESCAPE.finditer(self.data, start, end):
            if m.start() > pos:
                out.append(Node("string_content", pos, m.start()))
            out.append(Node("escape_sequence", m.start(), m.end()))
            pos = m.end()
        if end > pos:
            out.append(Node("string_content", pos, end))
        return out

    def interpolated(self) -> Node:
        toks = self.toks
        t = toks[self.i]
        start = t[1]
        self.i += 1
        parts = self._string_parts(start + 1, t[2] - 2)
        saved = self.free
        while True:
            i0 = t[2] - 2
            self.free = True
            inner = self.expr()
            close = toks[self.i]
            if close[0] != "}i":
                raise ParseError(close[1], "expected }")
            self.i += 1
            parts.append(Node("interpolation", i0, close[2], [inner]))
            t = toks[self.i]
            if t[0] == "sm":
                self.i += 1
                parts.extend(self._string_parts(t[1], t[2] - 2))
                continue
            if t[0] != "se":
                raise ParseError(t[1], "unterminated string")
            self.i += 1
            parts.extend(self._string_parts(t[1], t[2] - 1))
            break
        self.free = saved
        return Node("string", start, t[2], parts)

    def paren(self) -> Node:
        toks = self.toks
        p0 = self.next()
        saved = self.free
        self.free = True
        items: list[Node] = []
        while toks[self.i][0] != ")":
            items.append(self.expr())
            if toks[self.i][0] == ",":
                self.i += 1
            elif toks[self.i][0] != ")":
                raise ParseError(toks[self.i][1], "expected )")
        p1 = self.next()
        self.free = saved
        node = Node("parenthesized_expression", p0[1], p1[2], items)
        if toks[self.i][0] == "=>":
            self.i += 1
            body = self.expr()
            return Node("lambda_expression", p0[1], body.end_byte, [node, body])
        return node

    def _separator(self, close: str) -> None:
        """After an array item or object member: a comma, a line break, or the closing bracket."""
        t = self.toks[self.i]
        if t[0] == ",":
            self.i += 1
        elif not t[3] and t[0] != close:
            raise ParseError(t[1], f"expected {close}")

    def array(self) -> Node:
        toks = self.toks
        p0 = self.next()
        saved = self.free
        self.free = False
        try:
            if self.is_word("for"):
                return self.for_(p0)
            items: list[Node] = []
            while toks[self.i][0] != "]":
                if toks[self.i][0] == "...":
                    self.i += 1
                    item = self.expr()
                    self.spreads.add(item.start_byte)
                else:
                    item = self.expr()
                items.append(item)
                self._separator("]")
            p1 = self.next()
            return Node("array", p0[1], p1[2], items)
        finally:
            self.free = saved

    def for_(self, p0: tuple[str, int, int, bool]) -> Node:
        self.next()  # for
        t = self.peek()
        if t[0] == "(":
            self.next()
            item = self.expect("w")
            named = [Node("loop_variable", item[1], item[2])]
            if self.peek()[0] == ",":
                self.next()
                index = self.expect("w")
                named.append(Node("loop_enumerator", index[1], index[2]))
            p1 = self.expect(")")
            params = Node("for_loop_parameters", t[1], p1[2], named)
        else:
            params = self.ident()
        if not self.is_word("in"):
            raise ParseError(self.peek()[1], "expected in")
        self.next()
        coll = self.expr()
        self.expect(":")
        body = self.decl_value()
        p1 = self.expect("]")
        return Node("for_statement", p0[1], p1[2], [params, coll, body])

    def object(self) -> ObjectNode:
        toks = self.toks
        data = self.data
        p0 = self.next()
        saved = self.free
        self.free = False
        members: list[tuple[int, Any, Node, int, int]] = []
        named: list[Node] = []
        while True:
            t = toks[self.i]
            k = t[0]
            if k == "}":
                break
            if k == "@":
                self.decorator()
                continue
            if k == "...":
                self.i += 1
                value = self.expr()
                self.spreads.add(t[1])
                members.append((MEMBER_SPREAD, None, value, t[1], value.end_byte))
                named.append(value)
            elif (
                k == "w"
                and data[t[1]] == 114  # "r": most keys are not `resource`
                and data[t[1] : t[2]] == b"resource"
                and toks[self.i + 1][0] == "w"
            ):  # a nested resource declaration
                decl = self.resource()
                members.append((MEMBER_RESOURCE, None, decl, decl.start_byte, decl.end_byte))
                named.append(decl)
            else:
                key: Any
                if k == "w":
                    self.i += 1
                    key = data[t[1] : t[2]].decode("ascii")  # a word is ASCII
                    kind = MEMBER_WORD
                elif k in ("s", "S", "sb"):
                    key = self.primary()
                    named.append(key)
                    kind = MEMBER_STRING
                else:
                    raise ParseError(t[1], "expected a property name")
                i = self.i
                colon = toks[i]
                if colon[0] != ":":
                    raise ParseError(colon[1], "expected :")
                v = toks[i + 1]
                vk = v[0]
                # (A leaf is no "eof": a token follows it.)
                if vk in _LEAF_TOKENS and (
                    (nxt := toks[i + 2])[0] in _ENDS or (nxt[3] and nxt[0] not in _CONTINUES)
                ):
                    # A one-token value, as `expr` reads it (not free: this is an object).
                    self.i = i + 2
                    value = _leaf(v, data)
                else:
                    self.i = i + 1
                    value = self.expr()
                members.append((kind, key, value, t[1], value.end_byte))
                named.append(value)
            t = toks[self.i]
            if t[0] == ",":
                self.i += 1
            elif not t[3] and t[0] != "}":
                raise ParseError(t[1], "expected }")
        p1 = self.next()
        self.free = saved
        return ObjectNode(p0[1], p1[2], named, members)


class _RecursionLimit:
    """Python's recursion limit raised for the parse to what MAX_NESTING levels need."""

    def __enter__(self) -> None:
        self.old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(self.old, MAX_NESTING * _FRAMES_PER_LEVEL + 1000))

    def __exit__(self, *_exc: object) -> None:
        sys.setrecursionlimit(self.old)


def parse_bytes(data: bytes, params_file: bool = False, deadline: Any = None) -> Result:
    """The file's statements, spreads, comments and unreadable regions. Raises TooDeep, and
    ParseTimeout past `deadline` (a `ParseDeadline`, checked between statements)."""
    p = _Parser(data, params_file, deadline)
    with _RecursionLimit():
        try:
            statements, errors = p.file()
        except RecursionError:
            raise TooDeep from None
    return Result(statements, frozenset(p.spreads), p.comments, errors)


# -- module statements only --------------------------------------------------------------------------
# Token kinds an expression may end with: after any other, a value goes on past a line break (an
# operator, `=>`, a prefix `!`...) and the reader cannot tell where without parsing it.
_VALUE_ENDS = frozenset(("w", "n", "s", "S", "m", "se", ")", "]", "}"))
_VALUE_STARTS = frozenset(("w", "n", "s", "S", "m", "sb", "(", "[", "{", "!", "-", "+"))
# What `_skip_value` does with each token kind: 0 nothing, 1 an opening bracket (or an
# interpolation's start), 2 a closing one, 3 a token that may nest (below). Any other kind (not
# Bicep, an unterminated string, the end of the file) stops it.
_SKIP: dict[str, int] = {k: 0 for k in ("w", "n", "s", "S", "m", "se", *_OPS.values())}
_SKIP.update({"(": 1, "[": 1, "{": 1, "sb": 1, "sm": 1, ")": 2, "]": 2, "}": 2, "}i": 2})
# Tokens that go on with an expression from the line before, as the parser reads it (`expr`,
# `binary`, `_ternary`); and a `:` after a ternary's `?` (see `_skip_value`).
_GOES_ON = _CONTINUES
# Tokens after which the parser reads an operand wherever it is, on this line or the next.
_OPERAND_NEXT = frozenset((*_PREC, "?", ":", "=>", ".", ".?", "::"))
# Tokens that may each add a level to the parser's nesting within one bracket (a prefix operator,
# a ternary, a lambda); with a binary operator chain's few levels per bracket, what bounds the
# nesting of a skipped value (see `_ModuleReader._skip_value`).
_SKIP.update({"?": 3, "!": 3, "-": 3, "+": 3, "=>": 3})
_STATEMENT_BYTES = frozenset(w.encode() for w in _STATEMENT_WORDS)
# A skipped value that might nest this deep is parsed instead: the parser's own bound decides.
_SKIP_NESTING = MAX_NESTING // 2


class _Unsure(Exception):
    """The module reader cannot tell where the parser would end a value: the file is parsed."""


class _ModuleReader(_Parser):
    """The `module` statements of a file, as `_Parser.file` reads them, without building the rest.

    Every statement head is read by the parser's own code; the value of a declaration (a module's
    or a resource's body, a variable, an output) is skipped over its tokens, bracket by bracket, to
    the first line that starts outside its brackets. The parser ends a value there too, or, when the
    value does not parse, goes on at the first line that starts with a statement keyword or a
    decorator no further right than the statement: `_skip_value` makes sure the two are the same
    token, and gives up (`_Unsure`: the caller parses the file) when they may not be, or when the
    value may nest deeper than the parser allows. So the statements read are those the parser
    reads, and one more kind: a `module` statement whose value does not parse (the parser drops
    it, and reports an unreadable region)."""

    def modules(self) -> list[Node]:
        return self.statements(self._module_or_skim)[0]

    def _module_or_skim(self) -> Node | None:
        """A `module` statement's node; any other statement skimmed (`_skim_statement`)."""
        t = self.toks[self.i]
        if t[0] == "w" and self.data[t[1] : t[2]] == b"module":
            return self._module()
        self._skim_statement(t)
        return None

    def _module(self) -> Node:
        """A `module` statement: its name and path, its value skipped (`module_statements`)."""
        start = self.i
        t = self.next()
        column = self._column(t[1])
        name = self.ident()
        path = self.string_token()
        self.expect("=")
        self._condition()
        self._skip_value(start, column)
        last = self.toks[self.i - 1]
        if last[0] == "!":
            last = self.toks[self.i - 2]  # a non-null assertion is not part of the value's node
        return Node("module_declaration", t[1], last[2], [name, path])

    def _condition(self) -> None:
        """`if (...)` before a declaration's value (`if_` up to the `)`: the body is the value)."""
        if self.is_word("if"):
            self.next()
            self.expect("(")
            saved = self.free
            self.free = True
            self.expr()
            self.free = saved
            self.expect(")")

    def _skim_statement(self, t: tuple[str, int, int, bool]) -> None:
        """`statement` with the values of declarations skipped (`_skip_value`)."""
        if t[0] != "w":
            self.statement()  # a decorator, or not a statement (the parser's error)
            return
        kw = self.text(t)
        column = self._column(t[1])
        start = self.i
        if kw in ("param", "var", "output"):
            self.next()
            self.ident()
            if kw == "output" and self.is_word("resource"):
                self.next()
                self.string_token()
            elif kw != "var" or self.peek()[0] != "=":
                self.type_()
            if kw == "param" and self.peek()[0] != "=":
                return
            self.expect("=")
        elif kw == "resource":
            self.next()
            self.ident()
            self.string_token()
            if self.is_word("existing"):
                self.next()
            self.expect("=")
            self._condition()
        elif kw == "func":
            self.next()
            self.ident()
            self.expect("(")
            saved = self.free
            self.free = True
            while self.peek()[0] != ")":
                self.ident()
                self.type_()
                if self.peek()[0] == ",":
                    self.next()
            self.expect(")")
            self.free = saved
            self.type_()
            self.expect("=>")
        elif kw in ("metadata", "targetScope", "assert"):
            self.next()
            if kw != "targetScope":
                self.expect("w")
            self.expect("=")
        elif kw == "using":
            self.next()
            self.string_token()
            if not self.is_word("with"):
                return
            self.next()
        else:
            self.statement()  # `type`, `import`... : read as the parser reads them
            return
        self._skip_value(start, column)

    def _skip_value(self, start: int, column: int) -> None:
        """Skip the value at the current token of the statement that starts at token `start`, in
        column `column`, to the first token that starts a line outside its brackets: where the parser
        ends the value when it parses, provided that token starts a statement (a keyword or a
        decorator) and the value does not end with an operator. When the value does not parse, the
        parser skips from the statement's second token to the first line that starts with a keyword
        or a decorator no further right than `column`: raises `_Unsure` unless that is the same."""
        toks = self.toks
        data = self.data
        first = self.i
        if toks[first][0] not in _VALUE_STARTS:
            raise _Unsure
        for j in range(start + 1, first + 1):  # the head, and the value's first token
            t = toks[j]
            if t[3] and self._restarts(t, column):
                raise _Unsure
        # Brackets are counted, not matched: a value whose brackets do not match does not parse,
        # and the parser then goes on at a token the checks below compare with the end found here.
        depth = nesters = 0
        ternaries = 0  # `?` outside brackets still waiting for their `:`
        kinds = _SKIP
        for i, t in enumerate(islice(toks, first, None), first):
            k = t[0]
            if depth <= 0:
                if k == "?":
                    ternaries += 1
                elif k == ":":
                    ternaries -= 1
                    if t[3] and ternaries >= 0:
                        continue  # a ternary's `:` starting a line: the value goes on
            if t[3] and i > first:
                if depth > 0:
                    if column == 0:
                        # The usual top-level statement: only a token at the start of its line
                        # may be where the parser goes on.
                        if data[t[1] - 1] == 10 and (
                            k == "@" or (k == "w" and data[t[1] : t[2]] in _STATEMENT_BYTES)
                        ):
                            raise _Unsure
                    elif self._restarts(t, column):
                        raise _Unsure
                elif k not in _GOES_ON:  # else an operator going on with the value
                    last = toks[i - 1][0]
                    # A `!` after an operand is a non-null assertion; any other is a prefix.
                    postfix = last == "!" and toks[i - 2][0] in _VALUE_ENDS
                    restarts = self._restarts(t, column)
                    if last in _OPERAND_NEXT or (last == "!" and not postfix):
                        # The operand of the operator before: the value goes on, as the parser
                        # reads it, unless the parser would go on from this token had it failed.
                        if restarts:
                            raise _Unsure
                    elif (k != "eof" and not restarts) or (last not in _VALUE_ENDS and not postfix):
                        raise _Unsure
                    else:
                        self.i = i
                        return
            a = kinds.get(k)
            if a == 0:
                continue
            if a == 1:
                depth += 1
            elif a == 2:
                depth -= 1
                continue
            elif a == 3:
                nesters += 1
            else:
                raise _Unsure  # not Bicep, an unterminated string, or the file ends inside brackets
            # Each bracket may nest an expression, a chain of binary operators and a few more.
            if depth * 10 + nesters > _SKIP_NESTING:
                raise _Unsure
        raise _Unsure  # unreachable: the tokens end with "eof"

    def _restarts(self, t: tuple[str, int, int, bool], column: int) -> bool:
        """Whether `_recover` would stop at line-starting token `t` after a statement in `column`."""
        k = t[0]
        if k == "@" or (k == "w" and self.data[t[1] : t[2]] in _STATEMENT_BYTES):
            return self._column(t[1]) <= column
        return False


def module_statements(data: bytes, deadline: Any = None) -> list[Node]:
    """The `module` declarations among `parse_bytes(data).statements`, read without building the
    rest of the file when that is safe (see `_ModuleReader`), else by parsing it: nodes with the
    same offsets whose named children are the name and the path (the value is not built). Raises
    what `parse_bytes` raises."""
    p = _ModuleReader(data, False, deadline)
    with _RecursionLimit():
        try:
            try:
                return p.modules()
            except _Unsure:
                pass
            p.i = p.depth = 0
            p.free = False
            statements, _errors = p.file()
        except RecursionError:
            raise TooDeep from None
    return [s for s in statements if s.type == "module_declaration"]
