"""API Gateway facts from SAM: minimal templates in, facts compared."""

from __future__ import annotations

from pathlib import Path

from model.services.facts_of import facts_of, throttling

API = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        DefaultAuthorizer: AWS_IAM
        ApiKeyRequired: KEY
        UsagePlan:
          CreateUsagePlan: PER_API
          Throttle: {RateLimit: 5}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Get:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /, Method: get}
"""


def test_sam_usage_plan_throttles_only_keyed_events(tmp_path: Path) -> None:
    keyless = throttling(facts_of(tmp_path, {"template.yaml": API.replace("KEY", "false")}))
    assert keyless == {
        "Api": (
            False,
            "its only throttling is usage plan template.yaml#Api, which throttles only calls that carry an "
            "API key, and method GET / (event Get) (template.yaml#Fn) does not require one",
        )
    }
    keyed = throttling(facts_of(tmp_path / "k", {"template.yaml": API.replace("KEY", "true")}))
    assert keyed == {"Api": (True, "")}


def test_sam_ip_range_blacklist_is_a_deny_list(tmp_path: Path) -> None:
    text = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        ResourcePolicy:
          IpRangeBlacklist: [198.51.100.0/24]
"""
    facts = facts_of(tmp_path, {"template.yaml": text})
    assert [(r.met.state, r.met.why) for r in facts.network] == [
        (
            False,
            "the resource policy of template.yaml#Api only denies listed callers, "
            "and a deny-list is not an allow-list",
        )
    ]
