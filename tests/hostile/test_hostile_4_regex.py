"""Issue 12, class 4: regular expressions from the input.

Terraform's `regex()`, `regexall()` and `replace()` take RE2 patterns (Go's regexp); evaluated with
RE2 they run in linear time and mean what Terraform means. A catastrophic pattern must not hang, a
pattern RE2 rejects (invalid, or a backreference or lookaround that Python's `re` would accept) is an
unknown value with a note (Terraform fails there), and RE2-only syntax gives Terraform's answer.
Only Terraform evaluates patterns from the input: CloudFormation, Bicep and ARM have no regular
expression functions.
"""

from __future__ import annotations

import pytest
from hostile_kit import (
    HostileTree,
    assert_bounded,
    assert_note,
    assert_violation_reported,
    findings_in,
    summary,
    tf_domain,
)

TF = "infra/main.tf"
EVIL = "a" * 40 + "!"

# (id, security_policy expression, function the note names): each is unknown with a note, as
# Terraform fails on each (no match for `regex`, or a pattern RE2 rejects).
UNKNOWN = [
    ("regex-catastrophic-no-match", f'regex("(a+)+$", "{EVIL}")', "regex"),
    ("regex-catastrophic-nested-groups", f'regex("((a|aa)+)+$", "{EVIL}")', "regex"),
    ("regex-invalid", 'regex("(", "TLS_1_0")', "regex"),
    ("regexall-invalid", 'join("", regexall("[", "TLS_1_0"))', "regexall"),
    ("replace-invalid", 'replace("TLS_1_0", "/(?P<x/", "y")', "replace"),
    ("regex-backreference-re2-rejects", 'regex("(TLS)\\\\1", "TLSTLS")', "regex"),
    ("regex-lookahead-re2-rejects", 'regex("TLS(?=_1_0)", "TLS_1_0")', "regex"),
    ("regex-repeat-over-1000-re2-rejects", 'regex("a{2000}", "TLS_1_0")', "regex"),
]


@pytest.mark.parametrize(("expr", "function"), [u[1:] for u in UNKNOWN], ids=[u[0] for u in UNKNOWN])
def test_pattern_terraform_fails_on_is_unknown(tree: HostileTree, expr: str, function: str) -> None:
    tree.write({TF: tf_domain(expr)})
    violation = tree.add_violation("terraform")
    run = tree.scan(".")
    assert_bounded(run)
    assert_violation_reported(run, violation)
    note = assert_note(run, TF, function, rule="IAC101")
    assert note["unknown"], note


# Patterns that backtrack exponentially in Python's `re` but are linear in RE2, and RE2 syntax that
# `re` reads differently or rejects: each value must be Terraform's, a known TLS 1.0.
KNOWN_TLS10 = [
    ("regexall-catastrophic", f'length(regexall("(a|a)+$", "{EVIL}")) == 0 ? "TLS_1_0" : "TLS_1_2"'),
    ("replace-catastrophic", f'replace("{EVIL}", "/(a+)+$/", "x") == "{EVIL}" ? "TLS_1_0" : "TLS_1_2"'),
    ("posix-class", 'regex("[[:upper:]]+_1_0", "x TLS_1_0 y")'),
    ("end-of-text-z", 'regex("TLS_1_0\\\\z", "TLS_1_0")'),
    ("unicode-class", 'regex("\\\\pL+_1_0", "TLS_1_0")'),
    # Go's expansion: `${1}` is group 1 (Python's `re` would want a backslash); `$$` is HCL's escape.
    ("replace-go-group-expansion", 'replace("TLS-1-0", "/^(\\\\w+)-(\\\\d)-(\\\\d)$/", "$${1}_$${2}_$${3}")'),
]


@pytest.mark.parametrize("expr", [r[1] for r in KNOWN_TLS10], ids=[r[0] for r in KNOWN_TLS10])
def test_pattern_is_linear_and_means_what_terraform_means(tree: HostileTree, expr: str) -> None:
    tree.write({TF: tf_domain(expr)})
    run = tree.scan(".")
    assert_bounded(run)
    hits = [f for f in findings_in(run, TF, "IAC101") if not f["unknown"] and f["level"] == "error"]
    assert hits, f"{expr} did not evaluate to TLS_1_0 as Terraform would:\n{summary(run)}"
    assert run.returncode == 1
