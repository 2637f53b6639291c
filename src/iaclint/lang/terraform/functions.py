"""Terraform built-in functions used around API gateways, evaluated on `Value`s.

Structural functions (merge, lookup, concat, ...) work on Values, so members keep their spans and
unknown members stay unknown without making the whole result unknown. String and number functions
need fully known arguments; otherwise the result is unknown and carries every `refs` of the
arguments. Functions that depend on the outside world (timestamp, uuid, cidrsubnet, ...) are simply
not listed: the evaluator makes any unlisted function unknown.

The code is untrusted, so every function charges the unit's budget (`budget.current()`, the
evaluator's) and works out the size of what it builds before building it: `format("%0999999999d",
1)`, `range(1e9)` or a doubled string raise BudgetExceeded instead of allocating. Files are read
only through the guarded reader, inside the scan roots; patterns are RE2 (Terraform's syntax, and
linear time whatever the pattern).
"""

from __future__ import annotations

import json
import math
import os
import re
import urllib.parse
from collections.abc import Callable
from typing import Any

from iaclint import budget as budget_mod
from iaclint.budget import Budget, BudgetExceeded
from iaclint.fileaccess import ReadRefused, is_regular_file, read_bytes
from iaclint.lang.terraform.context import Ctx, Evaluating
from iaclint.lang.terraform.hclvalues import (
    LazyObject,
    Tally,
    bounded,
    equal,
    error,
    first_unknown,
    fully_known,
    is_error,
    num,
    plain,
    to_bool,
    to_number,
    to_str,
    unknown_of,
)
from iaclint.lang.terraform.templates import render_template
from iaclint.lang.unknowns import known_ends, merge_refs
from iaclint.source import Span
from iaclint.values import State, Value, made_from, made_from_files, read_mark

Fn = Callable[[Evaluating, list[Value], Span | None, Ctx], Value]
FUNCTIONS: dict[str, Fn] = {}

_KNOWN = State.KNOWN
_UNKNOWN = State.UNKNOWN
# Bytes of string arguments per evaluation step charged (functions scan their input at C speed).
_BYTES_PER_STEP = 64


def _budget() -> Budget:
    return budget_mod.current()


def _fits(n: int) -> None:
    """Check that a string of `n` characters may be built (raises BudgetExceeded). A `pure`
    function's result is charged once it is converted (`_value_of`); this only refuses early."""
    b = budget_mod.current()
    if n > b.limits.string_bytes:
        b.string(n)


def _fits_items(n: int) -> None:
    """Check that a list of `n` members may be built (raises BudgetExceeded)."""
    b = budget_mod.current()
    if n > b.limits.collection_items:
        b.collection(n)


def _value_of(obj: Any, span: Span | None) -> Value:
    """A function's plain result as a Value, every member at `span`: integral floats as ints (HCL
    has one number type), very wide integers as floats. Charged while converting: the members
    through every level (a YAML alias is expanded here) and the text of its strings."""
    b = _budget()
    c = _Converter(span, b)
    out = c.conv(obj, 1)
    members = c.t.n
    c.t.done()
    b.collection(members)
    b.string(c.text)
    return out


class _Converter:
    """`_value_of`'s walk and what it counts. (A class, not a function nested in `_value_of`: a
    nested function calling itself is a cycle, garbage for the cyclic collector at each call.)"""

    __slots__ = ("b", "cap", "span", "t", "text")

    def __init__(self, span: Span | None, b: Budget) -> None:
        self.span = span
        self.b = b
        self.cap = b.limits.string_bytes
        self.t = Tally()
        self.text = 0

    def conv(self, o: Any, depth: int) -> Value:
        span = self.span
        if isinstance(o, str):
            self.text += len(o)
            if self.text > self.cap:
                self.b.string(self.text)  # raises: the value holds more text than one string may
            return Value.known(o, span)
        if o is None or isinstance(o, bool):
            return Value.known(o, span)
        if isinstance(o, (int, float)):
            n = bounded(o)
            if n is None or (isinstance(n, float) and (math.isinf(n) or math.isnan(n))):
                raise ValueError("number out of range")
            return Value.known(num(n), span)
        if isinstance(o, dict):
            self.t.add(len(o), depth)
            return Value.known({_key(k): self.conv(v, depth + 1) for k, v in o.items()}, span)
        if isinstance(o, (list, tuple)):
            self.t.add(len(o), depth)
            return Value.known([self.conv(v, depth + 1) for v in o], span)
        # YAML timestamps, binary data: as text.
        return self.conv(str(o), depth)


def _norm(obj: Any) -> Any:
    """Plain data (read from fully known Values: bounded) with integral floats as ints."""
    if isinstance(obj, float):
        return num(obj)
    if isinstance(obj, dict):
        return {str(k): _norm(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_norm(v) for v in obj]
    return obj


def _key(k: Any) -> str:
    if isinstance(k, bool):
        return "true" if k else "false"
    return k if isinstance(k, str) else str(num(k) if isinstance(k, float) else k)


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
        def call(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
            if not arity[0] <= len(args) <= arity[1]:
                return error(f"{name}() takes {arity[0]}..{arity[1]} arguments, got {len(args)}", span)
            unk = _unknown_args(args, span, name)
            if unk is not None:
                return unk
            size = sum(len(a.data) for a in args if type(a.data) is str)
            if size >= _BYTES_PER_STEP:
                _budget().step(size // _BYTES_PER_STEP)
            result = f(*[a.py() for a in args])
            # A text made of a file's (`replace(file(...), ...)`) names the file (values.made_from).
            return made_from(_value_of(result, span).with_refs(merge_refs(args)), args)

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
def encoded_length(obj: Any, indent: int = 0) -> int:
    """At least the length of `obj` (plain data) encoded as JSON (`indent` 0) or as block YAML
    (`indent` 2, the indentation per level). Stops, raising BudgetExceeded, once past what a string
    may hold: nothing is encoded that could not be kept."""
    b = _budget()
    cap = b.limits.string_bytes
    n = 0
    stack: list[tuple[Any, int]] = [(obj, 0)]
    while stack:
        o, depth = stack.pop()
        n += indent * depth
        if isinstance(o, str):
            n += len(o) + 2
        elif isinstance(o, dict):
            n += 2 + len(o)
            for k, v in o.items():
                n += len(str(k)) + 3
                stack.append((v, depth + 1))
        elif isinstance(o, (list, tuple)):
            n += 2 + len(o)
            stack.extend((v, depth + 1) for v in o)
        else:
            n += 5 if o is None or isinstance(o, bool) else len(str(o))
        if n > cap:
            b.string(n)
    return n


def json_compact(obj: Any) -> str:
    """Terraform's jsonencode: compact, keys sorted, `<`, `>`, `&` escaped as Go's encoder does.
    Its length is worked out, and charged, before it is built."""
    encoded_length(obj)
    text = json.dumps(_norm(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    escaped = sum(text.count(c) for c in "<>&\u2028\u2029")
    _budget().string(len(text) + 5 * escaped)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def encodable(v: Value) -> Value:
    """`v` as a document to keep beside an unknown encoding: lazy resource objects become unknown
    (their members are apply-time attributes, and reading them later must not evaluate). Bounded
    by `Tally` (raises BudgetExceeded)."""
    t = Tally()
    out = _encodable(v, 1, t)
    t.done()
    return out


def _encodable(v: Value, depth: int, t: Tally) -> Value:
    """`encodable`'s walk. (A function of the module: a nested function calling itself is a cycle,
    garbage for the cyclic collector at each call.)"""
    if v.state is not _KNOWN:
        return Value(v.state, None, v.span, v.reason, v.refs, v.via)
    d = v.data
    if isinstance(d, LazyObject):
        return Value.unknown("object with attributes known only after apply", v.span, d.refs)
    if isinstance(d, dict):
        t.add(len(d), depth)
        members = {k: _encodable(m, depth + 1, t) for k, m in d.items()}
        return Value(_KNOWN, members, v.span, "", v.refs, v.via)
    if isinstance(d, list):
        t.add(len(d), depth)
        return Value(_KNOWN, [_encodable(m, depth + 1, t) for m in d], v.span, "", v.refs, v.via)
    return v


def unknown_encoding(unknown: Value, document: Value) -> Value:
    """An unknown string that still carries the document it encodes (`data` is a Value): policy
    readers can see its structure (a condition key) when only a leaf (an ARN) is unknown."""
    if is_error(unknown) or document.state is not _KNOWN:
        return unknown
    try:
        structure = encodable(document)
    except BudgetExceeded:
        return unknown
    return Value(_UNKNOWN, structure, unknown.span, unknown.reason, unknown.refs)


@value_fn("jsonencode")
def _jsonencode(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    if len(args) != 1:
        return error(f"jsonencode() takes 1..1 arguments, got {len(args)}", span)
    unk = _unknown_args(args, span, "jsonencode")
    if unk is not None:
        return unknown_encoding(unk, args[0])
    return Value.known(json_compact(args[0].py()), span, merge_refs(args))


@pure("jsondecode", (1, 1))
def _jsondecode(s: Any) -> Any:
    # The result is charged (and its nesting bounded) as it is converted to a Value.
    try:
        return json.loads(_s(s))
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


@pure("yamlencode", (1, 1))
def _yamlencode(x: Any) -> str:
    import yaml

    encoded_length(x, indent=2)
    return yaml.safe_dump(_norm(x), sort_keys=True, default_flow_style=False, allow_unicode=True)


@pure("yamldecode", (1, 1))
def _yamldecode(s: Any) -> Any:
    """Aliases are shared while loading; converting the result to a Value expands them, and that is
    where an alias bomb stops (members and text counted through every alias, a self-referencing
    alias by its depth)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(_s(s), Loader=loader)
    except yaml.MarkedYAMLError as err:
        # The position only: the text may come from a file that is not ours to quote.
        mark = err.problem_mark or err.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ValueError(f"invalid YAML{where}") from None
    except (yaml.YAMLError, RecursionError):
        raise ValueError("invalid YAML") from None


@pure("base64encode", (1, 1))
def _b64e(s: Any) -> str:
    import base64  # the base64 functions only: most scans never call them (start-up)

    return base64.b64encode(_s(s).encode()).decode()


@pure("base64decode", (1, 1))
def _b64d(s: Any) -> str:
    import base64

    return base64.b64decode(_s(s).encode(), validate=True).decode("utf-8")


def _hash(name: str, algo: str) -> None:
    @pure(name, (1, 1))
    def f(s: Any) -> str:
        import hashlib  # OpenSSL's start-up costs more than a one-file scan's evaluation

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
    s = _s(s)
    width = max(int(_n(n)), 0)
    lines = s.count("\n")
    if not lines:
        return s
    _fits(len(s) + lines * width)
    return s.replace("\n", "\n" + " " * width)


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
        _fits_items(len(s))
        return list(s)
    _fits_items(s.count(sep) + 1)
    return s.split(sep)


@pure("join", (2, 99))
def _join(sep: Any, *lists: Any) -> str:
    items: list[str] = []
    sep = _s(sep)
    for lst in lists:
        if not isinstance(lst, list):
            raise TypeError("join() needs lists")
        items.extend(_s(x) for x in lst)
    _fits(sum(map(len, items)) + len(sep) * max(len(items) - 1, 0))
    return sep.join(items)


_join_known = FUNCTIONS["join"]


@value_fn("join")
def _join_partly(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    """`join` when some element is unknown: still unknown, with the text known around it (the
    `https://` of `join("", ["https://", var.host])`)."""
    got = _join_known(ev, args, span, ctx)
    if got.state is not _UNKNOWN or is_error(got) or len(args) < 2 or not fully_known(args[0]):
        return got
    sep = to_str(args[0])
    if sep is None or any(a.state is not _KNOWN or type(a.data) is not list for a in args[1:]):
        return got
    pieces: list[str | Value] = []
    for lst in args[1:]:
        for item in lst.data:
            if pieces:
                pieces.append(sep)
            pieces.append(item)
    return _with_known_ends(got, pieces)


def _with_known_ends(unknown: Value, pieces: list[str | Value]) -> Value:
    """`unknown` (a string function's result) with the text its `pieces` are known to start and
    end with."""
    prefix, suffix = known_ends(pieces, _scalar_text)
    _budget().string(len(prefix) + len(suffix))
    return Value.unknown(unknown.reason, unknown.span, unknown.refs, prefix, suffix)


def _scalar_text(v: Value) -> str | None:
    return to_str(v) if v.state is _KNOWN else None


@pure("replace", (3, 3))
def _replace(s: Any, sub: Any, rep: Any) -> str:
    s, sub, rep = _s(s), _s(sub), _s(rep)
    if len(sub) >= 2 and sub.startswith("/") and sub.endswith("/"):
        return _regex_replace(_compiled(sub[1:-1]), s, rep)
    # Go's strings.Replace, like Python's: an empty `sub` matches before every character and at
    # the end.
    count = s.count(sub) if sub else len(s) + 1
    if count:
        _fits(len(s) + count * (len(rep) - len(sub)))
    return s.replace(sub, rep)


# -- regular expressions: RE2, Terraform's (Go's) syntax and linear-time matching ------------------
_PATTERNS: dict[str, Any] = {}
_PATTERN_CACHE = 256


def _compiled(pattern: str) -> Any:
    """The RE2 program of `pattern`; a pattern RE2 rejects (as Go's regexp would) is a ValueError."""
    got = _PATTERNS.get(pattern)
    if got is not None:
        return got
    import re2

    options = re2.Options()
    options.log_errors = False  # nothing on stderr: the error becomes the value's reason
    try:
        prog = re2.compile(pattern, options)
    except re2.error as err:
        raise ValueError(f"invalid regular expression: {_re2_reason(err)}") from None
    if len(_PATTERNS) >= _PATTERN_CACHE:
        _PATTERNS.clear()
    _PATTERNS[pattern] = prog
    return prog


def _re2_reason(err: Exception) -> str:
    arg = err.args[0] if err.args else err
    text = arg.decode("utf-8", "replace") if isinstance(arg, bytes) else str(arg)
    # RE2 quotes the offending part of the pattern after a colon; the pattern is the user's own
    # code, but keep the note to one short line.
    return text.splitlines()[0][:120] if text else "rejected by RE2"


def _matches(prog: Any, data: bytes) -> Any:
    """Go's successive non-overlapping matches over UTF-8 `data`: an empty match right after the
    previous match is skipped (RE2's iteration, like Python's, reports it), and so is an empty
    match inside a character (RE2 steps on by a byte, Go by a character). Matching bytes rather
    than str spares the wrapper's offset conversion, five times the cost of the match itself.
    Each match is a step of work."""
    b = _budget()
    prev_end = -1
    n = len(data)
    for m in prog.finditer(data):
        b.step()
        start, end = m.span()
        if start == end:
            if start < n and data[start] & 0xC0 == 0x80:
                continue
            if start == prev_end:
                continue
        prev_end = end
        yield m


def _text(x: bytes | None) -> str | None:
    return None if x is None else x.decode("utf-8")


def _regex_result(prog: Any, m: Any) -> Any:
    """Terraform's shape: the match without groups; a list of the groups; a map of the named
    groups (a pattern mixing both is invalid there). A group inside a part that did not match is
    null."""
    if not prog.groups:
        return _text(m.group(0))
    if prog.groupindex:
        return {name: _text(m.group(i)) for name, i in prog.groupindex.items()}
    return [_text(g) for g in m.groups()]


def _collect_matches(prog: Any, s: str, limit: int | None) -> list[Any]:
    names = prog.groupindex
    if names and len(names) != prog.groups:
        raise ValueError("invalid regular expression: cannot mix named and unnamed capture groups")
    out: list[Any] = []
    text = 0
    for m in _matches(prog, s.encode("utf-8")):
        r = _regex_result(prog, m)
        out.append(r)
        # Each match may repeat the input once per group: count before the list grows further.
        parts = r.values() if isinstance(r, dict) else r if isinstance(r, list) else (r,)
        text += sum(len(x) for x in parts if x)
        _fits(text)
        _fits_items(len(out) * max(prog.groups, 1))
        if limit is not None and len(out) >= limit:
            break
    return out


@pure("regex", (2, 2))
def _regex(pattern: Any, s: Any) -> Any:
    prog = _compiled(_s(pattern))
    found = _collect_matches(prog, _s(s), 1)
    if not found:
        raise ValueError("pattern did not match any part of the given string")
    return found[0]


@pure("regexall", (2, 2))
def _regexall(pattern: Any, s: Any) -> list[Any]:
    return _collect_matches(_compiled(_s(pattern)), _s(s), None)


def _regex_replace(prog: Any, s: str, template: str) -> str:
    """Go's Regexp.ReplaceAllString: `$1`, `${1}`, `$name`, `${name}` expand to a group (the
    longest name: `$1x` is `${1x}`), an unknown or unmatched group to nothing, `$$` to `$`."""
    data = s.encode("utf-8")
    parts = _go_template(template, prog)
    pieces: list[bytes] = []
    size = 0
    pos = 0
    for m in _matches(prog, data):
        start, end = m.span()
        pieces.append(data[pos:start])
        expanded = _go_expand(parts, m)
        pieces.append(expanded)
        size += start - pos + len(expanded)
        _fits(size)
        pos = end
    pieces.append(data[pos:])
    _fits(size + len(data) - pos)
    return b"".join(pieces).decode("utf-8")


def _go_template(template: str, prog: Any) -> list[bytes | int]:
    """Go's replacement template, read once: literal text, and the group each `$1`, `${1}`,
    `$name` or `${name}` stands for (the longest name: `$1x` is `${1x}`; a number with a leading
    zero is a name). `$$` is `$`; a `$` starting no reference is kept; a reference to no group
    (unknown name, index out of range) expands to nothing, -1 here."""
    out: list[bytes | int] = []
    lit: list[str] = []
    i = 0
    n = len(template)
    while i < n:
        j = template.find("$", i)
        if j == -1:
            lit.append(template[i:])
            break
        lit.append(template[i:j])
        if template[j + 1 : j + 2] == "$":
            lit.append("$")
            i = j + 2
            continue
        brace = template[j + 1 : j + 2] == "{"
        k = start = j + 2 if brace else j + 1
        while k < n and (template[k].isalnum() or template[k] == "_"):
            k += 1
        name = template[start:k]
        if not name or (brace and template[k : k + 1] != "}"):
            lit.append("$")
            i = j + 1
            continue
        i = k + 1 if brace else k
        out.append("".join(lit).encode("utf-8"))
        lit = []
        if name.isascii() and name.isdigit() and (name[0] != "0" or len(name) == 1) and len(name) <= 8:
            out.append(int(name) if int(name) <= prog.groups else -1)
        else:
            out.append(prog.groupindex.get(name, -1))
    out.append("".join(lit).encode("utf-8"))
    return out


def _go_expand(parts: list[bytes | int], m: Any) -> bytes:
    return b"".join(p if isinstance(p, bytes) else (m.group(p) or b"") if p >= 0 else b"" for p in parts)


_FORMAT_VERB = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*)(\d+|\*)?(?:\.(\d+))?([a-zA-Z%])")


def go_format(fmt: str, args: list[Any]) -> str:
    """Go's fmt verbs as Terraform's format() reads them. A width or precision is checked against
    the budget before any text is padded to it, and so is the text built so far."""
    cap = _budget().limits.string_bytes
    out: list[str] = []
    size = 0
    pos = 0
    argi = 0
    for m in _FORMAT_VERB.finditer(fmt):
        out.append(fmt[pos : m.start()])
        size += m.start() - pos
        pos = m.end()
        explicit, flags, width, prec, verb = m.groups()
        for given in (width, prec):
            if given and given != "*":
                _fits(int(given) if len(given) <= 18 else cap + 1)
        if verb == "%":
            out.append("%")
            size += 1
            continue
        if explicit:
            argi = int(explicit) - 1
        if not 0 <= argi < len(args):
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
        size += len(text)
        _fits(size)
    out.append(fmt[pos:])
    _fits(size + len(fmt) - pos)
    return "".join(out)


@pure("format", (1, 99))
def _format(fmt: Any, *args: Any) -> str:
    return go_format(_s(fmt), list(args))


_format_known = FUNCTIONS["format"]


@value_fn("format")
def _format_partly(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    """`format` when some argument is unknown: still unknown, with the text known around it (the
    `https://` of `format("https://%s", var.host)`)."""
    got = _format_known(ev, args, span, ctx)
    if got.state is not _UNKNOWN or is_error(got) or not args or not fully_known(args[0]):
        return got
    fmt = to_str(args[0])
    pieces = _format_pieces(fmt, args[1:]) if fmt is not None else None
    return got if pieces is None else _with_known_ends(got, pieces)


def _format_pieces(fmt: str, args: list[Value]) -> list[str | Value] | None:
    """`fmt` as text and arguments: a known argument rendered as its verb renders it, an unknown
    one itself (its own known ends count) when the verb writes it as it is (`%s`, `%v`), else an
    unknown with nothing known of it (padded, quoted or converted). None when `fmt` does not fit
    the arguments, or a known argument not its verb."""
    out: list[str | Value] = []
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
        if not 0 <= argi < len(args):
            return None
        a = args[argi]
        argi += 1
        if fully_known(a):
            spec = f"%{flags}{width or ''}{'' if prec is None else '.' + prec}{verb}"
            try:
                out.append(go_format(spec, [a.py()]))
            except (ValueError, TypeError):
                return None
        elif verb in ("s", "v") and not flags and not width and prec is None:
            out.append(a)
        else:
            out.append(Value.unknown(""))
    out.append(fmt[pos:])
    return out


@pure("formatlist", (1, 99))
def _formatlist(fmt: Any, *args: Any) -> list[str]:
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise ValueError("formatlist() lists must have the same length")
    n = lengths.pop() if lengths else 1
    _fits_items(n)
    out: list[str] = []
    size = 0
    for i in range(n):
        out.append(go_format(_s(fmt), [a[i] if isinstance(a, list) else a for a in args]))
        size += len(out[-1])
        _fits(size)  # the list may hold no more text than one string
    return out


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
def _parseint(s: Any, base: Any) -> int | float:
    n = bounded(int(_s(s), int(_n(base))))
    if n is None:
        raise ValueError("number out of range")
    return n


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
    _fits_items(count)
    return [start + i * step for i in range(count)]


# -- conversions ----------------------------------------------------------------------------------
def _primitive_conversion(name: str, convert: Callable[[Value], Any], what: Callable[[Value], str]) -> None:
    """tostring/tonumber/tobool: unknowns pass through, null stays null, a value that does not
    convert is an invalid expression naming what was given."""

    def fn(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
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
    def f(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
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
def _toset(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
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
    """The first of each group of equal members, in order: linear, by a canonical key."""
    _budget().collection(len(items))
    t = Tally()
    seen: set[Any] = set()
    out: list[Value] = []
    for x in items:
        k = plain(x, t)
        if k not in seen:
            seen.add(k)
            out.append(x)
    t.done()
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
def _length(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "length", args, span)
    if bad:
        return bad
    bad = _need(args[0], (list, dict, str), "length", span)
    return bad or Value.known(len(args[0].data), span, args[0].refs)


@value_fn("keys")
def _keys(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "keys", args, span) or _need(args[0], dict, "keys", span)
    if bad:
        return bad
    _budget().collection(len(args[0].data))
    return Value.known([Value.known(k, span) for k in sorted(args[0].data)], span, args[0].refs)


@value_fn("values")
def _values(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "values", args, span) or _need(args[0], dict, "values", span)
    if bad:
        return bad
    d = args[0].data
    _budget().collection(len(d))
    return Value.known([d[k] for k in sorted(d)], span, args[0].refs)


@value_fn("lookup")
def _lookup(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
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
def _merge(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    maps: list[dict[str, Value]] = []
    for a in args:
        if a.state is _KNOWN and a.data is None:
            continue
        bad = _need(a, dict, "merge", span)
        if bad:
            return Value.unknown(bad.reason, span, merge_refs(args))
        maps.append(a.data)
    _budget().collection(sum(len(m) for m in maps))
    out: dict[str, Value] = {}
    for m in maps:
        out.update(m)
    return Value.known(out, span)


@value_fn("concat")
def _concat(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    for a in args:
        bad = _need(a, list, "concat", span)
        if bad:
            return Value.unknown(bad.reason, span, merge_refs(args)) if not is_error(bad) else bad
    _budget().collection(sum(len(a.data) for a in args))
    out: list[Value] = []
    for a in args:
        out.extend(a.data)
    return Value.known(out, span)


@value_fn("element")
def _element(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
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
def _flatten(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "flatten", args, span) or _need(args[0], list, "flatten", span)
    if bad:
        return bad
    # Lists nested in lists may share members: count the result through every level first.
    t = Tally()
    leaves = 0
    stack: list[tuple[list[Value], int]] = [(args[0].data, 1)]
    while stack:
        items, depth = stack.pop()
        t.add(len(items), depth)
        for x in items:
            if x.state is _KNOWN and type(x.data) is list:
                stack.append((x.data, depth + 1))
            else:
                leaves += 1
    t.done()
    _budget().collection(leaves)
    out: list[Value] = []
    return _flatten_into(args[0].data, out, span) or Value.known(out, span)


def _flatten_into(items: list[Value], out: list[Value], span: Span | None) -> Value | None:
    """`flatten()`'s walk: the leaves of `items` added to `out`, or the unknown found first. (A
    function of the module: a nested function calling itself is a cycle, garbage for the cyclic
    collector at each call.)"""
    for x in items:
        if x.state is _UNKNOWN:
            return Value.unknown(f"flatten() of an unknown element: {x.reason}", span, x.refs)
        if type(x.data) is list:
            r = _flatten_into(x.data, out, span)
            if r is not None:
                return r
        else:
            out.append(x)
    return None


@value_fn("compact")
def _compact(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "compact", args, span) or _need(args[0], list, "compact", span)
    if bad:
        return bad
    items = args[0].data
    unk = [x for x in items if x.state is _UNKNOWN]
    if unk:
        return unknown_of(unk, span, "compact()")
    _budget().collection(len(items))
    return Value.known([x for x in items if x.data is not None and x.data != ""], span)


@value_fn("distinct")
def _distinct_fn(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "distinct", args, span) or _need(args[0], list, "distinct", span)
    if bad:
        return bad
    unk = _unknown_args(args, span, "distinct")
    return unk or Value.known(_distinct(args[0].data), span)


@value_fn("reverse")
def _reverse(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "reverse", args, span) or _need(args[0], list, "reverse", span)
    if bad:
        return bad
    _budget().collection(len(args[0].data))
    return Value.known(list(reversed(args[0].data)), span)


@value_fn("slice")
def _slice(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(3, "slice", args, span) or _need(args[0], list, "slice", span)
    if bad:
        return bad
    if any(a.state is not _KNOWN for a in args[1:]):
        return unknown_of(args[1:], span)
    a, b = to_number(args[1]), to_number(args[2])
    lst = args[0].data
    if a is None or b is None or not 0 <= a <= b <= len(lst):
        return error("slice() indexes out of range", span)
    _budget().collection(int(b) - int(a))
    return Value.known(lst[int(a) : int(b)], span)


@value_fn("one")
def _one(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
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
def _contains(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
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
def _index_fn(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
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
def _zipmap(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
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
    _budget().collection(len(keys))
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
def _try(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    for a in args:
        if is_error(a):
            continue
        return a
    return error("try(): no argument could be evaluated", span)


@value_fn("can")
def _can(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
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
def _coalesce(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    for a in args:
        if a.state is _UNKNOWN:
            return Value.unknown(f"coalesce() of an unknown value: {a.reason}", span, a.refs)
        if a.state is _KNOWN and a.data is not None and a.data != "":
            return a
    return error("coalesce(): no non-null, non-empty argument", span)


@value_fn("coalescelist")
def _coalescelist(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    for a in args:
        bad = _need(a, list, "coalescelist", span)
        if bad:
            return bad
        if a.data:
            return a
    return error("coalescelist(): all lists are empty", span)


# -- files --------------------------------------------------------------------------------------
def _short(p: str) -> str:
    return p if len(p) <= 200 else p[:200] + "..."


def _locate(ctx: Ctx, p: str) -> tuple[str | None, str | None]:
    """The file Terraform would read for `p` (relative to the root module, where Terraform runs,
    or given through `path.module`/`path.root`), and why a candidate was refused: only files
    inside the scan roots, outside `.git`, are looked at, so a refused path is never even tested
    for existence."""
    scope = ctx.scope
    roots = scope.scan_roots()
    if os.path.isabs(p):
        candidates = [os.path.normpath(p)]
    else:
        mod, root = scope.module_dir, scope.root_dir
        norm = os.path.normpath(p)
        candidates = []
        for base in (mod, root):
            if base and (norm == os.path.normpath(base) or norm.startswith(os.path.normpath(base) + os.sep)):
                candidates.append(norm)
        candidates += [os.path.normpath(os.path.join(mod, p)), os.path.normpath(os.path.join(root, p))]
    refused: str | None = None
    for c in dict.fromkeys(candidates):
        why = roots.refusal(c)
        if why is not None:
            refused = refused or why
            continue
        if os.path.lexists(c):
            return c, None
    return None, refused


def _path_arg(path_v: Value, span: Span | None, name: str) -> str | Value:
    if path_v.state is not _KNOWN:
        return unknown_of([path_v], span, f"{name}() path")
    p = to_str(path_v)
    if p is None:
        return error(f"{name}() path is not a string", span)
    if "\x00" in p:
        return error(f"{name}() path holds a NUL character", span)
    return p


def _read_file(ctx: Ctx, path_v: Value, span: Span | None, name: str) -> tuple[str, bytes] | Value:
    """(path, bytes) of the file a file function names, read through the guarded reader (at most
    one string's worth), or the unknown value saying why not: the note names the function and the
    path, never content."""
    p = _path_arg(path_v, span, name)
    if isinstance(p, Value):
        return p
    found, refused = _locate(ctx, p)
    if found is None:
        if refused is not None:
            return Value.unknown(f"{name}(): {_short(p)}: {refused}", span)
        return Value.unknown(f"{name}(): file {_short(p)} not found next to the configuration", span)
    b = _budget()
    try:
        data = read_bytes(found, roots=ctx.scope.scan_roots(), limit=b.limits.string_bytes)
    except ReadRefused as err:
        return Value.unknown(f"{name}(): {_short(p)}: {err.reason}", span)
    ctx.scope.note_file(found)
    return found, data


def _read_text(ctx: Ctx, path_v: Value, span: Span | None, name: str) -> tuple[str, str] | Value:
    got = _read_file(ctx, path_v, span, name)
    if isinstance(got, Value):
        return got
    found, data = got
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Value.unknown(f"{name}(): file {_short(str(path_v.data))} could not be read as UTF-8", span)
    _budget().string(len(text))
    return found, text


@value_fn("file")
def _file(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "file", args, span)
    if bad:
        return bad
    got = _read_text(ctx, args[0], span, "file")
    if isinstance(got, Value):
        return got
    # The file joins `via` (see values.read_mark): what a policy read from it causes points there.
    return Value(_KNOWN, got[1], span, "", (), (read_mark(got[0], got[1]),))


@value_fn("filebase64")
def _filebase64(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "filebase64", args, span)
    if bad:
        return bad
    got = _read_file(ctx, args[0], span, "filebase64")
    if isinstance(got, Value):
        return got
    data = got[1]
    _budget().string((len(data) + 2) // 3 * 4)
    import base64

    return Value.known(base64.b64encode(data).decode("ascii"), span)


@value_fn("fileexists")
def _fileexists(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(1, "fileexists", args, span)
    if bad:
        return bad
    p = _path_arg(args[0], span, "fileexists")
    if isinstance(p, Value):
        return p
    found, refused = _locate(ctx, p)
    if found is None:
        if refused is not None:
            # Whether it exists is itself something outside the scanned tree.
            return Value.unknown(f"fileexists(): {_short(p)}: {refused}", span)
        return Value.known(False, span)
    if not is_regular_file(found):
        # Terraform fails on a path that exists but is not a regular file (or a broken link).
        return error(f"fileexists(): {_short(p)} is not a regular file", span)
    return Value.known(True, span)


@value_fn("templatefile")
def _templatefile(ev: Evaluating, args: list[Value], span: Span | None, ctx: Ctx) -> Value:
    bad = _args(2, "templatefile", args, span)
    if bad:
        return bad
    if getattr(ctx.scope, "in_template", False):
        # As in Terraform: a template rendering templates (itself, say) would never end.
        return error("templatefile() cannot be called from inside a template", span)
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
    rendered = render_template(ev, text, ("templatefile", path), dict(variables.data), span, ctx)
    # Made from the file: the file is known, positions in it are not (see values.read_mark).
    return made_from_files(rendered, (path,))
