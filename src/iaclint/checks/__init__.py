"""Checks: one module per category of the standard. A check reads the model only.

A check is a function registered under its rule id; it receives the model and a context that
carries the rule's metadata and parameters, and yields findings made through that context. A rule
that covers several platforms (IAC101 on AWS and Azure) may have one function per platform.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from iaclint.budget import LIMITS, Limits
from iaclint.findings import Finding, Level, Related
from iaclint.model.entities import Model
from iaclint.resources import Resource
from iaclint.rules import Rule
from iaclint.values import EvaluationError, Value

CheckFn = Callable[[Model, "CheckContext"], Iterable[Finding]]

_REGISTRY: dict[str, list[CheckFn]] = {}

# Modules holding checks, imported on first use so `iaclint rules` stays fast.
_CHECK_MODULES = (
    "iaclint.checks.tls",
    "iaclint.checks.https",
    "iaclint.checks.mtls",
    "iaclint.checks.auth",
    "iaclint.checks.backend",
    "iaclint.checks.waf",
    "iaclint.checks.throttling",
    "iaclint.checks.ip_restriction",
    "iaclint.checks.ciphers",
)


def check(rule_id: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        fns = _REGISTRY.setdefault(rule_id, [])
        if fn not in fns:
            fns.append(fn)
        return fn

    return register


def registry() -> dict[str, list[CheckFn]]:
    import importlib

    for name in _CHECK_MODULES:
        importlib.import_module(name)
    return _REGISTRY


def provenance(value: Value) -> tuple[Related, ...]:
    """Related locations for where a value came from, nearest definition last."""
    return tuple(Related(span, "value defined here") for span in value.via)


@dataclass(slots=True)
class CheckContext:
    rule: Rule
    params: dict[str, Any] = field(default_factory=dict)

    def param(self, name: str) -> Any:
        return self.params.get(name, self.rule.parameters.get(name))

    def finding(
        self,
        resource: Resource,
        value: Value,
        attribute: str,
        *,
        level: Level | None = None,
        unknown: bool = False,
        message: str | None = None,
        **fields: Any,
    ) -> Finding:
        """A finding on `value` (its span; the resource header when the value is absent)."""
        span = value.span if (value.span is not None and not value.is_absent) else resource.span
        text = message if message is not None else self.rule.message.format(**fields)
        return Finding(
            rule_id=self.rule.id,
            level=Level.NOTE if unknown else (level or self.rule.severity),
            message=text,
            span=span,
            address=resource.address,
            resource_type=resource.type,
            attribute=attribute,
            related=provenance(value),
            unknown=unknown,
            fix=self.rule.fix,
        )


def run_checks(
    model: Model, rules: dict[str, Rule], params: dict[str, dict[str, Any]], limits: Limits = LIMITS
) -> Iterator[Finding]:
    """Every selected rule's findings. One resource lists at most `findings_per_resource_rule`
    findings per rule; the rest are counted into one more finding that says how many, so a hostile
    template (an OpenAPI body multiplied by YAML aliases) cannot flood the report or the memory."""
    checks = registry()
    cap = limits.findings_per_resource_rule
    for rule_id, rule in rules.items():
        listed: dict[str, int] = {}
        over: dict[str, list[Finding]] = {}  # address -> [first finding not listed, worst of the rest]
        counts: dict[str, int] = {}
        for fn in checks.get(rule_id, ()):
            for f in _guarded(rule_id, fn, model, CheckContext(rule, params.get(rule_id, {}))):
                n = listed.get(f.address, 0)
                if n < cap or not f.address:
                    listed[f.address] = n + 1
                    yield f
                    continue
                counts[f.address] = counts.get(f.address, 0) + 1
                kept = over.get(f.address)
                if kept is None:
                    over[f.address] = [f, f]
                elif f.level.rank > kept[1].level.rank or (kept[1].unknown and not f.unknown):
                    kept[1] = f
        for address, (first, worst) in over.items():
            yield _more(first, worst, counts[address], cap)


class CheckError(Exception):
    """A check raised: a bug, named by its rule."""


def _guarded(rule_id: str, fn: CheckFn, model: Model, ctx: CheckContext) -> Iterator[Finding]:
    try:
        yield from fn(model, ctx)
    except EvaluationError:
        raise  # a lazy value of a loader failed: it names its file
    except Exception as err:
        raise CheckError(f"rule {rule_id} ({fn.__name__}): {type(err).__name__}: {err}") from err


def _more(first: Finding, worst: Finding, count: int, cap: int) -> Finding:
    """The finding that stands for `count` findings of one rule on one resource not listed."""
    return replace(
        first,
        level=worst.level,
        unknown=worst.unknown,
        attribute=f"{first.attribute} (more)",  # stable: the count is not part of the identity
        message=(
            f"{count} more finding{'s' if count != 1 else ''} of this rule on {first.address} not listed "
            f"(at most {cap} are listed per resource and rule); the first: {first.message}"
        ),
        related=(),
    )
