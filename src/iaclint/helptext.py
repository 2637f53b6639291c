"""Rule help for people and for plain-text readers: the rule pack writes help in Markdown (the
`docs/rules` pages and SARIF `help.markdown` show it as such); a terminal (`iaclint explain`) and
SARIF `help.text` get it as plain text, with no `**`, backticks or code fences. `explain` also
quotes the clauses of the standard (`docs/standard.md`, shipped inside the wheel) a rule enforces.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path

from iaclint.rules import Rule

# The rule docs pages, one per rule, generated from rules/ (`python -m iaclint.rule_docs`).
DOC_URL = "https://github.com/iaclint/iaclint/blob/main/docs/rules/{id}.md"


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    """Fence, bold, code, link, autolink: compiled when help is first rendered, not by every scan
    whose text report only links to the rule pages."""
    return (
        re.compile(r"^\s*(```|~~~)"),
        re.compile(r"\*\*(.+?)\*\*"),
        re.compile(r"`([^`]+)`"),
        re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)"),
        re.compile(r"<(https?://[^>\s]+)>"),
    )


def doc_url(rule_id: str) -> str:
    return DOC_URL.format(id=rule_id)


def _inline(text: str) -> str:
    _, bold, code, link, autolink = _patterns()
    text = link.sub(r"\1 (\2)", text)
    text = autolink.sub(r"\1", text)
    text = bold.sub(r"\1", text)
    return code.sub(r"\1", text)


def plain(markdown: str, *, code_indent: str = "    ") -> str:
    """`markdown` as plain text: code blocks indented without their fences, a paragraph that is only
    a bold title (`**Terraform**`) as `Terraform:`, bold, inline code and link markers dropped (a
    code span may run over a line break, so prose is converted a stretch at a time)."""
    out: list[str] = []
    prose: list[str] = []
    in_code = False
    fence = _patterns()[0]

    def flush() -> None:
        if prose:
            out.append(_inline("\n".join(prose)))
            prose.clear()

    for line in markdown.strip("\n").split("\n"):
        if fence.match(line):
            flush()
            in_code = not in_code
            continue
        if in_code:
            out.append((code_indent + line).rstrip())
            continue
        title = re.fullmatch(r"\*\*([^*]+?)\*\*(\s*\([^)]*\))?\s*", line.strip())
        if title:
            # `**Terraform**`, `**Bicep** (API Management)`: a title line.
            flush()
            out.append(title.group(1).rstrip(":.") + (title.group(2) or "").rstrip() + ":")
            continue
        prose.append(line)
    flush()
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def _standard_file() -> str | None:
    # Installed from a wheel: beside the package's modules (`force-include`), which is where
    # `importlib.resources` would find it, without importing that (zipfile, tempfile, shutil).
    packaged = Path(__file__).parent / "standard.md"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    # A source checkout (editable install): docs/standard.md.
    checkout = Path(__file__).resolve().parents[2] / "docs" / "standard.md"
    return checkout.read_text(encoding="utf-8") if checkout.is_file() else None


@lru_cache(maxsize=1)
def standard_clauses() -> dict[str, tuple[str, str]]:
    """Clause id → (title, text) from the standard shipped with the tool (`### S1.1 Title`)."""
    text = _standard_file()
    clauses: dict[str, tuple[str, str]] = {}
    if text is None:
        return clauses
    for block in re.split(r"^(?=#{1,3} )", text, flags=re.M):
        head, _, body = block.partition("\n")
        m = re.fullmatch(r"### (S\d+\.\d+) (.+)", head.strip())
        if m:
            clauses[m.group(1)] = (m.group(2).strip(), " ".join(body.split()))
    return clauses


def explain(rule: Rule) -> str:
    """`iaclint explain RULE` for a terminal: plain text, the standard's clauses quoted."""
    parts = [f"{rule.id} {rule.name} ({rule.category}, {rule.severity.value})", rule.title]
    clauses = standard_clauses()
    if rule.standard:
        cited = []
        for clause in rule.standard:
            title, body = clauses.get(clause, ("", ""))
            cited.append(f"  {clause} {title}\n" + _wrap(_inline(body), "    ") if title else f"  {clause}")
        parts.append("Standard (docs/standard.md):\n" + "\n".join(cited))
    parts.append(plain(rule.help))
    if rule.fix:
        parts.append("Fix: " + _inline(rule.fix))
    if rule.parameters:
        parts.append("Parameters: " + ", ".join(f"{k} (default {v!r})" for k, v in rule.parameters.items()))
    if rule.references:
        parts.append("References:\n" + "\n".join(f"  {r}" for r in rule.references))
    parts.append(f"Documentation: {doc_url(rule.id)}")
    return "\n\n".join(parts) + "\n"


def _wrap(text: str, indent: str, width: int = 100) -> str:
    import textwrap

    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent)
