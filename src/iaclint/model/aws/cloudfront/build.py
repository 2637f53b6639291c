"""What a CloudFront distribution's settings mean, decided once for every language: the lowest TLS
version viewers may use (the default certificate accepts TLSv1 whatever the minimum says), and the
cache behaviours that serve plain HTTP."""

from __future__ import annotations

from iaclint.model.adapters import Scope
from iaclint.model.aws.cloudfront.entities import PLATFORM, Behaviour, CustomOrigin, Distribution
from iaclint.model.aws.tls import cloudfront_protocol, named_floor
from iaclint.model.entities import Endpoint, PlainHttp, TlsFloor
from iaclint.model.facts import Setting
from iaclint.records import record
from iaclint.resources import Resource
from iaclint.values import Value


@record(frozen=True)
class DistributionFacts:
    """A CloudFront distribution's fields as read, in any language."""

    resource: Resource
    # The viewer certificate block, whether it is CloudFront's default one, the minimum version.
    certificate: Value
    default_certificate: Setting
    minimum: Setting
    # Each cache behaviour: its target origin and viewer protocol policy.
    behaviours: list[Behaviour]
    web_acl: Value
    # Each origin's domain name (how an origin names the API it is).
    origin_domains: list[Value]
    # The origins with a custom origin configuration.
    origins: list[CustomOrigin]
    web_acl_attribute: str = "web_acl_id"


def viewer_floor(f: DistributionFacts) -> TlsFloor:
    default_cert, minimum = f.default_certificate, f.minimum
    if default_cert.value.as_bool() is True or f.certificate.is_absent:
        # Without a viewer certificate CloudFront serves its *.cloudfront.net certificate.
        setting = default_cert.value if not default_cert.value.is_absent else f.certificate
        why = "the default *.cloudfront.net certificate accepts TLSv1 whatever the minimum says"
        return TlsFloor(setting, "1.0", default_cert.attribute, why, True, True)
    value, attr = minimum.value, minimum.attribute
    if default_cert.value.is_unknown and value.is_null:
        return TlsFloor(default_cert.value, None, default_cert.attribute, default_cert.value.reason, True)
    if value.is_null:
        return TlsFloor(
            value, "1.0", attr, "CloudFront defaults the minimum protocol version to TLSv1", True, True
        )
    return named_floor(value, attr, cloudfront_protocol, noun="protocol version")


def viewer_http(policies: list[Setting]) -> list[PlainHttp]:
    """`allow-all` serves plain HTTP; `redirect-to-https` and `https-only` do not."""
    out = []
    for p in policies:
        text = p.value.as_str()
        serves = None if text is None else text == "allow-all"
        out.append(PlainHttp(p.value, p.attribute, serves, p.value.reason))
    return out


def distribution(scope: Scope, f: DistributionFacts) -> Distribution:
    viewer = viewer_http([b.viewer_policy for b in f.behaviours])
    ep = Endpoint(PLATFORM, "distribution", f.resource, viewer_floor(f), viewer)
    dist = Distribution(ep, f.web_acl, f.origin_domains, f.origins, f.behaviours, f.web_acl_attribute)
    scope.model.endpoints.append(ep)
    scope.model.aws.distributions.append(dist)
    return dist
