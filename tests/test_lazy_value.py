"""LazyValue: a Value whose fields are worked out by `compute()` on the first read, then a plain Value."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import pytest

from iaclint.source import Span
from iaclint.values import LazyValue, State, Value

SPAN = Span("main.bicep", 3, 5, 3, 20)


def _counting(result: Value) -> tuple[Callable[[], Value], list[int]]:
    calls: list[int] = []

    def compute() -> Value:
        calls.append(1)
        return result

    return compute, calls


def test_equal_both_ways_to_the_plain_value_it_computes() -> None:
    plain = Value.known("TLS1_2", SPAN)
    lazy = LazyValue(lambda: Value.known("TLS1_2", SPAN))
    assert lazy == plain
    assert plain == lazy
    assert (lazy != plain) is False
    assert (plain != lazy) is False


def test_not_equal_to_a_different_value_either_way() -> None:
    lazy = LazyValue(lambda: Value.known("TLS1_2", SPAN))
    other_data = Value.known("TLS1_0", SPAN)
    other_span = Value.known("TLS1_2", Span("main.bicep", 4, 5, 4, 20))
    other_state = Value.unknown("TLS1_2", SPAN)
    for other in (other_data, other_span, other_state):
        assert lazy != other
        assert other != lazy
    # Not a Value at all: the comparison falls back to identity.
    assert lazy != "TLS1_2"


def test_hash_equals_the_plain_values_hash() -> None:
    plain = Value.known("TLS1_2", SPAN, refs=("main.bicep#site",))
    lazy = LazyValue(lambda: Value.known("TLS1_2", SPAN, refs=("main.bicep#site",)))
    assert hash(lazy) == hash(plain)
    assert {plain: "found"}[lazy] == "found"
    assert len({lazy, plain}) == 1


def test_compute_runs_once_across_many_reads() -> None:
    result = Value.known({"a": Value.known(1, SPAN)}, SPAN, refs=("r",))
    compute, calls = _counting(result)
    lazy = LazyValue(compute)
    assert calls == []
    assert lazy.ready() is False
    assert lazy.state is State.KNOWN
    assert calls == [1]
    # Every field, navigation, conversion, equality and hashing after the first read: no more calls.
    assert (lazy.data, lazy.span, lazy.reason, lazy.refs, lazy.via) == (
        result.data,
        SPAN,
        "",
        ("r",),
        (),
    )
    assert lazy.get("a") == Value.known(1, SPAN)
    assert lazy.py() == {"a": 1}
    assert lazy == result
    assert lazy.is_fully_known() is True
    assert calls == [1]
    assert lazy.ready() is True


def test_first_read_of_any_field_computes() -> None:
    for field in ("state", "data", "span", "reason", "refs", "via"):
        compute, calls = _counting(Value.unknown("why", SPAN, ("r",)))
        lazy = LazyValue(compute)
        getattr(lazy, field)
        assert calls == [1], field


def test_pickles_as_a_plain_value() -> None:
    lazy = LazyValue(lambda: Value.known([Value.known("x", SPAN)], SPAN, refs=("main.bicep#a",)))
    back = pickle.loads(pickle.dumps(lazy))
    assert type(back) is Value
    assert back == lazy
    assert back == Value.known([Value.known("x", SPAN)], SPAN, refs=("main.bicep#a",))


def test_reading_itself_while_computing_is_unknown() -> None:
    seen: list[tuple[State, str, object]] = []
    lazy: LazyValue

    def compute() -> Value:
        seen.append((lazy.state, lazy.reason, lazy.data))
        return Value.known("outer", SPAN)

    lazy = LazyValue(compute)
    assert lazy.data == "outer"  # no RecursionError
    assert seen == [(State.UNKNOWN, "the value depends on itself", None)]
    assert lazy == Value.known("outer", SPAN)


def test_busy_while_computing_and_ready_after() -> None:
    states: list[tuple[bool, bool]] = []
    lazy: LazyValue

    def compute() -> Value:
        states.append((lazy.busy(), lazy.ready()))
        return Value.absent(SPAN)

    lazy = LazyValue(compute)
    assert (lazy.busy(), lazy.ready()) == (False, False)
    assert lazy.state is State.ABSENT
    assert states == [(True, False)]
    assert (lazy.busy(), lazy.ready()) == (False, True)


def test_an_exception_propagates_and_a_later_read_tries_again() -> None:
    calls: list[int] = []

    def compute() -> Value:
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("not yet")
        return Value.known("second", SPAN)

    lazy = LazyValue(compute)
    with pytest.raises(ValueError, match="not yet"):
        _ = lazy.state
    assert calls == [1]
    assert (lazy.busy(), lazy.ready()) == (False, False)
    assert lazy.data == "second"
    assert calls == [1, 1]
    assert lazy.ready() is True


def test_recursion_error_becomes_an_unknown() -> None:
    def compute() -> Value:
        raise RecursionError("maximum recursion depth exceeded")

    lazy = LazyValue(compute)
    assert lazy == Value.unknown("nested too deeply to evaluate")
    assert (lazy.state, lazy.reason, lazy.span, lazy.refs) == (
        State.UNKNOWN,
        "nested too deeply to evaluate",
        None,
        (),
    )
    assert lazy.ready() is True


def test_attributes_other_than_fields_are_not_computed() -> None:
    compute, calls = _counting(Value.known(1))
    lazy = LazyValue(compute)
    with pytest.raises(AttributeError):
        _ = lazy.no_such_field  # type: ignore[attr-defined]
    assert calls == []


def test_a_self_read_then_an_exception_leaves_the_value_to_compute_again() -> None:
    box: list[LazyValue] = []
    calls: list[str] = []

    def compute() -> Value:
        calls.append(box[0].reason)  # a self-read: sees the unknown, does not fill the value
        if len(calls) == 1:
            raise ValueError("first try fails")
        return Value.known("done")

    box.append(LazyValue(compute))
    with pytest.raises(ValueError):
        _ = box[0].state
    assert (box[0].busy(), box[0].ready()) == (False, False)
    assert box[0].data == "done"
    assert calls == ["the value depends on itself", "the value depends on itself"]


def test_lazy_name_resource_works_out_its_name_once_and_is_a_resource() -> None:
    import pickle

    from iaclint.resources import LazyNameResource, Resource

    span = Span("t.bicep", 1, 1, 1, 10)
    body = Value.known({"a": Value.known(1, span)}, span)
    calls: list[int] = []

    def name() -> str:
        calls.append(1)
        return "apim1"

    lazy = LazyNameResource("T", "t.bicep#x", "bicep", body, span, name)
    assert calls == []
    plain = Resource("T", "t.bicep#x", "bicep", body, span, "apim1")
    assert lazy == plain and plain == lazy
    assert (lazy.name, lazy.name, calls) == ("apim1", "apim1", [1])
    scalar = Value.known("x", span)  # a dict body is unhashable, as in any Resource
    assert hash(LazyNameResource("T", "a", "bicep", scalar, span, lambda: "n")) == hash(
        Resource("T", "a", "bicep", scalar, span, "n")
    )
    back = pickle.loads(pickle.dumps(lazy))
    assert type(back) is Resource and back == plain
    with pytest.raises(AttributeError):
        _ = lazy.no_such_field  # type: ignore[attr-defined]
