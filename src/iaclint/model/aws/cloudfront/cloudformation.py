"""CloudFront fields as CloudFormation names them. Reads only; `build.py` decides what they mean."""

from __future__ import annotations

from iaclint.model.adapters import Scope, adapter
from iaclint.model.aws.cloudfront import build
from iaclint.model.aws.cloudfront.entities import Behaviour, CustomOrigin
from iaclint.model.aws.fields import at
from iaclint.model.facts import Setting
from iaclint.resources import Resource

CFN = "cloudformation"
CONFIG = "DistributionConfig."


@adapter("AWS::CloudFront::Distribution", language=CFN)
def _distribution(r: Resource, scope: Scope) -> None:
    config = r.body.get("DistributionConfig")
    behaviours = [("DefaultCacheBehavior", config.get("DefaultCacheBehavior"))]
    behaviours += [("CacheBehaviors", x) for x in config.get("CacheBehaviors").elements()]
    origins = config.get("Origins").elements()
    facts = build.DistributionFacts(
        r,
        config.get("ViewerCertificate"),
        at(config, "ViewerCertificate.CloudFrontDefaultCertificate", CONFIG),
        at(config, "ViewerCertificate.MinimumProtocolVersion", CONFIG),
        [
            Behaviour(
                x.get("TargetOriginId"),
                Setting(x.get("ViewerProtocolPolicy"), f"{CONFIG}{name}.ViewerProtocolPolicy"),
            )
            for name, x in behaviours
            if not x.is_absent
        ],
        config.get("WebACLId"),
        [o.get("DomainName") for o in origins],
        [
            CustomOrigin(
                o.get("Id"),
                at(o, "CustomOriginConfig.OriginProtocolPolicy", f"{CONFIG}Origins."),
                at(o, "CustomOriginConfig.OriginSSLProtocols", f"{CONFIG}Origins."),
            )
            for o in origins
            if not o.get("CustomOriginConfig").is_null
        ],
        f"{CONFIG}WebACLId",
    )
    build.distribution(scope, facts)
