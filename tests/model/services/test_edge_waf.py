"""WAF on every internet-facing edge (S5.1): Application Load Balancers and CloudFront distributions
are WAF targets whether or not they front an API, WAF Classic attachments are retired WAFs, and
the `edges` parameter of IAC801 narrows the rule to edges that front an API."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml
from tests.model.services.harness import facts_of, summary

from iaclint.engine import ScanOptions, scan

ROOT = Path(__file__).resolve().parents[3]

TERRAFORM = """
resource "aws_api_gateway_rest_api" "api" {
  name = "api"
}
resource "aws_lb" "public" {
  subnets = ["subnet-a"]
}
resource "aws_lb" "private" {
  internal = true
  subnets  = ["subnet-a"]
}
resource "aws_lb" "network" {
  load_balancer_type = "network"
  subnets            = ["subnet-a"]
}
resource "aws_wafregional_web_acl" "old" {
  name        = "old"
  metric_name = "old"
  default_action {
    type = "ALLOW"
  }
}
resource "aws_wafregional_web_acl_association" "old" {
  resource_arn = aws_lb.public.arn
  web_acl_id   = aws_wafregional_web_acl.old.id
}
resource "aws_cloudfront_distribution" "front" {
  enabled = true
  origin {
    origin_id   = "api"
    domain_name = "${aws_api_gateway_rest_api.api.id}.execute-api.eu-west-1.amazonaws.com"
  }
  default_cache_behavior {
    target_origin_id       = "api"
    viewer_protocol_policy = "https-only"
  }
}
"""

TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "api"}},
        "Public": {
            "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "Properties": {"Subnets": ["subnet-a"]},
        },
        "Private": {
            "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "Properties": {"Scheme": "internal", "Subnets": ["subnet-a"]},
        },
        "Network": {
            "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "Properties": {"Type": "network", "Subnets": ["subnet-a"]},
        },
        "Old": {
            "Type": "AWS::WAFRegional::WebACL",
            "Properties": {"Name": "old", "MetricName": "old", "DefaultAction": {"Type": "ALLOW"}},
        },
        "OldAssociation": {
            "Type": "AWS::WAFRegional::WebACLAssociation",
            "Properties": {"ResourceArn": {"Ref": "Public"}, "WebACLId": {"Ref": "Old"}},
        },
        "Front": {
            "Type": "AWS::CloudFront::Distribution",
            "Properties": {
                "DistributionConfig": {
                    "Enabled": True,
                    "Origins": [
                        {
                            "Id": "api",
                            "DomainName": {"Fn::Sub": "${Api}.execute-api.eu-west-1.amazonaws.com"},
                            "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"},
                        }
                    ],
                    "DefaultCacheBehavior": {"TargetOriginId": "api", "ViewerProtocolPolicy": "https-only"},
                }
            },
        },
    },
}

# (name, public, edge, fronts an API, attached WAFs): the network load balancer is no WAF target.
EXPECTED = {
    "waf_targets": sorted(
        [
            ("public", True, True, None, ("old",)),
            ("private", False, True, None, ()),
            ("front", True, True, True, ()),
        ],
        key=repr,
    ),
    "wafs": [("old", False, False, True)],
}


def _edges(facts: dict) -> dict:
    out = {k: v for k, v in facts.items() if k in EXPECTED}
    out["waf_targets"] = [t for t in out.get("waf_targets", []) if t[2]]
    return out


def test_terraform(tmp_path: Path) -> None:
    assert _edges(summary(facts_of(tmp_path, "main.tf", TERRAFORM))) == EXPECTED


def test_cloudformation_yaml(tmp_path: Path) -> None:
    assert _edges(summary(facts_of(tmp_path, "template.yaml", yaml.safe_dump(TEMPLATE)))) == EXPECTED


def test_cloudformation_json(tmp_path: Path) -> None:
    assert _edges(summary(facts_of(tmp_path, "template.json", json.dumps(TEMPLATE)))) == EXPECTED


def _iac801(path: str, params: dict) -> list[tuple[str, int]]:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = scan(ScanOptions(paths=[path], select=["IAC801"], rule_params=params))
    finally:
        os.chdir(cwd)
    return sorted((f.span.path, f.span.line) for f in result.findings)


def test_edges_parameter_narrows_to_edges_that_front_an_api(tmp_path: Path) -> None:
    path = "fixtures/terraform/aws/edge-waf"
    every = _iac801(path, {})
    assert [line for _, line in every] == [27, 33, 76, 115]
    assert _iac801(path, {"IAC801": {"edges": "all"}}) == every
    # None of these edges is shown fronting an API.
    assert _iac801(path, {"IAC801": {"edges": "api"}}) == []


def test_edges_parameter_keeps_an_edge_in_front_of_an_api(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TERRAFORM, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = scan(
            ScanOptions(paths=["main.tf"], select=["IAC801"], rule_params={"IAC801": {"edges": "api"}})
        )
    finally:
        os.chdir(cwd)
    assert [f.address for f in result.findings if f.address.startswith("aws_cloudfront")] == [
        "aws_cloudfront_distribution.front"
    ]
    assert not [f for f in result.findings if f.address.startswith("aws_lb")]


def test_a_stage_with_only_a_classic_association_is_told_so() -> None:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = scan(ScanOptions(paths=["fixtures/terraform/aws/waf-classic-stage"], select=["IAC801"]))
    finally:
        os.chdir(cwd)
    [finding] = result.findings
    assert finding.span.line == 9
    assert "only AWS WAF Classic web ACL aws_wafregional_web_acl.old is attached" in finding.message
