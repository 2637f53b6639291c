"""AWS model fixes found by scanning public templates (aws/serverless-application-model translator
outputs, aws-samples/serverless-patterns): each test fails without its fix."""

from __future__ import annotations

import os
from pathlib import Path

from iaclint.engine import ScanOptions, scan

# What the SAM transform writes for `Auth: {Authorizer: NONE}` under a DefaultAuthorizer: a
# requirement on the undefined scheme `NONE` (plus `api_key` when ApiKeyRequired).
SAM_NONE_MARKER = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        swagger: "2.0"
        paths:
          /open:
            get:
              security:
                - NONE: []
          /keyed:
            get:
              security:
                - NONE: []
                - api_key: []
          /authed:
            get:
              security:
                - Cognito: []
        securityDefinitions:
          api_key: {type: apiKey, name: x-api-key, in: header}
          Cognito:
            type: apiKey
            name: Authorization
            in: header
            x-amazon-apigateway-authtype: cognito_user_pools
"""


def _findings(tmp_path: Path, text: str, rules: tuple[str, ...]) -> list[tuple[str, str, int, int]]:
    (tmp_path / "template.yaml").write_text(text, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = scan(ScanOptions(paths=["template.yaml"]))
    finally:
        os.chdir(cwd)
    return sorted(
        (f.rule_id, f.level.value, f.span.line, f.span.column) for f in result.findings if f.rule_id in rules
    )


def test_sam_none_security_marker_is_no_authoriser(tmp_path: Path) -> None:
    # Before: a note "security scheme NONE is not defined" on both methods.
    assert _findings(tmp_path, SAM_NONE_MARKER, ("IAC601", "IAC603")) == [
        ("IAC601", "error", 11, 15),  # at `security`
        ("IAC603", "error", 15, 15),
    ]


# HTTP API quick create, as in aws-samples/serverless-patterns apigw-http-api-lambda: before, the
# route's finding said "Target is not set" (it is set) and pointed at the API's header; an HTTP URL
# target was never checked for plain HTTP; Terraform's `target` made no route at all.
QUICK_CREATE_CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Lambda:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      ProtocolType: HTTP
      Target: arn:aws:lambda:eu-west-1:123456789012:function:f
  Proxy:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      ProtocolType: HTTP
      Target: http://backend.example.com/
"""

QUICK_CREATE_TF = """\
resource "aws_apigatewayv2_api" "quick" {
  name          = "quick"
  protocol_type = "HTTP"
  target        = "http://backend.example.com/"
}
"""


Row = tuple[str, str, int, int, str]


def _messages(tmp_path: Path, name: str, text: str, rules: tuple[str, ...]) -> list[Row]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = scan(ScanOptions(paths=[name]))
    finally:
        os.chdir(cwd)
    return sorted(
        (f.rule_id, f.level.value, f.span.line, f.span.column, f.message)
        for f in result.findings
        if f.rule_id in rules
    )


def test_cloudformation_quick_create(tmp_path: Path) -> None:
    text = QUICK_CREATE_CFN
    found = _messages(tmp_path, "template.yaml", text, ("IAC601", "IAC701"))
    assert [f[:4] for f in found] == [
        ("IAC601", "error", 7, 7),
        ("IAC601", "error", 12, 7),
        ("IAC701", "error", 12, 7),
    ]
    assert found[0][4] == (
        "AWS API Gateway HTTP API Lambda route '$default' (quick create) requires no authentication:"
        ' authorization of the route Target creates is "NONE"'
    )
    assert found[2][4] == (
        "AWS API Gateway integration Proxy calls its backend over plain HTTP: "
        'Target is "http://backend.example.com/"'
    )


def test_terraform_quick_create(tmp_path: Path) -> None:
    found = _messages(tmp_path, "main.tf", QUICK_CREATE_TF, ("IAC601", "IAC701"))
    assert [f[:4] for f in found] == [("IAC601", "error", 4, 3), ("IAC701", "error", 4, 3)]
    assert found[0][4] == (
        "AWS API Gateway HTTP API aws_apigatewayv2_api.quick route '$default' (quick create) "
        'requires no authentication: authorization of the route target creates is "NONE"'
    )
