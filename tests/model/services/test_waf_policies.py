"""WAF policies: a rate-limit custom rule counts when it blocks and is switched on. A minimal policy in
each language family gives the same rate-limit fact."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.services.azure_facts import arm, facts_of

AGW = "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies"
FD = "Microsoft.Network/FrontDoorWebApplicationFirewallPolicies"


def _arm_rule(switch: str, state: object) -> dict:
    rule = {"name": "rate", "priority": 1, "ruleType": "RateLimitRule", "action": "Block"}
    if state is not None:
        rule[switch] = state
    return rule


@pytest.mark.parametrize(
    ("state", "expected"),
    [(None, True), ("Enabled", True), ("disabled", False), ("[parameters('s')]", None)],
)
def test_arm_rule_state(tmp_path: Path, state: object, expected: bool | None) -> None:
    agw = {
        "type": AGW,
        "apiVersion": "2023-04-01",
        "name": "agw",
        "properties": {"customRules": [_arm_rule("state", state)]},
    }
    fd = {
        "type": FD,
        "apiVersion": "2022-05-01",
        "name": "fd",
        "properties": {"customRules": {"rules": [_arm_rule("enabledState", state)]}},
    }
    facts = facts_of(tmp_path, {"t.json": arm(agw, fd, parameters={"s": {"type": "string"}})})
    assert [w.rate_limit.state for w in facts.wafs] == [expected, expected]


AZURERM = """
variable "on" {
  type = bool
}

resource "azurerm_web_application_firewall_policy" "agw" {
  name = "agw"
  custom_rules {
    name      = "rate"
    rule_type = "RateLimitRule"
    action    = "Block"
    enabled   = false
  }
}

resource "azurerm_cdn_frontdoor_firewall_policy" "fd" {
  name = "fd"
  custom_rule {
    name    = "rate"
    type    = "RateLimitRule"
    action  = "Block"
    enabled = var.on
  }
}

resource "azurerm_frontdoor_firewall_policy" "classic" {
  name = "classic"
  custom_rule {
    name   = "rate"
    type   = "RateLimitRule"
    action = "Block"
  }
}
"""


def test_azurerm_rule_enabled(tmp_path: Path) -> None:
    facts = facts_of(tmp_path, {"main.tf": AZURERM})
    got = {w.origin.address: (w.rate_limit.state, w.rate_limit.why) for w in facts.wafs}
    assert got == {
        "azurerm_web_application_firewall_policy.agw": (False, "its RateLimitRule 'rate' is disabled"),
        "azurerm_cdn_frontdoor_firewall_policy.fd": (
            None,
            "whether its RateLimitRule 'rate' is switched on cannot be known",
        ),
        "azurerm_frontdoor_firewall_policy.classic": (True, ""),
    }


def test_arm_property_names_and_values_without_case(tmp_path: Path) -> None:
    rule = {"Name": "rate", "RuleType": "ratelimitrule", "Action": "BLOCK", "State": "ENABLED"}
    agw = {
        "type": AGW,
        "apiVersion": "2023-04-01",
        "name": "agw",
        "Properties": {"PolicySettings": {"Mode": "detection"}, "CustomRules": [rule]},
    }
    (waf,) = facts_of(tmp_path, {"t.json": arm(agw)}).wafs
    assert (waf.rate_limit.state, waf.blocks.state) == (True, False)
