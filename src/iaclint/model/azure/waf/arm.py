"""WAF policy fields of ARM-shaped resources (ARM templates, Bicep, azapi bodies)."""

from __future__ import annotations

from iaclint.model.azure.armfields import get, props
from iaclint.model.azure.entities import AzureModel
from iaclint.model.azure.registry import reads
from iaclint.model.azure.waf import build
from iaclint.model.facts import Setting
from iaclint.resources import Resource
from iaclint.values import Value


def _rules(rules: Value, switch: str) -> list:
    """Custom rules; `switch` names the rule's on/off property (`state` on Application Gateway
    policies, `enabledState` on Front Door policies)."""
    return [
        build.rule(x, get(x, "name"), get(x, "ruleType"), get(x, "action"), get(x, switch))
        for x in rules.elements()
    ]


@reads("arm", "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies")
def _appgw_policy(r: Resource, az: AzureModel) -> None:
    p = props(r)
    ps = get(p, "policySettings")
    # Application Gateway policies list their custom rules directly.
    rules = get(p, "customRules")
    az.waf_policies.append(
        build.policy(
            r,
            get(r.body, "name"),
            "Application Gateway",
            Setting(get(ps, "mode"), "properties.policySettings.mode"),
            Setting(get(ps, "state"), "properties.policySettings.state"),
            Setting(rules, "properties.customRules"),
            _rules(rules, "state"),
        )
    )


@reads("arm", "Microsoft.Network/FrontDoorWebApplicationFirewallPolicies")
def _frontdoor_policy(r: Resource, az: AzureModel) -> None:
    p = props(r)
    ps = get(p, "policySettings")
    rules = get(p, "customRules", "rules")
    az.waf_policies.append(
        build.policy(
            r,
            get(r.body, "name"),
            "Front Door",
            Setting(get(ps, "mode"), "properties.policySettings.mode"),
            Setting(get(ps, "enabledState"), "properties.policySettings.enabledState"),
            Setting(rules, "properties.customRules.rules"),
            _rules(rules, "enabledState"),
        )
    )
