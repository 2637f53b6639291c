import pytest

from iaclint.source import SourceText, Span
from iaclint.values import UNKNOWN, State, Value


def span(line: int, col: int = 1) -> Span:
    return Span("main.tf", line, col, line, col + 5)


def test_at_relocates_and_keeps_provenance() -> None:
    default = Value.known("TLS_1_0", span(3))
    arg = default.at(span(10))
    used = arg.at(span(20))
    assert used.span == span(20)
    assert used.via == (span(3), span(10))
    assert used.data == "TLS_1_0"
    # Re-locating to the same place adds nothing.
    assert used.at(span(20)) is used


def test_navigation_over_states() -> None:
    body = Value.of({"a": {"b": [1, 2]}, "n": None}, span(1))
    assert body.path("a", "b", 1).data == 2
    assert body.path("a", "missing").state is State.ABSENT
    assert body.path("a", "b", 5).is_absent
    assert body.get("n").is_null and not body.get("n").is_absent
    unknown = Value.unknown("var.x has no default", span(2), refs=("aws_x.y",))
    member = unknown.get("anything")
    assert member.is_unknown and member.reason == "var.x has no default" and member.refs == ("aws_x.y",)


def test_first_accepts_block_list_and_single_object() -> None:
    block = Value.of({"k": "v"}, span(4))
    as_list = Value.known({"cfg": Value.known([block], span(3))})
    as_object = Value.known({"cfg": block})
    assert as_list.first("cfg").get("k").data == "v"
    assert as_object.first("cfg").get("k").data == "v"
    assert Value.known({"cfg": Value.known([])}).first("cfg").is_absent


def test_conversions() -> None:
    assert Value.known("True").as_bool() is True
    assert Value.known("false").as_bool() is False
    assert Value.known("yes").as_bool() is None
    assert Value.known(True).as_str() == "true"
    assert Value.known("10").as_number() == 10.0
    assert Value.known(True).as_number() is None
    mixed = Value.known({"a": Value.unknown("x"), "b": Value.known(1)})
    assert mixed.py() == {"a": UNKNOWN, "b": 1}
    assert not mixed.is_fully_known()
    assert Value.unknown("no default").describe() == "unknown (no default)"
    assert Value.known("TLS_1_0").describe() == '"TLS_1_0"'


def test_with_refs_merges_in_order() -> None:
    v = Value.unknown("r", refs=("a",)).with_refs(("b", "a"))
    assert v.refs == ("a", "b")


def test_source_text_columns_are_characters() -> None:
    data = 'x = "é"\ny = "TLS"\n'.encode()
    st = SourceText.decode("f.tf", b"\xef\xbb\xbf" + data)
    assert st.text.startswith("x")  # BOM dropped
    # Byte column 6 on row 0 is after the two-byte "é": character column 6 (1-based) + 1.
    sp = st.span_from_points((0, 4), (0, 8))
    assert (sp.line, sp.column, sp.end_line, sp.end_column) == (1, 5, 1, 8)
    sp2 = st.span_from_offsets(8, 11)
    assert (sp2.line, sp2.column, sp2.end_column) == (2, 1, 4)
    assert st.line_text(2) == 'y = "TLS"'
    assert st.line_text(9) == ""


def test_describe_is_short_whatever_the_value() -> None:
    # Issue 12: messages quoted whole values (`repr(py())` of a container built by a hostile template).
    # Containers as the code spells them (JSON), not as Python shows them.
    described = Value.of({"a": [1, 2, 3], "b": "x", "c": True}).describe()
    assert described == '{"a": [1, 2, 3], "b": "x", "c": true}'
    big = Value.of([list(range(1000))] * 1000)
    text = big.describe()
    assert len(text) == 200 and text.endswith("…") and text.startswith("[[0, 1, 2")
    assert Value.of("x" * 500).describe() == '"' + "x" * 199 + '…"'


def test_values_and_spans_built_on_their_layout_twins_are_the_frozen_classes() -> None:
    import copy
    import dataclasses
    import pickle

    import iaclint.source as source
    import iaclint.values as values
    from iaclint.values import LazyValue

    # Python lets the mutable look-alikes become the real classes: the fast path is in use.
    assert values._LAYOUT_TWIN and source._LAYOUT_TWIN
    s = Span("p", 1, 2, 3, 4)
    v = Value(State.UNKNOWN, "x", s, "why", ("a",), (s,))
    assert type(s) is Span and type(v) is Value
    assert (s.path, s.line, s.column, s.end_line, s.end_column) == ("p", 1, 2, 3, 4)
    assert (v.state, v.data, v.span, v.reason, v.refs, v.via) == (State.UNKNOWN, "x", s, "why", ("a",), (s,))
    assert Value(State.KNOWN) == Value(State.KNOWN, None, None, "", (), ())
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.data = "y"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.line = 2  # type: ignore[misc]
    for copied in (pickle.loads(pickle.dumps(v)), copy.deepcopy(v), copy.copy(v)):
        assert type(copied) is Value and copied == v and hash(copied) == hash(v)
    assert dataclasses.replace(v, data="z") == Value(State.UNKNOWN, "z", s, "why", ("a",), (s,))
    assert pickle.loads(pickle.dumps(s)) == s and s < Span("p", 1, 2, 3, 5)
    lazy = LazyValue(lambda: v)
    assert type(lazy) is LazyValue and lazy == v and lazy.via == (s,)
    assert type(source.make_span("p", 1, 2, 3, 4)) is Span and source.make_span("p", 1, 2, 3, 4) == s
    made = values.make(State.UNKNOWN, "x", s, "why", ("a",), (s,))
    assert type(made) is Value and made == v and values.make(State.KNOWN) == Value(State.KNOWN)


def test_values_and_spans_built_through_descriptors_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    # Where Python refused the layout twins, the descriptors build equal objects.
    import iaclint.source as source
    import iaclint.values as values

    fast_s, fast_v = Span("p", 1, 2, 3, 4), Value(State.KNOWN, [1], None, "r", ("a",), ())
    monkeypatch.setattr(values, "_LAYOUT_TWIN", False)
    monkeypatch.setattr(source, "_LAYOUT_TWIN", False)
    slow_s, slow_v = Span("p", 1, 2, 3, 4), Value(State.KNOWN, [1], None, "r", ("a",), ())
    made = values.make(State.KNOWN, [1], None, "r", ("a",))
    assert type(source.make_span("p", 1, 2, 3, 4)) is Span and source.make_span("p", 1, 2, 3, 4) == fast_s
    assert type(slow_s) is Span and type(slow_v) is Value and type(made) is Value
    assert slow_s == fast_s and hash(slow_s) == hash(fast_s) and slow_v == fast_v == made
