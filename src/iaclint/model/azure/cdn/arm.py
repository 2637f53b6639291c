"""Classic CDN fields of ARM-shaped resources (ARM templates, Bicep, azapi bodies)."""

from __future__ import annotations

from iaclint.model.azure.armfields import get, props
from iaclint.model.azure.cdn import build
from iaclint.model.azure.cdn.entities import EndpointFields, Redirect
from iaclint.model.azure.entities import AzureModel
from iaclint.model.azure.registry import reads
from iaclint.model.facts import Setting
from iaclint.resources import Resource
from iaclint.values import Value


def _redirects(rules: Value) -> list[Redirect]:
    """Delivery rules with a `UrlRedirect` action. A rule with order 0 and no condition is the
    endpoint's global rule; `RequestScheme` conditions say whether a rule matches plain HTTP."""
    out: list[Redirect] = []
    for rule in rules.elements():
        for action in get(rule, "actions").elements():
            if (get(action, "name").as_str() or "").lower() != "urlredirect":
                continue
            protocol = get(action, "parameters", "destinationProtocol")
            conds = get(rule, "conditions")
            if conds.is_unknown:
                out.append(Redirect(protocol, None, conds.reason))
                continue
            schemes: list[tuple[Value, Value, Value]] = []
            other = False
            for c in conds.elements():
                if (get(c, "name").as_str() or "").lower() == "requestscheme":
                    cp = get(c, "parameters")
                    schemes.append((get(cp, "matchValues"), get(cp, "operator"), get(cp, "negateCondition")))
                else:
                    other = True
            if other:
                out.append(Redirect(protocol, False))
            else:
                out.append(build.redirect(protocol, schemes, not conds.elements()))
    return out


@reads("arm", "Microsoft.Cdn/profiles/endpoints")
def _endpoint(r: Resource, az: AzureModel) -> None:
    p = props(r)
    rules = get(p, "deliveryPolicy", "rules")
    fields = EndpointFields(
        Setting(get(p, "isHttpAllowed"), "properties.isHttpAllowed"), tuple(_redirects(rules)), rules
    )
    az.endpoints.append(build.endpoint(r, fields))


@reads("arm", "Microsoft.Cdn/profiles/endpoints/customDomains")
def _custom_domain(r: Resource, az: AzureModel) -> None:
    # The template reference declares only `hostName`: HTTPS is switched on by an action after
    # deployment. A template that writes `customHttpsParameters` anyway is read for what it says.
    https = get(props(r), "customHttpsParameters")
    if https.is_null:
        return
    minimum = Setting(get(https, "minimumTlsVersion"), "properties.customHttpsParameters.minimumTlsVersion")
    az.endpoints.append(build.custom_domain(r, minimum, None))
