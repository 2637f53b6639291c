"""The tolerant policy XML reader and `read_policy`: formats, expressions, unknowns, hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.policy import LINK_REASON, PolicyDocument, read_policy
from iaclint.policy.xmlread import MAX_DEPTH, PolicyXmlError, decode_entities, parse_xml
from iaclint.source import Span
from iaclint.values import Value

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "policy"
DOC_SPAN = Span("main.bicep", 40, 5, 40, 30)


def _doc(xml: str, fmt: str = "rawxml") -> PolicyDocument:
    # A span too short to hold the text: every element falls back to the value's span.
    return read_policy(Value.known(xml, DOC_SPAN), fmt)


def _names(doc: PolicyDocument, section: str = "inbound") -> list[str]:
    return [e.name for e in doc.sections[section].elements]


def test_rawxml_expressions_with_quotes_lt_and_ampersands() -> None:
    doc = _doc((FIX / "rawxml-expressions.xml").read_text(), "rawxml")
    assert doc.error is None and doc.unknown is None
    assert list(doc.sections) == ["inbound", "backend", "outbound", "on-error"]
    inbound = doc.sections["inbound"]
    assert inbound.has_base is True
    assert _names(doc) == ["base", "set-variable", "choose", "set-body", "ip-filter"]
    setvar = inbound.elements[1]
    assert setvar.attrs["value"] == (
        '@(context.Request.Headers.GetValueOrDefault("User-Agent","").Contains("Mobile")'
        " && context.Request.Url.Query.Count < 3)"
    )
    when = inbound.elements[2].children[0]
    assert when.attrs == {"condition": '@(context.Variables.GetValueOrDefault<bool>("isMobile"))'}
    assert when.children[0].attrs["counter-key"] == "@(context.Request.IpAddress)"
    body = inbound.elements[3].text
    assert body.startswith("@{") and body.endswith("}")
    assert 'return @"verbatim ""quoted"" text";' in body
    ipf = inbound.elements[4]
    assert [c.name for c in ipf.children] == ["address-range", "address"]
    assert ipf.children[1].text == "13.66.201.169"
    assert doc.sections["backend"].has_base is False
    assert doc.sections["on-error"].elements == ()


def test_rawxml_declared_as_xml_is_still_read() -> None:
    # Templates often say `xml` while holding unescaped expressions: the other reading is tried.
    doc = _doc((FIX / "rawxml-expressions.xml").read_text(), "xml")
    assert doc.error is None
    assert _names(doc)[1] == "set-variable"


def test_xml_format_decodes_escaped_expressions() -> None:
    doc = _doc((FIX / "xml-escaped.xml").read_text(), "xml")
    assert doc.error is None
    assert doc.sections["inbound"].has_base is False
    value = doc.sections["inbound"].elements[1].children[0]
    assert value.text == '@(context.Request.Headers.GetValueOrDefault("X-Forwarded-For", "") + " & more")'


def test_entities_cdata_comments_declaration() -> None:
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!-- head -->\n<policies><inbound>'
        "<set-body><![CDATA[<raw> & @( ]]></set-body>"
        "<set-header name='a&amp;b&#65;&#x42;&unknown;&#xD800;'/></inbound></policies>"
    )
    doc = _doc(xml, "xml")
    assert doc.error is None
    body, header = doc.sections["inbound"].elements
    assert body.text == "<raw> & @("
    assert header.attrs == {"name": "a&bAB&unknown;&#xD800;"}


def test_decode_entities_leaves_stray_ampersands() -> None:
    assert decode_entities("a && b &lt; c &#0; &#x;") == "a && b < c &#0; &#x;"


@pytest.mark.parametrize("fmt", ["xml-link", "rawxml-link", "XML-Link"])
def test_links_are_unknown(fmt: str) -> None:
    doc = read_policy(Value.known("https://example.com/p.xml", DOC_SPAN), fmt)
    assert doc == PolicyDocument({}, unknown=LINK_REASON, span=DOC_SPAN)
    assert LINK_REASON == "policy is loaded from a URL at deploy time"


def test_unknown_and_absent_text() -> None:
    doc = read_policy(Value.unknown("parameter policyXml has no value", DOC_SPAN), "rawxml")
    assert doc == PolicyDocument({}, unknown="parameter policyXml has no value", span=DOC_SPAN)
    assert read_policy(Value.absent(DOC_SPAN)).unknown == "policy has no content"
    assert read_policy(Value.known(42, DOC_SPAN)).error == "policy value is not a string"


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (
            "<policies><inbound></policies>",
            "closing tag </policies> does not match <inbound> opened on line 1",
        ),
        ("<policies>\n<inbound>\n", "element <inbound> is not closed (line 2)"),
        ("<policy></policy>", "root element is <policy>, expected <policies>"),
        ("", "policy has no root element"),
        ("<policies/><policies/>", "a second root element (line 1)"),
        ("<policies a=b/>", "attribute a of <policies> is not quoted (line 1)"),
        (
            '<policies>\n <x a="@("unclosed)\n"/></policies>',
            "string in a policy expression on line 2 is not closed",
        ),
        ("<policies>\n<!-- x", "comment is not closed (line 2)"),
        ("text<policies/>", "text outside the root element (line 1)"),
    ],
)
def test_unreadable_documents_name_the_line(xml: str, message: str) -> None:
    doc = _doc(xml)
    assert doc.error is not None and doc.error.startswith(message), doc.error
    assert doc.sections == {} and doc.span == DOC_SPAN


def test_billion_laughs_dtd_is_refused_without_expansion() -> None:
    lol = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10))
        + "]>\n<policies><inbound>&lol9;</inbound></policies>"
    )
    doc = _doc(lol, "xml")
    assert doc.error == "DTDs are not allowed (line 2)"
    assert _doc('<!ENTITY x "y"><policies/>').error == "DTDs are not allowed (line 1)"


def test_external_entity_reference_is_not_resolved() -> None:
    doc = _doc("<policies><inbound><set-body>&xxe;</set-body></inbound></policies>", "xml")
    assert doc.sections["inbound"].elements[0].text == "&xxe;"


def test_depth_is_bounded() -> None:
    ok = "<policies>" + "<a>" * (MAX_DEPTH - 1) + "</a>" * (MAX_DEPTH - 1) + "</policies>"
    assert _doc(ok).error is None
    deep = "<policies>" + "<a>\n" * 10_000 + "</a>" * 10_000 + "</policies>"
    assert _doc(deep).error == f"elements nested deeper than {MAX_DEPTH} (line {MAX_DEPTH})"


def test_size_is_bounded() -> None:
    big = "<policies><inbound>" + "<base/>" * 300_000 + "</inbound></policies>"  # 2.1 MB
    assert len(big) > 2_000_000
    assert _doc(big).error == "policy is larger than 1 MB"


def test_expression_scan_is_bounded_by_the_text() -> None:
    with pytest.raises(PolicyXmlError) as exc:
        parse_xml("<policies>\n<x>@(a(b</x></policies>", True, lambda s, e: None)
    assert exc.value.message == "policy expression on line 2 has unbalanced brackets"


def test_unbalanced_expression_in_rawxml_falls_back_to_plain_reading() -> None:
    # "@(" in an e-mail-like literal is not an expression; the plain reading accepts the document.
    doc = _doc(
        "<policies><inbound><set-header name='x'><value>me@(home</value></set-header></inbound></policies>"
    )
    assert doc.error is None
    assert doc.sections["inbound"].elements[0].children[0].text == "me@(home"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/='\"@(){}&;!-[]?abp \n#x")), max_size=200))
def test_random_markup_never_raises(text: str) -> None:
    for fmt in ("xml", "rawxml"):
        doc = _doc(text, fmt)
        assert doc.unknown is None
        assert (doc.error is None) == (doc.root is not None)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_raises(text: str) -> None:
    doc = _doc("<policies><inbound>" + text + "</inbound></policies>")
    assert doc.unknown is None


def test_byte_order_mark_before_the_root_is_ignored() -> None:
    assert _doc("\ufeff<policies><inbound/></policies>").error is None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["<policies>", "</policies>", "<inbound>", "</inbound>", "<base/>", "@(", ")", '"']),
        max_size=30,
    ).map("\n".join),
    st.integers(1, 4),
    st.integers(1, 40),
    st.integers(0, 5),
    st.integers(1, 200),
    st.sampled_from(["a.bicep", "a.json", "a.tf"]),
)
def test_any_span_geometry_maps_without_raising(
    text: str, line: int, column: int, extra_lines: int, end_column: int, path: str
) -> None:
    doc = read_policy(Value.known(text, Span(path, line, column, line + extra_lines, end_column)), "rawxml")
    if doc.root is not None:
        assert doc.root.span is not None and doc.root.span.path == path
        assert line <= doc.root.span.line <= line + extra_lines
