"""A JSON reader that keeps positions: every node becomes a `Value` with the `Span` it occupies.

Used for CloudFormation JSON templates, ARM templates and Terraform plans, where findings must point
at the exact line and column. The standard library's `json` module loses positions, so this is a
small iterative scanner of its own (iterative so that nesting depth is bounded by `max_depth`, not
by Python's recursion limit). String bodies are decoded by `json.decoder.scanstring` (C-accelerated)
and numbers are matched with the same token pattern the stdlib scanner uses, so accepted inputs and
results agree with `json.loads` except that NaN/Infinity are rejected (they are not JSON).

Spans: scalars span their token (strings include their quotes); objects and arrays span their
brackets. A member of an object spans from its key's opening quote to the end of its value, so a
finding on a property points at the key, as cfn-lint does. The document root spans itself.
"""

from __future__ import annotations

import re
from json import JSONDecodeError
from json.decoder import scanstring

from iaclint.source import SourceText, Span
from iaclint.values import State, Value

__all__ = ["JsonError", "JsonLimit", "parse_json"]

_WS = re.compile(r"[ \t\n\r]*")
# The stdlib scanner's number token, with ASCII digits only (\d would accept other scripts' digits).
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_KNOWN = State.KNOWN


class JsonError(ValueError):
    """Invalid JSON, with the 1-based line and character column where reading stopped."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{message} (line {line}, column {column})")
        self.message = message
        self.line = line
        self.column = column


class JsonLimit(JsonError):
    """JSON that may well be valid, refused for its nesting (`max_depth`) or its number of values
    (`max_values`)."""


def _error_at(text: str, pos: int, message: str, kind: type[JsonError] = JsonError) -> JsonError:
    pos = max(0, min(pos, len(text)))
    line = text.count("\n", 0, pos) + 1
    start = text.rfind("\n", 0, pos) + 1
    return kind(message, line, pos - start + 1)


def _describe(text: str, pos: int) -> str:
    if pos >= len(text):
        return "end of file"
    return repr(text[pos])


def parse_json(
    source: SourceText,
    max_depth: int = 512,
    duplicates: list[tuple[str, Span]] | None = None,
    max_values: int | None = None,
    arm: bool = False,
) -> Value:
    """Parse `source.text` into a known `Value` tree with spans.

    Duplicate keys keep the last value (as `json.loads` does); when `duplicates` is given, each
    repeated key is appended to it with the span of its later occurrence's key. Raises `JsonError`
    for invalid JSON, and its subclass `JsonLimit` for nesting deeper than `max_depth` containers
    or more than `max_values` values in all (a value costs some 200 bytes: 20 MB of `[0,0,...]`
    would take 2 GB).

    `arm`: the JSON dialect Azure Resource Manager templates are written in, which allows `//` and
    `/* */` comments between tokens and line breaks inside strings (multi-line expressions).
    """
    text = source.text
    path = source.path
    n = len(text)
    ws_match = _WS.match
    num_match = _NUMBER.match
    line = 1
    ls = 0  # offset where the current line starts

    def lines_in(start: int, end: int) -> None:
        nonlocal line, ls
        nl = text.rfind("\n", start, end)
        if nl != -1:
            line += text.count("\n", start, end)
            ls = nl + 1

    def skip(pos: int) -> int:
        # Only whitespace (and, in the ARM dialect, comments and strings) can hold a newline, so
        # line tracking looks at what is skipped there.
        end = ws_match(text, pos).end()
        while arm and text.startswith("/", end):
            if text.startswith("//", end):
                stop = text.find("\n", end)
                stop = n if stop == -1 else stop
            elif text.startswith("/*", end):
                stop = text.find("*/", end + 2)
                if stop == -1:
                    raise _error_at(text, end, "unterminated comment")
                stop += 2
            else:
                break
            end = ws_match(text, stop).end()
        if end != pos:
            lines_in(pos, end)
        return end

    def string_at(pos: int) -> tuple[str, int]:
        """The string whose opening quote is at `pos`, and the offset after its closing quote."""
        try:
            s, end = scanstring(text, pos + 1, not arm)
        except JSONDecodeError as exc:
            raise _error_at(text, exc.pos, exc.msg) from None
        if arm:
            lines_in(pos, end)
        return s, end

    def read_key(pos: int) -> tuple[str, int, int, int, int]:
        """At a key's opening quote: (key, line, column, end column, offset after the colon + ws)."""
        if pos >= n or text[pos] != '"':
            found = _describe(text, pos)
            raise _error_at(text, pos, f"expected a property name in double quotes, found {found}")
        kline, kcol = line, pos - ls + 1
        key, pos = string_at(pos)
        kend = pos - ls + 1
        pos = skip(pos)
        if pos >= n or text[pos] != ":":
            raise _error_at(text, pos, f"expected ':' after property name, found {_describe(text, pos)}")
        return key, kline, kcol, kend, skip(pos + 1)

    # Frames of open containers:
    # [container, is_object, start line, start column, key, key line, key column, key end column]
    stack: list[list] = []
    values_left = max_values if max_values is not None else n + 1  # a value takes a character
    pos = skip(0)
    # Where the value about to be read starts (an object member starts at its key).
    sl, sc = line, pos - ls + 1
    while True:
        # -- read one value starting at pos ----------------------------------------------------
        if pos >= n:
            raise _error_at(text, pos, "expected a value, found end of file")
        values_left -= 1
        if values_left < 0:
            raise _error_at(text, pos, f"document larger than {max_values:,} values", JsonLimit)
        c = text[pos]
        if c == "{" or c == "[":
            if len(stack) >= max_depth:
                raise _error_at(text, pos, f"nesting deeper than {max_depth} levels", JsonLimit)
            is_obj = c == "{"
            pos = skip(pos + 1)
            close = "}" if is_obj else "]"
            if pos < n and text[pos] == close:
                pos += 1
                value = Value(_KNOWN, {} if is_obj else [], Span(path, sl, sc, line, pos - ls + 1))
            elif is_obj:
                key, kl, kc, ke, pos = read_key(pos)
                stack.append([{}, True, sl, sc, key, kl, kc, ke])
                sl, sc = kl, kc
                continue
            else:
                stack.append([[], False, sl, sc, None, 0, 0, 0])
                sl, sc = line, pos - ls + 1
                continue
        elif c == '"':
            s, pos = string_at(pos)
            value = Value(_KNOWN, s, Span(path, sl, sc, line, pos - ls + 1))
        elif c == "t" and text.startswith("true", pos):
            pos += 4
            value = Value(_KNOWN, True, Span(path, sl, sc, line, pos - ls + 1))
        elif c == "f" and text.startswith("false", pos):
            pos += 5
            value = Value(_KNOWN, False, Span(path, sl, sc, line, pos - ls + 1))
        elif c == "n" and text.startswith("null", pos):
            pos += 4
            value = Value(_KNOWN, None, Span(path, sl, sc, line, pos - ls + 1))
        else:
            m = num_match(text, pos)
            if m is None:
                if text.startswith(("NaN", "Infinity", "-Infinity"), pos):
                    raise _error_at(text, pos, "NaN and Infinity are not valid JSON")
                raise _error_at(text, pos, f"expected a value, found {_describe(text, pos)}")
            integer, frac, exp = m.groups()
            number: int | float | str
            try:
                number = float(m.group()) if frac or exp else int(integer)
            except ValueError:
                # int() refuses more than sys.get_int_max_str_digits() digits. No property takes
                # such a number: it is kept as its exact text (as the YAML reader does).
                number = m.group()
            pos = m.end()
            value = Value(_KNOWN, number, Span(path, sl, sc, line, pos - ls + 1))

        # -- hand the finished value to its container, closing containers as they end ---------
        while True:
            if not stack:
                pos = skip(pos)
                if pos != n:
                    raise _error_at(text, pos, f"unexpected {_describe(text, pos)} after the JSON value")
                return value
            frame = stack[-1]
            container = frame[0]
            pos = skip(pos)
            if frame[1]:
                key = frame[4]
                if duplicates is not None and key in container:
                    duplicates.append((key, Span(path, frame[5], frame[6], frame[5], frame[7])))
                container[key] = value
                if pos < n and text[pos] == ",":
                    key, kl, kc, ke, pos = read_key(skip(pos + 1))
                    frame[4], frame[5], frame[6], frame[7] = key, kl, kc, ke
                    sl, sc = kl, kc
                    break
                if pos < n and text[pos] == "}":
                    pos += 1
                else:
                    found = _describe(text, pos)
                    raise _error_at(text, pos, f"expected ',' or '}}' in object, found {found}")
            else:
                container.append(value)
                if pos < n and text[pos] == ",":
                    pos = skip(pos + 1)
                    sl, sc = line, pos - ls + 1
                    break
                if pos < n and text[pos] == "]":
                    pos += 1
                else:
                    raise _error_at(text, pos, f"expected ',' or ']' in array, found {_describe(text, pos)}")
            stack.pop()
            value = Value(_KNOWN, container, Span(path, frame[2], frame[3], line, pos - ls + 1))
