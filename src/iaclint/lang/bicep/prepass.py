"""Rewrite Bicep the tree-sitter grammar (1.1.0, 2024-12) does not know into text it does, in place.

The grammar lags the language. Rather than lose whole files, the constructs it cannot read are
rewritten byte for byte (same length, newlines kept), so every offset, line and column the parser
reports is still right for the original text:

- non-null assertions `x!` (postfix): blanked, they do not change a value;
- spreads `...x`: blanked in arrays, turned into a property `__:x` in objects; the offsets are
  recorded in `spreads` so the evaluator merges them instead of reading a property `__`;
- typed variables `var x string = ...`: the type is blanked;
- `resourceInput<'T@v'>.path` / `resourceOutput<...>` types: replaced by `object`;
- `param x customType?`: the `?` is blanked (see `_NULLABLE_TYPE`);
- `output x resource 'T@v' = ...`: the `resource` keyword is blanked (the type string remains);
- `extension ...` statements: blanked (they declare providers, nothing iaclint evaluates);
- `import {` lists over several lines (one name a line, no commas: the grammar wants commas):
  blanked (imported types and functions are not evaluated; the one-line forms parse and stay).

The scan knows strings (with `${}` interpolation), multi-line strings and comments, so nothing
inside them is touched.
"""

from __future__ import annotations

import re

from iaclint.records import record

# Things the scan must see: string and comment starts (to skip them), brackets (to know whether a
# spread sits in an object or an array, and where an interpolation ends), and the constructs above.
# A whole one-line string without interpolation and a whole line comment are matched in one step:
# they are most of what the scan meets, and need nothing done. So is a `(...)` or `[...]` with no
# string, comment, bracket, `!` or spread inside (`empty(x)`, `[a, b]`): nothing in it can be
# rewritten (the keyword rewrites apply only outside brackets), and it leaves the bracket stack as
# it was.
_SIMPLE_GROUP = rb"(?:[^'(){}\[\]/!.]|\.(?!\.\.))*+"
_TRIGGER = re.compile(
    rb"'''|'[^'\\$\n]*(?:(?:\\.|\$(?!\{))[^'\\$\n]*)*'|'|//[^\n]*|/\*|\.\.\.|!"
    rb"|\(" + _SIMPLE_GROUP + rb"\)|\[" + _SIMPLE_GROUP + rb"\]|[{}\[\]()]"
    rb"|\b(?:var|param|output|extension|import|resourceInput|resourceOutput)\b"
)
# `import {` whose list goes on past the line (see the module docstring).
_MULTILINE_IMPORT = re.compile(rb"[ \t]*+\{[^}\n]*+\n")
_OPEN = frozenset(b"{[(")
# The rest of a single-quoted string segment: stops at the closing quote or at `${`.
_STRING_BODY = re.compile(rb"[^'\\$\n]*(?:(?:\\.|\$(?!\{))[^'\\$\n]*)*")
_IDENT = re.compile(rb"[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*")
# `param x someType?`: the grammar reads on past a nullable user-defined type into the next
# statement, so the `?` is blanked (nullability does not change what iaclint evaluates).
_NULLABLE_TYPE = re.compile(rb"[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]+[A-Za-z_][A-Za-z0-9_.]*(\?)")
_OUTPUT_RESOURCE = re.compile(rb"[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]+(resource)\b")
_TYPE_TAIL = re.compile(rb"(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\*\]|\[[0-9]+\])*")
_POSTFIX_BEFORE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_)]'")


@record(frozen=True)
class Prepassed:
    data: bytes
    # Byte offsets where a spread's node starts after the rewrite: the `__` key in an object, the
    # expression in an array.
    spreads: frozenset[int]
    changed: bool


def _blank(buf: bytearray, start: int, end: int) -> None:
    for i in range(start, end):
        if buf[i] not in (10, 13):
            buf[i] = 32


def _at_statement_start(data: bytes, pos: int) -> bool:
    """True when only blanks precede `pos` on its line (a statement keyword, not a property)."""
    i = pos - 1
    while i >= 0 and data[i] in (32, 9):
        i -= 1
    return i < 0 or data[i] in (10, 13)


# What `_may_rewrite` looks for: each is necessary (not sufficient) for a rewrite in `prepass`.
_MAYBE_DECL = re.compile(
    rb"(?m)^[ \t]*+(?:var[ \t]++\w++[ \t]*+[^=\n]"
    rb"|(?:param|output)[ \t]++\w++[ \t]++(?:resource\b|[A-Za-z_][\w.]*+\?))"
)
_MAYBE_IMPORT = re.compile(rb"(?m)^[ \t]*+import[ \t]*+\{[^}\n]*+\n")
_MAYBE_POSTFIX = re.compile(rb"!(?!=)")
_LONE_CR = re.compile(rb"\r(?!\n)")


def _may_rewrite(data: bytes) -> bool:
    """False when the scan in `prepass` would change nothing, checked at C speed: about half of real
    Bicep (by bytes) uses none of the constructs the grammar lacks. Ignores strings and comments, so
    it may say True for nothing; it never says False when the scan would rewrite something."""
    if b"..." in data or b"extension" in data or b"resourceInput" in data or b"resourceOutput" in data:
        return True
    if b"\r" in data and _LONE_CR.search(data):
        return True  # a lone CR starts a line for the scan, not for `^` below
    if _MAYBE_DECL.search(data) or (b"import" in data and _MAYBE_IMPORT.search(data)):
        return True
    for m in _MAYBE_POSTFIX.finditer(data):
        i = m.start() - 1
        while i >= 0 and data[i] in (32, 9):
            i -= 1
        if i >= 0 and data[i] in _POSTFIX_BEFORE:
            return True
    return False


def prepass(data: bytes, params_file: bool = False) -> Prepassed:
    """Rewrite `data`; with `params_file` (a `.bicepparam`), `param x = v` becomes `var   x = v`,
    which the grammar reads (it has no rule for assignments without a type)."""
    if not params_file and not _may_rewrite(data):
        return Prepassed(data, frozenset(), False)
    buf: bytearray | None = None
    spreads: set[int] = set()
    stack: list[int] = []  # open bracket bytes; 0 marks a string interpolation `${`
    n = len(data)
    pos = 0
    # Where the last search for the `>` closing a `resourceInput<` gave up: a later one that
    # starts before it would give up there too. Without this, a line of `resourceInput<` over and
    # over is scanned to its end once per occurrence (100 KB took 30 s).
    no_close_before = -1
    search = _TRIGGER.search
    while pos < n:
        m = search(data, pos)
        if m is None:
            break
        tok = m.group()
        start, pos = m.start(), m.end()
        first = tok[0]
        if first == 39:  # a quote
            if tok == b"'''":
                end = data.find(b"'''", pos)
                pos = n if end < 0 else end + 3
            elif len(tok) == 1:  # a string with an interpolation, or unterminated
                pos = _string_rest(data, pos, stack)
            # else: a whole plain string, already skipped
        elif first in _OPEN:
            if len(tok) == 1:
                stack.append(first)
            # else: a whole simple group, already skipped
        elif tok[:2] == b"//":
            pass  # the whole line comment is matched, up to its line break
        elif tok == b"/*":
            end = data.find(b"*/", pos)
            pos = n if end < 0 else end + 2
        elif tok == b"}":
            top = stack.pop() if stack else None
            if top == 0:  # end of an interpolation: the string goes on
                pos = _string_rest(data, pos, stack)
        elif tok in (b"]", b")"):
            if stack:
                stack.pop()
        elif tok == b"!":
            i = start - 1
            while i >= 0 and data[i] in (32, 9):
                i -= 1
            if i >= 0 and data[i] in _POSTFIX_BEFORE and data[pos : pos + 1] != b"=":
                buf = buf if buf is not None else bytearray(data)
                buf[start] = 32
        elif tok == b"...":
            buf = buf if buf is not None else bytearray(data)
            if stack and stack[-1] == ord("{"):
                buf[start : start + 3] = b"__:"
                spreads.add(start)
            else:
                buf[start : start + 3] = b"   "
                j = pos
                while j < n and data[j] in (32, 9, 10, 13):
                    j += 1
                spreads.add(j)
        elif tok == b"var":
            if not stack and _at_statement_start(data, start):
                im = _IDENT.match(data, pos)
                if im is not None and data[im.end() : im.end() + 1] not in (b"=", b""):
                    eq = _find_assignment(data, im.end())
                    if eq > 0:
                        buf = buf if buf is not None else bytearray(data)
                        _blank(buf, im.end(), eq)
                        pos = eq
        elif tok == b"param" and params_file:
            if not stack and _at_statement_start(data, start):
                buf = buf if buf is not None else bytearray(data)
                buf[start : start + 5] = b"var  "
        elif tok in (b"param", b"output"):
            if not stack and _at_statement_start(data, start):
                om = _OUTPUT_RESOURCE.match(data, pos) if tok == b"output" else None
                nm = om or _NULLABLE_TYPE.match(data, pos)
                if om is not None:
                    buf = buf if buf is not None else bytearray(data)
                    _blank(buf, om.start(1), om.end(1))
                    pos = om.end()
                elif nm is not None:
                    buf = buf if buf is not None else bytearray(data)
                    buf[nm.start(1)] = 32
                    pos = nm.end()
        elif tok == b"import":
            if not stack and _at_statement_start(data, start) and _MULTILINE_IMPORT.match(data, pos):
                end = _import_end(data, pos)
                buf = buf if buf is not None else bytearray(data)
                _blank(buf, start, end)
                pos = end
        elif tok == b"extension":
            if not stack and _at_statement_start(data, start):
                end = _statement_end(data, pos)
                buf = buf if buf is not None else bytearray(data)
                _blank(buf, start, end)
                pos = end
        elif pos >= no_close_before:  # resourceInput / resourceOutput
            end = _type_args_end(data, pos)
            if end < 0:
                no_close_before = -end
            else:
                end = _TYPE_TAIL.match(data, end).end()
                buf = buf if buf is not None else bytearray(data)
                _blank(buf, start, end)
                buf[start : start + 6] = b"object"
                pos = end
    if buf is None:
        return Prepassed(data, frozenset(spreads), False)
    return Prepassed(bytes(buf), frozenset(spreads), True)


def _string_rest(data: bytes, pos: int, stack: list[int]) -> int:
    """Skip the rest of a single-quoted string segment; at `${` push an interpolation marker."""
    pos = _STRING_BODY.match(data, pos).end()
    if data[pos : pos + 2] == b"${":
        stack.append(0)
        return pos + 2
    if data[pos : pos + 1] == b"'":
        return pos + 1
    return pos  # unterminated: let the parser report it


def _find_assignment(data: bytes, pos: int) -> int:
    """Offset of the `=` that ends a variable's type, skipping strings; -1 if the line has none."""
    n = len(data)
    while pos < n:
        c = data[pos]
        if c == 10:
            return -1
        if c == 39:  # a quoted literal type
            end = data.find(b"'", pos + 1)
            if end < 0:
                return -1
            pos = end + 1
            continue
        if c == 61:
            return pos
        pos += 1
    return -1


def _statement_end(data: bytes, pos: int) -> int:
    """End of a one-line statement, or of its `{...}` block when one opens on the line."""
    n = len(data)
    depth = 0
    while pos < n:
        c = data[pos]
        if c == 39:
            end = data.find(b"'", pos + 1)
            pos = n if end < 0 else end + 1
            continue
        if c == 123:
            depth += 1
        elif c == 125:
            depth -= 1
        elif c == 10 and depth <= 0:
            return pos
        pos += 1
    return n


def _import_end(data: bytes, pos: int) -> int:
    """End of the line holding the `}` that closes an import list (comments in it skipped)."""
    n = len(data)
    while pos < n:
        c = data[pos]
        if data.startswith(b"//", pos):
            end = data.find(b"\n", pos)
            pos = n if end < 0 else end
            continue
        if data.startswith(b"/*", pos):
            end = data.find(b"*/", pos + 2)
            pos = n if end < 0 else end + 2
            continue
        if c == 125:
            end = data.find(b"\n", pos)
            return n if end < 0 else end
        pos += 1
    return n


def _type_args_end(data: bytes, pos: int) -> int:
    """Offset after the `<...>` following resourceInput/resourceOutput; when there is none, minus
    the offset where the search stopped (at most the end of the line, or of a quoted string)."""
    i = pos
    n = len(data)
    while i < n and data[i] in (32, 9):
        i += 1
    if data[i : i + 1] != b"<":
        return -i
    i += 1
    while i < n:
        c = data[i]
        if c == 39:
            end = data.find(b"'", i + 1)
            if end < 0:
                return -n
            i = end + 1
            continue
        if c == 62:
            return i + 1
        if c == 10:
            return -i
        i += 1
    return -n
