"""What a WAFv2 web ACL's rules mean, decided once for every language.

Terraform and CloudFormation write a web ACL with the same structure and different names
(`rate_based_statement` / `RateBasedStatement`); each language's reader gives its names as a
`Names` table, and `web_acl` reads the rules through it: the action each rule takes (or the
override of a rule group), whether it is rate based, references an IP set (as an allow-list, or
under a `not` as a block of everyone else) or a rule group whose content is not in the model.
"""

from __future__ import annotations

from iaclint.model.aws.wafv2.entities import WebAcl
from iaclint.model.entities import WafRule
from iaclint.records import record
from iaclint.resources import Resource
from iaclint.values import Value

# Rule actions, in the order they are looked for.
ACTIONS = ("allow", "block", "count", "captcha", "challenge")


@record(frozen=True)
class Names:
    """A language's names for the parts of a web ACL (each member of `actions` for the lower-case
    action of `ACTIONS` at the same place)."""

    default_action: str
    rules: str
    name: str
    action: str
    override_action: str
    actions: tuple[str, ...]
    count: str
    none: str
    statement: str
    rate_based: str
    ip_set: str
    rule_group: str
    not_statement: str


def _action(rule: Value, n: Names) -> tuple[str | None, Value]:
    action = rule.get(n.action)
    if not action.is_null:
        first = rule.first(n.action)
        for lower, name in zip(ACTIONS, n.actions, strict=True):
            member = first.get(name)
            if not member.is_null:
                return lower, member if member.span else first
        return None, first
    override = rule.get(n.override_action)
    if not override.is_null:
        first = rule.first(n.override_action)
        count = first.get(n.count)
        if not count.is_null:
            return "count", count if count.span else first
        if not first.get(n.none).is_null:
            return "none", first
        return None, first
    return None, action


def _statement_kinds(stmt: Value, n: Names) -> tuple[bool, bool, bool, bool]:
    """(rate based, references an IP set, IP set under a `not`, references a rule group)."""
    rate = not stmt.get(n.rate_based).is_null
    ip = not stmt.get(n.ip_set).is_null
    group = not stmt.get(n.rule_group).is_null
    not_ip = not stmt.first(n.not_statement).first(n.statement).get(n.ip_set).is_null
    return rate, ip, not_ip, group


def web_acl(r: Resource, n: Names, rules_unknown: Value | None = None) -> WebAcl:
    """A web ACL; `rules_unknown` is a value that holds rules the names cannot reach (Terraform's
    `rule_json`)."""
    default = r.body.first(n.default_action)
    default_action = None
    for lower, name in zip(ACTIONS[:2], n.actions[:2], strict=True):
        if not default.get(name).is_null:
            default_action = lower
    rules: list[WafRule] = []
    rules_value = r.body.get(n.rules)
    if rules_value.is_unknown and rules_unknown is None:
        rules_unknown = rules_value
    for rule in rules_value.elements():
        if not rule.is_known:
            rules_unknown = rule
            continue
        action, action_value = _action(rule, n)
        rate, ip, not_ip, group = _statement_kinds(rule.first(n.statement), n)
        ip_allow = (ip and action == "allow" and default_action == "block") or (not_ip and action == "block")
        name = rule.get(n.name).as_str() or "?"
        rules.append(WafRule(name, rule, action, action_value, rate, ip or not_ip, ip_allow, group))
    where = default if default.is_known else r.body.get(n.default_action)
    return WebAcl(r, default_action, where, rules, rules_unknown)
