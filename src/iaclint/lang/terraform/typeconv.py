"""Variable type constraints: the part of Terraform's type conversion that changes values.

A `variable` with `type = object({ a = optional(bool, false) })` receives `{}` from its caller and
Terraform hands the module `{ a = false }`: missing optional attributes become null, and a null
attribute with a default takes the default (nested defaults apply inside the default too). Without
this, every `var.x.a` of such a module would be an unknown ("object has no attribute"), which is
how most Azure Verified Modules pass their settings. Other conversions (primitive coercion,
dropping undeclared attributes) do not change what the checks read, so they are not modelled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iaclint.lang.terraform.syntax import HclExpr, SourceFile
from iaclint.records import record
from iaclint.values import State, Value

# Type expressions nested deeper than this are not real Terraform.
MAX_TYPE_DEPTH = 32


@record(frozen=True)
class Attribute:
    """An attribute of an object type constraint: its type, and whether it is optional with a default."""

    type: TypeSpec | None
    optional: bool
    # The `optional(T, default)` expression node, if any.
    default: Any


@record(frozen=True)
class TypeSpec:
    """The part of a type constraint that conversion needs: objects and the collections around them."""

    # "object", "map", "list", "set" or "tuple"; a type without objects inside is None instead.
    kind: str
    attrs: dict[str, Attribute] | None = None
    elem: TypeSpec | None = None
    elems: tuple[TypeSpec | None, ...] = ()


def _call(node: Any, sf: SourceFile) -> tuple[str, list[Any]] | None:
    """`name(arg, ...)` as (name, argument expressions), for an `expression` node."""
    kids = node.children
    if len(kids) != 1 or kids[0].type != "function_call":
        return None
    fc = kids[0].children
    if not fc or fc[0].type != "identifier":
        return None
    args: list[Any] = []
    for k in fc:
        if k.type == "function_arguments":
            args = [a for a in k.children if a.type == "expression"]
    return sf.text(fc[0]), args


def _collection(node: Any, kind: str) -> Any:
    """The `object`/`tuple` literal inside an `expression` node, or None."""
    kids = node.children
    if len(kids) == 1 and kids[0].type == "collection_value":
        inner = kids[0].children
        if len(inner) == 1 and inner[0].type == kind:
            return inner[0]
    return None


def parse_type(node: Any, sf: SourceFile, depth: int = 0) -> TypeSpec | None:
    """The structure of a type expression; None when it holds no object type (nothing to fill)."""
    if depth > MAX_TYPE_DEPTH or node.type != "expression":
        return None
    call = _call(node, sf)
    if call is None:
        return None  # a primitive (`string`, `bool`, `number`) or `any`
    name, args = call
    if name in ("map", "list", "set") and len(args) == 1:
        elem = parse_type(args[0], sf, depth + 1)
        return TypeSpec(name, elem=elem) if elem is not None else None
    if name == "tuple" and len(args) == 1:
        tup = _collection(args[0], "tuple")
        if tup is None:
            return None
        elems = tuple(parse_type(k, sf, depth + 1) for k in tup.named_children if k.type == "expression")
        return TypeSpec("tuple", elems=elems) if any(e is not None for e in elems) else None
    if name == "object" and len(args) == 1:
        obj = _collection(args[0], "object")
        if obj is None:
            return None
        attrs: dict[str, Attribute] = {}
        for elem in obj.named_children:
            if elem.type != "object_elem" or elem.key is None or elem.val is None:
                continue
            key = sf.text(elem.key).strip().strip('"')
            val = elem.val
            opt = _call(val, sf)
            if opt is not None and opt[0] == "optional" and 1 <= len(opt[1]) <= 2:
                inner = parse_type(opt[1][0], sf, depth + 1)
                default = opt[1][1] if len(opt[1]) == 2 else None
                attrs[key] = Attribute(inner, True, default)
            else:
                attrs[key] = Attribute(parse_type(val, sf, depth + 1), False, None)
        return TypeSpec("object", attrs=attrs)
    return None


def variable_type(expr: Any) -> TypeSpec | None:
    """The type spec of a variable's `type` attribute expression (HCL syntax only)."""
    if not isinstance(expr, HclExpr):
        return None  # `.tf.json` types are strings; not modelled
    return parse_type(expr.node, expr.file)


def convert(v: Value, spec: TypeSpec | None, evaluate: Callable[[Any], Value]) -> Value:
    """`v` with the optional attributes of `spec` filled in (null, or their default)."""
    if spec is None or v.state is not State.KNOWN:
        return v
    d = v.data
    if spec.kind == "object":
        if type(d) is not dict or spec.attrs is None:
            return v  # null, or a lazy object (a resource or module): leave it be
        out = dict(d)
        for name, at in spec.attrs.items():
            cur = out.get(name)
            if cur is None or (cur.state is State.KNOWN and cur.data is None):
                if not at.optional:
                    continue  # Terraform would reject the value; not ours to report
                if at.default is not None:
                    out[name] = convert(evaluate(at.default), at.type, evaluate)
                elif cur is None:
                    out[name] = Value.known(None, v.span)
            else:
                out[name] = convert(cur, at.type, evaluate)
        return Value(v.state, out, v.span, v.reason, v.refs, v.via)
    if spec.kind == "map" and type(d) is dict:
        conv = {k: convert(x, spec.elem, evaluate) for k, x in d.items()}
        return Value(v.state, conv, v.span, v.reason, v.refs, v.via)
    if spec.kind in ("list", "set") and type(d) is list:
        items = [convert(x, spec.elem, evaluate) for x in d]
        return Value(v.state, items, v.span, v.reason, v.refs, v.via)
    if spec.kind == "tuple" and type(d) is list:
        items = [convert(x, t, evaluate) for x, t in zip(d, spec.elems, strict=False)]
        items.extend(d[len(spec.elems) :])
        return Value(v.state, items, v.span, v.reason, v.refs, v.via)
    return v
