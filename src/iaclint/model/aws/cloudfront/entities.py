"""CloudFront platform entities: distributions, whatever language declared them."""

from __future__ import annotations

from dataclasses import dataclass, field

from iaclint.model.aws.apigateway.entities import Api
from iaclint.model.aws.wafv2.entities import WebAcl
from iaclint.model.entities import Endpoint
from iaclint.resources import Resource
from iaclint.values import Value

PLATFORM = "AWS CloudFront"


@dataclass(eq=False, slots=True)
class Distribution:
    """A CDN distribution in front of origins."""

    endpoint: Endpoint
    acl_ref: Value
    origin_refs: list[Value]
    # Linked: the web ACLs on it, and the APIs its origins are.
    acls: list[WebAcl] = field(default_factory=list)
    apis: list[Api] = field(default_factory=list)

    @property
    def resource(self) -> Resource:
        return self.endpoint.resource
