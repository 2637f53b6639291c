"""The rule pack: one YAML file per rule in `rules/`, shipped inside the wheel."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from iaclint.findings import Level

CATEGORIES = (
    "tls-version",
    "https-only",
    "ciphers",
    "mtls",
    "default-endpoint",
    "authentication",
    "backend-tls",
    "waf",
    "rate-limit",
    "throttling",
    "ip-restriction",
    "parse",
)

# libyaml's loader when PyYAML was built with it: reading the pack is part of every start-up.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

REQUIRED = ("id", "name", "category", "severity", "security-severity", "title", "message", "help", "standard")


class RuleError(ValueError):
    """A rule file that does not describe a valid rule."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    category: str
    severity: Level
    security_severity: float
    title: str
    message: str
    help: str
    standard: tuple[str, ...]
    references: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)
    fix: str = ""
    # The fix hint for findings in one cloud (`aws`, `azure`), where `fix` speaks of both.
    fix_by_cloud: dict[str, str] = field(default_factory=dict)
    # The message of a finding decided by a value the code does not tell (a note).
    unknown: str = ""
    # Opt-in rules (an organisation's choice, such as requiring mTLS everywhere) ship disabled and
    # run only when selected.
    enabled: bool = True

    @property
    def tags(self) -> tuple[str, ...]:
        return ("security", self.category, *(f"standard/{s}" for s in self.standard))


def _rules_dir() -> Path:
    # Installed from a wheel, the pack sits in the package directory (`force-include`); this is what
    # `importlib.resources.files("iaclint")` gives for a package on disk, without importing it
    # (zipfile, tempfile, shutil: 5 ms of a one-file scan).
    packaged = Path(__file__).parent / "rules"
    if packaged.is_dir():
        return packaged
    # Running from a source checkout (editable install): the top-level rules/ folder.
    return Path(__file__).resolve().parents[2] / "rules"


def parse_rule(doc: Any, origin: str) -> Rule:
    if not isinstance(doc, dict):
        raise RuleError(f"{origin}: a rule file must hold a mapping")
    missing = [k for k in REQUIRED if k not in doc]
    if missing:
        raise RuleError(f"{origin}: missing {', '.join(missing)}")
    if doc["category"] not in CATEGORIES:
        raise RuleError(f"{origin}: unknown category {doc['category']!r}")
    try:
        severity = Level(doc["severity"])
    except ValueError:
        raise RuleError(f"{origin}: severity must be error, warning or note") from None
    sec = float(doc["security-severity"])
    if not 0.0 <= sec <= 10.0:
        raise RuleError(f"{origin}: security-severity must be within 0.0-10.0")
    return Rule(
        id=str(doc["id"]),
        name=str(doc["name"]),
        category=doc["category"],
        severity=severity,
        security_severity=sec,
        title=str(doc["title"]).strip(),
        message=str(doc["message"]).strip(),
        help=str(doc["help"]).strip(),
        standard=tuple(str(s) for s in doc["standard"]),
        references=tuple(str(r) for r in doc.get("references") or ()),
        parameters=dict(doc.get("parameters") or {}),
        fix=str(doc.get("fix") or "").strip(),
        fix_by_cloud={str(k): str(v).strip() for k, v in (doc.get("fix-by-cloud") or {}).items()},
        unknown=str(doc.get("unknown") or "").strip(),
        enabled=bool(doc.get("enabled", True)),
    )


@lru_cache(maxsize=1)
def load_rules() -> dict[str, Rule]:
    """All shipped rules by id, sorted by id."""
    rules: dict[str, Rule] = {}
    for path in sorted(_rules_dir().glob("*.yaml")):
        rule = parse_rule(yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER), path.name)
        if rule.id in rules:
            raise RuleError(f"{path.name}: duplicate rule id {rule.id}")
        rules[rule.id] = rule
    return dict(sorted(rules.items()))
