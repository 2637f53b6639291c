from __future__ import annotations

from pathlib import Path

from conftest import Workspace

from iaclint.findings import Finding, Level
from iaclint.report import render as render_any
from iaclint.report.snippets import SourceLines, underline
from iaclint.report.text import render
from iaclint.result import FileRecord
from iaclint.source import Span

HEAD = (
    'main.tf:3:21: IAC101 tls-minimum-version [error] aws_api_gateway_domain_name.api accepts TLS 1.0 '
    '(security_policy is "TLS_1_0")'
)


def test_one_finding_exact_output(ws: Workspace) -> None:
    out = render(ws.result([ws.tls_finding()]))
    assert out.splitlines() == [
        HEAD,
        " 3 |   security_policy = var.policy",
        "   |                     ^~~~~~~~~~",
        "  = value defined here: variables.tf:2:13",
        "  help: Set security_policy to TLS_1_2.",
        "  docs: https://github.com/iaclint/iaclint/blob/main/docs/rules/IAC101.md",
        "",
        "Findings by category:",
        "  tls-version  1 error",
        "",
        "Found 1 finding (1 error, 0 warnings, 0 notes) in 2 files scanned; 0 skipped, 0 failed.",
    ]
    assert out.endswith("failed.\n")
    assert "\x1b" not in out


def test_last_line_accounts_for_every_file(ws: Workspace) -> None:
    files = [
        FileRecord(ws.main, "scanned"),
        FileRecord(ws.variables, "scanned"),
        FileRecord(str(ws.root / "broken.tf"), "failed", "could not be read"),
        FileRecord(str(ws.root / "mkdocs.yaml"), "skipped", "not an infrastructure template"),
        FileRecord(str(ws.root / "app.bicep"), "skipped", "no Bicep loader in this version"),
    ]
    findings = [
        ws.tls_finding(),
        ws.tls_finding(line=1, unknown=True),
        ws.parse_finding(str(ws.root / "broken.tf")),
    ]
    out = render(ws.result(findings, files))
    lines = out.splitlines()
    assert lines[-1] == (
        "Found 3 findings (2 errors, 0 warnings, 1 note) in 2 files scanned; 2 skipped, 1 failed."
    )
    assert lines[-5:-1] == [
        "Findings by category:",
        "  parse        1 error",
        "  tls-version  1 error, 1 note",
        "",
    ]
    # Not verbose: skipped files are counted, not listed.
    assert "mkdocs.yaml" not in out


def test_no_findings(ws: Workspace) -> None:
    out = render(ws.result([]))
    assert out == (
        "Found 0 findings (0 errors, 0 warnings, 0 notes) in 2 files scanned; 0 skipped, 0 failed.\n"
    )


def test_verbose_lists_skipped_and_failed_files(ws: Workspace) -> None:
    files = [
        FileRecord(ws.main, "scanned"),
        FileRecord(str(ws.root / "mkdocs.yaml"), "skipped", "not an infrastructure template"),
        FileRecord(str(ws.root / "broken.tf"), "failed", "could not be read"),
    ]
    lines = render(ws.result([], files), verbose=True).splitlines()
    assert lines == [
        "Skipped files:",
        "  mkdocs.yaml: not an infrastructure template",
        "",
        "Failed files:",
        "  broken.tf: could not be read",
        "",
        "Found 0 findings (0 errors, 0 warnings, 0 notes) in 1 file scanned; 1 skipped, 1 failed.",
    ]


def test_grouped_by_file_and_sorted(ws: Workspace) -> None:
    later = Finding("IAC201", Level.WARNING, "no truststore", Span(ws.variables, 1, 1, 1, 18), address="x")
    first = Finding("IAC201", Level.WARNING, "no truststore", Span(ws.main, 1, 1, 1, 9), address="y")
    out = render(ws.result([later, ws.tls_finding(), first]))
    heads = [ln for ln in out.splitlines() if ".tf:" in ln[:20]]
    assert [h.split(" ")[0] for h in heads] == ["main.tf:1:1:", "main.tf:3:21:", "variables.tf:1:1:"]


def test_unknown_finding_says_so(ws: Workspace) -> None:
    lines = render(ws.result([ws.tls_finding(unknown=True)])).splitlines()
    assert lines[0].startswith("main.tf:3:21: IAC101 tls-minimum-version [note] ")
    assert "  = note: decided by a value iaclint could not know" in lines


def test_unreadable_source_skips_the_snippet(ws: Workspace) -> None:
    (ws.root / "latin1.tf").write_bytes(b'resource "x" "y" {\n  name = "caf\xe9"\n}\n')
    gone = Finding("IAC201", Level.WARNING, "gone", Span(str(ws.root / "gone.tf"), 2, 1, 2, 4))
    bad = Finding("IAC201", Level.WARNING, "latin1", Span(str(ws.root / "latin1.tf"), 2, 3, 2, 7))
    lines = render(ws.result([gone, bad])).splitlines()
    assert lines[:8] == [
        "gone.tf:2:1: IAC201 mtls-truststore [warning] gone",
        "  help: Add a mutual_tls_authentication block.",
        "  docs: https://github.com/iaclint/iaclint/blob/main/docs/rules/IAC201.md",
        "",
        "latin1.tf:2:3: IAC201 mtls-truststore [warning] latin1",
        "  help: Add a mutual_tls_authentication block.",
        "  docs: https://github.com/iaclint/iaclint/blob/main/docs/rules/IAC201.md",
        "",
    ]


def test_line_past_end_of_file_skips_the_snippet(ws: Workspace) -> None:
    f = Finding("IAC201", Level.WARNING, "far", Span(ws.main, 40, 1, 40, 2))
    assert render(ws.result([f])).splitlines()[1] == "  help: Add a mutual_tls_authentication block."


def test_caret_with_tabs_wide_characters_and_multiline_span(ws: Workspace) -> None:
    path = ws.root / "wide.tf"
    path.write_text('\tname = "日本" # x\nlocals {\n  a = 1\n}\n', encoding="utf-8")
    # '"日本"' spans character columns 9-12 (the tab counts as one character).
    f1 = Finding("IAC201", Level.WARNING, "wide", Span(str(path), 1, 9, 1, 13))
    f2 = Finding("IAC201", Level.WARNING, "block", Span(str(path), 2, 1, 4, 2))
    lines = render(ws.result([f1, f2])).splitlines()
    assert lines[1:3] == [
        ' 1 |     name = "日本" # x',
        "   |            ^~~~~~",  # tab shown as 4 spaces; each wide character takes 2 columns
    ]
    assert lines[7:9] == [" 2 | locals {", "   | ^~~~~~~~"]  # runs to the end of the first line


def test_zero_width_span_gets_one_caret(ws: Workspace) -> None:
    f = ws.parse_finding(ws.main)
    lines = render(ws.result([f])).splitlines()
    assert lines[1:3] == [' 2 |   domain_name     = "api.example.com"', "   |     ^"]


def test_hostile_file_cannot_drive_the_terminal(ws: Workspace) -> None:
    path = ws.root / "evil.tf"
    path.write_text('x = "\x1b]0;pwned\x07\u202e" # \x1b[2J\n', encoding="utf-8")
    f = Finding("IAC201", Level.WARNING, "bad \x1b[31mvalue\x1b[0m", Span(str(path), 1, 5, 1, 10))
    out = render(ws.result([f]), color=False)
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert out.splitlines()[0] == "evil.tf:1:5: IAC201 mtls-truststore [warning] bad \ufffd[31mvalue\ufffd[0m"


def test_colour_only_when_asked(ws: Workspace) -> None:
    result = ws.result([ws.tls_finding()])
    plain = render(result, color=False)
    coloured = render(result, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[1;31mIAC101\x1b[0m" in coloured
    # Same text once the colour codes are removed.
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_paths_outside_the_root_stay_absolute(ws: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.tf"
    f = Finding("IAC201", Level.WARNING, "x", Span(str(outside), 1, 1, 1, 2))
    assert render(ws.result([f])).splitlines()[0].startswith(f"{outside.as_posix()}:1:1: IAC201")


def test_relative_span_paths_are_taken_from_the_root(ws: Workspace) -> None:
    f = Finding("IAC201", Level.WARNING, "x", Span("main.tf", 3, 3, 3, 18))
    lines = render(ws.result([f])).splitlines()
    assert lines[0] == "main.tf:3:3: IAC201 mtls-truststore [warning] x"
    assert lines[2] == "   |   ^" + "~" * 14


def test_source_read_once_per_file(ws: Workspace, monkeypatch) -> None:
    reads: list[Path] = []
    original = SourceLines._read

    def counting(self: SourceLines, path: Path) -> list[str] | None:
        reads.append(path)
        return original(self, path)

    monkeypatch.setattr(SourceLines, "_read", counting)
    render(ws.result([ws.tls_finding(), ws.tls_finding(line=1), ws.tls_finding(line=2)]))
    assert reads == [Path(ws.main)]


def test_underline_rejects_a_column_beyond_the_line() -> None:
    assert underline("abc", Span("f", 1, 9, 1, 10)) is None
    assert underline("abc", Span("f", 1, 4, 1, 4)) == ("abc", "   ^")


def test_dispatch_by_format_name(ws: Workspace) -> None:
    result = ws.result([ws.tls_finding()])
    assert render_any("text", result, verbose=True) == render(result, verbose=True)
    import pytest

    with pytest.raises(ValueError, match="unknown report format 'xml'"):
        render_any("xml", result)


def test_suppressed_findings_are_counted_apart(ws: Workspace) -> None:
    from iaclint.findings import Suppression

    inline = Suppression("inSource", "legacy clients until Q3", Span.point(ws.main, 2, 3))
    result = ws.result([ws.tls_finding().suppressed(inline)])
    result.baseline_gone = 2
    lines = render(result).splitlines()
    assert lines == [
        "1 suppressed finding not counted (inline or baseline).",
        "2 baseline entries no longer match a finding.",
        "",
        "Found 0 findings (0 errors, 0 warnings, 0 notes) in 2 files scanned; 0 skipped, 0 failed.",
    ]
    verbose = render(result, verbose=True).splitlines()
    assert verbose[:3] == ["Suppressed findings:", "  main.tf:3:21: IAC101 (legacy clients until Q3)", ""]


def test_display_width_of_ascii_counts_columns_as_each_character_does() -> None:
    # ASCII text is measured by its length (a tab four columns): the same as character by character.
    from iaclint.report.snippets import _width, display_width

    every = "".join(chr(c) for c in range(128))
    assert display_width(every) == sum(_width(ch) for ch in every) == 131
    assert [display_width(chr(c)) for c in range(128)] == [_width(chr(c)) for c in range(128)]
    assert display_width("a\tb") == 6
    assert display_width("日本\tx") == 2 + 2 + 4 + 1
    assert display_width("e\u0301") == 1
