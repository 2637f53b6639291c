"""The shared rule for unknowns (lang/unknowns.py): reasons, refs and the known ends of strings."""

from __future__ import annotations

import pickle

from iaclint.lang.unknowns import REASON_CHARS, because, known_ends, merge_refs, refs_within, unknown_from
from iaclint.values import Value


def _u(reason: str, *refs: str, prefix: str = "", suffix: str = "") -> Value:
    return Value.unknown(reason, None, refs, prefix, suffix)


def test_the_first_unknown_gives_the_reason_and_every_input_its_refs() -> None:
    inputs = [Value.known("a", refs=("k",)), _u("x is unknown", "r1"), _u("y", "r2", "r1")]
    v = unknown_from(inputs, None, "join()")
    assert v.is_unknown
    assert v.reason == "join(): x is unknown"
    assert v.refs == ("k", "r1", "r2")


def test_refs_inside_known_containers_only_when_asked() -> None:
    inner = Value.known([Value.known({"a": _u("x", "deep")})])
    assert unknown_from([inner], None, "f()").refs == ()
    assert unknown_from([inner], None, "f()", deep=True).refs == ("deep",)
    assert refs_within([inner, _u("y", "top")]) == ("deep", "top")
    assert merge_refs([_u("a", "1", "2"), _u("b", "2", "3")]) == ("1", "2", "3")


def test_reasons_do_not_repeat_or_grow_without_bound() -> None:
    assert because("f()", "") == "f()"
    assert because("", "x") == "x"
    assert because("f()", "x") == "f(): x"
    assert because("f()", "f(): x") == "f(): x"
    long = "y" * REASON_CHARS
    assert because("f()", long) == long
    assert unknown_from([], None).reason == "unknown input"


def test_known_ends_of_pieces() -> None:
    def text(v: Value) -> str | None:
        return v.as_str() if v.is_known else None

    host = _u("host")
    assert known_ends(["https://", host, ".example.com"], text) == ("https://", ".example.com")
    assert known_ends([Value.known("https://"), host], text) == ("https://", "")
    # An unknown piece passes on its own known ends.
    url = _u("url", prefix="https://", suffix="/api")
    assert known_ends([url, "/v1"], text) == ("https://", "/api/v1")
    assert known_ends(["a", host, "b", url, "c"], text) == ("a", "/apic")
    # Nothing unknown: nothing to say (the string is known).
    assert known_ends(["a", Value.known("b")], text) == ("", "")


def test_an_unknown_string_carries_its_known_ends() -> None:
    v = Value.unknown("why", None, ("r",), "https://", ".example.com")
    assert (v.known_prefix(), v.known_suffix()) == ("https://", ".example.com")
    assert v.at(None) == v
    assert pickle.loads(pickle.dumps(v)) == v
    assert Value.unknown("why").data is None
    assert v.get("x").known_prefix() == ""  # a member of a string is no string's start
    assert Value.known("abc").known_suffix() == "abc"
