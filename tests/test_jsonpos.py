"""The position-tracking JSON reader: values equal json.loads, spans are exact, errors are JsonError."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.lang.jsonpos import JsonError, parse_json
from iaclint.source import SourceText, Span
from iaclint.values import Value


def parse(text: str, **kw: object) -> Value:
    return parse_json(SourceText.decode("t.json", text.encode("utf-8")), **kw)  # type: ignore[arg-type]


def at(v: Value) -> tuple[int, int, int, int]:
    assert v.span is not None
    return (v.span.line, v.span.column, v.span.end_line, v.span.end_column)


DOC = """{
  "a": {
    "b": [1, -2.5e3, true, false, null],
    "c": "x"
  },
  "d": []
}
"""


def test_values_equal_json_loads() -> None:
    assert parse(DOC).py() == json.loads(DOC)


def test_nested_spans() -> None:
    v = parse(DOC)
    assert at(v) == (1, 1, 7, 2)
    # A member spans from its key's opening quote to the end of its value.
    assert at(v.get("a")) == (2, 3, 5, 4)
    b = v.path("a", "b")
    assert at(b) == (3, 5, 3, 40)
    assert [at(e) for e in b.data] == [
        (3, 11, 3, 12), (3, 14, 3, 20), (3, 22, 3, 26), (3, 28, 3, 33), (3, 35, 3, 39)
    ]
    assert at(v.path("a", "c")) == (4, 5, 4, 13)
    assert at(v.get("d")) == (6, 3, 6, 10)
    assert v.span == Span("t.json", 1, 1, 7, 2)


def test_scalar_types() -> None:
    v = parse('[1, 1.0, 1e2, -0, "s"]')
    assert [type(e.data) for e in v.data] == [int, float, float, int, str]
    assert v.py() == [1, 1.0, 100.0, 0, "s"]


def test_columns_count_characters_not_bytes() -> None:
    v = parse('{"näme": "日本語", "k": 1}')
    assert at(v.get("näme")) == (1, 2, 1, 15)
    assert at(v.get("k")) == (1, 17, 1, 23)
    # Astral characters count as one column.
    v = parse('["😀😀", 2]')
    assert at(v.get(1)) == (1, 8, 1, 9)


def test_escapes_and_string_spans() -> None:
    v = parse(r'{"k\"ey": "a\nb\u00e9\ud83d\ude00", "z": 0}')
    assert v.py() == {'k"ey': "a\nb\u00e9\U0001f600", "z": 0}
    assert at(v.get('k"ey')) == (1, 2, 1, 35)
    assert at(v.get("z")) == (1, 37, 1, 43)


def test_bom_is_accepted() -> None:
    v = parse_json(SourceText.decode("t.json", b'\xef\xbb\xbf{"a": 1}'))
    assert v.py() == {"a": 1}
    assert at(v.get("a")) == (1, 2, 1, 8)


def test_crlf_lines() -> None:
    v = parse('{\r\n  "a":\r\n    2\r\n}')
    assert at(v.get("a")) == (2, 3, 3, 6)
    assert at(v) == (1, 1, 4, 2)


def test_duplicate_keys_keep_last_and_are_reported() -> None:
    dups: list[tuple[str, Span]] = []
    v = parse('{"a": 1,\n "b": 2,\n "a": 3}', duplicates=dups)
    assert v.py() == {"a": 3, "b": 2}
    assert list(v.data) == ["a", "b"]
    assert at(v.get("a")) == (3, 2, 3, 8)
    assert dups == [("a", Span("t.json", 3, 2, 3, 5))]


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("", 1, 1, "expected a value"),
        ("{", 1, 2, "property name"),
        ('{"a" 1}', 1, 6, "expected ':'"),
        ('{"a": 1,}', 1, 9, "property name"),
        ("[1,]", 1, 4, "expected a value"),
        ("[1 2]", 1, 4, "expected ',' or ']'"),
        ('{"a": 1\n "b": 2}', 2, 2, "expected ',' or '}'"),
        ("[NaN]", 1, 2, "NaN"),
        ("[-Infinity]", 1, 2, "NaN and Infinity"),
        ("01", 1, 2, "after the JSON value"),
        ('{"a": "x\ny"}', 1, 9, "Invalid control character"),
        ('\n\n  ["\\x"]', 3, 5, "Invalid \\escape"),
        ('["abc', 1, 2, "Unterminated string"),
        ("[tru]", 1, 2, "expected a value"),
        ("{'a': 1}", 1, 2, "property name"),
        ('{"é": 1} x', 1, 10, "after the JSON value"),
    ],
)
def test_errors_have_line_and_column(text: str, line: int, column: int, fragment: str) -> None:
    with pytest.raises(JsonError) as info:
        parse(text)
    err = info.value
    assert (err.line, err.column) == (line, column)
    assert fragment in err.message


def test_depth_bound() -> None:
    assert parse("[" * 10 + "]" * 10, max_depth=10).py() == [[[[[[[[[[]]]]]]]]]]
    with pytest.raises(JsonError) as info:
        parse("[" * 11 + "]" * 11, max_depth=10)
    assert info.value.column == 11
    # Far deeper than Python's recursion limit: still a JsonError, not a RecursionError.
    with pytest.raises(JsonError):
        parse("[" * 100_000)
    with pytest.raises(JsonError):
        parse('{"a":' * 100_000)


def test_huge_integer_is_kept_as_its_text() -> None:
    # Valid JSON: past Python's digit limit the number is kept as written, not refused (issue 12:
    # a valid template with a 5,000-digit integer was reported as invalid JSON).
    v = parse('{"n": ' + "1" * 10_000 + "}")
    assert v.get("n").data == "1" * 10_000


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from([None, 0, 2]), st.booleans())
def test_roundtrip_equals_json_loads(obj: object, indent: int | None, ascii_only: bool) -> None:
    text = json.dumps(obj, indent=indent, ensure_ascii=ascii_only)
    assert parse(text).py() == json.loads(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('{}[],:"\\ \n\t0123456789-+.eEtrufalsn\u00e9xu')), max_size=60))
def test_random_text_raises_only_json_error(text: str) -> None:
    try:
        v = parse(text)
    except JsonError:
        return
    assert v.py() == json.loads(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_raises_only_json_error(text: str) -> None:
    with contextlib.suppress(JsonError):
        parse(text)


def test_arm_dialect_reads_comments_and_multiline_strings_with_positions() -> None:
    # ARM templates may hold comments and line breaks inside strings (Azure's own reader accepts
    # them); Azure/ResourceModules has such a template that was reported as unreadable.
    text = (
        '{\n'
        '  // a line comment\n'
        '  "a": 1, /* a block\n'
        '  comment */ "b": "[\n'
        '    concat(\'x\')]",\n'
        '  "c": true\n'
        '}\n'
    )
    src = SourceText("t.json", text.encode(), text)
    with pytest.raises(JsonError):
        parse_json(src)
    doc = parse_json(src, arm=True)
    assert doc.py() == {"a": 1, "b": "[\n    concat('x')]", "c": True}
    assert (doc.get("a").span.line, doc.get("b").span.line, doc.get("b").span.end_line) == (3, 4, 5)
    assert (doc.get("c").span.line, doc.get("c").span.column) == (6, 3)
    with pytest.raises(JsonError, match="unterminated comment"):
        parse_json(SourceText("t.json", b'{"a": 1 /* open', '{"a": 1 /* open'), arm=True)
