"""Terraform's JSON syntax (`.tf.json`, `.tfvars.json`).

Top-level keys are block types (`resource`, `data`, `variable`, `locals`, `module`, `output`).
Strings in configuration files are templates: `"${var.x}"` is the value of `var.x` itself, any
other string with `${`/`%{` is rendered as a template. Without the provider schema a nested object
could be a block or a map argument; both are kept as objects (a `Value` list of blocks and a single
object read the same through `Value.elements()`/`first()`), except `dynamic`, which is expanded.
"""

from __future__ import annotations

from iaclint.lang.jsonpos import JsonError, parse_json
from iaclint.lang.terraform.context import Ctx, Evaluating
from iaclint.lang.terraform.hclvalues import error, reloc
from iaclint.lang.terraform.syntax import Attr, Block, Body, JsonExpr, SourceFile, unescape
from iaclint.lang.terraform.templates import parse_expression, render_template
from iaclint.resources import Diagnostic
from iaclint.source import SourceText, Span
from iaclint.values import State, Value

_KNOWN = State.KNOWN
_SKIP_IN_RESOURCE = frozenset({"lifecycle", "provisioner", "connection", "//"})


def parse_json_file(
    source: SourceText, diagnostics: list[Diagnostic], quote: bool = True
) -> SourceFile | None:
    """`quote` False: the error message says where, not what was found (a variables file named by
    an option: its content is not ours to print)."""
    try:
        doc = parse_json(source, max_depth=256)
    except JsonError as err:
        message = f"invalid JSON: {err.message}" if quote else "invalid JSON"
        diagnostics.append(Diagnostic(source.path, err.line, err.column, message))
        return None
    except RecursionError:
        diagnostics.append(Diagnostic(source.path, 1, 1, "JSON nested too deeply"))
        return None
    sf = SourceFile(source, None)
    sf.doc = doc
    if not isinstance(doc.data, dict):
        diagnostics.append(Diagnostic(source.path, 1, 1, "a Terraform JSON file must hold an object"))
        sf.doc = Value.known({}, doc.span)
    return sf


def json_document(sf: SourceFile) -> dict[str, Value]:
    """Members of a `.tfvars.json` document: literal values (no templates in variable files)."""
    doc = sf.doc
    return dict(doc.data) if doc is not None and isinstance(doc.data, dict) else {}


def _key_span(member: Value, name: str) -> Span | None:
    s = member.span
    if s is None:
        return None
    return Span(s.path, s.line, s.column, s.line, s.column + len(name) + 2)


def _objects(v: Value) -> list[Value]:
    """A block given as one object or as a list of objects."""
    if v.state is not _KNOWN:
        return []
    if isinstance(v.data, dict):
        return [v]
    if isinstance(v.data, list):
        return [m for m in v.data if m.state is _KNOWN and isinstance(m.data, dict)]
    return []


def _body(obj: Value, sf: SourceFile, skip: frozenset[str] = frozenset()) -> Body:
    body = Body()
    for name, member in obj.items():
        if name in skip:
            continue
        if name == "dynamic":
            for dyn in _objects(member):
                for label, spec in dyn.items():
                    for one in _objects(spec):
                        body.blocks.append(_dynamic(label, one, sf))
            continue
        body.attrs[name] = Attr(name, JsonExpr(member, sf), member.span)
    return body


def _dynamic(label: str, spec: Value, sf: SourceFile) -> Block:
    inner = Body()
    for name, member in spec.items():
        if name == "content":
            for c in _objects(member):
                inner.blocks.append(Block("content", (), _body(c, sf), c.span, c.span, sf))
        else:
            inner.attrs[name] = Attr(name, JsonExpr(member, sf), member.span)
    span = spec.span or Span.point(sf.path, 1)
    return Block("dynamic", (label,), inner, span, span, sf)


def json_file_body(sf: SourceFile) -> Body:
    out = Body()
    doc = sf.doc
    if doc is None:
        return out
    for kind, section in doc.items():
        if kind in ("resource", "data"):
            for type_, by_name in section.items():
                for name, member in by_name.items():
                    for obj in _objects(member):
                        body = _body(obj, sf, _SKIP_IN_RESOURCE)
                        out.blocks.append(
                            Block(kind, (type_, name), body, member.span, _key_span(member, name), sf)
                        )
        elif kind in ("variable", "output", "module"):
            for name, member in section.items():
                for obj in _objects(member):
                    out.blocks.append(
                        Block(kind, (name,), _body(obj, sf), member.span, _key_span(member, name), sf)
                    )
        elif kind == "locals":
            for obj in _objects(section):
                out.blocks.append(Block("locals", (), _body(obj, sf), obj.span, obj.span, sf))
    return out


def eval_json(ev: Evaluating, e: JsonExpr, ctx: Ctx) -> Value:
    """A JSON-syntax expression: strings are templates, containers are evaluated member by member."""
    v = e.value
    d = v.data
    if v.state is not _KNOWN:
        return v
    ev.budget.step()
    if isinstance(d, str):
        return _string(ev, d, v.span, ctx)
    if isinstance(d, dict):
        ev.budget.collection(len(d))
        return Value.known({k: eval_json(ev, JsonExpr(m, e.file), ctx) for k, m in d.items()}, v.span)
    if isinstance(d, list):
        ev.budget.collection(len(d))
        return Value.known([eval_json(ev, JsonExpr(m, e.file), ctx) for m in d], v.span)
    return v


def _string(ev: Evaluating, text: str, span: Span | None, ctx: Ctx) -> Value:
    if "${" not in text and "%{" not in text:
        return Value.known(text, span)
    if text.startswith("${") and text.endswith("}") and text.count("${") == 1 and "%{" not in text:
        parsed = parse_expression(ev, text[2:-1])
        if parsed is not None:
            src, node = parsed
            sf = SourceFile(src, None, fixed_span=span)
            return reloc(ev.node(node, Ctx(ctx.scope, sf, ctx.bindings)), span, span)
    if "${" not in text.replace("$${", "") and "%{" not in text.replace("%%{", ""):
        return Value.known(unescape(text, quoted=False), span)
    v = render_template(ev, text, ("json",), None, span, ctx, restricted=False)
    return v if v.span is not None else error("template could not be evaluated", span)
