"""A small tolerant XML reader for API Management policy documents.

Why not ElementTree or defusedxml: `rawxml` policies hold C# policy expressions (`@(...)`,
`@{...}`) with unescaped quotes, `<` and `&&`, which no conforming XML parser accepts. This reader
treats such an expression as opaque text inside attribute values and element text, scanning it with
balanced parentheses/braces and C# string and character literals. It knows elements, attributes
(single or double quotes), text, comments, CDATA and processing instructions; entity references
are limited to the five predefined ones and numeric references (a DTD is an error, so no entity can
expand). It is iterative (depth is bounded by `MAX_DEPTH`, not by Python's recursion limit) and
linear in the input size.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from iaclint.policy.elements import PolicyElement
from iaclint.source import Span

MAX_CHARS = 1_000_000
MAX_DEPTH = 64

_PREDEFINED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_WS = " \t\r\n"
# Characters that end an element or attribute name.
_NAME_END = frozenset(" \t\r\n/>=<\"'")

# Maps a (start, end) character range of the policy text to a template span.
SpanOf = Callable[[int, int], "Span | None"]


class PolicyXmlError(ValueError):
    """Unreadable policy XML; `offset` is where reading stopped in the policy text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def line_of(text: str, offset: int) -> int:
    """1-based line of a character offset."""
    return text.count("\n", 0, max(0, min(offset, len(text)))) + 1


def decode_entities(s: str) -> str:
    """Replace the predefined and numeric character references; anything else stays as written
    (tolerance: a stray `&` in a hand-written policy is not worth refusing the document)."""
    if "&" not in s:
        return s
    out: list[str] = []
    i = 0
    n = len(s)
    while i < n:
        amp = s.find("&", i)
        if amp == -1:
            out.append(s[i:])
            break
        out.append(s[i:amp])
        semi = s.find(";", amp + 1, amp + 12)
        rep: str | None = None
        if semi != -1:
            name = s[amp + 1 : semi]
            rep = _PREDEFINED.get(name)
            if rep is None and name.startswith("#") and len(name) > 1:
                digits, base = (name[2:], 16) if name[1] in "xX" else (name[1:], 10)
                try:
                    code = int(digits, base) if digits else -1
                except ValueError:
                    code = -1
                if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                    rep = chr(code)
        if rep is None:
            out.append("&")
            i = amp + 1
        else:
            out.append(rep)
            i = semi + 1
    return "".join(out)


def skip_expression(text: str, start: int, limit: int) -> int:
    """End (exclusive) of the policy expression at `start` (`@(` or `@{`), scanning no further
    than `limit`. Raises PolicyXmlError when the brackets do not balance before `limit`."""
    depth = 0
    j = start + 1
    while j < limit:
        c = text[j]
        if c == "(" or c == "{":
            depth += 1
        elif c == ")" or c == "}":
            depth -= 1
            if depth == 0:
                return j + 1
        elif c == '"':
            prev = text[j - 1]
            verbatim = prev == "@" or (prev == "$" and text[j - 2] == "@")  # @"..", @$"..", $@".."
            j = _skip_string(text, j, limit, verbatim)
            continue
        elif c == "'":
            # A C# character literal is short ('a', '\n', '\u0041'); an apostrophe that does not
            # close soon is ordinary text.
            close = text.find("'", j + 2 if text[j + 1 : j + 2] == "\\" else j + 1, min(limit, j + 9))
            if close != -1:
                j = close + 1
                continue
        elif c == "/" and j + 1 < limit:
            nxt = text[j + 1]
            if nxt == "/":
                nl = text.find("\n", j, limit)
                j = limit if nl == -1 else nl + 1
                continue
            if nxt == "*":
                close = text.find("*/", j + 2, limit)
                if close == -1:
                    break
                j = close + 2
                continue
        j += 1
    raise PolicyXmlError(f"policy expression on line {line_of(text, start)} has unbalanced brackets", start)


def _expression_at(text: str, j: int, limit: int) -> int:
    """Offset of the first `@(` or `@{` in text[j:limit], or -1."""
    at = text.find("@", j, limit)
    while at != -1 and text[at + 1 : at + 2] not in ("(", "{"):
        at = text.find("@", at + 1, limit)
    return at


def _skip_string(text: str, j: int, limit: int, verbatim: bool) -> int:
    """End (exclusive) of the C# string literal whose opening quote is at `j`."""
    k = j + 1
    if verbatim:
        while True:
            q = text.find('"', k, limit)
            if q == -1:
                break
            if text[q + 1 : q + 2] == '"':  # "" is an escaped quote
                k = q + 2
                continue
            return q + 1
    else:
        while k < limit:
            c = text[k]
            if c == "\\":
                k += 2
                continue
            if c == '"':
                return k + 1
            if c == "\n":
                break
            k += 1
    raise PolicyXmlError(f"string in a policy expression on line {line_of(text, j)} is not closed", j)


class _Open:
    __slots__ = ("attrs", "children", "name", "source", "span", "start", "text")

    def __init__(
        self, name: str, attrs: dict[str, str], start: int, span: Span | None, source: Span | None
    ) -> None:
        self.name = name
        self.attrs = attrs
        self.start = start
        self.span = span
        self.source = source
        self.children: list[PolicyElement] = []
        self.text: list[str] = []

    def close(self) -> PolicyElement:
        text = "".join(self.text).strip()
        return PolicyElement(self.name, self.attrs, tuple(self.children), self.span, text, self.source)


def parse_xml(
    text: str, expressions: bool, span_of: SpanOf, source_of: SpanOf | None = None
) -> PolicyElement:
    """The root element of `text`. With `expressions`, `@(...)`/`@{...}` are opaque (rawxml);
    without, the text must be XML apart from tolerated stray `&`. `span_of` gives each element's
    `span`, `source_of` (when the text is a file's content) its `source`. Raises PolicyXmlError."""
    if len(text) > MAX_CHARS:
        raise PolicyXmlError(f"policy is larger than {MAX_CHARS // 1_000_000} MB", 0)
    n = len(text)
    stack: list[_Open] = []
    root: PolicyElement | None = None
    i = 0
    find = text.find

    def err(msg: str, at: int) -> PolicyXmlError:
        return PolicyXmlError(f"{msg} (line {line_of(text, at)})", at)

    def add_text(chunk: str, at: int) -> None:
        if stack:
            stack[-1].text.append(chunk)
        elif chunk.strip(" \t\r\n\ufeff"):  # a byte order mark from a loaded file is not text
            raise err("text outside the root element", at)

    while i < n:
        # -- character data up to the next tag ---------------------------------------------------
        lt = find("<", i)
        if lt == -1:
            lt = n
        if expressions:
            j = i
            while True:
                at = _expression_at(text, j, lt)
                if at == -1:
                    if j < lt:
                        add_text(decode_entities(text[j:lt]), j)
                    break
                if j < at:
                    add_text(decode_entities(text[j:at]), j)
                end = skip_expression(text, at, n)
                add_text(text[at:end], at)
                j = end
                if end > lt:
                    lt = find("<", end)
                    if lt == -1:
                        lt = n
        elif i < lt:
            add_text(decode_entities(text[i:lt]), i)
        if lt >= n:
            break
        i = lt
        # -- markup -------------------------------------------------------------------------------
        c1 = text[i + 1] if i + 1 < n else ""
        if c1 == "!" and text.startswith("<!--", i):
            end = find("-->", i + 4)
            if end == -1:
                raise err("comment is not closed", i)
            i = end + 3
            continue
        if c1 == "!" and text.startswith("<![CDATA[", i):
            end = find("]]>", i + 9)
            if end == -1:
                raise err("CDATA section is not closed", i)
            add_text(text[i + 9 : end], i)
            i = end + 3
            continue
        if c1 == "!":
            word = text[i + 2 : i + 9].upper()
            if word.startswith(("DOCTYPE", "ENTITY", "ELEMENT", "ATTLIST")):
                raise err("DTDs are not allowed", i)
            raise err("unexpected '<!' markup", i)
        if c1 == "?":
            end = find("?>", i + 2)
            if end == -1:
                raise err("processing instruction is not closed", i)
            i = end + 2
            continue
        if c1 == "/":
            j = i + 2
            while j < n and text[j] not in _NAME_END:
                j += 1
            name = text[i + 2 : j]
            while j < n and text[j] in _WS:
                j += 1
            if j >= n or text[j] != ">":
                raise err(f"closing tag </{name}> is not closed with '>'", i)
            if not stack:
                raise err(f"closing tag </{name}> without an opening tag", i)
            top = stack[-1]
            if top.name != name:
                opened_on = line_of(text, top.start)
                raise err(f"closing tag </{name}> does not match <{top.name}> opened on line {opened_on}", i)
            stack.pop()
            done = top.close()
            if stack:
                stack[-1].children.append(done)
            else:
                root = done
            i = j + 1
            continue
        # -- start tag ----------------------------------------------------------------------------
        if root is not None:
            raise err("a second root element", i)
        j = i + 1
        while j < n and text[j] not in _NAME_END:
            j += 1
        name = text[i + 1 : j]
        if not name:
            raise err("'<' is not followed by an element name", i)
        attrs: dict[str, str] = {}
        closed = False
        while True:
            while j < n and text[j] in _WS:
                j += 1
            if j >= n:
                raise err(f"start tag <{name}> is not closed", i)
            c = text[j]
            if c == ">":
                j += 1
                break
            if c == "/":
                if text.startswith("/>", j):
                    j += 2
                    closed = True
                    break
                raise err(f"unexpected '/' in start tag <{name}>", j)
            a = j
            while j < n and text[j] not in _NAME_END:
                j += 1
            aname = text[a:j]
            if not aname:
                raise err(f"unexpected {text[j]!r} in start tag <{name}>", j)
            while j < n and text[j] in _WS:
                j += 1
            if j >= n or text[j] != "=":
                raise err(f"attribute {aname} of <{name}> has no value", a)
            j += 1
            while j < n and text[j] in _WS:
                j += 1
            if j >= n or text[j] not in "\"'":
                raise err(f"attribute {aname} of <{name}> is not quoted", a)
            quote = text[j]
            j, value = _attribute_value(text, j + 1, quote, expressions, err, aname)
            attrs[aname] = value
        opened = _Open(name, attrs, i, span_of(i, j), None if source_of is None else source_of(i, j))
        if closed:
            done = opened.close()
            if stack:
                stack[-1].children.append(done)
            else:
                root = done
        else:
            if len(stack) >= MAX_DEPTH:
                raise err(f"elements nested deeper than {MAX_DEPTH}", i)
            stack.append(opened)
        i = j
    if stack:
        top = stack[-1]
        raise err(f"element <{top.name}> is not closed", top.start)
    if root is None:
        raise PolicyXmlError("policy has no root element", 0)
    return root


def _attribute_value(
    text: str,
    j: int,
    quote: str,
    expressions: bool,
    err: Callable[[str, int], PolicyXmlError],
    aname: str,
) -> tuple[int, str]:
    """(offset after the closing quote, decoded value) of an attribute value starting at `j`."""
    n = len(text)
    parts: list[str] = []
    start = j
    while True:
        q = text.find(quote, j)
        if q == -1:
            raise err(f"value of attribute {aname} is not closed", start)
        if expressions:
            at = _expression_at(text, j, q)
            if at != -1:
                parts.append(decode_entities(text[j:at]))
                end = skip_expression(text, at, n)
                parts.append(text[at:end])
                j = end
                continue
        parts.append(decode_entities(text[j:q]))
        return q + 1, "".join(parts)


def offset_lines(text: str) -> list[int]:
    """Offsets where each line of `text` starts."""
    starts = [0]
    pos = text.find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def line_col(starts: list[int], offset: int) -> tuple[int, int]:
    """0-based (line, column) of an offset, given `offset_lines`."""
    li = bisect_right(starts, offset) - 1
    return li, offset - starts[li]
