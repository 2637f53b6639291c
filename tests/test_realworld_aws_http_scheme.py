"""A backend URL whose host is unknown but whose scheme is written out (`http://${Alb.DNSName}/x`,
seen in aws-samples/serverless-patterns VPC-link patterns) is plain HTTP: IAC701 is an error, not a
"cannot tell" note. Before the fix these were notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaclint.engine import ScanOptions, scan
from iaclint.values import Value

CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Type: network, Scheme: internal}
  SubMethod:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: abc
      ResourceId: def
      HttpMethod: GET
      AuthorizationType: AWS_IAM
      Integration:
        Type: HTTP_PROXY
        IntegrationHttpMethod: GET
        Uri: !Sub "http://${Nlb.DNSName}/items"
  JoinMethod:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: abc
      ResourceId: def
      HttpMethod: POST
      AuthorizationType: AWS_IAM
      Integration:
        Type: HTTP
        IntegrationHttpMethod: POST
        Uri: !Join ["", ["http://", !GetAtt Nlb.DNSName, "/items"]]
  TlsMethod:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: abc
      ResourceId: def
      HttpMethod: PUT
      AuthorizationType: AWS_IAM
      Integration:
        Type: HTTP
        IntegrationHttpMethod: PUT
        Uri: !Sub "https://${Nlb.DNSName}/items"
  UnknownSchemeMethod:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: abc
      ResourceId: def
      HttpMethod: DELETE
      AuthorizationType: AWS_IAM
      Integration:
        Type: HTTP
        IntegrationHttpMethod: DELETE
        Uri: !Sub "${Nlb.DNSName}/items"
"""

TF = """\
resource "aws_lb" "nlb" {
  name               = "x"
  internal           = true
  load_balancer_type = "network"
}

resource "aws_api_gateway_integration" "plain" {
  rest_api_id             = "abc"
  resource_id             = "def"
  http_method             = "GET"
  type                    = "HTTP_PROXY"
  integration_http_method = "GET"
  uri                     = "http://${aws_lb.nlb.dns_name}/items"
}

resource "aws_api_gateway_integration" "tls" {
  rest_api_id             = "abc"
  resource_id             = "def"
  http_method             = "PUT"
  type                    = "HTTP_PROXY"
  integration_http_method = "PUT"
  uri                     = "https://${aws_lb.nlb.dns_name}/items"
}
"""


def _iac701(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str) -> list[tuple]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = scan(ScanOptions(paths=["."]))
    return sorted(
        (f.level.value, f.span.line, f.span.column, f.message)
        for f in result.findings
        if f.rule_id == "IAC701"
    )


def test_cloudformation_sub_and_join_with_http_scheme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = _iac701(tmp_path, monkeypatch, "template.yaml", CFN)
    assert [(lvl, line, col) for lvl, line, col, _ in found] == [
        ("error", 16, 9),  # !Sub "http://${Nlb.DNSName}/items"
        ("error", 27, 9),  # !Join ["", ["http://", ...]]
        ("note", 49, 9),  # "${Nlb.DNSName}/items": the scheme is not known
    ]
    assert found[0][3] == (
        "AWS API Gateway integration SubMethod calls its backend over plain HTTP: "
        'Integration.Uri is "http://..."'
    )


def test_terraform_template_with_http_scheme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = _iac701(tmp_path, monkeypatch, "main.tf", TF)
    assert found == [
        (
            "error",
            13,
            3,
            "AWS API Gateway integration aws_api_gateway_integration.plain calls its backend over plain "
            'HTTP: uri is "http://..."',
        )
    ]


def test_known_prefix() -> None:
    assert Value.known("http://a").known_prefix() == "http://a"
    assert Value.unknown("host unknown", prefix="http://").known_prefix() == "http://"
    assert Value.unknown("no prefix").known_prefix() == ""
    assert Value.unknown("no prefix").data is None
    assert Value.absent().known_prefix() == ""
