"""The rule pack: one YAML file per rule in `rules/`, shipped inside the wheel.

Every scan reads the pack, and PyYAML costs more to import (its regexes) and run than a one-file
scan's own work. `rule_snapshot.py` holds each rule file as PyYAML parses it, with the text it was
parsed from: a file whose text is the recorded one is taken from there, any other is parsed, so
the snapshot can make the pack faster but never different. `python -m iaclint.rules` writes it
again after a rule changes (a test fails while it is stale).
"""

from __future__ import annotations

import os
import sys
from dataclasses import field
from functools import lru_cache
from pathlib import Path
from typing import Any

from iaclint.findings import Level
from iaclint.records import record

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

REQUIRED = ("id", "name", "category", "severity", "security-severity", "title", "message", "help", "standard")


class RuleError(ValueError):
    """A rule file that does not describe a valid rule."""


@record(frozen=True)
class Rule:
    """A rule of the pack: id, name, severity, messages, the standard's clauses, parameters, help."""

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


def parse_yaml(text: str) -> Any:
    """A rule file's document, as PyYAML reads it (libyaml's loader when PyYAML was built with it)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def rule_files() -> list[tuple[str, str]]:
    """(file name, text) of every `*.yaml` file of the pack, by name."""
    folder = _rules_dir()
    names = sorted(n for n in os.listdir(folder) if n.endswith(".yaml"))
    return [(name, (folder / name).read_text(encoding="utf-8")) for name in names]


@lru_cache(maxsize=1)
def load_rules() -> dict[str, Rule]:
    """All shipped rules by id, sorted by id."""
    from iaclint import rule_snapshot

    rules: dict[str, Rule] = {}
    parsed: dict[str, Any] | None = None
    for name, text in rule_files():
        if rule_snapshot.TEXTS.get(name) == text:
            if parsed is None:
                parsed = rule_snapshot.documents()  # new objects each time: a caller may change them
            doc = parsed[name]
        else:
            doc = parse_yaml(text)
        rule = parse_rule(doc, name)
        if rule.id in rules:
            raise RuleError(f"{name}: duplicate rule id {rule.id}")
        rules[rule.id] = rule
    return dict(sorted(rules.items()))


_PLAIN = (str, int, float, bool, type(None))


def _literal(value: Any, where: str) -> str:
    """`value` (a parsed rule document) as a Python literal, ASCII only; only the types a literal
    gives back as they are (a YAML date would not be)."""
    if isinstance(value, dict):
        items = ", ".join(f"{_literal(k, where)}: {_literal(v, where)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v, where) for v in value) + "]"
    if type(value) not in _PLAIN:
        raise RuleError(f"{where}: {type(value).__name__} values cannot be kept in the snapshot")
    return ascii(value)


def snapshot_source() -> str:
    """The text of `rule_snapshot.py` for the pack as it is now."""
    files = rule_files()
    lines = [
        '"""The rule pack as PyYAML parses it, with the text of each file: written by `python -m',
        "iaclint.rules` from rules/*.yaml, and used (by `rules.load_rules`) only for a file whose",
        'text is the one recorded here: it never disagrees with rules/."""',
        "",
        "# ruff: noqa: E501",
        "# fmt: off",
        "from typing import Any",
        "",
        "TEXTS: dict[str, str] = {",
        *(f"    {name!a}: {text!a}," for name, text in files),
        "}",
        "",
        "",
        "def documents() -> dict[str, Any]:",
        "    return {",
        *(f"        {name!a}: {_literal(parse_yaml(text), name)}," for name, text in files),
        "    }",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """`python -m iaclint.rules [FILE]`: write the snapshot (default: the checkout's, from its root)."""
    target = Path(argv[1] if len(argv) > 1 else "src/iaclint/rule_snapshot.py")
    if not target.parent.is_dir():
        print(f"no directory {target.parent}: run from the repository root or name the file", file=sys.stderr)
        return 2
    target.write_text(snapshot_source(), encoding="utf-8")
    print(f"wrote the rule pack snapshot to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
