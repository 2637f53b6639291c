"""What a WAF policy's fields mean, for every language: custom rules (rate limit or not, and the
action), the mode and whether it is switched on."""

from __future__ import annotations

from iaclint.model.azure.waf.entities import WafPolicy, WafRule
from iaclint.model.facts import Setting
from iaclint.resources import Resource
from iaclint.values import Value

# Both policy kinds run in Prevention mode when no mode is given.
DEFAULT_MODE = "Prevention"


def rule(value: Value, name: Value, kind: Value, action: Value, enabled: Value | None = None) -> WafRule:
    """A custom rule from its name, rule type (`RateLimitRule` / `MatchRule`), action and switch
    (`Enabled`/`Disabled` or a boolean; on when absent)."""
    text = action.as_str()
    act = text.lower() if text is not None else None
    if act == "jschallenge":
        act = "challenge"
    return WafRule(
        name=name.as_str() or "?",
        value=value,
        action=act,
        action_value=action,
        rate_based=(kind.as_str() or "").lower() == "ratelimitrule",
        enabled=_switch(enabled),
    )


def _switch(v: Value | None) -> bool | None:
    if v is None or v.is_null:
        return True
    text = (v.as_str() or "").strip().lower()
    if text in ("enabled", "disabled"):
        return text == "enabled"
    return v.as_bool()


def policy(
    r: Resource, name: Value, kind: str, mode: Setting, enabled: Setting, rules: Setting, read: list[WafRule]
) -> WafPolicy:
    """A WAF policy; `rules` is the custom rule collection as written (unknown: the rules cannot all be
    known), `read` its rules."""
    unknown = rules.value if rules.value.is_unknown else None
    return WafPolicy(r, kind, mode, DEFAULT_MODE, enabled, read, unknown, name, rules.attribute)
