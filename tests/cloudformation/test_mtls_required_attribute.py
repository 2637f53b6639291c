"""IAC403 (opt-in) names the mTLS attribute of the endpoint's own language: `MutualTlsAuthentication`
in CloudFormation, `Domain.MutualTlsAuthentication` in SAM, `mutual_tls_authentication` in Terraform."""

from __future__ import annotations

import os
from pathlib import Path

from iaclint.engine import ScanOptions, scan
from iaclint.findings import Finding

HEADER = 'AWSTemplateFormatVersion: "2010-09-09"\n'


def _iac403(tmp_path: Path, name: str, text: str) -> list[Finding]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = scan(ScanOptions(paths=[name], select=["IAC403"]))
    finally:
        os.chdir(cwd)
    return sorted(result.findings, key=lambda f: (f.span.line, f.span.column))


def test_cloudformation_domains_name_mutual_tls_authentication(tmp_path: Path) -> None:
    text = HEADER + """Resources:
  Rest:
    Type: AWS::ApiGateway::DomainName
    Properties:
      DomainName: rest.example.com
      RegionalCertificateArn: arn:aws:acm:eu-west-1:1:certificate/a
      SecurityPolicy: TLS_1_2
  Http:
    Type: AWS::ApiGatewayV2::DomainName
    Properties:
      DomainName: http.example.com
      MutualTlsAuthentication: {}
      DomainNameConfigurations:
        - CertificateArn: arn:aws:acm:eu-west-1:1:certificate/b
          SecurityPolicy: TLS_1_2
"""
    found = _iac403(tmp_path, "template.yaml", text)
    assert [(f.rule_id, f.span.line, f.span.column, f.attribute) for f in found] == [
        ("IAC403", 3, 3, "MutualTlsAuthentication"),  # absent: at the resource
        ("IAC403", 13, 7, "MutualTlsAuthentication"),  # empty block: where it is written
    ]
    assert found[0].message == (
        "AWS API Gateway custom domain (REST) Rest does not require client certificates "
        "(no MutualTlsAuthentication); the organisation requires mutual TLS on every custom domain"
    )
    assert all("mutual_tls_authentication" not in f.message for f in found)


def test_sam_domain_names_domain_mutual_tls_authentication(tmp_path: Path) -> None:
    text = HEADER + """Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Domain:
        DomainName: api.example.com
        CertificateArn: arn:aws:acm:eu-west-1:1:certificate/a
"""
    found = _iac403(tmp_path, "template.yaml", text)
    assert [(f.rule_id, f.span.line, f.attribute) for f in found] == [
        ("IAC403", 8, "Domain.MutualTlsAuthentication")
    ]
    assert "(no Domain.MutualTlsAuthentication)" in found[0].message


def test_terraform_domain_names_mutual_tls_authentication(tmp_path: Path) -> None:
    text = """resource "aws_api_gateway_domain_name" "api" {
  domain_name              = "api.example.com"
  regional_certificate_arn = "arn:aws:acm:eu-west-1:1:certificate/a"
  security_policy          = "TLS_1_2"
  endpoint_configuration {
    types = ["REGIONAL"]
  }
}
"""
    found = _iac403(tmp_path, "main.tf", text)
    assert [(f.rule_id, f.span.line, f.span.column, f.attribute) for f in found] == [
        ("IAC403", 1, 1, "mutual_tls_authentication")
    ]
    assert found[0].message == (
        "AWS API Gateway custom domain (REST) aws_api_gateway_domain_name.api does not require client "
        "certificates (no mutual_tls_authentication); the organisation requires mutual TLS on every "
        "custom domain"
    )
