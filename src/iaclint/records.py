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
`self.a = a` for each field in order (`self.a = factory() if a is <factory> else a` for a
`default_factory`), with the same parameters, defaults and annotations; but it is made from one
compiled template per shape (which fields have a default, which a factory) with the names put in
(`CodeType.replace`) instead of compiled for each class. A class with what the templates do not
cover (`ClassVar`, `InitVar`, `KW_ONLY`, `field(init=False)` or `kw_only`, `__post_init__`) gets
dataclass's own.

`frozen=True` keeps what the code relies on, a hash over the fields (a frozen dataclass is
hashable, a mutable one with `eq` is not), and tells type checkers that the fields are read-only
(`dataclass_transform`); at run time the fields are not guarded against assignment, which would
need the two generated methods this module exists to avoid.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import sys
from _thread import get_ident
from collections.abc import Callable
from dataclasses import MISSING, Field
from operator import attrgetter
from pathlib import Path
from types import CellType, CodeType, FunctionType
from typing import Any, TypeVar, dataclass_transform, overload

from iaclint import record_templates

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
        if _STRICT:
            made: _T = dataclasses.dataclass(c, frozen=frozen, eq=eq, init=init, slots=True)
            return made
        return _make(c, frozen=frozen, eq=eq, init=init)

    return wrap if cls is None else wrap(cls)


# `IACLINT_STRICT_RECORDS=1`: records are plain dataclasses, so a frozen one refuses assignment. CI
# runs the tests once that way: the shared methods do not guard frozen fields (see the module's
# docstring), and this shows that no code assigns to one.
_STRICT = os.environ.get("IACLINT_STRICT_RECORDS") == "1"


def _make(cls: _T, *, frozen: bool, eq: bool, init: bool) -> _T:
    own = cls.__dict__
    # As dataclass decides: a class's own methods are kept; a `__hash__` that Python set to None
    # because the class defines `__eq__` does not count as the class's own.
    own_repr, own_eq = "__repr__" in own, "__eq__" in own
    explicit_hash = "__hash__" in own and not (own["__hash__"] is None and own_eq)
    shape = _init_shape(cls) if init and "__init__" not in own else None
    documented = bool(own.get("__doc__"))
    made: Any = dataclasses.dataclass(cls, init=init and shape is None, repr=False, eq=False, slots=True)
    fields = dataclasses.fields(made)
    made.__record_frozen__ = frozen  # dataclass was not told (see `frozen`)
    if shape is not None:
        made.__init__ = _init(made, fields, shape)
        if "__reduce__" not in own:
            # Records travel back from the workers pickled (thousands of findings): rebuilt by one
            # call of `__init__` with the fields in order, not the default for slots (a dict of
            # slot names, set one by one), a third less to write and to read.
            made.__record_args__ = _key(tuple(f.name for f in fields))
            made.__reduce__ = _reduce
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


def is_frozen(cls: type) -> bool:
    """Whether a record or dataclass was declared frozen (a record's fields are read-only to type
    checkers, not guarded at run time: code that lets go of a part's objects must leave them)."""
    declared = cls.__dict__.get("__record_frozen__")
    if declared is not None:
        return bool(declared)
    return dataclasses.is_dataclass(cls) and bool(cls.__dataclass_params__.frozen)  # type: ignore[attr-defined]


def _init_shape(cls: type) -> str | None:
    """The shape of `cls`'s `__init__` as dataclass would write it, a letter a field: `p` a
    parameter, `d` one with a default, `f` one with a default factory; None when the templates do
    not cover it (see the module's docstring)."""
    if hasattr(cls, "__post_init__"):
        return None
    shape = ""
    for name, kind in inspect.get_annotations(cls).items():
        if not isinstance(kind, str) or any(w in kind for w in ("ClassVar", "InitVar", "KW_ONLY")):
            return None
        if name == "self" or name.startswith("_record_"):
            return None  # dataclass renames `self`; the template's own names
        default = cls.__dict__.get(name, MISSING)
        if isinstance(default, Field):
            if not default.init or default.kw_only not in (MISSING, False):
                return None
            if default.default_factory is not MISSING:
                letter = "f"
            else:
                letter = "p" if default.default is MISSING else "d"
        else:
            letter = "p" if default is MISSING else "d"
        if letter == "p" and ("d" in shape or "f" in shape):
            return None  # a parameter after a default: dataclass's own raises the error
        shape += letter
    return shape


_templates: dict[str, CodeType] = {}
# The shapes of iaclint's own records, for `templates_source`.
_shapes: set[str] = set()
# The default dataclass gives a parameter with a default factory (`<factory>` in signatures).
_HAS_DEFAULT_FACTORY: Any = dataclasses._HAS_DEFAULT_FACTORY  # type: ignore[attr-defined]


def template_source(shape: str) -> str:
    """The definition of the template for a shape (fields with and without a default share one):
    `t_<shape>`, an `__init__` with fields `a0`, `a1`, ..., or for a shape with factories a function
    that holds them (`_record_f1`, ...) as the free variables of the `__init__` it defines, as
    dataclass's `__init__` holds its own."""
    args = ", ".join(f"a{i}" for i in range(len(shape)))
    body = "".join(
        f"    self.a{i} = _record_f{i}() if a{i} is _record_has else a{i}\n" if c == "f"
        else f"    self.a{i} = a{i}\n"
        for i, c in enumerate(shape)
    ) or "    pass\n"
    if "f" not in shape:
        return f"def t_{shape}(self, {args}):\n{body}" if shape else f"def t_(self):\n{body}"
    factories = "".join(f", _record_f{i}" for i, c in enumerate(shape) if c == "f")
    inner = "".join("    " + line + "\n" for line in f"def __init__(self, {args}):\n{body}".splitlines())
    return f"def t_{shape}(_record_has{factories}):\n{inner}    return __init__\n"


def _template(shape: str) -> CodeType:
    """The code of `__init__` for a shape: precompiled in `record_templates` for the records of
    iaclint, else compiled once a process. The defaults are the function's, not the code's."""
    shape = shape.replace("d", "p")
    code = _templates.get(shape)
    if code is None:
        fn = getattr(record_templates, f"t_{shape}", None)
        if fn is None:
            space: dict[str, Any] = {}
            exec(compile(template_source(shape), "<record __init__>", "exec"), space)
            fn = space[f"t_{shape}"]
        code = fn.__code__
        if "f" in shape:
            code = next(c for c in code.co_consts if isinstance(c, CodeType))
        assert code.co_names == tuple(f"a{i}" for i in range(len(shape)))
        _templates[shape] = code
    return code


def _init(cls: type, fields: tuple[Field[Any], ...], shape: str) -> FunctionType:
    """The `__init__` dataclass would write for these fields, from the template for their shape."""
    if cls.__module__.startswith("iaclint."):
        _shapes.add(shape.replace("d", "p"))
    names = tuple(f.name for f in fields)
    qualname = f"{cls.__qualname__}.__init__"
    code = _template(shape).replace(co_varnames=("self", *names), co_names=names, co_qualname=qualname)
    kinds = zip(fields, shape, strict=True)
    defaults = tuple(f.default if c == "d" else _HAS_DEFAULT_FACTORY for f, c in kinds if c != "p")
    free = {"_record_has": _HAS_DEFAULT_FACTORY}
    free.update((f"_record_f{i}", f.default_factory) for i, f in enumerate(fields) if shape[i] == "f")
    closure = tuple(CellType(free[name]) for name in code.co_freevars)
    module = sys.modules.get(cls.__module__)
    fn = FunctionType(code, module.__dict__ if module else {}, "__init__", defaults or None, closure or None)
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


def _reduce(self: Any) -> tuple[Any, ...]:
    cls = self.__class__
    return (cls, cls.__record_args__(self))


def _hash(self: Any) -> int:
    return hash(self.__class__.__record_hash__(self))


def templates_source() -> str:
    """The text of `record_templates.py`: the templates of every record in iaclint (all of its
    modules imported)."""
    import importlib
    import pkgutil

    import iaclint

    for info in pkgutil.walk_packages(iaclint.__path__, "iaclint."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    header = (
        '"""The `__init__` templates of the records of iaclint (see `records.py`), compiled with the\n'
        "package so that no record compiles one when its module is imported. Generated by\n"
        '`python -m iaclint.records`; a test fails while it is stale."""\n\n'
        "# ruff: noqa\n"
    )
    return header + "".join(f"\n\n{template_source(s)}" for s in sorted(_shapes, key=lambda s: (len(s), s)))


if __name__ == "__main__":
    from iaclint import records  # the module the others import, not this `__main__` copy

    target = Path(records.__file__).with_name("record_templates.py")
    target.write_text(records.templates_source(), encoding="utf-8")
    print(f"wrote {len(records._shapes)} templates to {target}")
