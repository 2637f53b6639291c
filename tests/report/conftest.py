"""Hand-built scan results for the report tests: small files in a temporary git checkout, rules made
here (not read from the pack), findings with exact spans. Independent of the loaders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from iaclint.fileaccess import ScanRoots
from iaclint.findings import Finding, Level, Related
from iaclint.result import FileRecord, ScanResult
from iaclint.rules import Rule
from iaclint.source import Span

MAIN_TF = (
    'resource "aws_api_gateway_domain_name" "api" {\n'
    '  domain_name     = "api.example.com"\n'
    "  security_policy = var.policy\n"
    "}\n"
)
VARIABLES_TF = 'variable "policy" {\n  default = "TLS_1_0"\n}\n'

TLS_RULE = Rule(
    id="IAC101",
    name="tls-minimum-version",
    category="tls-version",
    severity=Level.ERROR,
    security_severity=7.5,
    title="Client-facing API endpoints accept TLS 1.2 or newer only",
    message="{address} accepts {accepted}",
    help=(
        "Every endpoint must refuse TLS 1.0 and 1.1.\n\n**Terraform**\n\n"
        '```hcl\nsecurity_policy = "TLS_1_2"\n```'
    ),
    standard=("S1.1",),
    references=("https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies.html",),
    fix="Set security_policy to TLS_1_2.",
)
MTLS_RULE = Rule(
    id="IAC201",
    name="mtls-truststore",
    category="mtls",
    severity=Level.WARNING,
    security_severity=5.3,
    title="Partner APIs require client certificates",
    message="{address} has no truststore",
    help="Partner-facing endpoints must require mutual TLS.",
    standard=("S2.1",),
    fix="Add a mutual_tls_authentication block.",
)
PARSE_RULE = Rule(
    id="IAC001",
    name="unreadable-file",
    category="parse",
    severity=Level.ERROR,
    security_severity=5.0,
    title="A file iaclint could not read",
    message="{detail}",
    help="iaclint could not read this file.",
    standard=(),
    fix="Fix the syntax error at the line shown.",
)
RULES = {r.id: r for r in (PARSE_RULE, TLS_RULE, MTLS_RULE)}


@dataclass
class Workspace:
    """A git checkout at `repo` whose scan root is `repo/infra`."""

    repo: Path
    root: Path

    @property
    def main(self) -> str:
        return str(self.root / "main.tf")

    @property
    def variables(self) -> str:
        return str(self.root / "variables.tf")

    def result(self, findings: list[Finding], files: list[FileRecord] | None = None) -> ScanResult:
        if files is None:
            files = [FileRecord(self.main, "scanned"), FileRecord(self.variables, "scanned")]
        roots = ScanRoots.for_paths([self.root])
        return ScanResult(findings=findings, files=files, rules=dict(RULES), root=self.root, roots=roots)

    def tls_finding(self, *, line: int = 3, unknown: bool = False) -> Finding:
        return Finding(
            rule_id="IAC101",
            level=Level.NOTE if unknown else Level.ERROR,
            message='aws_api_gateway_domain_name.api accepts TLS 1.0 (security_policy is "TLS_1_0")',
            span=Span(self.main, line, 21, line, 31),
            address="aws_api_gateway_domain_name.api",
            resource_type="aws_api_gateway_domain_name",
            attribute="security_policy",
            related=(Related(Span(self.variables, 2, 13, 2, 22), "value defined here"),),
            unknown=unknown,
            fix="Set security_policy to TLS_1_2.",
        )

    def parse_finding(self, path: str, *, partial: bool = False) -> Finding:
        kind = "partly read" if partial else "could not be read"
        return Finding(
            rule_id="IAC001",
            level=Level.ERROR,
            message=f"unexpected '}}' (file {kind})",
            span=Span(path, 2, 5, 2, 5),
            address=f"{path}#parse",
            attribute="2:unexpected '}'",
            fix="Fix the syntax error at the line shown.",
        )


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    repo = tmp_path / "repo"
    root = repo / "infra"
    root.mkdir(parents=True)
    (repo / ".git").mkdir()
    (root / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    (root / "variables.tf").write_text(VARIABLES_TF, encoding="utf-8")
    return Workspace(repo=repo, root=root)
