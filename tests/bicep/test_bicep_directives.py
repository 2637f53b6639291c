"""Suppression directives in Bicep comments: found by the loader, applied by the engine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from iaclint.discover import Unit
from iaclint.engine import ScanOptions, scan
from iaclint.lang.bicep import load
from iaclint.resources import Directive

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bicep" / "azure"

SOURCE = """\
// iaclint:ignore IAC101 -- legacy clients until Q3
resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'a'
  properties: {
    /* iaclint:ignore IAC102,
       iac103 -- wraps
       over lines */
    x: 1 // iaclint:ignore
  }
}
var s = 'x /* iaclint:ignore IAC999 -- only a string */'
// iaclint:ignored IAC104 -- not the directive word
/* iaclint:ignore IAC105 -- one line block */
"""


def _load(tmp_path: Path, name: str, text: str) -> list[Directive]:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    result = load([Unit("bicep", p, (p,))], None)
    assert result.diagnostics == []
    return result.directives


def test_line_and_block_comments_with_exact_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _load(tmp_path, "main.bicep", SOURCE) == [
        Directive("main.bicep", 1, ("IAC101",), "legacy clients until Q3"),
        Directive("main.bicep", 5, ("IAC102", "IAC103"), "wraps over lines"),
        Directive("main.bicep", 8, (), ""),
        Directive("main.bicep", 13, ("IAC105",), "one line block"),
    ]


def test_no_directive_text_no_directives(tmp_path: Path) -> None:
    assert _load(tmp_path, "plain.bicep", "// a comment\nvar x = 'iaclint'\n") == []


def test_module_file_directives_reported_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "child.bicep").write_text(
        "param n string\n// iaclint:ignore IAC201 -- internal only\n"
        "resource a 'Microsoft.Web/sites@2022-03-01' = {\n  name: n\n}\n",
        encoding="utf-8",
    )
    (tmp_path / "main.bicep").write_text(
        "module m './child.bicep' = {\n  name: 'm'\n  params: { n: 'x' }\n}\n", encoding="utf-8"
    )
    files = [tmp_path / "main.bicep", tmp_path / "child.bicep"]
    result = load([Unit("bicep", f, (f,)) for f in files], None)
    assert result.directives == [Directive("child.bicep", 2, ("IAC201",), "internal only")]
    assert [r.address for r in result.resources] == ["main.bicep#module.m.a"]


def test_scan_suppresses_the_finding_on_the_next_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(FIXTURES / "apim-violating", tmp_path / "apim")
    main = tmp_path / "apim" / "main.bicep"
    lines = main.read_text(encoding="utf-8").splitlines(keepends=True)
    assert "'${security}.Protocols.Tls11': tls11 // expect: IAC101" in lines[42]
    lines.insert(42, "      // iaclint:ignore IAC101 -- legacy clients until Q3\n")
    main.write_text("".join(lines), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = scan(ScanOptions(paths=["apim"]))
    iac101 = [f for f in result.findings if f.rule_id == "IAC101"]
    kinds = [(f.span.line, f.suppression.kind if f.suppression else None) for f in iac101]
    assert kinds == [(44, "inSource")]
    assert iac101[0].suppression is not None
    assert iac101[0].suppression.justification == "legacy clients until Q3"
    # Every other finding of the fixture is still active, and the directive is not reported as unused.
    assert all(f.suppression is None for f in result.findings if f.rule_id != "IAC101")
    assert not [f for f in result.findings if f.rule_id == "IAC002"]
