"""The template functions ARM expressions and Bicep share, evaluated on `Value`s.

Both languages compile to the same runtime functions, so one table serves both loaders. A function
returns a known value only when every input it needs is known; otherwise it returns an unknown that
carries the inputs' `refs` (so a name built from a resource's output still links to it). Functions
whose result depends on the deployment (`resourceGroup()`, `uniqueString`, `guid`, `utcNow`,
`environment()`...) are unknown by design: iaclint never guesses what Azure would compute.

`call(name, args, span)` returns None for a name it does not know; callers turn that into an unknown.

The code is untrusted, so every function charges the current unit's budget (`budget.current()`:
the ARM and Bicep loaders make their unit's budget current while evaluating) *before* it builds:
a string's length, a list's or object's size are worked out from the inputs first, so
`padLeft('', 999999999, 'x')` or a `replace` that squares its input never allocates. Going over
raises `BudgetExceeded`, which the caller catches where a named value is worked out. Values share
members (a variable used twice is one object), so a value's size as a tree can grow exponentially
while memory grows linearly; `built()` caps the tree size and nesting of every list or object an
evaluation builds, so no later walk over it (`string()`, `equals()`, the model) can run away.

A function applied to values ARM rejects (a deployment would fail) raises `Rejected`, and is
unknown; any other exception is a bug and propagates.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from json.encoder import encode_basestring_ascii
from typing import Any

from iaclint import budget as _budget
from iaclint.budget import Budget, BudgetExceeded
from iaclint.lang import unknowns
from iaclint.source import Span
from iaclint.values import State, Value, made_from

_KNOWN = State.KNOWN
_UNKNOWN = State.UNKNOWN
# ARM's integers are 64-bit: arithmetic beyond them fails the deployment (and in Python would grow
# without bound, a number doubling its digits at each step).
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


class Rejected(ValueError):
    """A function applied to values it does not accept: the deployment would fail; unknown here."""


def unknown_from(args: list[Value], span: Span | None, reason: str) -> Value:
    """An unknown that keeps the refs (and the first reason) of the unknown inputs: the shared rule
    (`unknowns.unknown_from`), refs collected from inside known containers too (ARM and Bicep values
    hold no lazy members)."""
    return unknowns.unknown_from(args, span, reason, deep=True)


def clip(text: str, n: int = 80) -> str:
    """`text` to be named in a message: a hostile name may be megabytes long, and a message is made
    anew at each use."""
    return text if len(text) <= n else text[: n - 1] + "…"


# -- sizes of values --------------------------------------------------------------------------------

# Tree sizes of containers measured in the current unit, by id of the container (kept alive by the
# entry): a value shared by many others is measured once. Only containers of some size are kept;
# smaller ones cost less to measure again than to remember.
_MEMO_MIN = 32
_memo: dict[int, tuple[Any, int, int]] = {}
_memo_budget: Budget | None = None


def _memo_for(b: Budget) -> dict[int, tuple[Any, int, int]]:
    global _memo, _memo_budget
    if _memo_budget is not b:
        _memo = {}
        _memo_budget = b
    return _memo


def forget() -> None:
    """Drop what was measured (a unit's evaluation is over)."""
    global _memo, _memo_budget
    _memo = {}
    _memo_budget = None


def _too_big(limit: int) -> BudgetExceeded:
    return BudgetExceeded(f"a value of more than {limit:,} members in all (shared members counted each time)")


def _too_deep(limit: int) -> BudgetExceeded:
    return BudgetExceeded(f"a value nested more than {limit} levels deep")


def _nesting(b: Budget) -> int:
    # A value may nest half as deep as an evaluation: walks over it (rendering, comparing, the
    # model's) then stay far inside Python's recursion limit even from a deep evaluation.
    return b.limits.depth // 2


def measure(v: Value) -> tuple[int, int]:
    """(members, nesting) of `v` seen as a tree: every member counted as often as it occurs, the way
    a walk over it (`string()`, `equals()`, the model) visits it. Raises BudgetExceeded past the
    budget's collection size or depth, and charges a step per container looked at."""
    d = v.data
    if v.state is not _KNOWN or not isinstance(d, (dict, list)):
        return 1, 0
    b = _budget.current()
    return _measure(d, b, _memo_for(b), 1)


def _measure(d: dict | list, b: Budget, memo: dict[int, tuple[Any, int, int]], level: int) -> tuple[int, int]:
    hit = memo.get(id(d))
    if hit is not None and hit[0] is d:
        if level + hit[2] - 1 > _nesting(b):
            raise _too_deep(_nesting(b))
        return hit[1], hit[2]
    limits = b.limits
    if level > _nesting(b):
        raise _too_deep(_nesting(b))
    b.step()
    size, depth = 1, 1
    for m in d.values() if isinstance(d, dict) else d:
        md = m.data
        if m.state is _KNOWN and isinstance(md, (dict, list)):
            s, dp = _measure(md, b, memo, level + 1)
            size += s
            if dp + 1 > depth:
                depth = dp + 1
        else:
            size += 1
        if size > limits.collection_items:
            raise _too_big(limits.collection_items)
    if size >= _MEMO_MIN:
        memo[id(d)] = (d, size, depth)
    return size, depth


def built(v: Value, charged: bool = False) -> Value:
    """`v`, a list or object an evaluation just built, once its size is charged: its own members to
    the unit's collection allowance (unless the caller `charged` them before building), its size as
    a tree and its nesting to the per-value caps."""
    d = v.data
    if v.state is _KNOWN and isinstance(d, (dict, list)):
        if not charged:
            _budget.current().collection(len(d))
        measure(v)
    return v


def scan_cost(chars: int) -> None:
    """Charge reading `chars` characters without building anything (searching, comparing, parsing):
    what is built is bounded by the bytes a unit may build, but a loop may read one 4 MB string a
    million times. About one step per kilobyte, the time of an evaluation step."""
    _budget.current().step(1 + (chars >> 10))


def _walk_cost(v: Value) -> None:
    """Charge a deep walk over `v` (comparing, rendering) as one step per member."""
    d = v.data
    if v.state is _KNOWN and isinstance(d, (dict, list)):
        _budget.current().step(measure(v)[0])


def _fully_known(v: Value) -> bool:
    """`v.is_fully_known()` without recursion (and looking at a shared member once)."""
    stack = [v]
    seen: set[int] = set()
    while stack:
        x = stack.pop()
        if x.state is not _KNOWN:
            return False
        d = x.data
        if isinstance(d, (dict, list)) and id(d) not in seen:
            seen.add(id(d))
            stack.extend(d.values() if isinstance(d, dict) else d)
    return True


def _render(v: Value, canonical: bool) -> str:
    """`json.dumps(v.py(), separators=(",", ":"))` of a fully known value, without recursion;
    `canonical`: keys sorted and whole floats as integers, a form equal values share."""
    out: list[str] = []
    todo: list[Value | str] = [v]
    while todo:
        x = todo.pop()
        if isinstance(x, str):
            out.append(x)
            continue
        d = x.data if x.state is _KNOWN else None
        if isinstance(d, dict):
            items = sorted(d.items()) if canonical else list(d.items())
            todo.append("}")
            for i in range(len(items) - 1, -1, -1):
                todo.append(items[i][1])
                todo.append(encode_basestring_ascii(items[i][0]) + ":")
                if i:
                    todo.append(",")
            todo.append("{")
        elif isinstance(d, list):
            todo.append("]")
            for i in range(len(d) - 1, -1, -1):
                todo.append(d[i])
                if i:
                    todo.append(",")
            todo.append("[")
        elif canonical and isinstance(d, float) and d.is_integer():
            out.append(str(int(d)))
        else:
            out.append(json.dumps(d))
    return "".join(out)


def _json_str_len(s: str) -> int:
    if s.isascii() and s.isprintable() and '"' not in s and "\\" not in s:
        return len(s) + 2
    return len(encode_basestring_ascii(s))


def _scalar_str(d: Any) -> str:
    if isinstance(d, str):
        return d
    if isinstance(d, bool):
        return "True" if d else "False"  # ARM renders booleans this way in string()/concat
    if d is None:
        return ""
    if isinstance(d, float) and d.is_integer():
        return str(int(d))
    return str(d)


def _json_len(d: Any, b: Budget, memo: dict[int, int]) -> int:
    """Length of `json.dumps(value, separators=(",", ":"))` for the plain data `d` of a fully known
    Value (members are Values), without building it; shared members are measured once."""
    if isinstance(d, str):
        return _json_str_len(d)
    if isinstance(d, bool):
        return 4 if d else 5
    if d is None:
        return 4
    if isinstance(d, (int, float)):
        return len(json.dumps(d))
    hit = memo.get(id(d))
    if hit is not None:
        return hit
    b.step()
    # Brackets, commas between members, a colon per object member (a loop: one frame per level).
    if isinstance(d, dict):
        n = max(2, 1 + 2 * len(d))
        for k, m in d.items():
            n += _json_str_len(k) + _json_len(m.data, b, memo)
    else:
        n = max(2, 1 + len(d))
        for m in d:
            n += _json_len(m.data, b, memo)
    memo[id(d)] = n
    return n


def _str_of(v: Value) -> str | None:
    """A value rendered the way `string()`/interpolation render it; None when not fully known.
    Charges the string it builds."""
    d = v.data
    if v.state is _KNOWN and not isinstance(d, (dict, list)):
        s = _scalar_str(d)
        if s is not d:
            _budget.current().string(len(s))
        return s
    if not _fully_known(v):
        return None
    b = _budget.current()
    measure(v)
    b.string(_json_len(d, b, {}))
    return _render(v, canonical=False)


def interpolate_str(v: Value) -> str | None:
    """Bicep string interpolation renders booleans in lower case, unlike ARM's string()."""
    if v.state is _KNOWN and isinstance(v.data, bool):
        return "true" if v.data else "false"
    return _str_of(v)


def equal(a: Value, b: Value) -> bool | None:
    """Deep equality of two values; None when either is not fully known."""
    a_box, b_box = isinstance(a.data, (dict, list)), isinstance(b.data, (dict, list))
    if not (a_box or b_box):
        if a.state is not _KNOWN or b.state is not _KNOWN:
            return None
        if isinstance(a.data, str) and isinstance(b.data, str):
            scan_cost(min(len(a.data), len(b.data)))
        return _norm(a.data) == _norm(b.data)
    _walk_cost(a)
    _walk_cost(b)
    if not (_fully_known(a) and _fully_known(b)):
        return None
    return a_box and b_box and _key(a) == _key(b)


def _norm(x: Any) -> Any:
    return int(x) if isinstance(x, float) and x.is_integer() else x


def _key(v: Value) -> str:
    """A hashable form of a fully known value: values `equal()` calls equal share it (a boolean
    member never equals a number, unlike Python's True == 1). Charged as the string it builds."""
    b = _budget.current()
    measure(v)
    b.string(_json_len(v.data, b, {}))
    return _render(v, canonical=True)


def truthy(v: Value) -> bool | None:
    if v.state is not _KNOWN:
        return None
    return v.as_bool()


def merge_objects(values: list[Value], span: Span | None) -> Value:
    """`union` of objects: later keys win; nested objects merge deeply (as ARM does)."""
    _budget.current().collection(sum(len(v.data) for v in values if isinstance(v.data, dict)))
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
    return built(Value.known(out, span), charged=True)


class Either:
    """The branches of a conditional whose condition is not known (`if(c, a, b)`, `c ? a : b`), as a
    `union()` operand: the operand is one of them, which is not known. Rides in an unknown Value's
    `data`; evaluators make one only for an operand of `union()` (see `union_operand`)."""

    __slots__ = ("options",)

    def __init__(self, options: tuple[Value, ...]) -> None:
        self.options = options


def either(cond: Value, options: tuple[Value, ...], span: Span | None) -> Value:
    """The operand `cond ? options[0] : options[1]` of a `union()`, `cond` not known."""
    reason = unknowns.because("condition is unknown", cond.reason)
    return Value(State.UNKNOWN, Either(options), span, reason, cond.refs)


# The most combinations of conditional operands' branches a `union()` works out (2 ** 3): past that,
# its result is unknown as a whole.
_MOST_WORLDS = 8


def _objects_or_either(args: list[Value]) -> bool:
    """Every operand a known object, or a conditional both of whose branches are; some conditional."""
    found = False
    for a in args:
        d = a.data
        if a.state is _UNKNOWN and type(d) is Either:
            if not all(o.state is _KNOWN and isinstance(o.data, dict) for o in d.options):
                return False
            found = True
        elif a.state is not _KNOWN or not isinstance(d, dict):
            return False
    return found


def _union_of_branches(args: list[Value], span: Span | None) -> Value:
    """`union()` of objects of which some are conditional operands (`Either`): worked out for every
    combination of their branches; a member every combination gives alike is known, the others are
    unknown for the conditions'. So a key a known operand sets and no conditional operand sets
    after it is decided, whatever the conditions."""
    choices = [a.data.options if type(a.data) is Either else (a,) for a in args]
    worlds = 1
    for c in choices:
        worlds *= len(c)
    conditional = [a for a in args if type(a.data) is Either]
    if worlds > _MOST_WORLDS:
        return unknown_from(conditional, span, "union() of an unknown value")
    _budget.current().step(worlds)
    results = [merge_objects(list(pick), span) for pick in itertools.product(*choices)]
    why = unknown_from(conditional, span, "union() member set under a condition that is not known")
    return _alike(results, why)


def _alike(values: list[Value], why: Value) -> Value:
    """What `values` (one per combination of branches) have in common: a value they all hold, an
    object of the members they all have (each worked out the same way), else unknown (`why`)."""
    first = values[0]
    if all(v is first for v in values):
        return first
    if all(v.state is _KNOWN and isinstance(v.data, dict) for v in values):
        keys = dict.fromkeys(k for v in values for k in v.data)
        _budget.current().collection(len(keys))
        out: dict[str, Value] = {}
        for k in keys:
            members = [v.data.get(k) for v in values]
            present = [m for m in members if m is not None]
            if len(present) < len(members):
                out[k] = Value.unknown(why.reason, present[0].span, why.refs)
            else:
                out[k] = _alike(present, why)
        return built(Value.known(out, first.span), charged=True)
    if all(equal(first, v) for v in values[1:]):
        return first
    return Value.unknown(why.reason, first.span, why.refs)


# -- the functions ---------------------------------------------------------------------------------

Fn = Callable[[list[Value], Span | None], Value]
_TABLE: dict[str, Fn] = {}
# Number of arguments each function accepts (at least, at most; None: no upper bound).
_ARITY: dict[str, tuple[int, int | None]] = {}
# Functions whose result is a property of the deployment, not of the code.
DEPLOYMENT_FUNCTIONS = frozenset(
    {
        "resourcegroup", "subscription", "tenant", "managementgroup", "deployment", "environment",
        "uniquestring", "guid", "newguid", "utcnow", "listkeys", "listsecrets", "list", "pickzones",
        "reference", "providers", "managementgroupresourceid", "getsecret", "readenvironmentvariable",
    }
)  # fmt: skip


def _fn(*names: str, arity: tuple[int, int | None] = (1, 1)) -> Callable[[Fn], Fn]:
    def deco(f: Fn) -> Fn:
        for n in names:
            _TABLE[n] = f
            _ARITY[n] = arity
        return f

    return deco


def _register(name: str, f: Fn, arity: tuple[int, int | None]) -> None:
    _TABLE[name] = f
    _ARITY[name] = arity


def call(name: str, args: list[Value], span: Span | None) -> Value | None:
    """Evaluate function `name` (case-insensitive); None when it is not one this table knows.
    Raises BudgetExceeded when the result would pass the current budget."""
    key = name.lower()
    if key in DEPLOYMENT_FUNCTIONS:
        return unknown_from(args, span, f"{name}() is known only at deployment")
    f = _TABLE.get(key)
    if f is None:
        return None
    _budget.current().step()
    low, high = _ARITY[key]
    try:
        if len(args) < low or (high is not None and len(args) > high):
            raise Rejected(f"{len(args)} arguments")
        # A text made of a file's (Bicep `replace(loadTextContent(...), ...)`) names the file.
        return made_from(f(args, span), args)
    except Rejected as exc:
        # A function applied to values it rejects fails the deployment; for a linter it is unknown.
        return Value.unknown(f"{name}() cannot be evaluated here ({exc})", span)


def id_tail_ref(tail: str) -> str | None:
    """The `<collection>:<name>` pseudo-reference (the form `resourceId()` gives) of a string that
    ends in a known `/collection/name` after an unknown part: `'${gwId}/httpListeners/http80'`,
    `concat(variables('gwId'), '/httpListeners/http80')`. It names the child, so an App Gateway
    rule still finds its listener and redirect by name when the parent's id cannot be known."""
    segs = tail.rsplit("/", 2)  # the last two segments (a tail may hold millions)
    if len(segs) < 3 or not tail.startswith("/") or not segs[-1] or not segs[-2]:
        return None
    if not segs[-2][:1].isalpha() or not segs[-2].isalnum():
        return None  # not a collection name (`httpListeners`, `apis`)
    return f"{segs[-2]}:{segs[-1]}"


def with_id_tail(v: Value) -> Value:
    """An unknown string with the pseudo-reference of its known tail first (see `id_tail_ref`)."""
    if v.state is not _UNKNOWN:
        return v
    suffix = v.known_suffix()
    refs = _tail_first(v.refs, suffix)
    if refs is v.refs:
        return v
    return Value.unknown(v.reason, v.span, refs, v.known_prefix(), suffix)


def _tail_first(refs: tuple[str, ...], suffix: str) -> tuple[str, ...]:
    """`refs` with the pseudo-reference of the known tail `suffix` first, when it has one."""
    ref = id_tail_ref(suffix)
    return refs if ref is None else (ref, *[r for r in refs if r != ref])


def partly_known(unknown: Value, pieces: list[str | Value]) -> Value:
    """`unknown` (a string built from `pieces`) with the text the pieces are known to start and end
    with; known pieces are rendered as `string()` renders them."""
    prefix, suffix = _known_ends(pieces)
    return Value.unknown(unknown.reason, unknown.span, unknown.refs, prefix, suffix)


def unknown_string(gaps: list[Value], pieces: list[str | Value], span: Span | None, what: str) -> Value:
    """`with_id_tail(partly_known(unknown_from(gaps, span, what), pieces))` built at once: the
    unknown string made of `pieces`, of which `gaps` are the values not known as text (the same
    Value, without the two made on the way; every Bicep interpolation of an unknown comes here)."""
    reason, refs = unknowns.unknown_parts(gaps, what, deep=True)
    prefix, suffix = _known_ends(pieces)
    return Value.unknown(reason, span, _tail_first(refs, suffix), prefix, suffix)


def _known_ends(pieces: list[str | Value]) -> tuple[str, str]:
    """What the string made of `pieces` is known to start and end with, charged to the budget."""
    prefix, suffix = unknowns.known_ends(pieces, _text_of)
    _budget.current().string(len(prefix) + len(suffix))
    return prefix, suffix


def _text_of(v: Value) -> str | None:
    return _str_of(v) if v.state is _KNOWN else None


def _need(args: list[Value], span: Span | None, name: str, deep: bool = True) -> Value | None:
    for a in args:
        if a.state is not _KNOWN:
            return unknown_from(args, span, f"{name}() of an unknown value")
        if deep:
            _walk_cost(a)
            if not _fully_known(a):
                return unknown_from(args, span, f"{name}() of an unknown value")
    return None


def _strs(args: list[Value]) -> list[str]:
    out = []
    for a in args:
        s = _str_of(a)
        if s is None:
            raise Rejected("not a string")
        out.append(s)
    return out


def _int(v: Value, what: str = "an integer") -> int:
    """An integer argument (a whole number written as a float counts)."""
    d = v.data
    if isinstance(d, bool) or not isinstance(d, (int, float)):
        raise Rejected(f"{what} expected")
    if isinstance(d, float):
        if not d.is_integer():
            raise Rejected(f"{what} expected")
        d = int(d)
    if not _INT_MIN <= d <= _INT_MAX:
        raise Rejected("integer out of range")
    return d


def _list(v: Value) -> list[Value]:
    if not isinstance(v.data, list):
        raise Rejected("an array expected")
    return v.data


def _charge_str(s: str) -> str:
    _budget.current().string(len(s))
    return s


@_fn("concat", arity=(1, None))
def _concat(args: list[Value], span: Span | None) -> Value:
    if all(a.state is _KNOWN and isinstance(a.data, list) for a in args):
        _budget.current().collection(sum(len(a.data) for a in args))
        items: list[Value] = []
        for a in args:
            items.extend(a.data)
        return built(Value.known(items, span), charged=True)
    u = _need(args, span, "concat")
    if u is None:
        parts = _strs(args)
        _budget.current().string(sum(map(len, parts)))
        return Value.known("".join(parts), span)
    if any(a.state is _KNOWN and isinstance(a.data, (dict, list)) for a in args):
        return u  # arrays (or a mistake): no string to know the ends of
    # The known text around the unknown arguments: a URL's scheme, a child id's tail.
    return with_id_tail(partly_known(u, args))


@_fn("union", arity=(1, None))
def _union(args: list[Value], span: Span | None) -> Value:
    if _objects_or_either(args):
        return _union_of_branches(args, span)
    u = _need(args, span, "union", deep=False)
    if u:
        return u
    if all(isinstance(a.data, dict) for a in args):
        return merge_objects(args, span)
    if all(isinstance(a.data, list) for a in args):
        u = _need(args, span, "union")
        if u:
            return u
        _budget.current().collection(sum(len(a.data) for a in args))
        seen: set[str] = set()
        out: list[Value] = []
        for a in args:
            for m in a.data:
                k = _key(m)
                if k not in seen:
                    seen.add(k)
                    out.append(m)
        return built(Value.known(out, span), charged=True)
    raise Rejected("union of mixed types")


@_fn("intersection", arity=(1, None))
def _intersection(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "intersection")
    if u:
        return u
    first = args[0]
    if all(isinstance(a.data, dict) for a in args):
        _budget.current().collection(len(first.data))
        out = {
            k: m
            for k, m in first.data.items()
            if all(k in a.data for a in args[1:]) and all(equal(m, a.data[k]) for a in args[1:])
        }
        return built(Value.known(out, span), charged=True)
    if all(isinstance(a.data, list) for a in args):
        _budget.current().collection(len(first.data))
        rest = [{_key(m) for m in a.data} for a in args[1:]]
        kept = [m for m in first.data if all(_key(m) in r for r in rest)]
        return built(Value.known(kept, span), charged=True)
    raise Rejected("intersection of mixed types")


@_fn("contains", arity=(2, 2))
def _contains(args: list[Value], span: Span | None) -> Value:
    container, item = args[0], args[1]
    if container.state is not _KNOWN or not _fully_known(item):
        return unknown_from(args, span, "contains() of an unknown value")
    d = container.data
    if isinstance(d, dict):
        key = (_str_of(item) or "").lower()
        scan_cost(len(d) * (len(key) + 1))
        return Value.known(any(k.lower() == key for k in d), span)
    if isinstance(d, list):
        for m in d:
            if not _fully_known(m):
                return unknown_from([m], span, "contains() of an unknown element")
            if equal(m, item):
                return Value.known(True, span)
        return Value.known(False, span)
    if isinstance(d, str):
        scan_cost(len(d))
        return Value.known((_str_of(item) or "") in d, span)
    raise Rejected("contains() on a scalar")


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


_FORMAT_ITEM = re.compile(r"\{\{|\}\}|\{([0-9]+)(?:,[^}:]*)?(?::[^}]*)?\}")
# .NET refuses a format item's width past this (FormatException).
_FORMAT_WIDTH_LIMIT = 1_000_000


def _format_index(digits: str) -> int:
    # Past nine digits no argument list is that long (and int() refuses thousands of digits).
    return int(digits) if len(digits) <= 9 else 10**9


def _format_pieces(pattern: str, n_args: int) -> list[str | tuple[int, int]]:
    """A .NET composite format string `{index[,alignment][:formatString]}` as literal text and
    (index, alignment) items. Rejects what .NET rejects and format strings, which are not
    evaluated here (`{0:D2}` pads a number; rendering the argument as is would be a guess)."""
    pieces: list[str | tuple[int, int]] = []
    pos = 0
    for m in _FORMAT_ITEM.finditer(pattern):
        text = pattern[pos : m.start()]
        if "{" in text or "}" in text:
            raise Rejected("unbalanced braces in the format")
        pieces.append(text)
        pos = m.end()
        g = m.group()
        if m.group(1) is None:
            pieces.append(g[0])
            continue
        index = _format_index(m.group(1))
        if index >= n_args:
            raise Rejected(f"format item {{{index}}} has no argument")
        body = g[1:-1]
        if ":" in body:
            raise Rejected("format strings are not evaluated")
        width = 0
        if "," in body:
            try:
                width = int(body.split(",", 1)[1].strip())
            except ValueError:
                raise Rejected("invalid format item width") from None
            if abs(width) >= _FORMAT_WIDTH_LIMIT:
                raise Rejected("format item width too large")
        pieces.append((index, width))
    rest = pattern[pos:]
    if "{" in rest or "}" in rest:
        raise Rejected("unbalanced braces in the format")
    pieces.append(rest)
    return pieces


@_fn("format", arity=(1, None))
def _format(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "format")
    if u:
        pat = _str_of(args[0]) if args and args[0].state is _KNOWN else None
        if pat is None:
            return u
        scan_cost(len(pat))
        try:
            items = _format_pieces(pat, len(args) - 1)
        except Rejected:
            return u
        # The known text around the placeholders of unknown arguments: a URL's scheme, an id's tail.
        pieces: list[str | Value] = []
        for p in items:
            if isinstance(p, str):
                pieces.append(p)
                continue
            a, width = args[1 + p[0]], p[1]
            text = _str_of(a) if a.state is _KNOWN else None
            if text is not None:
                pieces.append(text.rjust(width) if width >= 0 else text.ljust(-width))
            else:
                pieces.append(a if width == 0 else Value.unknown(""))
        return with_id_tail(partly_known(u, pieces))
    pattern = _strs(args[:1])[0]
    scan_cost(len(pattern))
    pieces = _format_pieces(pattern, len(args) - 1)
    rest = _strs(args[1:])
    size = sum(len(p) if isinstance(p, str) else max(len(rest[p[0]]), abs(p[1])) for p in pieces)
    _budget.current().string(size)
    out = []
    for p in pieces:
        if isinstance(p, str):
            out.append(p)
        else:
            s, width = rest[p[0]], p[1]
            out.append(s.rjust(width) if width >= 0 else s.ljust(-width))
    return Value.known("".join(out), span)


def _str_fn(name: str, op: Callable[..., Any], size: Callable[..., int] | None = None) -> Fn:
    """A function of strings; `size(*strs)` is its result's length (or an upper bound), charged
    first; without it the result is as long as the first argument."""

    def f(args: list[Value], span: Span | None) -> Value:
        u = _need(args, span, name)
        if u:
            return u
        strs = _strs(args)
        scan_cost(sum(map(len, strs)))
        if size is not None:
            _budget.current().string(size(*strs))
        result = op(*strs)
        if isinstance(result, str) and size is None:
            _budget.current().string(len(result))
        return Value.known(result, span)

    return f


def _case_size(*strs: str) -> int:
    # Changing case keeps an ASCII string's length; elsewhere one character may become three
    # ('ß' -> 'SS', 'ΐ' -> three code points).
    return sum(len(s) if s.isascii() else 3 * len(s) for s in strs)


def _replace_size(s: str, old: str, new: str) -> int:
    if not old:
        raise Rejected("replace() of an empty string")
    return len(s) + s.count(old) * (len(new) - len(old))


def _replace(s: str, old: str, new: str) -> str:
    # ARM's replace() is case-sensitive and replaces every occurrence.
    return s.replace(old, new)


def _utf8_len(s: str) -> int:
    return len(s) if s.isascii() else len(s.encode("utf-8", "surrogatepass"))


def _base64(s: str) -> str:
    import base64  # base64() only: most templates never call it (start-up)

    return base64.b64encode(s.encode("utf-8", "surrogatepass")).decode("ascii")


def _pad_width(n: str) -> int:
    try:
        width = int(n)
    except ValueError:
        raise Rejected("padLeft() width is not a number") from None
    if width < 0:
        raise Rejected("padLeft() width is negative")
    return width


def _padleft(s: str, n: str, c: str = " ") -> str:
    return s.rjust(_pad_width(n), c[:1] or " ")


_register("tolower", _str_fn("toLower", str.lower, _case_size), (1, 1))
_register("toupper", _str_fn("toUpper", str.upper, _case_size), (1, 1))
_register("trim", _str_fn("trim", str.strip), (1, 1))
_register("replace", _str_fn("replace", _replace, _replace_size), (3, 3))
_register(
    "startswith", _str_fn("startsWith", lambda s, p: s.lower().startswith(p.lower()), _case_size), (2, 2)
)
_register("endswith", _str_fn("endsWith", lambda s, p: s.lower().endswith(p.lower()), _case_size), (2, 2))
_register("indexof", _str_fn("indexOf", lambda s, p: s.lower().find(p.lower()), _case_size), (2, 2))
_register("lastindexof", _str_fn("lastIndexOf", lambda s, p: s.lower().rfind(p.lower()), _case_size), (2, 2))
_register("base64", _str_fn("base64", _base64, lambda s: 4 * ((_utf8_len(s) + 2) // 3)), (1, 1))
_register("padleft", _str_fn("padLeft", _padleft, lambda s, n, c=" ": max(len(s), _pad_width(n))), (2, 3))


@_fn("substring", arity=(1, 3))
def _substring(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "substring")
    if u:
        return u
    s = _strs(args[:1])[0]
    start = _int(args[1]) if len(args) > 1 else 0
    end = start + _int(args[2]) if len(args) > 2 else len(s)
    if start < 0 or end > len(s) or start > end:
        raise Rejected("substring out of range")
    return Value.known(_charge_str(s[start:end]), span)


@_fn("split", arity=(2, 2))
def _split(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "split")
    if u:
        return u
    s = _strs(args[:1])[0]
    seps = _strs(args[1].data) if isinstance(args[1].data, list) else _strs(args[1:2])
    if not seps or "" in seps:
        raise Rejected("split() by an empty separator")
    # At most one more piece than there are separators in the string.
    scan_cost(len(s) * len(seps))
    _budget.current().collection(1 + sum(s.count(sep) for sep in seps))
    parts = [s]
    for sep in seps:
        _budget.current().step(len(parts))
        parts = [p for part in parts for p in part.split(sep)]
    return built(Value.known([Value.known(p, span) for p in parts], span), charged=True)


@_fn("join", arity=(2, 2))
def _join(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "join")
    if u:
        return u
    items = _strs(_list(args[0]))
    sep = _strs(args[1:2])[0]
    _budget.current().string(sum(map(len, items)) + len(sep) * max(len(items) - 1, 0))
    return Value.known(sep.join(items), span)


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
        raise Rejected("not a boolean")
    return Value.known(b, span)


@_fn("int")
def _int_fn(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "int")
    if u:
        return u
    d = args[0].data
    if isinstance(d, str):
        text = d.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if not digits.isascii() or not digits.isdigit() or len(digits) > 19:
            raise Rejected("not an integer")
        d = int(text)
    elif isinstance(d, float) and abs(d) < 2**63:
        d = int(d)  # math.isfinite holds: inf and nan fail the comparison
    return Value.known(_int(Value.known(d)), span)


def _json_shape(obj: Any, b: Budget) -> None:
    """Charge the members of plain JSON data and check its nesting, before wrapping it in Values."""
    limits = b.limits
    stack: list[tuple[Any, int]] = [(obj, 0)]
    members = 0
    while stack:
        x, level = stack.pop()
        if isinstance(x, (dict, list)):
            if level >= _nesting(b):
                raise _too_deep(_nesting(b))
            members += len(x)
            if members > limits.collection_items:
                raise _too_big(limits.collection_items)
            stack.extend((m, level + 1) for m in (x.values() if isinstance(x, dict) else x))
    b.step(members)
    b.collection(members)


@_fn("json")
def _json(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "json")
    if u:
        return u
    text = _strs(args)[0]
    scan_cost(len(text))
    try:
        obj = json.loads(text)
    except RecursionError:
        raise Rejected("JSON nested too deeply") from None
    except ValueError:
        raise Rejected("not valid JSON") from None
    _json_shape(obj, _budget.current())
    return Value.of(obj, span)


@_fn("array")
def _array(args: list[Value], span: Span | None) -> Value:
    v = args[0]
    if v.state is _KNOWN and isinstance(v.data, list):
        return v.at(span)
    return built(Value.known([v], span))


@_fn("createarray", arity=(0, None))
def _createarray(args: list[Value], span: Span | None) -> Value:
    return built(Value.known(list(args), span))


@_fn("createobject", arity=(0, None))
def _createobject(args: list[Value], span: Span | None) -> Value:
    if len(args) % 2:
        raise Rejected("createObject() needs key and value pairs")
    keys = args[0::2]
    u = _need(keys, span, "createObject")
    if u:
        return u
    return built(Value.known(dict(zip(_strs(keys), args[1::2], strict=True)), span))


@_fn("coalesce", arity=(1, None))
def _coalesce(args: list[Value], span: Span | None) -> Value:
    for a in args:
        if a.state is not _KNOWN:
            return unknown_from([a], span, "coalesce() of an unknown value")
        if a.data is not None:
            return a.at(span)
    return Value.known(None, span)


@_fn("if", arity=(3, 3))
def _if(args: list[Value], span: Span | None) -> Value:
    c = truthy(args[0])
    if c is None:
        return unknown_from(args[:1], span, "condition is unknown")
    return (args[1] if c else args[2]).at(span)


@_fn("equals", arity=(2, 2))
def _equals(args: list[Value], span: Span | None) -> Value:
    e = equal(args[0], args[1])
    return unknown_from(args, span, "equals() of an unknown value") if e is None else Value.known(e, span)


@_fn("not")
def _not(args: list[Value], span: Span | None) -> Value:
    c = truthy(args[0])
    return unknown_from(args, span, "not() of an unknown value") if c is None else Value.known(not c, span)


@_fn("and", arity=(1, None))
def _and(args: list[Value], span: Span | None) -> Value:
    vals = [truthy(a) for a in args]
    if False in vals:
        return Value.known(False, span)
    if None in vals:
        return unknown_from(args, span, "and() of an unknown value")
    return Value.known(True, span)


@_fn("or", arity=(1, None))
def _or(args: list[Value], span: Span | None) -> Value:
    vals = [truthy(a) for a in args]
    if True in vals:
        return Value.known(True, span)
    if None in vals:
        return unknown_from(args, span, "or() of an unknown value")
    return Value.known(False, span)


def _comparable(v: Value) -> int | float | str:
    d = v.data
    if isinstance(d, str) or (isinstance(d, (int, float)) and not isinstance(d, bool)):
        return d
    raise Rejected("a number or a string expected")


def _compare(name: str, op: Callable[[Any, Any], bool]) -> Fn:
    def f(args: list[Value], span: Span | None) -> Value:
        u = _need(args, span, name)
        if u:
            return u
        a, b = _comparable(args[0]), _comparable(args[1])
        if isinstance(a, str) != isinstance(b, str):
            raise Rejected("a number compared with a string")
        return Value.known(op(a, b), span)

    return f


_register("greater", _compare("greater", lambda a, b: a > b), (2, 2))
_register("greaterorequals", _compare("greaterOrEquals", lambda a, b: a >= b), (2, 2))
_register("less", _compare("less", lambda a, b: a < b), (2, 2))
_register("lessorequals", _compare("lessOrEquals", lambda a, b: a <= b), (2, 2))


def _quotient(a: int, b: int) -> int:
    """Integer division truncating toward zero (as .NET does), exactly."""
    if b == 0:
        raise Rejected("division by zero")
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _arith(name: str, op: Callable[[int, int], int]) -> Fn:
    def f(args: list[Value], span: Span | None) -> Value:
        u = _need(args, span, name)
        if u:
            return u
        result = op(_int(args[0]), _int(args[1]))
        if not _INT_MIN <= result <= _INT_MAX:
            raise Rejected("integer overflow")
        return Value.known(result, span)

    return f


_register("add", _arith("add", lambda a, b: a + b), (2, 2))
_register("sub", _arith("sub", lambda a, b: a - b), (2, 2))
_register("mul", _arith("mul", lambda a, b: a * b), (2, 2))
_register("div", _arith("div", _quotient), (2, 2))
_register("mod", _arith("mod", lambda a, b: a - b * _quotient(a, b)), (2, 2))


def _minmax(pick: Callable[[list[Any]], Any]) -> Fn:
    def f(args: list[Value], span: Span | None) -> Value:
        u = _need(args, span, "min/max")
        if u:
            return u
        nums = [m.data for a in args for m in (a.data if isinstance(a.data, list) else [a])]
        if not nums or any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in nums):
            raise Rejected("numbers expected")
        return Value.known(pick(nums), span)

    return f


_register("min", _minmax(min), (1, None))
_register("max", _minmax(max), (1, None))


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
        raise Rejected("first()/last() of a scalar")

    return f


_register("first", _first_last(False), (1, 1))
_register("last", _first_last(True), (1, 1))


def _slice(take: bool) -> Fn:
    def f(args: list[Value], span: Span | None) -> Value:
        v, n = args[0], args[1]
        if v.state is not _KNOWN or n.state is not _KNOWN:
            return unknown_from(args, span, "skip()/take() of an unknown value")
        k = max(0, _int(n))
        d = v.data
        if isinstance(d, str):
            return Value.known(_charge_str(d[:k] if take else d[k:]), span)
        if isinstance(d, list):
            _budget.current().collection(len(d[:k]) if take else max(len(d) - k, 0))
            return built(Value.known(d[:k] if take else d[k:], span), charged=True)
        raise Rejected("skip()/take() of a scalar")

    return f


_register("skip", _slice(False), (2, 2))
_register("take", _slice(True), (2, 2))


@_fn("range", arity=(2, 2))
def _range(args: list[Value], span: Span | None) -> Value:
    u = _need(args, span, "range")
    if u:
        return u
    start, count = _int(args[0]), _int(args[1])
    # ARM's own limits: a count up to 10,000, ending within a 32-bit integer.
    if count > 10000 or count < 0 or start + count > 2**31 - 1:
        raise Rejected("range out of bounds")
    _budget.current().collection(count)
    return Value.known([Value.known(i, span) for i in range(start, start + count)], span)


@_fn("items")
def _items(args: list[Value], span: Span | None) -> Value:
    v = args[0]
    if v.state is not _KNOWN or not isinstance(v.data, dict):
        return unknown_from(args, span, "items() of an unknown value")
    _budget.current().collection(3 * len(v.data))
    return built(
        Value.known(
            [
                Value.known({"key": Value.known(k, m.span), "value": m}, m.span)
                for k, m in sorted(v.data.items(), key=lambda kv: kv[0].lower())
            ],
            span,
        ),
        charged=True,
    )


@_fn("objectkeys")
def _objectkeys(args: list[Value], span: Span | None) -> Value:
    v = args[0]
    if v.state is not _KNOWN or not isinstance(v.data, dict):
        return unknown_from(args, span, "objectKeys() of an unknown value")
    return built(Value.known([Value.known(k, m.span) for k, m in v.data.items()], span))


@_fn("resourceid", "subscriptionresourceid", "tenantresourceid", "extensionresourceid", arity=(0, None))
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
    _budget.current().string(len(rtype) + len(name))
    ref = (resolve(rtype, name) if resolve else None) or f"{rtype}:{name}"
    return Value.unknown(f"resource id of {clip(rtype)} '{clip(name)}'", span, (ref,))
