"""HCL's view of `Value`s, shared by the evaluator, the built-in functions and the template readers.

Conversions as Terraform makes them (`to_str`, `to_number`, `to_bool`), comparison (`equal`,
`plain`), what an invalid expression gives (`error`: an unknown whose reason starts with
`ERROR_PREFIX`, which `try`/`can` tell apart from apply-time unknowns), unknown propagation
(`unknown_of`, HCL's use of the shared `lang/unknowns.py`), bounded walks over values (`Tally`,
`fully_known`, `first_unknown`), and the lazy objects that stand for resource instances and module
outputs (`LazyObject`). Nothing here evaluates syntax: that is `evaluate.py` (expressions) and
`templates.py` (string templates).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from iaclint import budget as budget_mod
from iaclint.budget import Budget, BudgetExceeded, exceeded_note
from iaclint.lang.unknowns import merge_refs, unknown_from
from iaclint.source import Span
from iaclint.values import State, Value

ERROR_PREFIX = "invalid expression: "
# Python frames per level of evaluation, with room: evaluation runs with at least this recursion
# limit times the budget's depth (see `evaluating`).
_FRAMES_PER_LEVEL = 100

_KNOWN = State.KNOWN
_UNKNOWN = State.UNKNOWN


@contextmanager
def evaluating(budget: Budget) -> Iterator[Budget]:
    """Evaluate under `budget` (made current for the helpers that read `budget.current()`) with
    room on the stack for its depth: used by the load, and again by lazy objects whose members
    are worked out later (in the model stage)."""
    old = sys.getrecursionlimit()
    need = budget.limits.depth * _FRAMES_PER_LEVEL
    if old < need:
        sys.setrecursionlimit(need)
    try:
        with budget.active():
            yield budget
    finally:
        if old < need:
            sys.setrecursionlimit(old)


def error(reason: str, span: Span | None = None) -> Value:
    return Value.unknown(ERROR_PREFIX + reason, span)


def is_error(v: Value) -> bool:
    return v.state is _UNKNOWN and v.reason.startswith(ERROR_PREFIX)


def reloc(v: Value, inner: Span | None, outer: Span | None) -> Value:
    """`v`, produced by the expression at `inner`, seen at `outer` (an attribute, an object member)."""
    if outer is None:
        return v
    vs = v.span
    # Spans are interned per file, so identity settles most comparisons without Span.__eq__.
    if vs is outer:
        return v
    if vs is None or vs is inner or vs == inner:
        # (`vs is outer` was handled above, and a None span never equals a Span.) Columns first:
        # they differ for an expression and its attribute, and cost less than Span.__eq__.
        if vs is not None and vs.column == outer.column and vs == outer:
            return v
        return Value(v.state, v.data, outer, v.reason, v.refs, v.via)
    if vs == outer:
        return v
    # `v.at(outer)` without dataclasses.replace.
    return Value(v.state, v.data, outer, v.reason, v.refs, (*v.via, vs))


def unknown_of(values: list[Value] | tuple[Value, ...], span: Span | None, what: str = "") -> Value:
    """An unknown result from arguments of which at least one is unknown (see
    `unknowns.unknown_from`); an invalid expression among them stays one, as it is, so that
    `try`/`can` still see it."""
    first = next((v for v in values if v.state is _UNKNOWN), None)
    if first is not None and first.reason.startswith(ERROR_PREFIX):
        return Value.unknown(first.reason, span, merge_refs(values))
    return unknown_from(values, span, what)


class LazyObject(dict):
    """A known object whose members are evaluated on first access (a resource instance, a module's
    outputs). Members not configured are computed by the provider: `missing(name)` says what they are.
    """

    __slots__ = ("_budget", "_extra", "_fetch", "_filled", "_missing", "_names", "refs")

    def __init__(
        self,
        names: list[str],
        fetch: Any,
        missing: Any,
        refs: tuple[str, ...] = (),
        budget: Budget | None = None,
    ) -> None:
        super().__init__()
        # Computed members (`id`, `arn`...), kept apart so iteration still shows configured ones only.
        self._extra: dict[Any, Any] = {}
        self._names = names
        self._fetch = fetch
        self._missing = missing
        self._filled = False
        self.refs = refs
        # The budget of the unit the members belong to: a member read after the load (by the
        # model) is worked out under it again.
        self._budget = budget

    def get(self, key: Any, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        if key in self._names:
            v = self._work(self._fetch, key)
            dict.__setitem__(self, key, v)
            return v
        v = self._extra.get(key)
        if v is None:
            v = self._extra[key] = self._work(self._missing, key)
        return v

    def _work(self, f: Any, key: Any) -> Value:
        b = self._budget
        try:
            if b is None or budget_mod.current() is b:
                return f(key)  # type: ignore[no-any-return]
            with evaluating(b):
                return f(key)  # type: ignore[no-any-return]
        except BudgetExceeded as err:
            where = f"{self.refs[0]}.{key}" if self.refs else str(key)
            return Value.unknown(exceeded_note(where, err), None, self.refs)

    def _fill(self) -> None:
        if not self._filled:
            self._filled = True
            for n in self._names:
                self.get(n)

    def __getitem__(self, key: Any) -> Any:
        return self.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._names

    def __iter__(self) -> Any:
        self._fill()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._fill()
        return dict.__len__(self)

    def items(self) -> Any:
        self._fill()
        return dict.items(self)

    def keys(self) -> Any:
        self._fill()
        return dict.keys(self)

    def values(self) -> Any:
        self._fill()
        return dict.values(self)


class Tally:
    """Bounds a walk over a value. Values share members (`[local.a, local.a]`, doubled twenty
    times, is forty members to build and a million to walk), so whatever reads a value through
    (comparing, encoding, converting) counts what it visits: more than a collection may hold, or
    nesting deeper than expressions may, raises BudgetExceeded, and the visit is charged as work."""

    __slots__ = ("budget", "depth", "limit", "n")

    def __init__(self) -> None:
        b = budget_mod.current()
        self.budget = b
        self.n = 0
        self.limit = b.limits.collection_items
        self.depth = b.limits.depth

    def add(self, k: int, depth: int) -> None:
        self.n += k
        if self.n > self.limit:
            self.done()
            raise BudgetExceeded(
                f"a value of more than {self.limit:,} members in all (shared members counted each time)"
            )
        if depth > self.depth:
            self.done()
            raise BudgetExceeded(f"a value nested more than {self.depth} levels deep")

    def done(self) -> None:
        n, self.n = self.n, 0
        self.budget.step(n)


def value_size(v: Value) -> int:
    """The members of `v` counted through every level (shared ones each time), not descending into
    lazy objects; raises BudgetExceeded past the bounds of `Tally`."""
    d = v.data
    if type(d) is not list and type(d) is not dict:
        return 0
    t = Tally()
    total = 0
    stack: list[tuple[Any, int]] = [(d, 1)]
    while stack:
        d, depth = stack.pop()
        members = d.values() if type(d) is dict else d
        t.add(len(members), depth)
        total += len(members)
        for m in members:
            md = m.data
            if type(md) is list or type(md) is dict:
                stack.append((md, depth + 1))
    t.done()
    return total


def fully_known(v: Value) -> bool:
    """Known all the way down; a lazy resource object never is (it has apply-time members).
    Bounded by `Tally` (raises BudgetExceeded for a value too large to read through)."""
    if v.state is not _KNOWN:
        return False
    d = v.data
    if type(d) is not list and type(d) is not dict:
        return not isinstance(d, LazyObject)
    t = Tally()
    stack: list[tuple[Any, int]] = [(d, 1)]
    while stack:
        d, depth = stack.pop()
        members = d.values() if type(d) is dict else d
        t.add(len(members), depth)
        for m in members:
            if m.state is not _KNOWN:
                t.done()
                return False
            md = m.data
            if type(md) is list or type(md) is dict:
                stack.append((md, depth + 1))
            elif isinstance(md, LazyObject):
                t.done()
                return False
    t.done()
    return True


def first_unknown(v: Value) -> Value | None:
    """The first unknown inside `v` (with refs merged from all unknowns), or None when fully known."""
    found: list[Value] = []
    t = Tally()
    _unknowns_in(v, 1, found, t)
    t.done()
    if not found:
        return None
    return Value.unknown(found[0].reason, v.span, merge_refs(found))


def _unknowns_in(x: Value, depth: int, found: list[Value], t: Tally) -> None:
    """`first_unknown`'s walk: the unknowns inside `x` added to `found`. (A function of the module:
    a nested function calling itself is a cycle, garbage for the cyclic collector at each call.)"""
    if x.state is _UNKNOWN:
        found.append(x)
        return
    d = x.data
    if isinstance(d, LazyObject):
        found.append(Value.unknown("object with attributes known only after apply", x.span, d.refs))
    elif isinstance(d, dict):
        t.add(len(d), depth)
        for m in d.values():
            _unknowns_in(m, depth + 1, found, t)
    elif isinstance(d, list):
        t.add(len(d), depth)
        for m in d:
            _unknowns_in(m, depth + 1, found, t)


# Integers wider than this become floats: Terraform's numbers carry 512 bits of precision, and a
# chain of multiplications must not build integers of millions of digits.
_INT_BITS = 512


def bounded(x: int | float) -> int | float | None:
    """`x` as a number Terraform could hold: a very wide integer as a float; None when out of range."""
    if type(x) is int and x.bit_length() > _INT_BITS:
        try:
            return float(x)
        except OverflowError:
            return None
    return x


def num(x: float) -> int | float:
    """HCL numbers are arbitrary precision; integral ones print without a fraction."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e18:
        return int(x)
    return x


def to_number(v: Value) -> int | float | None:
    d = v.data
    if isinstance(d, bool):
        return None
    if isinstance(d, (int, float)):
        return d
    if isinstance(d, str):
        try:
            f = float(d.strip()) if d.strip() else None
        except ValueError:
            return None
        if f is None or math.isnan(f) or math.isinf(f):
            return None
        return num(f)
    return None


def to_str(v: Value) -> str | None:
    """A primitive as Terraform converts it to a string, else None."""
    d = v.data
    if isinstance(d, str):
        return d
    if isinstance(d, bool):
        return "true" if d else "false"
    if isinstance(d, int):
        return str(d)
    if isinstance(d, float):
        if d.is_integer() and abs(d) < 1e18:
            return str(int(d))
        return repr(d)
    return None


def to_bool(v: Value) -> bool | None:
    d = v.data
    if isinstance(d, bool):
        return d
    if d == "true":
        return True
    if d == "false":
        return False
    return None


def equal(a: Value, b: Value) -> bool:
    return plain(a) == plain(b)


def plain(v: Value, tally: Tally | None = None) -> Any:
    """Comparable, hashable plain data: booleans and numbers kept apart (True != 1 in HCL).
    Bounded by `Tally`."""
    d = v.data
    if type(d) is not list and not isinstance(d, dict):
        return _plain_scalar(d)
    t = tally or Tally()
    out = _plain(v, t, 1)
    if tally is None:
        t.done()
    return out


def _plain_scalar(d: Any) -> Any:
    if isinstance(d, bool):
        return ("bool", d)
    if isinstance(d, (int, float)):
        return ("num", d)  # 1 == 1.0, with one hash, as in HCL
    return ("prim", d)


def _plain(v: Value, t: Tally, depth: int) -> Any:
    d = v.data
    if isinstance(d, dict):
        t.add(len(d), depth)
        return ("obj", tuple(sorted((k, _plain(m, t, depth + 1)) for k, m in d.items())))
    if isinstance(d, list):
        t.add(len(d), depth)
        return ("list", tuple(_plain(m, t, depth + 1) for m in d))
    return _plain_scalar(d)


def collection_items(v: Value) -> list[tuple[Value, Value]] | None:
    """(key, value) pairs to iterate over, in Terraform's order (maps by key), or None."""
    d = v.data
    if isinstance(d, list):
        return [(Value.known(i, m.span), m) for i, m in enumerate(d)]
    if isinstance(d, dict):
        return [(Value.known(k, m.span), m) for k, m in sorted(d.items())]
    return None


def binary_op(op: str, left: Value, right: Value, span: Span | None) -> Value:
    if op == "==":
        return Value.known(equal(left, right), span)
    if op == "!=":
        return Value.known(not equal(left, right), span)
    if op in ("&&", "||"):
        a, b = to_bool(left), to_bool(right)
        if a is None or b is None:
            return error(f"{op} needs booleans", span)
        return Value.known((a and b) if op == "&&" else (a or b), span)
    x, y = to_number(left), to_number(right)
    if x is None or y is None:
        return error(f"{op} needs numbers", span)
    if op == "+":
        r: Any = x + y
    elif op == "-":
        r = x - y
    elif op == "*":
        r = x * y
    elif op == "/":
        if y == 0:
            return error("division by zero", span)
        try:
            r = x / y
        except OverflowError:
            return error("number out of range", span)
    elif op == "%":
        if y == 0:
            return error("modulo by zero", span)
        try:
            r = math.fmod(x, y)
        except OverflowError:
            return error("number out of range", span)
    elif op == "<":
        return Value.known(x < y, span)
    elif op == ">":
        return Value.known(x > y, span)
    elif op == "<=":
        return Value.known(x <= y, span)
    else:
        return Value.known(x >= y, span)
    r = bounded(r)
    if r is None or (isinstance(r, float) and (math.isinf(r) or math.isnan(r))):
        return error("number out of range", span)
    return Value.known(num(r), span)
