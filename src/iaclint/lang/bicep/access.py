"""Reading Bicep values: member and index access (`a.b`, `a[i]`, `.?`, property names compared
without case as ARM does), a value seen at a new place (`at`, `relocate`), and the objects and
arrays of a deployed resource read through its symbol, whose members not set in the code are set by
Azure at deployment (`deployed`)."""

from __future__ import annotations

from iaclint import budget as budgets
from iaclint.lang.arm import functions as fns
from iaclint.source import Span
from iaclint.values import State, Value, make

_KNOWN = State.KNOWN
_UNKNOWN = State.UNKNOWN


def at(v: Value, span: Span | None) -> Value:
    """`v.at(span)` without `dataclasses.replace`, which costs more than the rest of a lookup."""
    old = v.span
    if span is None or span == old:
        return v
    return make(v.state, v.data, span, v.reason, v.refs, v.via if old is None else (*v.via, old))


def relocate(v: Value, span: Span) -> Value:
    """The value of an object member placed at the member's span (key to end of value).

    A literal written right there keeps no extra provenance; a value from elsewhere (a parameter,
    a variable) keeps where it came from in `via`.
    """
    vs = v.span
    if (
        vs is not None
        and vs.path == span.path
        and (vs.line, vs.column) >= (span.line, span.column)
        and (
            vs.end_line,
            vs.end_column,
        )
        <= (span.end_line, span.end_column)
    ):
        return make(v.state, v.data, span, v.reason, v.refs, v.via)
    return at(v, span)


def member_of(base: Value, prop: str, span: Span, safe: bool, place: Span | None = None) -> Value:
    """`base.prop` (`base.?prop` when `safe`), the access written at `span`. With `place` (an object
    member's span, holding the access): `relocate(member_of(base, prop, span, safe), place)`, made
    at once."""
    # With `place`: every value below is made at `span` (which lies in `place`), most as a fresh
    # value, which relocating only moves to `place`; a member taken as found is `at(m, span)`, whose
    # `via` relocating keeps (see `_moved`).
    where = place if place is not None else span
    if base.state is _UNKNOWN:
        return Value.unknown(base.reason, where, base.refs)
    if base.state is _KNOWN and isinstance(base.data, dict):
        m = base.data.get(prop)
        if m is None:
            # Property names are case-insensitive in ARM.
            low = prop.lower()
            m = next((v for k, v in base.data.items() if k.lower() == low), None)
        d = base.data
        if type(d) is DeployedDict:
            if m is None:
                return Value.unknown(f"{d.what}.{prop} is known only after deployment", where, d.refs)
            return deployed(_moved(m, span, place), d.refs, f"{d.what}.{prop}")
        if m is not None:
            return _moved(m, span, place)
        if safe:
            return Value.known(None, where)
        return Value.absent(where)
    if base.state is _KNOWN and base.data is None and safe:
        return Value.known(None, where)
    return Value.absent(where) if not safe else Value.known(None, where)


def _moved(m: Value, span: Span, place: Span | None) -> Value:
    """`at(m, span)`, then (with `place`, which holds `span`) relocated to `place`."""
    if place is None:
        return at(m, span)
    old = m.span
    via = m.via if old is None or old is span or old == span else (*m.via, old)
    return make(m.state, m.data, place, m.reason, m.refs, via)


def index_of(base: Value, idx: Value, span: Span, safe: bool) -> Value:
    if base.state is _UNKNOWN or idx.state is _UNKNOWN:
        return fns.unknown_from([base, idx], span, "index into an unknown value")
    if base.state is _KNOWN and isinstance(base.data, list) and isinstance(idx.data, int):
        i = idx.data
        d = base.data
        if 0 <= i < len(d):
            if type(d) is DeployedList:
                return deployed(at(d[i], span), d.refs, f"{d.what}[{i}]")
            return at(d[i], span)
    elif base.state is _KNOWN and isinstance(base.data, dict) and isinstance(idx.data, str):
        return member_of(base, idx.data, span, safe)
    return Value.known(None, span) if safe else Value.absent(span)


class DeployedDict(dict):  # type: ignore[type-arg]
    """The members a declaration gives an object of a resource that is read through its symbol
    (`vnet.properties`): a member it does not set is set by Azure at deployment, so reading one is
    unknown (with a ref to the resource), not absent."""

    __slots__ = ("refs", "what")
    refs: tuple[str, ...]
    what: str


class DeployedList(list):  # type: ignore[type-arg]
    """As `DeployedDict`, for an array (`vnet.properties.subnets`)."""

    __slots__ = ("refs", "what")
    refs: tuple[str, ...]
    what: str


def deployed(v: Value, refs: tuple[str, ...], what: str) -> Value:
    """`v` (read as `what` from a resource) with its object or array marked as deployed."""
    d = v.data
    if v.state is not _KNOWN or type(d) not in (dict, list):
        return v
    budgets.current().collection(len(d))  # a copy, made on each read
    w: DeployedDict | DeployedList = DeployedDict(d) if type(d) is dict else DeployedList(d)
    w.refs = refs
    w.what = what
    return make(v.state, w, v.span, v.reason, v.refs, v.via)
