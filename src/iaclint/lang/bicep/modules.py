"""The modules part of a Bicep file's evaluator: a module call bound to its file (one evaluator
per instance of a looped call, parameters worked out when read), module resources emitted under
the call's address (an instance with the same parameters as one already emitted is a copy of it,
re-addressed), and outputs read by the caller."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from iaclint import budget as budgets
from iaclint.budget import BudgetExceeded, exceeded_note
from iaclint.lang.arm import functions as fns
from iaclint.lang.bicep.access import at, relocate
from iaclint.lang.bicep.filescope import (
    MODULE_LEVELS,
    STATIC_KEY,
    FileScope,
    ModuleSym,
    shown_path,
)
from iaclint.lang.bicep.parser import MEMBER_WORD, ObjectNode
from iaclint.lang.bicep.syntax import Parsed
from iaclint.resources import LazyNameResource, Resource
from iaclint.source import Span
from iaclint.values import LazyValue, State, Value

_KNOWN = State.KNOWN
_UNKNOWN, _ABSENT = State.UNKNOWN, State.ABSENT


class Modules(FileScope):

    # -- modules ------------------------------------------------------------------------------------
    def module_sym(self, symbol: str) -> ModuleSym | None:
        if symbol in self.module_syms:
            return self.module_syms[symbol]
        decl = self.decls.get(symbol)
        if decl is None or decl[0] != "module":
            return None
        node = decl[1]
        addr = f"{self.root_display}#{self.prefix}module.{symbol}"
        msym = ModuleSym(symbol, addr, None)
        self.module_syms[symbol] = msym
        try:
            self._bind_module(msym, node)
        except BudgetExceeded as err:
            self._drop_module(msym, node, err)
        return msym

    def _drop_module(self, msym: ModuleSym, node: Any, err: BudgetExceeded) -> None:
        """A module the budget ran out for: nothing more of it is read, its outputs are unknown."""
        note = exceeded_note(f"{self.prefix}module.{msym.symbol}", err)
        msym.evaluator = None
        msym.instances = []
        msym.reason = note
        self._left_out(node, f"module {msym.symbol}", note)

    def _bind_module(self, msym: ModuleSym, node: Any) -> None:
        """The module's evaluators (one, or one per loop instance), or why there are none."""
        kids = self.kids(node)
        if len(kids) < 3:
            return
        target = self._e_string(kids[1], {}).as_str() or ""
        value_n = kids[-1]
        if value_n.type == "for_statement":
            msym.looped = True
        if ":" in target.split("/")[0] or target.startswith(("br:", "br/", "ts:", "ts/")):
            return  # registry or template spec: not on disk
        if target.lower().endswith(".json"):
            # An ARM template as a module: not Bicep (the ARM loader reads the file on its own).
            return
        found = self.parsed.module_files.get(target)
        if found is None:
            path = self.ctx.resolve(self.path.parent / target)
            found = self.parsed.module_files[target] = (path, str(path))
        path, key = found
        if key in self.ctx.stack:
            msym.reason = f"module cycle: {shown_path(target)} is being evaluated already (it calls itself)"
            return
        parsed = self.ctx.parse_file(path)
        if isinstance(parsed, str):
            # Not on disk, outside the scan roots, not a regular file, not Bicep: outputs unknown.
            msym.reason = f"module {shown_path(target)} not available: {parsed}"
            return
        prefix = f"{self.prefix}module.{msym.symbol}"
        if not msym.looped:
            msym.evaluator = self._module_instance(parsed, path, value_n, {}, f"{prefix}.", self.instances)
            return
        # A looped module deploys its file once per item (AVM tests loop over ['init', 'idem']):
        # each instance is evaluated with its item bound, as looped resources are.
        try:
            inst = self.loop_instances(value_n, {}, self.instances)
        except BudgetExceeded as err:
            inst = Value.unknown(exceeded_note(prefix, err), self.span(value_n))
        if isinstance(inst, Value):
            # Unknown collection: one instance whose values are unknown where they use the item.
            body_n = self.kids(value_n)[-1]
            env = {name: inst for name in self._loop_names(value_n)}
            inst = [(env, body_n)]
            suffixes = ["[*]"]
        else:
            suffixes = [f"[{i}]" for i in range(len(inst))]
        # When neither the `if` nor `params` names the loop variables (AVM uses `iteration` only in
        # the deployment name), every instance gets the first one's parameters: evaluated once.
        shared: dict[str, Any] | None = {} if self._params_loop_free(value_n) else None
        instances = self.instances * len(inst)
        for (loop_env, body_n), suffix in zip(inst, suffixes, strict=True):
            ev = self._module_instance(
                parsed, path, body_n, loop_env, f"{prefix}{suffix}.", instances, shared
            )
            if ev is not None:
                msym.instances.append(ev)

    def _params_loop_free(self, for_n: Any) -> bool:
        """True when the `if` and `params` of a looped module's body cannot depend on the loop."""
        known = self.parsed.loop_free.get(for_n.id)
        if known is None:
            known = self.parsed.loop_free[for_n.id] = self._loop_free(for_n)
        return known

    def _loop_free(self, for_n: Any) -> bool:
        kids = self.kids(for_n)
        if len(kids) < 3:
            return False
        body_n = kids[-1]
        checked: list[Any] = []
        if body_n.type == "if_statement":
            parts = self.kids(body_n)
            checked.append(parts[0])
            body_n = parts[-1]
        if body_n.type != "object":
            return False
        for kind, key, val_node, _span, _const in self._members(body_n):
            if kind != STATIC_KEY:
                return False  # a spread or computed key may bring `params`
            if key == "params":
                checked.append(val_node)
        names = set(self._loop_names(for_n))
        # A name that is nowhere in the checked text cannot be referenced there: most module loops
        # (AVM's `iteration`) use their variable only in the deployment name, and the walk below
        # visits every node of what may be a large `params` object.
        raw = [name.encode() for name in names]
        text_of = self.parsed.text_of
        if not any(r in text_of(n) for n in checked for r in raw):
            return True
        stack = checked
        while stack:
            n = stack.pop()
            if n.type in ("identifier", "compatible_identifier") and self.text(n) in names:
                return False
            if n.__class__ is ObjectNode and any(
                m[0] == MEMBER_WORD and m[1] in names for m in n.members
            ):  # a key named so (the own parser keeps no node for a key)
                return False
            stack.extend(n.named_children)
        return True

    def _loop_names(self, for_n: Any) -> list[str]:
        """The item and index names a `for` statement binds."""
        names: list[str] = []
        for p in for_n.named_children:
            if p.type == "for_loop_parameters":
                names.extend(self.text(q) for q in p.named_children)
            elif p.type in ("identifier", "loop_variable"):
                names.append(self.text(p))
                break
        return names

    def _module_instance(
        self,
        parsed: Parsed,
        path: Path,
        body_n: Any,
        env: dict[str, Value],
        prefix: str,
        instances: int,
        shared: dict[str, Any] | None = None,
    ) -> FileScope | None:
        """The evaluator of one deployment of a module file, its `params` bound (None when the
        module's `if` is false). `instances`: how many times the file is deployed in the unit.
        `shared`: where loop instances whose `if` and `params` do not depend on the loop keep the
        first instance's outcome."""
        b = self._budget
        b.step()
        b.collection(1)
        deployments = self.ctx.deployments
        n = deployments[str(path)] = deployments.get(str(path), 0) + 1
        if n > b.limits.expansion:
            shown = parsed.source.path
            raise BudgetExceeded(f"{shown} deployed more than {b.limits.expansion:,} times in this unit")
        if shared:
            found = shared["found"]
        else:
            params = self._module_params(body_n, env, prefix)
            # Shared parameters are equal by construction: one token stands for them.
            key = object() if shared is not None else None
            found = None if params is None else (*params, key)
            if shared is not None:
                shared["found"] = found
        if found is None:
            return None
        complete, given, key = found
        self.ctx.stack.append(str(path))
        try:
            # An evaluator of the same make as this one (a FileEvaluator).
            ev = type(self)(parsed, path, self.ctx, dict(given), prefix, self.root_display, complete)
        finally:
            self.ctx.stack.pop()
        # Loop instances sharing their parameters (AVM's ['init', 'idem']) deploy the same
        # resources: the key lets `_emit_module` copy the first instance's instead of evaluating again.
        ev.memo_key = key
        ev.instances = instances
        return ev

    def _module_params(
        self, body_n: Any, env: dict[str, Value], prefix: str
    ) -> tuple[bool, dict[str, Value]] | None:
        """(complete, parameter values) of a module call body; None when its `if` is false. Loop
        instances whose parameters depend on the loop are not compared with each other: their
        values are worked out only when read, and equal ones are rare. `prefix`: the instance's
        address prefix (`module.m.`), naming its parameters in a note."""
        if body_n.type == "if_statement":
            parts = self.kids(body_n)
            try:
                cond = self.expr(parts[0], env)
            except BudgetExceeded:
                cond = Value.unknown("")  # not known to be false: the module is read
            if fns.truthy(cond) is False:
                return None
            body_n = parts[-1]
        if body_n.type != "object":
            return None
        lazy = self._lazy_params(body_n, env, prefix)
        if lazy is not None:
            return True, lazy
        try:
            params = self.object(body_n, env, drop=()).get("params")
        except BudgetExceeded as err:
            params = Value.unknown(exceeded_note(f"{prefix}params", err), self.span(body_n))
        complete = params.state is not _UNKNOWN and (
            params.state is _ABSENT or isinstance(params.data, dict)
        )
        given = dict(params.data) if params.state is _KNOWN and isinstance(params.data, dict) else {}
        return complete, given

    def _lazy_params(self, body_n: Any, env: dict[str, Value], prefix: str) -> dict[str, Value] | None:
        """`params: { a: ..., b: ... }` of a module call as values worked out when the module reads
        them (most feed resource bodies, themselves worked out only when read); None when the
        parameter names are not all written out (a spread, a computed key, `params: someVar`)."""
        members = self._members(body_n)
        if any(m[0] != STATIC_KEY for m in members):
            return None
        found = [m for m in members if m[1] == "params"]
        if not found:
            return {}
        params_n = found[-1][2]
        if params_n.type != "object":
            return None
        given: dict[str, Value] = {}
        for kind, key, val_node, pspan, _const in self._members(params_n):
            if kind != STATIC_KEY:
                return None
            given[key] = self._lazy(f"{prefix}params.{key}", pspan, self._member_value, val_node, env, pspan)
        return given

    def _member_value(self, val_node: Any, env: dict[str, Value], pspan: Span) -> Value:
        """An object member's value as `object` gives it (for a member one level down)."""
        return relocate(self.expr(val_node, env), pspan)

    def _emit_module(self, symbol: str, node: Any) -> None:
        msym = self.module_sym(symbol)
        if msym is None:
            return
        try:
            self._emit_module_instances(msym)
        except BudgetExceeded as err:
            self._drop_module(msym, node, err)

    def _emit_module_instances(self, msym: ModuleSym) -> None:
        if msym.evaluator is not None:
            self._emit_instance(msym.evaluator)
            return
        b = self._budget
        resources = self.ctx.resources
        # memo key -> (address prefix, first and end index in ctx.resources) of the first instance
        done: dict[Any, tuple[str, int, int]] = {}
        for ev in msym.instances:
            key = ev.memo_key
            hit = done.get(key) if key is not None else None
            if hit is None:
                start = len(resources)
                self._emit_instance(ev)
                if key is not None:
                    done[key] = (f"{ev.root_display}#{ev.prefix}", start, len(resources))
                continue
            old, start, end = hit
            new = f"{ev.root_display}#{ev.prefix}"
            b.step(end - start)
            b.collection(end - start)
            for r in resources[start:end]:
                resources.append(_readdress(r, old, new, self._lazy))

    def _emit_instance(self, ev: FileScope) -> None:
        self.ctx.stack.append(str(ev.path))
        try:
            # A module nests the evaluation of its file in its caller's.
            with self.nesting(MODULE_LEVELS):
                ev.emit_resources()
        finally:
            self.ctx.stack.pop()

    def output_value(self, name: str, span: Span) -> Value | None:
        """The output declared as `name` (the last one of that name, as in `outputs_value`), seen at
        `span`; None when no output has exactly that name."""
        index = self._outputs
        if index is None:
            index = {}
            for node in self.parsed.statements:
                if node.type != "output_declaration":
                    continue
                kids = self.kids(node)
                if len(kids) >= 2:
                    index[self.text(kids[0])] = kids[-1]
            self._outputs = index
        node = index.get(name)
        if node is None:
            return None
        return at(self._output(name, node), span)

    def outputs_value(self, span: Span) -> Value:
        out: dict[str, Value] = {}
        for node in self.parsed.statements:
            if node.type != "output_declaration":
                continue
            kids = self.kids(node)
            if len(kids) >= 2:
                name = self.text(kids[0])
                out[name] = self._output(name, kids[-1])
        self._budget.collection(len(out))
        return Value.known(out, span)

    def _output(self, name: str, value_n: Any) -> Value:
        """An output's value, read by the module's caller: a named value (the budget may cut it
        off), nested in the caller's evaluation."""
        ctx = self.ctx
        saved = ctx.where
        where = ctx.where = f"{self.prefix}output.{name}"
        try:
            with self.nesting(MODULE_LEVELS):
                v = self.expr(value_n, {})
            self.check_height(v)
            return v
        except BudgetExceeded as err:
            return Value.unknown(exceeded_note(where, err), self.span(value_n))
        finally:
            ctx.where = saved


def _readdress_refs(refs: tuple[str, ...], old: str, new: str) -> tuple[str, ...]:
    if not refs:
        return refs
    n = len(old)
    return tuple(new + r[n:] if r.startswith(old) else r for r in refs)


def _readdress_value(v: Value, old: str, new: str) -> Value:
    """`v` with every ref into the instance at address prefix `old` moved to prefix `new`."""
    d = v.data
    changed = False
    if v.state is _KNOWN:
        if isinstance(d, (dict, list)):
            budgets.current().step(len(d))  # a copy per instance: its members are walked
        if isinstance(d, dict):
            nd = {k: _readdress_value(m, old, new) for k, m in d.items()}
            changed = any(a is not b for a, b in zip(nd.values(), d.values(), strict=True))
            d = nd if changed else d
        elif isinstance(d, list):
            nl = [_readdress_value(m, old, new) for m in d]
            changed = any(a is not b for a, b in zip(nl, d, strict=True))
            d = nl if changed else d
    refs = _readdress_refs(v.refs, old, new)
    if not changed and refs == v.refs:
        return v
    return Value(v.state, d, v.span, v.reason, refs, v.via)


def _readdress(r: Resource, old: str, new: str, lazy: Any) -> Resource:
    """A copy of a resource of one module instance for another instance with the same parameters.
    `lazy`: the evaluator's `_lazy`, which works the copied body out later under the unit's budget."""
    address = new + r.address[len(old) :] if r.address.startswith(old) else r.address
    cond = None if r.condition is None else _readdress_value(r.condition, old, new)
    body = r.body
    if isinstance(body, LazyValue) and not body.ready():
        where = address.split("#", 1)[-1]
        moved: Value = lazy(where, r.span, _readdress_value, body, old, new)
    else:
        moved = _readdress_value(body, old, new)
    # The name is the same in every instance: still worked out when (and if) read.
    return LazyNameResource(
        type=r.type,
        address=address,
        language=r.language,
        body=moved,
        span=r.span,
        name_from=partial(getattr, r, "name"),
        condition=cond,
        scope=r.scope,
    )
