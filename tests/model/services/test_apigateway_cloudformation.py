"""API Gateway facts from CloudFormation: minimal templates in, facts compared."""

from __future__ import annotations

from pathlib import Path

from model.services.facts_of import facts_of, operations, throttling

HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'

QUICK = HEAD + """  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: a
      ProtocolType: HTTP
      Target: arn:aws:lambda:eu-west-1:111122223333:function:f
"""

OVERRIDES = """  Overrides:
    Type: AWS::ApiGatewayV2::ApiGatewayManagedOverrides
    Properties:
      ApiId: !Ref Api
      Route:
        AuthorizationType: AWS_IAM
      Stage:
        DefaultRouteSettings:
          ThrottlingRateLimit: 10
"""


def test_quick_create_route_and_stage_without_overrides(tmp_path: Path) -> None:
    facts = facts_of(tmp_path, {"template.yaml": QUICK})
    assert operations(facts) == {
        "template.yaml#Api route '$default' (quick create)": (
            "none",
            'authorization of the route Target creates is "NONE"',
        )
    }
    assert throttling(facts) == {
        "Api": (False, "no default route settings or route settings set limits for it")
    }


def test_managed_overrides_decide_route_auth_and_stage_throttling(tmp_path: Path) -> None:
    facts = facts_of(tmp_path, {"template.yaml": QUICK + OVERRIDES})
    assert operations(facts) == {
        "template.yaml#Api route '$default' (quick create, overridden) (template.yaml#Overrides)": (
            "token",
            "",
        )
    }
    assert throttling(facts) == {"Api": (True, "")}


KEYLESS = HEAD + """  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: a, EndpointConfiguration: {Types: [PRIVATE]}}
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      AuthorizationType: AWS_IAM
      ApiKeyRequired: KEY
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref Api, StageName: prod}
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages: [{ApiId: !Ref Api, Stage: prod}]
      Throttle: {RateLimit: 5}
"""


def test_usage_plan_throttles_only_keyed_methods(tmp_path: Path) -> None:
    keyless = throttling(facts_of(tmp_path, {"template.yaml": KEYLESS.replace("KEY", "false")}))
    assert keyless == {
        "Deployment": (
            False,
            "its only throttling is usage plan template.yaml#Plan, which throttles only calls that carry an "
            "API key, and method GET (template.yaml#Get) does not require one",
        )
    }
    keyed = throttling(facts_of(tmp_path / "k", {"template.yaml": KEYLESS.replace("KEY", "true")}))
    assert keyed == {"Deployment": (True, "")}


def test_body_included_from_s3_is_named(tmp_path: Path) -> None:
    text = HEAD + """  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: a
      Body:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: s3://bucket/openapi.yaml}
"""
    (auth, why), = operations(facts_of(tmp_path, {"template.yaml": text})).values()
    assert auth == "unknown"
    assert "Body is unknown" in why


INCLUDE = HEAD + """  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: a
      Body:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: LOCATION}
"""

SPEC = "paths:\n  /x:\n    get: {}\n"


def test_body_included_from_a_local_file_is_read_in_place(tmp_path: Path) -> None:
    facts = facts_of(
        tmp_path, {"template.yaml": INCLUDE.replace("LOCATION", "api/spec.yaml"), "api/spec.yaml": SPEC}
    )
    (op,) = facts.operations
    assert (op.auth.value, op.why) == ("none", 'Body.paths./x.get.security is not set (defaults to "NONE")')
    assert (op.origin.span.path, op.origin.span.line) == ("api/spec.yaml", 3)


def test_include_outside_the_scan_root_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (tmp_path / "outside.yaml").write_text(SPEC, encoding="utf-8")
    ((auth, why),) = operations(
        facts_of(root, {"template.yaml": INCLUDE.replace("LOCATION", "../outside.yaml")})
    ).values()
    assert auth == "unknown"
    assert why.startswith("Body is unknown (AWS::Include of ../outside.yaml: ")


def test_include_that_includes_itself_stops(tmp_path: Path) -> None:
    loop = "Fn::Transform: {Name: AWS::Include, Parameters: {Location: loop.yaml}}\n"
    ((auth, why),) = operations(
        facts_of(tmp_path, {"template.yaml": INCLUDE.replace("LOCATION", "loop.yaml"), "loop.yaml": loop})
    ).values()
    assert (auth, why) == ("unknown", "Body is unknown (AWS::Include of loop.yaml includes itself)")
