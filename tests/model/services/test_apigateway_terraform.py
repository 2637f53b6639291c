"""API Gateway facts from Terraform: minimal resources in, facts compared."""

from __future__ import annotations

from pathlib import Path

from model.services.facts_of import facts_of, operations, throttling

API = """
resource "aws_api_gateway_rest_api" "a" {
  name = "a"
}

resource "aws_api_gateway_method" "get" {
  rest_api_id      = aws_api_gateway_rest_api.a.id
  resource_id      = aws_api_gateway_rest_api.a.root_resource_id
  http_method      = "GET"
  authorization    = "AWS_IAM"
  api_key_required = KEY
}

resource "aws_api_gateway_deployment" "d" {
  rest_api_id = aws_api_gateway_rest_api.a.id
  stage_name  = "prod"
}

resource "aws_api_gateway_usage_plan" "p" {
  name = "p"
  api_stages {
    api_id = aws_api_gateway_rest_api.a.id
    stage  = "prod"
  }
  throttle_settings {
    rate_limit = 10
  }
}
"""


def test_deployment_stage_name_creates_a_stage_throttled_by_a_plan_for_keyed_methods(tmp_path: Path) -> None:
    facts = facts_of(tmp_path, {"main.tf": API.replace("KEY", "true")})
    assert throttling(facts) == {"aws_api_gateway_deployment.d": (True, "")}
    (target,) = facts.waf_targets
    assert target.origin.address == "aws_api_gateway_deployment.d"
    assert target.origin.label.endswith('stage "prod" (created by aws_api_gateway_deployment.d)')


def test_usage_plan_does_not_throttle_a_method_without_api_key(tmp_path: Path) -> None:
    facts = facts_of(tmp_path, {"main.tf": API.replace("KEY", "false")})
    state, why = throttling(facts)["aws_api_gateway_deployment.d"]
    assert state is False
    assert why == (
        "its only throttling is usage plan aws_api_gateway_usage_plan.p, which throttles only calls that "
        "carry an API key, and method GET (aws_api_gateway_method.get) does not require one"
    )


def test_unknown_api_key_requirement_is_unknown(tmp_path: Path) -> None:
    text = 'variable "key" {\n  type = bool\n}\n' + API.replace("KEY", "var.key")
    state, why = throttling(facts_of(tmp_path, {"main.tf": text}))["aws_api_gateway_deployment.d"]
    assert state is None
    assert "cannot tell whether method GET (aws_api_gateway_method.get) requires one" in why


def test_plan_without_throttle_is_named(tmp_path: Path) -> None:
    text = API.replace("KEY", "true").replace("throttle_settings {\n    rate_limit = 10\n  }", "")
    state, why = throttling(facts_of(tmp_path, {"main.tf": text}))["aws_api_gateway_deployment.d"]
    assert (state, why) == (False, "usage plan aws_api_gateway_usage_plan.p covers it but sets no throttle")


def test_deployment_stage_declared_again_by_a_stage_resource_is_one_stage(tmp_path: Path) -> None:
    text = API.replace("KEY", "true") + """
resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.a.id
  deployment_id = aws_api_gateway_deployment.d.id
  stage_name    = "prod"
}
"""
    assert throttling(facts_of(tmp_path, {"main.tf": text})) == {"aws_api_gateway_stage.prod": (True, "")}


def test_plan_names_the_api_through_the_deployment(tmp_path: Path) -> None:
    text = API.replace("KEY", "true").replace(
        "api_id = aws_api_gateway_rest_api.a.id\n    stage  = \"prod\"",
        "api_id = aws_api_gateway_deployment.d.rest_api_id\n    stage  = \"prod\"",
    )
    assert throttling(facts_of(tmp_path, {"main.tf": text})) == {"aws_api_gateway_deployment.d": (True, "")}


BODY = """
variable "backend" {
  type    = string
  default = "http://backend.example.com"
}

variable "definition" {
  type = string
}

resource "aws_api_gateway_rest_api" "a" {
  name = "a"
  body = BODY
}
"""


def _body(tmp_path: Path, body: str, files: dict[str, str] | None = None) -> tuple[dict, list]:
    facts = facts_of(tmp_path, {"main.tf": BODY.replace("BODY", body), **(files or {})})
    return operations(facts), [(b.origin.address, b.tls.state, b.tls.why) for b in facts.backends]


def test_body_from_jsonencode_gives_operations_and_integrations(tmp_path: Path) -> None:
    ops, backends = _body(
        tmp_path,
        'jsonencode({ openapi = "3.0.1", paths = { "/x" = { get = { "x-amazon-apigateway-integration" = '
        '{ type = "http_proxy", uri = "${var.backend}/x" } } } } })',
    )
    assert ops == {
        "aws_api_gateway_rest_api.a method GET /x": (
            "none",
            'body.paths./x.get.security is not set (defaults to "NONE")',
        )
    }
    assert backends == [
        (
            "aws_api_gateway_rest_api.a",
            False,
            'body.paths./x.get.x-amazon-apigateway-integration.uri is "http://backend.example.com/x"',
        )
    ]


def test_body_from_a_yaml_file_is_decoded(tmp_path: Path) -> None:
    spec = "paths:\n  /x:\n    get:\n      security: [{sigv4: []}]\ncomponents:\n  securitySchemes:\n"
    spec += "    sigv4: {type: apiKey, name: Authorization, in: header,\n"
    spec += "            x-amazon-apigateway-authtype: awsSigv4}\n"
    ops, _ = _body(tmp_path, 'file("${path.module}/api.yaml")', {"api.yaml": spec})
    assert ops == {"aws_api_gateway_rest_api.a method GET /x": ("token", "")}


def test_unknown_body_stands_for_unknown_operations(tmp_path: Path) -> None:
    ops, _ = _body(tmp_path, "var.definition")
    assert ops == {
        "aws_api_gateway_rest_api.a operations in its definition": (
            "unknown",
            "body is unknown (var.definition has no default)",
        )
    }


HTTP = """
variable "connection" {
  type = string
}

resource "aws_apigatewayv2_api" "h" {
  name          = "h"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "i" {
  api_id           = aws_apigatewayv2_api.h.id
  integration_type = "HTTP_PROXY"
  integration_uri  = "https://backend.example.com"
  connection_type  = CONNECTION
}
"""


def _network(tmp_path: Path, connection: str) -> dict[str, tuple[bool | None, str]]:
    facts = facts_of(tmp_path, {"main.tf": HTTP.replace("CONNECTION", connection)})
    return {r.origin.address: (r.met.state, r.met.why) for r in facts.network}


def test_http_api_is_restricted_only_by_private_integrations_or_an_edge_allow_list(tmp_path: Path) -> None:
    assert _network(tmp_path, '"VPC_LINK"') == {"aws_apigatewayv2_api.h": (True, "")}
    assert _network(tmp_path / "i", '"INTERNET"') == {
        "aws_apigatewayv2_api.h": (
            False,
            "HTTP APIs take no resource policy; no CloudFront distribution with a web ACL fronts it, "
            "and its integrations are not all private",
        )
    }
    assert _network(tmp_path / "u", "var.connection") == {
        "aws_apigatewayv2_api.h": (None, "whether its integrations are private (VPC link) cannot be known")
    }


def test_body_operation_with_x_amazon_apigateway_auth(tmp_path: Path) -> None:
    ops, _ = _body(
        tmp_path,
        'jsonencode({ paths = { "/x" = { get = { "x-amazon-apigateway-auth" = { type = "aws_iam" } } } } })',
    )
    assert ops == {"aws_api_gateway_rest_api.a method GET /x": ("token", "")}


def test_body_alias_bomb_stops_at_the_member_cap(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    ops, _ = _body(tmp_path, 'file("${path.module}/bomb.yaml")', {"bomb.yaml": "\n".join(lines) + "\n"})
    assert ops == {
        "aws_api_gateway_rest_api.a operations in its definition": (
            "unknown",
            "body is unknown (the definition is too large or too deeply nested to read)",
        )
    }


def test_rest_api_deny_list_is_named_and_is_not_an_allow_list(tmp_path: Path) -> None:
    text = """
resource "aws_api_gateway_rest_api" "r" {
  name = "r"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Principal = "*", Action = "execute-api:Invoke", Resource = "*" },
      {
        Effect    = "Deny"
        Principal = "*"
        Action    = "execute-api:Invoke"
        Resource  = "*"
        Condition = { IpAddress = { "aws:SourceIp" = ["198.51.100.0/24"] } }
      },
    ]
  })
}
"""
    facts = facts_of(tmp_path, {"main.tf": text})
    assert [(r.origin.address, r.met.state, r.met.why) for r in facts.network] == [
        (
            "aws_api_gateway_rest_api.r",
            False,
            "the resource policy of aws_api_gateway_rest_api.r only denies listed callers, "
            "and a deny-list is not an allow-list",
        )
    ]
