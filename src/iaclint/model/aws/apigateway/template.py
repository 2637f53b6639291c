"""API Gateway property names CloudFormation and SAM share (a SAM `Domain` holds the properties of
the `AWS::ApiGateway::DomainName` it generates, its `MethodSettings` those of the stage): field reads
only, used by both `cloudformation.py` and `sam.py`."""

from __future__ import annotations

from iaclint.model.aws.apigateway import build
from iaclint.model.aws.apigateway.entities import Throttle
from iaclint.model.aws.fields import at
from iaclint.model.facts import Setting
from iaclint.resources import Resource
from iaclint.values import Value

MTLS = "MutualTlsAuthentication"


def mutual_tls(block: Value, prefix: str = "") -> build.MutualTls | None:
    """`MutualTlsAuthentication {TruststoreUri, TruststoreVersion}`; `prefix` is where the block
    sits in the resource (`Domain.` in SAM)."""
    return build.mutual_tls(
        block,
        block,
        Setting(block.get("TruststoreUri"), f"{prefix}{MTLS}.TruststoreUri"),
        Setting(block.get("TruststoreVersion"), f"{prefix}{MTLS}.TruststoreVersion"),
    )


def rest_domain(r: Resource, props: Value, prefix: str = "") -> build.DomainFacts:
    """A REST custom domain (`AWS::ApiGateway::DomainName`, or a SAM Api's `Domain`)."""
    return build.DomainFacts(
        r,
        "REST",
        at(props, "SecurityPolicy", prefix),
        mutual_tls(props.get(MTLS), prefix),
        f"{prefix}{MTLS}",
        props.get("DomainName"),
        at(props, "EndpointAccessMode", prefix),
    )


def endpoint_types(config: Value, attribute: str) -> Setting:
    """`EndpointConfiguration.Types` (a list; SAM also writes `Type` or a bare string)."""
    types = config.get("Types")
    if types.is_null:
        types = config.get("Type")
    if types.is_null and config.is_known and isinstance(config.data, str):
        types = config
    return Setting(types, f"{attribute}.Types")


def self_ref(r: Resource) -> Value:
    """`!Ref` of the resource itself."""
    return build.self_ref(r, f"Ref to resource {r.name}")


def settings_throttle(r: Resource, settings: Value, attribute: str, source: str) -> Throttle:
    """Throttling limits written as `ThrottlingRateLimit`/`ThrottlingBurstLimit`."""
    return build.throttle(
        r,
        settings,
        attribute,
        source,
        settings.get("ThrottlingRateLimit"),
        settings.get("ThrottlingBurstLimit"),
    )


def method_settings_throttles(r: Resource, settings: Value, attribute: str) -> list[Throttle]:
    """REST `MethodSettings[]` written on a stage (or a deployment's stage description)."""
    if settings.is_unknown:
        return [Throttle(r, settings, attribute, "method settings", None)]
    return [settings_throttle(r, s, attribute, "method settings") for s in settings.elements()]


def route_settings_throttles(r: Resource, props: Value, prefix: str = "") -> list[Throttle]:
    """HTTP API `DefaultRouteSettings` and `RouteSettings` (a map of route key → settings)."""
    out: list[Throttle] = []
    drs = props.get("DefaultRouteSettings")
    if not drs.is_null:
        out.append(settings_throttle(r, drs, f"{prefix}DefaultRouteSettings", "default route settings"))
    for _key, rs in props.get("RouteSettings").items():
        out.append(settings_throttle(r, rs, f"{prefix}RouteSettings", "route settings"))
    return out
