"""GitHub Actions workflow commands: one annotation per finding on the pull request diff,
`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=IAC101 tls-minimum-version::message`.

Paths are relative to the repository root (the checkout GitHub resolves `file=` against). Every
value is escaped as the runner expects, so a message or a file name taken from scanned input cannot
end the command early or start a new one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from iaclint.findings import Finding, Level
from iaclint.report.paths import relative_to, repository_root, shown
from iaclint.report.summary import active, fix_for, ordered, rule_for, utf8_safe

if TYPE_CHECKING:
    from pathlib import Path

    from iaclint.result import ScanResult

COMMANDS = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}


def escape_data(text: str) -> str:
    """The message part: `%`, CR and LF encoded (a raw line break would end the command)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A `key=value` property: also `:` and `,`, which separate the properties and the message."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _path(path: str, root: Path, base: Path) -> str:
    return relative_to(path, root, base) or shown(path, root)


def annotation(f: Finding, result: ScanResult, base: Path) -> str:
    """The workflow command for one finding; related locations and the fix go into the message."""
    rule = rule_for(result, f.rule_id)
    title = f"{f.rule_id} {rule.name}" if rule is not None else f.rule_id
    line = max(f.span.line, 1)
    column = max(f.span.column, 1)
    end_line = max(f.span.end_line, line)
    end_column = max(f.span.end_column, column if end_line == line else 1)
    props = [
        ("file", _path(f.span.path, result.root, base)),
        ("line", str(line)),
        ("col", str(column)),
        ("endLine", str(end_line)),
        ("endColumn", str(end_column)),
        ("title", title),
    ]
    body = [f.message]
    for rel in f.related:
        where = _path(rel.span.path, result.root, base)
        body.append(f"{rel.message}: {where}:{rel.span.line}:{rel.span.column}")
    fix = fix_for(f, rule)
    if fix:
        body.append(f"help: {fix}")
    properties = ",".join(f"{k}={escape_property(utf8_safe(v))}" for k, v in props)
    return f"::{COMMANDS[f.level]} {properties}::{escape_data(utf8_safe(chr(10).join(body)))}"


def render(result: ScanResult, *, color: bool = False) -> str:
    """One workflow command per finding that counts (suppressed ones are left out), each on its
    own line (empty when there are none);
    `color` is ignored (the runner parses this output)."""
    base = repository_root(result.root)
    lines = [annotation(f, result, base) for f in ordered(active(result.findings))]
    return "".join(line + "\n" for line in lines)
