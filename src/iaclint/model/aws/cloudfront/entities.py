"""CloudFront platform entities: distributions, whatever language declared them."""

from __future__ import annotations

from dataclasses import field

from iaclint.model.aws.apigateway.entities import Api
from iaclint.model.aws.wafv2.entities import ClassicWebAcl, WebAcl
from iaclint.model.entities import Endpoint
from iaclint.model.facts import Setting
from iaclint.records import record
from iaclint.resources import Resource
from iaclint.values import Value

PLATFORM = "AWS CloudFront"


@record(frozen=True)
class CustomOrigin:
    """An origin with a custom origin configuration (not an S3 bucket): how CloudFront reaches it."""

    id: Value
    protocol_policy: Setting
    ssl_protocols: Setting


@record(frozen=True)
class Behaviour:
    """A cache behaviour: the origin it sends requests to and the protocols viewers may use."""

    target: Value
    viewer_policy: Setting


@record(eq=False)
class Distribution:
    """A CDN distribution in front of origins."""

    endpoint: Endpoint
    acl_ref: Value
    origin_refs: list[Value]
    origins: list[CustomOrigin] = field(default_factory=list)
    behaviours: list[Behaviour] = field(default_factory=list)
    # The attribute that names its web ACL (`web_acl_id`, `DistributionConfig.WebACLId`).
    acl_attribute: str = "web_acl_id"
    # Linked: the web ACLs on it (WAFv2, or WAF Classic), and the APIs its origins are.
    acls: list[WebAcl] = field(default_factory=list)
    classic_acls: list[ClassicWebAcl] = field(default_factory=list)
    apis: list[Api] = field(default_factory=list)

    @property
    def resource(self) -> Resource:
        return self.endpoint.resource
