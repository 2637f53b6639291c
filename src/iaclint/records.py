"""`@record`: a dataclass with slots that costs less to define.

`dataclasses.dataclass` writes each method it generates as source text and compiles it while the
module is imported: about 0.4 M instructions a method, and a frozen class has six (`__init__`,
`__repr__`, `__eq__`, `__hash__`, `__setattr__`, `__delattr__`). A one-file scan defines about 90
dataclasses before it reads a byte, and compiling their methods was a quarter of its instructions.

`record` asks `dataclass` for the slots and the fields (`dataclasses.fields`, `replace`) only.
The class gets shared `__repr__`, `__eq__` and `__hash__` that do what the generated ones do, with
the field names read from a tuple kept on the class: the same text (`Name(a=1, b='x')`, `...` for a
record that contains itself), the same tuple comparison of the compared fields between instances
of the same class, the same hash (of the tuple of the hashed fields). They are a few calls slower
each, and no hot path compares, hashes or prints a record (`Span` and `Value`, which are hashed and
compared all the time, stay dataclasses).

`__init__` is hot (building instances), so it stays the very function dataclass would compile,
`self.a = a` for each field in order, with the same parameters, defaults and annotations; but
where the fields are plain (no `field(...)`, `ClassVar`, `InitVar`, `KW_ONLY` or `__post_init__`),
it is made from one compiled template per number of fields with the names put in
(`CodeType.replace`) instead of compiled for each class. Other classes get dataclass's own.

`frozen=True` keeps what the code relies on, a hash over the fields (a frozen dataclass is
hashable, a mutable one with `eq` is not), and tells type checkers that the fields are read-only
(`dataclass_transform`); at run time the fields are not guarded against assignment, which would
need the two generated methods this module exists to avoid.
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
from _thread import get_ident
from collections.abc import Callable
from operator import attrgetter
from types import CodeType, FunctionType
from typing import Any, TypeVar, dataclass_transform, overload

_T = TypeVar("_T", bound=type)


@overload
def record(cls: _T, /) -> _T: ...


@overload
def record(*, frozen: bool = False, eq: bool = True, init: bool = True) -> Callable[[_T], _T]: ...


@dataclass_transform(field_specifiers=(dataclasses.field,))
def record(
    cls: _T | None = None, /, *, frozen: bool = False, eq: bool = True, init: bool = True
) -> _T | Callable[[_T], _T]:
    """`@dataclass(slots=True, frozen=..., eq=..., init=...)` with shared `__repr__`, `__eq__`
    and `__hash__` (see the module's docstring)."""

    def wrap(c: _T) -> _T:
        return _make(c, frozen=frozen, eq=eq, init=init)

    return wrap if cls is None else wrap(cls)


def _make(cls: _T, *, frozen: bool, eq: bool, init: bool) -> _T:
    own = cls.__dict__
    # As dataclass decides: a class's own methods are kept; a `__hash__` that Python set to None
    # because the class defines `__eq__` does not count as the class's own.
    own_repr, own_eq = "__repr__" in own, "__eq__" in own
    explicit_hash = "__hash__" in own and not (own["__hash__"] is None and own_eq)
    plain = init and "__init__" not in own and _plain_fields(cls)
    documented = bool(own.get("__doc__"))
    made: Any = dataclasses.dataclass(cls, init=init and not plain, repr=False, eq=False, slots=True)
    fields = dataclasses.fields(made)
    if plain:
        made.__init__ = _init(made, fields)
        if not documented:
            # What dataclass writes for a class without a docstring, from its __init__.
            made.__doc__ = made.__name__ + str(inspect.signature(made)).replace(" -> None", "")
    if not own_repr:
        made.__record_repr__ = tuple(f.name for f in fields if f.repr)
        made.__repr__ = _repr
    if eq:
        if not own_eq:
            made.__record_eq__ = _key(tuple(f.name for f in fields if f.compare))
            made.__eq__ = _eq
        # dataclass's table for `unsafe_hash=False`: a frozen class with eq hashes its fields, a
        # mutable one with eq is unhashable; an explicit `__hash__` is kept.
        if not explicit_hash:
            if frozen:
                hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
                made.__record_hash__ = _key(hashed)
                made.__hash__ = _hash
            else:
                made.__hash__ = None
    return made  # type: ignore[no-any-return]


def _plain_fields(cls: type) -> bool:
    """Whether dataclass's `__init__` for `cls` would only store each argument (see the module's
    docstring): every annotation a field without `field(...)`, the ones with a default last."""
    if hasattr(cls, "__post_init__"):
        return False
    seen_default = False
    for name, kind in inspect.get_annotations(cls).items():
        if not isinstance(kind, str) or any(w in kind for w in ("ClassVar", "InitVar", "KW_ONLY")):
            return False
        if name == "self":
            return False  # dataclass renames `self` in its __init__
        default = cls.__dict__.get(name, dataclasses.MISSING)
        if isinstance(default, dataclasses.Field):
            return False
        if default is dataclasses.MISSING:
            if seen_default:
                return False  # dataclass's own raises the error
        else:
            seen_default = True
    return True


_templates: dict[int, CodeType] = {}


def _init(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> FunctionType:
    """The `__init__` dataclass would write for these plain fields, from the template for their
    number."""
    n = len(fields)
    template = _templates.get(n)
    if template is None:
        args = [f"a{i}" for i in range(n)]
        body = "".join(f"    self.{a} = {a}\n" for a in args) or "    pass\n"
        space: dict[str, Any] = {}
        exec(compile(f"def __init__(self, {', '.join(args)}):\n{body}", "<record __init__>", "exec"), space)
        template = _templates[n] = space["__init__"].__code__
    names = tuple(f.name for f in fields)
    qualname = f"{cls.__qualname__}.__init__"
    code = template.replace(co_varnames=("self", *names), co_names=names, co_qualname=qualname)
    defaults = tuple(f.default for f in fields if f.default is not dataclasses.MISSING)
    module = sys.modules.get(cls.__module__)
    fn = FunctionType(code, module.__dict__ if module else {}, "__init__", defaults or None)
    fn.__qualname__ = qualname
    fn.__annotations__ = {**{f.name: f.type for f in fields}, "return": None}
    return fn


def _key(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function from an instance to the tuple of these fields (`attrgetter` of one name gives the
    bare value, of none nothing)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        get = attrgetter(names[0])
        return lambda obj: (get(obj),)
    return lambda obj: ()


# The instances whose repr is being made, per thread: a record that contains itself prints `...`
# there (as `reprlib.recursive_repr`, which dataclass uses).
_running: set[tuple[int, int]] = set()


def _repr(self: Any) -> str:
    key = (id(self), get_ident())
    if key in _running:
        return "..."
    _running.add(key)
    try:
        cls = self.__class__
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in cls.__record_repr__)
        return f"{cls.__qualname__}({inner})"
    finally:
        _running.discard(key)


def _eq(self: Any, other: object) -> Any:
    cls = self.__class__
    if other.__class__ is cls:
        key = cls.__record_eq__
        return key(self) == key(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__class__.__record_hash__(self))
