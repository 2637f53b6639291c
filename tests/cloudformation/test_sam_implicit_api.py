"""SAM implicit APIs: the loader emits `ServerlessRestApi` / `ServerlessHttpApi` with the Globals of
their type, since SAM applies `Globals.Api` / `Globals.HttpApi` to implicit APIs as well."""

from __future__ import annotations

from pathlib import Path

from iaclint.discover import Unit
from iaclint.lang.cloudformation import load
from iaclint.model import build
from iaclint.resources import Resource

HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\nTransform: AWS::Serverless-2016-10-31\n'

TEMPLATE = HEAD + """Parameters:
  Pool:
    Type: String
    Default: arn:aws:cognito-idp:eu-west-1:1:userpool/x
Globals:
  Api:
    Auth:
      DefaultAuthorizer: Users
      Authorizers:
        Users: {UserPoolArn: !Ref Pool}
  HttpApi:
    Auth:
      DefaultAuthorizer: Jwt
      Authorizers:
        Jwt:
          JwtConfiguration: {issuer: https://issuer.example.com, audience: [a]}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Rest:
          Type: Api
          Properties: {Path: /a, Method: get}
        Http:
          Type: HttpApi
          Properties: {Path: /b, Method: get}
        Named:
          Type: Api
          Properties: {RestApiId: !Ref Explicit, Path: /c, Method: get}
  Explicit:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1}
"""


def _load(tmp_path: Path, text: str) -> dict[str, Resource]:
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    result = load([Unit("cloudformation", str(path), [str(path)])])
    assert result.diagnostics == []
    return {r.name: r for r in result.resources}


def test_implicit_apis_carry_their_globals(tmp_path: Path) -> None:
    res = _load(tmp_path, TEMPLATE)
    rest, http = res["ServerlessRestApi"], res["ServerlessHttpApi"]
    assert (rest.type, http.type) == ("AWS::Serverless::Api", "AWS::Serverless::HttpApi")
    assert rest.address == f"{res['Fn'].address.rsplit('#', 1)[0]}#ServerlessRestApi"
    # Declared where the first event creating it is (the event's member, from its key).
    assert (rest.span.line, rest.span.column) == (24, 9)
    assert (http.span.line, http.span.column) == (27, 9)
    assert rest.body.get("StageName").py() == "Prod"
    assert http.body.get("StageName").is_absent  # the model defaults it to $default
    # Global entries keep their spans in the Globals section, and are evaluated.
    default = rest.body.path("Auth", "DefaultAuthorizer")
    assert (default.py(), default.span.line, default.span.column) == ("Users", 10, 7)
    pool = rest.body.path("Auth", "Authorizers", "Users", "UserPoolArn")
    assert pool.py() == "arn:aws:cognito-idp:eu-west-1:1:userpool/x"
    assert http.body.path("Auth", "DefaultAuthorizer").py() == "Jwt"
    assert rest.condition is None and http.condition is None


def test_implicit_api_operations_take_the_global_default_authorizer(tmp_path: Path) -> None:
    model = build(list(_load(tmp_path, TEMPLATE).values()))
    ops = {
        o.label: (o.auth.as_str(), o.auth_attribute, o.api.resource.name if o.api else None)
        for o in model.aws.operations
    }
    assert ops == {
        "method GET /a (event Rest)": ("COGNITO_USER_POOLS", "Auth.DefaultAuthorizer", "ServerlessRestApi"),
        "route GET /b (event Http)": ("JWT", "Auth.DefaultAuthorizer", "ServerlessHttpApi"),
        # An explicit API inherits Globals.Api as well.
        "method GET /c (event Named)": ("COGNITO_USER_POOLS", "Auth.DefaultAuthorizer", "Explicit"),
    }
    # One API entity per implicit API: the model does not make a second, bare one.
    names = sorted(a.resource.name for a in model.aws.apis)
    assert names == ["Explicit", "ServerlessHttpApi", "ServerlessRestApi"]
    assert [s.name.as_str() for s in model.aws.stages if s.resource.name == "ServerlessRestApi"] == ["Prod"]


def test_no_implicit_api_without_events_or_when_declared(tmp_path: Path) -> None:
    declared = HEAD + """Resources:
  ServerlessRestApi:
    Type: AWS::Serverless::Api
    Properties: {StageName: mine}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Rest: {Type: Api, Properties: {Path: /a, Method: get}}
        Queue: {Type: SQS, Properties: {Queue: arn:aws:sqs:eu-west-1:1:q}}
"""
    res = _load(tmp_path, declared)
    assert sorted(res) == ["Fn", "ServerlessRestApi"]
    assert res["ServerlessRestApi"].body.get("StageName").py() == "mine"


def test_implicit_api_of_conditional_functions_is_conditional(tmp_path: Path) -> None:
    text = HEAD + """Parameters:
  Env: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  Never: !Equals [a, b]
Resources:
  Maybe:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties:
      Events:
        Rest: {Type: Api, Properties: {Path: /a, Method: get}}
  Gone:
    Type: AWS::Serverless::Function
    Condition: Never
    Properties:
      Events:
        Http: {Type: HttpApi, Properties: {Path: /a, Method: get}}
"""
    res = _load(tmp_path, text)
    # The function under a false condition creates nothing.
    assert sorted(res) == ["Maybe", "ServerlessRestApi"]
    cond = res["ServerlessRestApi"].condition
    assert cond is not None and cond.is_unknown
