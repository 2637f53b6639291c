"""Evaluate an ARM template into resources shaped like the Bicep loader's (see lang/bicep/evaluate.py).

- `type` / `name`: full ARM type and name (nested `resources` composed with their parent's);
- `address`: `<display path>#<symbolic name>` (languageVersion 2.0) or `#<evaluated name>` (else
  the name expression), `[i]` per `copy` instance (`[*]` for one standing for instances that
  cannot be counted), `deployment.<name>.` for nested deployments;
- `body`: the resource object with its expressions evaluated, without `resources`, `copy`,
  `condition` (and, for nested deployments, without the inline `template`, which is loaded as a
  template of its own); property `copy` loops expanded; spans are the JSON members', so an
  evaluated value points at the string that produced it and a parameter's value keeps its default
  or parameter-file line in `via`;
- `span`: the resource object's `type` member.

The template is untrusted: all evaluation charges the unit's `Budget` (one per top-level template
with its nested deployments). Every node, call and container is a step, nesting is charged as
depth (containers, calls, variables, user functions, lambdas, nested deployments), every loop as an
expansion, and the shared functions charge what they build. A value that goes over is unknown with
a note naming it (`variables('a')`, a resource's member, a copy loop) and the rest goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from typing import Any

from iaclint.budget import Budget, BudgetExceeded, current, exceeded_note
from iaclint.lang.arm import functions as fns
from iaclint.lang.arm.expressions import ExpressionError, is_expression, literal, parse_expression
from iaclint.records import record
from iaclint.resources import Diagnostic, Directive, Resource
from iaclint.source import Span
from iaclint.values import State, Value

_KNOWN = State.KNOWN
_META = ("resources", "copy", "condition", "existing")
_LAMBDA_FUNCTIONS = frozenset({"map", "filter", "reduce", "toobject", "mapvalues", "sort", "groupby"})
# Depth is charged about one unit per two Python frames, so the depth limit also keeps evaluation
# well inside Python's recursion limit: a variable, parameter, user function or lambda body is
# reached through several calls, and a nested deployment through several more.
_NAMED_DEPTH = 3
_DEPLOYMENT_DEPTH = 4
# Longer resource names than ARM accepts (a few hundred characters at most) are not names a
# deployment could have; they are clipped where they name things, and a nested deployment's
# address prefix stops growing past a length no real one reaches (the longest seen is 476).
_NAME_CHARS = 512
_PREFIX_CHARS = 4096


@record
class _Shared:
    """What a template and its nested deployments share: parsed expressions (by text, each parsed
    once however many copies evaluate it) and the expressions already reported as not understood."""

    parsed: dict[str, tuple | ExpressionError] = field(default_factory=dict)
    reported: set[Span] = field(default_factory=set)


@record
class Output:
    """What evaluating ARM templates gives: resources, diagnostics and suppression directives."""

    resources: list[Resource] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)


class Template:
    def __init__(
        self,
        doc: Value,
        display: str,
        out: Output,
        params: dict[str, Value] | None = None,
        prefix: str = "",
        depth: int = 0,
        outer: Template | None = None,
        complete_params: bool = False,
        budget: Budget | None = None,
        params_unknown: str = "",
        shared: _Shared | None = None,
    ) -> None:
        self.doc = doc
        self.display = display
        self.out = out
        self.given = params or {}
        # True when `params` is everything the caller passes (a nested deployment's known
        # parameters): a nullable parameter it leaves out is then null, not unknown.
        self.complete_params = complete_params
        # Why every parameter is unknown (a parameters file that could not be read), or "".
        self.params_unknown = params_unknown
        self.prefix = prefix
        # Nesting this template's evaluation starts at (nested deployments start deeper).
        self.depth = depth
        self.outer = outer  # a nested template in "outer" scope reads its parent's symbols
        self.budget = budget if budget is not None else Budget(unit=display)
        self.values: dict[str, Value] = {}
        self.busy: set[str] = set()
        self.ids: dict[tuple[str, str], str] = {}
        self.shared = shared if shared is not None else _Shared()

    # -- the budget ---------------------------------------------------------------------------------
    def guarded(self, where: str, span: Span | None, work: Callable[[], Value]) -> Value:
        """`work()`, or an unknown naming `where` when it goes over the budget."""
        try:
            return work()
        except BudgetExceeded as err:
            return Value.unknown(exceeded_note(where, err), span)

    def _count(self, raw: Value, env: dict[str, Any], d: int, where: str) -> tuple[int | None, Value]:
        """A copy loop's count, charged as an expansion: (count, its value), or (None, the unknown
        or rejected count) when it cannot be expanded. Raises BudgetExceeded past the limit."""
        count = self.value(raw, env, d, where)
        n = count.data if count.state is _KNOWN else None
        if isinstance(n, str):
            n = count.as_number()
        if isinstance(n, bool) or not isinstance(n, (int, float)):
            return None, fns.unknown_from([count], raw.span, "copy count is unknown")
        if n != n or n < 0 or (isinstance(n, float) and not n.is_integer()):
            return None, Value.unknown("copy count is not a whole number", raw.span)
        self.budget.expansion(int(n))
        return int(n), count

    # -- expressions --------------------------------------------------------------------------------
    def value(self, v: Value, env: dict[str, Any], d: int, where: str) -> Value:
        """Evaluate every expression string inside `v`, keeping spans; `d` is the nesting so far and
        `where` names `v` (`variables('a').b[0]`) for the note of a member that goes over the
        budget: such a member is unknown, its siblings are still worked out."""
        if v.state is not _KNOWN:
            return v
        data = v.data
        if isinstance(data, str):
            if not is_expression(data):
                return Value.known(literal(data), v.span) if data.startswith("[[") else v
            return self.string_expression(data, v.span, env, d)
        if isinstance(data, dict):
            self.budget.step()
            self.budget.depth(d)
            members: dict[str, Value] = {}
            for k, m in data.items():
                if k != "copy":
                    members[k] = self._member(m, env, d + 1, where, k)
            copies = data.get("copy")
            if copies is not None:
                if _is_property_copy(copies):
                    for c in copies.data:
                        name = c.get("name").as_str() or ""
                        inner = _child(where, name)
                        try:
                            members[name] = self._copy_array(c, env, d + 2, inner)
                        except BudgetExceeded as err:
                            members[name] = Value.unknown(exceeded_note(inner, err), c.span)
                else:
                    members["copy"] = self._member(copies, env, d + 1, where, "copy")
            return fns.built(Value.known(members, v.span))
        if isinstance(data, list):
            self.budget.step()
            self.budget.depth(d)
            items = [self._member(m, env, d + 1, where, i) for i, m in enumerate(data)]
            return fns.built(Value.known(items, v.span))
        return v

    def _member(self, m: Value, env: dict[str, Any], d: int, where: str, key: str | int) -> Value:
        """One member of an object or array, unknown with a note when it goes over the budget."""
        md = m.data
        if m.state is not _KNOWN or not isinstance(md, (str, dict, list)):
            return m
        if isinstance(md, str) and not is_expression(md):
            return Value.known(literal(md), m.span) if md.startswith("[[") else m
        inner = _child(where, key)
        try:
            return self.value(m, env, d, inner)
        except BudgetExceeded as err:
            return Value.unknown(exceeded_note(inner, err), m.span)

    def _copy_array(self, c: Value, env: dict[str, Any], d: int, where: str) -> Value:
        """A `copy` loop (in the variables section or in an object): its `input` per index."""
        name = c.get("name").as_str() or ""
        n, count = self._count(c.get("count"), env, d, where)
        if n is None:
            return count
        items = []
        for i in range(n):
            items.append(self._member(c.get("input"), {**env, f"copy:{name}": i}, d, where, i))
        return fns.built(Value.known(items, c.span), charged=True)

    def string_expression(self, s: str, span: Span | None, env: dict[str, Any], d: int) -> Value:
        node = self.shared.parsed.get(s)
        if node is None:
            # Parsing is work too (a copy loop would parse a megabyte-long expression again at each
            # instance): charged by length, once per distinct expression.
            self.budget.step(1 + len(s) // 16)
            try:
                node = parse_expression(s, self.budget.limits.depth)
            except ExpressionError as exc:
                node = exc
            self.shared.parsed[s] = node
        if isinstance(node, ExpressionError):
            if span is not None and span not in self.shared.reported:
                self.shared.reported.add(span)
                message = f"template expression not understood: {node}"
                self.out.diagnostics.append(Diagnostic(span.path, span.line, span.column, message, True))
            return Value.unknown("template expression not understood", span)
        return self.node(node, span, env, d).at(span)

    def node(self, n: tuple, span: Span | None, env: dict[str, Any], d: int) -> Value:
        self.budget.step()
        self.budget.depth(d)
        kind = n[0]
        if kind == "str" or kind == "num":
            return Value.known(n[1], span)
        if kind == "member":
            base = self.node(n[1], span, env, d + 1)
            if base.state is not _KNOWN:
                return fns.unknown_from([base], span, "property of an unknown value")
            if isinstance(base.data, dict):
                m = base.data.get(n[2])
                if m is None:
                    self.budget.step(len(base.data))  # names ignore case: a look at every key
                    low = n[2].lower()
                    m = next((x for k, x in base.data.items() if k.lower() == low), None)
                if m is not None:
                    return m
            return Value.known(None, span) if n[3] else Value.absent(span)
        if kind == "index":
            base = self.node(n[1], span, env, d + 1)
            idx = self.node(n[2], span, env, d + 1)
            if base.state is not _KNOWN or idx.state is not _KNOWN:
                return fns.unknown_from([base, idx], span, "index into an unknown value")
            i = idx.data
            if (
                isinstance(base.data, list)
                and isinstance(i, int)
                and not isinstance(i, bool)
                and -len(base.data) <= i < len(base.data)
            ):
                return base.data[i]
            if isinstance(base.data, dict) and isinstance(i, str):
                return base.get(i)
            return Value.known(None, span) if n[3] else Value.absent(span)
        return self.call(n[1], n[2], span, env, d)

    def call(
        self, name: str, arg_nodes: list[tuple], span: Span | None, env: dict[str, Any], d: int
    ) -> Value:
        key = name.lower()
        if key == "if" and len(arg_nodes) == 3:
            c = fns.truthy(self.node(arg_nodes[0], span, env, d + 1))
            if c is None:
                return Value.unknown("condition is unknown", span)
            return self.node(arg_nodes[1 if c else 2], span, env, d + 1)
        if key in _LAMBDA_FUNCTIONS:
            return self._higher_order(key, name, arg_nodes, span, env, d)
        if key == "lambdavariables":
            return self._lambda_variable(arg_nodes, span, env, d)
        if "." in name:
            return self._user_function(name, arg_nodes, span, env, d)
        args = []
        for a in arg_nodes:  # a loop, not a comprehension: one Python frame fewer per level
            if key == "union" and a[0] == "call" and a[1].lower() == "if" and len(a[2]) == 3:
                args.append(self._conditional_operand(a[2], span, env, d + 1))
            elif key == "union" and (held := self._conditional_variable(a, span, env, d + 1)) is not None:
                args.append(held)
            else:
                args.append(self.node(a, span, env, d + 1))
        if key == "parameters":
            s = args[0].as_str() if args else None
            if s is None:
                return Value.unknown("parameter name unknown", span)
            if "fn" in env:  # inside a user-defined function: its own parameters
                return _member_ci(
                    env["fn"], s, span, f"parameter '{fns.clip(s)}' of the function is not declared"
                )
            return self.parameter(s, span, d)
        if key == "variables":
            s = args[0].as_str() if args else None
            if s is None:
                return Value.unknown("variable name unknown", span)
            if "fn" in env:
                return Value.unknown("variables() inside a user-defined function", span)
            return self.variable(s, span, d)
        if key == "copyindex":
            return self._copy_index(args, span, env)
        if key in ("true", "false"):
            return Value.known(key == "true", span)
        if key == "null":
            return Value.known(None, span)
        if key == "tryget":
            v = args[0] if args else Value.unknown("tryGet() of nothing", span)
            for a in args[1:]:
                v = v.get(a.data) if a.state is _KNOWN else Value.unknown("tryGet() key unknown", span)
            return Value.known(None, span) if v.is_absent else v
        if key in ("resourceid", "subscriptionresourceid", "tenantresourceid", "extensionresourceid"):
            return fns.resource_id_link(args, span, self.resolve)
        if key == "reference":
            target = args[0] if args else Value.unknown("", span)
            refs = target.refs
            s = target.as_str()
            if s is not None and s in self.symbols():
                refs = (self.symbols()[s],)
            return Value.unknown("reference() is known only at deployment", span, refs)
        result = fns.call(name, args, span)
        if result is None:
            return fns.unknown_from(args, span, f"function {name}() is not evaluated")
        return result

    def _conditional_operand(
        self, parts: list[tuple], span: Span | None, env: dict[str, Any], d: int
    ) -> Value:
        """An operand `if(c, a, b)` of `union()`: with `c` not known, both branches (`fns.either`),
        so that union() can still decide the members neither branch sets."""
        cond = self.node(parts[0], span, env, d + 1)
        c = fns.truthy(cond)
        if c is not None:
            return self.node(parts[1 if c else 2], span, env, d + 1)
        options = (self.node(parts[1], span, env, d + 1), self.node(parts[2], span, env, d + 1))
        return fns.either(cond, options, span)

    def _conditional_variable(
        self, node: tuple, span: Span | None, env: dict[str, Any], d: int
    ) -> Value | None:
        """An operand `variables('x')` of `union()` whose variable is an `if(c, a, b)` expression with
        `c` not known: that conditional, both branches (None for any other operand)."""
        if node[0] != "call" or node[1].lower() != "variables" or len(node[2]) != 1 or self.outer is not None:
            return None
        name = self.node(node[2][0], span, env, d).as_str()
        if name is None or self.variable(name, span, d).is_known:
            return None
        raw = _get_ci(self.doc.get("variables"), name).as_str()
        key = f"v:{name}"
        if raw is None or not is_expression(raw) or key in self.busy:
            return None
        parsed = self.shared.parsed.get(raw)
        if not isinstance(parsed, tuple) or parsed[0] != "call" or parsed[1].lower() != "if":
            return None
        if len(parsed[2]) != 3:
            return None
        self.busy.add(key)
        try:
            return self._conditional_operand(parsed[2], span, env, d)
        finally:
            self.busy.discard(key)

    def _copy_index(self, args: list[Value], span: Span | None, env: dict[str, Any]) -> Value:
        loop = args[0].as_str() if args and isinstance(args[0].data, str) else None
        offset_v = args[-1] if args and not isinstance(args[-1].data, str) else None
        i = env.get(f"copy:{loop}" if loop else "copy")
        if i is None:
            return Value.unknown("copyIndex() outside a known copy loop", span)
        if isinstance(i, Value):  # a loop that could not be expanded
            return i.at(span)
        if offset_v is None:
            return Value.known(i, span)
        off = offset_v.data
        if offset_v.state is not _KNOWN or isinstance(off, bool) or not isinstance(off, int):
            return fns.unknown_from([offset_v], span, "copyIndex() offset is not a known integer")
        return Value.known(i + off, span)

    # -- user-defined functions and lambdas ---------------------------------------------------------
    def _function(self, name: str) -> Value:
        """The declaration of user-defined function `namespace.member` (names ignore case)."""
        ns, _, member = name.partition(".")
        t: Template | None = self
        while t is not None:
            for group in t.doc.get("functions").elements():
                if (group.get("namespace").as_str() or "").lower() == ns.lower():
                    decl = _get_ci(group.get("members"), member)
                    if not decl.is_absent:
                        return decl
            t = t.outer
        return Value.absent()

    def _user_function(
        self, name: str, arg_nodes: list[tuple], span: Span | None, env: dict[str, Any], d: int
    ) -> Value:
        decl = self._function(name)
        args = []
        for a in arg_nodes:  # two levels: three calls deep, like a lambda's collection below
            args.append(self.node(a, span, env, d + 2))
        if decl.state is not _KNOWN:
            return fns.unknown_from(args, span, f"function {name}() is not declared")
        names = [p.get("name").as_str() for p in decl.get("parameters").elements()]
        if None in names or len(names) != len(args):
            return fns.unknown_from(args, span, f"function {name}() called with other parameters")
        # A user function sees only its own parameters (ARM gives it no variables or parameters
        # of the template); a recursive one is stopped by the depth it reaches.
        local = {"fn": {n: a for n, a in zip(names, args, strict=True)}}
        return self.value(decl.path("output", "value"), local, d + _NAMED_DEPTH, f"{name}()").at(span)

    @staticmethod
    def _lambda(node: tuple) -> tuple[list[str], tuple] | None:
        """A `lambda('a', 'b', body)` argument: its variable names and body."""
        if node[0] != "call" or node[1].lower() != "lambda" or len(node[2]) < 2:
            return None
        names = [a[1] for a in node[2][:-1] if a[0] == "str"]
        if len(names) != len(node[2]) - 1:
            return None
        return names, node[2][-1]

    def _apply(
        self, lam: tuple[list[str], tuple], args: list[Value], span: Span | None, env: dict[str, Any], d: int
    ) -> Value:
        """One call of a lambda: a step, one level deeper."""
        names, body = lam
        self.budget.step()
        inner = {**env, **{f"lambda:{n}": a for n, a in zip(names, args, strict=False)}}
        return self.node(body, span, inner, d + _NAMED_DEPTH)

    def _lambda_variable(
        self, arg_nodes: list[tuple], span: Span | None, env: dict[str, Any], d: int
    ) -> Value:
        s = self.node(arg_nodes[0], span, env, d + 1).as_str() if arg_nodes else None
        v = env.get(f"lambda:{s}") if s is not None else None
        return v.at(span) if v is not None else Value.unknown("lambdaVariables() outside its lambda", span)

    def _higher_order(
        self, key: str, name: str, arg_nodes: list[tuple], span: Span | None, env: dict[str, Any], d: int
    ) -> Value:
        lams = [self._lambda(a) for a in arg_nodes[1:]]
        values = []
        for a, lam in zip(arg_nodes[1:], lams, strict=True):
            if lam is None:
                values.append(self.node(a, span, env, d + 2))
        fn = next((lam for lam in lams if lam is not None), None)
        coll = self.node(arg_nodes[0], span, env, d + 2) if arg_nodes else Value.unknown("", span)
        if fn is None:
            return fns.unknown_from([coll, *values], span, f"{name}() without a lambda")
        if coll.state is not _KNOWN or not isinstance(coll.data, (list, dict)):
            return fns.unknown_from([coll], span, f"{name}() over an unknown collection")
        if key == "mapvalues":
            if not isinstance(coll.data, dict):
                return Value.unknown("mapValues() needs an object", span)
            self.budget.collection(len(coll.data))
            mapped = {k: self._apply(fn, [v], span, env, d) for k, v in coll.data.items()}
            return fns.built(Value.known(mapped, span), charged=True)
        if not isinstance(coll.data, list):
            return Value.unknown(f"{name}() needs an array", span)
        items = coll.data
        if key == "map":
            self.budget.collection(len(items))
            out = [self._apply(fn, [v, Value.known(i, span)], span, env, d) for i, v in enumerate(items)]
            return fns.built(Value.known(out, span), charged=True)
        if key == "filter":
            kept = []
            for i, v in enumerate(items):
                c = fns.truthy(self._apply(fn, [v, Value.known(i, span)], span, env, d))
                if c is None:
                    return fns.unknown_from([v], span, "filter() condition is unknown")
                if c:
                    kept.append(v)
            self.budget.collection(len(kept))
            return fns.built(Value.known(kept, span), charged=True)
        if key == "reduce":
            acc = values[0] if values else Value.known(None, span)
            for i, v in enumerate(items):
                acc = self._apply(fn, [acc, v, Value.known(i, span)], span, env, d)
            return acc.at(span)
        if key == "toobject":
            value_fn = next((lam for lam in lams[lams.index(fn) + 1 :] if lam is not None), None)
            self.budget.collection(len(items))
            obj: dict[str, Value] = {}
            for v in items:
                k = self._apply(fn, [v], span, env, d).as_str()
                if k is None:
                    return fns.unknown_from([v], span, "toObject() key is unknown")
                obj[k] = self._apply(value_fn, [v], span, env, d) if value_fn is not None else v
            return fns.built(Value.known(obj, span), charged=True)
        return fns.unknown_from([coll], span, f"{name}() is not evaluated")

    # -- symbols ------------------------------------------------------------------------------------
    def symbols(self) -> dict[str, str]:
        res = self.doc.get("resources")
        if res.state is _KNOWN and isinstance(res.data, dict):
            return {k: self.address(k) for k in res.data}
        return {}

    def address(self, name: str) -> str:
        """The address of the resource with symbolic or evaluated name `name` (a hostile one is
        clipped: addresses are repeated in every finding)."""
        return f"{self.display}#{self.prefix}{fns.clip(name, _NAME_CHARS)}"

    def resolve(self, rtype: str, name: str) -> str | None:
        return self.ids.get((rtype.lower(), name.lower()))

    def parameter(self, name: str, span: Span | None, d: int = 0) -> Value:
        if self.outer is not None:
            return self.outer.parameter(name, span, d)
        key = f"p:{name}"
        if key not in self.values:
            if key in self.busy:
                return Value.unknown(f"parameter '{fns.clip(name)}' refers to itself", span)
            self.busy.add(key)
            try:
                self.values[key] = self._parameter(name, d + _NAMED_DEPTH)
            except BudgetExceeded as err:
                self.values[key] = Value.unknown(exceeded_note(f"parameters('{fns.clip(name)}')", err), span)
            finally:
                self.busy.discard(key)
        return self.values[key].at(span)

    def _parameter(self, name: str, d: int) -> Value:
        given = self.given.get(name) or next(
            (v for k, v in self.given.items() if k.lower() == name.lower()), None
        )
        decl = _get_ci(self.doc.get("parameters"), name)
        default = decl.get("defaultValue")
        if self.params_unknown and given is None:
            return Value.unknown(self.params_unknown, decl.span)
        # A null given for a parameter with a default deploys the default (Bicep compiles
        # `name: item.?name` into a null the module's default then replaces).
        if given is not None and not (not default.is_absent and given.is_known and given.data is None):
            fns.measure(given)  # a value read from a parameters file: its size and nesting count too
            return given
        if decl.is_absent:
            return Value.unknown(f"parameter '{fns.clip(name)}' is not declared", decl.span)
        if default.is_absent:
            if self.complete_params and _get_ci(decl, "nullable").as_bool() is True:
                return Value.known(None, decl.span)
            why = f"parameter '{fns.clip(name)}' has no default and no value is given"
            # The pseudo-reference names the parameter, so that names built from it still say
            # which resource they name (a child `concat(parameters('svc'), '/api')` of the service
            # named `parameters('svc')`); it holds no `:` and no address, so it links nothing else.
            return Value.unknown(why, decl.span, (param_ref(name),))
        return self.value(default, {}, d, f"parameters('{fns.clip(name)}')")

    def variable(self, name: str, span: Span | None, d: int = 0) -> Value:
        if self.outer is not None:
            return self.outer.variable(name, span, d)
        key = f"v:{name}"
        if key not in self.values:
            if key in self.busy:
                return Value.unknown(f"variable '{fns.clip(name)}' refers to itself", span)
            self.busy.add(key)
            try:
                self.values[key] = self._variable(name, d + _NAMED_DEPTH)
            except BudgetExceeded as err:
                self.values[key] = Value.unknown(exceeded_note(f"variables('{fns.clip(name)}')", err), span)
            finally:
                self.busy.discard(key)
        return self.values[key].at(span)

    def _variable(self, name: str, d: int) -> Value:
        variables = self.doc.get("variables")
        decl = _get_ci(variables, name)
        if decl.is_absent:
            # `copy` in the variables section declares array variables.
            for c in variables.get("copy").elements():
                if c.get("name").as_str() == name:
                    return self._copy_array(c, {}, d, f"variables('{fns.clip(name)}')")
            return Value.unknown(f"variable '{fns.clip(name)}' is not declared", variables.span)
        return self.value(decl, {}, d, f"variables('{fns.clip(name)}')")

    # -- resources ----------------------------------------------------------------------------------
    def load(self) -> None:
        res = self.doc.get("resources")
        entries: list[tuple[str | None, Value]] = []
        if res.state is _KNOWN and isinstance(res.data, dict):
            entries = list(res.data.items())
        else:
            entries = [(None, r) for r in res.elements()]
        # Names first, so resourceId() in any resource can link to any other.
        for symbol, r in entries:
            self._index(symbol, r, None, None)
        for symbol, r in entries:
            self.resource(symbol, r, None, None, None)

    def _index(self, symbol: str | None, r: Value, ptype: str | None, pname: str | None) -> None:
        r = _resource_keys(r)
        if r.state is not _KNOWN or not isinstance(r.data, dict) or r.get("copy").is_known:
            return
        rtype, name = self._type_name(r, ptype, pname, {})
        n = name.as_str()
        if n is not None:
            self.ids[(rtype.lower(), n.lower())] = self.address(symbol or n)
            for child in r.get("resources").elements():
                self._index(None, child, rtype, n)

    def _type_name(
        self, r: Value, ptype: str | None, pname: str | None, env: dict[str, Any]
    ) -> tuple[str, Value]:
        rtype = literal(r.get("type").as_str() or "")
        # A nested child's type is relative (`apis`) unless it names the provider namespace.
        if ptype and not rtype.lower().startswith(ptype.split("/")[0].lower() + "/"):
            rtype = f"{ptype}/{rtype}"
        raw = r.get("name")
        where = f"the name of {fns.clip(rtype)}"
        name = self.guarded(where, raw.span, lambda: self.value(raw, env, self.depth + 1, where))
        if pname is not None:
            n = name.as_str()
            if n is not None and not n.startswith(pname + "/"):
                name = Value.known(f"{pname}/{n}", name.span)
            elif n is None:
                name = fns.unknown_from([name], name.span, "name built from an unknown value")
        return rtype, name

    def resource(
        self, symbol: str | None, r: Value, ptype: str | None, pname: str | None, pcond: Value | None
    ) -> None:
        r = _resource_keys(r)
        if r.state is not _KNOWN or not isinstance(r.data, dict) or self.budget.exhausted is not None:
            # Once the unit's whole allowance is spent (the engine reports it), nothing more of it
            # is evaluated.
            return
        copy = r.get("copy")
        if copy.is_known and not copy.is_null:
            loop = copy.get("name").as_str() or ""
            try:
                n, count = self._count(copy.get("count"), {}, self.depth + 1, f"copy loop {fns.clip(loop)}")
            except BudgetExceeded as err:
                what = fns.clip(symbol or loop or literal(r.get("type").as_str() or ""))
                n, count = None, Value.unknown(exceeded_note(f"copy loop of {what}", err), copy.span)
            if n is None:
                # One instance stands for those that cannot be counted; its copyIndex() is unknown.
                index = fns.unknown_from([count], count.span, "copyIndex() of a copy loop not expanded")
                self._instance(symbol, r, ptype, pname, pcond, {"copy": index, f"copy:{loop}": index}, "[*]")
                return
            for i in range(n):
                self._instance(symbol, r, ptype, pname, pcond, {"copy": i, f"copy:{loop}": i}, f"[{i}]")
            return
        self._instance(symbol, r, ptype, pname, pcond, {}, "")

    def _instance(
        self,
        symbol: str | None,
        r: Value,
        ptype: str | None,
        pname: str | None,
        pcond: Value | None,
        env: dict[str, Any],
        suffix: str,
    ) -> None:
        d = self.depth + 1
        cond = pcond
        c_raw = r.get("condition")
        if not c_raw.is_absent:
            where = f"the condition of {fns.clip(symbol or r.get('name').as_str() or '?')}"
            cv = self.guarded(where, c_raw.span, lambda: self.value(c_raw, env, d, where))
            c = fns.truthy(cv)
            if c is False:
                return
            if c is None:
                cond = cv
        rtype, name = self._type_name(r, ptype, pname, env)
        type_member = r.get("type")
        span = type_member.span or r.span
        n = name.as_str()
        if n is not None and len(n) > _NAME_CHARS:
            name = Value.unknown(
                f"a resource name of {len(n):,} characters, longer than ARM allows", name.span
            )
            n = None
        n_addr = symbol or (r.get("name").as_str() or "?" if n is None else n)
        nested = rtype.lower() == "microsoft.resources/deployments"
        body: dict[str, Value] = {}
        for k, m in r.data.items():
            if k in _META:
                continue
            if k == "type":
                body[k] = Value.known(rtype, m.span)
            elif k == "name":
                body[k] = name
            else:
                # A nested deployment's inline template is loaded as a template of its own, in its
                # own scope; it is no part of the deployment resource's body.
                raw = _drop(m, "template") if nested and k == "properties" else m
                where = _child(fns.clip(n_addr), k)
                body[k] = self.guarded(
                    where, m.span, lambda raw=raw, where=where: self.value(raw, env, d, where)
                )
        address = self.address(n_addr) + suffix
        # languageVersion 2.0 `existing: true` refers to a resource declared elsewhere.
        existing = r.get("existing").as_bool() is True
        if not existing:
            try:
                self.budget.resource()
            except BudgetExceeded:
                return  # the unit has produced all the resources it may; the engine says so
            self._directives(r, address)
            self.out.resources.append(
                Resource(
                    type=rtype,
                    address=address,
                    language="arm",
                    body=Value.known(body, r.span),
                    span=span if span is not None else Span.point(self.display, 1),
                    name=n if n is not None else n_addr,
                    condition=cond,
                )
            )
        if nested:
            # Instances of a loop whose names cannot be known are told apart by their index.
            self._nested_deployment(
                r, env, n if n is not None else n_addr + (suffix if suffix != "[*]" else "")
            )
        for child in r.get("resources").elements():
            self.resource(None, child, rtype, n if n is not None else None, cond)

    def _directives(self, r: Value, address: str) -> None:
        """`metadata: {"iaclint": {"ignore": [{"id": "IAC101", "reason": "..."}]}}` on a resource:
        JSON has no comments, so a suppression is a property of the resource it covers. Taken as
        written (ARM does not evaluate expressions in metadata either)."""
        ignore = _get_ci(_get_ci(r.get("metadata"), "iaclint"), "ignore")
        for entry in ignore.elements():
            ids = _get_ci(entry, "id")
            named = [ids.as_str()] if isinstance(ids.data, str) else [i.as_str() for i in ids.elements()]
            rules = tuple(s.strip().upper() for s in named if s and s.strip())
            reason = _get_ci(entry, "reason").as_str() or ""
            span = entry.span or ignore.span or r.span
            line = span.line if span is not None else 1
            self.out.directives.append(Directive(self.display, line, rules, reason.strip(), address=address))

    def _nested_deployment(self, r: Value, env: dict[str, Any], name: str) -> None:
        props = r.get("properties")
        template = props.get("template")
        if template.state is not _KNOWN or not isinstance(template.data, dict):
            return
        depth = self.depth + _DEPLOYMENT_DEPTH
        try:
            self.budget.depth(depth)
        except BudgetExceeded as err:
            where = f"the nested deployment {fns.clip(self.prefix + name)}"
            self.out.diagnostics.append(_note(r, self.display, exceeded_note(where, err)))
            return
        d = self.depth + 1
        scope_raw = props.path("expressionEvaluationOptions", "scope")
        where = f"the scope of deployment {fns.clip(self.prefix + name)}"
        scope = self.guarded(where, scope_raw.span, lambda: self.value(scope_raw, env, d, where)).as_str()
        scope = scope or "outer"
        prefix = f"{self.prefix}deployment.{fns.clip(name, _NAME_CHARS)}."
        if len(prefix) > _PREFIX_CHARS:  # only hostile nesting: addresses are repeated in every finding
            prefix = self.prefix
        if scope.lower() == "inner":
            params: dict[str, Value] = {}
            raw = props.get("parameters")
            complete = raw.is_absent or (raw.is_known and isinstance(raw.data, dict))
            for k, p in raw.items():
                where = f"the parameter '{fns.clip(k)}' of deployment {fns.clip(self.prefix + name)}"
                v = self.guarded(where, p.span, lambda p=p, where=where: self.value(p, env, d, where)).get(
                    "value"
                )
                params[k] = (
                    v
                    if not v.is_absent
                    else Value.unknown(f"parameter '{fns.clip(k)}' given by reference", p.span)
                )
            inner = Template(
                template, self.display, self.out, params, prefix, depth, complete_params=complete,
                budget=self.budget, shared=self.shared,
            )  # fmt: skip
        else:
            inner = Template(
                template,
                self.display,
                self.out,
                None,
                prefix,
                depth,
                outer=self,
                budget=self.budget,
                shared=self.shared,
            )
        inner.load()


def _child(where: str, key: str | int) -> str:
    """The name of member `key` of the value named `where`, for a note (bounded: keys may be long)."""
    if len(where) > 240:
        return where if where.endswith("…") else where + "…"
    return f"{where}[{key}]" if isinstance(key, int) else f"{where}.{fns.clip(key, 40)}"


def _is_property_copy(copies: Value) -> bool:
    """Whether an object's `copy` member is a list of property loops (`name`, `count`, `input`)."""
    if copies.state is not _KNOWN or not isinstance(copies.data, list) or not copies.data:
        return False
    return all(
        c.state is _KNOWN
        and isinstance(c.data, dict)
        and isinstance(c.get("name").data, str)
        and "count" in c.data
        and "input" in c.data
        for c in copies.data
    )


def _note(r: Value, display: str, message: str) -> Diagnostic:
    span = r.span
    return Diagnostic(display, span.line if span else 1, span.column if span else 1, message, True)


# A resource's own members, as the template schema spells them: Azure compares names without case
# (`"Type"`, `"Properties"` deploy as well), the rest of iaclint reads them as spelt here.
_RESOURCE_KEYS = {
    k.lower(): k
    for k in (
        "type", "name", "apiVersion", "properties", "copy", "condition", "dependsOn", "resources",
        "existing", "metadata", "location", "sku", "kind", "tags", "identity", "scope", "zones", "plan",
    )
}  # fmt: skip


def _resource_keys(r: Value) -> Value:
    """`r` with its own members named as the schema spells them (the same Value when they are)."""
    if r.state is not _KNOWN or not isinstance(r.data, dict):
        return r
    if all(_RESOURCE_KEYS.get(k.lower(), k) == k for k in r.data):
        return r
    return Value.known({_RESOURCE_KEYS.get(k.lower(), k): m for k, m in r.data.items()}, r.span)


def _member_ci(members: dict[str, Value], name: str, span: Span | None, missing: str) -> Value:
    v = members.get(name)
    if v is None:
        current().step(len(members))
        v = next((m for k, m in members.items() if k.lower() == name.lower()), None)
    return v.at(span) if v is not None else Value.unknown(missing, span)


def _get_ci(obj: Value, name: str) -> Value:
    """Member by name, ignoring case (ARM names are case-insensitive)."""
    v = obj.get(name)
    if not v.is_absent:
        return v
    if obj.state is _KNOWN and isinstance(obj.data, dict):
        current().step(len(obj.data))  # a look at every key
    low = name.lower()
    for k, m in obj.items():
        if k.lower() == low:
            return m
    return Value.absent(obj.span)


def _drop(obj: Value, key: str) -> Value:
    if obj.state is not _KNOWN or not isinstance(obj.data, dict) or key not in obj.data:
        return obj
    return Value.known({k: m for k, m in obj.data.items() if k != key}, obj.span)


def param_ref(name: str) -> str:
    """The pseudo-reference an unknown parameter's value carries (`parameters('svc')`, lower case as
    ARM compares parameter names)."""
    return f"parameters('{name.lower()}')"
