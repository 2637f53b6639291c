"""`@record` behaves as the dataclass it stands for: the same fields, `__init__`, repr, equality and
hash (the classes below are declared twice, once each way, and compared), without compiling the
methods it shares."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest

from iaclint import record_templates, records
from iaclint.records import record

# Strict mode makes records plain dataclasses (CI's second run): nothing of the machinery to test.
pytestmark = pytest.mark.skipif(records._STRICT, reason="IACLINT_STRICT_RECORDS: records are dataclasses")


@record(frozen=True)
class Frozen:
    """A frozen record."""

    name: str
    count: int = 0
    tags: tuple[str, ...] = ()
    note: str = field(default="", compare=False)
    secret: str = field(default="", repr=False)
    cached: int = field(default=0, hash=False)


@dataclass(frozen=True, slots=True)
class FrozenDC:
    """The same as a dataclass."""

    name: str
    count: int = 0
    tags: tuple[str, ...] = ()
    note: str = field(default="", compare=False)
    secret: str = field(default="", repr=False)
    cached: int = field(default=0, hash=False)


@record
class Mutable:
    """A mutable record with equality."""

    items: list[Any] = field(default_factory=list)
    label: str = ""


@dataclass(slots=True)
class MutableDC:
    items: list[Any] = field(default_factory=list)
    label: str = ""


@record(eq=False)
class Plain:
    """Compared and hashed by identity."""

    value: int


@dataclass(eq=False, slots=True)
class PlainDC:
    value: int


@record(frozen=True)
class One:
    """One field: its key is a 1-tuple, as the dataclass's."""

    value: float


@dataclass(frozen=True, slots=True)
class OneDC:
    value: float


@record(frozen=True)
class Empty:
    """No field."""


@dataclass(frozen=True, slots=True)
class EmptyDC:
    """No field."""


@record(frozen=True)
class OwnMethods:
    """Its own `__eq__` and `__repr__` are kept; with `__eq__` and no `__hash__`, a frozen dataclass
    still hashes its fields."""

    a: int
    b: int

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OwnMethods) and self.a == other.a

    def __repr__(self) -> str:
        return "own"


@dataclass(frozen=True, slots=True)
class OwnMethodsDC:
    a: int
    b: int

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OwnMethodsDC) and self.a == other.a

    def __repr__(self) -> str:
        return "own"


@record(frozen=True)
class OwnHash:
    """An explicit `__hash__` is kept."""

    a: int

    def __hash__(self) -> int:
        return 7


@record(frozen=True, init=False)
class OwnInit:
    """`init=False`: the class's own `__init__`."""

    a: int

    def __init__(self, a: int) -> None:
        object.__setattr__(self, "a", a * 2)


def _renamed(text: str) -> str:
    return text.replace("DC(", "(")


CASES = [
    (Frozen("x", 2, ("a", "b"), "n", "s", 3), FrozenDC("x", 2, ("a", "b"), "n", "s", 3)),
    (Frozen("x"), FrozenDC("x")),
    (Mutable([1, "two"], "l"), MutableDC([1, "two"], "l")),
    (Plain(4), PlainDC(4)),
    (One(1.5), OneDC(1.5)),
    (Empty(), EmptyDC()),
    (OwnMethods(1, 2), OwnMethodsDC(1, 2)),
]


@pytest.mark.parametrize(("rec", "dc"), CASES, ids=lambda c: type(c).__name__)
def test_like_the_dataclass(rec: Any, dc: Any) -> None:
    assert dataclasses.is_dataclass(rec)
    assert [(f.name, f.default, f.compare, f.repr, f.hash) for f in dataclasses.fields(rec)] == [
        (f.name, f.default, f.compare, f.repr, f.hash) for f in dataclasses.fields(dc)
    ]
    assert type(rec).__slots__ == type(dc).__slots__
    assert type(rec).__match_args__ == type(dc).__match_args__
    assert repr(rec) == _renamed(repr(dc))
    assert (type(rec).__hash__ is None) == (type(dc).__hash__ is None)
    if type(dc).__hash__ is not None and type(dc).__hash__ is not object.__hash__:
        assert hash(rec) == hash(dc)
    assert (type(rec).__hash__ is object.__hash__) == (type(dc).__hash__ is object.__hash__)


def test_equality() -> None:
    assert Frozen("x", 1, note="a") == Frozen("x", 1, note="b")  # `note` is not compared
    assert Frozen("x", 1) != Frozen("x", 2)
    assert Frozen("x", secret="a") != Frozen("x", secret="b")  # not shown, still compared
    assert Frozen("x") != FrozenDC("x")  # another class: NotImplemented both ways
    assert Frozen("x").__eq__(FrozenDC("x")) is NotImplemented
    nan = float("nan")
    assert One(nan) == One(nan)  # the same object: equal in a tuple, as the dataclass's
    assert OneDC(nan) == OneDC(nan)
    assert One(nan) != One(float("nan"))
    assert Empty() == Empty()
    assert Mutable([1]) == Mutable([1]) and Mutable([1]) != Mutable([2])
    p = Plain(1)
    assert p == p and p != Plain(1)
    assert OwnMethods(1, 2) == OwnMethods(1, 3)


def test_hash() -> None:
    # Over the compared fields that are not `hash=False`: `note` and `cached` are left out.
    assert hash(Frozen("x", 1, ("t",), "n", "s", 9)) == hash(("x", 1, ("t",), "s"))
    assert hash(One(2.0)) == hash((2.0,))
    assert hash(Empty()) == hash(())
    assert len({Frozen("x"), Frozen("x", note="other")}) == 1
    with pytest.raises(TypeError, match="unhashable"):
        hash(Mutable())
    assert hash(OwnMethods(1, 2)) == hash((1, 2)) == hash(OwnMethodsDC(1, 2))
    assert hash(OwnHash(1)) == 7
    p = Plain(1)
    assert hash(p) == object.__hash__(p)


def test_repr() -> None:
    assert repr(Frozen("x", 2)) == "Frozen(name='x', count=2, tags=(), note='', cached=0)"
    assert repr(Empty()) == "Empty()"
    assert repr(OwnMethods(1, 2)) == "own"
    loop = Mutable()
    loop.items.append(loop)
    assert repr(loop) == "Mutable(items=[...], label='')"
    loop_dc = MutableDC()
    loop_dc.items.append(loop_dc)
    assert repr(loop_dc) == "MutableDC(items=[...], label='')"


def test_init_replace_copy_pickle() -> None:
    assert OwnInit(2).a == 4
    a = Frozen("x", 1, ("t",), "n", "s", 3)
    b = dataclasses.replace(a, count=5)
    assert (b.name, b.count, b.note, b.cached) == ("x", 5, "n", 3)
    for other in (copy.copy(a), copy.deepcopy(a), pickle.loads(pickle.dumps(a))):
        assert type(other) is Frozen and other == a and other.note == "n" and other.cached == 3
    m = Mutable([1], "l")
    assert pickle.loads(pickle.dumps(m)) == m
    assert Mutable().items is not Mutable().items  # default_factory
    with pytest.raises(AttributeError):
        Frozen("x").other = 1  # type: ignore[attr-defined]  # slots: no other attribute


def test_no_method_compiled() -> None:
    # The point of `record`: repr, eq and hash are the shared functions, not compiled per class,
    # and the __init__ of plain fields comes from the template for their number.
    for cls in (Frozen, Mutable, One, Empty):
        assert cls.__repr__ is records._repr
        assert "__setattr__" not in cls.__dict__ and "__delattr__" not in cls.__dict__
    assert Frozen.__eq__ is records._eq and Frozen.__hash__ is records._hash
    assert Frozen.__reduce__ is records._reduce and Mutable.__reduce__ is records._reduce  # pickling
    assert Plain.__eq__ is object.__eq__
    assert Plain.__init__.__code__.co_code == One.__init__.__code__.co_code
    assert Plain.__init__.__code__ is not One.__init__.__code__


@record
class Point:
    x: int
    y: int = 2
    z: str = "z"
    limit: ClassVar[int] = 3


@dataclass(slots=True)
class PointDC:
    x: int
    y: int = 2
    z: str = "z"
    limit: ClassVar[int] = 3


@record
class NoDoc:
    a: int
    b: tuple[int, ...] = ()


@dataclass(slots=True)
class NoDocDC:
    a: int
    b: tuple[int, ...] = ()


@record
class Later:
    """A field outside `__init__`."""

    a: int
    b: int = field(default=5, init=False)


def _error(cls: Any, args: tuple[Any, ...]) -> str:
    try:
        cls(*args)
    except TypeError as e:
        return str(e)
    return ""


def test_init_like_the_dataclass() -> None:
    for rec, dc in ((Plain, PlainDC), (One, OneDC), (Empty, EmptyDC), (NoDoc, NoDocDC), (Point, PointDC),
                    (Frozen, FrozenDC), (Mutable, MutableDC)):
        init, init_dc = rec.__init__, dc.__init__
        assert str(inspect.signature(init)) == str(inspect.signature(init_dc))
        assert init.__defaults__ == init_dc.__defaults__
        assert init.__annotations__ == init_dc.__annotations__
        assert init.__qualname__ == init_dc.__qualname__.replace("DC.", ".")
        assert init.__module__ == init_dc.__module__ == __name__
        for args in ((), (1, 2, 3, 4, 5, 6, 7)):
            assert _error(rec, args) == _error(dc, args).replace("DC.", ".")
    assert NoDoc.__doc__ == "NoDoc(a: 'int', b: 'tuple[int, ...]' = ())" == NoDocDC.__doc__.replace("DC", "")
    assert (NoDoc(1).a, NoDoc(1).b, NoDoc(1, (2,)).b) == (1, (), (2,))
    p = Point(1, z="q")
    assert (p.x, p.y, p.z, Point.limit) == (1, 2, "q", 3)
    assert [f.name for f in dataclasses.fields(Point)] == ["x", "y", "z"]
    # A ClassVar, a `field(init=False)`: dataclass's own __init__, compiled for the class.
    assert Point.__init__.__code__.co_filename == Later.__init__.__code__.co_filename == "<string>"
    for cls in (One, Frozen, Mutable, Empty):
        assert cls.__init__.__code__.co_filename in ("<record __init__>", record_templates.__file__)
    assert str(inspect.signature(Mutable)) == "(items: 'list[Any]' = <factory>, label: 'str' = '') -> None"
    a, b = Mutable(), Mutable()
    assert a.items == [] and a.items is not b.items
    given: list[Any] = [1]
    assert Mutable(given).items is given
    later = Later(1)
    assert (later.a, later.b) == (1, 5)


def test_errors_as_the_dataclass() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @record
        class Wrong:
            a: int = 1
            b: int  # type: ignore[misc]

    with pytest.raises(ValueError, match="mutable default"):

        @record
        class Shared:
            a: list[int] = []


def test_templates_compiled_once_a_shape() -> None:
    wide = dataclasses.make_dataclass("Wide", [(f"f{i}", int) for i in range(30)])
    made = record(type("Wide", (), {"__annotations__": {f.name: "int" for f in dataclasses.fields(wide)}}))
    twin = record(type("Twin", (), {"__annotations__": {f"g{i}": "str" for i in range(30)}}))
    assert made.__init__.__code__.co_filename == "<record __init__>"  # no such record in iaclint
    assert made.__init__.__code__.co_code == twin.__init__.__code__.co_code
    assert made(*range(30)).f29 == 29 and twin(*"x" * 30).g0 == "x"


def test_iaclint_records_take_precompiled_templates() -> None:
    from iaclint.findings import Finding
    from iaclint.model.facts import Facts, Origin

    for cls in (Origin, Facts, Finding):
        assert cls.__init__.__code__.co_filename == record_templates.__file__


def test_record_templates_are_current() -> None:
    # A new interpreter: the templates are those of iaclint's own records, whatever a test defines.
    src = Path(record_templates.__file__).resolve().parents[1]
    code = "from iaclint.records import templates_source; print(templates_source(), end='')"
    fresh = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(src)}
    ).stdout
    assert Path(record_templates.__file__).read_text(encoding="utf-8") == fresh, (
        "src/iaclint/record_templates.py is stale: run `python -m iaclint.records`"
    )


def test_is_frozen_tells_what_was_declared() -> None:
    """Records are made by dataclass without `frozen` (see `records`): `is_frozen` still tells a
    frozen record from a mutable one, as it does for dataclasses (the model's release leaves
    frozen entities alone)."""
    from iaclint.records import is_frozen

    @record
    class Mutable:
        """A mutable record."""

        a: int = 0

    @dataclass(slots=True)
    class Plain:
        """A mutable dataclass."""

        a: int = 0

    assert is_frozen(Frozen) and is_frozen(FrozenDC)
    assert not is_frozen(Mutable) and not is_frozen(Plain) and not is_frozen(int)


def test_strict_mode_makes_frozen_records_refuse_assignment() -> None:
    """CI runs the tests again with IACLINT_STRICT_RECORDS=1: there, a frozen record is a frozen
    dataclass, so code that assigns to one fails that run."""
    code = (
        "import dataclasses\n"
        "from iaclint.findings import Finding, Level\n"
        "from iaclint.source import Span\n"
        "f = Finding('IAC101', Level.ERROR, 'm', Span('a.tf', 1, 1, 1, 2))\n"
        "try:\n"
        "    f.message = 'changed'\n"
        "except dataclasses.FrozenInstanceError:\n"
        "    print('refused')\n"
        "else:\n"
        "    print('assigned')\n"
    )
    src = str(Path(record_templates.__file__).resolve().parents[1])
    for strict, said in (("1", "refused"), ("", "assigned")):
        env = {"PYTHONPATH": src, "IACLINT_STRICT_RECORDS": strict, "PATH": ""}
        run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == said
