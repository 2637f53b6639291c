"""The wiring of rules and checks is found, not listed, and holds together: every rule has its check
and every check its rule; a message names only fields its check gives; checks read only the neutral
facts and name no cloud, service or language."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from iaclint.checks import BASE_FIELDS, registry, template_fields
from iaclint.rules import load_rules

CHECKS = Path(__file__).resolve().parents[2] / "src" / "iaclint" / "checks"
# Rules the engine itself reports (files that could not be read, suppressions).
ENGINE_RULES = {"IAC001", "IAC002"}
# What a check may import: the check framework, the neutral facts, findings and rules.
ALLOWED_IMPORTS = ("iaclint.checks", "iaclint.findings", "iaclint.model.facts", "iaclint.rules",
                   "iaclint.values", "iaclint.budget", "__future__", "collections", "dataclasses",
                   "iaclint.records", "typing", "importlib", "pkgutil", "string")  # fmt: skip
# Words that would make a check about one cloud, service or language.
PLATFORM_WORDS = re.compile(
    r"\b(aws|azure|terraform|cloudformation|bicep|arm|sam|apim|api management|web acl|stage|"
    r"front door|application gateway|cloudfront|wafv2|azurerm)\b",
    re.IGNORECASE,
)


def test_every_rule_has_a_check_and_every_check_a_rule() -> None:
    rules = set(load_rules())
    checks = set(registry())
    assert rules - ENGINE_RULES - checks == set(), "rules without a check"
    assert checks - rules == set(), "checks without a rule"


@pytest.mark.parametrize("rule_id", sorted(set(load_rules()) - ENGINE_RULES))
def test_messages_name_only_fields_the_check_gives(rule_id: str) -> None:
    rule = load_rules()[rule_id]
    reg = registry()[rule_id]
    assert rule.unknown, f"{rule_id} has no unknown message"
    allowed = BASE_FIELDS | reg.fields
    for kind, template in (("message", rule.message), ("unknown", rule.unknown)):
        extra = template_fields(template) - allowed
        assert not extra, f"{rule_id} {kind} names {sorted(extra)}, which {reg.fn.__name__} does not give"


def _modules() -> list[Path]:
    return sorted(p for p in CHECKS.glob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_checks_read_only_neutral_facts(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            assert name.startswith(ALLOWED_IMPORTS), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_checks_name_no_platform(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found = PLATFORM_WORDS.search(node.value)
            assert found is None, f"{path.name} says {found.group(0)!r}: {node.value!r}"


def test_a_template_naming_an_unknown_field_is_caught() -> None:
    # The test above must be able to fail: a field no check gives is reported.
    assert template_fields("{label} has {nope}") - BASE_FIELDS == {"nope"}
