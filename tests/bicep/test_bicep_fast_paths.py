"""The Bicep loader's shortcuts give exactly what the slow ways give."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.lang.bicep import prepass as pp
from iaclint.lang.bicep import syntax
from iaclint.lang.bicep.syntax import NodeSpans, parse
from iaclint.realpath import PathResolver
from iaclint.source import SourceText

# Fragments that make the pre-pass rewrite (or almost): statements it looks at, strings and
# comments that hide them, brackets, line ends.
FRAGMENTS = [
    "var x string = 'a'", "var y = 1", "var\tz int=2", "param p string", "param q myType?", "param r a.b?",
    "output o resource 'T@1' = a", "output s string = b", "x!", "x!.y", "a != b", "!c", "f()!", "'s'!",
    "...a", "{ ...b }", "[ ...c ]", "extension microsoftGraph", "resourceInput<'T@v'>.x", "'", "'''",
    "${", "}", "{", "[", "]", "(", ")", "// c", "/* d */", "/*", "\n", "\r\n", "\r", " ", "\t", "=", "?",
    "'don''t'", "'a\\'b'", "'${x}!'", "var", "param", "output", "resource", "x", "é",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30), st.booleans())
def test_prepass_shortcut_never_skips_a_rewrite(parts: list[str], params_file: bool) -> None:
    data = "".join(parts).encode("utf-8")
    fast = pp.prepass(data, params_file)
    saved = pp._may_rewrite
    pp._may_rewrite = lambda _data: True  # the full scan, always
    try:
        slow = pp.prepass(data, params_file)
    finally:
        pp._may_rewrite = saved
    assert (fast.data, fast.spreads, fast.changed) == (slow.data, slow.spreads, slow.changed)


def test_prepass_shortcut_examples() -> None:
    plain = b"var a = 1\nparam b string = 'x'\noutput c string = a != b ? 'y' : 'z'\n"
    assert pp._may_rewrite(plain) is False
    assert pp._may_rewrite(b"var a string = 'x'\n") is True
    assert pp._may_rewrite(b"output o string = x.y!.z\n") is True
    assert pp._may_rewrite(b"param p myType?\n") is True
    assert pp._may_rewrite(b"var a = 1\rvar b string = 'x'") is True


@pytest.mark.parametrize(
    "text",
    [
        "var a = 'x'\nvar b = {\n  k: 'v'\n}\n",
        "// é in a comment\nvar a = 'ünïcödé'\r\nvar b = { 'clé': 'valeur €' }\n",
        "var s = '''\nmulti 日本語\n'''\nvar t = [\n  'ß'\n  '🙂x'\n]\n",
    ],
)
def test_node_spans_equal_source_spans(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(syntax, "PARSER", "tree-sitter")  # NodeSpans are tree-sitter nodes' spans
    source = SourceText.decode("m.bicep", text.encode("utf-8"))
    parsed = parse(source)
    spans = NodeSpans(source)
    stack = list(parsed.roots)
    seen = 0
    while stack:
        node = stack.pop()
        expected = source.span_from_points(node.start_point, node.end_point)
        assert spans.of(node) == expected
        assert spans.of(node) is spans.of(node)  # cached
        assert spans.between(node, node) == expected
        seen += 1
        stack.extend(node.children)
    assert seen > 10


def test_path_resolver_equals_path_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.bicep").write_text("", encoding="utf-8")
    os.symlink(tmp_path / "a" / "b", tmp_path / "link")
    os.symlink("b/x.bicep", tmp_path / "a" / "y.bicep")
    monkeypatch.chdir(tmp_path)
    resolver = PathResolver()
    for raw in ["a/b/x.bicep", "link/x.bicep", "link/../b/x.bicep", "a/y.bicep", "a/./b/../y.bicep",
                "missing/z.bicep", str(tmp_path / "link" / "x.bicep"), "a/b/.."]:  # fmt: skip
        assert resolver.resolve(Path(raw)) == Path(raw).resolve(), raw
    assert resolver.display(Path(raw).resolve()) == "a"


# The scan's trigger before simple groups were matched whole: every bracket one token.
_ONE_BRACKET_AT_A_TIME = re.compile(
    rb"'''|'[^'\\$\n]*(?:(?:\\.|\$(?!\{))[^'\\$\n]*)*'|'|//[^\n]*|/\*|\.\.\.|!|[{}\[\]()]"
    rb"|\b(?:var|param|output|extension|import|resourceInput|resourceOutput)\b"
)
GROUP_FRAGMENTS = [*FRAGMENTS, "(a, b)", "[1, 2]", "f(x.y)", "(x..", ".", "..", "a.b", "(", ")", "[", "]",
                   "(var)", "[param p string]", "('s')", "(/ )", "(!a)", "[...x]",
                   "(\nvar y = 1\n)", "(x!)", "[y!]", "(a.b!, c)", "(d // e\n)", "('${f}')",
                   "(g...)", "[...h]", "(i, [j])"]  # fmt: skip


def _same_with_one_bracket_at_a_time(data: bytes, params_file: bool) -> None:
    saved_may, saved_trigger = pp._may_rewrite, pp._TRIGGER
    pp._may_rewrite = lambda _data: True  # always the full scan
    try:
        fast = pp.prepass(data, params_file)
        pp._TRIGGER = _ONE_BRACKET_AT_A_TIME
        slow = pp.prepass(data, params_file)
    finally:
        pp._may_rewrite, pp._TRIGGER = saved_may, saved_trigger
    assert (fast.data, fast.spreads, fast.changed) == (slow.data, slow.spreads, slow.changed)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(GROUP_FRAGMENTS), max_size=30), st.booleans())
def test_prepass_simple_groups_change_nothing(parts: list[str], params_file: bool) -> None:
    _same_with_one_bracket_at_a_time("".join(parts).encode("utf-8"), params_file)


@pytest.mark.parametrize("text", [f"var z = {g}\n" for g in GROUP_FRAGMENTS[len(FRAGMENTS):]])
def test_prepass_simple_groups_change_nothing_in_each_fragment(text: str) -> None:
    _same_with_one_bracket_at_a_time(text.encode("utf-8"), False)
