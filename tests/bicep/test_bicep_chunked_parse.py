"""Long Bicep files are parsed in pieces (`syntax._parse_chunks`): the pieces must give exactly the
nodes a whole parse gives, at the same positions, and a cut that lands inside a statement must send
the file back to a whole parse. (The tree-sitter parser, still chosen with IACLINT_BICEP_PARSER.)"""

from __future__ import annotations

import pytest

from iaclint.lang.bicep import syntax
from iaclint.source import SourceText


@pytest.fixture(autouse=True)
def _tree_sitter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(syntax, "PARSER", "tree-sitter")


def _statement(i: int) -> str:
    return (
        f"@description('parameter {i}')\n"
        f"param p{i} string = 'v{i}'\n"
        f"var v{i} = {{\n  name: p{i}\n  list: [\n    'a'\n    'b'\n  ]\n"
        f"  flag: p{i} == 'x' ? 'y' : 'z'\n}}\n"
        f"resource r{i} 'Microsoft.ApiManagement/service@2023-05-01-preview' = {{\n"
        f"  name: 'apim{i}'\n  properties: {{\n    publisherEmail: 'a@b.c'\n  }}\n}}\n"
    )


def _whole(parsed_text: bytes) -> list[tuple[str, int, int, tuple[int, int], str]]:
    root = syntax._parser().parse(parsed_text).root_node
    return [(n.type, n.start_byte, n.end_byte, n.start_point, str(n)) for n in root.named_children]


def _nodes(parsed: syntax.Parsed) -> list[tuple[str, int, int, tuple[int, int], str]]:
    return [(n.type, n.start_byte, n.end_byte, n.start_point, str(n)) for n in parsed.statements]


def test_long_file_is_parsed_in_pieces_with_the_nodes_of_a_whole_parse() -> None:
    text = "".join(_statement(i) for i in range(60)).encode()
    assert len(text) > 4 * syntax.CHUNK_BYTES
    parsed = syntax.parse(SourceText.decode("long.bicep", text))
    assert len(parsed.roots) > 2  # really cut
    assert not parsed.diagnostics
    assert _nodes(parsed) == _whole(text)


def test_cut_inside_a_multiline_string_falls_back_to_a_whole_parse() -> None:
    # `param` at the start of a line inside ''' ... ''' looks like a statement to the cutter.
    before = "".join(_statement(i) for i in range(20))
    inside = "".join(_statement(i) for i in range(20, 40))
    after = "".join(_statement(i) for i in range(40, 60))
    text = (before + "var doc = '''\nparam notAStatement string\n" + inside + "'''\n" + after).encode()
    parsed = syntax.parse(SourceText.decode("str.bicep", text))
    assert len(parsed.roots) == 1
    assert _nodes(parsed) == _whole(text)
    doc = [n for n in parsed.statements if n.type == "variable_declaration" and b"doc" in n.text[:10]]
    assert doc and b"notAStatement" in doc[0].text


def test_short_file_is_parsed_whole() -> None:
    text = _statement(1).encode()
    parsed = syntax.parse(SourceText.decode("short.bicep", text))
    assert len(parsed.roots) == 1
    assert _nodes(parsed) == _whole(text)


def test_syntax_error_in_a_piece_reports_the_same_region_as_a_whole_parse() -> None:
    before = "".join(_statement(i) for i in range(30))
    after = "".join(_statement(i) for i in range(30, 60))
    text = (before + "var broken = {\n  a: (\n}\n" + after).encode()
    parsed = syntax.parse(SourceText.decode("bad.bicep", text))
    assert len(parsed.roots) == 1  # fell back
    assert [d.line for d in parsed.diagnostics]
    assert _nodes(parsed) == _whole(text)
