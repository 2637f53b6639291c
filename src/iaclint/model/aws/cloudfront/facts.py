"""What a CloudFront distribution means for the standard beyond its viewer endpoint: it is an
internet-facing edge that a WAFv2 web ACL must front (S5.1; a WAF Classic web ACL, named by a
classic id, does not count), and how it reaches its custom origins (S4.1): `http-only` is plain
HTTP; `match-viewer` is plain HTTP for the behaviours that let viewers use HTTP (`allow-all`);
origin SSL protocols below TLSv1.2 are legacy protocols towards the backend."""

from __future__ import annotations

from iaclint.model.aws.cloudfront.entities import PLATFORM, CustomOrigin, Distribution
from iaclint.model.aws.wafv2.facts import classic_label, classic_waf, web_acl
from iaclint.model.derive import Derivation, builder
from iaclint.model.facts import (
    Attachment,
    Backend,
    Decision,
    LegacyProtocol,
    Origin,
    Setting,
    WafTarget,
    tls_label,
)

# Origin SSL protocols below TLS 1.2, by the version they name.
LEGACY = {"SSLv3": "ssl3", "TLSv1": "1.0", "TLSv1.1": "1.1"}


@builder
def cloudfront(d: Derivation) -> None:
    for dist in d.model.aws.distributions:
        d.facts.waf_targets.append(_waf_target(d, dist))
        for n, o in enumerate(dist.origins, 1):
            origin = Origin.of(dist.resource, _origin_label(dist, o, n))
            d.facts.backends.append(Backend(origin, _origin_tls(dist, o)))
            if (o.protocol_policy.value.as_str() or "").lower() != "http-only":
                d.facts.legacy_protocols.extend(_legacy(origin, o))


def _origin_label(dist: Distribution, o: CustomOrigin, n: int) -> str:
    """Named by its id, or by its place among the custom origins when the id is not known."""
    name = o.id.describe() if o.id.as_str() is not None else f"#{n}"
    return f"{PLATFORM} distribution {dist.resource.address} origin {name}"


def _origin_tls(dist: Distribution, o: CustomOrigin) -> Decision:
    setting = o.protocol_policy
    value, attr = setting.value, setting.attribute
    if value.is_unknown:
        return Decision.unknown(setting, f"{attr} is {value.describe()}")
    text = (value.as_str() or "").lower()
    if text == "http-only":
        return Decision.no(setting, f"{attr} is {value.describe()}")
    if text != "match-viewer":
        return Decision.yes(setting)
    # match-viewer: plain HTTP towards the origin for every viewer request over HTTP.
    unknown = None
    for b in dist.behaviours:
        if b.target.is_known and o.id.is_known and b.target.as_str() != o.id.as_str():
            continue
        policy = b.viewer_policy.value
        if policy.is_unknown:
            unknown = unknown or b
            continue
        if (policy.as_str() or "").lower() == "allow-all":
            why = (
                f"{attr} is {value.describe()} and {b.viewer_policy.attribute} is {policy.describe()}: "
                "requests viewers send over HTTP reach the origin over HTTP"
            )
            return Decision.no(setting, why)
    if unknown is not None:
        viewer = unknown.viewer_policy
        why = f"{attr} is {value.describe()} and {viewer.attribute} is {viewer.describe()}"
        return Decision.unknown(setting, why)
    return Decision.yes(setting)


def _legacy(origin: Origin, o: CustomOrigin) -> list[LegacyProtocol]:
    setting = o.ssl_protocols
    value, attr = setting.value, setting.attribute
    if value.is_unknown:
        why = f"{attr} is {value.describe()}"
        return [LegacyProtocol(origin, "a protocol below TLS 1.2", Decision.unknown(setting, why))]
    out = []
    for item in value.elements():
        if item.is_unknown:
            why = f"an element of {attr} is {item.describe()}"
            out.append(
                LegacyProtocol(origin, "a protocol below TLS 1.2", Decision.unknown(Setting(item, attr), why))
            )
            continue
        version = LEGACY.get(item.as_str() or "")
        if version is not None:
            why = f"{attr} includes {item.describe()}"
            out.append(LegacyProtocol(origin, tls_label(version), Decision.no(Setting(item, attr), why)))
    return out


def _waf_target(d: Derivation, dist: Distribution) -> WafTarget:
    """A distribution is reachable from the internet, whatever its origins are."""
    label = dist.endpoint.label
    origin = Origin.of(dist.resource, label)
    attachments = [d.attach(d.waf(acl, web_acl), label) for acl in dist.acls]
    ref = dist.acl_ref
    for acl in dist.classic_acls:
        classic = Origin.of(acl.resource, classic_label(acl, ref))
        attachments.append(d.attach(d.waf(acl, lambda _e, o=classic: classic_waf(o)), label))
    if not attachments and not ref.is_null:
        text = ref.as_str()
        if text is not None and not text.startswith("arn:"):
            # A WAFv2 web ACL is named by its ARN; anything else is a WAF Classic web ACL id.
            classic = Origin.of(dist.resource, classic_label(None, ref))
            attachments.append(d.attach(d.waf(dist, lambda _e, o=classic: classic_waf(o)), label))
        else:
            attachments.append(Attachment(None, Setting(ref, dist.acl_attribute)))
    how = f"set {dist.acl_attribute} to the ARN of a WAFv2 web ACL with scope CLOUDFRONT"
    public = Decision.yes(Setting.absent("waf"))
    return WafTarget(origin, public, attachments, edge=True, fronts_api=True if dist.apis else None, how=how)
