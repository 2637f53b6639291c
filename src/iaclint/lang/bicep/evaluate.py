"""Evaluate a parsed Bicep file: parameters, variables, functions, resources, modules, outputs.

Resources come out in ARM's shape, so the Azure model reads Bicep and ARM alike:

- `type`: the full ARM type without API version (`Microsoft.ApiManagement/service/apis`), composed
  for nested children and `parent:`;
- `name`: the full ARM name (`apim1/api1`); when a part is unknown, the symbolic name;
- `address`: `<display path>#<symbol>`, nested children `parent::child`, module contents
  `module.<sym>.<symbol>`, loop instances `[i]`;
- `body`: the declaration object as ARM has it (`name` full, `type`, `apiVersion`, `location`,
  `properties`, ...; `parent` dropped, nested `resource` declarations taken out), each member's span
  running from its key to the end of its value;
- `span`: the declaration header, from `resource` to the end of the type string.

Symbol references: `apim.id` is unknown with a ref to apim's address; `apim.name`, `apim.type`,
`apim.apiVersion`, `apim.properties.x` are what the declaration says (a property it does not set is
a runtime value: unknown, with the ref).

The code is untrusted. Every evaluation charges the entry file's `Budget` (`Context.budget`): a step
per expression node, the size of every string and collection before it is built, loop and module
instances, and nesting (`Context.depth`, counted across variables, functions, lambdas, modules and
values worked out later). A named value that goes over (a variable, a parameter, an output, a
member of a resource body, a module parameter) is unknown with a note; the rest goes on. Files the
code names (modules, `loadTextContent()` and its kind) are read through `fileaccess.read_bytes`
inside the scan roots.
"""

from __future__ import annotations

import base64
import json
import sys
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from iaclint import budget as budgets
from iaclint.budget import Budget, BudgetExceeded, exceeded_note
from iaclint.fileaccess import ReadRefused, ScanRoots, read_bytes
from iaclint.lang.arm import functions as fns
from iaclint.lang.bicep.syntax import Parsed
from iaclint.resources import Diagnostic, LazyNameResource, Resource
from iaclint.source import Span
from iaclint.values import EvaluationError, LazyValue, State, Value

_KNOWN = State.KNOWN
# Nesting is counted in levels (`Context.depth`, limited by `Limits.depth`) of about two Python
# frames each: an expression is one level, and what nests more frames counts more (an object, an
# array, a call, an interpolation or a variable one more; a lambda or function call, a value
# worked out later and a module several). The limit is then reached well before Python's
# recursion limit, whatever mix of them the code nests, with room left for reading the values.
_CALL_LEVELS = 1
_LAZY_LEVELS = 3
_MODULE_LEVELS = 5
# A value worked out later is refused when the Python stack is already this deep (a chain of such
# values inside each other, read by something that recurses into values).
_LAZY_STACK_FRAMES = 350
# Encodings `loadTextContent(path, encoding)` accepts, by their Python names.
_ENCODINGS = {
    "utf-8": "utf-8-sig", "us-ascii": "ascii", "iso-8859-1": "latin-1",
    "utf-16be": "utf-16-be", "utf-16le": "utf-16-le",
}  # fmt: skip
_SKIP = frozenset({"comment", "diagnostic_comment", "decorators", "decorator"})
_RESOURCE_SELF = frozenset({"name", "type", "apiVersion"})
# Kinds of object members (see `FileEvaluator._members`).
_SPREAD, _STATIC_KEY, _DYNAMIC_KEY = 0, 1, 2


class _Lambda:
    """A lambda as a callable over Values."""

    __slots__ = ("body", "env", "evaluator", "params")

    def __init__(self, params: list[str], body: Any, evaluator: FileEvaluator, env: dict[str, Value]) -> None:
        self.params = params
        self.body = body
        self.evaluator = evaluator
        self.env = env

    def __call__(self, args: list[Value]) -> Value:
        env = dict(self.env)
        env.update(zip(self.params, args, strict=False))
        with _Nesting(self.evaluator.ctx, _CALL_LEVELS):
            return self.evaluator.expr(self.body, env)


class _Nesting:
    """`with evaluator.nesting(n):` counts `n` more levels of nesting while the block runs, and
    raises BudgetExceeded past the limit (for what nests without going through `expr`)."""

    __slots__ = ("budget", "ctx", "levels", "saved")

    def __init__(self, ctx: Context, levels: int) -> None:
        self.ctx = ctx
        self.budget = ctx.budget
        self.levels = levels
        self.saved = 0

    def __enter__(self) -> None:
        ctx = self.ctx
        self.saved = ctx.depth
        d = ctx.depth + self.levels
        self.budget.depth(d)
        ctx.depth = d

    def __exit__(self, *_exc: object) -> None:
        self.ctx.depth = self.saved


@dataclass(slots=True)
class ResourceSym:
    """What a resource symbol stands for, so `sym.x` and `parent: sym` can be answered."""

    symbol: str
    address: str
    type: str
    api_version: str
    name: Value
    body: Value | None = None
    looped: bool = False
    # (node id, value) of the `name` expression as evaluated at declaration, outside any loop:
    # the resource's instance reuses it instead of evaluating it again.
    raw_name: tuple[int, Value] | None = None


@dataclass(slots=True)
class ModuleSym:
    symbol: str
    address: str
    evaluator: FileEvaluator | None
    looped: bool = False
    # One evaluator per instance of a looped module (`module m '...' = [for ...: {...}]`).
    instances: list[FileEvaluator] = field(default_factory=list)
    # Why the module's file is not evaluated (not on disk, outside the scan, a cycle, the budget):
    # its outputs are unknown with this reason. Empty when it is evaluated or is remote.
    reason: str = ""


@dataclass(slots=True)
class Context:
    """What the evaluation of one entry file (with its modules) shares: the file cache, the module
    stack, the budget, and the output."""

    # A module file parsed, or why it was not (one line, no content).
    parse_file: Any  # Callable[[Path], Parsed | str]
    display: Any  # Callable[[str | Path], str]
    resolve: Any = Path.resolve  # Callable[[Path], Path]; files.py passes a cached one
    resources: list[Resource] = field(default_factory=list)
    files_read: set[str] = field(default_factory=set)
    stack: list[str] = field(default_factory=list)
    # Where `loadTextContent()` and its kind may read; None for no bound (a library caller's choice).
    roots: ScanRoots | None = None
    budget: Budget = field(default_factory=Budget)
    # Nesting of the evaluation running now, in expression levels (see `_CALL_LEVELS`).
    depth: int = 0
    # The named value being worked out ("var.x"), for the note of a value cut off inside it.
    where: str = ""
    # How deep each collection kept so far nests (by id; the collection is held so the id stays
    # its own), so a value reusing kept values is measured without walking them again.
    heights: dict[int, tuple[int, Any]] = field(default_factory=dict)
    # Declarations left out because the budget ran out for them (their resources are not read).
    diagnostics: list[Diagnostic] = field(default_factory=list)
    left_out: set[tuple[str, int, int]] = field(default_factory=set)  # their places, reported once
    # How many times each module file is deployed in the unit, loops and calls from several
    # places together: past `Limits.expansion`, a module is not read (a file calling the next
    # one ten times, ten levels down, would deploy the last 10,000,000,000 times).
    deployments: dict[str, int] = field(default_factory=dict)


class FileEvaluator:
    def __init__(
        self,
        parsed: Parsed,
        path: Path,
        ctx: Context,
        params: dict[str, Value] | None,
        prefix: str,
        root_display: str,
        complete_params: bool = False,
    ) -> None:
        self.parsed = parsed
        # True when `params` is everything the caller passes (a module call with known params).
        self.complete_params = complete_params
        self.src = parsed.source
        self._spans = parsed.spans
        self.span = parsed.spans.of  # type: ignore[method-assign]  # one call frame less, a hot path
        # By node id, shared by every evaluation of this file (module files are evaluated per call).
        self._texts = parsed.texts
        self._kids = parsed.kids
        self.path = path
        self.ctx = ctx
        self.given = params or {}
        self.prefix = prefix
        self.root_display = root_display
        # Read-only once collected, so one dict serves every evaluation of the file.
        decls = parsed.decls
        if decls is None:
            decls = parsed.decls = {}
            self.decls: dict[str, tuple[str, Any]] = decls
            self._collect()
        self.decls = decls
        self.values: dict[str, Value] = {}
        self.busy: set[str] = set()
        self.resource_syms: dict[str, ResourceSym] = {}
        self.module_syms: dict[str, ModuleSym] = {}
        # Set by the caller of a module instance: equal keys mean equal parameters (see _emit_module).
        self.memo_key: Any = None
        # How many times this file is deployed in the unit (the product of the enclosing module
        # loops' sizes): a loop in it expands to that many times its own instances.
        self.instances = 1
        self._outputs: dict[str, Any] | None = None  # output name -> value node, built on first need
        # The budget's own methods, looked up once: `expr` charges a step per node.
        self._budget = ctx.budget
        self._step = ctx.budget.step
        self._max_depth = ctx.budget.limits.depth

    # -- laziness -----------------------------------------------------------------------------------
    def _lazy(self, where: str, span: Span | None, fn: Any, *args: Any) -> LazyValue:
        """`fn(*args)` as a value worked out when first read (see LazyValue); `where` names it in
        the note of a value cut off by the budget."""
        return LazyValue(partial(self._guarded, where, span, fn, args))

    def _lazy_members(self, where: str, span: Span | None, fn: Any, *args: Any) -> LazyValue:
        """As `_lazy`, for a resource body: its members are named values, each checked on its own."""
        return LazyValue(partial(self._guarded, where, span, fn, args, False))

    def _guarded(
        self, where: str, span: Span | None, fn: Any, args: tuple[Any, ...], check: bool = True
    ) -> Value:
        # Often read during the model stage, after the load returned: the unit's budget is made
        # current again (the function table charges `budget.current()`), and what it cuts off is
        # an unknown, as during the load.
        ctx = self.ctx
        b = ctx.budget
        saved_depth, saved_where = ctx.depth, ctx.where
        ctx.depth += _LAZY_LEVELS
        ctx.where = where
        try:
            if _stack_deeper_than(_LAZY_STACK_FRAMES):
                # Read from deep inside something that recurses (values inside values worked out
                # one by one): the depth counted here does not see those frames.
                b.depth(b.limits.depth + 1)
            if budgets.current() is b:
                v = fn(*args)
            else:
                with b.active():
                    v = fn(*args)
            if check:
                self.check_height(v)
            return v
        except BudgetExceeded as err:
            return Value.unknown(exceeded_note(where, err), span)
        except (RecursionError, EvaluationError):
            raise
        except Exception as err:
            # Far from the loader's own error handling: an exception here is an iaclint bug,
            # reported (as a loader's is) in one line naming the file.
            raise EvaluationError(f"{self.src.path}: {type(err).__name__}: {err}") from err
        finally:
            ctx.depth, ctx.where = saved_depth, saved_where

    def nesting(self, levels: int = 1) -> _Nesting:
        return _Nesting(self.ctx, levels)

    def check_height(self, v: Value) -> None:
        """Raise BudgetExceeded when `v`, about to be kept (a variable's value, one worked out
        later, an output), nests deeper than half the depth limit. Values kept and reused inside
        one another could otherwise nest without bound while each is built at a small depth, and
        what reads them recurses as deep. Collections already measured are not walked again."""
        data = v.data if v.state is _KNOWN else None
        if isinstance(data, (dict, list)):
            _height(data, self.ctx.heights, self._budget.limits.depth // 2)

    # -- spans --------------------------------------------------------------------------------------
    def span(self, node: Any) -> Span:
        return self._spans.of(node)  # (shadowed per instance by `_spans.of` itself; see __init__)

    def text(self, node: Any) -> str:
        key = node.id
        t = self._texts.get(key)
        if t is None:
            t = self._texts[key] = self.parsed.text_of(node).decode("utf-8", errors="replace")
        return t

    def kids(self, node: Any) -> list[Any]:
        """The named children of a node but comments and decorators (shared, do not modify)."""
        key = node.id
        k = self._kids.get(key)
        if k is None:
            k = self._kids[key] = [c for c in node.named_children if c.type not in _SKIP]
        return k

    # -- declarations -------------------------------------------------------------------------------
    def _collect(self) -> None:
        for node in self.parsed.statements:
            t = node.type
            if t in ("parameter_declaration", "variable_declaration", "user_defined_function"):
                ident = node.named_children[0] if node.named_children else None
                if ident is not None and ident.type == "identifier":
                    kind = {"parameter_declaration": "param", "variable_declaration": "var"}.get(t, "func")
                    self.decls[self.text(ident)] = (kind, node)
            elif t in ("resource_declaration", "module_declaration"):
                ident = node.named_children[0] if node.named_children else None
                if ident is not None:
                    self.decls[self.text(ident)] = (
                        "resource" if t == "resource_declaration" else "module",
                        node,
                    )

    def symbol_value(self, name: str, span: Span) -> Value:
        if name in self.values:
            return _at(self.values[name], span)
        decl = self.decls.get(name)
        if decl is None:
            return Value.unknown(f"'{name}' is not declared in this file", span)
        kind, node = decl
        if kind in ("resource", "module"):
            sym = self.resource_sym(name) if kind == "resource" else self.module_sym(name)
            addr = sym.address if sym is not None else f"{self.root_display}#{self.prefix}{name}"
            return Value.unknown(f"reference to {kind} {name}", span, (addr,))
        if kind == "func":
            return Value.unknown(f"{name} is a function", span)
        if name in self.busy:
            return Value.unknown(f"'{name}' refers to itself", span)
        self.busy.add(name)
        ctx = self.ctx
        saved = ctx.where
        where = ctx.where = f"{self.prefix}{kind}.{name}"
        ctx.depth += 1
        try:
            v = self._param(name, node) if kind == "param" else self._var(node)
            self.check_height(v)
        except BudgetExceeded as err:
            v = Value.unknown(exceeded_note(where, err), self.span(node))
        finally:
            self.busy.discard(name)
            ctx.where = saved
            ctx.depth -= 1
        self.values[name] = v
        return _at(v, span)

    def _param(self, name: str, node: Any) -> Value:
        given = self.given.get(name)
        kids = self.kids(node)
        default = kids[2] if len(kids) > 2 else None
        if given is not None and not (default is not None and given.state is _KNOWN and given.data is None):
            return given
        # (A null passed for a parameter with a default deploys the default: AVM modules pass
        # `name: item.?name` and rely on it.)
        if default is None:
            if self.complete_params and len(kids) > 1 and self._nullable(kids[1]):
                # A module's caller passes every value it means to: an optional (`type?`)
                # parameter it leaves out is null, as Bicep deploys it.
                return Value.known(None, self.span(kids[0]))
            return Value.unknown(
                f"parameter '{name}' has no default and no value is given", self.span(kids[0])
            )
        return self.expr(default, {})

    def _nullable(self, type_n: Any) -> bool:
        """True for a nullable parameter type (`string?`, `fooType[]?`, `{...}?`). The pre-pass may
        have blanked the `?` for the grammar, so the original text after the type is read too."""
        if self.parsed.text_of(type_n).rstrip().endswith(b"?"):
            return True
        data = self.src.data
        i = type_n.end_byte
        while i < len(data) and data[i] in (32, 9):
            i += 1
        return i < len(data) and data[i] == 63  # "?"

    def _var(self, node: Any) -> Value:
        kids = self.kids(node)
        if len(kids) < 2:
            return Value.unknown("variable without a value", self.span(node))
        return self.expr(kids[-1], {})

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

    def _e_string(self, node: Any, env: dict[str, Value]) -> Value:
        # A string without interpolation is the same Value wherever it is evaluated (Values are
        # immutable): made once per file.
        literals = self.parsed.literals
        v = literals.get(node.id)
        if v is not None:
            return v
        v = self._string(node, env)
        if v.state is _KNOWN and _plain_string(node):
            literals[node.id] = v
        return v

    def _string(self, node: Any, env: dict[str, Value]) -> Value:
        span = self.span(node)
        raw = self.parsed.text_of(node)
        if raw.startswith(b"'''"):
            body = raw[3:-3] if raw.endswith(b"'''") and len(raw) >= 6 else raw[3:]
            s = body.decode("utf-8", errors="replace")
            # Bicep drops the line break right after the opening quotes.
            if s.startswith("\r\n"):
                s = s[2:]
            elif s.startswith("\n"):
                s = s[1:]
            return Value.known(s, span)
        # Most strings are plain: no escape, no interpolation; their text is all between the quotes.
        if b"\\" not in raw and b"${" not in raw and raw[-1:] == b"'" and len(raw) > 1 and not node.has_error:
            return Value.known(raw[1:-1].decode("utf-8", errors="replace"), span)
        # Text, and the values of interpolations not known as text.
        parts: list[str | Value] = []
        unknowns: list[Value] = []
        for c in node.named_children:
            ct = c.type
            if ct == "string_content":
                parts.append(self.text(c))
            elif ct == "escape_sequence":
                parts.append(_unescape(self.text(c)))
            elif ct == "interpolation":
                inner = [x for x in c.named_children if x.type not in _SKIP]
                ctx = self.ctx
                ctx.depth += 1  # two frames further in
                try:
                    v = self.expr(inner[0], env) if inner else Value.unknown("empty interpolation", span)
                finally:
                    ctx.depth -= 1
                s = fns.interpolate_str(v)
                if s is None:
                    unknowns.append(v)
                    parts.append(v)
                else:
                    parts.append(s)
        if unknowns:
            # Known around the unknown interpolations: a URL's scheme, the tail of an id.
            v = fns.unknown_from(unknowns, span, "string built from an unknown value")
            return fns.with_id_tail(fns.partly_known(v, parts))
        # `'${a}${a}'` doubles a string: its length is charged before it is built.
        self._budget.string(sum(len(p) for p in parts if isinstance(p, str)))
        return Value.known("".join(p for p in parts if isinstance(p, str)), span)

    def _e_number(self, node: Any, env: dict[str, Value]) -> Value:
        txt = self.text(node)
        try:
            return Value.known(int(txt), self.span(node))
        except ValueError:
            return Value.unknown(f"number '{txt}' not understood", self.span(node))

    def _e_boolean(self, node: Any, env: dict[str, Value]) -> Value:
        return Value.known(self.parsed.text_of(node) == b"true", self.span(node))

    def _e_null(self, node: Any, env: dict[str, Value]) -> Value:
        return Value.known(None, self.span(node))

    def _e_identifier(self, node: Any, env: dict[str, Value]) -> Value:
        name = self.text(node)
        span = self.span(node)
        if name in env:
            return _at(env[name], span)
        return self.symbol_value(name, span)

    _e_compatible_identifier = _e_identifier

    def _e_parenthesized_expression(self, node: Any, env: dict[str, Value]) -> Value:
        kids = self.kids(node)
        if len(kids) != 1:
            return Value.unknown("lambda parameters are not a value", self.span(node))
        return self.expr(kids[0], env)

    def _e_object(self, node: Any, env: dict[str, Value]) -> Value:
        return self.object(node, env, drop=())

    def object(
        self, node: Any, env: dict[str, Value], drop: tuple[str, ...], where: str | None = None
    ) -> Value:
        """An object's value. With `where` (a resource body, named so), each member is a named
        value: one the budget cuts off is unknown with a note, the others are still read."""
        members = self._members(node)
        self._budget.collection(len(members))
        ctx = self.ctx
        if where is None:
            ctx.depth += 1  # each member is two frames further in
            try:
                return Value.known(self._fill({}, members, env, drop, len(members)), self._spans.of(node))
            finally:
                ctx.depth -= 1
        out: dict[str, Value] = {}
        saved = ctx.where
        try:
            for member in members:
                kind, key = member[0], member[1]
                if kind != _STATIC_KEY:
                    key = self.text(key) if kind == _DYNAMIC_KEY else "..."
                ctx.where = f"{where}.{key}"
                try:
                    self._fill(out, [member], env, drop, len(out) + 1)
                    if key in out:
                        self.check_height(out[key])
                except BudgetExceeded as err:
                    out[key] = Value.unknown(exceeded_note(ctx.where, err), member[3])
        finally:
            ctx.where = saved
        return Value.known(out, self._spans.of(node))

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
        for kind, key, val_node, pspan in members:
            if kind == _SPREAD:
                v = expr(val_node, env)
                if v.state is _KNOWN and isinstance(v.data, dict):
                    # `{...a, ...a}`: what a spread adds is charged before it is copied in, and the
                    # object as a whole must stay within a collection's size.
                    size += len(v.data)
                    b = self._budget
                    b.collection(size if size > b.limits.collection_items else len(v.data))
                    out.update(v.data)
                else:
                    out["..."] = _at(v, pspan)
                continue
            if kind == _DYNAMIC_KEY:
                kv = self._e_string(key, env)
                key = kv.data if kv.state is _KNOWN else self.text(key)
            if key in drop:
                continue
            out[key] = _relocate(expr(val_node, env), pspan)
        return out

    def _members(self, node: Any) -> list[tuple[int, Any, Any, Span]]:
        """An object's members as (kind, key, value node, member span), worked out once per file:
        kind `_SPREAD` (key unused), `_STATIC_KEY` (key is the text) or `_DYNAMIC_KEY` (key is an
        interpolated string node). Nested resource declarations are left out."""
        cache = self.parsed.members
        found = cache.get(node.id)
        if found is not None:
            return found
        found = []
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
                found.append((_SPREAD, None, val_node, pspan))
            elif key_node.type == "string":
                kv = self._e_string(key_node, {})
                if kv.state is _KNOWN and _plain_string(key_node):
                    found.append((_STATIC_KEY, kv.data, val_node, pspan))
                else:
                    found.append((_DYNAMIC_KEY, key_node, val_node, pspan))
            else:
                found.append((_STATIC_KEY, self.text(key_node), val_node, pspan))
        cache[node.id] = found
        return found

    def _e_array(self, node: Any, env: dict[str, Value]) -> Value:
        spreads = self.parsed.spreads
        kids = self.kids(node)
        if not spreads or not any(c.start_byte in spreads for c in kids):
            self._budget.collection(len(kids))
            ctx = self.ctx
            ctx.depth += 1  # each item is a frame further in
            try:
                return Value.known([self.expr(c, env) for c in kids], self.span(node))
            finally:
                ctx.depth -= 1
        # `[...a, ...a]` doubles a list: the size is worked out from the parts before it is built.
        parts: list[tuple[bool, Value]] = []
        size = 0
        for c in kids:
            v = self.expr(c, env)
            if c.start_byte in spreads:
                if v.state is not _KNOWN or not isinstance(v.data, list):
                    return fns.unknown_from([v], self.span(node), "array spread of an unknown value")
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
        return Value.known(items, self.span(node))

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
        return Value.known(out, span)

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
                e[index_name] = Value.known(i, coll.span)
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
                else Value.known(not c, span)
            )
        if arg.state is _KNOWN and isinstance(arg.data, (int, float)) and not isinstance(arg.data, bool):
            return Value.known(-arg.data, span)
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
                return Value.known(lc, span)
            right = self.expr(right_n, env)
            rc = fns.truthy(right)
            if lc is not None and rc is not None:
                return Value.known(rc, span)
            if rc is (op == "||"):
                return Value.known(rc, span)
            return fns.unknown_from([left, right], span, f"'{op}' of an unknown value")
        right = self.expr(right_n, env)
        if op in ("==", "!="):
            e = fns.equal(left, right)
            if e is None:
                return fns.unknown_from([left, right], span, "comparison of an unknown value")
            return Value.known(e if op == "==" else not e, span)
        if op in ("=~", "!~"):
            a, b = left.as_str(), right.as_str()
            if a is None or b is None:
                return fns.unknown_from([left, right], span, "comparison of an unknown value")
            return Value.known((a.lower() == b.lower()) == (op == "=~"), span)
        name = {"<": "less", "<=": "lessOrEquals", ">": "greater", ">=": "greaterOrEquals", "+": "add",
                "-": "sub", "*": "mul", "/": "div", "%": "mod"}.get(op)  # fmt: skip
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

    def _e_member_expression(self, node: Any, env: dict[str, Value]) -> Value:
        span = self.span(node)
        shape = self.parsed.shapes.get(node.id)
        if shape is None:
            shape = self.parsed.shapes[node.id] = self._member_shape(node)
        obj_n, prop, safe, fixed = shape
        if obj_n is None:
            return Value.unknown("member access not understood", span)
        if fixed:
            return self._fixed_postfix(node, obj_n, env)
        if obj_n.type == "member_expression":
            out = self._module_output(obj_n, prop, env, span)
            if out is not None:
                return out
        ref = self._symbol_member(obj_n, prop, env, span)
        if ref is not None:
            return ref
        base = self.expr(obj_n, env)
        return _member(base, prop, span, safe)

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
                return fns.unknown_from([inner], span, "negation") if c is None else Value.known(not c, span)
            if inner.state is _KNOWN and isinstance(inner.data, (int, float)):
                return Value.known(-inner.data, span)
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
                v = _member(v, self.text(op.child_by_field_name("property")), ospan, safe)
            else:
                safe = any(c.type == "?" for c in op.children)
                v = _index(v, self.expr(op.child_by_field_name("index"), env), ospan, safe)
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
        return _index(self.expr(obj_n, env), self.expr(idx_n, env), span, safe)

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
            named = _at(sym.name, span)
            return named.with_refs(refs) if sym.name.state is not _KNOWN else named
        if prop == "type":
            return Value.known(sym.type, span)
        if prop == "apiVersion":
            return Value.known(sym.api_version, span)
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
                return _deployed(_at(v, span), refs, f"{sym.symbol}.{prop}")
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
        with self.nesting(_CALL_LEVELS):
            return _at(self.expr(kids[-1], local), span)

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
            return _at(acc, span)
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
        what = f"{name}({_shown_path(rel)})"
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
            return Value.known(text, span)
        try:
            plain = json.loads(text)
        except ValueError:
            return Value.unknown(f"{what}: the file is not valid JSON", span)
        except RecursionError:
            return Value.unknown(f"{what}: the JSON is nested too deeply", span)
        _charge_plain(plain, b)
        return Value.of(plain, span)

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
            for kind, key, val_node, _span in self._members(body_n):
                if kind != _STATIC_KEY:
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
            return fns.unknown_from([parent.name, name], span, "name built from an unknown value")
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
        for kind, key, val_node, _span in members:
            if kind == _STATIC_KEY and key == "parent":
                pn = val_node
        if pn is not None:
            parent_sym = self._resource_path(pn) or parent_sym
        if parent_sym is not None and not sym.api_version:
            sym.api_version = parent_sym.api_version  # a nested child may omit it
        name_v: Value
        if all(m[0] == _STATIC_KEY for m in members):
            named = [(val_node, pspan) for _k, key, val_node, pspan in members if key == "name"]
            if named:
                # Worked out when read, like the body: most names are read by nothing but the
                # resource's own `name` (and, for the few resources the rules read, the model).
                val_node, pspan = named[-1]
                name_v = self._lazy(
                    f"{where}.name", pspan, self._instance_name, sym, val_node, pspan, env, parent_sym, header
                )
            else:
                name_v = Value.absent(header)
        else:
            whole = self.object(body_n, env, drop=("parent",), where=where)
            name_v = whole.data.get("name", Value.absent(header))
            if parent_sym is not None and name_v.state is not State.ABSENT:
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
            name_v = _relocate(raw_name[1], pspan)
        else:
            name_v = _relocate(self.expr(val_node, env), pspan)
        if parent_sym is not None and name_v.state is not State.ABSENT:
            name_v = self._child_name(name_v, parent_sym, header)
        return name_v

    def _child_name(self, name_v: Value, parent_sym: ResourceSym, header: Span) -> Value:
        composed = self._compose_name(name_v, parent_sym, name_v.span or header)
        return Value(composed.state, composed.data, name_v.span, composed.reason, composed.refs, name_v.via)

    def _lazy_body(
        self, head: dict[str, Value], body_n: Any, env: dict[str, Value], name: Value, where: str
    ) -> Value:
        # Each member is a named value: one the budget cuts off is unknown, the others are read.
        return _body(head, self.object(body_n, env, drop=("parent",), where=where), name)

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
            msym.reason = f"module cycle: {_shown_path(target)} is being evaluated already (it calls itself)"
            return
        parsed = self.ctx.parse_file(path)
        if isinstance(parsed, str):
            # Not on disk, outside the scan roots, not a regular file, not Bicep: outputs unknown.
            msym.reason = f"module {_shown_path(target)} not available: {parsed}"
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
        for kind, key, val_node, _span in self._members(body_n):
            if kind != _STATIC_KEY:
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
    ) -> FileEvaluator | None:
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
            ev = FileEvaluator(parsed, path, self.ctx, dict(given), prefix, self.root_display, complete)
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
        complete = params.state is not State.UNKNOWN and (
            params.state is State.ABSENT or isinstance(params.data, dict)
        )
        given = dict(params.data) if params.state is _KNOWN and isinstance(params.data, dict) else {}
        return complete, given

    def _lazy_params(self, body_n: Any, env: dict[str, Value], prefix: str) -> dict[str, Value] | None:
        """`params: { a: ..., b: ... }` of a module call as values worked out when the module reads
        them (most feed resource bodies, themselves worked out only when read); None when the
        parameter names are not all written out (a spread, a computed key, `params: someVar`)."""
        members = self._members(body_n)
        if any(m[0] != _STATIC_KEY for m in members):
            return None
        found = [m for m in members if m[1] == "params"]
        if not found:
            return {}
        params_n = found[-1][2]
        if params_n.type != "object":
            return None
        given: dict[str, Value] = {}
        for kind, key, val_node, pspan in self._members(params_n):
            if kind != _STATIC_KEY:
                return None
            given[key] = self._lazy(f"{prefix}params.{key}", pspan, self._member_value, val_node, env, pspan)
        return given

    def _member_value(self, val_node: Any, env: dict[str, Value], pspan: Span) -> Value:
        """An object member's value as `object` gives it (for a member one level down)."""
        return _relocate(self.expr(val_node, env), pspan)

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
                resources.append(_readdress(r, old, new, self._guarded))

    def _emit_instance(self, ev: FileEvaluator) -> None:
        self.ctx.stack.append(str(ev.path))
        try:
            # A module nests the evaluation of its file in its caller's.
            with self.nesting(_MODULE_LEVELS):
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
        return _at(self._output(name, node), span)

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
            with self.nesting(_MODULE_LEVELS):
                v = self.expr(value_n, {})
            self.check_height(v)
            return v
        except BudgetExceeded as err:
            return Value.unknown(exceeded_note(where, err), self.span(value_n))
        finally:
            ctx.where = saved


# Node type -> `FileEvaluator._e_<type>`, looked up once instead of per node.
_EVALUATORS: dict[str, Any] = {
    name[3:]: fn for name, fn in vars(FileEvaluator).items() if name.startswith("_e_") and callable(fn)
}


def _shown_path(path: str) -> str:
    """A path as written in the code, quoted for a note (cut short: it may have been computed)."""
    return repr(path if len(path) <= 120 else path[:117] + "...")


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


def _stack_deeper_than(frames: int) -> bool:
    try:
        sys._getframe(frames)
    except ValueError:
        return False
    return True


def _container(v: Value) -> Any:
    """The dict or list of a known value, None for anything else (a value still to be worked out
    counts as a leaf: it is measured when it is worked out)."""
    if isinstance(v, LazyValue) and not v.ready():
        return None
    d = v.data if v.state is _KNOWN else None
    return d if isinstance(d, (dict, list)) else None


def _height(top: dict[str, Value] | list[Value], memo: dict[int, tuple[int, Any]], limit: int) -> int:
    """How deep the collection `top` nests (1 for one without collections in it), measured without
    recursing, with the heights found kept in `memo`. Raises BudgetExceeded past `limit`."""
    hit = memo.get(id(top))
    if hit is not None:
        return hit[0]
    # [collection, its members still to look at, the greatest height below it so far]
    stack: list[list[Any]] = [[top, iter(top.values() if isinstance(top, dict) else top), 0]]
    while stack:
        frame = stack[-1]
        for m in frame[1]:
            c = _container(m)
            if c is None:
                continue
            known = memo.get(id(c))
            if known is not None:
                frame[2] = max(frame[2], known[0])
                continue
            if len(stack) >= limit:
                raise BudgetExceeded(f"a value nested more than {limit} levels deep")
            stack.append([c, iter(c.values() if isinstance(c, dict) else c), 0])
            break
        else:
            stack.pop()
            h = frame[2] + 1
            if h > limit:
                raise BudgetExceeded(f"a value nested more than {limit} levels deep")
            memo[id(frame[0])] = (h, frame[0])
            if stack:
                stack[-1][2] = max(stack[-1][2], h)
    return memo[id(top)][0]


def _name_text(name: Value, symbol: str) -> str:
    return name.as_str() or symbol


def _body(head: dict[str, Value], obj: Value, name: Value) -> Value:
    """A resource body in ARM's shape: `type` and `apiVersion` first, then the declaration's members
    with `name` as composed for a child (`parent/child`)."""
    out = dict(head)
    out.update(obj.data)
    if "name" in out:
        out["name"] = name
    return Value.known(out, obj.span)


def _plain_string(node: Any) -> bool:
    """A string literal whose value does not depend on where it is evaluated (no interpolation)."""
    return not any(c.type == "interpolation" for c in node.named_children)


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


def _at(v: Value, span: Span | None) -> Value:
    """`v.at(span)` without `dataclasses.replace`, which costs more than the rest of a lookup."""
    old = v.span
    if span is None or span == old:
        return v
    return Value(v.state, v.data, span, v.reason, v.refs, v.via if old is None else (*v.via, old))


def _relocate(v: Value, span: Span) -> Value:
    """The value of an object member placed at the member's span (key to end of value).

    A literal written right there keeps no extra provenance; a value from elsewhere (a parameter,
    a variable) keeps where it came from in `via`.
    """
    vs = v.span
    if (
        vs is not None
        and vs.path == span.path
        and (vs.line, vs.column) >= (span.line, span.column)
        and (
            vs.end_line,
            vs.end_column,
        )
        <= (span.end_line, span.end_column)
    ):
        return Value(v.state, v.data, span, v.reason, v.refs, v.via)
    return _at(v, span)


def _member(base: Value, prop: str, span: Span, safe: bool) -> Value:
    if base.state is State.UNKNOWN:
        return Value.unknown(base.reason, span, base.refs)
    if base.state is _KNOWN and isinstance(base.data, dict):
        m = base.data.get(prop)
        if m is None:
            # Property names are case-insensitive in ARM.
            low = prop.lower()
            m = next((v for k, v in base.data.items() if k.lower() == low), None)
        d = base.data
        if type(d) is _DeployedDict:
            if m is None:
                return Value.unknown(f"{d.what}.{prop} is known only after deployment", span, d.refs)
            return _deployed(_at(m, span), d.refs, f"{d.what}.{prop}")
        if m is not None:
            return _at(m, span)
        if safe:
            return Value.known(None, span)
        return Value.absent(span)
    if base.state is _KNOWN and base.data is None and safe:
        return Value.known(None, span)
    return Value.absent(span) if not safe else Value.known(None, span)


def _index(base: Value, idx: Value, span: Span, safe: bool) -> Value:
    if base.state is State.UNKNOWN or idx.state is State.UNKNOWN:
        return fns.unknown_from([base, idx], span, "index into an unknown value")
    if base.state is _KNOWN and isinstance(base.data, list) and isinstance(idx.data, int):
        i = idx.data
        d = base.data
        if 0 <= i < len(d):
            if type(d) is _DeployedList:
                return _deployed(_at(d[i], span), d.refs, f"{d.what}[{i}]")
            return _at(d[i], span)
    elif base.state is _KNOWN and isinstance(base.data, dict) and isinstance(idx.data, str):
        return _member(base, idx.data, span, safe)
    return Value.known(None, span) if safe else Value.absent(span)


class _DeployedDict(dict):  # type: ignore[type-arg]
    """The members a declaration gives an object of a resource that is read through its symbol
    (`vnet.properties`): a member it does not set is set by Azure at deployment, so reading one is
    unknown (with a ref to the resource), not absent."""

    __slots__ = ("refs", "what")
    refs: tuple[str, ...]
    what: str


class _DeployedList(list):  # type: ignore[type-arg]
    """As `_DeployedDict`, for an array (`vnet.properties.subnets`)."""

    __slots__ = ("refs", "what")
    refs: tuple[str, ...]
    what: str


def _deployed(v: Value, refs: tuple[str, ...], what: str) -> Value:
    """`v` (read as `what` from a resource) with its object or array marked as deployed."""
    d = v.data
    if v.state is not _KNOWN or type(d) not in (dict, list):
        return v
    budgets.current().collection(len(d))  # a copy, made on each read
    w: _DeployedDict | _DeployedList = _DeployedDict(d) if type(d) is dict else _DeployedList(d)
    w.refs = refs
    w.what = what
    return Value(v.state, w, v.span, v.reason, v.refs, v.via)


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


def _readdress(r: Resource, old: str, new: str, guard: Any) -> Resource:
    """A copy of a resource of one module instance for another instance with the same parameters.
    `guard`: the evaluator's `_guarded`, which works the copied body out under the unit's budget."""
    address = new + r.address[len(old) :] if r.address.startswith(old) else r.address
    cond = None if r.condition is None else _readdress_value(r.condition, old, new)
    body = r.body
    if isinstance(body, LazyValue) and not body.ready():
        where = address.split("#", 1)[-1]
        moved: Value = LazyValue(partial(guard, where, r.span, _readdress_value, (body, old, new)))
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
