"""The rule reference in `docs/rules/`, generated from the rule pack.

Run `python -m iaclint.rule_docs docs/rules` after changing a rule; a test fails when the pages are
stale. SARIF `helpUri`s point at these pages.
"""

from __future__ import annotations

import sys
from pathlib import Path

from iaclint.rules import Rule, load_rules


def render_rule(rule: Rule) -> str:
    lines = [
        f"# {rule.id} {rule.name}",
        "",
        f"**{rule.title}**",
        "",
        "| | |",
        "| --- | --- |",
        f"| Category | `{rule.category}` |",
        f"| Severity | {rule.severity.value} (security severity {rule.security_severity:.1f}) |",
        f"| Standard | {', '.join(f'[{s}](../standard.md)' for s in rule.standard) or 'n/a'} |",
        f"| Enabled by default | {'yes' if rule.enabled else 'no (opt-in: `--select ' + rule.id + '`)'} |",
        "",
        rule.help,
        "",
    ]
    if rule.fix:
        lines += ["## Fix", "", rule.fix, ""]
        names = {"aws": "AWS", "azure": "Azure"}
        lines += [f"- **{names.get(cloud, cloud)}:** {text}" for cloud, text in rule.fix_by_cloud.items()]
        lines += [""] if rule.fix_by_cloud else []
    if rule.parameters:
        lines += ["## Parameters", "", "| name | default |", "| --- | --- |"]
        lines += [f"| `{k}` | `{v}` |" for k, v in rule.parameters.items()]
        lines += [""]
    if rule.references:
        lines += ["## References", ""] + [f"- <{r}>" for r in rule.references] + [""]
    return "\n".join(lines).rstrip() + "\n"


def render_index(rules: dict[str, Rule]) -> str:
    lines = ["# Rules", "", "| id | name | category | severity | title |", "| --- | --- | --- | --- | --- |"]
    for r in rules.values():
        lines.append(f"| [{r.id}]({r.id}.md) | {r.name} | {r.category} | {r.severity.value} | {r.title} |")
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    rules = load_rules()
    out = {f"{r.id}.md": render_rule(r) for r in rules.values()}
    out["README.md"] = render_index(rules)
    return out


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m iaclint.rule_docs", description="Write a page per rule (IACnnn.md) from rules/."
    )
    parser.add_argument("target", nargs="?", default="docs/rules", help="folder (default: docs/rules)")
    target = Path(parser.parse_args(argv[1:]).target)
    target.mkdir(parents=True, exist_ok=True)
    wanted = pages()
    # Only pages of rules that are gone: any other file of the folder is not ours to remove.
    for stale in target.glob("IAC[0-9][0-9][0-9].md"):
        if stale.name not in wanted:
            stale.unlink()
    for name, text in wanted.items():
        (target / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(wanted)} pages to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
