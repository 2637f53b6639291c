"""Bad input never raises out of load(): it becomes a diagnostic naming the file and line."""

from __future__ import annotations

import tempfile
from pathlib import Path

from conftest import load_dirs, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaclint.discover import Unit
from iaclint.lang.terraform import load
from iaclint.resources import Diagnostic


def test_syntax_error_is_partial_and_other_blocks_load(tf) -> None:  # type: ignore[no-untyped-def]
    result = tf({"main.tf": 'resource "t" "ok" {\n  a = 1\n}\nresource "t" "bad" {\n  a = = 2\n}\n'})
    path = str(tf.dir / "main.tf")
    assert result.diagnostics == [Diagnostic(path, 5, 7, "syntax error: unexpected '= 2'", True)]
    assert "t.ok" in [r.address for r in result.resources]


def test_binary_and_invalid_utf8_are_skipped(tf) -> None:  # type: ignore[no-untyped-def]
    result = tf(
        {
            "a.tf": b'resource "t" "a" {}\n\x00\x01',
            "b.tf": b'resource "t" "b" {\n  x = "\xff"\n}\n',
            "c.tf": 'resource "t" "c" {}\n',
        }
    )
    d = tf.dir
    assert sorted(result.diagnostics, key=lambda x: x.path) == [
        Diagnostic(str(d / "a.tf"), 2, 1, "binary file (NUL byte); not a Terraform text file", False),
        Diagnostic(str(d / "b.tf"), 2, 8, "invalid UTF-8; Terraform files must be UTF-8", False),
    ]
    assert [r.address for r in result.resources] == ["t.c"]


def test_huge_file_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.tf"
    with open(big, "wb") as fh:
        fh.truncate(21 * 1024 * 1024)
    write(tmp_path, {"ok.tf": 'resource "t" "ok" {}\n'})
    result = load_dirs(tmp_path)
    assert [d.path for d in result.diagnostics] == [str(big)]
    assert result.diagnostics[0].message.startswith("file is larger than 20 MB")
    assert [r.address for r in result.resources] == ["t.ok"]


def test_deep_blocks_and_long_reference_chains(tf) -> None:  # type: ignore[no-untyped-def]
    chain = "\n".join(f"  l{i} = local.l{i + 1}" for i in range(3000)) + '\n  l3000 = "end"\n'
    deep = 'resource "t" "deep" {\n' + "b {\n" * 3000 + "}\n" * 3000 + "}\n"
    result = tf(
        {"main.tf": f'locals {{\n{chain}}}\nresource "t" "r" {{\n  a = local.l0\n}}\n', "deep.tf": deep}
    )
    res = {r.address: r for r in result.resources}
    a = res["t.r"].body.get("a")
    assert a.is_known or a.is_unknown  # bounded either way, never a crash


def test_missing_unit_directory() -> None:
    result = load([Unit("terraform", Path("/nonexistent/dir"), (Path("/nonexistent/dir/main.tf"),))])
    assert result.diagnostics[0].path == "/nonexistent/dir/main.tf"
    assert result.diagnostics[0].message.startswith("cannot read file")


def _load_text(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "main.tf"
        p.write_bytes(data)
        result = load([Unit("terraform", Path(d), (p,))])
        for diag in result.diagnostics:
            assert diag.path == str(p) and diag.line >= 1 and diag.column >= 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    _load_text(data)


_TOKENS = [
    'resource "t" "r" {',
    "}",
    "{",
    "[",
    "]",
    "(",
    ")",
    "a = ",
    "b = ",
    '"x${',
    "}",
    '"',
    "var.",
    "local.",
    "count.index",
    "each.key",
    "for x in ",
    " : ",
    "=>",
    "...",
    "if ",
    "<<EOT\n",
    "\nEOT\n",
    "%{ if true }",
    "%{ endif }",
    "module.m.",
    "data.d.n.",
    "jsonencode(",
    "merge(",
    "lookup(",
    ",",
    "\n",
    "1",
    "-",
    "*",
    "?",
    "null",
    "true",
    'dynamic "d" {',
    "content {",
    "for_each = ",
    "count = ",
    "locals {",
    'variable "v" {',
    'module "m" { source = "./"',
    "[*]",
    ".*",
    "#",
    "/*",
    "*/",
    "é",
    "\\",
    "try(",
    "templatefile(",
]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_TOKENS), max_size=60))
def test_random_hcl_like_text_never_raises(tokens: list[str]) -> None:
    _load_text("".join(tokens).encode())
