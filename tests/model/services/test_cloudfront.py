"""The cloudfront service adapts the same minimal distribution to the same facts in Terraform and
CloudFormation (YAML and JSON): its viewer endpoint, how it reaches its custom origins and the
legacy protocols it offers them."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from tests.model.services.harness import facts_of, summary

TERRAFORM = """
resource "aws_cloudfront_distribution" "cdn" {
  enabled = true
  origin {
    origin_id   = "a"
    domain_name = "a.example.com"
    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "match-viewer"
      origin_ssl_protocols   = ["TLSv1.1", "TLSv1.2"]
    }
  }
  origin {
    origin_id   = "b"
    domain_name = "b.example.com"
    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }
  origin {
    origin_id   = "bucket"
    domain_name = "bucket.s3.amazonaws.com"
  }
  default_cache_behavior {
    target_origin_id       = "a"
    viewer_protocol_policy = "allow-all"
  }
  ordered_cache_behavior {
    target_origin_id       = "b"
    viewer_protocol_policy = "allow-all"
  }
  viewer_certificate {
    cloudfront_default_certificate = true
  }
}
"""


def _origin(oid: str, policy: str, protocols: list[str]) -> dict:
    config = {
        "HTTPPort": 80,
        "HTTPSPort": 443,
        "OriginProtocolPolicy": policy,
        "OriginSSLProtocols": protocols,
    }
    return {"Id": oid, "DomainName": f"{oid}.example.com", "CustomOriginConfig": config}


TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "Cdn": {
            "Type": "AWS::CloudFront::Distribution",
            "Properties": {
                "DistributionConfig": {
                    "Enabled": True,
                    "Origins": [
                        _origin("a", "match-viewer", ["TLSv1.1", "TLSv1.2"]),
                        _origin("b", "https-only", ["TLSv1.2"]),
                        {"Id": "bucket", "DomainName": "bucket.s3.amazonaws.com", "S3OriginConfig": {}},
                    ],
                    "DefaultCacheBehavior": {"TargetOriginId": "a", "ViewerProtocolPolicy": "allow-all"},
                    "CacheBehaviors": [{"TargetOriginId": "b", "ViewerProtocolPolicy": "allow-all"}],
                    "ViewerCertificate": {"CloudFrontDefaultCertificate": True},
                }
            },
        }
    },
}

EXPECTED = {
    "endpoints": [("cdn", "1.0", (True, True), ())],
    # Origin a: match-viewer behind allow-all is plain HTTP; b: https-only. The S3 origin is not a
    # custom origin.
    "backends": [("cdn", False, ()), ("cdn", True, ())],
    "legacy": [("cdn", "TLS 1.1", False)],
}


def _cloudfront(facts: dict) -> dict:
    return {k: v for k, v in facts.items() if k in EXPECTED}


def test_terraform(tmp_path: Path) -> None:
    assert _cloudfront(summary(facts_of(tmp_path, "main.tf", TERRAFORM))) == EXPECTED


def test_cloudformation_yaml(tmp_path: Path) -> None:
    assert _cloudfront(summary(facts_of(tmp_path, "template.yaml", yaml.safe_dump(TEMPLATE)))) == EXPECTED


def test_cloudformation_json(tmp_path: Path) -> None:
    assert _cloudfront(summary(facts_of(tmp_path, "template.json", json.dumps(TEMPLATE)))) == EXPECTED
