"""One Bicep file's evaluation: what the evaluation of an entry file shares (`Context`), the
symbols it declares (`ResourceSym`, `ModuleSym`), and `FileScope`, the state and core of a file's
evaluator: its declarations, parameters and variables, values worked out later, nesting and spans.

`FileEvaluator` (evaluate.py) is a `FileScope` made of four parts, each in a module of its own:
expressions (expressions.py), function calls (calls.py), resources (resources.py) and modules
(modules.py). The parts call one another through `self`.
"""

from __future__ import annotations

import sys
from dataclasses import field
from functools import partial
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any

from iaclint import budget as budgets
from iaclint.budget import Budget, BudgetExceeded, exceeded_note
from iaclint.fileaccess import ScanRoots
from iaclint.lang.bicep.access import at
from iaclint.lang.bicep.syntax import Parsed
from iaclint.records import record
from iaclint.resources import Diagnostic, Resource
from iaclint.source import Span
from iaclint.values import EvaluationError, LazyValue, State, Value

_KNOWN = State.KNOWN
# Nesting is counted in levels (`Context.depth`, limited by `Limits.depth`) of about two Python
# frames each: an expression is one level, and what nests more frames counts more (an object, an
# array, a call, an interpolation or a variable one more; a lambda or function call, a value
# worked out later and a module several). The limit is then reached well before Python's
# recursion limit, whatever mix of them the code nests, with room left for reading the values.
CALL_LEVELS = 1
_LAZY_LEVELS = 3
MODULE_LEVELS = 5
# A value worked out later is refused when the Python stack is already this deep (a chain of such
# values inside each other, read by something that recurses into values).
_LAZY_STACK_FRAMES = 350
# Syntax nodes that are no part of a value.
SKIP_NODES = frozenset({"comment", "diagnostic_comment", "decorators", "decorator"})
# The kind of symbol a parameter or variable declaration declares (a function's is "func").
_DECLARED_AS = {"parameter_declaration": "param", "variable_declaration": "var"}
# Kinds of object members (see `Expressions._members`).
SPREAD, STATIC_KEY, DYNAMIC_KEY = 0, 1, 2


class Nesting:
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


@record
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


@record
class ModuleSym:
    symbol: str
    address: str
    evaluator: FileScope | None
    looped: bool = False
    # One evaluator per instance of a looped module (`module m '...' = [for ...: {...}]`).
    instances: list[FileScope] = field(default_factory=list)
    # Why the module's file is not evaluated (not on disk, outside the scan, a cycle, the budget):
    # its outputs are unknown with this reason. Empty when it is evaluated or is remote.
    reason: str = ""


@record
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
    # Nesting of the evaluation running now, in expression levels (see `CALL_LEVELS`).
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
    # Every value left to be worked out later (`FileScope._lazy`): each refers back to its
    # evaluator, which refers to its values, so the load result lets go of them (`release`) once
    # the checks are done, and reference counting frees the part.
    lazies: list[LazyValue] = field(default_factory=list)


class FileScope:
    """The state of one file's evaluation and its core: declarations, parameters and variables,
    values worked out later (`_lazy`), nesting and spans. The parts of `FileEvaluator` build on it."""

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
        self._data = parsed.data
        self._kids = parsed.kids
        # The file's text when a character is a byte of what the parser read (an ASCII file read
        # by the own parser): strings are sliced out of it (`Expressions._template`).
        source = parsed.source
        self._ascii_text = (
            source.text if parsed.comments is not None and len(parsed.data) == len(source.text) else None
        )
        if parsed.comments is not None:
            # The own parser's nodes hold no comments or decorators: their named children are
            # the kids, no copy needed.
            self.kids = _named_children  # type: ignore[method-assign]
            # Their text is kept on the node: no lookup by id. (A function of the file's bytes,
            # not a method: the evaluator holding its own bound method would be a cycle.)
            self.text = partial(_own_text, self._data)  # type: ignore[method-assign]
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
        v = LazyValue(partial(self._guarded, where, span, fn, args))
        self.ctx.lazies.append(v)
        return v

    def _lazy_members(self, where: str, span: Span | None, fn: Any, *args: Any) -> LazyValue:
        """As `_lazy`, for a resource body: its members are named values, each checked on its own."""
        v = LazyValue(partial(self._guarded, where, span, fn, args, False))
        self.ctx.lazies.append(v)
        return v

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

    def nesting(self, levels: int = 1) -> Nesting:
        return Nesting(self.ctx, levels)

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
            k = self._kids[key] = [c for c in node.named_children if c.type not in SKIP_NODES]
        return k

    # -- declarations -------------------------------------------------------------------------------
    def _collect(self) -> None:
        for node in self.parsed.statements:
            t = node.type
            if t in ("parameter_declaration", "variable_declaration", "user_defined_function"):
                ident = node.named_children[0] if node.named_children else None
                if ident is not None and ident.type == "identifier":
                    kind = _DECLARED_AS.get(t, "func")
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
            return at(self.values[name], span)
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
        return at(v, span)

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
            # The pseudo-reference names the parameter (as ARM's does, `lang/arm/template.py`), so
            # a child named `'${svcName}/api'` is still the child of the service named `svcName`.
            return Value.unknown(
                f"parameter '{name}' has no default and no value is given",
                self.span(kids[0]),
                (f"parameters('{name.lower()}')",),
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

    # -- implemented by the expressions part (expressions.py) -------------------------------------
    def expr(self, node: Any, env: dict[str, Value]) -> Value:
        raise NotImplementedError


_named_children = attrgetter("named_children")


def _own_text(data: bytes, node: Any) -> str:
    """`FileScope.text` for the own parser's nodes, whose text is kept on the node."""
    t = node.tx
    if t is None:
        t = node.tx = data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")
    return t


def shown_path(path: str) -> str:
    """A path as written in the code, quoted for a note (cut short: it may have been computed)."""
    return repr(path if len(path) <= 120 else path[:117] + "...")


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
    # Most kept collections hold no collection: height 1, found without the walk's frames.
    members = iter(top.values() if isinstance(top, dict) else top)
    for m in members:
        if m.state is not _KNOWN if m.__class__ is not LazyValue or m.ready() else True:
            continue
        if isinstance(m.data, (dict, list)):
            break
    else:
        if limit < 1:
            raise BudgetExceeded(f"a value nested more than {limit} levels deep")
        memo[id(top)] = (1, top)
        return 1
    # [collection, its members still to look at, the greatest height below it so far]: the walk
    # goes on from the first member holding a collection (those before it hold none).
    stack: list[list[Any]] = [[top, chain((m,), members), 0]]
    while stack:
        frame = stack[-1]
        for m in frame[1]:
            # `_container(m)`, inline: this loop visits every member of every kept collection.
            if m.state is not _KNOWN if m.__class__ is not LazyValue or m.ready() else True:
                continue
            c = m.data
            if not isinstance(c, (dict, list)):
                continue
            known = memo.get(id(c))
            if known is not None:
                if known[0] > frame[2]:
                    frame[2] = known[0]
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
            if stack and h > stack[-1][2]:
                stack[-1][2] = h
    return memo[id(top)][0]
