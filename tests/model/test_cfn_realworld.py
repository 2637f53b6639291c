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
