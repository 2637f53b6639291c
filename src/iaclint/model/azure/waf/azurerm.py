"""WAF policy fields of Terraform azurerm resources."""

from __future__ import annotations

from iaclint.model.azure.entities import AzureModel
from iaclint.model.azure.registry import reads
from iaclint.model.azure.waf import build
from iaclint.model.facts import Setting
from iaclint.resources import Resource


@reads("azurerm", "azurerm_web_application_firewall_policy")
def _appgw_policy(r: Resource, az: AzureModel) -> None:
    b = r.body
    ps = b.first("policy_settings")
    rules = b.get("custom_rules")
    read = [
        build.rule(x, x.get("name"), x.get("rule_type"), x.get("action"), x.get("enabled"))
        for x in rules.elements()
    ]
    az.waf_policies.append(
        build.policy(
            r,
            b.get("name"),
            "Application Gateway",
            Setting(ps.get("mode"), "policy_settings.mode"),
            Setting(ps.get("enabled"), "policy_settings.enabled"),
            Setting(rules, "custom_rules"),
            read,
        )
    )


# Classic Front Door WAF policies have the same mode/enabled/custom_rule shape.
@reads("azurerm", "azurerm_cdn_frontdoor_firewall_policy", "azurerm_frontdoor_firewall_policy")
def _frontdoor_policy(r: Resource, az: AzureModel) -> None:
    b = r.body
    rules = b.get("custom_rule")
    read = [
        build.rule(x, x.get("name"), x.get("type"), x.get("action"), x.get("enabled"))
        for x in rules.elements()
    ]
    az.waf_policies.append(
        build.policy(
            r,
            b.get("name"),
            "Front Door",
            Setting(b.get("mode"), "mode"),
            Setting(b.get("enabled"), "enabled"),
            Setting(rules, "custom_rule"),
            read,
        )
    )
