"""Terraform built-in functions used around API gateways, evaluated on `Value`s.

Structural functions (merge, lookup, concat, ...) work on Values, so members keep their spans and
unknown members stay unknown without making the whole result unknown. String and number functions
need fully known arguments; otherwise the result is unknown and carries every `refs` of the
arguments. Functions that depend on the outside world (timestamp, uuid, cidrsubnet, ...) are simply
not listed: the evaluator makes any unlisted function unknown.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import re
import urllib.parse
from collections.abc import Callable
from typing import Any

from iaclint.lang.terraform.evaluate import (
    MAX_ITEMS,
    Ctx,
    Evaluator,
    LazyObject,
    equal,
    error,
    first_unknown,
    fully_known,
    is_error,
    merge_refs,
    num,
    to_bool,
    to_number,
    to_str,
    unknown_of,
)
from iaclint.source import Span
from iaclint.values import State, Value

Fn = Callable[[Evaluator, list[Value], Span | None, Ctx], Value]
FUNCTIONS: dict[str, Fn] = {}

_KNOWN = State.KNOWN
_UNKNOWN = State.UNKNOWN
MAX_READ_BYTES = 5 * 1024 * 1024


def _norm(obj: Any) -> Any:
    """Plain data with integral floats as ints (HCL has one number type)."""
    if isinstance(obj, float):
        return num(obj)
    if isinstance(obj, dict):
        return {str(k): _norm(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_norm(v) for v in obj]
    return obj


def _unknown_args(args: list[Value], span: Span | None, name: str) -> Value | None:
    """Unknown (with the refs of all arguments) when some argument is not fully known."""
    if all(fully_known(a) for a in args):
        return None
    found = [u for u in (first_unknown(a) for a in args) if u is not None]
    errs = [u for u in found if is_error(u)]
    if errs:
        return Value.unknown(errs[0].reason, span, merge_refs(found))
    reason = found[0].reason if found else "unknown argument"
    return Value.unknown(f"{name}() of an unknown value: {reason}", span, merge_refs(found))


def pure(name: str, arity: tuple[int, int] = (0, 99)) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function over plain Python data; it runs only when every argument is known."""

    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        def call(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
            if not arity[0] <= len(args) <= arity[1]:
                return error(f"{name}() takes {arity[0]}..{arity[1]} arguments, got {len(args)}", span)
            unk = _unknown_args(args, span, name)
            if unk is not None:
                return unk
            result = f(*[a.py() for a in args])
            return Value.of(_norm(result), span).with_refs(merge_refs(args))

        FUNCTIONS[name] = call
        return f

    return wrap


def value_fn(name: str) -> Callable[[Fn], Fn]:
    def wrap(f: Fn) -> Fn:
        FUNCTIONS[name] = f
        return f

    return wrap


def _s(x: Any) -> str:
    """A primitive converted to string as Terraform does implicitly."""
    s = to_str(Value.known(x))
    if s is None:
        raise TypeError(f"expected a string, got {_type_name(x)}")
    return s


def _n(x: Any) -> int | float:
    n = to_number(Value.known(x))
    if n is None:
        raise TypeError(f"expected a number, got {_type_name(x)}")
    return n


def _type_name(x: Any) -> str:
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, (int, float)):
        return "number"
    if isinstance(x, str):
        return "string"
    if isinstance(x, list):
        return "list"
    return "object"


# -- encoding -----------------------------------------------------------------------------------
def json_compact(obj: Any) -> str:
    """Terraform's jsonencode: compact, keys sorted, `<`, `>`, `&` escaped as Go's encoder does."""
    text = json.dumps(_norm(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def encodable(v: Value) -> Value:
    """`v` as a document to keep beside an unknown encoding: lazy resource objects become unknown
    (their members are apply-time attributes, and reading them later must not evaluate)."""
    if v.state is not _KNOWN:
        return Value(v.state, None, v.span, v.reason, v.refs, v.via)
    d = v.data
    if isinstance(d, LazyObject):
        return Value.unknown("object with attributes known only after apply", v.span, d.refs)
    if isinstance(d, dict):
        return Value(_KNOWN, {k: encodable(m) for k, m in d.items()}, v.span, "", v.refs, v.via)
    if isinstance(d, list):
        return Value(_KNOWN, [encodable(m) for m in d], v.span, "", v.refs, v.via)
    return v


def unknown_encoding(unknown: Value, document: Value) -> Value:
    """An unknown string that still carries the document it encodes (`data` is a Value): policy
    readers can see its structure (a condition key) when only a leaf (an ARN) is unknown."""
    if is_error(unknown) or document.state is not _KNOWN:
        return unknown
    try:
        structure = encodable(document)
    except RecursionError:
        return unknown
    return Value(_UNKNOWN, structure, unknown.span, unknown.reason, unknown.refs)


@value_fn("jsonencode")
def _jsonencode(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    if len(args) != 1:
        return error(f"jsonencode() takes 1..1 arguments, got {len(args)}", span)
    unk = _unknown_args(args, span, "jsonencode")
    if unk is not None:
        return unknown_encoding(unk, args[0])
    return Value.of(json_compact(args[0].py()), span).with_refs(merge_refs(args))


@pure("jsondecode", (1, 1))
def _jsondecode(s: Any) -> Any:
    return json.loads(_s(s))


@pure("yamlencode", (1, 1))
def _yamlencode(x: Any) -> str:
    import yaml

    return yaml.safe_dump(_norm(x), sort_keys=True, default_flow_style=False, allow_unicode=True)


@pure("yamldecode", (1, 1))
def _yamldecode(s: Any) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(_s(s), Loader=loader)
    except yaml.YAMLError as err:
        raise ValueError(f"invalid YAML: {err}") from None


@pure("base64encode", (1, 1))
def _b64e(s: Any) -> str:
    return base64.b64encode(_s(s).encode()).decode()


@pure("base64decode", (1, 1))
def _b64d(s: Any) -> str:
    return base64.b64decode(_s(s).encode(), validate=True).decode("utf-8")


def _hash(name: str, algo: str) -> None:
    @pure(name, (1, 1))
    def f(s: Any) -> str:
        return hashlib.new(algo, _s(s).encode()).hexdigest()


for _name, _algo in (("md5", "md5"), ("sha1", "sha1"), ("sha256", "sha256"), ("sha512", "sha512")):
    _hash(_name, _algo)


@pure("urlencode", (1, 1))
def _urlencode(s: Any) -> str:
    return urllib.parse.quote_plus(_s(s))


# -- strings ------------------------------------------------------------------------------------
@pure("lower", (1, 1))
def _lower(s: Any) -> str:
    return _s(s).lower()


@pure("upper", (1, 1))
def _upper(s: Any) -> str:
    return _s(s).upper()


@pure("title", (1, 1))
def _title(s: Any) -> str:
    out = []
    prev_sep = True
    for ch in _s(s):
        out.append(ch.upper() if prev_sep else ch)
        prev_sep = not (ch.isalnum() or ch == "_")
    return "".join(out)


@pure("trimspace", (1, 1))
def _trimspace(s: Any) -> str:
    return _s(s).strip()


@pure("trim", (2, 2))
def _trim(s: Any, chars: Any) -> str:
    return _s(s).strip(_s(chars))


@pure("trimprefix", (2, 2))
def _trimprefix(s: Any, p: Any) -> str:
    s, p = _s(s), _s(p)
    return s[len(p) :] if p and s.startswith(p) else s


@pure("trimsuffix", (2, 2))
def _trimsuffix(s: Any, p: Any) -> str:
    s, p = _s(s), _s(p)
    return s[: -len(p)] if p and s.endswith(p) else s


@pure("chomp", (1, 1))
def _chomp(s: Any) -> str:
    return _s(s).rstrip("\r\n")


@pure("strrev", (1, 1))
def _strrev(s: Any) -> str:
    return _s(s)[::-1]


@pure("indent", (2, 2))
def _indent(n: Any, s: Any) -> str:
    pad = " " * int(_n(n))
    return _s(s).replace("\n", "\n" + pad)


@pure("startswith", (2, 2))
def _startswith(s: Any, p: Any) -> bool:
    return _s(s).startswith(_s(p))


@pure("endswith", (2, 2))
def _endswith(s: Any, p: Any) -> bool:
    return _s(s).endswith(_s(p))


@pure("strcontains", (2, 2))
def _strcontains(s: Any, p: Any) -> bool:
    return _s(p) in _s(s)


@pure("substr", (3, 3))
def _substr(s: Any, offset: Any, length: Any) -> str:
    s = _s(s)
    off, ln = int(_n(offset)), int(_n(length))
    if off < 0:
        off = max(len(s) + off, 0)
    if off > len(s):
        raise ValueError("offset beyond the end of the string")
    return s[off:] if ln < 0 else s[off : off + ln]


@pure("split", (2, 2))
def _split(sep: Any, s: Any) -> list[str]:
    sep, s = _s(sep), _s(s)
    if sep == "":
        return list(s)
    return s.split(sep)


@pure("join", (2, 99))
def _join(sep: Any, *lists: Any) -> str:
    items: list[str] = []
    for lst in lists:
        if not isinstance(lst, list):
            raise TypeError("join() needs lists")
        items.extend(_s(x) for x in lst)
    return _s(sep).join(items)


_GO_GROUP = re.compile(r"\$(\d+|\{\w+\})")


def _go_replacement(rep: str) -> str:
    # Go's $1 / ${name} become Python's \g<1> / \g<name>; backslashes are literal in Go.
    rep = rep.replace("\\", "\\\\")
    return _GO_GROUP.sub(lambda m: "\\g<" + m.group(1).strip("{}") + ">", rep)


@pure("replace", (3, 3))
def _replace(s: Any, sub: Any, rep: Any) -> str:
    s, sub, rep = _s(s), _s(sub), _s(rep)
    if len(sub) >= 2 and sub.startswith("/") and sub.endswith("/"):
        return re.sub(sub[1:-1], _go_replacement(rep), s)
    return s.replace(sub, rep)


def _regex_result(m: re.Match[str]) -> Any:
    pattern = m.re
    if pattern.groupindex:
        return {k: (m.group(k) or "") for k in pattern.groupindex}
    if pattern.groups:
        return [g or "" for g in m.groups()]
    return m.group(0)


@pure("regex", (2, 2))
def _regex(pattern: Any, s: Any) -> Any:
    m = re.search(_s(pattern), _s(s))
    if m is None:
        raise ValueError("pattern did not match")
    return _regex_result(m)


@pure("regexall", (2, 2))
def _regexall(pattern: Any, s: Any) -> list[Any]:
    return [_regex_result(m) for m in re.finditer(_s(pattern), _s(s))]


_FORMAT_VERB = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*)(\d+|\*)?(?:\.(\d+))?([a-zA-Z%])")


def go_format(fmt: str, args: list[Any]) -> str:
    out: list[str] = []
    pos = 0
    argi = 0
    for m in _FORMAT_VERB.finditer(fmt):
        out.append(fmt[pos : m.start()])
        pos = m.end()
        explicit, flags, width, prec, verb = m.groups()
        if verb == "%":
            out.append("%")
            continue
        if explicit:
            argi = int(explicit) - 1
        if argi >= len(args):
            raise ValueError("not enough arguments for format string")
        a = args[argi]
        argi += 1
        if verb == "s":
            text = _s(a) if not isinstance(a, (list, dict)) else json_compact(a)
            if prec is not None:
                text = text[: int(prec)]
        elif verb == "d":
            n = _n(a)
            if int(n) != n:
                raise ValueError("%d needs a whole number")
            text = str(int(n))
            if "+" in flags and n >= 0:
                text = "+" + text
        elif verb in ("f", "e", "g"):
            text = (
                format(float(_n(a)), f".{prec or 6}{verb}")
                if verb == "f" or prec
                else format(float(_n(a)), verb)
            )
        elif verb == "q":
            text = json.dumps(_s(a), ensure_ascii=False)
        elif verb == "v":
            text = json_compact(a) if isinstance(a, (list, dict)) else ("null" if a is None else _s(a))
            if "#" in flags:
                text = json_compact(a)
        elif verb == "t":
            if not isinstance(a, bool):
                raise TypeError("%t needs a bool")
            text = "true" if a else "false"
        elif verb in ("x", "X"):
            text = format(int(_n(a)), verb) if not isinstance(a, str) else a.encode().hex()
            text = text.upper() if verb == "X" else text
        elif verb == "o":
            text = format(int(_n(a)), "o")
        elif verb == "b":
            text = format(int(_n(a)), "b")
        else:
            raise ValueError(f"unsupported format verb %{verb}")
        if width and width != "*":
            w = int(width)
            if "-" in flags:
                text = text.ljust(w)
            elif "0" in flags and verb in "dfeg":
                sign = text[0] if text[:1] in "+-" else ""
                text = sign + text[len(sign) :].rjust(w - len(sign), "0")
            else:
                text = text.rjust(w)
        out.append(text)
    out.append(fmt[pos:])
    return "".join(out)


@pure("format", (1, 99))
def _format(fmt: Any, *args: Any) -> str:
    return go_format(_s(fmt), list(args))


@pure("formatlist", (1, 99))
def _formatlist(fmt: Any, *args: Any) -> list[str]:
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise ValueError("formatlist() lists must have the same length")
    n = lengths.pop() if lengths else 1
    return [go_format(_s(fmt), [a[i] if isinstance(a, list) else a for a in args]) for i in range(n)]


# -- numbers --------------------------------------------------------------------------------------
@pure("min", (1, 99))
def _min(*xs: Any) -> Any:
    return min(_n(x) for x in xs)


@pure("max", (1, 99))
def _max(*xs: Any) -> Any:
    return max(_n(x) for x in xs)


@pure("abs", (1, 1))
def _abs(x: Any) -> Any:
    return abs(_n(x))


@pure("ceil", (1, 1))
def _ceil(x: Any) -> int:
    return math.ceil(_n(x))


@pure("floor", (1, 1))
def _floor(x: Any) -> int:
    return math.floor(_n(x))


@pure("signum", (1, 1))
def _signum(x: Any) -> int:
    n = _n(x)
    return (n > 0) - (n < 0)


@pure("pow", (2, 2))
def _pow(x: Any, y: Any) -> Any:
    r = float(_n(x)) ** float(_n(y))
    if math.isinf(r) or math.isnan(r):
        raise ValueError("number out of range")
    return r


@pure("parseint", (2, 2))
def _parseint(s: Any, base: Any) -> int:
    return int(_s(s), int(_n(base)))


@pure("sum", (1, 1))
def _sum(xs: Any) -> Any:
    if not isinstance(xs, list) or not xs:
        raise ValueError("sum() needs a non-empty list")
    return sum(_n(x) for x in xs)


@pure("range", (1, 3))
def _range(*xs: Any) -> list[Any]:
    nums = [_n(x) for x in xs]
    start, step = 0, 1
    if len(nums) == 1:
        end = nums[0]
    elif len(nums) == 2:
        start, end = nums
    else:
        start, end, step = nums
    if step == 0:
        raise ValueError("range() step must not be zero")
    count = max(0, math.ceil((end - start) / step))
    if count > MAX_ITEMS:
        raise ValueError("range() too long to evaluate")
    return [start + i * step for i in range(count)]


# -- conversions ----------------------------------------------------------------------------------
def _primitive_conversion(name: str, convert: Callable[[Value], Any], what: Callable[[Value], str]) -> None:
    """tostring/tonumber/tobool: unknowns pass through, null stays null, a value that does not
    convert is an invalid expression naming what was given."""

    def fn(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
        if len(args) != 1:
            return error(f"{name}() takes 1 argument", span)
        a = args[0]
        if a.state is not _KNOWN:
            return a
        if a.data is None:
            return Value.known(None, span)
        out = convert(a)
        return error(f"{name}() of {what(a)}", span) if out is None else Value.known(out, span, a.refs)

    value_fn(name)(fn)


_primitive_conversion("tostring", to_str, lambda a: "a collection")
_primitive_conversion("tonumber", to_number, lambda a: repr(a.data))
_primitive_conversion("tobool", to_bool, lambda a: repr(a.data))


def _identity(kind: type) -> Fn:
    def f(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
        if len(args) != 1:
            return error("conversion takes 1 argument", span)
        a = args[0]
        if a.state is not _KNOWN or a.data is None:
            return a
        if not isinstance(a.data, kind):
            return error(f"cannot convert {_type_name(a.data)} to {'list' if kind is list else 'map'}", span)
        return a

    return f


FUNCTIONS["tolist"] = _identity(list)
FUNCTIONS["tomap"] = _identity(dict)
FUNCTIONS["sensitive"] = lambda ev, args, span, ctx: (
    args[0] if len(args) == 1 else error("one argument", span)
)
FUNCTIONS["nonsensitive"] = FUNCTIONS["sensitive"]


@value_fn("toset")
def _toset(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    if len(args) != 1:
        return error("toset() takes 1 argument", span)
    a = args[0]
    if a.state is not _KNOWN or a.data is None:
        return a
    if not isinstance(a.data, list):
        return error("toset() needs a list", span)
    if not fully_known(a):
        return a
    items = _distinct(a.data)
    if all(isinstance(x.data, str) for x in items):
        items = sorted(items, key=lambda x: x.data)
    return Value.known(items, span, a.refs)


def _distinct(items: list[Value]) -> list[Value]:
    out: list[Value] = []
    for x in items:
        if not any(equal(x, y) for y in out):
            out.append(x)
    return out


# -- collections ----------------------------------------------------------------------------------
def _args(n: int, name: str, args: list[Value], span: Span | None) -> Value | None:
    if len(args) != n:
        return error(f"{name}() takes {n} argument{'s' if n != 1 else ''}, got {len(args)}", span)
    return None


def _need(v: Value, kind: type | tuple[type, ...], name: str, span: Span | None) -> Value | None:
    """None when `v` is a known container of `kind`; else the unknown/error result to return."""
    if v.state is _UNKNOWN:
        return Value.unknown(v.reason, span, v.refs)
    if v.state is not _KNOWN:
        return error(f"{name}() of an absent value", span)
    if isinstance(v.data, LazyObject):
        return Value.unknown(f"{name}() of an object known only after apply", span, v.data.refs)
    if not isinstance(v.data, kind):
        return error(f"{name}() of a {_type_name(v.data)}", span)
    return None


@value_fn("length")
def _length(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "length", args, span)
    if bad:
        return bad
    bad = _need(args[0], (list, dict, str), "length", span)
    return bad or Value.known(len(args[0].data), span, args[0].refs)


@value_fn("keys")
def _keys(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "keys", args, span) or _need(args[0], dict, "keys", span)
    if bad:
        return bad
    return Value.known([Value.known(k, span) for k in sorted(args[0].data)], span, args[0].refs)


@value_fn("values")
def _values(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "values", args, span) or _need(args[0], dict, "values", span)
    if bad:
        return bad
    d = args[0].data
    return Value.known([d[k] for k in sorted(d)], span, args[0].refs)


@value_fn("lookup")
def _lookup(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    if len(args) not in (2, 3):
        return error("lookup() takes 2 or 3 arguments", span)
    m, key = args[0], args[1]
    if key.state is not _KNOWN:
        return unknown_of([key, m], span)
    bad = _need(m, dict, "lookup", span)
    if bad:
        return bad
    k = to_str(key)
    if k is None:
        return error("lookup() key is not a string", span)
    found = m.data.get(k)
    if found is not None:
        return found
    if len(args) == 3:
        return args[2]
    return error(f"lookup(): no key {k!r} and no default", span)


@value_fn("merge")
def _merge(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    out: dict[str, Value] = {}
    for a in args:
        if a.state is _KNOWN and a.data is None:
            continue
        bad = _need(a, dict, "merge", span)
        if bad:
            return Value.unknown(bad.reason, span, merge_refs(args))
        out.update(a.data)
    return Value.known(out, span)


@value_fn("concat")
def _concat(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    out: list[Value] = []
    for a in args:
        bad = _need(a, list, "concat", span)
        if bad:
            return Value.unknown(bad.reason, span, merge_refs(args)) if not is_error(bad) else bad
        out.extend(a.data)
    return Value.known(out, span)


@value_fn("element")
def _element(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(2, "element", args, span) or _need(args[0], list, "element", span)
    if bad:
        return bad
    if args[1].state is not _KNOWN:
        return unknown_of([args[1]], span)
    lst = args[0].data
    i = to_number(args[1])
    if i is None or not lst:
        return error("element() needs a non-empty list and a number", span)
    return lst[int(i) % len(lst)]


@value_fn("flatten")
def _flatten(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "flatten", args, span) or _need(args[0], list, "flatten", span)
    if bad:
        return bad
    out: list[Value] = []

    def walk(items: list[Value], depth: int) -> Value | None:
        for x in items:
            if x.state is _UNKNOWN:
                return Value.unknown(f"flatten() of an unknown element: {x.reason}", span, x.refs)
            if isinstance(x.data, list) and not isinstance(x.data, LazyObject):
                if depth > 50:
                    return error("flatten(): nested too deeply", span)
                r = walk(x.data, depth + 1)
                if r is not None:
                    return r
            else:
                out.append(x)
        return None

    r = walk(args[0].data, 0)
    return r or Value.known(out, span)


@value_fn("compact")
def _compact(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "compact", args, span) or _need(args[0], list, "compact", span)
    if bad:
        return bad
    items = args[0].data
    unk = [x for x in items if x.state is _UNKNOWN]
    if unk:
        return unknown_of(unk, span, "compact()")
    return Value.known([x for x in items if x.data is not None and x.data != ""], span)


@value_fn("distinct")
def _distinct_fn(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "distinct", args, span) or _need(args[0], list, "distinct", span)
    if bad:
        return bad
    unk = _unknown_args(args, span, "distinct")
    return unk or Value.known(_distinct(args[0].data), span)


@value_fn("reverse")
def _reverse(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "reverse", args, span) or _need(args[0], list, "reverse", span)
    return bad or Value.known(list(reversed(args[0].data)), span)


@value_fn("slice")
def _slice(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(3, "slice", args, span) or _need(args[0], list, "slice", span)
    if bad:
        return bad
    if any(a.state is not _KNOWN for a in args[1:]):
        return unknown_of(args[1:], span)
    a, b = to_number(args[1]), to_number(args[2])
    lst = args[0].data
    if a is None or b is None or not 0 <= a <= b <= len(lst):
        return error("slice() indexes out of range", span)
    return Value.known(lst[int(a) : int(b)], span)


@value_fn("one")
def _one(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "one", args, span) or _need(args[0], list, "one", span)
    if bad:
        return bad
    lst = args[0].data
    if not lst:
        return Value.known(None, span)
    if len(lst) > 1:
        return error("one() of a list with more than one element", span)
    return lst[0]


@value_fn("contains")
def _contains(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(2, "contains", args, span) or _need(args[0], list, "contains", span)
    if bad:
        return bad
    needle = args[1]
    if not fully_known(needle):
        return unknown_of([needle], span)
    if any(fully_known(x) and equal(x, needle) for x in args[0].data):
        return Value.known(True, span)
    if not fully_known(args[0]):
        return unknown_of([u for u in (first_unknown(x) for x in args[0].data) if u], span, "contains()")
    return Value.known(False, span)


@value_fn("index")
def _index_fn(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(2, "index", args, span) or _need(args[0], list, "index", span)
    if bad:
        return bad
    unk = _unknown_args(args, span, "index")
    if unk:
        return unk
    for i, x in enumerate(args[0].data):
        if equal(x, args[1]):
            return Value.known(i, span)
    return error("index(): value not found", span)


@value_fn("zipmap")
def _zipmap(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = (
        _args(2, "zipmap", args, span)
        or _need(args[0], list, "zipmap", span)
        or _need(args[1], list, "zipmap", span)
    )
    if bad:
        return bad
    keys, vals = args[0].data, args[1].data
    if len(keys) != len(vals):
        return error("zipmap() lists differ in length", span)
    out: dict[str, Value] = {}
    for k, v in zip(keys, vals, strict=True):
        if k.state is not _KNOWN:
            return unknown_of([k], span, "zipmap() key")
        ks = to_str(k)
        if ks is None:
            return error("zipmap() key is not a string", span)
        out[ks] = v
    return Value.known(out, span)


@pure("sort", (1, 1))
def _sort(xs: Any) -> list[str]:
    if not isinstance(xs, list):
        raise TypeError("sort() needs a list")
    return sorted(_s(x) for x in xs)


@pure("alltrue", (1, 1))
def _alltrue(xs: Any) -> bool:
    return all(to_bool(Value.known(x)) for x in xs)


@pure("anytrue", (1, 1))
def _anytrue(xs: Any) -> bool:
    return any(to_bool(Value.known(x)) for x in xs)


@pure("basename", (1, 1))
def _basename(p: Any) -> str:
    return os.path.basename(_s(p))


@pure("dirname", (1, 1))
def _dirname(p: Any) -> str:
    return os.path.dirname(_s(p)) or "."


# -- error handling -------------------------------------------------------------------------------
@value_fn("try")
def _try(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    for a in args:
        if is_error(a):
            continue
        return a
    return error("try(): no argument could be evaluated", span)


@value_fn("can")
def _can(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "can", args, span)
    if bad:
        return bad
    a = args[0]
    if is_error(a):
        return Value.known(False, span)
    if a.state is _UNKNOWN:
        return Value.unknown(a.reason, span, a.refs)
    return Value.known(True, span)


@value_fn("coalesce")
def _coalesce(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    for a in args:
        if a.state is _UNKNOWN:
            return Value.unknown(f"coalesce() of an unknown value: {a.reason}", span, a.refs)
        if a.state is _KNOWN and a.data is not None and a.data != "":
            return a
    return error("coalesce(): no non-null, non-empty argument", span)


@value_fn("coalescelist")
def _coalescelist(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    for a in args:
        bad = _need(a, list, "coalescelist", span)
        if bad:
            return bad
        if a.data:
            return a
    return error("coalescelist(): all lists are empty", span)


# -- files --------------------------------------------------------------------------------------
def _resolve(ctx: Ctx, p: str) -> str | None:
    """The file Terraform would read, limited to the scanned tree (never outside the root's parent
    directories: a hostile config must not make iaclint read arbitrary files)."""
    scope = ctx.scope
    if os.path.isabs(p):
        candidates = [p]
    else:
        mod, root = scope.module_dir, scope.root_dir
        norm = os.path.normpath(p)
        candidates = []
        for base in (mod, root):
            if base and (norm == os.path.normpath(base) or norm.startswith(os.path.normpath(base) + os.sep)):
                candidates.append(norm)
        candidates += [os.path.normpath(os.path.join(mod, p)), os.path.normpath(os.path.join(root, p)), norm]
    allowed = [os.path.realpath(os.getcwd()), os.path.realpath(scope.root_dir)]
    for c in candidates:
        if os.path.isfile(c):
            real = os.path.realpath(c)
            if any(real == a or real.startswith(a.rstrip(os.sep) + os.sep) for a in allowed):
                return c
    return None


def _read_text(ctx: Ctx, path_v: Value, span: Span | None, name: str) -> tuple[str, str] | Value:
    if path_v.state is not _KNOWN:
        return unknown_of([path_v], span, f"{name}() path")
    p = to_str(path_v)
    if p is None:
        return error(f"{name}() path is not a string", span)
    found = _resolve(ctx, p)
    if found is None:
        return Value.unknown(f"{name}(): file {p} not found next to the configuration", span)
    try:
        if os.path.getsize(found) > MAX_READ_BYTES:
            return Value.unknown(f"{name}(): file {p} is too large to read", span)
        with open(found, "rb") as fh:
            text = fh.read().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return Value.unknown(f"{name}(): file {p} could not be read as UTF-8", span)
    ctx.scope.note_file(found)
    return found, text


@value_fn("file")
def _file(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "file", args, span)
    if bad:
        return bad
    got = _read_text(ctx, args[0], span, "file")
    if isinstance(got, Value):
        return got
    return Value.known(got[1], span)


@value_fn("fileexists")
def _fileexists(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "fileexists", args, span)
    if bad:
        return bad
    if args[0].state is not _KNOWN:
        return unknown_of(args, span)
    p = to_str(args[0])
    return Value.known(p is not None and _resolve(ctx, p) is not None, span)


@value_fn("templatefile")
def _templatefile(ev: Evaluator, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(2, "templatefile", args, span)
    if bad:
        return bad
    got = _read_text(ctx, args[0], span, "templatefile")
    if isinstance(got, Value):
        return got
    path, text = got
    variables = args[1]
    if variables.state is _UNKNOWN:
        return Value.unknown(
            f"templatefile() variables are unknown: {variables.reason}", span, variables.refs
        )
    if not isinstance(variables.data, dict):
        return error("templatefile() variables must be an object", span)
    from iaclint.lang.terraform.templates import render_template

    return render_template(ev, text, ("templatefile", path), dict(variables.data), span, ctx)
