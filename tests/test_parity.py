"""Parity: the same AWS case written in Terraform, CloudFormation YAML, CloudFormation JSON and SAM
gives the same findings: the same multiset of (rule id, level, logical resource).

Logical resource naming convention:
- Terraform: the resource name of the address, without module path and instance key
  (`module.api.aws_api_gateway_stage.this["blue"]` → `this`);
- CloudFormation/SAM: the logical id (`template.yaml#Legacy` → `Legacy`);
- both are compared lower-cased with `_` and `-` removed (`get_order` ↔ `GetOrder`).
Where a case names a resource differently in one language (a Terraform integration is part of the
CloudFormation method; a SAM API is also its stage and domain), `ALIASES` maps the Terraform name
to the template one, per case and language (`RULE:name` keys map one rule's findings only).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest

from iaclint.engine import ScanOptions, scan

ROOT = Path(__file__).resolve().parents[1]
TERRAFORM = ROOT / "fixtures" / "terraform" / "aws"
CFN = ROOT / "fixtures" / "cloudformation" / "aws"
SAM = ROOT / "fixtures" / "sam" / "aws"

CASES = sorted(p.name for p in CFN.iterdir() if (TERRAFORM / p.name).is_dir())

# case → language → {terraform name: template name} (normalised names).
ALIASES: dict[str, dict[str, dict[str, str]]] = {
    "rest-violating": {
        "cfn": {"plain": "open", "unverified": "legacy"},
        "sam": {
            "partners": "legacy",
            "open": "legacy",
            "keyed": "legacy",
            "plain": "legacy",
            "unverified": "legacy",
            "v1": "legacy",
        },
    },
    "http-api": {
        "cfn": {"public": "publicstage", "IAC831:public": "public"},
        "sam": {"loose": "public", "open": "open", "defaulted": "defaulted"},
    },
    "tls-for-each": {"cfn": {"regional": "regionalus"}},
    # The SAM backend is in the API's OpenAPI definition; the operation is the function's event.
    "unknown-values": {"cfn": {"IAC811:internal": "internalstage"}, "sam": {"IAC701:get": "internal"}},
    "http-api-ip": {"sam": {"linkedstage": "linked"}},
    # A SAM API is its own stage and usage plan.
    "usage-plan-keys": {
        "sam": {"keylessdeploy": "keylessapi", "keyeddeploy": "keyedapi", "quotastage": "quotaapi"}
    },
}


def _normalise(name: str) -> str:
    return re.sub(r"[_\-]", "", name).lower()


def _terraform_name(address: str) -> str:
    address = re.sub(r"\[[^\]]*\]", "", address)
    return address.split(".")[-1]


def _findings(path: Path) -> list[tuple[str, str, str, str]]:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = scan(ScanOptions(paths=[str(path.relative_to(ROOT))]))
    finally:
        os.chdir(cwd)
    assert not [f for f in result.files if f.status == "failed"], f"{path} failed to load"
    out = []
    for f in result.findings:
        name = f.address.split("#", 1)[1] if "#" in f.address else _terraform_name(f.address)
        out.append((f.rule_id, f.level.value, _normalise(name), f.resource_type))
    return out


def _expected(case: str, language: str) -> Counter[tuple[str, str, str]]:
    aliases = ALIASES.get(case, {}).get(language, {})
    out: Counter[tuple[str, str, str]] = Counter()
    for rule, level, name, _rtype in _findings(TERRAFORM / case):
        mapped = aliases.get(f"{rule}:{name}", aliases.get(name, name))
        out[(rule, level, mapped)] += 1
    return out


def _actual(path: Path) -> Counter[tuple[str, str, str]]:
    return Counter((rule, level, name) for rule, level, name, _ in _findings(path))


@pytest.mark.parametrize("case", CASES)
def test_cloudformation_yaml_matches_terraform(case: str) -> None:
    assert _actual(CFN / case / "template.yaml") == _expected(case, "cfn")


@pytest.mark.parametrize("case", CASES)
def test_cloudformation_json_matches_terraform(case: str) -> None:
    assert _actual(CFN / case / "template.json") == _expected(case, "cfn")


@pytest.mark.parametrize("case", sorted(p.name for p in SAM.iterdir() if (TERRAFORM / p.name).is_dir()))
def test_sam_matches_terraform(case: str) -> None:
    assert _actual(SAM / case / "template.yaml") == _expected(case, "sam")


def test_cases_are_covered() -> None:
    """The AWS rule pack's Terraform cases all have a CloudFormation version, except those
    CloudFormation cannot express: modules (nested stacks are not loaded) and tfvars (parameter
    files are a scan option, not part of a template)."""
    pack = {
        "edge-listeners", "http-api", "rest-compliant", "rest-violating", "tls-for-each", "tls-literal",
        "tls-local", "tls-unknown", "tls-variable", "unknown-values", "waf-module", "usage-plan-keys",
        "openapi-body", "http-api-ip",
    }
    assert pack <= set(CASES)
    assert {"tls-module", "tls-tfvars"}.isdisjoint(CASES)


def _compliant_templates() -> list[Path]:
    """Template fixtures of the AWS pack that declare a compliant case."""
    out = []
    for path in sorted([*CFN.glob("*/template.*"), *SAM.glob("*/template.yaml")]):
        if path.suffix == ".expect":
            continue
        declared = path.with_name(path.name + ".expect") if path.suffix == ".json" else path
        if " compliant" in declared.read_text(encoding="utf-8"):
            out.append(path)
    return out


@pytest.mark.parametrize("path", _compliant_templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_cfn_lint_reports_no_template_errors(path: Path) -> None:
    """cfn-lint (dev dependency, the reference) finds no error (E-codes) in our compliant templates:
    the fixtures are templates CloudFormation would accept, not just what our loader reads."""
    api = pytest.importorskip("cfnlint.api")
    matches = api.lint_file(path)
    errors = [f"{m.rule.id} line {m.linenumber}: {m.message}" for m in matches if m.rule.id.startswith("E")]
    assert errors == []
