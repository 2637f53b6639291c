"""HCL expression evaluation over syntax nodes (`syntax.SNode`/`LitExpr`, or tree-sitter nodes).

Every expression becomes a `Value`. A value created by an expression spans that expression; a value
that comes from elsewhere (a variable, a local, a module output, another resource's argument) keeps
where it was defined and is re-located with `Value.at`, so `via` lists the definition spans: the
origin first, then each hop towards the place of use.

What cannot be known (apply-time attributes, data sources, missing inputs) is `Value.unknown` with a
reason and the resource addresses it derives from (`refs`). Invalid expressions (a missing attribute,
a type error) are unknown with a reason starting with `ERROR_PREFIX`, which `try`/`can` tell apart
from apply-time unknowns.

The pieces live below this module, so that none of them needs the evaluator itself: what values
mean to HCL in `hclvalues.py`, the evaluation context and what the pieces need of the evaluator in
`context.py`, string templates in `templates.py`, built-in functions in `functions.py`, JSON syntax
in `tfjson.py`.
"""

from __future__ import annotations

import math
from typing import Any

from iaclint.budget import Budget
from iaclint.lang.terraform.context import Ctx
from iaclint.lang.terraform.functions import FUNCTIONS
from iaclint.lang.terraform.hclvalues import (
    binary_op,
    bounded,
    collection_items,
    equal,
    error,
    fully_known,
    num,
    reloc,
    to_bool,
    to_number,
    to_str,
    unknown_of,
)
from iaclint.lang.terraform.syntax import Attr, Expr, GetAttr, HclExpr, LitExpr, SNode, SourceFile, unescape
from iaclint.lang.terraform.templates import render_node
from iaclint.lang.terraform.tfjson import eval_json
from iaclint.lang.unknowns import merge_refs
from iaclint.source import Span
from iaclint.values import State, Value

_KNOWN = State.KNOWN
_UNKNOWN = State.UNKNOWN
_BINOPS = frozenset({"+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"})


class Evaluator:
    """Evaluates expressions; one per unit (a root module with its module tree): it charges the
    unit's budget and holds the cycle guard."""

    def __init__(self, budget: Budget | None = None) -> None:
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
        if ctx.file is not sf:
            ctx = Ctx(ctx.scope, sf, ctx.bindings)
        kids = n.children if type(n) is SNode and n.type == "expression" else None
        if kids and kids[0].type == "variable_expr":
            # The commonest argument, a reference: `node` and `_expression` inlined, and its value
            # made at the attribute's span at once (not at the expression's, then moved).
            b = self.budget
            b.steps += 1
            if b.steps > self._work:
                b.step(0)
            self.depth += 1
            try:
                if self.depth > self._max_depth:
                    b.depth(self.depth)
                v = self._traversal(kids[0], kids[1:], ctx, n, a.span)
            finally:
                self.depth -= 1
            return reloc(v, sf.span(n), a.span)
        if type(n) is LitExpr:
            # A literal, made at the attribute's span at once (what `reloc` gives the value made at
            # its own span). Values are immutable: every instance of the module shares this one.
            v = self._literal_at(n.kind, n.start_byte, n.end_byte, n.inner_start, n.inner_end, sf, a.span)
            a.const = v
            return v
        v = self.node(n, ctx)
        return reloc(v, sf.span(n), a.span)

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

    def _literal_at(
        self, t: str, start: int, end: int, a: int, b: int, sf: SourceFile, at: Span | None = None
    ) -> Value:
        """A literal of type `t` at bytes start..end; for a string, a..b is between the quotes.
        `at`: the span to give the value instead of the literal's own."""
        if at is None:
            at = sf.span_bytes(start, end) if sf.fixed_span is None else sf.fixed_span
        span = at
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

    def _traversal(
        self, var: Any, rest: list[Any], ctx: Ctx, whole: Any = None, at: Span | None = None
    ) -> Value:
        """`var` and its accessors `rest`; `whole` is the expression made of exactly these. `at`:
        the span of the attribute the expression is the value of; the value is then made there
        (as `reloc` would move it) when it can be at once."""
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
        if at is not None and at is not span and (at.column != span.column or at != span):
            # What `reloc(<the value below>, span, at)` gives, without making the value below.
            via = v.via if vs is None or vs is span or vs == span else (*v.via, vs)
            return Value(v.state, v.data, at, v.reason, v.refs, via)
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
    def for_intro(self, n: Any, ctx: Ctx) -> tuple[list[str], Value]:
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
                names, coll = self.for_intro(k, ctx)
            elif t == "expression":
                exprs.append(k)
            elif t == "for_cond":
                inner = [c for c in k.named_children if c.type == "expression"]
                cond = inner[0] if inner else None
            elif t == "ellipsis":
                group = True
        return names, coll, exprs, cond, group

    def iterations(
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
        its = self.iterations(names, coll, cond, ctx, span)
        if isinstance(its, Value):
            return its
        return Value.known([self.node(exprs[0], c) for c in its], span)

    def _for_object(self, n: Any, ctx: Ctx) -> Value:
        span = ctx.file.span(n)
        names, coll, exprs, cond, group = self._for_parts(n, ctx)
        if len(exprs) < 2:
            return error("for expression without key => value", span)
        its = self.iterations(names, coll, cond, ctx, span)
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
        return render_node(self, n, ctx)
