"""Checks: one module per category of the standard, one function per rule, reading only the neutral
facts of `model/facts.py`.

A check registers itself under its rule id with `@check`, naming the message fields it gives
beyond the ones every finding has (`label`, `attr`, `setting`, `why`). Its messages come from the
rule's YAML: `message` for a violation, `unknown` for a finding decided by a value the code does not
tell. Modules in this package are found, not listed: a new category is a new module here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import field, replace
from typing import Any

from iaclint.budget import LIMITS, Limits
from iaclint.findings import Finding, Level, Related
from iaclint.model.facts import Decision, Facts, Origin, Places, Setting
from iaclint.records import record
from iaclint.rules import Rule
from iaclint.values import EvaluationError, Value, is_read_mark

CheckFn = Callable[[Facts, "CheckContext"], Iterable[Finding]]

# Fields every finding's message may name.
BASE_FIELDS = frozenset({"label", "attr", "setting", "why"})


@record(frozen=True)
class Registered:
    """A check function as registered for its rule, with the message fields it gives."""

    fn: CheckFn
    fields: frozenset[str]


_REGISTRY: dict[str, Registered] = {}


def check(rule_id: str, fields: Iterable[str] = ()) -> Callable[[CheckFn], CheckFn]:
    """Register `fn` as the check of `rule_id`; `fields`: message fields it gives beyond BASE_FIELDS."""

    def register(fn: CheckFn) -> CheckFn:
        known = _REGISTRY.get(rule_id)
        if known is not None and known.fn is not fn and known.fn.__qualname__ != fn.__qualname__:
            raise ValueError(f"rule {rule_id} has two checks: {known.fn.__qualname__} and {fn.__qualname__}")
        _REGISTRY[rule_id] = Registered(fn, frozenset(fields))
        return fn

    return register


_FOUND: list[bool] = []


def registry() -> dict[str, Registered]:
    """Every check, its modules imported on first use (so `iaclint rules` stays fast), the package
    walked once per process (the scan runs the checks once per part)."""
    if not _FOUND:
        for info in pkgutil.iter_modules(__path__, __name__ + "."):
            importlib.import_module(info.name)
        _FOUND.append(True)
    return _REGISTRY


def template_fields(template: str) -> set[str]:
    """The fields a message template names (`{label}`)."""
    import string  # only the rule pack's tests ask: not imported by a scan

    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def provenance(value: Value) -> tuple[Related, ...]:
    """Related locations for where a value came from, nearest definition last. The file a text was
    read from (its read mark) is not where it was defined: what reads the text says where in the
    file a finding comes from (`Setting.related`)."""
    return tuple(Related(span, "value defined here") for span in value.via if not is_read_mark(span))


@record
class CheckContext:
    """What a check reports through: its rule, the parameters in force, the fields its messages name."""

    rule: Rule
    params: dict[str, Any] = field(default_factory=dict)
    fields: frozenset[str] = frozenset()

    def param(self, name: str) -> Any:
        return self.params.get(name, self.rule.parameters.get(name))

    def decided(self, origin: Origin, d: Decision, *, level: Level | None = None, **fields: Any) -> Finding:
        """The finding of a Decision that is not met: a violation when False, a note when unknown."""
        f = (
            self.unknown(origin, d.setting, why=d.why, **fields)
            if d.state is None
            else self.violation(origin, d.setting, level=level, why=d.why, **fields)
        )
        if d.related:
            f = replace(f, related=f.related + _related(d.related))
        return f

    def violation(self, origin: Origin, at: Setting, *, level: Level | None = None, **fields: Any) -> Finding:
        """A finding from the rule's `message`, on the setting `at` (the resource header when it is
        absent). `fields` fill the message beyond `label`, `attr` and `setting` (which they may
        override)."""
        return self._finding(self.rule.message, origin, at, level or self.rule.severity, False, fields)

    def unknown(self, origin: Origin, at: Setting, **fields: Any) -> Finding:
        """A note from the rule's `unknown` message: the code does not tell."""
        return self._finding(self.rule.unknown, origin, at, Level.NOTE, True, fields)

    def _finding(
        self,
        template: str,
        origin: Origin,
        at: Setting,
        level: Level,
        unknown: bool,
        fields: dict[str, Any],
    ) -> Finding:
        value = at.value
        span = value.span if (value.span is not None and not value.is_absent) else origin.span
        values = {"label": origin.label, "attr": at.attribute, "setting": _setting_text(at)}
        values.update(fields)
        message = template.format(**values)
        # Resources of a template are named `path#LogicalId`; where the finding's location already
        # names that file, the message names them by their id alone.
        head, sep, _ = origin.address.partition("#")
        if sep and head and head == span.path:
            message = message.replace(f"{head}#", "")
        return Finding(
            rule_id=self.rule.id,
            level=level,
            message=message,
            span=span,
            address=origin.address,
            resource_type=origin.type,
            attribute=at.attribute,
            related=provenance(value) + _related(at.related),
            unknown=unknown,
            fix=self.rule.fix,
            origin=origin.span.path,
        )


def _related(places: Places) -> tuple[Related, ...]:
    """The related locations of a fact's places (`Setting.related`, `Decision.related`)."""
    return tuple(Related(span, text) for span, text in places)


def _setting_text(setting: Setting) -> str:
    return "not set" if setting.value.is_absent else setting.value.describe()


def run_checks(
    facts: Facts, rules: dict[str, Rule], params: dict[str, dict[str, Any]], limits: Limits = LIMITS
) -> Iterator[Finding]:
    """Every selected rule's findings. One resource lists at most `findings_per_resource_rule`
    findings per rule; the rest are counted into one more finding that says how many, so a hostile
    template (an OpenAPI body multiplied by YAML aliases) cannot flood the report or the memory."""
    checks = registry()
    cap = limits.findings_per_resource_rule
    for rule_id, rule in rules.items():
        reg = checks.get(rule_id)
        if reg is None:
            continue
        listed: dict[str, int] = {}
        over: dict[str, list[Finding]] = {}  # address -> [first finding not listed, worst of the rest]
        counts: dict[str, int] = {}
        ctx = CheckContext(rule, params.get(rule_id, {}), reg.fields)
        for f in _guarded(rule_id, reg.fn, facts, ctx):
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


def _guarded(rule_id: str, fn: CheckFn, facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    try:
        yield from fn(facts, ctx)
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
