"""A Finding's copies keep every field: the ones a worker sends back pickled, and the ones the
engine makes when it sets their identity. Both are built from the fields in their order."""

from __future__ import annotations

import pickle

from iaclint.findings import Finding, Level, Related, Suppression
from iaclint.source import Span

SPAN = Span("main.tf", 3, 5, 3, 19)


def _every_field_set() -> Finding:
    return Finding(
        "APIGW001", Level.WARNING, "TLS 1.0 allowed", SPAN, address="aws_api_gateway_domain_name.api",
        resource_type="aws_api_gateway_domain_name", attribute="security_policy",
        related=(Related(Span("vars.tf", 2, 1, 2, 9), "value set here"),), unknown=True,
        fix="TLS_1_2", properties={"tags": "x"}, suppression=Suppression("inSource", "why", SPAN),
        origin="module/main.tf", identity="infra\x1faws_api_gateway_domain_name.api",
    )


def test_a_finding_comes_back_from_a_worker_whole() -> None:
    """Every field survives, those equality ignores (origin, identity, properties) too."""
    f = _every_field_set()
    back = pickle.loads(pickle.dumps([f, f], protocol=pickle.HIGHEST_PROTOCOL))
    assert back[0] is back[1]  # shared objects stay shared
    got = back[0]
    assert type(got) is Finding and type(got.span) is Span and type(got.related[0]) is Related
    for name in Finding.__slots__:
        assert getattr(got, name) == getattr(f, name), name
    assert got.related[0].span == Span("vars.tf", 2, 1, 2, 9) and got.related[0].message == "value set here"


def test_with_identity_changes_the_identity_only() -> None:
    f = _every_field_set()
    got = f.with_identity("other\x1fplace")
    assert got.identity == "other\x1fplace"
    for name in Finding.__slots__:
        if name != "identity":
            assert getattr(got, name) == getattr(f, name), name
