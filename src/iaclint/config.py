"""Configuration: `[tool.iaclint]` in `pyproject.toml`, or `.iaclint.toml`, found by walking up from the
scanned path. Command-line options win over the file. Unknown keys and bad values are errors that
name the key, so a typo never silently turns a rule off.

A configuration file is read through the guarded reader (regular files only, bounded). One found by
walking up is committed with the code, so it is read only where it lies: inside the scan roots or
in its own directory (a committed `.iaclint.toml` that links to `/proc/self/environ` is refused).
A file named with `--config` is the user's choice and read wherever it is.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from iaclint.budget import LIMITS
from iaclint.fileaccess import ReadRefused, ScanRoots, read_bytes
from iaclint.findings import Level
from iaclint.records import record

UNKNOWN_POLICIES = ("note", "warning", "ignore")
KEYS = {
    "select",
    "ignore",
    "exclude",
    "severity-threshold",
    "severity",
    "parameters",
    "unknown",
    "per-path-ignores",
    "var-files",
    "sarif-category",
}


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file and the key."""


@record
class Config:
    """The configuration in force: a configuration file's settings, or the defaults without one."""

    path: Path | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    severity_threshold: str | None = None
    severity: dict[str, Level] = field(default_factory=dict)
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    unknown: str = "note"
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    var_files: list[str] = field(default_factory=list)
    sarif_category: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path) if self.path else None,
            "select": self.select,
            "ignore": self.ignore,
            "exclude": self.exclude,
            "severity-threshold": self.severity_threshold or "warning",
            "severity": {k: v.value for k, v in self.severity.items()},
            "parameters": self.parameters,
            "unknown": self.unknown,
            "per-path-ignores": self.per_path_ignores,
            "var-files": self.var_files,
            "sarif-category": self.sarif_category,
        }


def committed_roots(path: Path, roots: ScanRoots | None) -> ScanRoots:
    """Where a configuration file found by walking up may be read: the scan roots and the directory
    it was found in (a `pyproject.toml` above the repository is the user's own)."""
    here = os.path.realpath(path.parent)
    return ScanRoots((*(roots.roots if roots is not None else ()), here))


def _read(path: Path, roots: ScanRoots | None) -> bytes:
    """A configuration file's bytes, at most `Limits.config_bytes` of them (raises ReadRefused)."""
    return read_bytes(path, roots=roots, limit=LIMITS.config_bytes)


def _parse(path: Path, data: bytes) -> dict[str, Any]:
    """The TOML document in `data`; ConfigError naming the file when it is not one."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 (byte {err.start})") from None
    parts = longest_key(text)
    if parts > LIMITS.config_key_parts:
        raise ConfigError(
            f"{path}: not read: a dotted key of {parts:,} parts (limit {LIMITS.config_key_parts})"
        )
    import tomllib  # only when there is a configuration file: most scans have none

    try:
        return tomllib.loads(text)
    except RecursionError:
        # tomllib recurses per nesting level: `a = [[[[...` deep enough ends the recursion.
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None
    except ValueError as err:  # TOMLDecodeError, and integers past Python's digit limit
        raise ConfigError(f"{path}: not valid TOML: {_one_line(str(err))}") from None


def longest_key(text: str) -> int:
    """An upper bound on the parts of any dotted key in TOML `text` (a table header, a key, an
    inline table's key): one more than the dots outside strings and comments between two of the
    characters that end a key. Values between them hold a dot or two (`1.5`), real keys a handful;
    the bound keeps a hostile key from driving the reader's quadratic cost."""
    most = run = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        i += 1
        if ch == ".":
            run += 1
            most = max(most, run)
        elif ch in _KEY_ENDS:
            run = 0
        elif ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch == "'":
            i = _after_literal(text, i)
        elif ch == '"':
            i = _after_basic(text, i)
    return most + 1


_KEY_ENDS = frozenset("=,[]{}\n")


def _after_literal(text: str, i: int) -> int:
    """Where a literal string opened just before `i` ends (no escapes)."""
    if text.startswith("''", i):
        end = text.find("'''", i + 2)
        return len(text) if end < 0 else end + 3
    quote, newline = text.find("'", i), text.find("\n", i)
    if newline >= 0 and (quote < 0 or newline < quote):
        return newline  # unterminated: the line ends the string (and the key)
    return len(text) if quote < 0 else quote + 1


def _after_basic(text: str, i: int) -> int:
    """Where a basic string opened just before `i` ends (backslash escapes skipped)."""
    triple = text.startswith('""', i)
    if triple:
        i += 2
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
        elif ch == '"' and (not triple or text.startswith('"""', i)):
            return i + (3 if triple else 1)
        elif ch == "\n" and not triple:
            return i
        else:
            i += 1
    return n


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table")
    return value


def find_config(start: Path, roots: ScanRoots | None = None) -> Path | None:
    """The nearest `.iaclint.toml`, or `pyproject.toml` with a `[tool.iaclint]` table, from `start`
    up. A `.iaclint.toml` is the configuration whatever it is (reading it reports what is wrong); a
    `pyproject.toml` that cannot be read or parsed is passed over, since it may not be ours."""
    try:
        here = start.resolve()
        if here.is_file():
            here = here.parent
    except (OSError, RuntimeError, ValueError):
        return None
    for directory in (here, *here.parents):
        candidate = directory / ".iaclint.toml"
        if os.path.lexists(candidate):
            return candidate
        pyproject = directory / "pyproject.toml"
        if not os.path.lexists(pyproject):
            continue
        try:
            data = _parse(pyproject, _read(pyproject, committed_roots(pyproject, roots)))
        except (ReadRefused, ConfigError):
            continue
        tool = data.get("tool")
        if isinstance(tool, dict) and "iaclint" in tool:
            return pyproject
    return None


def _str_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"{where}: must be a string or a list of strings")


def load_config(path: Path, rules: dict[str, Any], *, roots: ScanRoots | None = None) -> Config:
    """Read and validate a configuration file against the rule pack. `roots`: where the file may
    lie (`committed_roots` for one found by walking up); None for a file the user named."""
    try:
        data = _parse(path, _read(path, roots))
    except ReadRefused as err:
        raise ConfigError(f"{path}: cannot read: {err.reason}") from None
    tool = data.get("tool")
    if tool is not None:
        _table(tool, f"{path}: [tool]")
    if path.name == "pyproject.toml":
        table = (tool or {}).get("iaclint", {})
        prefix = "tool.iaclint"
    else:
        table = (tool or {}).get("iaclint", data)
        prefix = "tool.iaclint" if tool is not None else ""
    _table(table, f"{path}: [{prefix}]" if prefix else f"{path}:")

    def key(name: str) -> str:
        return f"{path}: {prefix + '.' if prefix else ''}{name}"

    unknown_keys = sorted(set(table) - KEYS)
    if unknown_keys:
        raise ConfigError(f"{key(unknown_keys[0])}: unknown key (known: {', '.join(sorted(KEYS))})")

    cfg = Config(path=path)
    for name in ("select", "ignore"):
        given = _str_list(table.get(name, []), key(name))
        try:
            setattr(cfg, name, resolve_selectors(given, rules))
        except SelectorError as err:
            raise ConfigError(f"{key(name)}: {err}") from None
    cfg.exclude = _str_list(table.get("exclude", []), key("exclude"))
    cfg.var_files = [
        str(path.parent / p) for p in _str_list(table.get("var-files", []), key("var-files"))
    ]
    threshold = table.get("severity-threshold")
    if threshold is not None:
        if threshold not in ("error", "warning", "note"):
            raise ConfigError(f"{key('severity-threshold')}: must be error, warning or note")
        cfg.severity_threshold = threshold
    category = table.get("sarif-category")
    if category is not None:
        if not isinstance(category, str) or not category.strip():
            raise ConfigError(f"{key('sarif-category')}: must be a non-empty string")
        cfg.sarif_category = category.strip()
    unknown = table.get("unknown", "note")
    if unknown not in UNKNOWN_POLICIES:
        raise ConfigError(f"{key('unknown')}: must be one of {', '.join(UNKNOWN_POLICIES)}")
    cfg.unknown = unknown

    severity = table.get("severity", {})
    if not isinstance(severity, dict):
        raise ConfigError(f"{key('severity')}: must be a table of RULE = level")
    for rule_id, level in severity.items():
        if rule_id not in rules:
            raise ConfigError(f"{key('severity.' + rule_id)}: no such rule{suggestion(rule_id, rules)}")
        if level not in ("error", "warning", "note"):
            raise ConfigError(f"{key('severity.' + rule_id)}: must be error, warning or note")
        cfg.severity[rule_id] = Level(level)

    params = table.get("parameters", {})
    if not isinstance(params, dict):
        raise ConfigError(f"{key('parameters')}: must be a table of rule tables")
    for rule_id, values in params.items():
        rule = rules.get(rule_id)
        if rule is None:
            raise ConfigError(f"{key('parameters.' + rule_id)}: no such rule{suggestion(rule_id, rules)}")
        if not isinstance(values, dict):
            raise ConfigError(f"{key('parameters.' + rule_id)}: must be a table")
        checked: dict[str, str] = {}
        for name, value in values.items():
            where = key(f"parameters.{rule_id}.{name}")
            if not isinstance(value, (str, int, float, bool)):
                raise ConfigError(f"{where}: must be a string, a number or a boolean")
            text = str(value).lower() if isinstance(value, bool) else str(value)
            try:
                checked[name] = check_parameter(rule, name, text)
            except ParameterError as err:
                raise ConfigError(f"{where}: {err}") from None
        cfg.parameters[rule_id] = checked

    ppi = table.get("per-path-ignores", {})
    if not isinstance(ppi, dict):
        raise ConfigError(f"{key('per-path-ignores')}: must be a table of GLOB = [rules]")
    for glob, ids in ppi.items():
        where = key(f"per-path-ignores.{glob}")
        try:
            cfg.per_path_ignores[glob] = resolve_selectors(_str_list(ids, where), rules)
        except SelectorError as err:
            raise ConfigError(f"{where}: {err}") from None
    return cfg


# Rule selectors: `--select`, `--ignore`, the configuration's `select`, `ignore` and
# `per-path-ignores`, and the rules an `iaclint:ignore` directive names. A selector is a rule id, an
# id prefix (`IAC1`), a rule name or a category, in any case; one that names no rule is an error
# with the nearest spelling, so a typo never silently runs everything or nothing.


class SelectorError(ValueError):
    """A selector that names no rule; the message says which and suggests the nearest one."""


def resolve_selector(token: str, rules: Mapping[str, Any]) -> str | None:
    """The selector `token` as the engine matches it (ids upper case, names and categories lower
    case), or None when it names no rule of `rules` (a mapping of id to `Rule`)."""
    text = token.strip()
    lower, upper = text.lower(), text.upper()
    for rule in rules.values():
        if lower in (rule.name, rule.category):
            return lower
    if upper and any(rule_id.startswith(upper) for rule_id in rules):
        return upper
    return None


def _distance(a: str, b: str) -> int:
    """Edits (insertions, deletions, substitutions) that turn `a` into `b`."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def suggestion(token: str, rules: Mapping[str, Any]) -> str:
    """`; did you mean X?` naming the closest rule id, name or category (a third of the word's
    letters off at most), or a pointer to the list."""
    words = {rule_id.lower(): rule_id for rule_id in rules}
    for rule in rules.values():
        words[rule.name] = rule.name
        words[rule.category] = rule.category
    typed = token.strip().lower()
    best = min(words, key=lambda w: (_distance(typed, w), w), default=None)
    if best is not None and _distance(typed, best) <= max(1, len(typed) // 3):
        return f"; did you mean {words[best]}?"
    return "; `iaclint rules` lists the rule ids, names and categories"


def resolve_selectors(tokens: list[str], rules: Mapping[str, Any]) -> list[str]:
    """Every selector of `tokens` resolved; SelectorError naming the first that names no rule."""
    out = []
    for token in tokens:
        resolved = resolve_selector(token, rules)
        if resolved is None:
            raise SelectorError(f"no rule, name or category {token!r}{suggestion(token, rules)}")
        out.append(resolved)
    return out


# Values a rule parameter accepts, where they are a closed set (the checks fall back to the default
# on anything else, so an unchecked typo would silently keep the default).
PARAMETER_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("IAC101", "minimum"): ("1.2", "1.3"),
    ("IAC831", "level"): ("error", "warning", "note"),
    ("IAC801", "edges"): ("all", "api"),
}


class ParameterError(ValueError):
    """A rule parameter that does not exist or a value it does not take."""


def check_parameter(rule: Any, name: str, value: str) -> str:
    """`value` for parameter `name` of `rule`, checked; ParameterError saying what is wrong."""
    if name not in rule.parameters:
        known = ", ".join(rule.parameters) or "none"
        raise ParameterError(f"unknown parameter (known: {known})")
    choices = PARAMETER_CHOICES.get((rule.id, name))
    text = value.strip()
    if choices is not None and text not in choices:
        raise ParameterError(f"{value!r} is not one of {', '.join(choices)}")
    return text
