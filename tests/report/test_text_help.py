"""The text report's help: the fix hint for the finding's cloud, the rule's documentation link, and
excerpts of long lines windowed around the finding's column; `iaclint explain` for a terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from iaclint.cli import main
from iaclint.helptext import plain, standard_clauses
from iaclint.report.snippets import MAX_SNIPPET_COLUMNS, underline
from iaclint.rules import load_rules
from iaclint.source import Span

DOCS = "https://github.com/iaclint/iaclint/blob/main/docs/rules/"


def scan_text(folder: Path, name: str, text: str, *args: str) -> list[str]:
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(folder), *args])
    return result.output.splitlines()


def test_help_fits_the_cloud_and_links_the_docs(tmp_path: Path) -> None:
    aws = scan_text(tmp_path / "a", "main.tf",
                    'resource "aws_wafv2_web_acl" "w" {\n  name = "w"\n  scope = "REGIONAL"\n'
                    '  default_action {\n    count {}\n  }\n}\n', "--select", "IAC802")
    rule = load_rules()["IAC802"]
    assert f"  help: {rule.fix_by_cloud['aws']}" in aws, aws
    assert f"  docs: {DOCS}IAC802.md" in aws
    assert not any("Azure" in line for line in aws if line.startswith("  help:"))
    policy = "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies@2023-05-01"
    azure = scan_text(tmp_path / "b", "main.bicep",
                      f"resource p '{policy}' = {{\n"
                      "  name: 'p'\n  location: 'westeurope'\n  properties: {\n"
                      "    policySettings: { state: 'Enabled', mode: 'Detection' }\n"
                      "    managedRules: { managedRuleSets: [] }\n  }\n}\n", "--select", "IAC802")
    assert f"  help: {rule.fix_by_cloud['azure']}" in azure, azure


def test_long_line_is_windowed_around_the_column() -> None:
    line = "x" * 5000 + ' security_policy = "TLS_1_0" ' + "y" * 5000
    column = line.index("security_policy") + 1
    text, carets = underline(line, Span("f", 1, column, 1, column + len("security_policy")))
    assert text.startswith("…") and text.endswith("…")
    assert text[carets.index("^"):].startswith("security_policy")
    assert carets.strip() == "^" + "~" * (len("security_policy") - 1)
    assert len(text) <= MAX_SNIPPET_COLUMNS + 2
    # A column near the start keeps the start of the line.
    text, carets = underline(line, Span("f", 1, 3, 1, 4))
    assert text.startswith("xxx") and carets == "  ^"


def test_plain_help_has_no_markdown_markers() -> None:
    for rule in load_rules().values():
        text = plain(rule.help)
        assert not re.search(r"\*\*|```|`", text), rule.id


def test_every_cited_clause_is_in_the_shipped_standard() -> None:
    clauses = standard_clauses()
    for rule in load_rules().values():
        for clause in rule.standard:
            assert clause in clauses, (rule.id, clause)


@pytest.mark.parametrize("rule_id", ["IAC101", "tls-minimum-version", "IAC831"])
def test_explain_renders_for_a_terminal(rule_id: str) -> None:
    result = CliRunner().invoke(main, ["explain", rule_id])
    assert result.exit_code == 0
    out = result.output
    assert "**" not in out and "```" not in out and "`" not in out
    rule = next(r for r in load_rules().values() if rule_id in (r.id, r.name))
    clause = rule.standard[0]
    assert f"  {clause} {standard_clauses()[clause][0]}" in out
    assert "Standard (docs/standard.md):" in out
    assert f"Documentation: {DOCS}{rule.id}.md" in out


def test_lists_in_messages_are_printed_as_the_code_spells_them() -> None:
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "arm" / "azure" / "frontdoor-classic"
    out = CliRunner().invoke(main, ["scan", str(fixture), "--select", "IAC201"]).output
    assert 'acceptedProtocols is ["Http", "Https"]' in out, out
    assert "['Http'" not in out
