"""Reading ARM-shaped fields (`model/azure/armfields.py`) and finding the reader of a type
(`model/azure/registry.py`): the fast paths give what the general ones give."""

from __future__ import annotations

from iaclint.model.azure import registry
from iaclint.model.azure.armfields import get
from iaclint.source import Span
from iaclint.values import LazyValue, State, Value

SPAN = Span("main.bicep", 1, 1, 1, 2)


def _obj(**members: Value) -> Value:
    return Value.known(dict(members), SPAN)


def test_get_matches_keys_exactly_then_without_case() -> None:
    inner = Value.known("Https", SPAN)
    other = Value.known("Http", SPAN)
    body = _obj(properties=_obj(Protocol=inner, protocol=other))
    assert get(body, "properties", "protocol") is other  # the exact match first
    assert get(body, "properties", "PROTOCOL") is inner  # then the first without case
    assert get(body, "Properties", "Protocol") is inner


def test_get_gives_what_value_get_gives_past_a_member() -> None:
    body = _obj(items=Value.known([Value.known(1, SPAN)], SPAN))
    assert get(body, "items", 0) == Value.known(1, SPAN)
    missing = get(body, "nothing", "deeper")
    assert missing.state is State.ABSENT and missing == body.get("nothing").get("deeper")
    unknown = Value.unknown("a parameter without a default", SPAN, ("param.x",))
    assert get(_obj(p=unknown), "p", "q") == unknown.get("q")
    assert get(Value.known("text", SPAN), "a") == Value.known("text", SPAN).get("a")


def test_get_works_out_a_lazy_value_it_reads() -> None:
    lazy = LazyValue(lambda: _obj(name=Value.known("api", SPAN)))
    assert get(lazy, "NAME") == Value.known("api", SPAN)


def test_reader_answers_are_kept_until_a_reader_registers() -> None:
    found = registry.reader("arm", "Microsoft.Example/things")
    assert found is None
    assert registry.reader("arm", "Microsoft.Example/things") is None

    def read(r: object, az: object) -> None:
        pass

    try:
        registry.reads("arm", "Microsoft.Example/Things")(read)
        assert registry.reader("arm", "Microsoft.Example/things") is read
        assert registry.reader("arm", "microsoft.example/THINGS") is read
    finally:
        registry._READERS.pop(("arm", "microsoft.example/things"), None)
        registry._FOUND.clear()
    assert registry.reader("arm", "Microsoft.Example/things") is None
    apim = registry.reader("arm", "Microsoft.ApiManagement/service")
    assert apim is not None and apim.__module__ == "iaclint.model.azure.apim.arm"
