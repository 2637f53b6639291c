"""Evaluate an ARM template into resources shaped like the Bicep loader's (see lang/bicep/evaluate.py).

- `type` / `name`: full ARM type and name (nested `resources` composed with their parent's);
- `address`: `<display path>#<symbolic name>` (languageVersion 2.0) or `#<evaluated name>` (else
  the name expression), `[i]` per `copy` instance, `deployment.<name>.` for nested deployments;
- `body`: the resource object with its expressions evaluated, without `resources`, `copy`,
  `condition` (and, for nested deployments, without the inline `template`, which is loaded as a
  template of its own); spans are the JSON members', so an evaluated value points at the string that
  produced it and a parameter's value keeps its default or parameter-file line in `via`;
- `span`: the resource object's `type` member.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iaclint.lang.arm import functions as fns
from iaclint.lang.arm.expressions import ExpressionError, is_expression, literal, parse_expression
from iaclint.resources import Diagnostic, Directive, Resource
from iaclint.source import Span
from iaclint.values import State, Value

_KNOWN = State.KNOWN
MAX_COPIES = 1000
MAX_NESTING = 8
_META = ("resources", "copy", "condition", "existing")


@dataclass(slots=True)
class Output:
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
    ) -> None:
        self.doc = doc
        self.display = display
        self.out = out
        self.given = params or {}
        # True when `params` is everything the caller passes (a nested deployment's known
        # parameters): a nullable parameter it leaves out is then null, not unknown.
        self.complete_params = complete_params
        self.prefix = prefix
        self.depth = depth
        self.outer = outer  # a nested template in "outer" scope reads its parent's symbols
        self.values: dict[str, Value] = {}
        self.busy: set[str] = set()
        self.ids: dict[tuple[str, str], str] = {}
        self.reported: set[Span] = set()

    # -- expressions --------------------------------------------------------------------------------
    def value(self, v: Value, env: dict[str, Any]) -> Value:
        """Evaluate every expression string inside `v`, keeping spans."""
        if v.state is not _KNOWN:
            return v
        d = v.data
        if isinstance(d, str):
            if not is_expression(d):
                return Value.known(literal(d), v.span) if d.startswith("[[") else v
            return self.string_expression(d, v.span, env)
        if isinstance(d, dict):
            return Value.known({k: self.value(m, env) for k, m in d.items()}, v.span)
        if isinstance(d, list):
            return Value.known([self.value(m, env) for m in d], v.span)
        return v

    def string_expression(self, s: str, span: Span | None, env: dict[str, Any]) -> Value:
        try:
            node = parse_expression(s)
        except ExpressionError as exc:
            if span is not None and span not in self.reported:
                self.reported.add(span)
                self.out.diagnostics.append(
                    Diagnostic(
                        span.path, span.line, span.column, f"template expression not understood: {exc}", True
                    )
                )
            return Value.unknown("template expression not understood", span)
        try:
            return self.node(node, span, env).at(span)
        except RecursionError:
            return Value.unknown("template expression nested too deeply", span)

    def node(self, n: tuple, span: Span | None, env: dict[str, Any]) -> Value:
        kind = n[0]
        if kind == "str" or kind == "num":
            return Value.known(n[1], span)
        if kind == "member":
            base = self.node(n[1], span, env)
            if base.state is not _KNOWN:
                return fns.unknown_from([base], span, "property of an unknown value")
            if isinstance(base.data, dict):
                m = base.data.get(n[2])
                if m is None:
                    low = n[2].lower()
                    m = next((x for k, x in base.data.items() if k.lower() == low), None)
                if m is not None:
                    return m
            return Value.known(None, span) if n[3] else Value.absent(span)
        if kind == "index":
            base = self.node(n[1], span, env)
            idx = self.node(n[2], span, env)
            if base.state is not _KNOWN or idx.state is not _KNOWN:
                return fns.unknown_from([base, idx], span, "index into an unknown value")
            d = idx.data
            if isinstance(base.data, list) and isinstance(d, int) and -len(base.data) <= d < len(base.data):
                return base.data[d]
            if isinstance(base.data, dict) and isinstance(d, str):
                return base.get(d)
            return Value.known(None, span) if n[3] else Value.absent(span)
        return self.call(n[1], n[2], span, env)

    def call(self, name: str, arg_nodes: list[tuple], span: Span | None, env: dict[str, Any]) -> Value:
        key = name.lower()
        if key == "if" and len(arg_nodes) == 3:
            c = fns.truthy(self.node(arg_nodes[0], span, env))
            if c is None:
                return Value.unknown("condition is unknown", span)
            return self.node(arg_nodes[1 if c else 2], span, env)
        args = [self.node(a, span, env) for a in arg_nodes]
        if key == "parameters":
            s = args[0].as_str() if args else None
            return self.parameter(s, span) if s is not None else Value.unknown("parameter name unknown", span)
        if key == "variables":
            s = args[0].as_str() if args else None
            return self.variable(s, span) if s is not None else Value.unknown("variable name unknown", span)
        if key == "copyindex":
            loop = args[0].as_str() if args and isinstance(args[0].data, str) else None
            offset_v = args[-1] if args and not isinstance(args[-1].data, str) else None
            i = env.get(f"copy:{loop}" if loop else "copy")
            if i is None:
                return Value.unknown("copyIndex() outside a known copy loop", span)
            off = int(offset_v.data) if offset_v is not None and offset_v.state is _KNOWN else 0
            return Value.known(i + off, span)
        if key in ("true", "false"):
            return Value.known(key == "true", span)
        if key == "null":
            return Value.known(None, span)
        if key == "tryget":
            v = args[0]
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

    def symbols(self) -> dict[str, str]:
        res = self.doc.get("resources")
        if res.state is _KNOWN and isinstance(res.data, dict):
            return {k: f"{self.display}#{self.prefix}{k}" for k in res.data}
        return {}

    def resolve(self, rtype: str, name: str) -> str | None:
        return self.ids.get((rtype.lower(), name.lower()))

    def parameter(self, name: str, span: Span | None) -> Value:
        if self.outer is not None:
            return self.outer.parameter(name, span)
        key = f"p:{name}"
        if key not in self.values:
            if key in self.busy:
                return Value.unknown(f"parameter '{name}' refers to itself", span)
            self.busy.add(key)
            try:
                self.values[key] = self._parameter(name)
            finally:
                self.busy.discard(key)
        return self.values[key].at(span)

    def _parameter(self, name: str) -> Value:
        given = self.given.get(name) or next(
            (v for k, v in self.given.items() if k.lower() == name.lower()), None
        )
        decl = _get_ci(self.doc.get("parameters"), name)
        default = decl.get("defaultValue")
        # A null given for a parameter with a default deploys the default (Bicep compiles
        # `name: item.?name` into a null the module's default then replaces).
        if given is not None and not (not default.is_absent and given.is_known and given.data is None):
            return given
        if decl.is_absent:
            return Value.unknown(f"parameter '{name}' is not declared", decl.span)
        if default.is_absent:
            if self.complete_params and _get_ci(decl, "nullable").as_bool() is True:
                return Value.known(None, decl.span)
            return Value.unknown(f"parameter '{name}' has no default and no value is given", decl.span)
        return self.value(default, {})

    def variable(self, name: str, span: Span | None) -> Value:
        if self.outer is not None:
            return self.outer.variable(name, span)
        key = f"v:{name}"
        if key not in self.values:
            if key in self.busy:
                return Value.unknown(f"variable '{name}' refers to itself", span)
            self.busy.add(key)
            try:
                self.values[key] = self._variable(name)
            finally:
                self.busy.discard(key)
        return self.values[key].at(span)

    def _variable(self, name: str) -> Value:
        variables = self.doc.get("variables")
        decl = _get_ci(variables, name)
        if decl.is_absent:
            # `copy` in the variables section declares array variables.
            for c in variables.get("copy").elements():
                if c.get("name").as_str() == name:
                    return self._copy_variable(c)
            return Value.unknown(f"variable '{name}' is not declared", variables.span)
        return self.value(decl, {})

    def _copy_variable(self, c: Value) -> Value:
        count = self.value(c.get("count"), {})
        n = count.as_number()
        if n is None:
            return fns.unknown_from([count], c.span, "copy count is unknown")
        name = c.get("name").as_str() or ""
        return Value.known(
            [
                self.value(c.get("input"), {"copy": i, f"copy:{name}": i})
                for i in range(min(int(n), MAX_COPIES))
            ],
            c.span,
        )

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
        if r.state is not _KNOWN or not isinstance(r.data, dict) or r.get("copy").is_known:
            return
        rtype, name = self._type_name(r, ptype, pname, {})
        n = name.as_str()
        if n is not None:
            self.ids[(rtype.lower(), n.lower())] = f"{self.display}#{self.prefix}{symbol or n}"
            for child in r.get("resources").elements():
                self._index(None, child, rtype, n)

    def _type_name(
        self, r: Value, ptype: str | None, pname: str | None, env: dict[str, Any]
    ) -> tuple[str, Value]:
        rtype = literal(r.get("type").as_str() or "")
        # A nested child's type is relative (`apis`) unless it names the provider namespace.
        if ptype and not rtype.lower().startswith(ptype.split("/")[0].lower() + "/"):
            rtype = f"{ptype}/{rtype}"
        name = self.value(r.get("name"), env)
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
        if r.state is not _KNOWN or not isinstance(r.data, dict):
            return
        copy = r.get("copy")
        if copy.is_known and not copy.is_null:
            count = self.value(copy.get("count"), {})
            n = count.as_number()
            loop = copy.get("name").as_str() or ""
            if n is None:
                self._instance(symbol, r, ptype, pname, pcond, {}, "[*]")
                return
            for i in range(min(int(n), MAX_COPIES)):
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
        cond = pcond
        c_raw = r.get("condition")
        if not c_raw.is_absent:
            cv = self.value(c_raw, env)
            c = fns.truthy(cv)
            if c is False:
                return
            if c is None:
                cond = cv
        rtype, name = self._type_name(r, ptype, pname, env)
        type_member = r.get("type")
        span = type_member.span or r.span
        body: dict[str, Value] = {}
        for k, m in r.data.items():
            if k in _META:
                continue
            body[k] = (
                Value.known(rtype, m.span) if k == "type" else (name if k == "name" else self.value(m, env))
            )
        nested = rtype.lower() == "microsoft.resources/deployments"
        if nested:
            body["properties"] = _drop(body.get("properties"), "template")
        n = name.as_str()
        if n is None:
            raw = r.get("name").as_str() or "?"
            n_addr = symbol or raw
        else:
            n_addr = symbol or n
        address = f"{self.display}#{self.prefix}{n_addr}{suffix}"
        # languageVersion 2.0 `existing: true` refers to a resource declared elsewhere.
        existing = r.get("existing").as_bool() is True
        if not existing:
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
            self._nested_deployment(r, env, n or n_addr)
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
        if template.state is not _KNOWN or not isinstance(template.data, dict) or self.depth >= MAX_NESTING:
            return
        scope = self.value(props.path("expressionEvaluationOptions", "scope"), env).as_str() or "outer"
        prefix = f"{self.prefix}deployment.{name}."
        if scope.lower() == "inner":
            params: dict[str, Value] = {}
            given = self.value(props.get("parameters"), env)
            for k, p in given.items():
                v = p.get("value")
                params[k] = (
                    v if not v.is_absent else Value.unknown(f"parameter '{k}' given by reference", p.span)
                )
            complete = given.is_absent or (given.is_known and isinstance(given.data, dict))
            inner = Template(
                template, self.display, self.out, params, prefix, self.depth + 1, complete_params=complete
            )
        else:
            inner = Template(template, self.display, self.out, None, prefix, self.depth + 1, outer=self)
        inner.load()


def _get_ci(obj: Value, name: str) -> Value:
    """Member by name, ignoring case (ARM names are case-insensitive)."""
    v = obj.get(name)
    if not v.is_absent:
        return v
    low = name.lower()
    for k, m in obj.items():
        if k.lower() == low:
            return m
    return Value.absent(obj.span)


def _drop(obj: Value | None, key: str) -> Value:
    if obj is None or obj.state is not _KNOWN or not isinstance(obj.data, dict):
        return obj if obj is not None else Value.absent()
    return Value.known({k: m for k, m in obj.data.items() if k != key}, obj.span)
