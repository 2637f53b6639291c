"""CloudFront fields as the Terraform aws provider names them. Reads only; `build.py` decides what
they mean."""

from __future__ import annotations

from iaclint.model.adapters import Scope, adapter
from iaclint.model.aws.cloudfront import build
from iaclint.model.aws.cloudfront.entities import Behaviour, CustomOrigin
from iaclint.model.aws.fields import at
from iaclint.model.facts import Setting
from iaclint.resources import Resource

TF = "terraform"


@adapter("aws_cloudfront_distribution", language=TF)
def _distribution(r: Resource, scope: Scope) -> None:
    b = r.body
    behaviours = [("default_cache_behavior", x) for x in b.get("default_cache_behavior").elements()]
    behaviours += [("ordered_cache_behavior", x) for x in b.get("ordered_cache_behavior").elements()]
    origins = b.get("origin").elements()
    facts = build.DistributionFacts(
        r,
        b.first("viewer_certificate"),
        at(b, "viewer_certificate.cloudfront_default_certificate"),
        at(b, "viewer_certificate.minimum_protocol_version"),
        [
            Behaviour(
                x.get("target_origin_id"),
                Setting(x.get("viewer_protocol_policy"), f"{name}.viewer_protocol_policy"),
            )
            for name, x in behaviours
        ],
        b.get("web_acl_id"),
        [o.get("domain_name") for o in origins],
        [
            CustomOrigin(
                o.get("origin_id"),
                at(o, "custom_origin_config.origin_protocol_policy", "origin."),
                at(o, "custom_origin_config.origin_ssl_protocols", "origin."),
            )
            for o in origins
            if not o.get("custom_origin_config").is_null
        ],
    )
    build.distribution(scope, facts)
