"""HCL expression evaluation over syntax nodes (`syntax.SNode`/`LitExpr`, or tree-sitter nodes).

Every expression becomes a `Value`. A value created by an expression spans that expression; a value
that comes from elsewhere (a variable, a local, a module output, another resource's argument) keeps
where it was defined and is re-located with `Value.at`, so `via` lists the definition spans: the
origin first, then each hop towards the place of use.

What cannot be known (apply-time attributes, data sources, missing inputs) is `Value.unknown` with a
reason and the resource addresses it derives from (`refs`). Invalid expressions (a missing attribute,
a type error) are unknown with a reason starting with `ERROR_PREFIX`, which `try`/`can` tell apart
from apply-time unknowns.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from iaclint import budget as budget_mod
from iaclint.budget import Budget, BudgetExceeded, exceeded_note
from iaclint.fileaccess import ScanRoots
from iaclint.lang.terraform.syntax import Attr, Expr, GetAttr, HclExpr, LitExpr, SNode, SourceFile, unescape
from iaclint.source import Span
from iaclint.values import State, Value

ERROR_PREFIX = "invalid expression: "
# Python frames per level of evaluation, with room: evaluation runs with at least this recursion
# limit times the budget's depth (see `evaluating`).
_FRAMES_PER_LEVEL = 100

_KNOWN = State.KNOWN
_UNKNOWN = State.UNKNOWN
_PART_TYPES = frozenset({"template_interpolation", "template_directive"})
_BINOPS = frozenset({"+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"})


class Scope(Protocol):
    """What an expression can refer to: implemented by a module instance in `loader.py`."""

    module_dir: str
    root_dir: str

    def var(self, name: str) -> Value: ...
    def local(self, name: str) -> Value: ...
    def module_value(self, name: str) -> Value: ...
    def resource_value(self, mode: str, type_: str, name: str) -> Value | None: ...
    def note_file(self, path: str) -> None: ...
    def scan_roots(self) -> ScanRoots: ...


class Ctx:
    """Where an expression is evaluated: the module scope, the file, and local names in effect."""

    __slots__ = ("bindings", "file", "scope")

    def __init__(
        self, scope: Scope, file: SourceFile | None, bindings: dict[str, Value] | None = None
    ) -> None:
        self.scope = scope
        self.file = file
        self.bindings = bindings or {}

    def bind(self, names: dict[str, Value]) -> Ctx:
        return Ctx(self.scope, self.file, {**self.bindings, **names})

    def in_file(self, file: SourceFile) -> Ctx:
        if file is self.file:
            return self
        return Ctx(self.scope, file, self.bindings)


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


def merge_refs(values: list[Value] | tuple[Value, ...]) -> tuple[str, ...]:
    refs: dict[str, None] = {}
    for v in values:
        for r in v.refs:
            refs[r] = None
    return tuple(refs)


def unknown_of(values: list[Value] | tuple[Value, ...], span: Span | None, what: str = "") -> Value:
    """An unknown result from arguments of which at least one is unknown (first reason, all refs)."""
    reason = next((v.reason for v in values if v.state is _UNKNOWN), "unknown input")
    if what and not reason.startswith(ERROR_PREFIX):
        reason = f"{what}: {reason}" if not reason.startswith(what) else reason
    return Value.unknown(reason, span, merge_refs(values))


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

    def walk(x: Value, depth: int) -> None:
        if x.state is _UNKNOWN:
            found.append(x)
            return
        d = x.data
        if isinstance(d, LazyObject):
            found.append(Value.unknown("object with attributes known only after apply", x.span, d.refs))
        elif isinstance(d, dict):
            t.add(len(d), depth)
            for m in d.values():
                walk(m, depth + 1)
        elif isinstance(d, list):
            t.add(len(d), depth)
            for m in d:
                walk(m, depth + 1)

    walk(v, 1)
    t.done()
    if not found:
        return None
    return Value.unknown(found[0].reason, v.span, merge_refs(found))


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


class Evaluator:
    """Evaluates expressions; one per unit (a root module with its module tree): it charges the
    unit's budget and holds the cycle guard."""

    def __init__(self, budget: Budget | None = None) -> None:
        from iaclint.lang.terraform.functions import FUNCTIONS

        self.functions = FUNCTIONS
        self.budget = budget if budget is not None else Budget()
        self._work = self.budget.limits.work
        self._max_depth = self.budget.limits.depth
        self.depth = 0
        # Keys of values being computed, to turn reference cycles into unknowns.
        self.active: set[Any] = set()
        # Parsed template files and JSON-syntax strings, by (path or id, text).
        self.template_cache: dict[Any, Any] = {}
        self._dispatch = {
            "expression": Evaluator._expression,
            "literal_value": Evaluator._literal,
            "collection_value": Evaluator._first_named,
            "template_expr": Evaluator._first_named,
            "operation": Evaluator._first_named,
            "for_expr": Evaluator._first_named,
            "tuple": Evaluator._tuple,
            "object": Evaluator._object,
            "quoted_template": Evaluator._template,
            "heredoc_template": Evaluator._template,
            "function_call": Evaluator._call,
            "conditional": Evaluator._conditional,
            "binary_operation": Evaluator._binary,
            "unary_operation": Evaluator._unary,
            "for_tuple_expr": Evaluator._for_tuple,
            "for_object_expr": Evaluator._for_object,
            "variable_expr": Evaluator._variable_alone,
            "string_lit": Evaluator._literal_child,
            "numeric_lit": Evaluator._literal_child,
            "bool_lit": Evaluator._literal_child,
            "null_lit": Evaluator._literal_child,
        }

    # -- entry points -------------------------------------------------------------------------
    def expr(self, e: Expr, ctx: Ctx) -> Value:
        if isinstance(e, HclExpr):
            return self.node(e.node, ctx.in_file(e.file))
        from iaclint.lang.terraform.tfjson import eval_json

        return eval_json(self, e, ctx.in_file(e.file))

    def expr_span(self, e: Expr) -> Span | None:
        if isinstance(e, HclExpr):
            return e.file.span(e.node)
        return e.value.span

    def attr(self, a: Attr, ctx: Ctx) -> Value:
        """An attribute's value, spanning the whole `name = expr`."""
        c = a.const
        if c is not None:
            return c
        e = a.expr
        if type(e) is not HclExpr:
            return reloc(self.expr(e, ctx), self.expr_span(e), a.span)
        # `expr` and `expr_span` inlined: this runs for every argument of every instance.
        sf = e.file
        n = e.node
        v = self.node(n, ctx if ctx.file is sf else Ctx(ctx.scope, sf, ctx.bindings))
        v = reloc(v, sf.span(n), a.span)
        if type(n) is LitExpr:
            # Values are immutable: every instance of the module can share this one.
            a.const = v
        return v

    def guarded(self, key: Any, compute: Any, span: Span | None = None) -> Value:
        """Run `compute()` unless `key` is already being computed (a reference cycle)."""
        if key in self.active:
            return Value.unknown("reference cycle", span)
        self.active.add(key)
        try:
            return compute()
        finally:
            self.active.discard(key)

    def node(self, n: Any, ctx: Ctx) -> Value:
        if type(n) is LitExpr:
            v = n.value
            if v is None:
                v = self._literal_at(n.kind, n.start_byte, n.end_byte, n.inner_start, n.inner_end, ctx.file)
                if ctx.file.fixed_span is None:
                    n.value = v
            return v
        # `Budget.step` and `Budget.depth`, inlined: this runs for every expression node. Past a
        # limit they raise BudgetExceeded, which the named value being worked out catches.
        b = self.budget
        b.steps += 1
        if b.steps > self._work:
            b.step(0)
        handler = self._dispatch.get(n.type)
        if handler is None:
            return error(f"unsupported syntax {n.type}", ctx.file.span(n) if ctx.file else None)
        self.depth += 1
        try:
            if self.depth > self._max_depth:
                b.depth(self.depth)
            return handler(self, n, ctx)
        finally:
            self.depth -= 1

    # -- simple forms -------------------------------------------------------------------------
    def _first_named(self, n: Any, ctx: Ctx) -> Value:
        kids = n.named_children
        if not kids:
            return error("empty expression", ctx.file.span(n))
        return self.node(kids[0], ctx)

    def _literal(self, n: Any, ctx: Ctx) -> Value:
        kids = n.named_children
        if not kids:
            return error("empty literal", ctx.file.span(n))
        return self._literal_child(kids[0], ctx)

    def _literal_child(self, n: Any, ctx: Ctx) -> Value:
        a = b = -1
        if n.type == "string_lit":
            kids = n.children
            if len(kids) >= 2:
                a, b = kids[0].end_byte, kids[-1].start_byte
        return self._literal_at(n.type, n.start_byte, n.end_byte, a, b, ctx.file)

    def _literal_at(self, t: str, start: int, end: int, a: int, b: int, sf: SourceFile) -> Value:
        """A literal of type `t` at bytes start..end; for a string, a..b is between the quotes."""
        span = sf.span_bytes(start, end) if sf.fixed_span is None else sf.fixed_span
        if t == "string_lit":
            if a < 0:
                return error("unterminated string", span)
            raw = sf.data[a:b].decode("utf-8", errors="replace")
            return Value.known(unescape(raw, quoted=True), span)
        if t == "numeric_lit":
            text = sf.data[start:end].decode("utf-8", errors="replace")
            try:
                if "." in text or "e" in text or "E" in text:
                    f = float(text)
                    if math.isinf(f) or math.isnan(f):
                        return error(f"number {text} out of range", span)
                    return Value.known(num(f), span)
                i = bounded(int(text))
                if i is None:
                    return error(f"number {text[:20]}... out of range", span)
                return Value.known(i, span)
            except ValueError:
                return error(f"bad number {text!r}", span)
        if t == "bool_lit":
            return Value.known(sf.data[start:end] == b"true", span)
        if t == "null_lit":
            return Value.known(None, span)
        return error(f"unsupported literal {t}", span)

    def _tuple(self, n: Any, ctx: Ctx) -> Value:
        kids = [k for k in n.named_children if k.type == "expression"]
        self.budget.collection(len(kids))
        items = [self.node(k, ctx) for k in kids]
        return Value.known(items, ctx.file.span(n))

    def _object(self, n: Any, ctx: Ctx) -> Value:
        sf = ctx.file
        out: dict[str, Value] = {}
        elems = [e for e in n.named_children if e.type == "object_elem"]
        self.budget.collection(len(elems))
        for elem in elems:
            knode = elem.child_by_field_name("key")
            vnode = elem.child_by_field_name("val")
            if knode is None or vnode is None:
                continue
            key = self._object_key(knode, ctx)
            if key.state is not _KNOWN:
                return Value.unknown(f"object key is unknown: {key.reason}", sf.span(n), key.refs)
            k = to_str(key)
            if k is None:
                return error("object key is not a string", sf.span(knode))
            v = self.node(vnode, ctx)
            out[k] = reloc(v, sf.span(vnode), sf.span(elem))
        return Value.known(out, sf.span(n))

    def _object_key(self, knode: Any, ctx: Ctx) -> Value:
        # A bare name is a literal key (`{a = 1}`); anything else is evaluated.
        kids = knode.children
        if len(kids) == 1 and kids[0].type == "variable_expr":
            return Value.known(ctx.file.text(kids[0]), ctx.file.span(knode))
        return self.node(knode, ctx)

    # -- expressions with traversals --------------------------------------------------------------
    def _expression(self, n: Any, ctx: Ctx) -> Value:
        kids = n.children
        if kids and kids[0].type == "variable_expr":
            # The most common non-literal: a reference; its span is the expression's (cached).
            return self._traversal(kids[0], kids[1:], ctx, n)
        if len(kids) == 1:
            # Fast path for the most common expression: a plain literal.
            k = kids[0]
            if k.type == "literal_value":
                inner = k.children
                if len(inner) == 1:
                    return self._literal_child(inner[0], ctx)
        return self.seq(kids, ctx)

    def seq(self, kids: list[Any], ctx: Ctx) -> Value:
        """An operand: a base (a literal, a name, a parenthesised expression...) and its accessors."""
        if not kids:
            return error("empty expression")
        sf = ctx.file
        first = kids[0]
        if first.type == "variable_expr":
            return self._traversal(first, kids[1:], ctx)
        if first.type == "(":
            if len(kids) < 3:
                return error("unbalanced parenthesis", sf.span(first))
            inner = kids[1]
            base = self.node(inner, ctx)
            rest = kids[3:]
            if not rest:
                return reloc(base, sf.span(inner), sf.span_range(first, kids[-1]))
        else:
            base = self.node(first, ctx)
            rest = kids[1:]
            if not rest:
                return base
        v = base
        for acc in rest:
            if acc.is_named and acc.type != "comment":
                v = self._access(v, acc, ctx)
        return reloc(v, base.span, sf.span_range(first, kids[-1]))

    def _variable_alone(self, n: Any, ctx: Ctx) -> Value:
        return self._traversal(n, [], ctx)

    def _traversal(self, var: Any, rest: list[Any], ctx: Ctx, whole: Any = None) -> Value:
        """`var` and its accessors `rest`; `whole` is the expression made of exactly these."""
        sf = ctx.file
        memo = whole.memo if type(whole) is SNode else None
        if memo is None:
            memo = self._traversal_parts(var, rest, sf)
            if type(whole) is SNode:
                # The same in every module instance: read the syntax once per expression.
                whole.memo = memo
        name, acc, first_name, second_name = memo
        end = rest[-1] if rest else var
        span = sf.span(whole) if whole is not None else sf.span_range(var, end)
        i = 0
        scope = ctx.scope
        bound = ctx.bindings.get(name)
        if bound is not None:
            v = bound
        elif name == "var" or name == "local":
            a = first_name
            if a is None:
                return error(f"{name} must be followed by .name", span)
            v = scope.var(a) if name == "var" else scope.local(a)
            i = 1
        elif name == "module":
            a = first_name
            if a is None:
                return error("module must be followed by .name", span)
            v = scope.module_value(a)
            i = 1
        elif name == "data":
            t, a = first_name, second_name
            if t is None or a is None:
                return error("data must be followed by .type.name", span)
            found = scope.resource_value("data", t, a)
            if found is None:
                return error(f"data.{t}.{a} is not declared", span)
            v = found
            i = 2
        elif name == "path":
            a = first_name
            paths = {"module": scope.module_dir, "root": scope.root_dir, "cwd": scope.root_dir}
            if a not in paths:
                return error(f"path.{a} is not a path value", span)
            return Value.known(paths[a], span)
        elif name == "terraform":
            a = first_name
            if a == "workspace":
                return Value.known("default", span)
            return Value.unknown(f"terraform.{a} is not evaluated", span)
        elif name in ("each", "count", "self"):
            return error(f"{name} is not available here", span)
        else:
            a = first_name
            if a is None:
                return error(f"unknown name {name!r}", span)
            found = scope.resource_value("managed", name, a)
            if found is None:
                return error(f"reference to undeclared resource {name}.{a}", span)
            v = found
            i = 1
        for k in acc[i:]:
            v = self._access(v, k, ctx)
        vs = v.span
        if vs is None:
            return Value(v.state, v.data, span, v.reason, v.refs, v.via)
        if vs is span or vs == span:
            return v
        # `v.at(span)`, without the cost of dataclasses.replace on this hot path.
        return Value(v.state, v.data, span, v.reason, v.refs, (*v.via, vs))

    @staticmethod
    def _traversal_parts(
        var: Any, rest: list[Any], sf: SourceFile
    ) -> tuple[str, list[Any], str | None, str | None]:
        """The root name, the accessors, and the names of the first two `.name` accessors."""
        acc = [a for a in rest if type(a) is GetAttr or (a.is_named and a.type != "comment")]
        name = sf.data[var.start_byte : var.end_byte].decode("utf-8", errors="replace")

        def attr_name(k: int) -> str | None:
            if k >= len(acc):
                return None
            a = acc[k]
            if type(a) is GetAttr:
                return a.name
            if a.type == "get_attr":
                kids = a.named_children
                return sf.text(kids[0]) if kids else None
            return None

        return name, acc, attr_name(0), attr_name(1)

    def _access(self, v: Value, acc: Any, ctx: Ctx) -> Value:
        if type(acc) is GetAttr:
            # The common outcomes first: the span is needed only for an error.
            st = v.state
            if st is _UNKNOWN:
                return v
            d = v.data
            if st is _KNOWN and isinstance(d, dict):
                m = d.get(acc.name)
                if m is not None:
                    return m
            return self.get_attr(v, acc.name, ctx.file.span(acc))
        t = acc.type
        if t == "get_attr":
            kids = acc.named_children
            return self.get_attr(v, ctx.file.text(kids[0]) if kids else "", ctx.file.span(acc))
        if t == "index":
            inner = acc.named_children[0] if acc.named_children else None
            if inner is None:
                return error("empty index", ctx.file.span(acc))
            if inner.type == "legacy_index":
                text = ctx.file.text(inner).lstrip(".")
                key = Value.known(int(text) if text.isdigit() else text)
            else:
                exprs = [k for k in inner.named_children if k.type == "expression"]
                if not exprs:
                    return error("empty index", ctx.file.span(acc))
                key = self.node(exprs[0], ctx)
            return self.index(v, key, ctx.file.span(acc))
        if t == "splat":
            inner = acc.named_children[0] if acc.named_children else None
            subs = [k for k in inner.named_children if k.type in ("get_attr", "index")] if inner else []
            return self.splat(v, subs, ctx, ctx.file.span(acc))
        return error(f"unsupported accessor {t}", ctx.file.span(acc))

    def get_attr(self, v: Value, name: str, span: Span | None) -> Value:
        st = v.state
        if st is _UNKNOWN:
            return v
        if st is not _KNOWN:
            return error(f"attribute {name} of an absent value", span)
        d = v.data
        if isinstance(d, dict):
            m = d.get(name)
            if m is None:
                return error(f"object has no attribute {name!r}", span)
            return m
        if d is None:
            return error(f"attribute {name} of null", span)
        if isinstance(d, list):
            return error(f"attribute {name} of a list (use [*].{name} or an index)", span)
        return error(f"attribute {name} of a {type(d).__name__}", span)

    def index(self, v: Value, key: Value, span: Span | None) -> Value:
        if key.state is not _KNOWN:
            return Value.unknown(f"index is unknown: {key.reason}", span, key.refs)
        if v.state is _UNKNOWN:
            return v
        if v.state is not _KNOWN:
            return error("index into an absent value", span)
        d = v.data
        if isinstance(d, list):
            n = to_number(key)
            if n is None or int(n) != n:
                return error(f"list index {key.data!r} is not a whole number", span)
            i = int(n)
            if 0 <= i < len(d):
                return d[i]
            return error(f"index {i} out of range (length {len(d)})", span)
        if isinstance(d, dict):
            k = to_str(key)
            if k is None:
                return error("map key is not a string", span)
            m = d.get(k)
            if m is None:
                return error(f"no key {k!r}", span)
            return m
        if d is None:
            return error("index into null", span)
        return error(f"cannot index a {type(d).__name__}", span)

    def splat(self, v: Value, subs: list[Any], ctx: Ctx, span: Span | None) -> Value:
        if v.state is _UNKNOWN:
            return v
        d = v.data
        if d is None:
            return Value.known([], span)
        items = d if isinstance(d, list) else [v]
        self.budget.collection(len(items))
        out = []
        for item in items:
            x = item
            for s in subs:
                x = self._access(x, s, ctx)
            out.append(x)
        return Value.known(out, span)

    # -- functions and operators --------------------------------------------------------------------
    def _call(self, n: Any, ctx: Ctx) -> Value:
        sf = ctx.file
        span = sf.span(n)
        kids = n.children
        name = sf.text(kids[0]) if kids else ""
        if "::" in name:
            return Value.unknown(f"function {name}() not evaluated", span)
        args: list[Value] = []
        expand = False
        for k in kids:
            if k.type == "function_arguments":
                for a in k.children:
                    if a.type == "expression":
                        args.append(self.node(a, ctx))
                    elif a.type == "ellipsis":
                        expand = True
        if expand and args:
            last = args.pop()
            if last.state is _UNKNOWN:
                return unknown_of([last], span)
            if not isinstance(last.data, list):
                return error(f"{name}(...): expanding a non-list argument", span)
            args.extend(last.data)
        fn = self.functions.get(name)
        if fn is None:
            return Value.unknown(f"function {name}() not evaluated", span, merge_refs(args))
        try:
            return fn(self, args, span, ctx)
        except (ValueError, TypeError, KeyError, IndexError, OverflowError, ZeroDivisionError) as err:
            return error(f"{name}(): {err}", span)

    def _conditional(self, n: Any, ctx: Ctx) -> Value:
        sf = ctx.file
        parts = [k for k in n.named_children if k.type == "expression"]
        if len(parts) != 3:
            return error("incomplete conditional", sf.span(n))
        span = sf.span(n)
        cond = self.node(parts[0], ctx)
        if cond.state is _UNKNOWN:
            a, b = self.node(parts[1], ctx), self.node(parts[2], ctx)
            if fully_known(a) and fully_known(b) and equal(a, b):
                return reloc(a, a.span, span)
            return Value.unknown(f"condition is unknown: {cond.reason}", span, merge_refs([cond, a, b]))
        truth = to_bool(cond)
        if truth is None:
            return error("condition is not a boolean", sf.span(parts[0]))
        chosen = parts[1] if truth else parts[2]
        return reloc(self.node(chosen, ctx), sf.span(chosen), span)

    def _unary(self, n: Any, ctx: Ctx) -> Value:
        kids = n.children
        span = ctx.file.span(n)
        if len(kids) < 2:
            return error("incomplete operation", span)
        op = kids[0].type
        v = self.seq(kids[1:], ctx)
        if v.state is _UNKNOWN:
            return Value.unknown(v.reason, span, v.refs)
        if op == "!":
            b = to_bool(v)
            return error("! needs a boolean", span) if b is None else Value.known(not b, span)
        x = to_number(v)
        return error("- needs a number", span) if x is None else Value.known(-x, span)

    def _binary(self, n: Any, ctx: Ctx) -> Value:
        kids = n.children
        span = ctx.file.span(n)
        split = -1
        depth = 0
        for i, k in enumerate(kids):
            t = k.type
            if t == "(":
                depth += 1
            elif t == ")":
                depth -= 1
            elif depth == 0 and i > 0 and not k.is_named and t in _BINOPS:
                split = i
                break
        if split <= 0 or split >= len(kids) - 1:
            return error("incomplete operation", span)
        op = kids[split].type
        left = self.seq(kids[:split], ctx)
        if op in ("&&", "||") and left.state is _KNOWN:
            lb = to_bool(left)
            if lb is None:
                return error(f"{op} needs booleans", span)
            if (op == "&&" and not lb) or (op == "||" and lb):
                return Value.known(lb, span)
        right = self.seq(kids[split + 1 :], ctx)
        if left.state is _UNKNOWN or right.state is _UNKNOWN:
            if op in ("&&", "||") and right.state is _KNOWN:
                rb = to_bool(right)
                if (op == "&&" and rb is False) or (op == "||" and rb is True):
                    return Value.known(rb, span)
            return unknown_of([left, right], span)
        return binary_op(op, left, right, span)

    # -- for expressions ------------------------------------------------------------------------
    def _for_intro(self, n: Any, ctx: Ctx) -> tuple[list[str], Value]:
        names: list[str] = []
        coll: Value = error("for without a collection")
        for k in n.named_children:
            if k.type == "identifier":
                names.append(ctx.file.text(k))
            elif k.type == "expression":
                coll = self.node(k, ctx)
        return names, coll

    def _for_parts(self, n: Any, ctx: Ctx) -> tuple[list[str], Value, list[Any], Any, bool]:
        names: list[str] = []
        coll: Value = error("for without a collection")
        exprs: list[Any] = []
        cond: Any | None = None
        group = False
        for k in n.children:
            t = k.type
            if t == "for_intro":
                names, coll = self._for_intro(k, ctx)
            elif t == "expression":
                exprs.append(k)
            elif t == "for_cond":
                inner = [c for c in k.named_children if c.type == "expression"]
                cond = inner[0] if inner else None
            elif t == "ellipsis":
                group = True
        return names, coll, exprs, cond, group

    def _iterations(
        self, names: list[str], coll: Value, cond: Any | None, ctx: Ctx, span: Span
    ) -> list[Ctx] | Value:
        if coll.state is _UNKNOWN:
            return Value.unknown(f"for expression over an unknown collection: {coll.reason}", span, coll.refs)
        items = collection_items(coll)
        if items is None:
            if coll.data is None:
                return error("for expression over null", span)
            return error("for expression over a value that is not a collection", span)
        self.budget.collection(len(items))
        self.budget.step(len(items))
        out: list[Ctx] = []
        for key, val in items:
            if len(names) >= 2:
                c = ctx.bind({names[0]: key, names[1]: val})
            elif names:
                c = ctx.bind({names[0]: val})
            else:
                c = ctx
            if cond is not None:
                ok = self.node(cond, c)
                if ok.state is _UNKNOWN:
                    return Value.unknown(f"for condition is unknown: {ok.reason}", span, ok.refs)
                b = to_bool(ok)
                if b is None:
                    return error("for condition is not a boolean", span)
                if not b:
                    continue
            out.append(c)
        return out

    def _for_tuple(self, n: Any, ctx: Ctx) -> Value:
        span = ctx.file.span(n)
        names, coll, exprs, cond, _ = self._for_parts(n, ctx)
        if not exprs:
            return error("for expression without a result", span)
        its = self._iterations(names, coll, cond, ctx, span)
        if isinstance(its, Value):
            return its
        return Value.known([self.node(exprs[0], c) for c in its], span)

    def _for_object(self, n: Any, ctx: Ctx) -> Value:
        span = ctx.file.span(n)
        names, coll, exprs, cond, group = self._for_parts(n, ctx)
        if len(exprs) < 2:
            return error("for expression without key => value", span)
        its = self._iterations(names, coll, cond, ctx, span)
        if isinstance(its, Value):
            return its
        out: dict[str, Value] = {}
        groups: dict[str, list[Value]] = {}
        for c in its:
            kv = self.node(exprs[0], c)
            if kv.state is not _KNOWN:
                return Value.unknown(f"object key is unknown: {kv.reason}", span, kv.refs)
            k = to_str(kv)
            if k is None:
                return error("object key is not a string", span)
            v = self.node(exprs[1], c)
            if group:
                groups.setdefault(k, []).append(v)
            elif k in out:
                return error(f"duplicate key {k!r} in for expression (use ... to group)", span)
            else:
                out[k] = v
        if group:
            out = {k: Value.known(vs, span) for k, vs in groups.items()}
        return Value.known(out, span)

    # -- templates ------------------------------------------------------------------------------
    def _template(self, n: Any, ctx: Ctx) -> Value:
        sf = ctx.file
        data = sf.data
        kids = n.children
        span = sf.span(n)
        flush = 0
        content_start = -1
        if n.type == "quoted_template":
            quoted = True
            if len(kids) < 2 or kids[-1].type != "quoted_template_end":
                return error("unterminated string", span)
            start, end = kids[0].end_byte, kids[-1].start_byte
            parts = [k for k in kids[1:-1] if k.type in _PART_TYPES]
        else:
            quoted = False
            idents = [k for k in kids if k.type == "heredoc_identifier"]
            if len(idents) < 2:
                return error("unterminated heredoc", span)
            nl = data.find(b"\n", idents[0].end_byte)
            if nl == -1 or nl >= idents[-1].start_byte:
                return Value.known("", span)
            start = nl + 1
            end = data.rfind(b"\n", 0, idents[-1].start_byte) + 1
            end = max(end, start)
            parts = [k for k in kids if k.type in _PART_TYPES and start <= k.start_byte < end]
            content_start = start
            if kids[0].type == "heredoc_start" and sf.text(kids[0]) == "<<-":
                flush = _min_indent(data[start:end])
        if not parts:
            return Value.known(self._lit(sf, start, end, False, False, quoted, flush, content_start), span)
        if (
            quoted
            and len(parts) == 1
            and parts[0].type == "template_interpolation"
            and parts[0].start_byte == start
            and parts[0].end_byte == end
        ):
            # "${x}" is x itself, whatever its type.
            inner = [k for k in parts[0].named_children if k.type == "expression"]
            if inner:
                return reloc(self.node(inner[0], ctx), sf.span(inner[0]), span)
        pieces: list[str | Value] = []
        self._render(parts, start, False, end, False, ctx, quoted, flush, content_start, pieces)
        return join_pieces(pieces, span, self.budget)

    def _lit(
        self,
        sf: SourceFile,
        a: int,
        b: int,
        lstrip: bool,
        rstrip: bool,
        quoted: bool,
        flush: int,
        content_start: int,
    ) -> str:
        if b <= a:
            return ""
        text = sf.data[a:b].decode("utf-8", errors="replace")
        if flush:
            at_start = a == content_start or sf.data[a - 1 : a] == b"\n"
            text = _dedent(text, flush, at_start)
        text = unescape(text, quoted)
        if lstrip:
            text = text.lstrip()
        if rstrip:
            text = text.rstrip()
        return text

    def _render(
        self,
        parts: list[Any],
        lo: int,
        lo_strip: bool,
        hi: int,
        hi_strip: bool,
        ctx: Ctx,
        quoted: bool,
        flush: int,
        content_start: int,
        out: list[str | Value],
    ) -> None:
        sf = ctx.file
        pos = lo
        strip_next = lo_strip
        for p in parts:
            left, right = _strip_flags(p)
            out.append(self._lit(sf, pos, p.start_byte, strip_next, left, quoted, flush, content_start))
            if p.type == "template_interpolation":
                inner = [k for k in p.named_children if k.type == "expression"]
                out.append(self.node(inner[0], ctx) if inner else error("empty interpolation", sf.span(p)))
            else:
                self._directive(p, ctx, quoted, flush, content_start, out)
            pos = p.end_byte
            strip_next = right
        out.append(self._lit(sf, pos, hi, strip_next, hi_strip, quoted, flush, content_start))

    def _directive(
        self, p: Any, ctx: Ctx, quoted: bool, flush: int, content_start: int, out: list[str | Value]
    ) -> None:
        sf = ctx.file
        d = p.named_children[0] if p.named_children else None
        if d is None:
            out.append(error("empty directive", sf.span(p)))
            return
        kids = d.children
        if d.type == "template_if":
            intro = kids[0]
            end = kids[-1]
            else_i = next((i for i, k in enumerate(kids) if k.type == "template_else_intro"), None)
            cond_nodes = [k for k in intro.named_children if k.type == "expression"]
            cond = self.node(cond_nodes[0], ctx) if cond_nodes else error("if without condition")
            if cond.state is _UNKNOWN:
                out.append(
                    Value.unknown(f"template condition is unknown: {cond.reason}", sf.span(p), cond.refs)
                )
                return
            truth = to_bool(cond)
            if truth is None:
                out.append(error("template condition is not a boolean", sf.span(p)))
                return
            if else_i is None:
                lo_node, hi_node, body = intro, end, kids[1:-1]
                if not truth:
                    return
            elif truth:
                lo_node, hi_node, body = intro, kids[else_i], kids[1:else_i]
            else:
                lo_node, hi_node, body = kids[else_i], end, kids[else_i + 1 : -1]
            parts = [k for k in body if k.type in _PART_TYPES]
            self._render(
                parts,
                lo_node.end_byte,
                _strip_flags(lo_node)[1],
                hi_node.start_byte,
                _strip_flags(hi_node)[0],
                ctx,
                quoted,
                flush,
                content_start,
                out,
            )
            return
        if d.type == "template_for":
            start, end = kids[0], kids[-1]
            names, coll = self._for_intro(start, ctx)
            its = self._iterations(names, coll, None, ctx, sf.span(p))
            if isinstance(its, Value):
                out.append(its)
                return
            parts = [k for k in kids[1:-1] if k.type in _PART_TYPES]
            cap = self.budget.limits.string_bytes
            first = len(out)
            size = 0
            for c in its:
                mark = len(out)
                self._render(
                    parts,
                    start.end_byte,
                    _strip_flags(start)[1],
                    end.start_byte,
                    _strip_flags(end)[0],
                    c,
                    quoted,
                    flush,
                    content_start,
                    out,
                )
                # Each round may repeat a long value: stop once the text is longer than any
                # string may be (join_pieces charges the whole text).
                size += _pieces_len(out, mark)
                if size > cap:
                    del out[first:]
                    self.budget.string(size)
            return
        out.append(error(f"unsupported directive {d.type}", sf.span(p)))


def _strip_flags(n: Any) -> tuple[bool, bool]:
    """Whether a template marker strips whitespace before it (`${~`) and after it (`~}`)."""
    t = n.type
    if t == "template_directive":
        d = n.named_children[0] if n.named_children else None
        if d is None or not d.children:
            return False, False
        return _strip_flags(d.children[0])[0], _strip_flags(d.children[-1])[1]
    kids = n.children
    if len(kids) < 2:
        return False, False
    return kids[1].type == "strip_marker", kids[-2].type == "strip_marker"


def _min_indent(content: bytes) -> int:
    """Common leading whitespace of the non-blank lines of a `<<-` heredoc."""
    best: int | None = None
    for line in content.split(b"\n"):
        stripped = line.lstrip(b" \t")
        if not stripped.strip():
            continue
        ind = len(line) - len(stripped)
        best = ind if best is None else min(best, ind)
    return best or 0


def _dedent(text: str, n: int, at_start: bool) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i == 0 and not at_start:
            continue
        k = 0
        while k < n and k < len(line) and line[k] in " \t":
            k += 1
        lines[i] = line[k:]
    return "\n".join(lines)


def _pieces_len(pieces: list[str | Value], start: int) -> int:
    n = 0
    for p in pieces[start:]:
        if isinstance(p, str):
            n += len(p)
        elif type(p.data) is str:
            n += len(p.data)
    return n


def join_pieces(pieces: list[str | Value], span: Span | None, budget: Budget) -> Value:
    """Concatenate template pieces; any unknown piece makes the whole unknown (refs of all pieces).
    The result's length is charged to `budget` before it is built."""
    values = [p for p in pieces if isinstance(p, Value)]
    unknown = [v for v in values if v.state is not _KNOWN]
    refs = merge_refs(values)
    if unknown:
        first = next((v for v in unknown if is_error(v)), unknown[0])
        if first.state is not _UNKNOWN:
            return error("template includes an absent value", span)
        if is_error(first):
            return Value.unknown(first.reason, span, refs)
        # The text before the first unknown piece is known: enough to tell a URL's scheme.
        head: list[str] = []
        for p in pieces:
            s = p if isinstance(p, str) else to_str(p) if p.state is _KNOWN else None
            if s is None:
                head.append(p.known_prefix() if isinstance(p, Value) else "")
                break
            head.append(s)
        budget.string(sum(len(h) for h in head))
        return Value.unknown(f"template includes an unknown value: {first.reason}", span, refs, "".join(head))
    out: list[str] = []
    size = 0
    for p in pieces:
        if isinstance(p, str):
            out.append(p)
            size += len(p)
            continue
        s = to_str(p)
        if s is None:
            what = "null" if p.data is None else "a collection"
            return error(f"template interpolates {what}", p.span or span)
        out.append(s)
        size += len(s)
    budget.string(size)
    return Value.known("".join(out), span, refs)


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
