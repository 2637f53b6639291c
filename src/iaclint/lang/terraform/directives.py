"""`iaclint:ignore` directives in Terraform comments (`#`, `//` and `/* */`).

Only real comment nodes of the tree count: the same words inside a string or heredoc are no
directive. Files without the marker cost one substring search, which is nearly every file.
"""

from __future__ import annotations

from typing import Any

from iaclint.directives import DIRECTIVE, parse_comment
from iaclint.lang.terraform.syntax import SourceFile
from iaclint.resources import Directive

_MARKER = DIRECTIVE.encode()


def comment_body(text: str) -> str:
    """A comment without its markers, whitespace (also line breaks of a block comment) collapsed."""
    if text.startswith("#"):
        text = text[1:]
    elif text.startswith("//"):
        text = text[2:]
    elif text.startswith("/*"):
        text = text[2:-2] if text.endswith("*/") and len(text) >= 4 else text[2:]
    return " ".join(text.split())


def collect_directives(sf: SourceFile, out: list[Directive]) -> None:
    """Append the directives of a parsed HCL file to `out`.

    A directive sits on the comment's last line: a block comment above a resource then covers the
    resource header right below it, as a one-line comment does.
    """
    data = sf.data
    if sf.tree is None or sf.fixed_span is not None or _MARKER not in data:
        return
    root = sf.tree.root_node
    seen: set[tuple[int, int]] = set()
    start = data.find(_MARKER)
    while start != -1:
        node: Any = root.descendant_for_byte_range(start, start + len(_MARKER))
        if node is not None and node.type == "comment":
            key = (node.start_byte, node.end_byte)
            if key not in seen:
                seen.add(key)
                parsed = parse_comment(comment_body(sf.text(node)))
                if parsed is not None:
                    rules, reason = parsed
                    out.append(Directive(sf.path, node.end_point[0] + 1, rules, reason))
        start = data.find(_MARKER, start + len(_MARKER))
