"""`effective_policy`: `<base/>` across global → product → API → operation, and the facts read
from the effective inbound section."""

from __future__ import annotations

from pathlib import Path

from iaclint.policy import PolicyDocument, effective_policy, read_fragment, read_policy
from iaclint.source import Span
from iaclint.values import Value

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "policy"


def _doc(inbound: str, path: str = "t.bicep", extra: str = "") -> PolicyDocument:
    xml = f"<policies><inbound>{inbound}</inbound>{extra}</policies>"
    doc = read_policy(Value.known(xml, Span(path, 1, 1, 1, 2)), "rawxml")
    assert doc.error is None, doc.error
    return doc


def _names(elements: tuple) -> list[str]:
    return [e.attrs.get("id", e.name) for e in elements]


GLOBAL = _doc('<set-header id="g1"/><base/><set-header id="g2"/>', "global")
PRODUCT = _doc('<set-header id="p1"/><base/>', "product")
API = _doc('<base/><set-header id="a1"/>', "api")
OPERATION = _doc('<set-header id="o1"/><base/><set-header id="o2"/>', "operation")


def test_base_everywhere_nests_outer_content_at_its_place() -> None:
    eff = effective_policy([GLOBAL, PRODUCT, API, OPERATION])
    # The global scope's own <base/> has nothing above it.
    assert _names(eff.inbound) == ["o1", "p1", "g1", "g2", "a1", "o2"]
    assert eff.unknown == ()


def test_scope_without_base_drops_everything_above() -> None:
    api_no_base = _doc('<set-header id="a1"/>', "api")
    assert _names(effective_policy([GLOBAL, PRODUCT, api_no_base, OPERATION]).inbound) == ["o1", "a1", "o2"]
    op_no_base = _doc('<set-header id="o1"/>', "operation")
    assert _names(effective_policy([GLOBAL, PRODUCT, API, op_no_base]).inbound) == ["o1"]
    product_no_base = _doc('<set-header id="p1"/>', "product")
    assert _names(effective_policy([GLOBAL, product_no_base, API, OPERATION]).inbound) == [
        "o1", "p1", "a1", "o2"
    ]


def test_missing_scopes_inherit() -> None:
    assert _names(effective_policy([GLOBAL, None, None, OPERATION]).inbound) == ["o1", "g1", "g2", "o2"]
    assert _names(effective_policy([None, None, API, None]).inbound) == ["a1"]
    assert effective_policy([]).inbound == ()


def test_sections_resolve_independently() -> None:
    outer = _doc('<set-header id="g1"/>', extra='<outbound><set-header id="go"/></outbound>')
    inner = _doc("<base/>", extra='<outbound><set-header id="ao"/></outbound>')
    eff = effective_policy([outer, inner])
    assert _names(eff.inbound) == ["g1"]
    assert _names(eff.outbound) == ["ao"]


def test_section_missing_from_a_document_inherits_and_says_so() -> None:
    outer = _doc('<rate-limit calls="5" renewal-period="60"/>')
    only_outbound = read_policy(Value.known("<policies><outbound/></policies>", Span("op.bicep", 3, 1, 3, 2)))
    eff = effective_policy([outer, only_outbound])
    assert [r.kind for r in eff.rate_limits] == ["rate-limit"]
    assert eff.unknown == (
        "policy at op.bicep:3:1 has no <inbound> section; assumed to inherit the outer scopes",
    )


def test_unknown_and_unreadable_scopes_are_reported() -> None:
    link = read_policy(Value.known("https://x/p.xml", Span("a.json", 9, 9, 9, 30)), "xml-link")
    broken = read_policy(Value.known("<policies><inbound>", Span("b.json", 4, 9, 4, 30)), "xml")
    eff = effective_policy([GLOBAL, link, broken, OPERATION])
    assert eff.unknown == (
        "policy is loaded from a URL at deploy time",
        "policy could not be read (b.json:4:9): element <inbound> is not closed (line 1)",
    )
    assert eff.errors == ("element <inbound> is not closed (line 1)",)
    # The readable scopes still resolve.
    assert _names(eff.inbound) == ["o1", "g1", "g2", "o2"]


def test_jwt_with_openid_config_audiences_issuers() -> None:
    doc = read_policy(Value.known((FIX / "xml-escaped.xml").read_text(), Span("p.json", 1, 1, 1, 2)), "xml")
    eff = effective_policy([doc])
    (jwt,) = eff.jwt
    assert (jwt.kind, jwt.openid_config, jwt.symmetric_keys) == ("validate-jwt", True, False)
    assert (jwt.audiences, jwt.issuers) == (True, True)
    assert (jwt.require_signed_tokens, jwt.conditional) == (True, False)
    (cert,) = eff.client_cert
    assert cert.element.attrs["validate-trust"] == "true"
    assert eff.rate_limits == () and eff.ip_filters == ()


def test_jwt_with_symmetric_key_and_unsigned_tokens() -> None:
    doc = read_policy(Value.known((FIX / "jwt-symmetric.xml").read_text(), Span("p.json", 1, 1, 1, 2)), "xml")
    (jwt,) = effective_policy([doc]).jwt
    assert (jwt.openid_config, jwt.symmetric_keys, jwt.audiences, jwt.issuers) == (False, True, False, False)
    assert jwt.require_signed_tokens is False


def test_jwt_signing_keys_that_are_not_shared_secrets() -> None:
    doc = _doc(
        '<validate-jwt require-signed-tokens="@(true)"><issuer-signing-keys>'
        '<key certificate-id="cert"/><key n="abc" e="AQAB"/></issuer-signing-keys></validate-jwt>'
    )
    (jwt,) = effective_policy([doc]).jwt
    assert (jwt.symmetric_keys, jwt.openid_config, jwt.require_signed_tokens) == (False, False, None)


def test_validate_azure_ad_token() -> None:
    doc = _doc(
        '<validate-azure-ad-token tenant-id="contoso.onmicrosoft.com">'
        "<client-application-ids><application-id>abc</application-id></client-application-ids>"
        "</validate-azure-ad-token>"
    )
    (jwt,) = effective_policy([doc]).jwt
    assert (jwt.kind, jwt.openid_config, jwt.symmetric_keys) == ("validate-azure-ad-token", True, False)
    assert (jwt.audiences, jwt.issuers, jwt.require_signed_tokens) == (True, True, None)
    no_tenant = effective_policy([_doc("<validate-azure-ad-token/>")]).jwt[0]
    assert (no_tenant.audiences, no_tenant.issuers) == (False, False)


def test_rate_limits_ip_filters_and_conditions() -> None:
    doc = read_policy(Value.known((FIX / "rawxml-expressions.xml").read_text(), Span("p.json", 1, 1, 1, 2)))
    eff = effective_policy([doc])
    assert [(r.kind, r.conditional) for r in eff.rate_limits] == [
        ("rate-limit-by-key", True),
        ("quota", True),
    ]
    assert [(f.action, f.conditional) for f in eff.ip_filters] == [("allow", False)]


def test_every_rate_limit_kind_and_ip_filter_action() -> None:
    doc = _doc(
        '<rate-limit calls="1" renewal-period="1"/>'
        '<rate-limit-by-key calls="1" renewal-period="1" counter-key="k"/>'
        '<quota calls="1" renewal-period="1"/>'
        '<quota-by-key bandwidth="1" renewal-period="1" counter-key="k"/>'
        '<retry condition="@(true)" count="2" interval="1">'
        '<ip-filter action="Forbid"><address>1.1.1.1</address></ip-filter></retry>'
        '<choose><when condition="@(true)"><validate-jwt/></when></choose>'
    )
    eff = effective_policy([doc])
    assert [r.kind for r in eff.rate_limits] == ["rate-limit", "rate-limit-by-key", "quota", "quota-by-key"]
    assert [(f.action, f.conditional) for f in eff.ip_filters] == [("forbid", False)]
    assert [(j.kind, j.conditional) for j in eff.jwt] == [("validate-jwt", True)]


def test_facts_dropped_by_an_inner_scope_without_base() -> None:
    outer = _doc(
        '<validate-jwt><openid-config url="https://x"/></validate-jwt>'
        '<rate-limit calls="1" renewal-period="1"/>'
    )
    inner = _doc('<set-header name="x"/>')
    eff = effective_policy([outer, None, inner])
    assert eff.jwt == () and eff.rate_limits == ()
    assert effective_policy([outer, None, _doc("<base/>")]).jwt[0].openid_config is True


def test_included_fragment_makes_facts_unknown() -> None:
    eff = effective_policy([_doc('<include-fragment fragment-id="auth"/>')])
    assert eff.unknown == ("inbound policy includes fragment 'auth', which is not read",)


def test_fact_elements_keep_their_spans() -> None:
    text = '<policies><inbound><base /><quota calls="1" renewal-period="1" /></inbound></policies>'
    # `value: '<policies>...'` on line 7: the string starts at column 12, its content at 13.
    span = Span("main.bicep", 7, 5, 7, 12 + len(text) + 2)
    doc = read_policy(Value.known(text, span), "xml")
    (quota,) = effective_policy([doc]).rate_limits
    assert quota.element.span == Span("main.bicep", 7, 13 + 27, 7, 13 + 27 + 38)


def test_repeated_base_expands_once() -> None:
    many = _doc('<base/><set-header id="x"/>' * 500)
    eff = effective_policy([many, many, many, many])
    assert len(eff.inbound) == 4 * 500
    assert _names(effective_policy([GLOBAL, _doc("<base/><base/>")]).inbound) == ["g1", "g2"]


def test_section_without_base_makes_unknown_outer_scopes_irrelevant() -> None:
    link = read_policy(Value.known("https://x/p.xml", Span("a.json", 9, 9, 9, 30)), "xml-link")
    api_no_base = _doc('<ip-filter action="allow"><address>10.0.0.1</address></ip-filter>', "api")
    eff = effective_policy([link, None, api_no_base, None])
    assert eff.unknown == ()
    assert [f.action for f in eff.ip_filters] == ["allow"]
    # With <base/> the unknown global content still counts.
    eff = effective_policy([link, None, API, None])
    assert eff.unknown == ("policy is loaded from a URL at deploy time",)


def test_unknown_scope_inside_a_section_without_base_stays_unknown() -> None:
    link = read_policy(Value.known("https://x/p.xml", Span("a.json", 9, 9, 9, 30)), "xml-link")
    no_base = _doc('<set-header id="p1"/>', "product")
    eff = effective_policy([GLOBAL, no_base, link, None])
    assert eff.unknown == ("policy is loaded from a URL at deploy time",)


def _fragment(body: str) -> PolicyDocument:
    from iaclint.policy import read_fragment

    doc = read_fragment(Value.known(f"<fragment>{body}</fragment>", Span("f.bicep", 1, 1, 1, 2)), "rawxml")
    assert doc.error is None and doc.root is not None
    return doc


def test_included_fragment_runs_in_place_when_declared() -> None:
    auth = _fragment('<validate-jwt header-name="Authorization"><openid-config url="https://x/o"/></validate-jwt>')
    api = _doc(
        '<base/><choose><when condition="@(true)"><include-fragment fragment-id="Limits"/></when>'
        '</choose><include-fragment fragment-id="auth"/>'
    )
    limits = _fragment('<rate-limit calls="5" renewal-period="60"/>')
    eff = effective_policy([None, None, api, None], {"auth": auth, "limits": limits})
    assert eff.unknown == ()
    assert [(j.kind, j.conditional) for j in eff.jwt] == [("validate-jwt", False)]
    assert [(r.kind, r.conditional) for r in eff.rate_limits] == [("rate-limit", True)]


def test_fragment_not_declared_or_nested_is_unknown() -> None:
    nested = _fragment('<include-fragment fragment-id="other"/>')
    api = _doc('<include-fragment fragment-id="missing"/><include-fragment fragment-id="nested"/>')
    eff = effective_policy([api], {"nested": nested})
    assert eff.unknown == (
        "inbound policy includes fragment 'missing', which the scanned files do not declare",
        "fragment includes fragment 'other', which API Management does not allow",
    )


def _same(found: tuple[PolicyDocument, ...], expected: list[PolicyDocument]) -> bool:
    return [id(d) for d in found] == [id(d) for d in expected]


def test_documents_are_the_scopes_whose_inbound_survives() -> None:
    # Every scope keeps <base/>: all of them could add what the effective policy lacks.
    every = [GLOBAL, PRODUCT, API, OPERATION]
    assert _same(effective_policy(every).documents, every)
    # An API policy without <base/> drops the outer ones; a scope without a policy adds none.
    api_no_base = _doc('<set-header id="a1"/>', "api")
    assert _same(effective_policy([GLOBAL, PRODUCT, api_no_base, None]).documents, [api_no_base])
    assert _same(effective_policy([GLOBAL, None, api_no_base, OPERATION]).documents, [api_no_base, OPERATION])
    # A document without <inbound> inherits it, and stays; one shared by two scopes is listed once.
    backend_only = _doc("<base/>", "api", "<backend><base/></backend>")
    no_inbound = read_policy(Value.known("<policies><backend/></policies>", Span("p", 1, 1, 1, 2)))
    scopes = [GLOBAL, no_inbound, backend_only]
    assert _same(effective_policy(scopes).documents, scopes)
    assert _same(effective_policy([GLOBAL, GLOBAL]).documents, [GLOBAL])


def test_documents_list_unreadable_xml_but_not_unknown_content() -> None:
    broken = read_policy(Value.known("<policies><inbound>", Span("b", 1, 1, 1, 2)))
    unknown = read_policy(Value.unknown("a parameter without a default", Span("u", 1, 1, 1, 2)))
    assert broken.error is not None and unknown.unknown is not None
    assert _same(effective_policy([GLOBAL, unknown, broken, API]).documents, [GLOBAL, broken, API])


def test_documents_end_with_the_fragments_included() -> None:
    frag = read_fragment(Value.known('<fragment><rate-limit calls="5" renewal-period="1"/></fragment>',
                                     Span("f", 1, 1, 1, 2)))
    api = _doc('<base/><include-fragment fragment-id="Limits"/>', "api")
    eff = effective_policy([GLOBAL, api], {"limits": frag})
    assert _same(eff.documents, [GLOBAL, api, frag])
    assert [r.kind for r in eff.rate_limits] == ["rate-limit"]
