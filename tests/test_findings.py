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


def test_identify_keeps_an_identity_worked_out_already(tmp_path, monkeypatch) -> None:
    # A part's findings are identified in the worker; the scan identifies only those it makes.
    from iaclint.findings import identify

    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text("", encoding="utf-8")
    done = _every_field_set()
    fresh = Finding("IAC101", Level.ERROR, "m", Span("main.tf", 1, 1, 1, 2), address="aws_x.y")
    got = identify([done, fresh], ["."])
    assert got[0] is done
    assert got[1].identity == ".\x1faws_x.y"


def test_findings_come_back_from_a_part_identified(tmp_path, monkeypatch) -> None:
    # What a worker sends back carries each finding's identity, as the scan would have set it.
    from iaclint.engine import Part, ScanOptions, _check_part
    from iaclint.findings import identity_bases, identity_of
    from iaclint.rules import load_rules

    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text(
        'resource "aws_api_gateway_domain_name" "api" {\n'
        '  domain_name     = "api.example.com"\n'
        '  security_policy = "TLS_1_0"\n'
        "}\n",
        encoding="utf-8",
    )
    from iaclint.discover import Exclusions, discover

    units = discover(["."], Exclusions([])).units
    result = _check_part(Part("terraform", tuple(units)), ScanOptions(paths=["."]), load_rules())
    assert result.findings
    bases = identity_bases(["."])
    for f in result.findings:
        assert f.identity == identity_of(f, bases) == ".\x1faws_api_gateway_domain_name.api"


def test_findings_of_one_resource_share_one_identity_string(tmp_path, monkeypatch) -> None:
    # Pickled to the scan process, a string met again is a reference: one object per identity.
    from iaclint.findings import identify

    monkeypatch.chdir(tmp_path)
    a = Finding("IAC101", Level.ERROR, "m", Span("main.tf", 1, 1, 1, 2), address="aws_x.y")
    b = Finding("IAC102", Level.ERROR, "n", Span("main.tf", 2, 1, 2, 2), address="aws_x.y")
    c = Finding("IAC101", Level.ERROR, "m", Span("main.tf", 3, 1, 3, 2), address="aws_x.z")
    got = identify([a, b, c], ["."])
    assert got[0].identity == got[1].identity == ".\x1faws_x.y" and got[0].identity is got[1].identity
    assert got[2].identity == ".\x1faws_x.z"
