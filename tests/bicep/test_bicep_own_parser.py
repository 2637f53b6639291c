"""iaclint's own Bicep parser (lang/bicep/parser.py) against the tree-sitter grammar it replaces:
the same trees where the grammar reads the code right, the same loader output on the fixtures, the
constructs the grammar could not read, and its bounds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from iaclint.discover import Unit
from iaclint.fileaccess import ScanRoots
from iaclint.lang.bicep import load, parser, syntax
from iaclint.lang.options import BicepOptions
from iaclint.resources import LoadResult
from iaclint.source import SourceText
from iaclint.values import State, Value

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_FILES = sorted((ROOT / "fixtures").rglob("*.bicep")) + sorted(
    (ROOT / "fixtures").rglob("*.bicepparam")
)

# Statements the own parser reads and drops (the evaluator reads nothing of them).
_DROPPED = {"decorators", "decorator", "comment", "diagnostic_comment", "metadata_declaration",
            "target_scope_assignment", "import_functionality", "type_declaration"}  # fmt: skip
_SKIP = {"comment", "diagnostic_comment", "decorators", "decorator"}
_LEAVES = {"property_identifier", "identifier", "number", "boolean", "null"}

SAMPLES = [
    "param a string = 'x'\nparam b int?\nparam c { k: string, n: int? }\nparam d ('x' | 'y')[] = []\n",
    "var a = !x && y || z ?? w\nvar b = a == b ? -1 : (x.y.?z[0][?1].w())\nvar c = (1 + 2) * 3 % 4 - 5 / 6\n",
    "var a = [for (x, i) in range(0, 3): { k: x, 'q': i, '${x}': 1 }]\n"
    "var b = reduce(xs, 0, (acc, x) => acc + x)\n",
    "var a = 'a${b}c\\n\\u{41}\\'d'\nvar b = '''\nmulti\n"
    "'''\nvar c = a::b::c.id\nvar d = sys.concat('a', 'b')\n",
    "func f(a string, b int) string => '${a}${b}'\n"
    "resource r 'A.B/c@1' existing = if (cond) {\n  name: 'e'\n}\n"
    "resource s 'A.B/c@1' = [for x in xs: if (x.on) {\n  name: x.name\n  parent: r\n}]\n",
    "module m './m.bicep' = {\n  name: 'm'\n  params: {\n    a: 1\n    ...b\n  }\n"
    "}\noutput o object = { ...m.outputs, x: [\n  ...ys\n  1\n] }\n",
    "resource r 'A.B/c@1' = {\n  name: 'n'\n  properties: {\n    // c\n    a: true\n    b: null\n"
    "  }\n  resource child 'd' = {\n    name: 'c'\n  }\n}\n",
    "var a = x!.y\nvar b string = 'x'\noutput c resource 'A.B/c@1' = r\nparam p myType?\n",
]


def _ts_tree(n: Any, spreads: frozenset[int]) -> tuple[Any, ...]:
    """A tree-sitter node as the own parser builds it: no tokens or comments, types and strings
    without their parts (but interpolations), spreads as the pre-pass rewrote them."""
    t = n.type
    if t == "type":
        return ("type",)
    kids = [c for c in n.named_children if c.type not in _SKIP]
    if t == "string":
        return (
            t,
            n.start_byte,
            n.end_byte,
            tuple(_ts_tree(c, spreads) for c in kids if c.type == "interpolation"),
        )
    t = "identifier" if t == "compatible_identifier" else t
    if t in _LEAVES:
        return (t, n.start_byte, n.end_byte)
    end = 0 if t == "parameter_declaration" else n.end_byte  # a blanked `?` or type is not in it
    out = [_ts_tree(c, spreads) for c in kids]
    if t == "object_property" and kids and kids[0].start_byte in spreads:
        out[0] = ("spread",)  # `...x` read as `__:x`
    return (t, n.start_byte, end, tuple(out))


def _own_tree(n: Any) -> tuple[Any, ...]:
    t = n.type
    if t in ("type", "spread"):
        return (t,)
    if t == "string":
        return (
            t,
            n.start_byte,
            n.end_byte,
            tuple(_own_tree(c) for c in n.named_children if c.type == "interpolation"),
        )
    if t in _LEAVES:
        return (t, n.start_byte, n.end_byte)
    if isinstance(n, parser.ObjectNode):
        # Members are tuples, not nodes: each read back as the grammar's `object_property`.
        props = []
        for kind, key, value, start, end in n.members:
            if kind == parser.MEMBER_RESOURCE:
                props.append(("object_property", start, end, (_own_tree(value),)))
                continue
            if kind == parser.MEMBER_WORD:
                k: tuple[Any, ...] = ("identifier", start, start + len(key))
            elif kind == parser.MEMBER_STRING:
                k = _own_tree(key)
            else:
                k = ("spread",)
            props.append(("object_property", start, end, (k, _own_tree(value))))
        return (t, n.start_byte, n.end_byte, tuple(props))
    end = 0 if t == "parameter_declaration" else n.end_byte
    return (t, n.start_byte, end, tuple(_own_tree(c) for c in n.named_children))


def _both(text: bytes, params_file: bool = False) -> tuple[list[Any], list[Any]]:
    source = SourceText.decode("m.bicep", text)
    ts = syntax.parse(source, params_file)  # the default parser: tree-sitter
    assert ts.diagnostics == []
    own = parser.parse_bytes(text, params_file)
    assert own.errors == []
    return (
        [_ts_tree(s, ts.spreads) for s in ts.statements if s.type not in _DROPPED],
        [_own_tree(s) for s in own.statements],
    )


@pytest.fixture(autouse=True)
def _tree_sitter_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(syntax, "PARSER", "tree-sitter")


@pytest.mark.parametrize("text", SAMPLES)
def test_same_tree_as_the_grammar_on_samples(text: str) -> None:
    ts, own = _both(text.encode())
    assert own == ts


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_tree_as_the_grammar_on_fixtures(path: Path) -> None:
    ts, own = _both(path.read_bytes(), path.suffix == ".bicepparam")
    assert own == ts


def _value(v: Value) -> Any:
    d = v.data
    if isinstance(d, dict):
        d = {k: _value(x) for k, x in d.items()}
    elif isinstance(d, list):
        d = [_value(x) for x in d]
    elif d is not None and not isinstance(d, (str, int, float, bool)):
        d = repr(d)
    return (v.state, d, v.span, v.reason, v.refs, v.via)


def _everything(result: LoadResult) -> list[Any]:
    out: list[Any] = [
        (r.type, r.address, r.name, r.span, _value(r.body), r.condition and _value(r.condition))
        for r in result.resources
    ]
    return [*out, result.diagnostics, result.directives, sorted(result.files_read)]


def _load_fixtures(monkeypatch: pytest.MonkeyPatch, which: str) -> list[Any]:
    monkeypatch.setattr(syntax, "PARSER", which)
    files = [p for p in FIXTURE_FILES if p.suffix == ".bicep"]
    options = BicepOptions(ScanRoots.for_paths([ROOT / "fixtures"]), ())
    return _everything(load([Unit("bicep", p, (p,)) for p in files], options))


def test_same_loader_output_on_the_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every resource, every value with its span, note and references, every diagnostic and
    directive: the same whichever parser read the files."""
    assert _load_fixtures(monkeypatch, "own") == _load_fixtures(monkeypatch, "tree-sitter")


def _x(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, parser_name: str = "own"
) -> tuple[Value, LoadResult]:
    monkeypatch.setattr(syntax, "PARSER", parser_name)
    path = tmp_path / "main.bicep"
    path.write_text(text, encoding="utf-8")
    result = load([Unit("bicep", path, (path,))], BicepOptions(ScanRoots.for_paths([tmp_path]), ()))
    [r] = [r for r in result.resources if r.address.endswith("#r")]
    return r.body.path("properties", "x"), result


def _probe(expr: str, before: str = "") -> str:
    return f"{before}resource r 'A.B/c@1' = {{\n  name: 'r'\n  properties: {{\n    x: {expr}\n  }}\n}}\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A numeric union type (the grammar: unreadable region).
        (_probe("p", "param p (100 | 200 | 300) = 200\n"), 200),
        # A multi-line union type in parentheses, starting with `|`, and a nullable one.
        (
            _probe(
                "p",
                "type t = {\n  name: (\n    | 'Basic'\n    | 'Std')\n"
                "  state: ('a' | 'b')?\n}\nparam p t = { name: 'Basic' }\n",
            ),
            {"name": "Basic"},
        ),
        # A string that starts with `//` inside a call inside a ternary.
        (_probe("split((!empty(a) ? a : '//'), '/')[1]", "param a string = ''\n"), ""),
        # A multi-line call and ternary.
        (
            _probe(
                "resourceGroup(\n      a == ''\n        ? 'x'\n        : 'y'\n    ).name",
                "param a string = ''\n",
            ),
            None,
        ),
        # `(x) ? a : b` (the grammar read a nullable type).
        (_probe("(a) ? 'on' : 'off'", "param a bool = true\n"), "on"),
        # Calls as array items, one a line (the grammar read `[f (...)]` as two items).
        (_probe("[\n      toUpper('a')\n      toUpper('b')\n    ]"), ["A", "B"]),
        # A postfix on the last operand: `!a.b` is `!(a.b)`, `x && y.z` is `x && (y.z)`.
        (_probe("!o.f && o.?g != 'h'", "param o object = { f: false, g: 'k' }\n"), True),
        # A lambda's body runs to the end of the expression.
        (_probe("map([1, 2], i => i + 1)"), [2, 3]),
    ],
    ids=[
        "numeric-union",
        "multiline-union",
        "slashes-in-string",
        "multiline-call",
        "paren-ternary",
        "calls-in-array",
        "postfix-precedence",
        "lambda-body",
    ],
)
def test_constructs_the_grammar_could_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: Any
) -> None:
    x, result = _x(tmp_path, monkeypatch, text)
    assert result.diagnostics == []
    if expected is None:  # known only at deployment
        assert x.state is State.UNKNOWN
    else:
        assert x.py() == expected


def test_a_statement_that_does_not_parse_is_one_region_and_the_rest_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "var a = (1 +\nvar b = 'ok'\n" + _probe("b")
    x, result = _x(tmp_path, monkeypatch, text)
    assert x.py() == "ok"
    [d] = result.diagnostics
    assert (d.line, d.column, d.partial) == (2, 5, True)
    assert d.message == "Bicep syntax not understood at line 2; the statements around it were skipped"


def test_nesting_past_the_bound_is_a_file_not_read_without_recursion_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = parser.MAX_NESTING + 10
    monkeypatch.setattr(syntax, "PARSER", "own")
    path = tmp_path / "main.bicep"
    path.write_text("var a = " + "(" * n + "1" + ")" * n + "\n" + _probe("a"), encoding="utf-8")
    result = load([Unit("bicep", path, (path,))], BicepOptions(ScanRoots.for_paths([tmp_path]), ()))
    assert result.resources == []
    [d] = result.diagnostics
    assert d.message == f"nested more than {parser.MAX_NESTING} levels deep; file not read"


@pytest.mark.parametrize("kind", ["parens", "arrays", "objects", "unary", "ternary", "strings"])
def test_deep_nesting_below_the_bound_parses(kind: str) -> None:
    n = 1200
    expr = {
        "parens": "(" * n + "1" + ")" * n,
        "arrays": "[" * n + "]" * n,
        "objects": "{ a: " * n + "1" + " }" * n,
        "unary": "!" * n + "true",
        "ternary": "true ? " * n + "1" + " : 0" * n,
        "strings": "'${" * n + "1" + "}'" * n,
    }[kind]
    found = parser.parse_bytes(f"var a = {expr}\n".encode())
    assert found.errors == [] and len(found.statements) == 1


@pytest.mark.parametrize(
    "text",
    [
        "var a = 'x'\nvar b = {\n  k: 'v'\n}\n",
        "// é in a comment\nvar a = 'ünïcödé'\r\nvar b = { 'clé': 'valeur €' }\n",
        "var s = '''\nmulti 日本語\n'''\nvar t = [\n  'ß'\n  '🙂x'\n]\n",
    ],
)
def test_node_spans_are_the_source_spans_of_their_bytes(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(syntax, "PARSER", "own")
    source = SourceText.decode("m.bicep", text.encode("utf-8"))
    parsed = syntax.parse(source)
    assert isinstance(parsed.spans, syntax.ByteSpans)
    data = source.data
    stack = list(parsed.statements)
    seen = 0
    while stack:
        node = stack.pop()
        start = len(data[: node.start_byte].decode())
        end = len(data[: node.end_byte].decode())
        assert parsed.spans.of(node) == source.span_from_offsets(start, end)
        assert parsed.spans.of(node) is parsed.spans.of(node)  # cached
        seen += 1
        stack.extend(node.children)
    assert seen > 5


def test_junk_is_read_at_once_as_unreadable_regions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What took the grammar's error recovery seconds and gigabytes (`<a>` over and over) is one
    unreadable region a line, read in linear time."""
    monkeypatch.setattr(syntax, "PARSER", "own")
    path = tmp_path / "junk.bicep"
    path.write_bytes(b"<a>" * 100_000 + b"\n" + _probe("1").encode())  # the grammar: 60 KB took 8.5 s
    result = load([Unit("bicep", path, (path,))], BicepOptions(ScanRoots.for_paths([tmp_path]), ()))
    assert [(d.line, d.column, d.partial) for d in result.diagnostics] == [(1, 1, True)]
    assert [r.address.split("#")[1] for r in result.resources] == ["r"]


def test_the_parse_deadline_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(syntax, "PARSER", "own")
    make = syntax.ParseDeadline

    def expired(size: int) -> Any:
        d = make(size)
        d.at = 0.0
        return d

    monkeypatch.setattr(syntax, "ParseDeadline", expired)
    path = tmp_path / "main.bicep"
    path.write_text(_probe("1"), encoding="utf-8")
    result = load([Unit("bicep", path, (path,))], BicepOptions(ScanRoots.for_paths([tmp_path]), ()))
    assert result.resources == []
    assert [(d.partial, d.message.split(";")[0]) for d in result.diagnostics] == [
        (False, "parsing gave up after 3 s")
    ]


def test_a_file_of_tiny_tokens_stays_within_the_parse_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One token a byte: without a bound, 20 MB of it would hold gigabytes of tokens and nodes."""
    monkeypatch.setattr(syntax, "PARSER", "own")
    make = syntax.ParseDeadline

    def tight(size: int) -> Any:
        d = make(size)
        d.peak = 0  # any memory at all is too much
        return d

    monkeypatch.setattr(syntax, "ParseDeadline", tight)
    path = tmp_path / "junk.bicep"
    path.write_bytes(b"@" * (parser._CHECK_BYTES + parser._RUN + 10))
    result = load([Unit("bicep", path, (path,))], BicepOptions(ScanRoots.for_paths([tmp_path]), ()))
    assert [(d.partial, d.message) for d in result.diagnostics] == [
        (False, "parsing gave up: this input took too much memory; file not read")
    ]


def test_object_members_are_read_into_tuples() -> None:
    text = b"var a = {\n  k: 'v'\n  'q': 1\n  ...b\n  '${c}': true\n}\n"
    (decl,) = parser.parse_bytes(text).statements
    obj = decl.named_children[1]
    assert isinstance(obj, parser.ObjectNode)
    got = [(kind, key if isinstance(key, str | None) else key.type, value.type, start, end)
           for kind, key, value, start, end in obj.members]  # fmt: skip
    assert got == [
        (parser.MEMBER_WORD, "k", "string", text.index(b"k:"), text.index(b"'v'") + 3),
        (parser.MEMBER_STRING, "string", "number", text.index(b"'q'"), text.index(b"1") + 1),
        (parser.MEMBER_SPREAD, None, "identifier", text.index(b"..."), text.index(b"...b") + 4),
        (parser.MEMBER_STRING, "string", "boolean", text.index(b"'${c}'"), text.index(b"true") + 4),
    ]
    # The named children: the values, and the string keys before their values.
    kinds = ["string", "string", "number", "identifier", "string", "boolean"]
    assert [c.type for c in obj.named_children] == kinds


def test_fields_are_named_children_at_fixed_places() -> None:
    text = b"var a = x.y ? [for i in z: i] : -w[0]\n"
    (decl,) = parser.parse_bytes(text).statements
    ternary = decl.named_children[1]
    cond, yes, no = ternary.named_children
    assert ternary.child_by_field_name("condition") is cond
    assert ternary.child_by_field_name("alternative") is no
    assert cond.child_by_field_name("property").type == "property_identifier"
    assert yes.child_by_field_name("initializer").type == "identifier"
    assert yes.child_by_field_name("body") is yes.named_children[2]
    assert no.child_by_field_name("argument").child_by_field_name("index").type == "number"
    assert no.child_by_field_name("left") is None
