"""The YAML decoder that builds Values from libyaml events: types, spans, aliases, errors."""

from __future__ import annotations

import pytest

from iaclint.lang.cloudformation.decode import MAX_DEPTH, DecodeError, decode
from iaclint.source import SourceText
from iaclint.values import Value


def dec(text: str, path: str = "t.yaml") -> tuple[Value, list[tuple[int, int, str, bool]]]:
    d = decode(SourceText(path, text.encode(), text))
    return d.root, [(x.line, x.column, x.message, x.partial) for x in d.diagnostics]


def span(v: Value) -> tuple[int, int, int, int]:
    assert v.span is not None
    return (v.span.line, v.span.column, v.span.end_line, v.span.end_column)


def error(text: str) -> tuple[str, int, int]:
    with pytest.raises(DecodeError) as info:
        decode(SourceText("t.yaml", text.encode(), text))
    return info.value.message, info.value.line, info.value.column


def test_scalar_types_as_pyyaml_resolves_them() -> None:
    root, diags = dec(
        "a: 1\nb: 1.5\nc: true\nd: no\ne: ~\nf: ''\ng: '12'\nh: 2010-09-09\ni: 0x1F\nj: text\n"
        "k: !!str 3\nl:\n"
    )
    assert root.py() == {
        "a": 1, "b": 1.5, "c": True, "d": False, "e": None, "f": "", "g": "12",
        "h": "2010-09-09", "i": 31, "j": "text", "k": "3", "l": None,
    }
    assert diags == []


SCALARS = [
    "1", "0", "0755", "1_000", "-3", "+4", "190:20:30", "1.5", ".inf", "true", "No", "OFF", "yes", "~",
    "null", "", "2010-09-09", "0x1F", "0b101", "nodejs18.x", "frontend", "'12'", '"true"', "<<x", "=",
]
SCALAR_DATA = [
    1, 0, 493, 1000, -3, 4, 685230, 1.5, float("inf"), True, False, False, True, None,
    None, None, "2010-09-09", 31, 5, "nodejs18.x", "frontend", "12", "true", "<<x",
]


def test_scalars_read_alike_as_members_and_as_list_items() -> None:
    # Members and list items take separate fast paths; both must resolve as PyYAML does (`=` is the
    # YAML value key: no CloudFormation value, an unknown with a warning, in both places).
    members = "".join(f"k{i}: {text}\n" for i, text in enumerate(SCALARS))
    items = "".join(f"- {text}\n" for text in SCALARS)
    mroot, mdiags = dec(members)
    lroot, ldiags = dec("L:\n" + items.replace("- ", "  - "))
    got_members = [mroot.get(f"k{i}") for i in range(len(SCALARS))]
    got_items = lroot.get("L").elements()
    assert [v.py() for v in got_members[:-1]] == SCALAR_DATA
    assert [v.py() for v in got_items[:-1]] == SCALAR_DATA
    assert got_members[-1].is_unknown and got_items[-1].is_unknown
    assert mdiags == [(25, 6, "unsupported YAML tag tag:yaml.org,2002:value: the value is treated as unknown",
                       True)]
    assert ldiags == [(26, 5, "unsupported YAML tag tag:yaml.org,2002:value: the value is treated as unknown",
                       True)]
    assert span(got_members[2]) == (3, 1, 3, 9)
    assert span(got_items[2]) == (4, 5, 4, 9)


def test_short_forms_in_lists_keep_the_item_span() -> None:
    root, diags = dec("L:\n  - !Ref X\n  - !GetAtt R.Arn\n  - !Sub '${AWS::Region}'\n")
    items = root.get("L").elements()
    assert [v.py() for v in items] == [
        {"Ref": "X"}, {"Fn::GetAtt": ["R", "Arn"]}, {"Fn::Sub": "${AWS::Region}"},
    ]
    assert [span(v) for v in items] == [(2, 5, 2, 11), (3, 5, 3, 18), (4, 5, 4, 26)]
    assert span(items[1].get("Fn::GetAtt").get(1)) == (3, 5, 3, 18)
    assert diags == []


def test_member_spans_run_from_key_to_end_of_value() -> None:
    root, _ = dec("Top:\n  A: x\n  B:\n    - 1\n    - [2, 3]\n  C: {k: v}\n")
    top = root.get("Top")
    assert span(top) == (1, 1, 6, 12)
    assert span(top.get("A")) == (2, 3, 2, 7)
    assert span(top.get("B")) == (3, 3, 5, 13)
    assert span(top.get("B").get(0)) == (4, 7, 4, 8)
    assert span(top.get("B").get(1)) == (5, 7, 5, 13)
    assert span(top.get("C")) == (6, 3, 6, 12)
    assert span(top.get("C").get("k")) == (6, 7, 6, 11)


def test_short_forms_become_long_forms() -> None:
    root, _ = dec("A: !Ref X\nB: !GetAtt R.Arn.Sub\nC: !Sub ['${a}', {a: 1}]\n")
    assert root.py() == {
        "A": {"Ref": "X"},
        "B": {"Fn::GetAtt": ["R", "Arn.Sub"]},
        "C": {"Fn::Sub": ["${a}", {"a": 1}]},
    }
    assert span(root.get("A")) == (1, 1, 1, 10)
    assert span(root.get("A").get("Ref")) == (1, 1, 1, 10)


def test_aliases_share_the_anchor_and_a_member_alias_spans_its_key() -> None:
    root, _ = dec("a: &x {k: 1}\nb: *x\nc: [*x]\n&key n: 2\nd: {*key : 3}\n")
    assert root.get("b").data is root.get("a").data
    assert span(root.get("b")) == (2, 1, 2, 2)
    assert span(root.get("c").get(0)) == span(root.get("a"))
    assert root.get("d").py() == {"n": 3}


def test_merge_keys() -> None:
    root, diags = dec("base: &b {x: 1, y: 2}\nm:\n  <<: [*b, {z: 0}]\n  y: 3\nbad:\n  <<: 4\n")
    assert root.get("m").py() == {"x": 1, "y": 3, "z": 0}
    assert root.get("bad").py() == {}
    assert diags == [(6, 7, "a YAML merge key '<<' needs a mapping: ignored", True)]


def test_duplicate_keys_and_unsupported_tags_are_warnings() -> None:
    root, diags = dec("a: 1\na: 2\nb: !!binary aGk=\nc: !Custom {x: !Bad 1}\n")
    assert root.get("a").data == 2
    assert root.get("b").reason == "unsupported YAML tag tag:yaml.org,2002:binary"
    assert root.get("c").reason == "unsupported YAML tag !Custom"
    assert span(root.get("c")) == (4, 1, 4, 23)
    # What is inside an unsupported collection is not read, so it is not warned about either.
    assert diags == [
        (2, 1, "duplicate key 'a': the last one is used", True),
        (3, 4, "unsupported YAML tag tag:yaml.org,2002:binary: the value is treated as unknown", True),
        (4, 4, "unsupported YAML tag !Custom: the value is treated as unknown", True),
    ]


def test_empty_int_is_a_warning_not_a_crash() -> None:
    root, diags = dec("a: !!int ''\n")
    assert root.get("a").is_unknown
    assert [d[:2] for d in diags] == [(1, 4)]
    assert diags[0][2].startswith("cannot read YAML scalar ''")


def test_anchor_and_alias_errors() -> None:
    assert error("a: &x 1\nb: &x 2\n") == ("invalid YAML: found duplicate anchor", 2, 4)
    assert error("a: 1\nb: *nope\n") == ("invalid YAML: found undefined alias", 2, 4)
    assert error("a: &r [1, *r]\n") == ("recursive YAML alias (a node that contains itself)", 1, 4)


def test_syntax_errors_win_over_refusals_and_end_of_document_errors_count() -> None:
    deep = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    assert error(deep) == (f"nesting deeper than {MAX_DEPTH} levels", 1, MAX_DEPTH + 4)
    message, line, _ = error(deep + "b: [\n")
    assert message.startswith("invalid YAML") and line == 3
    # A stray indentation after the root value is an error of the first document.
    message, line, column = error("a: b\n  c: d\n")
    assert (message, line, column) == ("invalid YAML: mapping values are not allowed in this context", 2, 4)


def test_more_documents_and_empty() -> None:
    root, diags = dec("a: 1\n---\nb: 2\n")
    assert root.py() == {"a": 1}
    assert diags == [(2, 1, "more than one YAML document: only the first is read", True)]
    assert error("# only a comment\n") == ("empty YAML document", 1, 1)


def test_decoded_spans_and_values_are_the_frozen_classes_themselves() -> None:
    import dataclasses

    from iaclint.source import Span
    from iaclint.values import State

    root, _ = dec("A: x\nB: [1, !Ref R]\n")
    a = root.get("A")
    assert type(a) is Value and type(a.span) is Span
    assert a == Value(State.KNOWN, "x", Span("t.yaml", 1, 1, 1, 5))
    assert hash(a.span) == hash(Span("t.yaml", 1, 1, 1, 5))
    assert (a.reason, a.refs, a.via) == ("", (), ())
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.span.line = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.data = "y"  # type: ignore[misc]
