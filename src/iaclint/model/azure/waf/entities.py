"""Azure web application firewalls as the platform has them: WAF policies (Application Gateway and
Front Door) and the fronts that carry them (an Application Gateway, a Front Door profile, a classic
Front Door), linked by `waf/links.py`."""

from __future__ import annotations

from dataclasses import field

from iaclint.model.facts import Decision, Setting
from iaclint.records import record
from iaclint.resources import Resource
from iaclint.values import Value


@record(frozen=True)
class WafRule:
    """One custom rule of a WAF policy, reduced to what S5.2 asks."""

    name: str
    value: Value
    # "block", "allow", "log", "redirect", "challenge"..., or None when unknown.
    action: str | None
    action_value: Value
    rate_based: bool = False
    # Switched on (ARM `state` / `enabledState`, azurerm `enabled`; on when not given); None: unknown.
    enabled: bool | None = True

    @property
    def blocks(self) -> bool:
        return self.action in ("block", "captcha", "challenge", "none")


@record(eq=False)
class WafPolicy:
    """An Azure WAF policy (Application Gateway or Front Door): mode, state and custom rules."""

    resource: Resource
    kind: str  # "Application Gateway" | "Front Door"
    mode: Setting
    # Absent or unknown reads as the platform default below.
    default_mode: str
    enabled: Setting
    rules: list[WafRule]
    rules_unknown: Value | None = None
    # The name references by name match (ARM `name`, azurerm `name`).
    name: Value = field(default_factory=Value.absent)
    # Where the custom rules are written (`properties.customRules.rules`, `custom_rule`).
    rules_attribute: str = "customRules"

    @property
    def label(self) -> str:
        return f"Azure {self.kind} WAF policy {self.resource.address}"

    def detection_only(self) -> bool | None:
        v = self.mode.value
        if v.is_unknown:
            return None
        text = v.as_str() if not v.is_null else self.default_mode
        return (text or "").lower() == "detection"


@record(eq=False)
class Front:
    """Something in front of APIM that can carry a WAF: an Application Gateway or a Front Door
    (classic, or a Standard/Premium profile)."""

    resource: Resource
    kind: str  # "Application Gateway" | "Front Door" | "Front Door (classic)"
    # Inline WAF (App Gateway `webApplicationFirewallConfiguration`): enabled and mode.
    inline_enabled: Setting | None = None
    inline_mode: Setting | None = None
    # References to WAF policies (App Gateway `firewallPolicy`, Front Door security policies).
    policy_refs: list[Value] = field(default_factory=list)
    # Backend / origin host names or references (the APIM gateway behind it).
    targets: list[Value] = field(default_factory=list)
    # The name references by name match.
    name: Value = field(default_factory=Value.absent)
    # Reachable from the internet, decided by its service's builder (an Application Gateway with a
    # public frontend IP address; every Front Door).
    public: Decision = field(default_factory=lambda: Decision.yes(Setting.absent("")))
    # Whether its SKU can run a WAF at all (False: an Application Gateway below the WAF tiers, whose
    # policy links then protect nothing); None where every SKU can.
    waf_capable: Decision | None = None
    # Parts a WAF must cover that no WAF link reaches (a classic Front Door's frontend endpoints).
    uncovered: list[str] = field(default_factory=list)
    # Why a WAF may be linked but the code cannot tell (frontend endpoints that cannot be known).
    unknown: list[str] = field(default_factory=list)
    # What is missing and how to put a WAF on it, in the platform's terms.
    how: str = ""
    # Linked.
    waf_policies: list[WafPolicy] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"Azure {self.kind} {self.resource.address}"
