"""`read_policy`: a policy document from the template value that holds it, with element positions
mapped back into the template where the geometry of the string literal allows it."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

from iaclint.policy.elements import SECTIONS, PolicyDocument, PolicyElement, Section
from iaclint.policy.xmlread import PolicyXmlError, line_col, offset_lines, parse_xml
from iaclint.source import Span
from iaclint.values import Value, covers_text, is_read_mark

LINK_REASON = "policy is loaded from a URL at deploy time"
_LINK_FORMATS = ("xml-link", "rawxml-link")


def read_fragment(text: Value, fmt: str = "xml") -> PolicyDocument:
    """Read a policy fragment (`service/policyFragments`, `azurerm_api_management_policy_fragment`):
    a document whose `root` is `<fragment>` holding policy elements, with no sections."""
    return read_policy(text, fmt, root_name="fragment")


def read_policy(text: Value, fmt: str = "xml", root_name: str = "policies") -> PolicyDocument:
    """Read a policy document.

    `text` is the template value holding the document: ARM/Bicep `properties.value` (with `fmt` from
    `properties.format`: `xml`, `rawxml`, `xml-link`, `rawxml-link`), Terraform `xml_content`
    (`fmt="rawxml"` or the default) or `xml_link` (`fmt="xml-link"`). Links and unknown values give an
    unknown document; unreadable XML gives `error`. Never raises for any string input.
    """
    span = text.span
    f = (fmt or "xml").strip().lower()
    if f in _LINK_FORMATS:
        return PolicyDocument({}, unknown=LINK_REASON, span=span)
    if text.is_unknown:
        return PolicyDocument({}, unknown=text.reason or "policy text is unknown", span=span)
    if text.is_null:
        return PolicyDocument({}, unknown="policy has no content", span=span)
    if not isinstance(text.data, str):
        return PolicyDocument({}, error="policy value is not a string", span=span)
    body: str = text.data
    span_of = _span_mapper(text, body)
    # Read from a file (see values.read_mark): the document knows the file, and where each element
    # sits in it when the text is the file's content as it is.
    mark = next((s for s in text.via if is_read_mark(s)), None)
    start = None if mark is None else Span.point(mark.path, 1)
    source_of = _in_file(mark.path, body) if mark is not None and covers_text(mark, body) else None
    # `rawxml` holds policy expressions unescaped; `xml` should hold them escaped, but hand-written
    # templates mix the two up, so the other reading is tried before giving up.
    prefer_raw = f != "xml"
    try:
        root = parse_xml(body, prefer_raw, span_of, source_of)
    except PolicyXmlError as first:
        try:
            root = parse_xml(body, not prefer_raw, span_of, source_of)
        except PolicyXmlError:
            return PolicyDocument({}, error=first.message, span=span, source=start)
    if root.name != root_name:
        why = f"root element is <{root.name}>, expected <{root_name}>"
        return PolicyDocument({}, error=why, span=span, source=start)
    source = root.source or start
    sections: dict[str, Section] = {}
    if root_name != "policies":
        return PolicyDocument(sections, span=span, root=root, source=source)
    for el in root.children:
        if el.name in SECTIONS and el.name not in sections:
            has_base = any(c.name == "base" for c in el.children)
            sections[el.name] = Section(el.name, has_base, el.children)
    return PolicyDocument(sections, span=span, root=root, source=source)


def _in_file(path: str, body: str) -> Callable[[int, int], Span | None]:
    """A function from a character range of `body`, the whole content of the file `path`, to the
    span in that file (a byte order mark the reader kept takes no column)."""
    starts = offset_lines(body)
    bom = 1 if body.startswith("\ufeff") else 0

    def at(offset: int) -> tuple[int, int]:
        li, col = line_col(starts, offset)
        return li + 1, col + 1 - (bom if li == 0 and col > 0 else 0)

    def span_of(start: int, end: int) -> Span:
        sl, sc = at(start)
        el, ec = at(end)
        return Span(path, sl, sc, el, ec)

    return span_of


def _span_mapper(value: Value, body: str) -> Callable[[int, int], Span | None]:
    """A function from a character range of `body` to a template span.

    The value's own span is tried first, then the places it came from (`via`, innermost last: the
    string literal where a variable was defined). A candidate fits when its shape matches the text:
    - a heredoc or a Bicep `'''` string whose content starts on the next line: the span has two more
      lines than the text has line breaks, and text lines map to template lines one to one;
    - a multi-line literal whose content starts on its first line: one more line than line breaks;
    - a single-line literal (JSON, Bicep '...', HCL "..."): long enough to hold the text with its
      escapes; the text is placed so that it ends just before the closing quote (the start of a
      JSON member's span is its key, so the end is the reliable anchor). Escapes are counted
      approximately (control characters, backslash and the quote character take two).
    Otherwise every element gets the value's span.
    """
    fallback = value.span
    breaks = body.count("\n")
    # A read mark is the file, not a literal in the template (see `_in_file`).
    via = [s for s in reversed(value.via) if not is_read_mark(s)]
    candidates = [s for s in (value.span, *via) if s is not None]
    for s in candidates:
        lines = s.end_line - s.line + 1
        if lines >= 2 and lines in (breaks + 2, breaks + 1):
            return _multiline(s, body, first_line=s.line + (lines - breaks - 1))
        if lines == 1:
            quote = "'" if s.path.endswith((".bicep", ".bicepparam")) else '"'
            escaped = sorted(
                i for i, c in enumerate(body) if c in "\n\r\t\\" or c == quote
            ) if any(c in body for c in "\n\r\t\\" + quote) else []
            width = len(body) + len(escaped)
            if width + 2 <= s.end_column - s.column:
                return _single_line(s, s.end_column - 1 - width, escaped)
    return lambda start, end: fallback


def _multiline(s: Span, body: str, first_line: int) -> Callable[[int, int], Span | None]:
    starts = offset_lines(body)
    # Content on the literal's first line follows the opening delimiter (Bicep ''': 3 characters).
    first_col = s.column + 3 if first_line == s.line else 1

    def at(offset: int) -> tuple[int, int]:
        li, col = line_col(starts, offset)
        return first_line + li, col + (first_col if li == 0 else 1)

    def span_of(start: int, end: int) -> Span:
        sl, sc = at(start)
        el, ec = at(end)
        return Span(s.path, sl, sc, el, ec)

    return span_of


def _single_line(s: Span, first_col: int, escaped: list[int]) -> Callable[[int, int], Span | None]:
    def col(offset: int) -> int:
        return min(first_col + offset + bisect_left(escaped, offset), s.end_column - 1)

    def span_of(start: int, end: int) -> Span:
        return Span(s.path, s.line, col(start), s.line, col(end))

    return span_of


def element_span(element: PolicyElement, document: PolicyDocument) -> Span | None:
    """Where to point for an element: its own span, else the document's."""
    return element.span or document.span
