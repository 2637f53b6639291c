"""`parser.module_statements`: the `module` statements of a Bicep file read without building the
rest (the engine's module-call pass, lang/bicep/graph.py), the same as the full parse finds them."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import pytest
from _damage import damaged

from iaclint import engine, report
from iaclint.discover import discover
from iaclint.engine import ScanOptions, scan
from iaclint.lang.bicep import parser
from iaclint.lang.bicep.syntax import decode_source

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
BICEP = sorted(p for p in FIXTURES.rglob("*.bicep") if p.is_file())


def _heads(nodes: list[parser.Node], data: bytes) -> list[tuple[str, str, int, int]]:
    """(name, path as written, start, end) of each module statement."""
    out = []
    for n in nodes:
        name, path = n.named_children[0], n.named_children[1]
        out.append(
            (data[name.start_byte : name.end_byte].decode(), data[path.start_byte : path.end_byte].decode(),
             n.start_byte, n.end_byte)
        )  # fmt: skip
    return out


def _both(text: str) -> tuple[list[tuple[str, str, int, int]], list[tuple[str, str, int, int]]]:
    data = text.encode()
    full = [s for s in parser.parse_bytes(data).statements if s.type == "module_declaration"]
    return _heads(parser.module_statements(data), data), _heads(full, data)


def _skimmed(text: str) -> bool:
    """Whether the reader read `text` itself (else it had the file parsed)."""
    try:
        parser._ModuleReader(text.encode(), False).modules()
    except parser._Unsure:
        return False
    return True


def _names(text: str, skimmed: bool = True) -> list[str]:
    read, full = _both(text)
    assert read == full
    assert _skimmed(text) == skimmed
    return [f"{name} {path}" for name, path, _s, _e in read]


HUGE_BODY = (
    "resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {\n"
    "  name: 'x'\n"
    "  properties: {\n"
    + "".join(
        f"    p{i}: {{\n      a: [for (x, j) in range(0, {i}): {{ v: x > 2 ? 'a${{x}}' : 'b' }}]\n"
        f"      b: empty(c) ? null : {{\n        module: 'm'\n        resource: 'r'\n      }}\n"
        f"      c: '''\nmodule fake 'fake{i}.bicep' = {{}}\n'''\n    }}\n"
        for i in range(300)
    )
    + "  }\n}\n"
)


def test_a_module_statement_after_a_huge_and_complex_body() -> None:
    text = HUGE_BODY + "module after 'after.bicep' = {\n  name: 'after'\n}\n"
    assert _names(text) == ["after 'after.bicep'"]


def test_comments_strings_and_look_alikes_are_no_module_statements() -> None:
    text = (
        "// module c 'commented.bicep' = {}\n"
        "/* module b 'block.bicep' = {}\nmodule b2 'block2.bicep' = {} */\n"
        "var s = 'module q \\'quoted.bicep\\' = {}'\n"
        "var m = '''\nmodule ml 'multi.bicep' = {}\n'''\n"
        "var i = 'a ${'module x \\'y.bicep\\''} b'\n"
        "var o = {\n  module: 'not a statement'\n}\n"
        "module real 'real.bicep' = {\n  name: 'module fake \\'fake.bicep\\''\n}\n"
    )
    assert _names(text) == ["real 'real.bicep'"]


def test_decorators_existing_loops_and_conditions() -> None:
    text = (
        "@description('''\nmodule d 'd.bicep' = {}\n''')\n"
        "@batchSize(2)\n"
        "module loop 'loop.bicep' = [for (x, i) in range(0, 3): {\n  name: 'l${i}'\n}]\n"
        "resource kv 'Microsoft.KeyVault/vaults@2023-02-01' existing = {\n  name: 'kv'\n}\n"
        "module cond 'cond.bicep' = if (!empty(kv.id) && 1 > 0) {\n  name: 'c'\n}\n"
        "module loopif './loopif.bicep' = [for x in [1, 2]: if (x > 1) {\n  name: 'x${x}'\n}]\n"
        "resource r 'T@1' = if (true) {\n  name: 'r'\n}\n"
        "module ref 'br/public:avm/res/x:0.1.0' = {\n  name: 'ref'\n}\n"
        "module interpolated 'mod-${kv.name}.bicep' = {\n  name: 'i'\n}\n"
    )
    assert _names(text) == [
        "loop 'loop.bicep'",
        "cond 'cond.bicep'",
        "loopif './loopif.bicep'",
        "ref 'br/public:avm/res/x:0.1.0'",
        "interpolated 'mod-${kv.name}.bicep'",
    ]


def test_values_going_on_past_a_line() -> None:
    text = (
        "var a = empty(x)\n  ? 'a'\n  : 'b'\n"
        "output o string = (!c)\n  ? x.y!\n  : z\n"
        "var b = x &&\n  y\n"
        "var c = foo!\n"
        "output d string = x.id!\n"
        "type t = 'a'\n  | 'b'\n"
        "func f(x int) string =>\n  '${x}'\n"
        "param p string?\n"
        "module m 'm.bicep' = {\n  name: x ? 'a' : 'b'\n}\n"
        "module n0 'n0.bicep' = cond ? {}\n  : other.outputs!\n"
        "module n1 'n1.bicep' = {} \n\n- x!\n"
        "var after = 1\n"
        "module n 'n.bicep' = {}\n"
    )
    assert _names(text) == ["m 'm.bicep'", "n0 'n0.bicep'", "n1 'n1.bicep'", "n 'n.bicep'"]


def test_statements_that_do_not_parse_are_skipped_as_the_parser_skips_them() -> None:
    text = (
        "var broken = {\n  a: 1 2\n}\n"  # does not parse: the parser goes on at the next statement
        "module ok 'ok.bicep' = {}\n"
        "param q = \n"
        "module last 'last.bicep' = {}\n"
        "resource r 'T@1' = {\n  name: 'r'\n} {}\n"
        "module after 'after.bicep' = {}\n"
        "@description(\n"  # a decorator is read by the parser's own code, error and all
        "module decorated 'decorated.bicep' = {}\n"
    )
    assert _names(text) == [
        "ok 'ok.bicep'",
        "last 'last.bicep'",
        "after 'after.bicep'",
        "decorated 'decorated.bicep'",
    ]


def test_where_the_parser_may_go_on_elsewhere_the_file_is_parsed() -> None:
    # A statement keyword starting a line inside brackets (where the parser goes on after an error),
    # a statement further right than the one before, a value ending in an operator.
    for text, names in (
        ("var unbalanced = [\n  1\nmodule inside 'inside.bicep' = {}\n", ["inside 'inside.bicep'"]),
        ("var o = {\nmodule: 1\n}\nmodule m 'm.bicep' = {}\n", ["m 'm.bicep'"]),
        ("var a = 1\n  module indented 'i.bicep' = {}\n", ["indented 'i.bicep'"]),
        ("var a = b ||\nmodule\nmodule m 'm.bicep' = {}\n", ["m 'm.bicep'"]),
        ("var a =\nmodule m 'm.bicep' = {}\n", ["m 'm.bicep'"]),
        ("var a = [\n  'x' \u00a7\n]\nmodule m 'm.bicep' = {}\n", ["m 'm.bicep'"]),
    ):
        assert _names(text, skimmed=False) == names


def test_a_module_statement_whose_value_does_not_parse_is_read() -> None:
    # The one difference from the parse, which drops the statement (and reports an unreadable
    # region): the engine then groups the file it names with this one, and the loader, which
    # follows only the statements it parsed, evaluates that file as a root, as it would alone.
    text = (
        "module broken 'broken.bicep' = {\n  name: 'a' 'b'\n}\n"
        "module ok 'ok.bicep' = {}\n"
        "module junk 'junk.bicep' = { name: 'x' } junk\n"  # goes on past its end
    )
    read, full = _both(text)
    assert [r[0] for r in read] == ["broken", "ok", "junk"]
    assert [f[0] for f in full] == ["ok"]
    assert _skimmed(text)


def test_nesting_past_the_bound_is_too_deep_in_a_skipped_value_too() -> None:
    for text in (
        "var x = " + "[" * 5000 + "\nmodule m 'm.bicep' = {}\n",
        "var x = " + "!" * 3000 + "true\nmodule m 'm.bicep' = {}\n",
        "var x = " + "a ? b : " * 2000 + "c\nmodule m 'm.bicep' = {}\n",
        "module m 'm.bicep' = {\n  x: " + "(" * 5000 + "\n}\n",
    ):
        with pytest.raises(parser.TooDeep):
            parser.parse_bytes(text.encode())
        with pytest.raises(parser.TooDeep):
            parser.module_statements(text.encode())


@pytest.mark.parametrize("path", BICEP, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_the_fixtures_read_as_the_parser_reads_them(path: Path) -> None:
    data = path.read_bytes()
    full = [s for s in parser.parse_bytes(data).statements if s.type == "module_declaration"]
    assert _heads(parser.module_statements(data), data) == _heads(full, data)


# Spliced into fixtures at random: what moves statement boundaries or breaks a value.
PIECES = [
    "\n", "{", "}", "[", "]", "(", ")", "'", "'''", "${", "?", ":", "!", "@", "=>", "&&", " ",
    "\nmodule z 'z.bicep' = {}\n", "module", "\nvar", "\nresource", "\n  param", "//", "/*", "*/", ",", "=",
]  # fmt: skip


def test_mutated_fixtures_read_the_parser_s_statements_and_broken_module_statements() -> None:
    """Whatever the damage, the reader finds every module statement the parser finds, and any other
    it finds is a module statement the parser could not read (an error between its start and the
    next statement the reader found)."""
    rng = random.Random(11)
    texts = [p.read_text(encoding="utf-8") for p in BICEP]
    for _ in range(600):
        _reads_the_parser_s_module_statements(damaged(rng, texts, PIECES))


def _reads_the_parser_s_module_statements(text: str) -> None:
    """The module reader reads every module statement the parser reads, and more only where the
    parser reports an unreadable region (a module statement whose value does not parse)."""
    data = text.encode()
    try:
        found = parser.parse_bytes(data)
    except parser.TooDeep:
        return
    full = _heads([s for s in found.statements if s.type == "module_declaration"], data)
    read = _heads(parser.module_statements(data), data)
    assert set(full) <= set(read), text
    starts = [*sorted(r[2] for r in read), len(data) + 1]
    for extra in set(read) - set(full):
        following = next(s for s in starts if s > extra[2])
        assert any(extra[2] <= pos < following for pos, _what in found.errors), text


def test_decode_source_is_the_one_read_of_a_bicep_file() -> None:
    # The loader reports why a file is not Bicep text; the module-call pass reads nothing of it.
    source = decode_source("a.bicep", b"\xef\xbb\xbfparam x string\n")
    assert not isinstance(source, tuple)
    assert (source.path, source.data, source.text) == ("a.bicep", b"param x string\n", "param x string\n")
    assert decode_source("b.bicep", b"var a = 1\nvar b = '\xff'\n") == (
        2,
        "not valid UTF-8 text; save the file as UTF-8",
    )
    binary = decode_source("c.bicep", b"var a = 1\n\nvar b = '\x00'\n")
    assert binary == (3, "binary content (NUL byte); not Bicep")


# Token soup: statement keywords, brackets, operators, strings, comments and line breaks at several
# indentations, with a module statement dropped in half the time.
SOUP = [
    "module", "m", "'m.bicep'", "=", "{", "}", "[", "]", "(", ")", "\n", "\n", "\n  ", "\n    ", "\n\t",
    "var", "x", "resource", "'T@1'", "param", "string", "output", "?", ":", "!", "&&", "-", "+", "=>",
    "if", "for", "in", ",", ".", "@", "\n@", "description", "1", "-1", "'a${", "}'", "'a${x}b${",
    "existing", "type", "func", "|", "import", "targetScope", "metadata", "assert", "using", "with",
    "extends", "extension", "//c", "/*\n*/", "'''\n'''", "null", "...", "::", ".?", "??", "#disable\n",
    "x!", "*", "==", ";", "~", "\u00a7", "$", "\\", "'open", "\r\n", "\n)", "\n]", "\n}", "\n?", "\n:",
    "\n-", "\n!", "\n module", "\n  module",
]  # fmt: skip


def test_token_soup_reads_the_parser_s_statements_and_broken_module_statements() -> None:
    rng = random.Random(5)
    for _ in range(4000):
        toks = [rng.choice(SOUP) for _ in range(rng.randint(1, 40))]
        if rng.random() < 0.5:
            at = rng.randrange(len(toks) + 1)
            toks[at:at] = ["\n", "module", "z", "'z.bicep'", "=", "{", "}", "\n"]
        text = " ".join(toks)
        _reads_the_parser_s_module_statements(text)


EDGE = """param name string = 'edge'
param tls string = 'TLS10'

resource profile 'Microsoft.Cdn/profiles@2024-02-01' = {
  name: name
  location: 'global'
  sku: {
    name: 'Premium_AzureFrontDoor'
  }
}

resource domain 'Microsoft.Cdn/profiles/customDomains@2024-02-01' = {
  parent: profile
  name: '${name}-domain'
  properties: {
    hostName: 'api.${name}.example.com'
    tlsSettings: {
      certificateType: 'ManagedCertificate'
      minimumTlsVersion: tls
    }
  }
}
"""


def test_a_broken_module_statement_groups_files_the_report_does_not_see(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine groups the file a broken module statement names with its caller; the loader, which
    never follows that statement, evaluates the file as a root all the same: every report is the one
    of the whole repository loaded at once."""
    files = {
        "broken.bicep": "module edge 'shared/edge.bicep' = {\n  name: 'e' 'oops'\n}\n",
        "shared/edge.bicep": EDGE,
    }
    for i in range(30):
        files[f"other/o{i:02d}.bicep"] = EDGE.replace("= 'edge'", f"= 'o{i}'")
    root = tmp_path / "repo"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root)
    units = discover(["."], []).units
    groups = engine._linked("bicep", units, ScanOptions(paths=["."]))
    assert [[u.path.as_posix() for u in g] for g in groups if len(g) > 1] == [
        ["broken.bicep", "shared/edge.bicep"]
    ]
    for options in (
        ScanOptions(paths=["."]),
        ScanOptions(paths=["shared/edge.bicep"], files_mode=True),
        ScanOptions(paths=["broken.bicep"], files_mode=True),
    ):
        grouped = report.render("json", scan(options))
        with monkeypatch.context() as m:
            m.setattr(engine, "_PART_FILES", 10**9)  # one part: no module-call pass at all
            whole = report.render("json", scan(options))
        assert grouped == whole
    findings = json.loads(report.render("json", scan(ScanOptions(paths=["."]))))["findings"]
    assert {f["rule_id"] for f in findings if f["path"] == "broken.bicep"} == {"IAC001"}
    assert "shared/edge.bicep#domain" in {f["address"] for f in findings}
