"""Configuration: `[tool.iaclint]` in `pyproject.toml`, or `.iaclint.toml`, found by walking up from the
scanned path. Command-line options win over the file. Unknown keys and bad values are errors that
name the key, so a typo never silently turns a rule off.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from iaclint.findings import Level

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
}


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file and the key."""


@dataclass(slots=True)
class Config:
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
        }


def find_config(start: Path) -> Path | None:
    """The nearest `.iaclint.toml`, or `pyproject.toml` with a `[tool.iaclint]` table, from `start` up."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / ".iaclint.toml"
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if isinstance(data.get("tool"), dict) and "iaclint" in data["tool"]:
                return pyproject
    return None


def _str_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"{where}: must be a string or a list of strings")


def load_config(path: Path, rules: dict[str, Any]) -> Config:
    """Read and validate a configuration file against the rule pack."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("iaclint", {})
        prefix = "tool.iaclint"
    else:
        table = data.get("tool", {}).get("iaclint", data)
        prefix = "tool.iaclint" if "tool" in data else ""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{prefix}] must be a table")

    def key(name: str) -> str:
        return f"{path}: {prefix + '.' if prefix else ''}{name}"

    unknown_keys = sorted(set(table) - KEYS)
    if unknown_keys:
        raise ConfigError(f"{key(unknown_keys[0])}: unknown key (known: {', '.join(sorted(KEYS))})")

    cfg = Config(path=path)
    cfg.select = _str_list(table.get("select", []), key("select"))
    cfg.ignore = _str_list(table.get("ignore", []), key("ignore"))
    cfg.exclude = _str_list(table.get("exclude", []), key("exclude"))
    cfg.var_files = [
        str(path.parent / p) for p in _str_list(table.get("var-files", []), key("var-files"))
    ]
    threshold = table.get("severity-threshold")
    if threshold is not None:
        if threshold not in ("error", "warning", "note"):
            raise ConfigError(f"{key('severity-threshold')}: must be error, warning or note")
        cfg.severity_threshold = threshold
    unknown = table.get("unknown", "note")
    if unknown not in UNKNOWN_POLICIES:
        raise ConfigError(f"{key('unknown')}: must be one of {', '.join(UNKNOWN_POLICIES)}")
    cfg.unknown = unknown

    severity = table.get("severity", {})
    if not isinstance(severity, dict):
        raise ConfigError(f"{key('severity')}: must be a table of RULE = level")
    for rule_id, level in severity.items():
        if rule_id not in rules:
            raise ConfigError(f"{key('severity.' + rule_id)}: no such rule")
        try:
            cfg.severity[rule_id] = Level(level)
        except ValueError:
            raise ConfigError(f"{key('severity.' + rule_id)}: must be error, warning or note") from None

    params = table.get("parameters", {})
    if not isinstance(params, dict):
        raise ConfigError(f"{key('parameters')}: must be a table of rule tables")
    for rule_id, values in params.items():
        rule = rules.get(rule_id)
        if rule is None:
            raise ConfigError(f"{key('parameters.' + rule_id)}: no such rule")
        if not isinstance(values, dict):
            raise ConfigError(f"{key('parameters.' + rule_id)}: must be a table")
        for name in values:
            if name not in rule.parameters:
                known = ", ".join(rule.parameters) or "none"
                where = key(f"parameters.{rule_id}.{name}")
                raise ConfigError(f"{where}: unknown parameter (known: {known})")
        cfg.parameters[rule_id] = dict(values)

    ppi = table.get("per-path-ignores", {})
    if not isinstance(ppi, dict):
        raise ConfigError(f"{key('per-path-ignores')}: must be a table of GLOB = [rules]")
    for glob, ids in ppi.items():
        cfg.per_path_ignores[glob] = _str_list(ids, key(f"per-path-ignores.{glob}"))
    return cfg
