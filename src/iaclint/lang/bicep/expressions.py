"""The expressions part of a Bicep file's evaluator: literals and strings with interpolation,
objects and arrays (with spreads), loops and conditions, operators, member and index access with
the symbols they name (resources, modules and their outputs), and the dispatch from syntax node to
method (`_EVALUATORS`)."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from iaclint.budget import BudgetExceeded, exceeded_note
from iaclint.lang.arm import functions as fns
from iaclint.lang.bicep.access import at, deployed, index_of, member_of, relocate
from iaclint.lang.bicep.filescope import (
    CALL_LEVELS,
    DYNAMIC_KEY,
    SKIP_NODES,
    SPREAD,
    STATIC_KEY,
    FileScope,
    Nesting,
    ResourceSym,
)
from iaclint.lang.bicep.parser import MEMBER_RESOURCE, MEMBER_SPREAD, MEMBER_STRING, MEMBER_WORD, ObjectNode
from iaclint.source import Span, make_span
from iaclint.values import LazyValue, State, Value, make

_KNOWN = State.KNOWN


class _Lambda:
    """A lambda as a callable over Values."""

    __slots__ = ("body", "env", "evaluator", "params")

    def __init__(self, params: list[str], body: Any, evaluator: Expressions, env: dict[str, Value]) -> None:
        self.params = params
        self.body = body
        self.evaluator = evaluator
        self.env = env

    def __call__(self, args: list[Value]) -> Value:
        env = dict(self.env)
        env.update(zip(self.params, args, strict=False))
        with Nesting(self.evaluator.ctx, CALL_LEVELS):
            return self.evaluator.expr(self.body, env)


class Expressions(FileScope):

    # -- expressions --------------------------------------------------------------------------------
    def expr(self, node: Any, env: dict[str, Value]) -> Value:
        """The value of an expression node. Charges a step, and a level of nesting while it runs;
        raises BudgetExceeded past either."""
        self._step()
        meth = _EVALUATORS.get(node.type)
        if meth is None:
            return Value.unknown(f"Bicep expression '{node.type}' is not evaluated", self.span(node))
        ctx = self.ctx
        d = ctx.depth + 1
        if d > self._max_depth:
            self._budget.depth(d)
        ctx.depth = d
        try:
            return meth(self, node, env)
        finally:
            ctx.depth = d - 1

    def _e_string(self, node: Any, env: dict[str, Value], place: Span | None = None) -> Value:
        """A string's value; with `place` (an object member's span, holding the string), the value
        `relocate` places there (see `_fill`)."""
        # A string without interpolation is the same Value wherever it is evaluated (Values are
        # immutable): made once per file.
        literals = self.parsed.literals
        key = node.id
        v = literals.get(key)
        if v is not None:
            return v if place is None else relocate(v, place)
        tpl = self.parsed.templates.get(key)
        if tpl is None:
            tpl = self._template(node)
        if tpl.__class__ is str:
            v = literals[key] = make(_KNOWN, tpl, self.span(node))
            return v if place is None else relocate(v, place)
        if _plain_template(tpl):
            v = self._interpolated(node, tpl, env)
            if v.state is _KNOWN:
                literals[key] = v
            return v if place is None else relocate(v, place)
        # Made at `place` at once: `relocate` of a value made at the string's own span (which lies
        # in `place`, with nothing in `via`) only moves it there.
        return self._interpolated(node, tpl, env, place)

    def _template(self, node: Any) -> str | tuple[Any, ...]:
        """A string literal read once per file: its text when it has neither escape nor
        interpolation, else its parts: text (escapes decoded, neighbours joined) and the expression
        node of each interpolation (None for an empty one)."""
        templates = self.parsed.templates
        tpl = templates.get(node.id)
        if tpl is not None:
            return tpl
        text = self._ascii_text
        # The string's text: an ASCII file read by the own parser has it sliced out of the file's
        # text, nothing to decode. (Quotes, backslashes and `${` are single bytes in UTF-8, never
        # inside a character's bytes, so the tests below read the text as they would the bytes.)
        if text is not None:
            txt = text[node.start_byte : node.end_byte]
        else:
            txt = self.parsed.text_of(node).decode("utf-8", errors="replace")
        if txt.startswith("'''"):
            tpl = _multiline(self.parsed.text_of(node))
        elif not ("\\" in txt or "${" in txt or txt[-1:] != "'" or len(txt) < 2 or node.has_error):
            # Most strings are plain: their text is all between the quotes.
            tpl = txt[1:-1]
        else:
            tpl = self._template_parts(node)
        templates[node.id] = tpl
        return tpl

    def _template_parts(self, node: Any) -> tuple[Any, ...]:
        """The parts of a string with escapes or interpolations (see `_template`)."""
        parts: list[Any] = []
        for c in node.named_children:
            ct = c.type
            if ct == "string_content" or ct == "escape_sequence":
                text = self.text(c) if ct == "string_content" else _unescape(self.text(c))
                if parts and parts[-1].__class__ is str:
                    parts[-1] += text
                else:
                    parts.append(text)
            elif ct == "interpolation":
                inner = [x for x in c.named_children if x.type not in SKIP_NODES]
                parts.append(inner[0] if inner else None)
        return tuple(parts)

    def _interpolated(
        self, node: Any, tpl: tuple[Any, ...], env: dict[str, Value], place: Span | None = None
    ) -> Value:
        """The value of a string node whose template `tpl` has parts (see `_template`), made at
        `place` when given, else at the node."""
        span = self.span(node) if place is None else place
        # Text, and the values of interpolations not known as text.
        parts: list[str | Value] = []
        unknowns: list[Value] = []
        ctx = self.ctx
        for p in tpl:
            if p.__class__ is str:
                parts.append(p)
                continue
            ctx.depth += 1  # two frames further in
            try:
                if p is None:
                    v = Value.unknown("empty interpolation", self.span(node))
                elif p.type == "identifier":
                    # `expr(p, env)`, without the copy at the identifier's own span: what the
                    # string takes of an interpolated value (its text, or, when it is not known
                    # as text, its reason, refs and known ends) is the same in the copy.
                    v = self._lookup(p, env)
                    if v is None:
                        v = self._symbol_in(p)
                else:
                    v = self.expr(p, env)
            finally:
                ctx.depth -= 1
            # `fns.interpolate_str(v)`, with known text taken as it is (most interpolations).
            s = v.data if v.state is _KNOWN and v.data.__class__ is str else fns.interpolate_str(v)
            if s is None:
                unknowns.append(v)
                parts.append(v)
            else:
                parts.append(s)
        if unknowns:
            # Known around the unknown interpolations: a URL's scheme, the tail of an id.
            return fns.unknown_string(unknowns, parts, span, "string built from an unknown value")
        # `'${a}${a}'` doubles a string: its length is charged before it is built. (Every part
        # is text here.)
        self._budget.string(sum(map(len, parts)))  # type: ignore[arg-type]
        return make(_KNOWN, "".join(parts), span)  # type: ignore[arg-type]

    def _e_number(self, node: Any, env: dict[str, Value]) -> Value:
        txt = self.text(node)
        try:
            return make(_KNOWN, int(txt), self.span(node))
        except ValueError:
            return Value.unknown(f"number '{txt}' not understood", self.span(node))

    def _e_boolean(self, node: Any, env: dict[str, Value]) -> Value:
        return make(_KNOWN, self.parsed.text_of(node) == b"true", self.span(node))

    def _e_null(self, node: Any, env: dict[str, Value]) -> Value:
        return make(_KNOWN, None, self.span(node))

    def _e_identifier(self, node: Any, env: dict[str, Value]) -> Value:
        name = self.text(node)
        span = self.span(node)
        # `at(env[name], span)` or `symbol_value(name, span)` for a value already worked out, with
        # `at` written out (a third of all nodes are identifiers).
        v = env.get(name)
        if v is None:
            v = self.values.get(name)
            if v is None:
                return self.symbol_value(name, span)
        old = v.span
        if old is span or old == span:
            return v
        return make(v.state, v.data, span, v.reason, v.refs, v.via if old is None else (*v.via, old))

    _e_compatible_identifier = _e_identifier

    def _lookup(self, node: Any, env: dict[str, Value]) -> Value | None:
        """What `expr` does first for the identifier `node`: a step and a level of nesting charged,
        then its value as found in `env` or among the file's worked-out values; None when it is a
        symbol still to read (`_symbol_in`). For callers that need no copy at the identifier."""
        self._step()
        d = self.ctx.depth + 1
        if d > self._max_depth:
            self._budget.depth(d)
        name = self.text(node)
        v = env.get(name)
        return v if v is not None else self.values.get(name)

    def _symbol_in(self, node: Any) -> Value:
        """The symbol the identifier `node` names, read one level further in (as `expr` reads it)."""
        ctx = self.ctx
        ctx.depth += 1
        try:
            return self.symbol_value(self.text(node), self.span(node))
        finally:
            ctx.depth -= 1

    def _e_parenthesized_expression(self, node: Any, env: dict[str, Value]) -> Value:
        kids = self.kids(node)
        if len(kids) != 1:
            return Value.unknown("lambda parameters are not a value", self.span(node))
        return self.expr(kids[0], env)

    def _e_object(self, node: Any, env: dict[str, Value]) -> Value:
        return self.object(node, env, drop=())

    def object(
        self,
        node: Any,
        env: dict[str, Value],
        drop: tuple[str, ...],
        where: str | None = None,
        span: Span | None = None,
    ) -> Value:
        """An object's value. With `where` (a resource body, named so), each member is a named
        value: one the budget cuts off is unknown with a note, the others are still read. `span`:
        where the value is seen (a member's span, see `_fill`), else the object's own."""
        if where is not None:
            return make(_KNOWN, self.named_members(node, env, drop, where), self._spans.of(node))
        members = self._members(node)
        self._budget.collection(len(members))
        ctx = self.ctx
        ctx.depth += 1  # each member is two frames further in
        try:
            out = self._fill({}, members, env, drop, len(members))
            return make(_KNOWN, out, span if span is not None else self._spans.of(node))
        finally:
            ctx.depth -= 1

    def named_members(
        self,
        node: Any,
        env: dict[str, Value],
        drop: tuple[str, ...],
        where: str,
        given: dict[str, Value] | None = None,
    ) -> dict[str, Value]:
        """The members of `object(node, env, drop, where=where)`: each a named value (see `object`).
        `given`: values the caller has for members written with these keys (a resource's `name`,
        worked out on its own): set as they are, charged as a literal is, not evaluated again."""
        members = self._members(node)
        self._budget.collection(len(members))
        ctx = self.ctx
        out: dict[str, Value] = {}
        saved = ctx.where
        try:
            for member in members:
                kind, key = member[0], member[1]
                if kind != STATIC_KEY:
                    key = self.text(key) if kind == DYNAMIC_KEY else "..."
                elif member[4] is not None or (given is not None and key in given):
                    # A literal (see `_fill`) or a given value: no nested value reads `ctx.where`,
                    # no height to check.
                    if key in drop:
                        continue
                    try:
                        self._step()
                        if ctx.depth + 1 > self._max_depth:
                            self._budget.depth(ctx.depth + 1)
                        out[key] = given[key] if given is not None and key in given else member[4]
                    except BudgetExceeded as err:
                        out[key] = Value.unknown(exceeded_note(f"{where}.{key}", err), member[3])
                    continue
                ctx.where = f"{where}.{key}"
                try:
                    self._fill(out, [member], env, drop, len(out) + 1)
                    if key in out:
                        self.check_height(out[key])
                except BudgetExceeded as err:
                    out[key] = Value.unknown(exceeded_note(ctx.where, err), member[3])
        finally:
            ctx.where = saved
        return out

    def _fill(
        self,
        out: dict[str, Value],
        members: list[Any],
        env: dict[str, Value],
        drop: tuple[str, ...],
        size: int,
    ) -> dict[str, Value]:
        """`out` with `members` evaluated into it; `size`: the members counted so far."""
        expr = self.expr
        ctx = self.ctx
        step = self._step
        max_depth = self._max_depth
        for kind, key, val_node, pspan, const in members:
            if const is not None:
                # A literal member: the Value `expr` and `relocate` would make, made once per file.
                # Charged as `expr` charges it: a step, and a level of nesting.
                if key in drop:
                    continue
                step()
                if ctx.depth + 1 > max_depth:
                    self._budget.depth(ctx.depth + 1)
                out[key] = const
                continue
            if kind == SPREAD:
                v = expr(val_node, env)
                if v.state is _KNOWN and isinstance(v.data, dict):
                    # `{...a, ...a}`: what a spread adds is charged before it is copied in, and the
                    # object as a whole must stay within a collection's size.
                    size += len(v.data)
                    b = self._budget
                    b.collection(size if size > b.limits.collection_items else len(v.data))
                    out.update(v.data)
                else:
                    out["..."] = at(v, pspan)
                continue
            if kind == DYNAMIC_KEY:
                kv = self._e_string(key, env)
                key = kv.data if kv.state is _KNOWN else self.text(key)
            if key in drop:
                continue
            t = val_node.type
            if t == "identifier":
                # `relocate(expr(val_node, env), pspan)` without the value at the identifier's own
                # span on the way: the identifier lies inside the member, so `relocate` would keep
                # just what `at` added to `via`. Charged as `expr` charges it.
                step()
                d = ctx.depth + 1
                if d > max_depth:
                    self._budget.depth(d)
                name = self.text(val_node)
                v = env.get(name)
                if v is None:
                    v = self.values.get(name)
                    if v is None:
                        ctx.depth = d
                        try:
                            v = self.symbol_value(name, self.span(val_node))
                        finally:
                            ctx.depth = d - 1
                        out[key] = relocate(v, pspan)
                        continue
                s1 = self.span(val_node)
                old = v.span
                via = v.via if old is None or old is s1 or old == s1 else (*v.via, old)
                out[key] = make(v.state, v.data, pspan, v.reason, v.refs, via)
                continue
            made_at = _MADE_AT.get(t)
            if made_at is not None:
                # An object, an array, a string with interpolations (a plain one is a constant),
                # `a.b`: what `relocate(expr(val_node, env), pspan)` gives, made at the member's
                # span at once (no Value and span of its own on the way), charged as `expr` does.
                step()
                d = ctx.depth + 1
                if d > max_depth:
                    self._budget.depth(d)
                ctx.depth = d
                try:
                    out[key] = made_at(self, val_node, env, pspan)
                finally:
                    ctx.depth = d - 1
                continue
            out[key] = relocate(expr(val_node, env), pspan)
        return out

    def _members(self, node: Any) -> list[tuple[int, Any, Any, Span, Value | None]]:
        """An object's members as (kind, key, value node, member span, constant), worked out once
        per file: kind `SPREAD` (key unused), `STATIC_KEY` (key is the text) or `DYNAMIC_KEY` (key
        is an interpolated string node); `constant`, for a static key whose value is a literal (a
        string without interpolation, a number, a boolean, null), is the member's value as
        `_fill` gives it, else None. Nested resource declarations are left out."""
        cache = self.parsed.members
        found = cache.get(node.id)
        if found is not None:
            return found
        found = []
        if node.__class__ is ObjectNode:
            self._own_members(node, found)
            cache[node.id] = found
            return found
        spreads = self.parsed.spreads
        span_of = self._spans.of
        for prop in node.named_children:
            if prop.type != "object_property":
                continue
            kids = self.kids(prop)
            if len(kids) < 2 or kids[0].type == "resource_declaration":
                continue
            key_node, val_node = kids[0], kids[-1]
            pspan = span_of(prop)
            if spreads and key_node.start_byte in spreads:
                found.append((SPREAD, None, val_node, pspan, None))
                continue
            if key_node.type == "string":
                static = self._static_key(key_node)
                if static is None:
                    found.append((DYNAMIC_KEY, key_node, val_node, pspan, None))
                    continue
                key = static
            else:
                key = self.text(key_node)
            found.append((STATIC_KEY, key, val_node, pspan, self._literal(val_node, pspan)))
        cache[node.id] = found
        return found

    def _own_members(self, node: ObjectNode, found: list[tuple[int, Any, Any, Span, Value | None]]) -> None:
        """`_members` of an object read by the own parser, from the members it read."""
        spans = self._spans
        if spans._ascii:  # type: ignore[union-attr]
            self._own_members_ascii(node, found)
            return
        span_of = spans.bytes  # type: ignore[union-attr]  # the own parser's ByteSpans
        for kind, key, val_node, start, end in node.members:
            if kind == MEMBER_WORD:
                pspan = span_of(start, end)
                found.append((STATIC_KEY, key, val_node, pspan, self._literal(val_node, pspan)))
            elif kind == MEMBER_STRING:
                pspan = span_of(start, end)
                static = self._static_key(key)
                if static is not None:
                    found.append((STATIC_KEY, static, val_node, pspan, self._literal(val_node, pspan)))
                else:
                    found.append((DYNAMIC_KEY, key, val_node, pspan, None))
            elif kind == MEMBER_SPREAD:
                found.append((SPREAD, None, val_node, span_of(start, end), None))

    def _own_members_ascii(
        self, node: ObjectNode, found: list[tuple[int, Any, Any, Span, Value | None]]
    ) -> None:
        """`_own_members` of an ASCII file, with what `ByteSpans.bytes` and `_literal` do written
        out in the loop (the same spans and values): each object's members are read once per
        file, and most objects are evaluated once, so this is a share of every evaluation."""
        spans = self._spans
        starts: list[int] = spans._starts  # type: ignore[union-attr]
        n_lines = len(starts)
        path = spans.path  # type: ignore[union-attr]
        data = self.parsed.data
        # The file's text: for an ASCII file (this one) a character is a byte, so a string's text
        # is sliced out of it as it is, where `_literal` decodes its bytes.
        text = self.src.text
        append = found.append
        for kind, key, val_node, start, end in node.members:
            if kind == MEMBER_RESOURCE:
                continue
            line = bisect_right(starts, start)
            begin = starts[line - 1]
            if line == n_lines or end < starts[line]:
                pspan = make_span(path, line, start - begin + 1, line, end - begin + 1)
            else:
                last = bisect_right(starts, end)
                pspan = make_span(path, line, start - begin + 1, last, end - starts[last - 1] + 1)
            if kind == MEMBER_SPREAD:
                append((SPREAD, None, val_node, pspan, None))
                continue
            if kind == MEMBER_STRING:
                static = self._static_key(key)
                if static is None:
                    append((DYNAMIC_KEY, key, val_node, pspan, None))
                    continue
                key = static
            # `_literal(val_node, pspan)`, inline.
            t = val_node.type
            const: Value | None = None
            if t == "string":
                raw = text[val_node.start_byte : val_node.end_byte]
                if raw.startswith("'''"):
                    const = make(_KNOWN, _multiline(data[val_node.start_byte : val_node.end_byte]), pspan)
                elif not (
                    "\\" in raw or "${" in raw or raw[-1:] != "'" or len(raw) < 2 or val_node.has_error
                ):
                    const = make(_KNOWN, raw[1:-1], pspan)
            elif t == "number" or t == "boolean" or t == "null":
                const = self._literal(val_node, pspan)
            append((STATIC_KEY, key, val_node, pspan, const))

    def _static_key(self, key_node: Any) -> str | None:
        """The text of a quoted key without interpolation; None for one with interpolations, which
        is evaluated where the object is, with its bindings (`_fill`), and not here as well."""
        if not _plain_template(self._template(key_node)):
            return None
        kv = self._e_string(key_node, {})
        return kv.data if kv.state is _KNOWN else None

    def _literal(self, node: Any, pspan: Span) -> Value | None:
        """The value of a literal member value `node` as `_fill` gives it (what `expr` gives, seen
        at its member's span `pspan`), the same wherever the file is evaluated; None for any other
        node. Made straight at `pspan`: the node's own span would be dropped by `relocate`."""
        t = node.type
        raw = self.parsed.text_of(node)
        if t == "string":
            if raw.startswith(b"'''"):
                data: Any = _multiline(raw)
            elif b"\\" in raw or b"${" in raw or raw[-1:] != b"'" or len(raw) < 2 or node.has_error:
                return None  # escapes or interpolations: `_interpolated` reads (and charges) it
            else:
                data = raw[1:-1].decode("utf-8", errors="replace")
        elif t == "number":
            try:
                data = int(raw)
            except ValueError:
                return None
        elif t == "boolean":
            data = raw == b"true"
        elif t == "null":
            data = None
        else:
            return None
        return make(_KNOWN, data, pspan)

    def _e_array(self, node: Any, env: dict[str, Value], span: Span | None = None) -> Value:
        """An array's value; `span`: as for `object`."""
        spreads = self.parsed.spreads
        kids = self.kids(node)
        if not spreads or not any(c.start_byte in spreads for c in kids):
            self._budget.collection(len(kids))
            ctx = self.ctx
            ctx.depth += 1  # each item is a frame further in
            try:
                items = [self.expr(c, env) for c in kids]
                return make(_KNOWN, items, span if span is not None else self.span(node))
            finally:
                ctx.depth -= 1
        # `[...a, ...a]` doubles a list: the size is worked out from the parts before it is built.
        parts: list[tuple[bool, Value]] = []
        size = 0
        for c in kids:
            v = self.expr(c, env)
            if c.start_byte in spreads:
                if v.state is not _KNOWN or not isinstance(v.data, list):
                    v = fns.unknown_from([v], self.span(node), "array spread of an unknown value")
                    return v if span is None else relocate(v, span)
                parts.append((True, v))
                size += len(v.data)
            else:
                parts.append((False, v))
                size += 1
        self._budget.collection(size)
        items: list[Value] = []
        for spread, v in parts:
            if spread:
                items.extend(v.data)
            else:
                items.append(v)
        return make(_KNOWN, items, span if span is not None else self.span(node))

    def _e_for_statement(self, node: Any, env: dict[str, Value]) -> Value:
        span = self.span(node)
        inst = self.loop_instances(node, env)
        if isinstance(inst, Value):
            return inst
        out: list[Value] = []
        for loop_env, body in inst:
            if body.type != "if_statement":
                # Known to be there: worked out when read. A loop over this array (role
                # assignments over a formatted list) needs its length, not its items' values.
                out.append(self._lazy(self.ctx.where, self.span(body), self.expr, body, loop_env))
                continue
            v = self._conditional(body, loop_env)
            if v is not None:
                out.append(v)
        return make(_KNOWN, out, span)

    def _conditional(self, body: Any, env: dict[str, Value]) -> Value | None:
        """The value of a loop body, None when its `if` is false."""
        if body.type == "if_statement":
            kids = self.kids(body)
            cond = self.expr(kids[0], env)
            c = fns.truthy(cond)
            if c is False:
                return None
            v = self.expr(kids[-1], env)
            return v if c else fns.unknown_from([cond], v.span, "condition is unknown")
        return self.expr(body, env)

    def loop_instances(
        self, node: Any, env: dict[str, Value], instances: int = 1
    ) -> list[tuple[dict[str, Value], Any]] | Value:
        """Bindings per loop iteration, or an unknown when the collection is not known. The loop's
        expansion is charged: `instances` times its own size, for a loop of resources or modules in
        a file deployed that many times."""
        kids = self.kids(node)
        if len(kids) < 3:
            return Value.unknown("loop not understood", self.span(node))
        params, coll_node, body = kids[0], kids[1], kids[-1]
        item_name = index_name = None
        if params.type == "for_loop_parameters":
            for p in params.named_children:
                if p.type == "loop_variable":
                    item_name = self.text(p)
                elif p.type == "loop_enumerator":
                    index_name = self.text(p)
        else:
            item_name = self.text(params)
        coll = self.expr(coll_node, env)
        if coll.state is not _KNOWN or not isinstance(coll.data, list):
            return fns.unknown_from([coll], self.span(node), "loop over an unknown collection")
        self._budget.expansion(len(coll.data) * instances)
        out = []
        for i, item in enumerate(coll.data):
            e = dict(env)
            if item_name:
                e[item_name] = item
            if index_name:
                e[index_name] = make(_KNOWN, i, coll.span)
            out.append((e, body))
        return out

    def _e_unary_expression(self, node: Any, env: dict[str, Value]) -> Value:
        op = node.children[0].type
        arg = self.expr(node.named_children[-1], env)
        span = self.span(node)
        if op == "!":
            c = fns.truthy(arg)
            return (
                fns.unknown_from([arg], span, "negation of an unknown value")
                if c is None
                else make(_KNOWN, not c, span)
            )
        if arg.state is _KNOWN and isinstance(arg.data, (int, float)) and not isinstance(arg.data, bool):
            return make(_KNOWN, -arg.data, span)
        return fns.unknown_from([arg], span, "arithmetic on an unknown value")

    def _e_binary_expression(self, node: Any, env: dict[str, Value]) -> Value:
        left_n = node.child_by_field_name("left")
        right_n = node.child_by_field_name("right")
        op = node.children[1].type if node.child_count > 2 else ""
        span = self.span(node)
        left = self.expr(left_n, env)
        if op == "??":
            if left.state is _KNOWN and left.data is not None:
                return left
            if left.state is _KNOWN or left.is_absent:
                return self.expr(right_n, env)
            return fns.unknown_from([left], span, "unknown value before ??")
        if op in ("&&", "||"):
            lc = fns.truthy(left)
            if lc is (op == "||"):
                return make(_KNOWN, lc, span)
            right = self.expr(right_n, env)
            rc = fns.truthy(right)
            if lc is not None and rc is not None:
                return make(_KNOWN, rc, span)
            if rc is (op == "||"):
                return make(_KNOWN, rc, span)
            return fns.unknown_from([left, right], span, f"'{op}' of an unknown value")
        right = self.expr(right_n, env)
        if op in ("==", "!="):
            e = fns.equal(left, right)
            if e is None:
                return fns.unknown_from([left, right], span, "comparison of an unknown value")
            return make(_KNOWN, e if op == "==" else not e, span)
        if op in ("=~", "!~"):
            a, b = left.as_str(), right.as_str()
            if a is None or b is None:
                return fns.unknown_from([left, right], span, "comparison of an unknown value")
            return Value.known((a.lower() == b.lower()) == (op == "=~"), span)
        name = _OPERATOR_FUNCTIONS.get(op)
        if name is None:
            return Value.unknown(f"operator '{op}' not evaluated", span)
        return fns.call(name, [left, right], span) or Value.unknown(f"operator '{op}'", span)

    def _e_ternary_expression(self, node: Any, env: dict[str, Value]) -> Value:
        cond = self.expr(node.child_by_field_name("condition"), env)
        c = fns.truthy(cond)
        if c is None:
            return fns.unknown_from([cond], self.span(node), "condition is unknown")
        branch = node.child_by_field_name("consequence" if c else "alternative")
        return self.expr(branch, env)

    def _e_lambda_expression(self, node: Any, env: dict[str, Value]) -> Value:
        return Value.unknown("a lambda is not a value", self.span(node))

    def make_lambda(self, node: Any, env: dict[str, Value]) -> _Lambda | None:
        if node.type != "lambda_expression":
            return None
        kids = self.kids(node)
        if len(kids) < 2:
            return None
        head = kids[0]
        if head.type == "identifier":
            params = [self.text(head)]
        else:
            params = [self.text(c) for c in head.named_children if c.type == "identifier"]
        return _Lambda(params, kids[-1], self, env)

    def _e_member_expression(self, node: Any, env: dict[str, Value], place: Span | None = None) -> Value:
        """`a.b`; with `place` (an object member's span, holding it), the value `relocate` places
        there (see `_fill`)."""
        span = self.span(node)
        shape = self.parsed.shapes.get(node.id)
        if shape is None:
            shape = self.parsed.shapes[node.id] = self._member_shape(node)
        obj_n, prop, safe, fixed = shape
        if obj_n is None:
            v = Value.unknown("member access not understood", span)
        elif fixed:
            v = self._fixed_postfix(node, obj_n, env)
        else:
            v = None
            if obj_n.type == "member_expression":
                v = self._module_output(obj_n, prop, env, span)
            if v is None:
                v = self._symbol_member(obj_n, prop, env, span)
            if v is None:
                if obj_n.type == "identifier":
                    # `expr(obj_n, env)`, the value taken as found: `member_of` reads no span of
                    # `base`, so the copy `at` would place at the identifier is not made.
                    base = self._lookup(obj_n, env)
                    if base is None:
                        base = self._symbol_in(obj_n)
                else:
                    base = self.expr(obj_n, env)
                # (Made at `place` at once when given.)
                return member_of(base, prop, span, safe, place)
        return v if place is None else relocate(v, place)

    def _member_shape(self, node: Any) -> tuple[Any, str, bool, bool]:
        """(object node or None, property name, `.?`, postfix to re-associate) of `a.b`, worked
        out once per file."""
        obj_n = node.child_by_field_name("object")
        prop_n = node.child_by_field_name("property")
        if obj_n is None or prop_n is None:
            return (None, "", False, False)
        fixed = _chain_base(obj_n) in ("ternary_expression", "unary_expression", "lambda_expression")
        safe = any(c.type == ".?" for c in node.children)
        return (obj_n, self.text(prop_n), safe, fixed)

    def _fixed_postfix(self, node: Any, obj_n: Any, env: dict[str, Value]) -> Value:
        """Re-associate `c ? a : b.x`, `!a.b.c` the way Bicep reads them: the grammar attaches the
        postfix chain to the whole ternary/unary expression instead of its last operand."""
        chain = []
        n = node
        while n is not None and n.type in ("member_expression", "subscript_expression"):
            chain.append(n)
            n = n.child_by_field_name("object")
        if n is None or n.type == "lambda_expression":
            return Value.unknown("a lambda is not a value", self.span(node))
        chain.reverse()
        return self._apply_chain(n, chain, env, self.span(node))

    def _apply_chain(self, base: Any, chain: list[Any], env: dict[str, Value], span: Span) -> Value:
        t = base.type
        if t == "ternary_expression":
            cond = self.expr(base.child_by_field_name("condition"), env)
            c = fns.truthy(cond)
            if c is None:
                return fns.unknown_from([cond], span, "condition is unknown")
            if c:
                return self.expr(base.child_by_field_name("consequence"), env)
            with self.nesting():
                return self._apply_chain(base.child_by_field_name("alternative"), chain, env, span)
        if t == "unary_expression":
            op = base.children[0].type
            with self.nesting():
                inner = self._apply_chain(base.named_children[-1], chain, env, span)
            if op == "!":
                c = fns.truthy(inner)
                return fns.unknown_from([inner], span, "negation") if c is None else make(_KNOWN, not c, span)
            if inner.state is _KNOWN and isinstance(inner.data, (int, float)):
                return make(_KNOWN, -inner.data, span)
            return fns.unknown_from([inner], span, "arithmetic on an unknown value")
        v: Value | None = None
        rest = chain
        if chain and chain[0].type == "member_expression":
            prop = self.text(chain[0].child_by_field_name("property"))
            v = self._symbol_member(base, prop, env, self.span(chain[0]))
            if v is not None:
                rest = chain[1:]
        if v is None:
            v = self.expr(base, env)
        for op in rest:
            ospan = self.span(op)
            if op.type == "member_expression":
                safe = any(c.type == ".?" for c in op.children)
                v = member_of(v, self.text(op.child_by_field_name("property")), ospan, safe)
            else:
                safe = any(c.type == "?" for c in op.children)
                v = index_of(v, self.expr(op.child_by_field_name("index"), env), ospan, safe)
        return v

    def _e_subscript_expression(self, node: Any, env: dict[str, Value]) -> Value:
        obj_n = node.child_by_field_name("object")
        idx_n = node.child_by_field_name("index")
        span = self.span(node)
        if obj_n is None or idx_n is None:
            return Value.unknown("index not understood", span)
        if _chain_base(obj_n) in ("ternary_expression", "unary_expression", "lambda_expression"):
            return self._fixed_postfix(node, obj_n, env)
        safe = any(c.type == "?" for c in node.children)
        return index_of(self.expr(obj_n, env), self.expr(idx_n, env), span, safe)

    def _e_resource_expression(self, node: Any, env: dict[str, Value]) -> Value:
        sym = self._resource_path(node)
        span = self.span(node)
        if sym is None:
            return Value.unknown("reference to a nested resource", span)
        return Value.unknown(f"reference to resource {sym.symbol}", span, (sym.address,))

    def _resource_path(self, node: Any) -> ResourceSym | None:
        """The symbol named by `a` or `a::b::c`."""
        if node.type in ("identifier", "compatible_identifier"):
            return self.resource_sym(self.text(node))
        if node.type == "resource_expression":
            obj = node.child_by_field_name("object")
            res = node.child_by_field_name("resource")
            if obj is None or res is None:
                return None
            with self.nesting():
                parent = self._resource_path(obj)
            if parent is None:
                return None
            return self.resource_sym(f"{parent.symbol}::{self.text(res)}")
        return None

    def _module_output(self, obj_n: Any, prop: str, env: dict[str, Value], span: Span) -> Value | None:
        """`mod.outputs.x` with only output `x` evaluated (the same value `outputs_value` gives it);
        None when `obj_n` is not `<module>.outputs` or the module has no output named exactly so."""
        base_n = obj_n.child_by_field_name("object")
        prop_n = obj_n.child_by_field_name("property")
        if base_n is None or prop_n is None or base_n.type not in ("identifier", "compatible_identifier"):
            return None
        name = self.text(base_n)
        if name in env or self.parsed.text_of(prop_n) != b"outputs":
            return None
        if any(c.type == ".?" for c in obj_n.children):
            return None
        decl = self.decls.get(name)
        if decl is None or decl[0] != "module":
            return None
        msym = self.module_sym(name)
        if msym is None or msym.evaluator is None or msym.looped:
            return None
        return msym.evaluator.output_value(prop, span)

    def _symbol_member(self, obj_n: Any, prop: str, env: dict[str, Value], span: Span) -> Value | None:
        """`res.name`, `res.id`, `res.properties`, `mod.outputs`: None when obj is no symbol."""
        if obj_n.type in ("identifier", "compatible_identifier"):
            name = self.text(obj_n)
            if name in env:
                return None
            decl = self.decls.get(name)
            if decl is not None and decl[0] == "module":
                msym = self.module_sym(name)
                if msym is None:
                    return None
                if prop == "outputs" and msym.evaluator is not None and not msym.looped:
                    return msym.evaluator.outputs_value(span)
                why = f"module {name}.{prop}: {msym.reason}" if msym.reason else f"module {name}.{prop}"
                return Value.unknown(why, span, (msym.address,))
        sym = self._resource_path(obj_n) if obj_n.type in ("identifier", "resource_expression") else None
        if sym is None or (obj_n.type == "identifier" and self.text(obj_n) in env):
            return None
        refs = (sym.address,)
        if sym.looped:
            return Value.unknown(f"property of looped resource {sym.symbol}", span, refs)
        if prop == "name":
            named = at(sym.name, span)
            return named.with_refs(refs) if sym.name.state is not _KNOWN else named
        if prop == "type":
            return make(_KNOWN, sym.type, span)
        if prop == "apiVersion":
            return make(_KNOWN, sym.api_version, span)
        body = sym.body
        # A body being worked out that reads itself (`properties: { x: me.properties.y }`) cannot
        # know it yet: as when no body is there, the property is a deployment-time value. (Bicep
        # rejects such cycles, and cycles between two bodies, as circular dependencies; for them
        # what a body sees may depend on which body a rule reads first.)
        if (
            body is not None
            and prop in ("properties", "location", "sku", "kind", "tags", "identity")
            and not (isinstance(body, LazyValue) and body.busy())
        ):
            v = body.get(prop)
            if v.state is _KNOWN:
                return deployed(at(v, span), refs, f"{sym.symbol}.{prop}")
        return Value.unknown(f"{sym.symbol}.{prop} is known only after deployment", span, refs)

    def _e_call_expression(self, node: Any, env: dict[str, Value]) -> Value:
        span = self.span(node)
        shape = self.parsed.shapes.get(node.id)
        if shape is None:
            fn_n = node.child_by_field_name("function")
            args_n = node.child_by_field_name("arguments")
            shape = (fn_n, self.kids(args_n) if args_n is not None else [])
            self.parsed.shapes[node.id] = shape
        fn_n, arg_nodes = shape
        if fn_n is None:
            return Value.unknown("call not understood", span)
        if fn_n.type == "member_expression":
            ns = fn_n.child_by_field_name("object")
            prop = fn_n.child_by_field_name("property")
            if ns is None or prop is None or self.text(ns) not in ("az", "sys"):
                # A method on a resource (`stg.listKeys()`): a deployment-time value.
                refs: tuple[str, ...] = ()
                sym = self._resource_path(ns) if ns is not None else None
                if sym is not None:
                    refs = (sym.address,)
                return Value.unknown("resource function known only at deployment", span, refs)
            name = self.text(prop)
        else:
            name = self.text(fn_n)
        ctx = self.ctx
        ctx.depth += 1  # the arguments are two frames further in
        try:
            return self.call(name, arg_nodes, env, span)
        finally:
            ctx.depth -= 1


# The template function each remaining binary operator is.
_OPERATOR_FUNCTIONS = {
    "<": "less", "<=": "lessOrEquals", ">": "greater", ">=": "greaterOrEquals", "+": "add", "-": "sub",
    "*": "mul", "/": "div", "%": "mod",
}  # fmt: skip

def _object_at(self: Expressions, node: Any, env: dict[str, Value], place: Span) -> Value:
    return self.object(node, env, (), span=place)


# Member values `_fill` makes at the member's span at once, by node type.
_MADE_AT: dict[str, Any] = {
    "object": _object_at,
    "array": Expressions._e_array,
    "string": Expressions._e_string,
    "member_expression": Expressions._e_member_expression,
}

# Node type -> `Expressions._e_<type>`, looked up once instead of per node.
_EVALUATORS: dict[str, Any] = {
    name[3:]: fn for name, fn in vars(Expressions).items() if name.startswith("_e_") and callable(fn)
}


def _plain_template(tpl: str | tuple[Any, ...]) -> bool:
    """A string template without interpolation."""
    return tpl.__class__ is str or all(p.__class__ is str for p in tpl)


def _multiline(raw: bytes) -> str:
    """The text of a multi-line string `'''...'''`."""
    body = raw[3:-3] if raw.endswith(b"'''") and len(raw) >= 6 else raw[3:]
    s = body.decode("utf-8", errors="replace")
    # Bicep drops the line break right after the opening quotes.
    if s.startswith("\r\n"):
        return s[2:]
    if s.startswith("\n"):
        return s[1:]
    return s


def _chain_base(n: Any) -> str:
    """The node type under a chain of member and index operators."""
    while n.type in ("member_expression", "subscript_expression"):
        nxt = n.child_by_field_name("object")
        if nxt is None:
            break
        n = nxt
    return n.type


def _unescape(esc: str) -> str:
    simple = {"\\n": "\n", "\\r": "\r", "\\t": "\t", "\\\\": "\\", "\\'": "'", "\\$": "$"}
    if esc in simple:
        return simple[esc]
    if esc.startswith("\\u{") and esc.endswith("}"):
        try:
            return chr(int(esc[3:-1], 16))
        except (ValueError, OverflowError):
            return ""
    return esc[1:]
