"""A tiny HCL writer for the synthetic corpus: blocks, attributes and comments laid out the way
`terraform fmt` does (two-space indent, `=` aligned within a run of one-line attributes).

Python values become HCL literals (str → quoted string, dict → object, list → tuple); `Raw` holds an
expression written as-is (references, function calls, templates with `${...}`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Union

INDENT = "  "


class Raw(str):
    """An HCL expression emitted verbatim."""


@dataclass(frozen=True, slots=True)
class Attr:
    name: str
    value: object
    comment: str = ""  # trailing `# ...` on the same line


@dataclass(frozen=True, slots=True)
class Comment:
    text: str


@dataclass(frozen=True, slots=True)
class Blank:
    pass


@dataclass(slots=True)
class Block:
    type: str
    labels: tuple[str, ...] = ()
    items: list[Item] = field(default_factory=list)


Item = Union[Attr, Comment, Blank, Block]  # noqa: UP007 - used at runtime in a dataclass annotation


def _key(k: str) -> str:
    # Object keys that are not identifiers must be quoted.
    return k if k.replace("_", "a").replace("-", "a").isalnum() and not k[0].isdigit() else json.dumps(k)


def expr(value: object, level: int) -> str:
    """Render a Python value as an HCL expression whose continuation lines sit at `level`."""
    if isinstance(value, Raw):
        return str(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    pad = INDENT * (level + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        width = max(len(_key(k)) for k in value)
        lines = [f"{pad}{_key(k).ljust(width)} = {expr(v, level + 1)}" for k, v in value.items()]
        return "{\n" + "\n".join(lines) + "\n" + INDENT * level + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        parts = [expr(v, level + 1) for v in value]
        if all("\n" not in p for p in parts) and sum(len(p) + 2 for p in parts) < 70:
            return "[" + ", ".join(parts) + "]"
        return "[\n" + "".join(f"{pad}{p},\n" for p in parts) + INDENT * level + "]"
    raise TypeError(f"cannot write {type(value).__name__} as HCL")


def _render_items(items: list[Item], level: int, out: list[str]) -> None:
    pad = INDENT * level
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, Attr):
            # A run of consecutive attributes shares one `=` column, as terraform fmt does.
            j = i
            while j < len(items) and isinstance(items[j], Attr):
                j += 1
            run = [a for a in items[i:j] if isinstance(a, Attr)]
            width = max(len(a.name) for a in run)
            for a in run:
                line = f"{pad}{a.name.ljust(width)} = {expr(a.value, level)}"
                out.append(line + (f" # {a.comment}" if a.comment else ""))
            i = j
            continue
        if isinstance(item, Comment):
            out.append(f"{pad}# {item.text}" if item.text else f"{pad}#")
        elif isinstance(item, Blank):
            out.append("")
        else:
            head = " ".join([item.type, *(json.dumps(label) for label in item.labels)])
            if not item.items:
                out.append(f"{pad}{head} {{}}")
            else:
                out.append(f"{pad}{head} {{")
                _render_items(item.items, level + 1, out)
                out.append(f"{pad}}}")
        i += 1


def render(items: list[Item]) -> str:
    """A whole file: top-level items separated the way they were given."""
    out: list[str] = []
    _render_items(items, 0, out)
    return "\n".join(out).rstrip("\n") + "\n"


def block(type_: str, *labels: str, items: list[Item] | None = None) -> Block:
    return Block(type_, tuple(labels), list(items or []))


def attrs(**values: object) -> list[Item]:
    """Attributes in keyword order (a shorthand for the common case)."""
    return [Attr(k, v) for k, v in values.items()]
