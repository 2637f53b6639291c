"""Terraform plan JSON (`terraform show -json plan.out`): resources as Terraform will create them.

Resources come from `planned_values.root_module` and its nested `child_modules`; `values` are
exact (nested blocks are already lists of objects), except where
`resource_changes[].change.after_unknown` marks them known only after apply. Every value spans its
place in the plan file (a member from its key to the end of its value), and a resource's span is its
`address` member. Data sources are not emitted.
"""

from __future__ import annotations

from iaclint.budget import LIMITS
from iaclint.discover import Unit
from iaclint.fileaccess import ScanRoots
from iaclint.lang.jsonpos import JsonError, parse_json
from iaclint.lang.options import PlanOptions, roots_for
from iaclint.lang.terraform.files import read_source
from iaclint.resources import Diagnostic, LoadResult, Resource
from iaclint.source import Span
from iaclint.values import State, Value

LANGUAGE = "terraform"
_KNOWN = State.KNOWN


def load(units: list[Unit], options: PlanOptions | None = None) -> LoadResult:
    """Bad input becomes diagnostics; an exception here is a bug, reported by the engine."""
    result = LoadResult()
    roots = roots_for(options.roots if options else None, [u.path for u in units])
    for unit in units:
        for f in unit.files:
            _load_file(str(f), result, roots)
    return result


def _load_file(path: str, result: LoadResult, roots: ScanRoots) -> None:
    result.files_read.add(path)
    src = read_source(path, result.diagnostics, roots)
    if src is None:
        return
    try:
        doc = parse_json(src, max_depth=512)
    except JsonError as err:
        result.diagnostics.append(Diagnostic(path, err.line, err.column, f"invalid JSON: {err.message}"))
        return
    root = doc.path("planned_values", "root_module")
    if not root.is_known or not isinstance(root.data, dict):
        result.skipped[path] = "plan without planned_values (nothing planned)"
        return
    unknown_by_address: dict[str, Value] = {}
    for rc in doc.get("resource_changes").elements():
        addr = rc.get("address").data
        after_unknown = rc.path("change", "after_unknown")
        if isinstance(addr, str) and after_unknown.is_known:
            unknown_by_address[addr] = after_unknown
    _module(root, unknown_by_address, result.resources, 0)


def _module(mod: Value, unknowns: dict[str, Value], out: list[Resource], depth: int) -> None:
    if depth > LIMITS.depth:
        return
    for r in mod.get("resources").elements():
        if r.get("mode").data != "managed":
            continue
        address, type_, name = r.get("address"), r.get("type"), r.get("name")
        if not all(isinstance(x.data, str) for x in (address, type_, name)):
            continue
        addr = address.data
        values = r.get("values")
        span = address.span or r.span or Span.point("<plan>", 1)
        if not (values.is_known and isinstance(values.data, dict)):
            values = Value.known({}, r.span)
        body = _apply_unknown(values, unknowns.get(addr), addr, span)
        out.append(Resource(type_.data, addr, LANGUAGE, body, span, name.data, scope=span.path))
    for child in mod.get("child_modules").elements():
        _module(child, unknowns, out, depth + 1)


def _apply_unknown(v: Value, marks: Value | None, addr: str, span: Span) -> Value:
    """`v` with every member that `after_unknown` marks `true` replaced by an unknown."""
    if marks is None or not marks.is_known:
        return v
    m = marks.data
    if m is True:
        return Value.unknown(f"{addr}: known only after apply", v.span or span, (addr,))
    if isinstance(m, dict) and v.is_known and isinstance(v.data, dict):
        out = dict(v.data)
        for k, mk in m.items():
            if k in out:
                out[k] = _apply_unknown(out[k], mk, addr, span)
            elif mk.is_known and mk.data is True:
                out[k] = Value.unknown(f"{addr}.{k} is known only after apply", mk.span or span, (addr,))
        return Value.known(out, v.span, v.refs)
    if isinstance(m, list) and v.is_known and isinstance(v.data, list):
        items = list(v.data)
        for i, mk in enumerate(m):
            if i < len(items):
                items[i] = _apply_unknown(items[i], mk, addr, span)
        return Value.known(items, v.span, v.refs)
    return v
