"""AWS facts from Terraform (aws provider) resources."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from iaclint.model.aws.tls import apigateway_policy_floor
from iaclint.model.entities import Endpoint, Model, TlsFloor
from iaclint.resources import Resource
from iaclint.values import Value

PLATFORM = "AWS API Gateway"


def _apigw_floor(setting: Value, attribute: str, default: str) -> TlsFloor:
    if setting.is_null:
        return TlsFloor(
            setting, default, attribute, f"platform default {default!s} when {attribute} is not set", True
        )
    name = setting.as_str()
    if name is None:
        return TlsFloor(setting, None, attribute, setting.reason or "not a string", True)
    floor = apigateway_policy_floor(name)
    if floor is None:
        return TlsFloor(setting, None, attribute, f'policy name "{name}" is not one iaclint knows', True)
    return TlsFloor(setting, floor, attribute, "", True)


def _rest_domain(r: Resource) -> Iterable[Endpoint]:
    setting = r.body.get("security_policy")
    yield Endpoint(PLATFORM, "custom domain (REST)", r, _apigw_floor(setting, "security_policy", "1.2"))


def _http_domain(r: Resource) -> Iterable[Endpoint]:
    configs = r.body.get("domain_name_configuration").elements()
    if not configs:
        # The block is required by the provider; without it there is nothing to check.
        return
    for cfg in configs:
        setting = cfg.get("security_policy")
        if setting.is_absent:
            setting = Value.absent(cfg.span or r.span)
        yield Endpoint(
            PLATFORM,
            "custom domain (HTTP/WebSocket)",
            r,
            _apigw_floor(setting, "domain_name_configuration.security_policy", "1.2"),
        )


ADAPTERS: dict[str, Callable[[Resource], Iterable[Endpoint]]] = {
    "aws_api_gateway_domain_name": _rest_domain,
    "aws_apigatewayv2_domain_name": _http_domain,
}


def adapt(resources: Iterable[Resource], model: Model) -> None:
    for r in resources:
        adapter = ADAPTERS.get(r.type)
        if adapter is not None:
            model.endpoints.extend(adapter(r))
