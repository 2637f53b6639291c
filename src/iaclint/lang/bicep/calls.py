"""The function calls part of a Bicep file's evaluator: user-defined functions, the
higher-order functions with their lambdas (`map`, `filter`, `reduce`...), `load*Content()` read
through the guarded reader, `union()` operands, and the template functions Bicep shares with ARM
(`lang/arm/functions.py`)."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from iaclint.budget import Budget, BudgetExceeded
from iaclint.fileaccess import ReadRefused, read_bytes
from iaclint.lang.arm import functions as fns
from iaclint.lang.bicep.access import at
from iaclint.lang.bicep.filescope import (
    CALL_LEVELS,
    FileScope,
    shown_path,
)
from iaclint.source import Span
from iaclint.values import State, Value, read_mark

_KNOWN = State.KNOWN
# Encodings `loadTextContent(path, encoding)` accepts, by their Python names.
_ENCODINGS = {
    "utf-8": "utf-8-sig", "us-ascii": "ascii", "iso-8859-1": "latin-1",
    "utf-16be": "utf-16-be", "utf-16le": "utf-16-le",
}  # fmt: skip


class Calls(FileScope):

    def call(self, name: str, arg_nodes: list[Any], env: dict[str, Value], span: Span) -> Value:
        decl = self.decls.get(name)
        if decl is not None and decl[0] == "func":
            return self._user_function(decl[1], arg_nodes, env, span)
        key = name.lower()
        if key in ("map", "filter", "reduce", "toobject", "sort", "groupby", "mapvalues"):
            return self._higher_order(key, arg_nodes, env, span)
        if key in ("loadtextcontent", "loadjsoncontent", "loadyamlcontent", "loadfileasbase64"):
            return self._load_content(name, arg_nodes, env, span)
        if key == "union":
            args = [self._union_operand(a, env) for a in arg_nodes]
        else:
            args = [self.expr(a, env) for a in arg_nodes]
        if key in ("resourceid", "subscriptionresourceid", "tenantresourceid", "extensionresourceid"):
            return fns.resource_id_link(args, span, self.ctx_resolve)
        result = fns.call(name, args, span)
        if result is None:
            return fns.unknown_from(args, span, f"function {name}() is not evaluated")
        return result

    def _union_operand(self, node: Any, env: dict[str, Value]) -> Value:
        """An operand of `union()`; a conditional `c ? a : b` with `c` not known gives both branches
        (`fns.either`), so that union() can still decide the members neither branch sets."""
        while node.type == "parenthesized_expression" and len(self.kids(node)) == 1:
            node = self.kids(node)[0]
        if node.type == "identifier" and self.text(node) not in env:
            # A variable holding the conditional (`var network = internal ? {...} : {}`) is that
            # conditional as an operand; followed once per variable (`busy` stops a cycle).
            name = self.text(node)
            decl = self.decls.get(name)
            kids = self.kids(decl[1]) if decl is not None and decl[0] == "var" else []
            value_n = kids[-1] if len(kids) >= 2 else None
            while value_n is not None and value_n.type == "parenthesized_expression":
                inner = self.kids(value_n)
                value_n = inner[0] if len(inner) == 1 else None
            if value_n is not None and value_n.type == "ternary_expression" and name not in self.busy:
                v = self.expr(node, env)
                if v.is_known:
                    return v
                self.busy.add(name)
                try:
                    with self.nesting():
                        return at(self._union_operand(value_n, {}), self.span(node))
                finally:
                    self.busy.discard(name)
        parts = [node.child_by_field_name(f) for f in ("condition", "consequence", "alternative")]
        if node.type != "ternary_expression" or None in parts:
            return self.expr(node, env)
        with self.nesting():
            cond = self.expr(parts[0], env)
            c = fns.truthy(cond)
            if c is not None:
                return self.expr(parts[1 if c else 2], env)
            options = (self.expr(parts[1], env), self.expr(parts[2], env))
        return fns.either(cond, options, self.span(node))

    def ctx_resolve(self, rtype: str, name: str) -> str | None:
        for sym in self.resource_syms.values():
            if sym.type.lower() == rtype.lower() and sym.name.as_str() == name:
                return sym.address
        return None

    def _user_function(self, node: Any, arg_nodes: list[Any], env: dict[str, Value], span: Span) -> Value:
        kids = self.kids(node)
        params_n = next((c for c in kids if c.type == "parameters"), None)
        names = []
        if params_n is not None:
            for p in params_n.named_children:
                if p.type == "parameter" and p.named_children:
                    names.append(self.text(p.named_children[0]))
        args = [self.expr(a, env) for a in arg_nodes]
        # A user function sees only its parameters (and the file's symbols), not the caller's locals.
        local = dict(zip(names, args, strict=False))
        # A function calling itself nests until the budget's depth (or, calling itself twice,
        # until its steps) run out.
        with self.nesting(CALL_LEVELS):
            return at(self.expr(kids[-1], local), span)

    def _higher_order(self, key: str, arg_nodes: list[Any], env: dict[str, Value], span: Span) -> Value:
        if len(arg_nodes) < 2:
            return Value.unknown(f"{key}() needs a lambda", span)
        coll = self.expr(arg_nodes[0], env)
        fn_node = arg_nodes[-1]
        lam = self.make_lambda(fn_node, env)
        if lam is None:
            return Value.unknown(f"{key}() without a lambda", span)
        if coll.state is not _KNOWN or not isinstance(coll.data, (list, dict)):
            return fns.unknown_from([coll], span, f"{key}() over an unknown collection")
        # Each result is charged before it is built; each call of the lambda charges its steps
        # (`map(range(0, 1000), i => map(range(0, 1000), ...))` runs out of them).
        charge = self._budget.collection
        if key == "mapvalues":
            if not isinstance(coll.data, dict):
                return Value.unknown("mapValues() needs an object", span)
            charge(len(coll.data))
            return Value.known({k: lam([v]) for k, v in coll.data.items()}, span)
        items = coll.data if isinstance(coll.data, list) else []
        if key in ("map", "filter", "toobject"):
            charge(len(items))
        if key == "map":
            return Value.known([lam([v, Value.known(i, span)]) for i, v in enumerate(items)], span)
        if key == "filter":
            out = []
            for i, v in enumerate(items):
                c = fns.truthy(lam([v, Value.known(i, span)]))
                if c is None:
                    return fns.unknown_from([v], span, "filter() condition is unknown")
                if c:
                    out.append(v)
            return Value.known(out, span)
        if key == "reduce":
            acc = self.expr(arg_nodes[1], env) if len(arg_nodes) > 2 else Value.known(None, span)
            for i, v in enumerate(items):
                acc = lam([acc, v, Value.known(i, span)])
            # Nests a value deeper than the evaluation that builds it (`(acc, x) => { a: acc }`).
            self.check_height(acc)
            return at(acc, span)
        if key == "toobject":
            val_lam = self.make_lambda(arg_nodes[2], env) if len(arg_nodes) > 2 else None
            obj: dict[str, Value] = {}
            for v in items:
                k = lam([v]).as_str()
                if k is None:
                    return fns.unknown_from([v], span, "toObject() key is unknown")
                obj[k] = val_lam([v]) if val_lam is not None else v
            return Value.known(obj, span)
        return fns.unknown_from([coll], span, f"{key}() is not evaluated")

    def _load_content(self, name: str, arg_nodes: list[Any], env: dict[str, Value], span: Span) -> Value:
        """`loadTextContent()`, `loadFileAsBase64()`, `loadJsonContent()`: a regular file inside the
        scan roots, read through the guarded reader and no larger than the longest string the
        budget allows. Anything else is unknown with a note naming the call and the path, never
        what the file holds."""
        key = name.lower()
        args = [self.expr(a, env) for a in arg_nodes]
        rel = args[0].as_str() if args else None
        if rel is None:
            return fns.unknown_from(args, span, f"{name}() of an unknown path")
        what = f"{name}({shown_path(rel)})"
        if key == "loadyamlcontent" or (key == "loadjsoncontent" and len(args) > 1):
            return Value.unknown(f"{what} is not evaluated", span)
        encoding = "utf-8-sig"
        if key == "loadtextcontent" and len(args) > 1:
            asked = args[1].as_str()
            found = _ENCODINGS.get(asked.lower()) if asked is not None else None
            if found is None:
                return fns.unknown_from(args[1:], span, f"{what} in an encoding iaclint does not read")
            encoding = found
        b = self._budget
        target = self.path.parent / rel
        try:
            data = read_bytes(target, roots=self.ctx.roots, limit=b.limits.string_bytes)
        except ReadRefused as err:
            return Value.unknown(f"{what} not read: {err.reason}", span)
        self.ctx.files_read.add(str(self.ctx.resolve(target)))
        if key == "loadfileasbase64":
            b.string(4 * ((len(data) + 2) // 3))
            return Value.known(base64.b64encode(data).decode("ascii"), span)
        b.string(len(data))
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            return Value.unknown(f"{what}: the file is not {encoding.removesuffix('-sig')} text", span)
        if key == "loadtextcontent":
            # The file joins `via` (see values.read_mark): what a policy read from it causes points there.
            mark = read_mark(os.path.normpath(target), text)
            return Value(State.KNOWN, text, span, "", (), (mark,))
        try:
            plain = json.loads(text)
        except ValueError:
            return Value.unknown(f"{what}: the file is not valid JSON", span)
        except RecursionError:
            return Value.unknown(f"{what}: the JSON is nested too deeply", span)
        _charge_plain(plain, b)
        return Value.of(plain, span)


def _charge_plain(data: Any, budget: Budget) -> None:
    """Charge the collections of decoded JSON (its strings were charged as the file) and check its
    nesting as a kept value's (see `check_height`), without recursing: `Value.of` and what reads
    the value later recurse as deep."""
    limit = budget.limits.depth // 2
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        x, d = stack.pop()
        if isinstance(x, dict):
            members: Any = x.values()
        elif isinstance(x, list):
            members = x
        else:
            continue
        if d > limit:
            raise BudgetExceeded(f"a value nested more than {limit} levels deep")
        budget.collection(len(x))
        stack.extend((m, d + 1) for m in members)
