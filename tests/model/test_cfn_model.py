"""CloudFormation and SAM templates feed the AWS model: entities, links and findings, with exact
values and source positions (line, column)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from iaclint.discover import Unit
from iaclint.engine import ScanOptions, scan
from iaclint.lang.cloudformation import load
from iaclint.model import build
from iaclint.model.scope_model import Model
from iaclint.values import Value

HEADER = 'AWSTemplateFormatVersion: "2010-09-09"\n'
SAM = HEADER + "Transform: AWS::Serverless-2016-10-31\n"


def _model(tmp_path: Path, text: str) -> Model:
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    result = load([Unit("cloudformation", str(path), [str(path)])])
    assert result.diagnostics == []
    return build(result.resources)


def _findings(tmp_path: Path, text: str, name: str = "template.yaml") -> list[tuple[str, str, int, int]]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = scan(ScanOptions(paths=[name]))
    finally:
        os.chdir(cwd)
    return sorted((f.rule_id, f.level.value, f.span.line, f.span.column) for f in result.findings)


def test_scope_is_the_template_path(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(HEADER + "Resources:\n  A:\n    Type: AWS::ApiGatewayV2::Api\n", encoding="utf-8")
    result = load([Unit("cloudformation", str(path), [str(path)])])
    assert [r.scope for r in result.resources] == [str(path)]


def test_same_logical_ids_in_two_templates_do_not_link(tmp_path: Path) -> None:
    api = HEADER + "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties: {Name: a}\n"
    stage = (
        HEADER + "Resources:\n  Stage:\n    Type: AWS::ApiGateway::Stage\n"
        "    Properties: {RestApiId: !Ref Api, StageName: v1}\n"
    )
    (tmp_path / "a.yaml").write_text(api, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(stage, encoding="utf-8")
    files = [str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")]
    result = load([Unit("cloudformation", f, [f]) for f in files])
    model = build(result.resources)
    assert [s.api for s in model.aws.stages] == [None]


def test_rest_domain_entities(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        HEADER
        + """Resources:
  Domain:
    Type: AWS::ApiGateway::DomainName
    Properties:
      DomainName: api.example.com
      SecurityPolicy: SecurityPolicy_TLS13_1_2_2021_06
      EndpointAccessMode: STRICT
      MutualTlsAuthentication:
        TruststoreUri: s3://bucket/ca.pem
        TruststoreVersion: v1
""",
    )
    (ep,) = model.endpoints
    assert (ep.kind, ep.custom_domain, ep.tls.minimum, ep.tls.enhanced) == (
        "custom domain (REST)",
        True,
        "1.2",
        True,
    )
    assert ep.tls.attribute == "SecurityPolicy"
    assert (ep.tls.setting.span.line, ep.tls.setting.span.column) == (7, 7)
    assert ep.access_mode.as_str() == "STRICT"
    assert ep.mtls is not None and ep.mtls.truststore.as_str() == "s3://bucket/ca.pem"
    assert ep.mtls.version.as_str() == "v1"
    assert model.aws.domains[0].host.as_str() == "api.example.com"


def test_v2_domain_mapping_links_mtls_domain_to_http_api(tmp_path: Path) -> None:
    text = (
        HEADER
        + """Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: a, ProtocolType: HTTP}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: $default}
  Domain:
    Type: AWS::ApiGatewayV2::DomainName
    Properties:
      DomainName: api.example.com
      DomainNameConfigurations:
        - SecurityPolicy: TLS_1_2
      MutualTlsAuthentication:
        TruststoreUri: s3://bucket/ca.pem
        TruststoreVersion: v1
  Mapping:
    Type: AWS::ApiGatewayV2::ApiMapping
    Properties: {ApiId: !Ref Api, DomainName: !Ref Domain, Stage: !Ref Stage}
"""
    )
    model = _model(tmp_path, text)
    (domain,) = model.aws.domains
    assert [a.resource.name for a in domain.apis] == ["Api"]
    # The HTTP API keeps its default endpoint: IAC501 on the API header (line 3).
    assert ("IAC501", "error", 3, 3) in _findings(tmp_path, text, "b.yaml")


def test_rest_api_default_endpoint_floors(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        HEADER
        + """Resources:
  Public:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: a}
  Private:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: b
      EndpointConfiguration: {Types: [PRIVATE]}
  Off:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: c, DisableExecuteApiEndpoint: true}
  Pinned:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: d, SecurityPolicy: TLS_1_2}
""",
    )
    floors = {e.resource.name: e.tls.minimum for e in model.endpoints}
    assert floors == {"Public": "1.0", "Private": "1.2", "Pinned": "1.2"}
    assert {a.resource.name: a.private for a in model.aws.apis} == {
        "Public": False,
        "Private": True,
        "Off": False,
        "Pinned": False,
    }


def test_policy_as_json_string_and_as_object(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        HEADER
        + """Resources:
  Text:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: a
      Policy: '{"Statement": [{"Effect": "Allow", "Condition": {"IpAddress": {"aws:SourceIp": "10/8"}}}]}'
  Object:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: b
      Policy:
        Statement:
          - Effect: Deny
            Condition:
              NotIpAddress:
                aws:SourceIp: 10.0.0.0/8
""",
    )
    apis = {a.resource.name: a for a in model.aws.apis}
    for name in ("Text", "Object"):
        (policy,) = apis[name].policies
        assert policy.restricts_network() is True
    assert [(s.effect, s.conditions) for s in apis["Object"].policies[0].statements or []] == [
        ("Deny", (("aws:sourceip", "NotIpAddress"),))
    ]


def test_deployment_stage_description_and_usage_plan_throttle_stages(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        HEADER
        + """Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: a}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Api
      StageName: prod
      StageDescription:
        ThrottlingRateLimit: 10
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, StageName: test}
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages:
        - ApiId: !Ref Api
          Stage: test
      Throttle: {RateLimit: 5, BurstLimit: 5}
""",
    )
    stages = {s.resource.name: s for s in model.aws.stages}
    assert stages["Deployment"].name.as_str() == "prod"
    assert [(t.source, t.limited) for t in stages["Deployment"].throttles] == [("stage description", True)]
    # The usage plan names the stage by its name within the referenced API.
    assert [(t.source, t.limited) for t in stages["Stage"].throttles] == [("usage plan", True)]


def test_method_settings_without_limits_are_not_throttling(tmp_path: Path) -> None:
    text = (
        HEADER
        + """Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: a, DisableExecuteApiEndpoint: true, EndpointConfiguration: {Types: [PRIVATE]}}
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      StageName: v1
      MethodSettings:
        - {ResourcePath: "/*", HttpMethod: "*", MetricsEnabled: true}
"""
    )
    # The private API's stage has no WAF, so nothing limits its rate either (IAC811).
    assert _findings(tmp_path, text) == [("IAC811", "warning", 6, 3), ("IAC821", "warning", 6, 3)]


def test_waf_association_with_literal_stage_name_is_only_possible(tmp_path: Path) -> None:
    """`${Api}/stages/prod` names the API, not the stage resource: the stage may be protected, so
    IAC801 is a note, never an error."""
    text = (
        HEADER
        + """Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: a, DisableExecuteApiEndpoint: true}
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, StageName: prod}
  Acl:
    Type: AWS::WAFv2::WebACL
    Properties:
      Scope: REGIONAL
      DefaultAction: {Allow: {}}
  Assoc:
    Type: AWS::WAFv2::WebACLAssociation
    Properties:
      ResourceArn: !Sub arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/prod
      WebACLArn: !GetAtt Acl.Arn
"""
    )
    model = _model(tmp_path, text)
    (stage,) = model.aws.stages
    (assoc,) = model.aws.waf_associations
    assert assoc.targets == []
    assert assoc.possible == [stage]
    iac801 = [f for f in _findings(tmp_path, text, "b.yaml") if f[0] == "IAC801"]
    assert iac801 == [("IAC801", "note", 6, 3)]


def test_waf_rules_ip_allow_list_and_count(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        HEADER
        + """Resources:
  Acl:
    Type: AWS::WAFv2::WebACL
    Properties:
      Scope: REGIONAL
      DefaultAction: {Block: {}}
      Rules:
        - Name: office
          Action: {Allow: {}}
          Statement: {IPSetReferenceStatement: {Arn: arn:aws:wafv2:eu-west-1:1:regional/ipset/o/1}}
        - Name: outsiders
          Action: {Block: {}}
          Statement:
            NotStatement:
              Statement: {IPSetReferenceStatement: {Arn: arn:aws:wafv2:eu-west-1:1:regional/ipset/o/1}}
        - Name: rate
          Action: {Count: {}}
          Statement: {RateBasedStatement: {Limit: 100, AggregateKeyType: IP}}
""",
    )
    (acl,) = model.aws.web_acls
    assert acl.default_action == "block"
    assert [(r.name, r.action, r.ip_set, r.ip_allow, r.rate_based) for r in acl.rules] == [
        ("office", "allow", True, True, False),
        ("outsiders", "block", True, True, False),
        ("rate", "count", False, False, True),
    ]
    assert acl.restricts_network() is True


def test_cloudfront_without_viewer_certificate_uses_default_certificate(tmp_path: Path) -> None:
    text = (
        HEADER
        + """Resources:
  Cdn:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        DefaultCacheBehavior: {TargetOriginId: o, ViewerProtocolPolicy: https-only}
"""
    )
    model = _model(tmp_path, text)
    (ep,) = model.endpoints
    assert (ep.tls.minimum, ep.tls.attribute) == (
        "1.0",
        "DistributionConfig.ViewerCertificate.CloudFrontDefaultCertificate",
    )
    assert [h.serves_plain for h in ep.http] == [False]
    # Reported on the resource header: nothing in the template names the certificate.
    # The distribution has no web ACL either (IAC801): not what this test is about.
    assert [f for f in _findings(tmp_path, text, "b.yaml") if f[0] != "IAC801"] == [("IAC101", "error", 3, 3)]


def test_listener_without_protocol_on_application_load_balancer_is_http(tmp_path: Path) -> None:
    text = (
        HEADER
        + """Resources:
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Subnets: [subnet-0a1b2c3d]}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
      Port: 80
      DefaultActions:
        - Type: fixed-response
          FixedResponseConfig: {StatusCode: "200"}
"""
    )
    # The internet-facing load balancer has no web ACL either (IAC801): not what this test is about.
    assert [f for f in _findings(tmp_path, text) if f[0] != "IAC801"] == [("IAC201", "error", 6, 3)]


def test_openapi_body_operations_security_and_jwt_authorizer(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        HEADER
        + """Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Body:
        openapi: "3.0.1"
        security:
          - jwt: []
        paths:
          /open:
            get:
              security: []
          /items:
            post:
              x-amazon-apigateway-integration:
                type: http_proxy
                uri: http://backend.example.com
        components:
          securitySchemes:
            jwt:
              type: oauth2
              x-amazon-apigateway-authorizer:
                type: jwt
                jwtConfiguration:
                  audience: [a]
""",
    )
    ops = {o.label: o for o in model.aws.operations}
    assert {k: o.auth.as_str() for k, o in ops.items()} == {
        "route GET /open": "NONE",
        "route POST /items": "JWT",
    }
    assert ops["route GET /open"].resource.span.line == 12
    (integ,) = model.aws.integrations
    assert (integ.uri.as_str(), integ.uri.span.line, integ.uri.span.column) == (
        "http://backend.example.com",
        18,
        17,
    )
    (az,) = model.aws.authorizers
    assert (az.kind.as_str(), az.audience.py(), az.issuer.is_absent) == ("JWT", ["a"], True)


def test_sam_api_is_api_stage_and_domain(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        SAM
        + """Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      EndpointConfiguration: PRIVATE
      Domain:
        DomainName: api.example.com
        CertificateArn: arn:aws:acm:eu-west-1:1:certificate/x
        MutualTlsAuthentication: {TruststoreUri: s3://b/ca.pem}
      Auth:
        UsagePlan:
          CreateUsagePlan: PER_API
          Throttle: {RateLimit: 1}
""",
    )
    (api,) = model.aws.apis
    (stage,) = model.aws.stages
    assert (api.private, stage.name.as_str(), stage.api is api) == (True, "v1", True)
    assert [t.source for t in stage.throttles] == ["usage plan"]
    (domain,) = model.aws.domains
    assert domain.endpoint.custom_domain and domain.apis == [api] and api.domains == [domain]
    assert (domain.resource.span.line, domain.endpoint.tls.minimum) == (9, "1.2")


def test_sam_events_auth_resolution(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        SAM
        + """Globals:
  Api:
    Auth:
      DefaultAuthorizer: Users
      Authorizers:
        Users: {UserPoolArn: arn:aws:cognito-idp:eu-west-1:1:userpool/x}
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Default:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /a, Method: get}
        Open:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /b
            Method: post
            Auth: {Authorizer: NONE, ApiKeyRequired: true}
        Iam:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /c, Method: any, Auth: {Authorizer: AWS_IAM}}
        Implicit:
          Type: Api
          Properties: {Path: /d, Method: get}
""",
    )
    ops = {o.label.split(" (event ")[1].rstrip(")"): o for o in model.aws.operations}
    assert {k: (o.auth.as_str(), o.auth_attribute) for k, o in ops.items()} == {
        "Default": ("COGNITO_USER_POOLS", "Auth.DefaultAuthorizer"),
        "Open": ("NONE", "Events.Open.Properties.Auth.Authorizer"),
        "Iam": ("AWS_IAM", "Events.Iam.Properties.Auth.Authorizer"),
        # Globals.Api applies to the implicit API as well (SAM specification, Globals section).
        "Implicit": ("COGNITO_USER_POOLS", "Auth.DefaultAuthorizer"),
    }
    assert ops["Open"].api_key_required.as_bool() is True
    assert {k: o.api.resource.name for k, o in ops.items() if o.api} == {
        "Default": "Api",
        "Open": "Api",
        "Iam": "Api",
        "Implicit": "ServerlessRestApi",
    }
    assert ops["Open"].resource.span.line == 21
    implicit = [s for s in model.aws.stages if s.resource.name == "ServerlessRestApi"]
    assert [s.name.as_str() for s in implicit] == ["Prod"]


def test_sam_event_with_an_imported_api_is_unknown(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        SAM
        + """Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get:
          Type: Api
          Properties: {RestApiId: !ImportValue shared-api, Path: /a, Method: get}
""",
    )
    (op,) = model.aws.operations
    assert op.auth.is_unknown and op.api is None
    assert model.aws.apis == []


def test_sam_http_api_default_stage_and_jwt_authorizers(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        SAM
        + """Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          Strict:
            JwtConfiguration: {audience: [a], issuer: https://issuer.example.com}
          Lambda:
            FunctionArn: arn:aws:lambda:eu-west-1:1:function:f
""",
    )
    (stage,) = model.aws.stages
    assert stage.name.as_str() == "$default"
    assert [(a.resource.span.line, a.kind.as_str(), a.issuer.as_str()) for a in model.aws.authorizers] == [
        (9, "JWT", "https://issuer.example.com"),
        (11, "REQUEST", None),
    ]


def test_sam_default_authorizer_covers_definition_body_and_needs_override_api_auth(tmp_path: Path) -> None:
    """SAM adds `Auth.DefaultAuthorizer` to every method of a DefinitionBody; with a DefinitionBody an
    event's `Authorizer: NONE` only takes effect together with `OverrideApiAuth: true`."""
    model = _model(
        tmp_path,
        SAM
        + """Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        DefaultAuthorizer: Lambda
        Authorizers:
          Lambda: {FunctionArn: arn:aws:lambda:eu-west-1:1:function:auth}
      DefinitionBody:
        openapi: "3.0.1"
        paths:
          /inline:
            get: {}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Kept:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /a, Method: get, Auth: {Authorizer: NONE}}
        Overridden:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /b
            Method: get
            Auth: {Authorizer: NONE, OverrideApiAuth: true}
""",
    )
    assert sorted((o.label, o.auth.as_str(), o.auth_attribute) for o in model.aws.operations) == [
        ("method GET /a (event Kept)", "CUSTOM", "Auth.DefaultAuthorizer"),
        ("method GET /b (event Overridden)", "NONE", "Events.Overridden.Properties.Auth.Authorizer"),
        ("method GET /inline", "CUSTOM", "Auth.DefaultAuthorizer"),
    ]


ROOT = Path(__file__).resolve().parents[2]
ODD = (
    Value.known(5),
    Value.known("x"),
    Value.known([]),
    Value.known({}),
    Value.known(None),
    Value.unknown("u"),
)


def _paths(v: Value, prefix: tuple = (), depth: int = 0) -> list[tuple]:
    out = []
    if depth < 6:
        for k, m in v.items():
            out.append((*prefix, k))
            out += _paths(m, (*prefix, k), depth + 1)
        if v.is_known and isinstance(v.data, list):
            for i, m in enumerate(v.data):
                out.append((*prefix, i))
                out += _paths(m, (*prefix, i), depth + 1)
    return out


def _replace(v: Value, path: tuple, new: Value) -> Value:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(v.data, dict):
        return replace(v, data={**v.data, head: _replace(v.data[head], rest, new)})
    items = list(v.data)
    items[head] = _replace(items[head], rest, new)
    return replace(v, data=items)


def test_adapters_never_raise_on_odd_property_types() -> None:
    """Any property of any fixture resource replaced by a value of another type (or an unknown)
    still builds a model: bad templates must never crash the model stage."""
    files = sorted(
        [
            *(ROOT / "fixtures/cloudformation/aws").glob("*/template.yaml"),
            *(ROOT / "fixtures/sam/aws").glob("*/template.yaml"),
        ]
    )
    tried = 0
    for path in files:
        resources = load([Unit("cloudformation", str(path), [str(path)])]).resources
        for i, r in enumerate(resources):
            for p in _paths(r.body):
                for odd in ODD:
                    mutated = replace(r, body=_replace(r.body, p, odd))
                    build([*resources[:i], mutated, *resources[i + 1 :]])
                    tried += 1
    assert tried > 5000


def test_definition_in_s3_is_a_note_at_the_property(tmp_path: Path) -> None:
    text = (
        HEADER
        + """Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      EndpointConfiguration: {Types: [PRIVATE]}
      BodyS3Location: {Bucket: defs, Key: api.yaml}
"""
    )
    model = _model(tmp_path, text)
    (op,) = model.aws.operations
    assert op.api is not None and op.api.resource.name == "Api"
    assert (op.auth_attribute, op.auth.reason) == (
        "BodyS3Location",
        "the API's operations are defined in S3, which iaclint cannot read",
    )
    assert [f for f in _findings(tmp_path, text) if f[0] == "IAC601"] == [("IAC601", "note", 7, 7)]


def test_definition_in_s3_with_modelled_operations_adds_nothing(tmp_path: Path) -> None:
    text = (
        HEADER
        + """Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      EndpointConfiguration: {Types: [PRIVATE]}
      BodyS3Location: {Bucket: defs, Key: api.yaml}
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      AuthorizationType: AWS_IAM
"""
    )
    model = _model(tmp_path, text)
    assert [o.auth.as_str() for o in model.aws.operations] == ["AWS_IAM"]
    assert [f for f in _findings(tmp_path, text) if f[0] == "IAC601"] == []


def test_sam_definition_uri_object_and_local_file(tmp_path: Path) -> None:
    text = (
        SAM
        + """Resources:
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionUri: {Bucket: defs, Key: rest.yaml}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: openapi/http.yaml
"""
    )
    model = _model(tmp_path, text)
    got = {
        o.api.resource.name: (o.auth_attribute, o.auth.reason, o.resource.span.line)
        for o in model.aws.operations
        if o.api is not None
    }
    assert got == {
        "Rest": ("DefinitionUri", "the API's operations are defined in S3, which iaclint cannot read", 8),
        "Http": (
            "DefinitionUri",
            "the API's operations are defined in 'openapi/http.yaml', a file iaclint does not read",
            12,
        ),
    }
