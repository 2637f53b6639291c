"""The template functions ARM expressions and Bicep share, evaluated on `Value`s.

Both languages compile to the same runtime functions, so one table serves both loaders. A function
returns a known value only when every input it needs is known; otherwise it returns an unknown that
carries the inputs' `refs` (so a name built from a resource's output still links to it). Functions
whose result depends on the deployment (`resourceGroup()`, `uniqueString`, `guid`, `utcNow`,
`environment()`...) are unknown by design: iaclint never guesses what Azure would compute.

`call(name, args, span)` returns None for a name it does not know; callers turn that into an unknown.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from iaclint.source import Span
from iaclint.values import State, Value

_KNOWN = State.KNOWN


def unknown_from(args: list[Value], span: Span | None, reason: str) -> Value:
    """An unknown that keeps the refs (and the first reason) of the unknown inputs."""
    refs: list[str] = []
    first_reason = ""
    for a in args:
        _collect_unknown(a, refs)
        if not first_reason and a.state is State.UNKNOWN:
            first_reason = a.reason
    why = f"{reason}: {first_reason}" if first_reason and reason else (reason or first_reason)
    return Value.unknown(why, span, tuple(dict.fromkeys(refs)))


def _collect_unknown(v: Value, out: list[str], depth: int = 0) -> None:
    if v.refs:
        out.extend(v.refs)
    if depth > 32 or v.state is not _KNOWN:
        return
    d = v.data
    if isinstance(d, dict):
        for m in d.values():
            _collect_unknown(m, out, depth + 1)
    elif isinstance(d, list):
        for m in d:
            _collect_unknown(m, out, depth + 1)


def plain(v: Value) -> Any:
    """Plain Python data of a fully known value (caller checks `is_fully_known`)."""
    return v.py()


def _str_of(v: Value) -> str | None:
    """A value rendered the way `string()`/interpolation render it; None when not fully known."""
    if not v.is_fully_known():
        return None
    d = v.data
    if isinstance(d, str):
        return d
    if isinstance(d, bool):
        return "True" if d else "False"  # ARM renders booleans this way in string()/concat
    if d is None:
        return ""
    if isinstance(d, float) and d.is_integer():
        return str(int(d))
    if isinstance(d, (int, float)):
        return str(d)
    return json.dumps(v.py(), separators=(",", ":"))


def interpolate_str(v: Value) -> str | None:
    """Bicep string interpolation renders booleans in lower case, unlike ARM's string()."""
    if v.state is _KNOWN and isinstance(v.data, bool):
        return "true" if v.data else "false"
    return _str_of(v)


def equal(a: Value, b: Value) -> bool | None:
    """Deep equality of two values; None when either is not fully known."""
    if not (a.is_fully_known() and b.is_fully_known()):
        return None
    return _norm(a.py()) == _norm(b.py())


def _norm(x: Any) -> Any:
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, float) and x.is_integer():
        return int(x)
    if isinstance(x, dict):
        return {k: _norm(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_norm(v) for v in x]
    return x


def truthy(v: Value) -> bool | None:
    if v.state is not _KNOWN:
        return None
    return v.as_bool()


def merge_objects(values: list[Value], span: Span | None) -> Value:
    """`union` of objects: later keys win; nested objects merge deeply (as ARM does)."""
    out: dict[str, Value] = {}
    for v in values:
        for k, m in v.items():
            prev = out.get(k)
            if (
                prev is not None
                and prev.state is _KNOWN
                and m.state is _KNOWN
                and isinstance(prev.data, dict)
                and isinstance(m.data, dict)
            ):
                out[k] = merge_objects([prev, m], m.span)
            else:
                out[k] = m
    return Value.known(out, span)


# -- the functions ---------------------------------------------------------------------------------

Fn = Callable[[list[Value], Span | None], Value]
_TABLE: dict[str, Fn] = {}
# Functions whose result is a property of the deployment, not of the code.
DEPLOYMENT_FUNCTIONS = frozenset(
    {
        "resourcegroup", "subscription", "tenant", "managementgroup", "deployment", "environment",
        "uniquestring", "guid", "newguid", "utcnow", "listkeys", "listsecrets", "list", "pickzones",
        "reference", "providers", "managementgroupresourceid", "getsecret", "readenvironmentvariable",
    }
)  # fmt: skip


def _fn(*names: str) -> Callable[[Fn], Fn]:
    def deco(f: Fn) -> Fn:
        for n in names:
            _TABLE[n] = f
        return f

    return deco


def call(name: str, args: list[Value], span: Span | None) -> Value | None:
    """Evaluate function `name` (case-insensitive); None when it is not one this table knows."""
    key = name.lower()
    if key in DEPLOYMENT_FUNCTIONS:
        return unknown_from(args, span, f"{name}() is known only at deployment")
    f = _TABLE.get(key)
    if f is None:
        return None
    try:
        return f(args, span)
    except (ValueError, TypeError, IndexError, KeyError, OverflowError, RecursionError) as exc:
        # A function applied to values it rejects fails the deployment; for a linter it is unknown.
        return Value.unknown(f"{name}() cannot be evaluated here ({type(exc).__name__})", span)


def id_tail_ref(tail: str) -> str | None:
    """The `<collection>:<name>` pseudo-reference (the form `resourceId()` gives) of a string that
    ends in a known `/collection/name` after an unknown part: `'${gwId}/httpListeners/http80'`,
    `concat(variables('gwId'), '/httpListeners/http80')`. It names the child, so an App Gateway
    rule still finds its listener and redirect by name when the parent's id cannot be known."""
    segs = tail.split("/")
    if len(segs) < 3 or segs[0] != "" or not segs[-1] or not segs[-2]:
        return None
    if not segs[-2][:1].isalpha() or not segs[-2].isalnum():
        return None  # not a collection name (`httpListeners`, `apis`)
    return f"{segs[-2]}:{segs[-1]}"


def with_id_tail(v: Value, tail: str) -> Value:
    """An unknown string with the pseudo-reference of its known tail first (see `id_tail_ref`)."""
    ref = id_tail_ref(tail)
    if ref is None or v.state is not State.UNKNOWN:
        return v
    return Value.unknown(v.reason, v.span, (ref, *[r for r in v.refs if r != ref]))


def _need(args: list[Value], span: Span | None, name: str, deep: bool = True) -> Value | None:
    for a in args:
        if a.state is not _KNOWN or (deep and not a.is_fully_known()):
            return unknown_from(args, span, f"{name}() of an unknown value")
    return None


def _strs(args: list[Value]) -> list[str]:
    out = []
    for a in args:
        s = _str_of(a)
        if s is None:
            raise TypeError("not a string")
        out.append(s)
    return out


@_fn("concat")
def _concat(args: list[Value], span: Span | None) -> Value:
    if args and all(a.state is _KNOWN and isinstance(a.data, list) for a in args):
        items: list[Value] = []
        for a in args:
            items.extend(a.data)
        return Value.known(items, span)
    u = _need(args, span, "concat")
    if u is None:
        return Value.known("".join(_strs(args)), span)
    # The known strings after the last unknown argument: a child id's tail.
    tail: list[str] = []
    for a in args:
        s = _str_of(a) if a.state is _KNOWN else None
        tail = [*tail, s] if s is not None else []
    return with_id_tail(u, "".join(tail))


@_fn("union")
def _union(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "union", deep=False)
    if u:
        return u
    if all(isinstance(a.data, dict) for a in args):
        return merge_objects(args, span)
    if all(isinstance(a.data, list) for a in args):
        u = _need(args, span, "union")
        if u:
            return u
        seen: list[Any] = []
        out: list[Value] = []
        for a in args:
            for m in a.data:
                p = _norm(m.py())
                if p not in seen:
                    seen.append(p)
                    out.append(m)
        return Value.known(out, span)
    raise TypeError("union of mixed types")


@_fn("intersection")
def _intersection(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "intersection")
    if u:
        return u
    first = args[0]
    if isinstance(first.data, dict):
        out = {
            k: m
            for k, m in first.data.items()
            if all(equal(m, a.get(k)) for a in args[1:] if k in a.data) and all(k in a.data for a in args[1:])
        }
        return Value.known(out, span)
    rest = [[_norm(m.py()) for m in a.data] for a in args[1:]]
    return Value.known([m for m in first.data if all(_norm(m.py()) in r for r in rest)], span)


@_fn("contains")
def _contains(args: list[Value], span: Span | None) -> Value:
    container, item = args[0], args[1]
    if container.state is not _KNOWN or not item.is_fully_known():
        return unknown_from(args, span, "contains() of an unknown value")
    d = container.data
    if isinstance(d, dict):
        key = _str_of(item) or ""
        return Value.known(any(k.lower() == key.lower() for k in d), span)
    if isinstance(d, list):
        want = _norm(item.py())
        for m in d:
            if not m.is_fully_known():
                return unknown_from([m], span, "contains() of an unknown element")
            if _norm(m.py()) == want:
                return Value.known(True, span)
        return Value.known(False, span)
    if isinstance(d, str):
        return Value.known((_str_of(item) or "") in d, span)
    raise TypeError("contains() on a scalar")


@_fn("empty")
def _empty(args: list[Value], span: Span | None) -> Value:
    v = args[0]
    if v.state is not _KNOWN:
        return unknown_from(args, span, "empty() of an unknown value")
    d = v.data
    return Value.known(d is None or (isinstance(d, (str, list, dict)) and len(d) == 0), span)


@_fn("length")
def _length(args: list[Value], span: Span | None) -> Value:
    v = args[0]
    if v.state is not _KNOWN or not isinstance(v.data, (str, list, dict)):
        return unknown_from(args, span, "length() of an unknown value")
    return Value.known(len(v.data), span)


_FORMAT_ITEM = re.compile(r"\{\{|\}\}|\{(\d+)(?:,[^}:]*)?(?::[^}]*)?\}")


@_fn("format")
def _format(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "format")
    if u:
        pat = _str_of(args[0]) if args and args[0].state is _KNOWN else None
        if pat is None:
            return u
        # The pattern after its last placeholder of an unknown argument, the known ones filled in.
        known = [_str_of(a) if a.state is _KNOWN else None for a in args[1:]]
        cut = 0
        for m in _FORMAT_ITEM.finditer(pat):
            i = m.group(1)
            if i is not None and (int(i) >= len(known) or known[int(i)] is None):
                cut = m.end()
        tail = _FORMAT_ITEM.sub(
            lambda m: m.group()[0] if m.group(1) is None else (known[int(m.group(1))] or ""), pat[cut:]
        )
        return with_id_tail(u, tail)
    pattern = _strs(args[:1])[0]
    rest = _strs(args[1:])

    def sub(m: re.Match[str]) -> str:
        g = m.group()
        if g in ("{{", "}}"):
            return g[0]
        return rest[int(m.group(1))]

    return Value.known(_FORMAT_ITEM.sub(sub, pattern), span)


def _str_fn(name: str, op: Callable[..., Any]) -> Fn:
    def f(args: list[Value], span: Span | None) -> Value:
        u = _need(args, span, name)
        return u or Value.known(op(*_strs(args)), span)

    return f


_TABLE["tolower"] = _str_fn("toLower", str.lower)
_TABLE["toupper"] = _str_fn("toUpper", str.upper)
_TABLE["trim"] = _str_fn("trim", str.strip)
_TABLE["replace"] = _str_fn("replace", lambda s, a, b: s.replace(a, b))
_TABLE["startswith"] = _str_fn("startsWith", lambda s, p: s.lower().startswith(p.lower()))
_TABLE["endswith"] = _str_fn("endsWith", lambda s, p: s.lower().endswith(p.lower()))
_TABLE["indexof"] = _str_fn("indexOf", lambda s, p: s.lower().find(p.lower()))
_TABLE["lastindexof"] = _str_fn("lastIndexOf", lambda s, p: s.lower().rfind(p.lower()))
_TABLE["base64"] = _str_fn("base64", lambda s: __import__("base64").b64encode(s.encode()).decode())
_TABLE["padleft"] = _str_fn("padLeft", lambda s, n, c=" ": s.rjust(int(n), c[:1] or " "))


@_fn("substring")
def _substring(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "substring")
    if u:
        return u
    s = _strs(args[:1])[0]
    start = int(args[1].data)
    end = start + int(args[2].data) if len(args) > 2 else len(s)
    if start < 0 or end > len(s) or start > end:
        raise ValueError("substring out of range")
    return Value.known(s[start:end], span)


@_fn("split")
def _split(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "split")
    if u:
        return u
    s = _strs(args[:1])[0]
    seps = [m.py() for m in args[1].data] if isinstance(args[1].data, list) else [args[1].data]
    parts = [s]
    for sep in seps:
        parts = [p for part in parts for p in part.split(str(sep))]
    return Value.known([Value.known(p, span) for p in parts], span)


@_fn("join")
def _join(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "join")
    return u or Value.known(_strs(args[1:2])[0].join(_strs(args[0].data)), span)


@_fn("string")
def _string(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "string")
    return u or Value.known(_strs(args)[0], span)


@_fn("bool")
def _bool(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "bool")
    if u:
        return u
    b = args[0].as_bool()
    if b is None and isinstance(args[0].data, (int, float)):
        b = args[0].data != 0
    if b is None:
        raise ValueError("not a boolean")
    return Value.known(b, span)


@_fn("int")
def _int(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "int")
    return u or Value.known(int(args[0].data), span)


@_fn("json")
def _json(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "json")
    return u or Value.of(json.loads(_strs(args)[0]), span)


@_fn("array")
def _array(args: list[Value], span: Span | None) -> Value:
    v = args[0]
    if v.state is _KNOWN and isinstance(v.data, list):
        return v.at(span)
    return Value.known([v], span)


@_fn("createarray")
def _createarray(args: list[Value], span: Span | None) -> Value:
    return Value.known(list(args), span)


@_fn("createobject")
def _createobject(args: list[Value], span: Span | None) -> Value:
    keys = args[0::2]
    u = _need(keys, span, "createObject")
    if u:
        return u
    return Value.known(dict(zip(_strs(keys), args[1::2], strict=False)), span)


@_fn("coalesce")
def _coalesce(args: list[Value], span: Span | None) -> Value:
    for a in args:
        if a.state is not _KNOWN:
            return unknown_from([a], span, "coalesce() of an unknown value")
        if a.data is not None:
            return a.at(span)
    return Value.known(None, span)


@_fn("if")
def _if(args: list[Value], span: Span | None) -> Value:
    c = truthy(args[0])
    if c is None:
        return unknown_from(args[:1], span, "condition is unknown")
    return (args[1] if c else args[2]).at(span)


@_fn("equals")
def _equals(args: list[Value], span: Span | None) -> Value:
    e = equal(args[0], args[1])
    return unknown_from(args, span, "equals() of an unknown value") if e is None else Value.known(e, span)


@_fn("not")
def _not(args: list[Value], span: Span | None) -> Value:
    c = truthy(args[0])
    return unknown_from(args, span, "not() of an unknown value") if c is None else Value.known(not c, span)


@_fn("and")
def _and(args: list[Value], span: Span | None) -> Value:
    vals = [truthy(a) for a in args]
    if False in vals:
        return Value.known(False, span)
    if None in vals:
        return unknown_from(args, span, "and() of an unknown value")
    return Value.known(True, span)


@_fn("or")
def _or(args: list[Value], span: Span | None) -> Value:
    vals = [truthy(a) for a in args]
    if True in vals:
        return Value.known(True, span)
    if None in vals:
        return unknown_from(args, span, "or() of an unknown value")
    return Value.known(False, span)


def _compare(name: str, op: Callable[[Any, Any], bool]) -> Fn:
    def f(args: list[Value], span: Span | None) -> Value:
        u = _need(args, span, name)
        return u or Value.known(op(args[0].data, args[1].data), span)

    return f


_TABLE["greater"] = _compare("greater", lambda a, b: a > b)
_TABLE["greaterorequals"] = _compare("greaterOrEquals", lambda a, b: a >= b)
_TABLE["less"] = _compare("less", lambda a, b: a < b)
_TABLE["lessorequals"] = _compare("lessOrEquals", lambda a, b: a <= b)


def _arith(name: str, op: Callable[[Any, Any], Any]) -> Fn:
    def f(args: list[Value], span: Span | None) -> Value:
        u = _need(args, span, name)
        return u or Value.known(op(int(args[0].data), int(args[1].data)), span)

    return f


_TABLE["add"] = _arith("add", lambda a, b: a + b)
_TABLE["sub"] = _arith("sub", lambda a, b: a - b)
_TABLE["mul"] = _arith("mul", lambda a, b: a * b)
_TABLE["div"] = _arith("div", lambda a, b: int(a / b))
_TABLE["mod"] = _arith("mod", lambda a, b: int(math.fmod(a, b)))


def _minmax(pick: Callable[[list[Any]], Any]) -> Fn:
    def f(args: list[Value], span: Span | None) -> Value:
        u = _need(args, span, "min/max")
        if u:
            return u
        nums = [m.data for a in args for m in (a.data if isinstance(a.data, list) else [a])]
        return Value.known(pick(nums), span)

    return f


_TABLE["min"] = _minmax(min)
_TABLE["max"] = _minmax(max)


def _first_last(last: bool) -> Fn:
    def f(args: list[Value], span: Span | None) -> Value:
        v = args[0]
        if v.state is not _KNOWN:
            return unknown_from(args, span, "first()/last() of an unknown value")
        d = v.data
        if isinstance(d, list):
            return (d[-1 if last else 0].at(span)) if d else Value.known(None, span)
        if isinstance(d, str):
            return Value.known((d[-1:] if last else d[:1]), span)
        raise TypeError("first()/last() of a scalar")

    return f


_TABLE["first"] = _first_last(False)
_TABLE["last"] = _first_last(True)


def _slice(take: bool) -> Fn:
    def f(args: list[Value], span: Span | None) -> Value:
        v, n = args[0], args[1]
        if v.state is not _KNOWN or n.state is not _KNOWN:
            return unknown_from(args, span, "skip()/take() of an unknown value")
        k = max(0, int(n.data))
        d = v.data
        return Value.known(d[:k] if take else d[k:], span)

    return f


_TABLE["skip"] = _slice(False)
_TABLE["take"] = _slice(True)


@_fn("range")
def _range(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "range")
    if u:
        return u
    start, count = int(args[0].data), int(args[1].data)
    if count > 10000 or count < 0:
        raise ValueError("range too large")
    return Value.known([Value.known(i, span) for i in range(start, start + count)], span)


@_fn("items")
def _items(args: list[Value], span: Span | None) -> Value:
    v = args[0]
    if v.state is not _KNOWN or not isinstance(v.data, dict):
        return unknown_from(args, span, "items() of an unknown value")
    return Value.known(
        [
            Value.known({"key": Value.known(k, m.span), "value": m}, m.span)
            for k, m in sorted(v.data.items(), key=lambda kv: kv[0].lower())
        ],
        span,
    )


@_fn("objectkeys")
def _objectkeys(args: list[Value], span: Span | None) -> Value:
    v = args[0]
    if v.state is not _KNOWN or not isinstance(v.data, dict):
        return unknown_from(args, span, "objectKeys() of an unknown value")
    return Value.known([Value.known(k, m.span) for k, m in v.data.items()], span)


@_fn("resourceid", "subscriptionresourceid", "tenantresourceid", "extensionresourceid")
def _resource_id(args: list[Value], span: Span | None) -> Value:
    return resource_id_link(args, span, None)


def resource_id_link(
    args: list[Value], span: Span | None, resolve: Callable[[str, str], str | None] | None
) -> Value:
    """`resourceId(...)`: an unknown (the id holds the subscription) linking to its target.

    The ref is the target's address when `resolve(type, name)` finds it in the same template,
    otherwise `"<type>:<name>"` with the name segments joined by `/`.
    """
    strs = [_str_of(a) for a in args]
    type_index = next((i for i, s in enumerate(strs) if s and "/" in s and "." in s.split("/")[0]), None)
    if type_index is None or any(s is None for s in strs[type_index:]):
        return unknown_from(args, span, "resource id of an unknown resource")
    rtype = strs[type_index] or ""
    name = "/".join(s or "" for s in strs[type_index + 1 :])
    ref = (resolve(rtype, name) if resolve else None) or f"{rtype}:{name}"
    return Value.unknown(f"resource id of {rtype} '{name}'", span, (ref,))
