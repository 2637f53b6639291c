"""The ARM template expression language `[...]`: a tokenizer and a recursive-descent parser.

Grammar (from the ARM template syntax reference):

    expression := primary ( '.' name | '.?' name | '[' expression ']' )*
    primary    := string | number | name ( '.' name )? '(' [ expression ( ',' expression )* ] ')'
    string     := "'" ( any but "'" | "''" )* "'"

A JSON string is an expression when it starts with `[` and ends with `]`; `[[` escapes a literal `[`.
The parser produces small tuples: ("str", s) ("num", n) ("call", name, args) ("member", obj, name,
safe) ("index", obj, expr, safe).
"""

from __future__ import annotations

from typing import Any

from iaclint.budget import LIMITS


class ExpressionError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} at character {offset + 1} of the expression")
        self.offset = offset


def is_expression(s: str) -> bool:
    return len(s) >= 2 and s[0] == "[" and s[-1] == "]" and not s.startswith("[[")


def literal(s: str) -> str:
    """A string that is not an expression: `[[x]` stands for `[x]`."""
    return s[1:] if s.startswith("[[") else s


# Function and namespace names are short; a longer one is no name ARM knows (and would be repeated
# in every message about the call).
_MAX_NAME = 128


def _digit(c: str) -> bool:
    return len(c) == 1 and "0" <= c <= "9"


def _number(text: str, offset: int) -> int | float:
    if text.count(".") > 1 or text.endswith("."):
        raise ExpressionError("malformed number", offset)
    if len(text) > 30:
        # ARM numbers are 64-bit; Python's int() refuses thousands of digits anyway.
        raise ExpressionError("number too long", offset)
    return float(text) if "." in text else int(text)


def _tokenize(src: str) -> list[tuple[str, Any, int]]:
    toks: list[tuple[str, Any, int]] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c in " \t\r\n":
            i += 1
        elif c == "'":
            j = i + 1
            parts = []
            while True:
                k = src.find("'", j)
                if k < 0:
                    raise ExpressionError("unterminated string", i)
                parts.append(src[j:k])
                if src[k + 1 : k + 2] == "'":
                    parts.append("'")
                    j = k + 2
                    continue
                j = k + 1
                break
            toks.append(("str", "".join(parts), i))
            i = j
        elif _digit(c) or (c == "-" and _digit(src[i + 1 : i + 2])):
            j = i + 1
            while j < n and (_digit(src[j]) or src[j] == "."):
                j += 1
            toks.append(("num", _number(src[i:j], i), i))
            i = j
        elif c.isalpha() or c == "_":
            j = i + 1
            while j < n and (src[j].isalnum() or src[j] == "_"):
                j += 1
            if j - i > _MAX_NAME:
                raise ExpressionError("name too long", i)
            toks.append(("name", src[i:j], i))
            i = j
        elif src.startswith(".?", i):
            toks.append(("op", ".?", i))
            i += 2
        elif c in "()[],.?":
            toks.append(("op", c, i))
            i += 1
        else:
            raise ExpressionError(f"unexpected {c!r}", i)
    toks.append(("end", None, n))
    return toks


class _Parser:
    def __init__(self, src: str, max_depth: int) -> None:
        self.toks = _tokenize(src)
        self.i = 0
        self.max_depth = max_depth

    def peek(self) -> tuple[str, Any, int]:
        return self.toks[self.i]

    def take(self, kind: str, value: Any = None) -> tuple[str, Any, int]:
        tok = self.toks[self.i]
        if tok[0] != kind or (value is not None and tok[1] != value):
            raise ExpressionError(f"expected {value or kind}", tok[2])
        self.i += 1
        return tok

    def expression(self, depth: int = 0) -> tuple:
        if depth > self.max_depth:
            raise ExpressionError("expression nested too deeply", self.peek()[2])
        node = self.primary(depth)
        while True:
            kind, val, _ = self.peek()
            if kind == "op" and val in (".", ".?"):
                self.i += 1
                name = self.take("name")[1]
                node = ("member", node, name, val == ".?")
            elif kind == "op" and val == "[":
                self.i += 1
                safe = False
                if self.peek()[0] == "op" and self.peek()[1] == "?":
                    safe = True
                    self.i += 1
                idx = self.expression(depth + 1)
                self.take("op", "]")
                node = ("index", node, idx, safe)
            else:
                return node

    def primary(self, depth: int) -> tuple:
        kind, val, pos = self.peek()
        if kind == "str":
            self.i += 1
            return ("str", val)
        if kind == "num":
            self.i += 1
            return ("num", val)
        if kind == "name":
            self.i += 1
            name = val
            if self.peek()[:2] == ("op", "."):
                # A user-defined function lives in a namespace: `ns.fn(...)`.
                self.i += 1
                name = f"{name}.{self.take('name')[1]}"
            self.take("op", "(")
            args = []
            if self.peek()[:2] != ("op", ")"):
                args.append(self.expression(depth + 1))
                while self.peek()[:2] == ("op", ","):
                    self.i += 1
                    args.append(self.expression(depth + 1))
            self.take("op", ")")
            return ("call", name, args)
        raise ExpressionError("expected a value", pos)


def parse_expression(s: str, max_depth: int = LIMITS.depth) -> tuple:
    """Parse the text of an expression string (with its brackets). Raises ExpressionError, also for
    nesting deeper than `max_depth`."""
    p = _Parser(s[1:-1], max_depth)
    node = p.expression()
    if p.peek()[0] != "end":
        raise ExpressionError("unexpected text after the expression", p.peek()[2])
    return node
