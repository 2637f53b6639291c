"""What every report says the same way: the order of findings, the rule behind each finding and the
counts by level, category and file status."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from iaclint.findings import PARSE_RULE, Finding, Level
from iaclint.report.jsontext import dumps_indented
from iaclint.rules import Rule, RuleError, load_rules

if TYPE_CHECKING:
    from iaclint.result import ScanResult

LEVELS: tuple[Level, ...] = (Level.ERROR, Level.WARNING, Level.NOTE)
FILE_STATUSES = ("scanned", "skipped", "failed")


def ordered(findings: list[Finding]) -> list[Finding]:
    """Findings in a stable order (path, line, column, rule, address) whatever order checks ran in."""
    return sorted(findings, key=Finding.sort_key)


def cloud_of(f: Finding) -> str | None:
    """`aws` or `azure` from the type of the finding's resource; None when it names neither."""
    kind = f.resource_type
    if kind.startswith(("aws_", "AWS::")):
        return "aws"
    if kind.startswith(("azurerm_", "azapi_", "Microsoft.")):
        return "azure"
    return None


def fix_for(f: Finding, rule: Rule | None) -> str:
    """The fix hint for `f`: its own when a check gave one, else the rule's for the finding's cloud,
    else the rule's general one."""
    general = rule.fix if rule is not None else ""
    if f.fix and f.fix != general:
        return f.fix
    cloud = cloud_of(f)
    if rule is not None and cloud is not None and cloud in rule.fix_by_cloud:
        return rule.fix_by_cloud[cloud]
    return f.fix or general


def rule_for(result: ScanResult, rule_id: str) -> Rule | None:
    """The rule behind a finding: the scan's rules first, then the shipped pack (a parse finding is
    emitted even when IAC001 was not selected)."""
    rule = result.rules.get(rule_id)
    if rule is not None:
        return rule
    try:
        return load_rules().get(rule_id)
    except (RuleError, OSError, ValueError):
        return None


def category_of(result: ScanResult, finding: Finding) -> str:
    return _category(rule_for(result, finding.rule_id), finding.rule_id)


def _category(rule: Rule | None, rule_id: str) -> str:
    if rule is not None:
        return rule.category
    return "parse" if rule_id == PARSE_RULE else "unknown"


class PerRule:
    """What the findings of a report share, worked out once per report: the rule behind each
    (`rule_for`), its name and category, and the fix hints (by rule, the finding's own hint and its
    resource type). A report of 3,788 findings has ten rules."""

    def __init__(self, result: ScanResult) -> None:
        self.result = result
        self._rules: dict[str, tuple[Rule | None, str, str]] = {}
        self._fixes: dict[tuple[str, str, str], str] = {}

    def rule(self, rule_id: str) -> tuple[Rule | None, str, str]:
        """The rule of `rule_id`, its name ("" without one) and its category (`category_of`)."""
        got = self._rules.get(rule_id)
        if got is None:
            rule = rule_for(self.result, rule_id)
            name = rule.name if rule is not None else ""
            got = self._rules[rule_id] = (rule, name, _category(rule, rule_id))
        return got

    def category(self, f: Finding) -> str:
        return self.rule(f.rule_id)[2]

    def fix(self, f: Finding) -> str:
        """`fix_for(f, <its rule>)`."""
        key = (f.rule_id, f.fix, f.resource_type)
        got = self._fixes.get(key)
        if got is None:
            got = self._fixes[key] = fix_for(f, self.rule(f.rule_id)[0])
        return got


def rules_reported(result: ScanResult) -> list[Rule]:
    """Every rule run, plus any rule a finding names that the scan did not list, sorted by id."""
    rules = dict(result.rules)
    for f in result.findings:
        if f.rule_id not in rules:
            rule = rule_for(result, f.rule_id)
            if rule is not None:
                rules[f.rule_id] = rule
    return [rules[k] for k in sorted(rules)]


def level_counts(findings: list[Finding]) -> dict[str, int]:
    counts = Counter(f.level.value for f in findings)
    return {level.value: counts.get(level.value, 0) for level in LEVELS}


def category_counts(result: ScanResult) -> dict[str, dict[str, int]]:
    """category → level → count, categories sorted by name, levels with no finding left out."""
    table: dict[str, Counter[str]] = {}
    rules = PerRule(result)
    for f in active(result.findings):
        # A Counter made once per category (`setdefault` made one for every finding).
        cat = rules.category(f)
        row = table.get(cat)
        if row is None:
            row = table[cat] = Counter()
        row[f.level.value] += 1
    return {
        cat: {lv.value: table[cat][lv.value] for lv in LEVELS if table[cat][lv.value]}
        for cat in sorted(table)
    }


def rule_counts(findings: list[Finding]) -> dict[str, int]:
    counts = Counter(f.rule_id for f in findings)
    return {k: counts[k] for k in sorted(counts)}


def file_counts(result: ScanResult) -> dict[str, int]:
    counts = Counter(r.status for r in result.files)
    return {s: counts.get(s, 0) for s in FILE_STATUSES}


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def utf8_safe(obj: Any) -> Any:
    """`obj` (nested dicts, lists, strings) with lone surrogates replaced by U+FFFD: a file name with
    bytes that are not UTF-8 comes back from the OS with surrogate escapes, which cannot be written
    as UTF-8 JSON."""
    if isinstance(obj, str):
        try:
            obj.encode("utf-8")
            return obj
        except UnicodeEncodeError:
            return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in obj)
    if isinstance(obj, dict):
        return {utf8_safe(k): utf8_safe(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [utf8_safe(v) for v in obj]
    return obj


def suppression_of(f: Finding) -> Any:
    """The finding's suppression (inline comment or baseline), or None."""
    return getattr(f, "suppression", None)


def active(findings: list[Finding]) -> list[Finding]:
    """Findings that count: not suppressed inline and not in the baseline."""
    return [f for f in findings if suppression_of(f) is None]


def suppressed(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if suppression_of(f) is not None]


def dumps_utf8(doc: Any, **options: Any) -> str:
    """`json.dumps(doc)` that can always be written as UTF-8: the document is cleaned of lone
    surrogates only when it has some (rare), so the common case pays one encode check."""
    text = _dumps(doc, options)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _dumps(utf8_safe(doc), options)
    return text + "\n"


def _dumps(doc: Any, options: dict[str, Any]) -> str:
    indent = options.get("indent")
    if len(options) == 1 and type(indent) is int:
        # The standard library indents in Python, through generators: this writes the same text
        # in about a third of the time (reports of many findings).
        return dumps_indented(doc, indent)
    return json.dumps(doc, ensure_ascii=False, **options)
