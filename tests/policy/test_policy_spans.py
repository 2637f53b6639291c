"""Element positions mapped back into templates, through the real loaders: Bicep ''' and '...'
strings and variables, ARM JSON strings with escapes, Terraform heredocs and quoted strings; files
read with loadTextContent/file() fall back to the value's span."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaclint.discover import Unit
from iaclint.lang import arm, bicep, terraform
from iaclint.policy import PolicyDocument, read_policy
from iaclint.resources import Resource
from iaclint.source import Span

LOADER = Path(__file__).resolve().parents[2] / "fixtures" / "policy" / "loader"


def _by_name(resources: list[Resource]) -> dict[str, Resource]:
    return {r.address.rsplit("#", 1)[-1]: r for r in resources}


def _template_doc(r: Resource) -> PolicyDocument:
    props = r.body.get("properties")
    return read_policy(props.get("value"), props.get("format").as_str() or "xml")


def _where(doc: PolicyDocument, section: str = "inbound") -> list[tuple[str, int, int]]:
    out = []
    for e in doc.sections[section].elements:
        assert e.span is not None
        out.append((e.name, e.span.line, e.span.column))
    return out


@pytest.fixture(scope="module")
def bicep_res() -> dict[str, Resource]:
    p = LOADER / "apim-policies.bicep"
    result = bicep.load([Unit("bicep", p, (p,))], None)
    assert result.diagnostics == []
    return _by_name(result.resources)


@pytest.fixture(scope="module")
def tf_res() -> dict[str, Resource]:
    d = LOADER / "terraform"
    result = terraform.load([Unit("terraform", d, (d / "main.tf",))], None)
    assert result.diagnostics == []
    return {r.address: r for r in result.resources}


def test_bicep_multiline_string_maps_lines(bicep_res: dict[str, Resource]) -> None:
    doc = _template_doc(bicep_res["apiPolicy"])
    assert _where(doc) == [("base", 20, 5), ("validate-jwt", 21, 5)]
    jwt = doc.sections["inbound"].elements[1]
    assert jwt.span is not None
    # The whole start tag: from its '<' to just after its '/>' at the end of line 22.
    assert jwt.children[0].span == Span(jwt.span.path, 22, 7, 22, 109)
    assert jwt.span.path.endswith("fixtures/policy/loader/apim-policies.bicep")


def test_bicep_single_line_string_maps_columns(bicep_res: dict[str, Resource]) -> None:
    doc = _template_doc(bicep_res["globalPolicy"])
    assert _where(doc) == [("rate-limit", 35, 32)]


def test_bicep_variable_maps_to_its_definition(bicep_res: dict[str, Resource]) -> None:
    doc = _template_doc(bicep_res["opPolicyRes"])
    assert _where(doc) == [("base", 10, 36), ("ip-filter", 10, 44)]
    assert doc.span is not None and doc.span.line == 43  # the document itself: where it is used


def test_bicep_load_text_content_uses_the_value_span(bicep_res: dict[str, Resource]) -> None:
    doc = _template_doc(bicep_res["filePolicy"])
    assert doc.error is None
    assert {(line, col) for _, line, col in _where(doc)} == {(51, 5)}


def _in_file(doc: PolicyDocument, section: str = "inbound") -> list[tuple[str, str, int, int]]:
    out = []
    for e in doc.sections[section].elements:
        assert e.source is not None
        out.append((Path(e.source.path).name, e.name, e.source.line, e.source.column))
    return out


def test_bicep_load_text_content_knows_the_file(bicep_res: dict[str, Resource]) -> None:
    # Where each element sits in the file read: what related locations point at.
    doc = _template_doc(bicep_res["filePolicy"])
    assert doc.source == Span(str(LOADER.parent / "rawxml-expressions.xml"), 1, 1, 1, 11)
    assert _in_file(doc)[:3] == [
        ("rawxml-expressions.xml", "base", 3, 5),
        ("rawxml-expressions.xml", "set-variable", 5, 5),
        ("rawxml-expressions.xml", "choose", 6, 5),
    ]
    # A document written in the template has no file.
    inline = _template_doc(bicep_res["apiPolicy"])
    assert inline.readable and inline.source is None
    assert all(e.source is None for e in inline.sections["inbound"].elements)


def test_arm_json_string_with_escapes() -> None:
    p = LOADER / "apim-policies.json"
    result = arm.load([Unit("arm", p, (p,))], None)
    assert result.diagnostics == []
    res = _by_name(result.resources)
    doc = _template_doc(res["apim-orders/orders/policy"])
    assert _where(doc) == [("base", 11, 52), ("quota", 11, 68)]
    link = _template_doc(res["apim-orders/policy"])
    assert link.unknown == "policy is loaded from a URL at deploy time"
    assert link.span is not None and link.span.line == 20


def test_terraform_heredoc_maps_lines(tf_res: dict[str, Resource]) -> None:
    doc = read_policy(tf_res["azurerm_api_management_api_policy.orders"].body.get("xml_content"))
    assert _where(doc) == [("base", 9, 5), ("validate-azure-ad-token", 10, 5)]


def test_terraform_quoted_string_maps_columns(tf_res: dict[str, Resource]) -> None:
    doc = read_policy(tf_res["azurerm_api_management_api_operation_policy.get"].body.get("xml_content"))
    assert _where(doc) == [("base", 32, 45), ("rate-limit", 32, 53)]


def test_terraform_file_function_uses_the_value_span(tf_res: dict[str, Resource]) -> None:
    doc = read_policy(tf_res["azurerm_api_management_product_policy.starter"].body.get("xml_content"))
    assert doc.error is None
    assert _where(doc) == [("base", 24, 3), ("validate-jwt", 24, 3)]


def test_terraform_file_function_knows_the_file(tf_res: dict[str, Resource]) -> None:
    doc = read_policy(tf_res["azurerm_api_management_product_policy.starter"].body.get("xml_content"))
    assert doc.source is not None and Path(doc.source.path).resolve() == LOADER.parent / "jwt-symmetric.xml"
    assert (doc.source.line, doc.source.column) == (1, 1)
    assert _in_file(doc) == [("jwt-symmetric.xml", "base", 3, 5), ("jwt-symmetric.xml", "validate-jwt", 4, 5)]
    heredoc = read_policy(tf_res["azurerm_api_management_api_policy.orders"].body.get("xml_content"))
    assert heredoc.source is None
    assert all(e.source is None for e in heredoc.sections["inbound"].elements)


def test_terraform_xml_link_is_unknown(tf_res: dict[str, Resource]) -> None:
    body = tf_res["azurerm_api_management_policy.global"].body
    doc = read_policy(body.get("xml_link"), "xml-link")
    assert doc.unknown == "policy is loaded from a URL at deploy time"
