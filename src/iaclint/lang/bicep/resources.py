"""The resources part of a Bicep file's evaluator: resource symbols declared in any order
(type and name first, the body later), nested and `parent:` children with their composed names,
loop and condition instances, and the resources emitted in ARM's shape (see evaluate.py)."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from iaclint.budget import BudgetExceeded, exceeded_note
from iaclint.lang.arm import functions as fns
from iaclint.lang.bicep.access import relocate
from iaclint.lang.bicep.filescope import (
    STATIC_KEY,
    FileScope,
    ResourceSym,
)
from iaclint.lang.bicep.parser import MEMBER_RESOURCE, ObjectNode
from iaclint.resources import Diagnostic, LazyNameResource
from iaclint.source import Span
from iaclint.values import State, Value, make

_KNOWN = State.KNOWN
_ABSENT = State.ABSENT


class Resources(FileScope):

    # -- resources ----------------------------------------------------------------------------------
    def resource_sym(self, symbol: str) -> ResourceSym | None:
        sym = self.resource_syms.get(symbol)
        if sym is not None:
            return sym
        decl = self.decls.get(symbol)
        if decl is None or decl[0] != "resource":
            return None
        self._declare_resource(symbol, decl[1], None)
        return self.resource_syms.get(symbol)

    def _declare_resource(self, symbol: str, node: Any, parent: ResourceSym | None) -> ResourceSym | None:
        """Work out a resource's type and name (no body yet), so references resolve in any order."""
        if symbol in self.resource_syms:
            return self.resource_syms[symbol]
        kids = self.kids(node)
        if len(kids) < 3:
            return None
        type_v = self._e_string(kids[1], {})
        type_str = type_v.as_str() or ""
        rtype, _, api = type_str.partition("@")
        value_n = kids[-1]
        body_n = value_n
        looped = value_n.type == "for_statement"
        while body_n.type in ("if_statement", "for_statement"):
            inner = self.kids(body_n)
            body_n = inner[-1]
        addr = f"{self.root_display}#{self.prefix}{symbol}"
        # Placeholder first: a name that refers to its own resource must not recurse forever.
        sym = ResourceSym(
            symbol, addr, rtype, api, Value.unknown(f"name of {symbol}", self.span(node), (addr,))
        )
        self.resource_syms[symbol] = sym
        parent_sym = parent
        if body_n.type == "object" and not looped:
            name_n = parent_n = None
            for kind, key, val_node, _span, _const in self._members(body_n):
                if kind != STATIC_KEY:
                    continue
                if key == "name":
                    name_n = val_node
                elif key == "parent":
                    parent_n = val_node
            if parent_n is not None:
                # `parent:` chains nest one declaration in the next.
                with self.nesting():
                    parent_sym = self._resource_path(parent_n)
            if parent_sym is not None and "/" not in rtype:
                rtype = f"{parent_sym.type}/{rtype}"
            sym.type = rtype
            if name_n is not None:
                where = f"{self.prefix}{symbol}.name"
                sym.name = self._lazy(where, self.span(name_n), self._declared_name, sym, name_n, parent_sym)
        else:
            if parent_sym is not None and "/" not in rtype:
                sym.type = f"{parent_sym.type}/{rtype}"
            sym.looped = looped
        return sym

    def _declared_name(self, sym: ResourceSym, name_n: Any, parent_sym: ResourceSym | None) -> Value:
        raw = self.expr(name_n, {})
        sym.raw_name = (name_n.id, raw)
        return self._compose_name(raw, parent_sym, self.span(name_n))

    def _compose_name(self, name: Value, parent: ResourceSym | None, span: Span) -> Value:
        if parent is None:
            return name
        pn, n = parent.name.as_str(), name.as_str()
        if pn is None or n is None:
            # Still the child of that parent: the parent's address links them (`parent:` names it
            # by symbol even when its name is a parameter without a default).
            composed = fns.unknown_from([parent.name, name], span, "name built from an unknown value")
            if n is not None and pn is None:
                # The known tail (`.../child`) names the child, as ARM's `format('{0}/child', ...)` does.
                tail = f"{parent.name.known_suffix()}/{n}"
                self._budget.string(len(tail))
                composed = Value.unknown(
                    composed.reason, span, composed.refs, parent.name.known_prefix(), tail
                )
            return composed.with_refs((parent.address,))
        self._budget.string(len(pn) + 1 + len(n))  # every child repeats its parent's name
        return Value.known(f"{pn}/{n}", span)

    def emit_resources(self) -> None:
        for symbol, (kind, node) in list(self.decls.items()):
            try:
                if kind == "resource":
                    self._emit_resource(symbol, node, None, {}, "", None)
                elif kind == "module":
                    self._emit_module(symbol, node)
            except BudgetExceeded as err:
                self._left_out(node, f"{kind} {symbol}", exceeded_note(f"{self.prefix}{symbol}", err))

    def _left_out(self, node: Any, what: str, note: str) -> None:
        """A declaration (or the rest of its instances) not read because the budget ran out for it:
        its file is partly read. (When the unit's whole allowance is spent the engine says so,
        once.)"""
        span = self.span(node)
        key = (span.path, span.line, span.column)
        if self._budget.exhausted is None and key not in self.ctx.left_out:
            # Once per declaration: a module file is evaluated once per deployment.
            self.ctx.left_out.add(key)
            message = f"{what} not evaluated: {note}"
            self.ctx.diagnostics.append(Diagnostic(span.path, span.line, span.column, message, partial=True))

    def _emit_resource(
        self,
        symbol: str,
        node: Any,
        parent: ResourceSym | None,
        env: dict[str, Value],
        suffix: str,
        parent_cond: Value | None,
    ) -> None:
        sym = self._declare_resource(symbol, node, parent)
        if sym is None:
            return
        kids = self.kids(node)
        existing = any(c.type == "existing" for c in node.children)
        header = self._spans.between(node, kids[1])
        value_n = kids[-1]
        if value_n.type == "for_statement":
            try:
                inst = self.loop_instances(value_n, env, self.instances)
            except BudgetExceeded as err:
                # As for a collection iaclint cannot know: one instance, its item unknown.
                inst = Value.unknown(exceeded_note(f"{self.prefix}{symbol}", err), self.span(value_n))
            if isinstance(inst, Value):
                # Unknown collection: one instance whose values are unknown where they use the item.
                body = self.kids(value_n)[-1]
                self._instance(
                    sym, node, header, body, env, suffix + "[*]", parent, parent_cond, existing, inst
                )
                return
            for i, (loop_env, body) in enumerate(inst):
                self._instance(
                    sym, node, header, body, loop_env, f"{suffix}[{i}]", parent, parent_cond, existing
                )
            return
        self._instance(sym, node, header, value_n, env, suffix, parent, parent_cond, existing)

    def _instance(
        self,
        sym: ResourceSym,
        node: Any,
        header: Span,
        body_n: Any,
        env: dict[str, Value],
        suffix: str,
        parent: ResourceSym | None,
        cond: Value | None,
        existing: bool,
        unknown_items: Value | None = None,
    ) -> None:
        # Each instance is charged, whatever it holds: a unit declares no more resources than the
        # budget's collection members, however its loops and modules multiply them.
        b = self._budget
        b.step()
        b.collection(1)
        where = f"{self.prefix}{sym.symbol}{suffix}"
        if unknown_items is not None:
            env = dict(env)
            kids = self.kids(node)[-1].named_children
            for p in kids:
                if p.type == "for_loop_parameters":
                    for q in p.named_children:
                        env[self.text(q)] = unknown_items
                elif p.type in ("identifier", "loop_variable"):
                    env[self.text(p)] = unknown_items
                    break
        if body_n.type == "if_statement":
            parts = self.kids(body_n)
            try:
                cv = self.expr(parts[0], env)
            except BudgetExceeded as err:
                cv = Value.unknown(exceeded_note(f"{where}.condition", err), self.span(parts[0]))
            c = fns.truthy(cv)
            if c is False:
                return
            if c is None:
                cond = cv
            body_n = parts[-1]
        if body_n.type != "object":
            return
        members = self._members(body_n)
        # The name and the body are worked out when something reads them (`_instance_name`,
        # `_lazy_body`). A spread or a computed key may bring a `name`, so for such a body the name
        # is read from the whole body now; the body itself is still worked out when read, like
        # any other (so that what it sees of other resources does not depend on the spread).
        parent_sym = parent
        pn = None
        # The last `parent` and `name` members, and whether every key is written out (one pass).
        named: tuple[Any, Span] | None = None
        static = True
        for kind, key, val_node, pspan, _const in members:
            if kind != STATIC_KEY:
                static = False
            elif key == "parent":
                pn = val_node
            elif key == "name":
                named = (val_node, pspan)
        if pn is not None:
            parent_sym = self._resource_path(pn) or parent_sym
        if parent_sym is not None and not sym.api_version:
            sym.api_version = parent_sym.api_version  # a nested child may omit it
        name_v: Value
        if static:
            if named is not None:
                # Worked out when read, like the body: most names are read by nothing but the
                # resource's own `name` (and, for the few resources the rules read, the model).
                val_node, pspan = named
                name_v = self._lazy(
                    f"{where}.name", pspan, self._instance_name, sym, val_node, pspan, env, parent_sym, header
                )
            else:
                name_v = Value.absent(header)
        else:
            whole = self.object(body_n, env, drop=("parent",), where=where)
            name_v = whole.data.get("name", Value.absent(header))
            if parent_sym is not None and name_v.state is not _ABSENT:
                name_v = self._child_name(name_v, parent_sym, header)
        if not sym.looped and not suffix and not (name_v.__class__ is Value and name_v.is_absent):
            sym.name = name_v
        type_span = self.span(self.kids(node)[1])
        head = {
            "type": Value.known(sym.type, type_span),
            "apiVersion": Value.known(sym.api_version, type_span),
        }
        body = self._lazy_members(where, self.span(body_n), self._lazy_body, head, body_n, env, name_v, where)
        if not suffix:
            sym.body = body
        if existing:
            # An `existing` resource is a reference, not a declaration: its children still are.
            pass
        else:
            self.ctx.resources.append(
                LazyNameResource(
                    type=sym.type,
                    address=sym.address + suffix,
                    language="bicep",
                    body=body,
                    span=header,
                    name_from=partial(_name_text, name_v, sym.symbol),
                    condition=cond,
                )
            )
        nested = self._nested(body_n)
        if not nested:
            return
        child_sym = replace(sym, name=name_v, body=body)
        for cn, child in nested:
            csym = f"{sym.symbol}::{child}"
            self._declare_resource(csym, cn, child_sym)
            saved = self.resource_syms[csym]
            saved.address = f"{sym.address}{suffix}::{child}"
            with self.nesting():
                self._emit_resource(csym, cn, child_sym, env, "", cond)

    def _nested(self, body_n: Any) -> list[tuple[Any, str]]:
        """The resource declarations nested in a body, with their symbols; worked out once per file."""
        found = self.parsed.nested.get(body_n.id)
        if found is None:
            found = []
            if body_n.__class__ is ObjectNode:
                for kind, _key, decl, _start, _end in body_n.members:
                    if kind == MEMBER_RESOURCE:
                        ck = self.kids(decl)
                        if ck:
                            found.append((decl, self.text(ck[0])))
                self.parsed.nested[body_n.id] = found
                return found
            for prop in body_n.named_children:
                if prop.type != "object_property":
                    continue
                inner = self.kids(prop)
                if inner and inner[0].type == "resource_declaration":
                    ck = self.kids(inner[0])
                    if ck:
                        found.append((inner[0], self.text(ck[0])))
            self.parsed.nested[body_n.id] = found
        return found

    def _instance_name(
        self,
        sym: ResourceSym,
        val_node: Any,
        pspan: Span,
        env: dict[str, Value],
        parent_sym: ResourceSym | None,
        header: Span,
    ) -> Value:
        """A resource instance's `name` member: as written, placed at the member, composed with its
        parent's (`parent/child`). Outside loops the value found at declaration is reused."""
        raw_name = sym.raw_name if not env else None
        if raw_name is not None and raw_name[0] == val_node.id:
            name_v = relocate(raw_name[1], pspan)
        else:
            name_v = relocate(self.expr(val_node, env), pspan)
        if parent_sym is not None and name_v.state is not _ABSENT:
            name_v = self._child_name(name_v, parent_sym, header)
        return name_v

    def _child_name(self, name_v: Value, parent_sym: ResourceSym, header: Span) -> Value:
        composed = self._compose_name(name_v, parent_sym, name_v.span or header)
        return Value(composed.state, composed.data, name_v.span, composed.reason, composed.refs, name_v.via)

    def _lazy_body(
        self, head: dict[str, Value], body_n: Any, env: dict[str, Value], name: Value, where: str
    ) -> Value:
        """A resource body in ARM's shape: `type` and `apiVersion` first, then the declaration's
        members with `name` as composed for a child (`parent/child`). Each member is a named value:
        one the budget cuts off is unknown, the others are read. The `name` member is the instance's
        name, worked out on its own (`_instance`): not evaluated a second time here."""
        out = dict(head)
        out.update(self.named_members(body_n, env, ("parent",), where, {"name": name}))
        if "name" in out:
            out["name"] = name  # (also a `name` brought by a spread or a computed key)
        return make(_KNOWN, out, self.span(body_n))


def _name_text(name: Value, symbol: str) -> str:
    return name.as_str() or symbol
