"""Terraform modules: configurations per directory, module instances, resources with addresses.

`load_units` receives every Terraform unit of a scan. A unit that another unit calls as a local
module (`source = "./..."`) is evaluated only through its callers, with their inputs bound; every
other unit is a root. Each directory is parsed once per scan.

Evaluation is lazy where it can be (variables, locals, outputs, other resources' arguments are
computed on first reference and memoised) and eager for what is emitted: the bodies of resources.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from iaclint.discover import Unit
from iaclint.lang import gc_paused
from iaclint.lang.terraform.directives import collect_directives
from iaclint.lang.terraform.evaluate import (
    Ctx,
    Evaluator,
    LazyObject,
    collection_items,
    error,
    fully_known,
    to_number,
    to_str,
)
from iaclint.lang.terraform.files import read_source
from iaclint.lang.terraform.syntax import (
    Attr,
    Block,
    Body,
    HclExpr,
    JsonExpr,
    SourceFile,
    parse_file_body,
    parse_hcl,
)
from iaclint.lang.terraform.typeconv import convert, variable_type
from iaclint.resources import Diagnostic, LoadResult, Resource
from iaclint.source import Span
from iaclint.values import State, Value

LANGUAGE = "terraform"
MAX_MODULE_DEPTH = 12
MAX_INSTANCES = 1000
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


@dataclass(slots=True)
class ResourceConfig:
    mode: str  # "managed" or "data"
    type: str
    name: str
    block: Block
    count: Attr | None
    for_each: Attr | None
    names: list[str]


@dataclass(slots=True)
class ModuleConfig:
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
    """Scope for expressions that must be literal (module sources)."""

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


class Loader:
    def __init__(self, options: Any) -> None:
        self.options = options
        self.ev = Evaluator()
        self.result = LoadResult()
        self.configs: dict[str, ModuleConfig | None] = {}
        self.modules_json: dict[str, dict[str, str] | None] = {}
        # Every module instance, to break their reference cycles when the load is done.
        self.instances: list[ModuleInstance] = []

    # -- files and configurations -------------------------------------------------------------
    def _diag(self, d: Diagnostic) -> None:
        self.result.diagnostics.append(d)

    def read_file(self, path: str) -> SourceFile | None:
        diags: list[Diagnostic] = []
        src = read_source(path, diags)
        self.result.files_read.add(path)
        for d in diags:
            self._diag(d)
        if src is None:
            return None
        if path.endswith(".json"):
            from iaclint.lang.terraform.tfjson import parse_json_file

            return parse_json_file(src, self.result.diagnostics)
        sf = parse_hcl(src, self.result.diagnostics)
        collect_directives(sf, self.result.directives)
        return sf

    def body_of(self, sf: SourceFile) -> Body:
        if sf.tree is None:
            from iaclint.lang.terraform.tfjson import json_file_body

            return json_file_body(sf)
        return parse_file_body(sf)

    def config_for(self, dir_: str, files: list[str] | None) -> ModuleConfig | None:
        """The configuration of a directory, parsed once per scan (None when it has no .tf files)."""
        try:
            real = os.path.realpath(dir_)
        except (OSError, ValueError):
            return None
        if real in self.configs:
            return self.configs[real]
        self.configs[real] = None  # a module that includes itself sees "not available"
        if files is None:
            try:
                names = sorted(os.listdir(dir_))
            except OSError:
                return None
            files = [
                os.path.join(dir_, n)
                for n in names
                if n.endswith((".tf", ".tf.json")) and os.path.isfile(os.path.join(dir_, n))
            ]
        tf_files = [f for f in files if f.endswith((".tf", ".tf.json"))]
        if not tf_files:
            return None
        cfg = ModuleConfig(dir_)
        regular = [f for f in tf_files if not _is_override(os.path.basename(f))]
        overrides = [f for f in tf_files if _is_override(os.path.basename(f))]
        for path in regular + overrides:
            sf = self.read_file(path)
            if sf is None:
                continue
            try:
                body = self.body_of(sf)
            except RecursionError:
                self._diag(Diagnostic(path, 1, 1, "configuration nested too deeply", partial=True))
                continue
            override = path in overrides
            for blk in body.blocks:
                cfg.add(blk, override)
        self.configs[real] = cfg
        return cfg

    def module_dir(self, caller: ModuleInstance, source: str, key_path: tuple[str, ...]) -> str | None:
        if source.startswith(("./", "../", ".\\", "..\\")) or source in (".", ".."):
            return os.path.normpath(os.path.join(caller.module_dir, source))
        root = caller.root_dir
        table = self.modules_json.get(root)
        if root not in self.modules_json:
            table = self._read_modules_json(root)
            self.modules_json[root] = table
        if not table:
            return None
        d = table.get(".".join(key_path))
        return os.path.normpath(os.path.join(root, d)) if d is not None else None

    def _read_modules_json(self, root: str) -> dict[str, str] | None:
        path = os.path.join(root, ".terraform", "modules", "modules.json")
        try:
            if not os.path.isfile(path) or os.path.getsize(path) > 5 * 1024 * 1024:
                return None
            with open(path, "rb") as fh:
                doc = json.loads(fh.read().decode("utf-8-sig"))
        except (OSError, ValueError, RecursionError):
            return None
        self.result.files_read.add(path)
        out: dict[str, str] = {}
        mods = doc.get("Modules") if isinstance(doc, dict) else None
        for m in mods if isinstance(mods, list) else []:
            if isinstance(m, dict) and isinstance(m.get("Key"), str) and isinstance(m.get("Dir"), str):
                out[m["Key"]] = m["Dir"]
        return out

    # -- root variables -------------------------------------------------------------------------
    def root_inputs(self, unit_dir: str, files: list[str]) -> dict[str, Callable[[], Value]]:
        """Variable values for a root module, later sources winning: tfvars files (terraform.tfvars,
        terraform.tfvars.json, *.auto.tfvars* in lexical order), then var_files, then variables."""
        names = {os.path.basename(f): f for f in files if _is_tfvars(os.path.basename(f))}
        order = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
        order += sorted(n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json")))
        opts = self.options
        given = [*(getattr(opts, "config_var_files", None) or []), *(getattr(opts, "var_files", None) or [])]
        paths = [names[n] for n in order] + [str(p) for p in given]
        inputs: dict[str, Callable[[], Value]] = {}
        for path in paths:
            inputs.update(self._tfvars(path))
        raw = getattr(self.options, "variables", None) or {}
        for name, text in raw.items():
            inputs[str(name)] = self._cli_var(str(text))
        return inputs

    def _tfvars(self, path: str) -> dict[str, Callable[[], Value]]:
        sf = self.read_file(path)
        if sf is None:
            return {}
        out: dict[str, Callable[[], Value]] = {}
        if sf.tree is None:
            from iaclint.lang.terraform.tfjson import json_document

            doc = json_document(sf)
            for name, v in doc.items():
                out[name] = lambda v=v: v
            return out
        body = parse_file_body(sf)
        for name, a in body.attrs.items():
            out[name] = self._memo(lambda a=a: self.ev.attr(a, Ctx(_NoScope(), a.expr.file)))
        return out

    def _cli_var(self, text: str) -> Callable[[], Value]:
        # Like `terraform -var`: an HCL literal when it parses as one, else the plain string.
        from iaclint.source import SourceText

        data = f"v = {text}\n".encode()
        src = SourceText("<-var>", data, data.decode())
        sf = parse_hcl(src, None)
        if not sf.tree.root_node.has_error:
            body = parse_file_body(sf)
            a = body.attrs.get("v")
            if a is not None and len(body.attrs) == 1:
                v = self.ev.expr(a.expr, Ctx(_NoScope(), sf))
                # A bare word like TLS_1_0 parses as a reference: the user means the word itself.
                if fully_known(v):
                    return lambda: Value.known(v.data, None)
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
    ) -> None:
        self.loader = loader
        self.ev = loader.ev
        self.config = config
        self.module_dir = module_dir
        self.root_dir = root_dir
        self.prefix = prefix
        self.inputs = inputs
        self.depth = depth
        self.condition = condition
        self.key_path = key_path
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

    def var(self, name: str) -> Value:
        v = self._vars.get(name)
        if v is None:
            v = self.ev.guarded(("var", id(self), name), lambda: self._var(name))
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
        return convert(v, spec, lambda node: self.ev.node(node, ctx))

    def local(self, name: str) -> Value:
        v = self._locals.get(name)
        if v is None:
            a = self.config.locals.get(name)
            if a is None:
                return error(f"local.{name} is not declared")
            v = self.ev.guarded(
                ("local", id(self), name), lambda: self.ev.attr(a, Ctx(self, a.expr.file)), a.span
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
                ("output", id(self), name), lambda: self.ev.attr(a, Ctx(self, blk.file)), a.span
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
        )
        return Value.known(obj)

    # -- expansion ------------------------------------------------------------------------------
    def _expand(
        self, count: Attr | None, for_each: Attr | None, bindings: dict[str, Value], what: str
    ) -> list[tuple[Any, dict[str, Value], Value | None]]:
        """Instances as (key, names bound, condition); one instance with a condition when unknown."""
        ctx = Ctx(self, None, bindings)
        if count is not None:
            v = self.ev.attr(count, ctx.in_file(count.expr.file))
            if v.state is not _KNOWN:
                cond = Value.unknown(f"count of {what} is unknown: {v.reason}", count.span, v.refs)
                return [(None, {"count": Value.unknown(cond.reason, count.span, v.refs)}, cond)]
            n = to_number(v)
            if n is None or n < 0 or int(n) != n:
                cond = Value.unknown(f"count of {what} is not a whole number", count.span)
                return [(None, {"count": cond}, cond)]
            if n > MAX_INSTANCES:
                cond = Value.unknown(
                    f"count of {what} is {int(n)}: too many instances to evaluate", count.span
                )
                return [(None, {"count": cond}, cond)]
            return [
                (i, {"count": Value.known({"index": Value.known(i, count.span)}, count.span)}, None)
                for i in range(int(n))
            ]
        if for_each is not None:
            v = self.ev.attr(for_each, ctx.in_file(for_each.expr.file))
            reason = ""
            pairs: list[tuple[str, Value]] = []
            if v.state is not _KNOWN:
                reason = f"for_each of {what} is unknown: {v.reason}"
            elif isinstance(v.data, LazyObject) or v.data is None:
                reason = f"for_each of {what} is not a map or set of strings"
            elif isinstance(v.data, dict):
                pairs = sorted(v.data.items())
            elif isinstance(v.data, list):
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
            if len(pairs) > MAX_INSTANCES:
                cond = Value.unknown(f"for_each of {what} has too many instances to evaluate", for_each.span)
                return [(None, {"each": cond}, cond)]
            return [
                (
                    k,
                    {"each": Value.known({"key": Value.known(k, for_each.span), "value": m}, for_each.span)},
                    None,
                )
                for k, m in pairs
            ]
        return [(None, {}, None)]

    def instances(self, cfg: ResourceConfig) -> list[ResourceInstance]:
        key = (cfg.mode, cfg.type, cfg.name)
        got = self._expanded.get(key)
        if got is not None:
            return got
        base = f"{self.prefix}{'data.' if cfg.mode == 'data' else ''}{cfg.type}.{cfg.name}"
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
        got = self.ev.guarded(("call", id(self), name), lambda: self._call_instances(name))
        self._calls[name] = got
        return got

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
        module_dir = self.loader.module_dir(self, source, key_path)
        if module_dir is None:
            return Value.unknown(f'module source "{source}" is not available locally', src_attr.span)
        if self.depth + 1 > MAX_MODULE_DEPTH:
            return Value.unknown(f"module {name}: modules nested too deeply", src_attr.span)
        config = self.loader.config_for(module_dir, None)
        if config is None:
            return Value.unknown(
                f'module source "{source}" is not available locally ({module_dir})', src_attr.span
            )
        base = f"{self.prefix}module.{name}"
        expanded = self._expand(attrs.get("count"), attrs.get("for_each"), {}, base)
        out: list[ModuleInstance] = []
        for k, bindings, cond in expanded:
            ctx = Ctx(self, blk.file, bindings)
            inputs = {arg: _lazy(self.ev, a, ctx) for arg, a in attrs.items() if arg not in MODULE_META}
            prefix = (base if k is None else base + _quote_key(k)) + "."
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
            )
            child.instance_key = k
            child.own_condition = cond
            out.append(child)
        return out

    # -- emission -------------------------------------------------------------------------------
    def emit(self, out: list[Resource]) -> None:
        for cfg in self.config.resources:
            try:
                for inst in self.instances(cfg):
                    out.append(inst.resource())
            except RecursionError:
                h = cfg.block.header
                self.loader._diag(Diagnostic(h.path, h.line, h.column, "resource nested too deeply", True))
            except Exception as err:  # a bug must not lose the other resources or files
                h = cfg.block.header
                self.loader._diag(
                    Diagnostic(
                        h.path, h.line, h.column, f"could not evaluate {cfg.type}.{cfg.name}: {err!r}", True
                    )
                )
        for name in self.config.calls:
            try:
                children = self.call_instances(name)
            except Exception as err:
                h = self.config.calls[name].header
                self.loader._diag(
                    Diagnostic(h.path, h.line, h.column, f"could not evaluate module {name}: {err!r}", True)
                )
                continue
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
        if a is not None:
            return self.mod.ev.attr(a, self.ctx)
        return block_list(self.mod.ev, body, name, self.ctx)

    def value(self) -> Value:
        """This instance as an object: configured arguments, and apply-time attributes unknown."""
        if self._value is None:
            addr = self.address
            refs = (addr,)
            if self.cfg.mode == "data":
                if self.cfg.type == "aws_iam_policy_document":
                    from iaclint.lang.terraform.iam import policy_json

                    def missing(n: str) -> Value:
                        if n in ("json", "minified_json"):
                            return policy_json(self)
                        return Value.unknown(f"{addr}.{n} is read at apply time", None, refs)
                else:

                    def missing(n: str) -> Value:
                        return Value.unknown(f"data source {addr} is read at apply time", None, refs)
            else:

                def missing(n: str) -> Value:
                    return Value.unknown(f"{addr}.{n} is known only after apply", None, refs)

            obj = LazyObject(self.cfg.names, lambda n: _with_ref(self.attr(n), addr), missing, refs)
            self._value = Value.known(obj, None, refs)
        return self._value

    def body(self) -> Value:
        out: dict[str, Value] = {}
        for name in self.cfg.names:
            out[name] = self.attr(name)
        return Value.known(out, self.cfg.block.span)

    def resource(self) -> Resource:
        return Resource(
            self.cfg.type,
            self.address,
            LANGUAGE,
            self.body(),
            self.cfg.block.header,
            self.cfg.name,
            self.condition,
            self.mod.root_dir,
        )


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
    if isinstance(coll.data, list) and fully_known(coll) and all(isinstance(m.data, str) for _, m in items):
        # A set of strings: its key is the element itself.
        items = [(m, m) for _, m in items]
    out = []
    for k, v in items:
        c = ctx.bind({iterator: Value.known({"key": k, "value": v}, fe.span)})
        out.append(eval_body(ev, content.body, c, content.span))
    return out


def load_units(units: list[Unit], options: Any = None) -> LoadResult:
    loader = Loader(options)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 20000))
    # With the collector paused, break the loader's own cycles at the end so that its working state
    # is freed by reference counting rather than left to the GC.
    with gc_paused():
        try:
            _load(loader, units)
        finally:
            sys.setrecursionlimit(old_limit)
            for inst in loader.instances:
                inst.release()
            loader.instances = []
    return loader.result


def _load(loader: Loader, units: list[Unit]) -> None:
    unit_cfgs: list[tuple[Unit, ModuleConfig | None]] = []
    for unit in units:
        try:
            files = [str(f) for f in unit.files]
            unit_cfgs.append((unit, loader.config_for(str(unit.path), files)))
        except Exception as err:  # never lose the other units
            loader._diag(Diagnostic(str(unit.path), 1, 1, f"could not load module: {err!r}", True))
    called: set[str] = set()
    for unit, cfg in unit_cfgs:
        if cfg is None:
            continue
        me = os.path.realpath(str(unit.path))
        for blk in cfg.calls.values():
            src = blk.body.attrs.get("source")
            if src is None:
                continue
            v = loader.ev.attr(src, Ctx(_NoScope(), blk.file))
            s = to_str(v) if v.state is _KNOWN else None
            if s and (s.startswith(("./", "../")) or s in (".", "..")):
                target = os.path.realpath(os.path.join(str(unit.path), s))
                if target != me:
                    called.add(target)
    for unit, cfg in unit_cfgs:
        if cfg is None or os.path.realpath(str(unit.path)) in called:
            continue
        udir = str(unit.path)
        try:
            inputs = loader.root_inputs(udir, [str(f) for f in unit.files])
            root = ModuleInstance(loader, cfg, udir, udir, "", inputs, 0, None, ())
            root.emit(loader.result.resources)
        except Exception as err:
            loader._diag(Diagnostic(udir, 1, 1, f"could not evaluate module: {err!r}", True))
