"""The elb service adapts the same minimal resources to the same facts in Terraform and
CloudFormation (YAML and JSON)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml
from tests.model.services.harness import facts_of, summary

from iaclint.engine import ScanOptions, scan
from iaclint.model.aws.elb.build import classic_policy

ROOT = Path(__file__).resolve().parents[3]

TERRAFORM = """
resource "aws_lb" "edge" {
  subnets = ["subnet-a"]
}
resource "aws_lb_listener" "plain" {
  load_balancer_arn = aws_lb.edge.arn
  port              = 80
  default_action {
    type = "redirect"
    redirect {
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}
resource "aws_lb_listener" "tls" {
  load_balancer_arn = aws_lb.edge.arn
  port              = 443
  protocol          = "HTTPS"
  default_action {
    type = "fixed-response"
  }
}
resource "aws_lb_listener_rule" "leak" {
  listener_arn = aws_lb_listener.plain.arn
  action {
    type = "forward"
  }
}
resource "aws_elb" "classic" {
  listener {
    lb_port           = 443
    lb_protocol       = "https"
    instance_port     = 80
    instance_protocol = "http"
  }
  listener {
    lb_port           = 8443
    lb_protocol       = "ssl"
    instance_port     = 8443
    instance_protocol = "ssl"
  }
}
resource "aws_load_balancer_policy" "old" {
  load_balancer_name = aws_elb.classic.name
  policy_name        = "old"
  policy_type_name   = "SSLNegotiationPolicyType"
  policy_attribute {
    name  = "Reference-Security-Policy"
    value = "ELBSecurityPolicy-2014-01"
  }
}
resource "aws_load_balancer_listener_policy" "old" {
  load_balancer_name = aws_elb.classic.name
  load_balancer_port = 8443
  policy_names       = [aws_load_balancer_policy.old.policy_name]
}
"""

TEMPLATE = {
    "Resources": {
        "Edge": {
            "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "Properties": {"Subnets": ["subnet-a"]},
        },
        "Plain": {
            "Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {
                "LoadBalancerArn": {"Ref": "Edge"},
                "Port": 80,
                "DefaultActions": [
                    {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "StatusCode": "HTTP_301"}}
                ],
            },
        },
        "Tls": {
            "Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {
                "LoadBalancerArn": {"Ref": "Edge"},
                "Port": 443,
                "Protocol": "HTTPS",
                "DefaultActions": [{"Type": "fixed-response"}],
            },
        },
        "Leak": {
            "Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
            "Properties": {"ListenerArn": {"Ref": "Plain"}, "Priority": 1, "Actions": [{"Type": "forward"}]},
        },
        "Classic": {
            "Type": "AWS::ElasticLoadBalancing::LoadBalancer",
            "Properties": {
                "Listeners": [
                    {
                        "LoadBalancerPort": "443",
                        "Protocol": "HTTPS",
                        "InstancePort": "80",
                        "InstanceProtocol": "HTTP",
                    },
                    {
                        "LoadBalancerPort": "8443",
                        "Protocol": "SSL",
                        "InstancePort": "8443",
                        "InstanceProtocol": "SSL",
                        "PolicyNames": ["old"],
                    },
                ],
                "Policies": [
                    {
                        "PolicyName": "old",
                        "PolicyType": "SSLNegotiationPolicyType",
                        "Attributes": [
                            {"Name": "Reference-Security-Policy", "Value": "ELBSecurityPolicy-2014-01"}
                        ],
                    }
                ],
            },
        },
    }
}

EXPECTED = {
    "endpoints": sorted(
        [
            ("plain", None, (False,), ()),
            ("tls", "1.0", (), ()),  # no policy: ELBSecurityPolicy-2016-08
            ("leak", None, (True,), ()),  # forwards on a redirecting HTTP listener
            ("classic", "1.0", (), ()),  # no policy: ELBSecurityPolicy-2016-08
            ("classic", "ssl3", (), ()),  # ELBSecurityPolicy-2014-01 still enables SSL 3.0
        ],
        key=repr,
    ),
    "backends": sorted([("classic", False, ()), ("classic", True, ())], key=repr),
}


def _elb(facts: dict) -> dict:
    return {k: v for k, v in facts.items() if k in EXPECTED}


def test_terraform(tmp_path: Path) -> None:
    assert _elb(summary(facts_of(tmp_path, "main.tf", TERRAFORM))) == EXPECTED


def test_cloudformation_yaml(tmp_path: Path) -> None:
    assert _elb(summary(facts_of(tmp_path, "template.yaml", yaml.safe_dump(TEMPLATE)))) == EXPECTED


def test_cloudformation_json(tmp_path: Path) -> None:
    assert _elb(summary(facts_of(tmp_path, "template.json", json.dumps(TEMPLATE)))) == EXPECTED


def test_classic_predefined_policies() -> None:
    assert classic_policy("ELBSecurityPolicy-2011-08") == ("ssl3", False)
    assert classic_policy("ELBSecurityPolicy-2014-01") == ("ssl3", False)
    assert classic_policy("ELBSecurityPolicy-2014-10") == ("1.0", False)
    assert classic_policy("ELBSecurityPolicy-2016-08") == ("1.0", False)
    assert classic_policy("ELBSecurityPolicy-TLS-1-1-2017-01") == ("1.1", False)
    assert classic_policy("ELBSecurityPolicy-TLS-1-2-2017-01") == ("1.2", False)
    assert classic_policy("ELBSample-OpenSSLDefaultCipherPolicy") is None


def test_messages_name_the_lowest_accepted_version() -> None:
    """Disabling only TLS 1.0 leaves TLS 1.1; no policy at all is the documented default."""
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = scan(ScanOptions(paths=["fixtures/terraform/aws/elb-classic"], select=["IAC101"]))
    finally:
        os.chdir(cwd)
    messages = {f.span.line: f.message for f in result.findings}
    assert "accepts TLS 1.1;" in messages[57] and "Protocol-TLSv1.1" in messages[57]
    assert "accepts TLS 1.0;" in messages[29] and "ELBSecurityPolicy-2016-08" in messages[29]


def test_policy_set_to_null_through_a_module_is_the_default() -> None:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = scan(ScanOptions(paths=["fixtures/terraform/aws/edge-module"], select=["IAC101"]))
    finally:
        os.chdir(cwd)
    [finding] = result.findings
    # The module's address names its root's place in the repository when the root is not the scan root.
    assert finding.address.rpartition(":")[2] == "module.internal.aws_lb_listener.https"
    assert "ssl_policy is not set (AWS applies ELBSecurityPolicy-2016-08" in finding.message
