"""Terraform modules: configurations per directory, module instances, resources with addresses.

`load_units` receives every Terraform unit of a scan. A unit that another unit calls as a local
module (`source = "./..."`) is evaluated only through its callers, with their inputs bound; every
other unit is a root. Each directory is parsed once per scan.

Evaluation is lazy where it can be (variables, locals, outputs, other resources' arguments are
computed on first reference and memoised) and eager for what is emitted: the bodies of resources.

The code is untrusted. Every file is read through the guarded reader, inside the scan roots (a
`--var-file` wherever the user put it); each root module is evaluated under a budget of its own,
which a named value (variable, local, output, resource argument, count/for_each, module call)
turns into an unknown with a note when it is exceeded. Bad input becomes diagnostics and unknown
values; an exception raised here is a bug, left for the engine to report.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import field, fields
from functools import partial
from typing import Any

from iaclint import budget as budget_mod
from iaclint.budget import LIMITS, Budget, BudgetExceeded, exceeded_note
from iaclint.discover import Unit
from iaclint.fileaccess import ReadRefused, ScanRoots, read_bytes
from iaclint.lang import gc_paused, reaches
from iaclint.lang.options import TerraformOptions, roots_for
from iaclint.lang.parsing import ParseTimeout
from iaclint.lang.terraform.context import Ctx
from iaclint.lang.terraform.directives import collect_directives
from iaclint.lang.terraform.evaluate import Evaluator
from iaclint.lang.terraform.files import module_files, read_source
from iaclint.lang.terraform.hclvalues import (
    LazyObject,
    collection_items,
    error,
    evaluating,
    fully_known,
    to_number,
    to_str,
    value_size,
)
from iaclint.lang.terraform.iam import policy_json
from iaclint.lang.terraform.syntax import (
    Attr,
    Block,
    Body,
    HclExpr,
    JsonExpr,
    SourceFile,
    module_blocks,
    parse_file_body,
    parse_hcl,
)
from iaclint.lang.terraform.tfjson import json_document, json_file_body, parse_json_file
from iaclint.lang.terraform.typeconv import convert, variable_type
from iaclint.records import record
from iaclint.resources import Diagnostic, LoadResult, Resource
from iaclint.source import SourceText, Span
from iaclint.values import EvaluationError, LazyValue, State, Value

LANGUAGE = "terraform"
RESOURCE_META = frozenset(
    {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}
)
MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})

_KNOWN = State.KNOWN
_UNKNOWN = State.UNKNOWN


def _is_tfvars(name: str) -> bool:
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith(
        (".auto.tfvars", ".auto.tfvars.json")
    )


def _is_override(name: str) -> bool:
    stem = name[: -len(".json")] if name.endswith(".json") else name
    return stem == "override.tf" or stem.endswith("_override.tf")


def _quote_key(key: Any) -> str:
    return f"[{key}]" if isinstance(key, int) else "[" + json.dumps(key, ensure_ascii=False) + "]"


@record
class ResourceConfig:
    """A resource or data block as written, before its instances are evaluated."""

    mode: str  # "managed" or "data"
    type: str
    name: str
    block: Block
    count: Attr | None
    for_each: Attr | None
    names: list[str]


@record
class ModuleConfig:
    """A Terraform module directory's blocks by kind: variables, locals, outputs, resources, module calls."""

    dir: str
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Attr] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    resources: list[ResourceConfig] = field(default_factory=list)
    by_key: dict[tuple[str, str, str], ResourceConfig] = field(default_factory=dict)
    calls: dict[str, Block] = field(default_factory=dict)

    def add(self, blk: Block, override: bool) -> None:
        t, labels = blk.type, blk.labels
        if t in ("resource", "data") and len(labels) == 2:
            mode = "managed" if t == "resource" else "data"
            key = (mode, labels[0], labels[1])
            existing = self.by_key.get(key)
            if existing is not None and override:
                _merge_body(existing.block.body, blk.body)
                existing.count = existing.block.body.attrs.get("count")
                existing.for_each = existing.block.body.attrs.get("for_each")
                existing.names = _arg_names(existing.block.body)
                return
            if existing is not None:
                return
            body = blk.body
            cfg = ResourceConfig(
                mode,
                labels[0],
                labels[1],
                blk,
                body.attrs.get("count"),
                body.attrs.get("for_each"),
                _arg_names(body),
            )
            self.by_key[key] = cfg
            if mode == "managed":
                self.resources.append(cfg)
        elif t == "variable" and len(labels) == 1:
            self._named(self.variables, labels[0], blk, override)
        elif t == "output" and len(labels) == 1:
            self._named(self.outputs, labels[0], blk, override)
        elif t == "module" and len(labels) == 1:
            self._named(self.calls, labels[0], blk, override)
        elif t == "locals":
            for name, a in blk.body.attrs.items():
                if override or name not in self.locals:
                    self.locals[name] = a

    @staticmethod
    def _named(table: dict[str, Block], name: str, blk: Block, override: bool) -> None:
        existing = table.get(name)
        if existing is None:
            table[name] = blk
        elif override:
            _merge_body(existing.body, blk.body)


def _merge_body(base: Body, over: Body) -> None:
    """Terraform override files: arguments replace, nested blocks of a type replace that type."""
    base.attrs.update(over.attrs)
    types = {b.type for b in over.blocks}
    if types:
        base.blocks = [b for b in base.blocks if b.type not in types] + list(over.blocks)


def _arg_names(body: Body) -> list[str]:
    names = [n for n in body.attrs if n not in RESOURCE_META]
    for b in body.blocks:
        n = b.labels[0] if b.type == "dynamic" and b.labels else b.type
        if n not in RESOURCE_META and n not in names:
            names.append(n)
    return names


class _NoScope:
    """Scope for expressions that must be literal (module sources, variables files): no names,
    and no files (`file()` there reads nothing)."""

    module_dir = "."
    root_dir = "."

    def var(self, name: str) -> Value:
        return error("not a literal")

    def local(self, name: str) -> Value:
        return error("not a literal")

    def module_value(self, name: str) -> Value:
        return error("not a literal")

    def resource_value(self, mode: str, type_: str, name: str) -> Value | None:
        return error("not a literal")

    def note_file(self, path: str) -> None:
        pass

    def scan_roots(self) -> ScanRoots:
        return _NO_ROOTS


_NO_ROOTS = ScanRoots(())
# Evaluation steps an instance (of a resource or a module) costs beyond its expressions: creating
# and emitting one is work even when every argument is a literal.
_INSTANCE_STEPS = 10
_MODULES_JSON = os.path.join(".terraform", "modules", "modules.json")


def _unit_file(unit: Unit) -> str:
    """The file a unit's budget is reported on: its main.tf, else its first configuration file."""
    files = [str(f) for f in unit.files]
    tf = [f for f in files if f.endswith((".tf", ".tf.json"))]
    main = [f for f in tf if os.path.basename(f) == "main.tf"]
    return (main or tf or files or [str(unit.path)])[0]


class Loader:
    def __init__(self, options: TerraformOptions, units: list[Unit]) -> None:
        self.options = options
        # What code and committed configuration may read (the scan roots).
        self.roots = roots_for(options.roots, [u.path for u in units])
        self.result = LoadResult()
        self.configs: dict[str, ModuleConfig | str | None] = {}
        # Per root module directory: its modules.json table, or why it was not read.
        self.modules_json: dict[str, tuple[dict[str, str] | None, str | None]] = {}
        # Variables files, parsed once per scan: their attributes (HCL) or document (JSON).
        self.var_files: dict[tuple[str, bool], Body | dict[str, Value] | None] = {}
        # Every module instance, to break their reference cycles when the result is released.
        self.instances: list[ModuleInstance] = []
        # What each lazy resource body is worked out from (see `_Result.release`).
        self.body_refs: list[_BodyRef] = []

    # -- files and configurations -------------------------------------------------------------
    def _diag(self, d: Diagnostic) -> None:
        self.result.diagnostics.append(d)

    def read_file(self, path: str, roots: ScanRoots | None, quote: bool = True) -> SourceFile | None:
        """A configuration or variables file read through the guarded reader (`roots` None: a path
        the user named) and parsed; None with a diagnostic when it could not be. `quote` False: no
        diagnostic quotes its content."""
        diags: list[Diagnostic] = []
        src = read_source(path, diags, roots)
        self.result.files_read.add(path)
        for d in diags:
            self._diag(d)
        if src is None:
            return None
        if path.endswith(".json"):
            return parse_json_file(src, self.result.diagnostics, quote)
        try:
            sf = parse_hcl(src, self.result.diagnostics, quote)
        except ParseTimeout as err:
            self._diag(Diagnostic(path, 1, 1, err.reason))
            return None
        collect_directives(sf, self.result.directives)
        return sf

    def body_of(self, sf: SourceFile) -> Body:
        if sf.tree is None:
            return json_file_body(sf)
        return parse_file_body(sf)

    def config_for(
        self, dir_: str, files: list[str] | None, calls_only: bool = False
    ) -> ModuleConfig | str | None:
        """The configuration of a directory, parsed once per scan: None when it has no .tf files,
        a reason when the directory may not be read (outside the scan roots). `calls_only`: only
        its module calls are wanted (`module_calls`), so of native-syntax files only the `module`
        blocks are built."""
        try:
            real = os.path.realpath(dir_)
        except (OSError, ValueError):
            return None
        if real in self.configs:
            return self.configs[real]
        self.configs[real] = None  # a module that includes itself sees "not available"
        if files is None:
            listed = module_files(dir_, self.roots)
            if isinstance(listed, str):
                self.configs[real] = listed
                return listed
            files = listed
        tf_files = [f for f in files if f.endswith((".tf", ".tf.json"))]
        if not tf_files:
            return None
        cfg = ModuleConfig(dir_)
        regular = [f for f in tf_files if not _is_override(os.path.basename(f))]
        overrides = [f for f in tf_files if _is_override(os.path.basename(f))]
        for path in regular + overrides:
            sf = self.read_file(path, self.roots)
            if sf is None:
                continue
            try:
                blocks = module_blocks(sf) if calls_only and sf.tree is not None else self.body_of(sf).blocks
            except RecursionError:
                self._diag(Diagnostic(path, 1, 1, "configuration nested too deeply", partial=True))
                continue
            override = path in overrides
            for blk in blocks:
                cfg.add(blk, override)
        self.configs[real] = cfg
        return cfg

    def module_dir(
        self, caller: ModuleInstance, source: str, key_path: tuple[str, ...]
    ) -> tuple[str | None, str | None]:
        """The directory of a module call and, when there is none to read, why (None: simply not
        downloaded). Remote modules come from the root's `.terraform/modules/modules.json`; an
        entry whose directory is absolute or outside the scan roots is never read."""
        if source.startswith(("./", "../", ".\\", "..\\")) or source in (".", ".."):
            return os.path.normpath(os.path.join(caller.module_dir, source)), None
        root = caller.root_dir
        got = self.modules_json.get(root)
        if got is None:
            got = self.modules_json[root] = self._read_modules_json(root)
        table, why = got
        if why is not None:
            return None, why
        d = table.get(".".join(key_path)) if table else None
        if d is None:
            return None, None
        if os.path.isabs(d) or os.path.splitdrive(d)[0]:
            return None, f"its directory in {_MODULES_JSON} is an absolute path; not read"
        path = os.path.normpath(os.path.join(root, d))
        refused = self.roots.refusal(path)
        if refused is not None:
            return None, f"its directory in {_MODULES_JSON} is {refused}"
        return path, None

    def module_not_installed(self, name: str, source: str, why: str | None, at: Span) -> None:
        """Say once per call that a remote module was not read: what it declares is not checked
        and values through it are unknown. A note, not an error: `terraform init` provides it."""
        if source.startswith(("./", "../", ".\\", "..\\")) or source in (".", ".."):
            return
        if why is None:
            message = (
                f'module "{name}": source "{source}" is not installed under .terraform/modules; run'
                " `terraform init` so iaclint can read it (its resources are not checked and values"
                " through it are unknown)"
            )
        else:
            message = (
                f'module "{name}": source "{source}" could not be read ({why}); its resources are not'
                " checked and values through it are unknown"
            )
        todo = "Run `terraform init` in the root module so its remote modules are installed."
        self._diag(Diagnostic(at.path, at.line, at.column, message, partial=True, note=todo))

    def _read_modules_json(self, root: str) -> tuple[dict[str, str] | None, str | None]:
        path = os.path.join(root, _MODULES_JSON)
        if self.roots.refusal(path) is None and not os.path.lexists(path):
            return None, None  # no modules downloaded: remote modules are not available
        try:
            data = read_bytes(path, roots=self.roots)
        except ReadRefused as err:
            return None, f"{_MODULES_JSON}: {err.reason}"
        self.result.files_read.add(path)
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except (ValueError, RecursionError):
            return None, f"{_MODULES_JSON} is not valid JSON"
        out: dict[str, str] = {}
        mods = doc.get("Modules") if isinstance(doc, dict) else None
        for m in mods if isinstance(mods, list) else []:
            if isinstance(m, dict) and isinstance(m.get("Key"), str) and isinstance(m.get("Dir"), str):
                out[m["Key"]] = m["Dir"]
        return out, None

    # -- root variables -------------------------------------------------------------------------
    def root_inputs(self, unit_dir: str, files: list[str], ev: Evaluator) -> dict[str, Callable[[], Value]]:
        """Variable values for a root module, later sources winning: tfvars files (terraform.tfvars,
        terraform.tfvars.json, *.auto.tfvars* in lexical order), then var_files, then variables.
        The unit's own tfvars files and a configuration file's var-files are read inside the scan
        roots; a --var-file wherever the user put it (still a regular file, bounded)."""
        names = {os.path.basename(f): f for f in files if _is_tfvars(os.path.basename(f))}
        order = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
        order += sorted(n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json")))
        opts = self.options
        sources: list[tuple[str, bool]] = [(names[n], True) for n in order]
        sources += [(str(p), False) for p in opts.config_var_files]
        inputs: dict[str, Callable[[], Value]] = {}
        for path, own in sources:
            inputs.update(self._tfvars(path, self.roots, own, ev))
        for p in opts.var_files:
            inputs.update(self._tfvars(str(p), None, False, ev))
        for name, text in opts.variables.items():
            inputs[str(name)] = self._cli_var(str(text), ev)
        return inputs

    def _tfvars(
        self, path: str, roots: ScanRoots | None, own: bool, ev: Evaluator
    ) -> dict[str, Callable[[], Value]]:
        """`own`: one of the unit's files (its diagnostics may quote it); else a file an option
        names, whose content no diagnostic quotes."""
        key = (path, roots is None)
        if key not in self.var_files:
            self.var_files[key] = self._parse_tfvars(path, roots, own)
        parsed = self.var_files[key]
        out: dict[str, Callable[[], Value]] = {}
        if parsed is None:
            return out
        if isinstance(parsed, dict):
            for name, v in parsed.items():
                out[name] = lambda v=v: v
            return out
        for name, a in parsed.attrs.items():
            out[name] = self._memo(lambda a=a: ev.attr(a, Ctx(_NoScope(), a.expr.file)))
        return out

    def _parse_tfvars(self, path: str, roots: ScanRoots | None, own: bool) -> Body | dict[str, Value] | None:
        sf = self.read_file(path, roots, quote=own)
        if sf is None:
            return None
        if sf.tree is None:
            return json_document(sf)
        return parse_file_body(sf)

    def _cli_var(self, text: str, ev: Evaluator) -> Callable[[], Value]:
        # Like `terraform -var`: an HCL literal when it parses as one, else the plain string.
        data = f"v = {text}\n".encode()
        src = SourceText("<-var>", data, data.decode())
        try:
            sf = parse_hcl(src, None)
        except ParseTimeout:
            return lambda: Value.known(text, None)
        if not sf.tree.root_node.has_error:
            body = parse_file_body(sf)
            a = body.attrs.get("v")
            if a is not None and len(body.attrs) == 1:
                try:
                    v = ev.expr(a.expr, Ctx(_NoScope(), sf))
                    # A bare word like TLS_1_0 parses as a reference: the user means the word itself.
                    if fully_known(v):
                        return lambda: Value.known(v.data, None)
                except BudgetExceeded:
                    pass
        return lambda: Value.known(text, None)

    @staticmethod
    def _memo(f: Callable[[], Value]) -> Callable[[], Value]:
        cache: list[Value] = []

        def get() -> Value:
            if not cache:
                cache.append(f())
            return cache[0]

        return get


class ModuleInstance:
    """One instance of a module: its inputs bound, its locals/outputs/resources evaluated lazily."""

    def __init__(
        self,
        loader: Loader,
        config: ModuleConfig,
        module_dir: str,
        root_dir: str,
        prefix: str,
        inputs: dict[str, Callable[[], Value]],
        depth: int,
        condition: Value | None,
        key_path: tuple[str, ...],
        ev: Evaluator,
        callers: frozenset[str] = frozenset(),
    ) -> None:
        self.loader = loader
        # The evaluator of the unit (the root module) this instance belongs to: its budget.
        self.ev = ev
        self.config = config
        self.module_dir = module_dir
        self.root_dir = root_dir
        self.prefix = prefix
        self.inputs = inputs
        self.depth = depth
        self.condition = condition
        self.key_path = key_path
        # The module directories of this instance and of the instances that called it.
        self.callers = callers | {os.path.realpath(module_dir)}
        self._vars: dict[str, Value] = {}
        self._locals: dict[str, Value] = {}
        self._outputs: dict[str, Value] = {}
        self._expanded: dict[tuple[str, str, str], list[ResourceInstance]] = {}
        self._collections: dict[tuple[str, str, str], Value] = {}
        self._calls: dict[str, list[ModuleInstance] | Value] = {}
        self._call_values: dict[str, Value] = {}
        self.instance_key: Any = None
        self.own_condition: Value | None = None
        loader.instances.append(self)

    def release(self) -> None:
        """Drop the memoised values (instances, lazy objects and closures refer back to this module
        instance): reference counting then frees them without a pass of the cyclic GC. A lazy object
        kept in a result still works: it evaluates again on demand."""
        for insts in self._expanded.values():
            for inst in insts:
                inst._attrs = {}
                inst._value = None
        self._vars = {}
        self._locals = {}
        self._outputs = {}
        self._expanded = {}
        self._collections = {}
        self._calls = {}
        self._call_values = {}

    # -- Scope ------------------------------------------------------------------------------------
    def note_file(self, path: str) -> None:
        self.loader.result.files_read.add(path)

    def scan_roots(self) -> ScanRoots:
        return self.loader.roots

    def _named(self, what: str, compute: Callable[[], Value], span: Span | None = None) -> Value:
        """A named value worked out: past the budget it is unknown, saying where, and the rest of
        the unit goes on."""
        try:
            return compute()
        except BudgetExceeded as err:
            return Value.unknown(exceeded_note(f"{self.prefix}{what}", err), span)

    def var(self, name: str) -> Value:
        v = self._vars.get(name)
        if v is None:
            v = self.ev.guarded(
                ("var", id(self), name), lambda: self._named(f"var.{name}", lambda: self._var(name))
            )
            self._vars[name] = v
        return v

    def _var(self, name: str) -> Value:
        decl = self.config.variables.get(name)
        if name in self.inputs:
            v = self.inputs[name]()
            if decl is None and self.depth > 0:
                return error(f"module has no variable {name}")
            return self._typed(decl, v) if decl is not None else v
        if decl is None:
            return error(f"var.{name} is not declared")
        default = decl.body.attrs.get("default")
        if default is None:
            return Value.unknown(f"var.{name} has no default", decl.header)
        return self._typed(decl, self.ev.attr(default, Ctx(self, decl.file)))

    def _typed(self, decl: Block, v: Value) -> Value:
        """`v` converted to the variable's type: optional object attributes filled in."""
        t = decl.body.attrs.get("type")
        if t is None or v.state is not State.KNOWN:
            return v
        spec = variable_type(t.expr)
        if spec is None:
            return v
        ctx = Ctx(self, decl.file)
        # Conversion rebuilds the value member by member (shared members each time): bound it.
        value_size(v)
        return convert(v, spec, lambda node: self.ev.node(node, ctx))

    def local(self, name: str) -> Value:
        v = self._locals.get(name)
        if v is None:
            a = self.config.locals.get(name)
            if a is None:
                return error(f"local.{name} is not declared")
            v = self.ev.guarded(
                ("local", id(self), name),
                lambda: self._named(f"local.{name}", lambda: self.ev.attr(a, Ctx(self, a.expr.file)), a.span),
                a.span,
            )
            self._locals[name] = v
        return v

    def output(self, name: str) -> Value:
        v = self._outputs.get(name)
        if v is None:
            blk = self.config.outputs.get(name)
            a = blk.body.attrs.get("value") if blk else None
            if a is None:
                return error(f"output {name} has no value")
            v = self.ev.guarded(
                ("output", id(self), name),
                lambda: self._named(f"output.{name}", lambda: self.ev.attr(a, Ctx(self, blk.file)), a.span),
                a.span,
            )
            self._outputs[name] = v
        return v

    def resource_value(self, mode: str, type_: str, name: str) -> Value | None:
        key = (mode, type_, name)
        cfg = self.config.by_key.get(key)
        if cfg is None:
            return None
        v = self._collections.get(key)
        if v is None:
            v = self._collection(cfg)
            self._collections[key] = v
        return v

    def module_value(self, name: str) -> Value:
        v = self._call_values.get(name)
        if v is not None:
            return v
        if name not in self.config.calls:
            return error(f"module.{name} is not declared")
        insts = self.call_instances(name)
        blk = self.config.calls[name]
        if isinstance(insts, Value):
            v = insts
        elif len(insts) == 1 and insts[0].own_condition is not None:
            cond = insts[0].own_condition
            v = Value.unknown(f"module.{name} instances are unknown: {cond.reason}", None, cond.refs)
        elif blk.body.attrs.get("count") is not None:
            v = Value.known([self._outputs_value(i) for i in insts])
        elif blk.body.attrs.get("for_each") is not None:
            v = Value.known({str(i.instance_key): self._outputs_value(i) for i in insts})
        else:
            v = self._outputs_value(insts[0]) if insts else Value.known(None)
        self._call_values[name] = v
        return v

    @staticmethod
    def _outputs_value(child: ModuleInstance) -> Value:
        address = child.prefix.rstrip(".")
        obj = LazyObject(
            list(child.config.outputs),
            child.output,
            lambda n: error(f"{address} has no output {n}"),
            budget=child.ev.budget,
        )
        return Value.known(obj)

    # -- expansion ------------------------------------------------------------------------------
    def _expand(
        self, count: Attr | None, for_each: Attr | None, bindings: dict[str, Value], what: str
    ) -> list[tuple[Any, dict[str, Value], Value | None]]:
        """Instances as (key, names bound, condition); one instance with a condition when unknown
        (or past the budget: `count = 100000000` is not expanded)."""
        meta = count if count is not None else for_each
        try:
            return self._expand_known(count, for_each, bindings, what)
        except BudgetExceeded as err:
            kind, name = ("count", "count") if count is not None else ("for_each", "each")
            span = meta.span if meta is not None else None
            cond = Value.unknown(exceeded_note(f"{kind} of {what}", err), span)
            return [(None, {name: cond}, cond)]

    def _expand_known(
        self, count: Attr | None, for_each: Attr | None, bindings: dict[str, Value], what: str
    ) -> list[tuple[Any, dict[str, Value], Value | None]]:
        budget = self.ev.budget
        if count is not None:
            v = self.ev.attr(count, Ctx(self, count.expr.file, bindings))
            if v.state is not _KNOWN:
                cond = Value.unknown(f"count of {what} is unknown: {v.reason}", count.span, v.refs)
                return [(None, {"count": Value.unknown(cond.reason, count.span, v.refs)}, cond)]
            n = to_number(v)
            if n is None or n < 0 or int(n) != n:
                cond = Value.unknown(f"count of {what} is not a whole number", count.span)
                return [(None, {"count": cond}, cond)]
            budget.expansion(int(n))
            budget.step(int(n) * _INSTANCE_STEPS)
            return [
                (i, {"count": Value.known({"index": Value.known(i, count.span)}, count.span)}, None)
                for i in range(int(n))
            ]
        if for_each is not None:
            v = self.ev.attr(for_each, Ctx(self, for_each.expr.file, bindings))
            reason = ""
            pairs: list[tuple[str, Value]] = []
            if v.state is not _KNOWN:
                reason = f"for_each of {what} is unknown: {v.reason}"
            elif isinstance(v.data, LazyObject) or v.data is None:
                reason = f"for_each of {what} is not a map or set of strings"
            elif isinstance(v.data, dict):
                budget.expansion(len(v.data))
                pairs = sorted(v.data.items())
            elif isinstance(v.data, list):
                budget.expansion(len(v.data))
                for m in v.data:
                    s = to_str(m) if m.state is _KNOWN and isinstance(m.data, str) else None
                    if s is None:
                        reason = f"for_each of {what} has an element that is unknown or not a string"
                        break
                    pairs.append((s, m))
                pairs = sorted(dict(pairs).items())
            else:
                reason = f"for_each of {what} is not a map or set of strings"
            if reason:
                cond = Value.unknown(reason, for_each.span, v.refs)
                return [(None, {"each": cond}, cond)]
            budget.step(len(pairs) * _INSTANCE_STEPS)
            return [
                (
                    k,
                    {"each": Value.known({"key": Value.known(k, for_each.span), "value": m}, for_each.span)},
                    None,
                )
                for k, m in pairs
            ]
        budget.step(_INSTANCE_STEPS)
        return [(None, {}, None)]

    def instances(self, cfg: ResourceConfig) -> list[ResourceInstance]:
        key = (cfg.mode, cfg.type, cfg.name)
        got = self._expanded.get(key)
        if got is not None:
            return got
        base = f"{self.prefix}{'data.' if cfg.mode == 'data' else ''}{cfg.type}.{cfg.name}"
        if cfg.count is None and cfg.for_each is None:
            # Nothing to evaluate, so no cycle to guard against (most resources).
            expanded = self._expand(None, None, {}, base)
        else:
            marker = ("expand", id(self), key)
            if marker in self.ev.active:
                cond = Value.unknown("reference cycle in count/for_each", cfg.block.header)
                return [ResourceInstance(self, cfg, base, {"count": cond, "each": cond}, cond)]
            self.ev.active.add(marker)
            try:
                expanded = self._expand(cfg.count, cfg.for_each, {}, base)
            finally:
                self.ev.active.discard(marker)
        out = []
        for k, bindings, cond in expanded:
            address = base if k is None else base + _quote_key(k)
            out.append(ResourceInstance(self, cfg, address, bindings, cond or self.condition, k))
        self._expanded[key] = out
        return out

    def _collection(self, cfg: ResourceConfig) -> Value:
        insts = self.instances(cfg)
        if cfg.count is None and cfg.for_each is None:
            return insts[0].value()
        if len(insts) == 1 and insts[0].key is None:
            cond = insts[0].own_condition
            if cond is not None:
                return Value.unknown(cond.reason, None, (insts[0].address,))
        if cfg.count is not None:
            return Value.known([i.value() for i in insts])
        return Value.known({i.key: i.value() for i in insts})

    def call_instances(self, name: str) -> list[ModuleInstance] | Value:
        got = self._calls.get(name)
        if got is not None:
            return got
        got = self.ev.guarded(("call", id(self), name), lambda: self._call_in_budget(name))
        self._calls[name] = got
        return got

    def _call_in_budget(self, name: str) -> list[ModuleInstance] | Value:
        try:
            return self._call_instances(name)
        except BudgetExceeded as err:
            h = self.config.calls[name].header
            return Value.unknown(exceeded_note(f"{self.prefix}module.{name}", err), h)

    def _call_instances(self, name: str) -> list[ModuleInstance] | Value:
        blk = self.config.calls[name]
        attrs = blk.body.attrs
        src_attr = attrs.get("source")
        if src_attr is None:
            return error(f"module {name} has no source", blk.header)
        src_v = self.ev.attr(src_attr, Ctx(self, blk.file))
        source = to_str(src_v) if src_v.state is _KNOWN else None
        if source is None:
            return Value.unknown(f"module {name} source is not a literal string", src_attr.span)
        key_path = (*self.key_path, name)
        module_dir, why = self.loader.module_dir(self, source, key_path)
        if module_dir is None:
            detail = f" ({why})" if why else ""
            self.loader.module_not_installed(name, source, why, src_attr.span)
            return Value.unknown(f'module source "{source}" is not available locally{detail}', src_attr.span)
        if os.path.realpath(module_dir) in self.callers:
            # Terraform cannot expand a module that calls itself (directly or not) either.
            return Value.unknown(
                f'module {name}: source "{source}" calls a module that calls it', src_attr.span
            )
        self.ev.budget.depth(self.depth + 1)
        config = self.loader.config_for(module_dir, None)
        if config is None or isinstance(config, str):
            detail = f"{module_dir}: {config}" if config else module_dir
            return Value.unknown(
                f'module source "{source}" is not available locally ({detail})', src_attr.span
            )
        # At the root the call is named with the root's place, so the same module reached from two
        # roots gives two resources (and two findings) with addresses of their own.
        base = f"{self.prefix or root_qualifier(self.root_dir, self.loader.roots)}module.{name}"
        expanded = self._expand(attrs.get("count"), attrs.get("for_each"), {}, base)
        out: list[ModuleInstance] = []
        for k, bindings, cond in expanded:
            ctx = Ctx(self, blk.file, bindings)
            inputs = {arg: _lazy(self.ev, a, ctx) for arg, a in attrs.items() if arg not in MODULE_META}
            prefix = (base if k is None else base + _quote_key(k)) + "."
            self.loader.result.module_calls[prefix] = blk.header.path
            child = ModuleInstance(
                self.loader,
                config,
                module_dir,
                self.root_dir,
                prefix,
                inputs,
                self.depth + 1,
                cond or self.condition,
                key_path,
                self.ev,
                self.callers,
            )
            child.instance_key = k
            child.own_condition = cond
            out.append(child)
        return out

    # -- emission -------------------------------------------------------------------------------
    def emit(self, out: list[Resource]) -> None:
        # Bad input becomes unknown values and diagnostics on the way; an exception here is a bug
        # and goes to the engine, which reports it naming the unit.
        for cfg in self.config.resources:
            try:
                for inst in self.instances(cfg):
                    out.append(inst.resource())
            except RecursionError:
                # Input nested beyond what Python's stack holds (the budget's depth should stop
                # it first): this resource is not read, the others are.
                h = cfg.block.header
                self.loader._diag(Diagnostic(h.path, h.line, h.column, "resource nested too deeply", True))
        for name in self.config.calls:
            children = self.call_instances(name)
            if isinstance(children, list):
                for child in children:
                    child.emit(out)


def _lazy(ev: Evaluator, a: Attr, ctx: Ctx) -> Callable[[], Value]:
    cache: list[Value] = []

    def get() -> Value:
        if not cache:
            cache.append(ev.attr(a, ctx.in_file(a.expr.file)))
        return cache[0]

    return get


class ResourceInstance:
    __slots__ = (
        "_attrs",
        "_value",
        "address",
        "bindings",
        "cfg",
        "condition",
        "ctx",
        "key",
        "mod",
        "own_condition",
    )

    def __init__(
        self,
        mod: ModuleInstance,
        cfg: ResourceConfig,
        address: str,
        bindings: dict[str, Value],
        condition: Value | None,
        key: Any = None,
    ) -> None:
        self.mod = mod
        self.cfg = cfg
        self.address = address
        self.bindings = bindings
        self.condition = condition
        self.own_condition = condition if condition is not mod.condition else None
        self.key = key
        self.ctx = Ctx(mod, cfg.block.file, bindings)
        self._attrs: dict[str, Value] = {}
        self._value: Value | None = None

    def attr(self, name: str) -> Value:
        v = self._attrs.get(name)
        if v is None:
            a = self.cfg.block.body.attrs.get(name)
            if a is not None and a.const is not None:
                # A literal, the same in every instance (see `Evaluator.attr`): it refers to
                # nothing, so it cannot be part of a cycle, and a scalar has no members to count.
                self._attrs[name] = a.const
                return a.const
            # `Evaluator.guarded`, inlined: this runs for every argument of every resource.
            active = self.mod.ev.active
            key = ("attr", id(self), name)
            if key in active:
                v = Value.unknown("reference cycle", self.cfg.block.header)
            else:
                active.add(key)
                try:
                    v = self._attr(name)
                finally:
                    active.discard(key)
            self._attrs[name] = v
        return v

    def _attr(self, name: str) -> Value:
        body = self.cfg.block.body
        a = body.attrs.get(name)
        try:
            if a is not None:
                v = self.mod.ev.attr(a, self.ctx)
            else:
                v = block_list(self.mod.ev, body, name, self.ctx)
            # What reaches the model is read through by it: no argument is larger (counting
            # shared members each time) or deeper than the budget allows.
            value_size(v)
            return v
        except BudgetExceeded as err:
            span = a.span if a is not None else self.cfg.block.header
            return Value.unknown(exceeded_note(f"{self.address}.{name}", err), span, (self.address,))

    def value(self) -> Value:
        """This instance as an object: configured arguments, and apply-time attributes unknown."""
        if self._value is None:
            addr = self.address
            refs = (addr,)
            if self.cfg.mode == "data":
                if self.cfg.type == "aws_iam_policy_document":
                    def missing(n: str) -> Value:
                        if n in ("json", "minified_json"):
                            return policy_json(self.body(), self.cfg.block.header, addr)
                        return Value.unknown(f"{addr}.{n} is read at apply time", None, refs)
                else:

                    def missing(n: str) -> Value:
                        return Value.unknown(f"data source {addr} is read at apply time", None, refs)
            else:

                def missing(n: str) -> Value:
                    return Value.unknown(f"{addr}.{n} is known only after apply", None, refs)

            obj = LazyObject(
                self.cfg.names,
                lambda n: _with_ref(self.attr(n), addr),
                missing,
                refs,
                budget=self.mod.ev.budget,
            )
            self._value = Value.known(obj, None, refs)
        return self._value

    def body(self) -> Value:
        # Not charged here: the instance was (expansion and steps), and so is each argument.
        out: dict[str, Value] = {}
        for name in self.cfg.names:
            out[name] = self.attr(name)
        return Value.known(out, self.cfg.block.span)

    def resource(self) -> Resource:
        ref = _BodyRef(self)
        self.mod.loader.body_refs.append(ref)
        # The body is worked out when the model first reads it, each argument when read: most
        # resources are of types no rule reads, and of the others rules read a few arguments;
        # evaluating them all was a tenth of a scan's work.
        return Resource(
            self.cfg.type,
            self.address,
            LANGUAGE,
            LazyValue(partial(_lazy_body, ref)),
            self.cfg.block.header,
            self.cfg.name,
            self.condition,
            self.mod.root_dir,
        )


class _BodyRef:
    """The instance a lazy body is worked out from, until the load result is released (see
    `_Result.release`): an unread body then no longer keeps the loader's state alive."""

    __slots__ = ("inst",)

    def __init__(self, inst: ResourceInstance) -> None:
        self.inst: ResourceInstance | None = inst


def _instance(ref: _BodyRef) -> ResourceInstance:
    inst = ref.inst
    if inst is None:
        # Released after the checks: nothing may read the part's resources then.
        raise EvaluationError("a Terraform resource body was read after its load result was released")
    return inst


def _lazy_body(ref: _BodyRef) -> Value:
    """The body of `ref`'s instance as the model first reads it: each argument a value worked out
    when read (a literal already worked out is shared as it is)."""
    inst = _instance(ref)
    attrs = inst.cfg.block.body.attrs
    out: dict[str, Value] = {}
    for name in inst.cfg.names:
        a = attrs.get(name)
        c = a.const if a is not None else None
        out[name] = c if c is not None else LazyValue(partial(_read_attr_of, ref, name))
    return Value.known(out, inst.cfg.block.span)


def _read_attr_of(ref: _BodyRef, name: str) -> Value:
    """`inst.attr(name)`, read by the model after the load: under the unit's budget made current
    again (as a LazyObject member is), with the room on the stack the load had. The argument keeps
    its own budget note (`ResourceInstance._attr`); input nested beyond Python's stack is said as
    during the load, and an exception is an iaclint bug reported naming the file."""
    inst = _instance(ref)
    b = inst.mod.ev.budget
    try:
        if budget_mod.current() is b:
            return inst.attr(name)
        with evaluating(b):
            return inst.attr(name)
    except RecursionError:
        h = inst.cfg.block.header
        inst.mod.loader._diag(Diagnostic(h.path, h.line, h.column, "resource nested too deeply", True))
        return Value.unknown("resource nested too deeply", h, (inst.address,))
    except BudgetExceeded as err:
        return Value.unknown(exceeded_note(f"{inst.address}.{name}", err), None, (inst.address,))
    except EvaluationError:
        raise
    except Exception as err:
        raise EvaluationError(f"{inst.cfg.block.header.path}: {type(err).__name__}: {err}") from err


def _with_ref(v: Value, ref: str) -> Value:
    """`v.with_refs((ref,))` without dataclasses.replace (a hot path: every cross-resource read)."""
    if ref in v.refs:
        return v
    return Value(v.state, v.data, v.span, v.reason, (*v.refs, ref), v.via)


def block_list(ev: Evaluator, body: Body, type_: str, ctx: Ctx) -> Value:
    """All nested blocks of one type, static and dynamic, in source order, as a list of objects."""
    items: list[Value] = []
    first: Span | None = None
    for blk in body.blocks:
        if blk.type == type_:
            items.append(eval_body(ev, blk.body, ctx.in_file(blk.file), blk.span))
            first = first or blk.span
        elif blk.type == "dynamic" and blk.labels and blk.labels[0] == type_:
            items.extend(dynamic_blocks(ev, blk, ctx.in_file(blk.file)))
            first = first or blk.span
    if first is None:
        return Value.absent()
    return Value.known(items, first)


def eval_body(ev: Evaluator, body: Body, ctx: Ctx, span: Span | None) -> Value:
    out: dict[str, Value] = {}
    for name, a in body.attrs.items():
        out[name] = ev.attr(a, ctx)
    seen: set[str] = set()
    for blk in body.blocks:
        n = blk.labels[0] if blk.type == "dynamic" and blk.labels else blk.type
        if n not in seen:
            seen.add(n)
            out[n] = block_list(ev, body, n, ctx)
    return Value.known(out, span)


def dynamic_blocks(ev: Evaluator, dyn: Block, ctx: Ctx) -> list[Value]:
    label = dyn.labels[0]
    attrs = dyn.body.attrs
    iterator = label
    it_attr = attrs.get("iterator")
    if it_attr is not None and isinstance(it_attr.expr, HclExpr):
        iterator = it_attr.expr.file.text(it_attr.expr.node).strip()
    elif (
        it_attr is not None
        and isinstance(it_attr.expr, JsonExpr)
        and isinstance(it_attr.expr.value.data, str)
    ):
        iterator = it_attr.expr.value.data
    content = next((b for b in dyn.body.blocks if b.type == "content"), None)
    fe = attrs.get("for_each")
    if content is None or fe is None:
        return [error(f"dynamic {label} needs for_each and content", dyn.span)]
    coll = ev.attr(fe, ctx)
    if coll.state is not _KNOWN:
        return [
            Value.unknown(f"dynamic {label} blocks: for_each is unknown: {coll.reason}", dyn.span, coll.refs)
        ]
    items = collection_items(coll)
    if items is None:
        return [error(f"dynamic {label}: for_each is not a collection", fe.span)]
    ev.budget.expansion(len(items))
    ev.budget.step(len(items) * _INSTANCE_STEPS)
    if isinstance(coll.data, list) and fully_known(coll) and all(isinstance(m.data, str) for _, m in items):
        # A set of strings: its key is the element itself.
        items = [(m, m) for _, m in items]
    out = []
    for k, v in items:
        c = ctx.bind({iterator: Value.known({"key": k, "value": v}, fe.span)})
        out.append(eval_body(ev, content.body, c, content.span))
    return out


def load_units(units: list[Unit], options: TerraformOptions | None = None) -> LoadResult:
    loader = Loader(options or TerraformOptions(), units)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, LIMITS.depth * 100))
    # With the collector paused, break the loader's own cycles at the end so that its working state
    # is freed by reference counting rather than left to the GC.
    with gc_paused():
        try:
            _load(loader, units)
        except BaseException:
            _release(loader)
            raise
        finally:
            sys.setrecursionlimit(old_limit)
    # Resource bodies are worked out when the model reads them (see `ResourceInstance.resource`),
    # with what the load memoised. The result returned is another object than the loader's own
    # (sharing its lists), so that no cycle runs through it; `release` ends the laziness.
    out = _Result(*(getattr(loader.result, f.name) for f in fields(LoadResult)))
    out.loader = loader
    loader.result.resources = []
    return out


class _Result(LoadResult):
    """A LoadResult whose resource bodies are still worked out from the loader's state."""

    __slots__ = ("loader",)

    def release(self) -> None:
        _release(self.loader)


def _release(loader: Loader) -> None:
    """Drop the memoised values of every module instance (instances, lazy objects and closures
    refer back to their module instance) and what unread bodies would be worked out from:
    reference counting then frees the loader's state without a pass of the cyclic GC (the model's
    own cycles reach the resources, and through an unread body they reached all of it)."""
    for ref in loader.body_refs:
        ref.inst = None
    loader.body_refs = []
    for inst in loader.instances:
        inst.release()
    loader.instances = []


def root_qualifier(directory: str, roots: ScanRoots) -> str:
    """What the addresses of the modules a root calls start with: `live/prod:` for the root in
    `live/prod`, nothing for a root that is the scan root itself.

    The place is the root's path inside its scan root (the git top level, or the scanned path
    outside a repository), so it does not depend on the working directory or on which files a run
    was given, and it is never a path of the machine. Resources of the root itself need no
    qualifier: their files already tell the roots apart."""
    real = os.path.realpath(directory)
    root = roots.root_of(real)
    rel = os.path.relpath(real, root) if root is not None else "."
    return "" if rel == "." else rel.replace(os.sep, "/") + ":"


def _load(loader: Loader, units: list[Unit]) -> None:
    """Parse every unit, find the ones other units call as local modules, and evaluate the others
    as roots, each under a budget of its own: a unit that spends its budget leaves the others'
    untouched."""
    unit_cfgs: list[tuple[Unit, ModuleConfig | str | None, Evaluator]] = []
    for unit in units:
        files = [str(f) for f in unit.files]
        budget = Budget(unit=_unit_file(unit))
        loader.result.budgets.append(budget)
        unit_cfgs.append((unit, loader.config_for(str(unit.path), files), Evaluator(budget)))
    called: set[str] = set()
    calls: dict[str, set[str]] = {}  # unit directory -> directories it calls as local modules
    for unit, cfg, ev in unit_cfgs:
        if not isinstance(cfg, ModuleConfig):
            continue
        targets = _local_calls(unit, cfg, ev)
        calls[os.path.realpath(str(unit.path))] = targets
        called |= targets
    focus = loader.options.focus
    for unit, cfg, ev in unit_cfgs:
        if not isinstance(cfg, ModuleConfig) or os.path.realpath(str(unit.path)) in called:
            continue
        if focus is not None and not reaches(os.path.realpath(str(unit.path)), calls, focus):
            continue
        udir = str(unit.path)
        with evaluating(ev.budget):
            inputs = loader.root_inputs(udir, [str(f) for f in unit.files], ev)
            root = ModuleInstance(loader, cfg, udir, udir, "", inputs, 0, None, (), ev)
            root.emit(loader.result.resources)


def _local_calls(unit: Unit, cfg: ModuleConfig, ev: Evaluator) -> set[str]:
    """The real paths of the local module directories (`source = "./..."`) `unit` calls."""
    me = os.path.realpath(str(unit.path))
    out: set[str] = set()
    with evaluating(ev.budget):
        for blk in cfg.calls.values():
            src = blk.body.attrs.get("source")
            if src is None:
                continue
            try:
                v = ev.attr(src, Ctx(_NoScope(), blk.file))
            except BudgetExceeded:
                continue  # the call reports it when the unit is evaluated
            s = to_str(v) if v.state is _KNOWN else None
            if s and (s.startswith(("./", "../")) or s in (".", "..")):
                target = os.path.realpath(os.path.join(str(unit.path), s))
                if target != me:
                    out.add(target)
    return out


def _may_call(path: str, roots: ScanRoots) -> bool:
    """Whether a file may hold a `module` block. In native syntax the block type is the bare word
    `module`, which no escape can spell otherwise, followed by a label: a file where every
    `module` is part of a longer name or a reference (`module.api`) holds none. Read through the
    guarded reader like any file of the scan; anything it refuses (and JSON) is left to the loader,
    which reports why."""
    if not path.endswith(".tf"):
        return True
    try:
        data = read_bytes(path, roots=roots)
    except ReadRefused:
        return True
    at = data.find(b"module")
    while at != -1:
        before = data[at - 1 : at] if at else b""
        after = data[at + 6 : at + 7]
        longer = before.isalnum() or before in (b"_", b"-") or after.isalnum() or after in (b"_", b"-")
        if not longer and after != b".":
            return True
        at = data.find(b"module", at + 6)
    return False


def module_calls(units: list[Unit], options: TerraformOptions | None = None) -> dict[str, set[str]]:
    """For each unit (by the real path of its directory), the local module directories it calls:
    what the engine needs to load a root together with its modules before the next root. Only
    the files that may hold a `module` block are parsed; what this finds out is thrown away."""
    loader = Loader(options or TerraformOptions(), units)
    out: dict[str, set[str]] = {}
    with gc_paused():
        for unit in units:
            files = [str(f) for f in unit.files if _may_call(str(f), loader.roots)]
            cfg = loader.config_for(str(unit.path), files, calls_only=True)
            ev = Evaluator(Budget(unit=_unit_file(unit)))
            out[os.path.realpath(str(unit.path))] = (
                _local_calls(unit, cfg, ev) if isinstance(cfg, ModuleConfig) else set()
            )
    return out
