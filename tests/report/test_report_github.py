from __future__ import annotations

from conftest import Workspace

from iaclint.findings import Finding, Level, Suppression
from iaclint.report.github import escape_data, escape_property, render
from iaclint.source import Span


def test_one_annotation_per_finding_exact(ws: Workspace) -> None:
    out = render(ws.result([ws.tls_finding()]))
    assert out == (
        "::error file=infra/main.tf,line=3,col=21,endLine=3,endColumn=31,title=IAC101 tls-minimum-version::"
        'aws_api_gateway_domain_name.api accepts TLS 1.0 (security_policy is "TLS_1_0")'
        "%0Avalue defined here: infra/variables.tf:2:13"
        "%0Ahelp: Set security_policy to TLS_1_2.\n"
    )


def test_levels_map_to_commands(ws: Workspace) -> None:
    warning = Finding("IAC201", Level.WARNING, "no truststore", Span(ws.main, 1, 1, 1, 9), address="a.b")
    findings = [ws.tls_finding(line=2), ws.tls_finding(line=1, unknown=True), warning]
    lines = render(ws.result(findings)).splitlines()
    assert [ln.split(" ", 1)[0] for ln in lines] == ["::warning", "::notice", "::error"]
    assert lines[0] == (
        "::warning file=infra/main.tf,line=1,col=1,endLine=1,endColumn=9,title=IAC201 mtls-truststore::"
        "no truststore%0Ahelp: Add a mutual_tls_authentication block."
    )


def test_escaping_of_properties_and_data(ws: Workspace) -> None:
    odd = ws.root / "a,b:c%d.tf"
    f = Finding(
        "IAC201", Level.ERROR, "50% of\r\nthe: value, here\n::error::injected", Span(str(odd), 2, 3, 4, 1),
        address="a.b",
    )
    line = render(ws.result([f]))
    assert line == (
        "::error file=infra/a%2Cb%3Ac%25d.tf,line=2,col=3,endLine=4,endColumn=1,"
        "title=IAC201 mtls-truststore::50%25 of%0D%0Athe: value, here%0A::error::injected"
        "%0Ahelp: Add a mutual_tls_authentication block.\n"
    )
    assert line.count("\n") == 1  # a message cannot start a second command


def test_escape_helpers() -> None:
    assert escape_data("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad:e,f"
    assert escape_property("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad%3Ae%2Cf"


def test_suppressed_findings_are_not_annotated(ws: Workspace) -> None:
    f = ws.tls_finding().suppressed(Suppression("external", "in baseline b.json"))
    assert render(ws.result([f])) == ""


def test_no_findings_no_output(ws: Workspace) -> None:
    assert render(ws.result([])) == ""
