"""Conditions are worked out from parameter defaults (or the values given): a truststore behind a
condition false by default is missing; an `Fn::If` on a parameter without a default is unknown, a
note, never an error."""

from __future__ import annotations

import os
from pathlib import Path

from iaclint.discover import Unit
from iaclint.engine import ScanOptions, scan
from iaclint.findings import PARSE_RULE, Finding
from iaclint.lang.cloudformation import load
from iaclint.lang.options import CloudFormationOptions
from iaclint.resources import Resource

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  UseMtls:
    Type: String
    Default: "false"
    AllowedValues: ["true", "false"]
  TrustBucket:
    Type: String
Conditions:
  HasMtls: !Equals [!Ref UseMtls, "true"]
  HasTrust: !Not [!Equals [!Ref TrustBucket, ""]]
Resources:
  ByDefault:
    Type: AWS::ApiGateway::DomainName
    Properties:
      DomainName: a.example.com
      RegionalCertificateArn: arn:aws:acm:eu-west-1:1:certificate/a
      SecurityPolicy: TLS_1_2
      MutualTlsAuthentication: !If [HasMtls, {TruststoreUri: "s3://b/t.pem"}, !Ref AWS::NoValue]
  NoDefault:
    Type: AWS::ApiGateway::DomainName
    Properties:
      DomainName: b.example.com
      RegionalCertificateArn: arn:aws:acm:eu-west-1:1:certificate/b
      SecurityPolicy: TLS_1_2
      MutualTlsAuthentication:
        !If [HasTrust, {TruststoreUri: !Sub "s3://${TrustBucket}/t.pem"}, !Ref AWS::NoValue]
"""


def _resources(tmp_path: Path, options: CloudFormationOptions | None = None) -> dict[str, Resource]:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE, encoding="utf-8")
    result = load([Unit("cloudformation", path, (path,))], options)
    assert result.diagnostics == []
    return {r.name: r for r in result.resources}


def test_a_condition_false_by_default_leaves_the_truststore_out(tmp_path: Path) -> None:
    body = _resources(tmp_path)["ByDefault"].body
    assert body.get("MutualTlsAuthentication").is_absent


def test_a_value_given_for_the_parameter_decides_the_condition(tmp_path: Path) -> None:
    body = _resources(tmp_path, CloudFormationOptions(parameters={"UseMtls": "true"}))["ByDefault"].body
    assert body.path("MutualTlsAuthentication", "TruststoreUri").py() == "s3://b/t.pem"


def test_fn_if_on_a_parameter_without_default_is_unknown(tmp_path: Path) -> None:
    mtls = _resources(tmp_path)["NoDefault"].body.get("MutualTlsAuthentication")
    assert mtls.is_unknown
    assert mtls.reason == "depends on condition HasTrust, which is not known"


def _scan(tmp_path: Path) -> list[Finding]:
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        # The mTLS rules: required (opt-in) and a truststore where mTLS is set.
        result = scan(ScanOptions(paths=["template.yaml"], select=["IAC401", "IAC403"]))
    finally:
        os.chdir(cwd)
    return result.findings


def test_reported_as_missing_and_as_a_note(tmp_path: Path) -> None:
    found = _scan(tmp_path)
    assert PARSE_RULE not in {f.rule_id for f in found}
    by_default = [f for f in found if f.address == "template.yaml#ByDefault"]
    no_default = [f for f in found if f.address == "template.yaml#NoDefault"]
    # Missing by default: a violation, not a note.
    assert [(f.rule_id, f.unknown) for f in by_default] == [("IAC403", False)]
    # Cannot tell: a note only, never an error.
    assert no_default
    assert all(f.unknown and f.level.value == "note" for f in no_default)
