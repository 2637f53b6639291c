"""Classic CDN fields of Terraform azurerm resources."""

from __future__ import annotations

from iaclint.model.azure.cdn import build
from iaclint.model.azure.cdn.entities import EndpointFields, Redirect
from iaclint.model.azure.entities import AzureModel
from iaclint.model.azure.registry import reads
from iaclint.model.facts import Setting
from iaclint.resources import Resource
from iaclint.values import Value

# Conditions of a `delivery_rule` other than the request scheme: with one, a rule matches only some
# requests.
_CONDITIONS = (
    "cookies_condition",
    "device_condition",
    "http_version_condition",
    "post_arg_condition",
    "query_string_condition",
    "remote_address_condition",
    "request_body_condition",
    "request_header_condition",
    "request_method_condition",
    "request_uri_condition",
    "url_file_extension_condition",
    "url_file_name_condition",
    "url_path_condition",
)


def _redirects(b: Value) -> tuple[list[Redirect], Value]:
    out: list[Redirect] = []
    for rule in b.get("global_delivery_rule").elements():
        for action in rule.get("url_redirect_action").elements():
            out.append(build.redirect(action.get("protocol"), [], True))
    rules = b.get("delivery_rule")
    for rule in rules.elements():
        for action in rule.get("url_redirect_action").elements():
            protocol = action.get("protocol")
            if any(not rule.get(c).is_null for c in _CONDITIONS):
                out.append(Redirect(protocol, False))
                continue
            schemes = [
                (c.get("match_values"), c.get("operator"), c.get("negate_condition"))
                for c in rule.get("request_scheme_condition").elements()
            ]
            out.append(build.redirect(protocol, schemes, False))
    return out, rules


@reads("azurerm", "azurerm_cdn_endpoint")
def _endpoint(r: Resource, az: AzureModel) -> None:
    redirects, rules = _redirects(r.body)
    fields = EndpointFields(
        Setting(r.body.get("is_http_allowed"), "is_http_allowed"), tuple(redirects), rules
    )
    az.endpoints.append(build.endpoint(r, fields))


@reads("azurerm", "azurerm_cdn_endpoint_custom_domain")
def _custom_domain(r: Resource, az: AzureModel) -> None:
    """HTTPS on a custom domain: `cdn_managed_https` or `user_managed_https`, whose `tls_version`
    defaults to TLS12. Without either block the domain has no HTTPS of its own."""
    for block in ("cdn_managed_https", "user_managed_https"):
        https = r.body.first(block)
        if https.is_null:
            continue
        minimum = Setting(https.get("tls_version"), f"{block}.tls_version")
        az.endpoints.append(build.custom_domain(r, minimum, "1.2"))
