"""Strings that are templates outside HCL syntax: `templatefile` files and `.tf.json` strings.

The text is wrapped into an HCL heredoc and parsed with the same grammar, so `${...}` and `%{...}`
mean exactly what they mean in `.tf` files. Spans of everything inside point at the place the text
came from (the `templatefile` call, the JSON string), since the wrapper has no place of its own.
"""

from __future__ import annotations

from typing import Any

from iaclint.fileaccess import ScanRoots
from iaclint.lang.parsing import ParseDeadline, ParseTimeout
from iaclint.lang.terraform.evaluate import Ctx, Evaluator, error
from iaclint.lang.terraform.syntax import SourceFile, first_error, parser
from iaclint.source import SourceText, Span
from iaclint.values import State, Value


class TemplateScope:
    """What a `templatefile` template can see: only the variables passed to it."""

    # Read by templatefile(), which a template may not call (as in Terraform).
    in_template = True

    def __init__(self, outer: Any) -> None:
        self.module_dir = outer.module_dir
        self.root_dir = outer.root_dir
        self._outer = outer

    def var(self, name: str) -> Value:
        return error(f"a template cannot refer to var.{name}; pass it in the variables")

    def local(self, name: str) -> Value:
        return error(f"a template cannot refer to local.{name}; pass it in the variables")

    def module_value(self, name: str) -> Value:
        return error(f"a template cannot refer to module.{name}")

    def resource_value(self, mode: str, type_: str, name: str) -> Value | None:
        return error(f"a template cannot refer to {type_}.{name}")

    def note_file(self, path: str) -> None:
        self._outer.note_file(path)

    def scan_roots(self) -> ScanRoots:
        return self._outer.scan_roots()  # type: ignore[no-any-return]


def _wrap(text: str) -> tuple[bytes, str]:
    marker = "IACLINT_TEMPLATE_END"
    n = 0
    lines = set(text.splitlines())
    while marker in lines or any(line.strip() == marker for line in lines):
        n += 1
        marker = f"IACLINT_TEMPLATE_END_{n}"
    wrapped = f"t = <<{marker}\n{text}\n{marker}\n"
    return wrapped.encode("utf-8"), wrapped


def parse_template(ev: Evaluator, text: str, key: Any) -> tuple[SourceText, Any] | str | None:
    """The parsed wrapper (cached by key), None when the template has a syntax error, or why it
    was not parsed (its parse deadline passed)."""
    cache_key = (key, text)
    cached = ev.template_cache.get(cache_key)
    if cached is not None:
        return cached or None
    data, wrapped = _wrap(text)
    src = SourceText("<template>", data, wrapped)
    try:
        tree = ParseDeadline(len(data)).parse(parser(), data)
    except ParseTimeout as err:
        ev.template_cache[cache_key] = err.reason
        return err.reason
    root = tree.root_node
    result: tuple[SourceText, Any] | None = None
    if not root.has_error or first_error(root) is None:
        node = _heredoc_expression(root)
        if node is not None:
            result = (src, node)
    ev.template_cache[cache_key] = result or ()
    return result


def _heredoc_expression(root: Any) -> Any:
    body = root.named_children[0] if root.named_children else None
    if body is None or body.type != "body" or not body.named_children:
        return None
    attr = body.named_children[0]
    if attr.type != "attribute":
        return None
    expr = attr.named_children[-1]
    return expr if expr.type == "expression" else None


def render_template(
    ev: Evaluator,
    text: str,
    key: Any,
    bindings: dict[str, Value] | None,
    span: Span | None,
    ctx: Ctx,
    restricted: bool = True,
) -> Value:
    """Evaluate `text` as a template; `restricted` limits names to `bindings` (templatefile)."""
    parsed = parse_template(ev, text, key)
    if parsed is None:
        return error("template has a syntax error", span)
    if isinstance(parsed, str):
        return Value.unknown(f"template not evaluated: {parsed}", span)
    src, node = parsed
    sf = SourceFile(src, None, fixed_span=span)
    scope = TemplateScope(ctx.scope) if restricted else ctx.scope
    inner = Ctx(scope, sf, bindings if restricted else {**ctx.bindings, **(bindings or {})})
    v = ev.node(node, inner)
    if v.state is State.KNOWN and isinstance(v.data, str) and v.data.endswith("\n"):
        # The wrapper added one line break before its closing marker.
        return Value.known(v.data[:-1], span, v.refs)
    return v


def parse_expression(ev: Evaluator, text: str) -> tuple[SourceText, Any] | None:
    """`text` parsed as one HCL expression (the inside of `"${...}"`), or None if it is not one."""
    cache_key = ("expr", text)
    cached = ev.template_cache.get(cache_key)
    if cached is not None:
        return cached or None
    wrapped = f"t = {text}\n"
    data = wrapped.encode("utf-8")
    src = SourceText("<expression>", data, wrapped)
    try:
        root = ParseDeadline(len(data)).parse(parser(), data).root_node
    except ParseTimeout:
        # Rendered as a template instead, which reports the deadline.
        ev.template_cache[cache_key] = ()
        return None
    result = None
    if not root.has_error:
        node = _heredoc_expression(root)
        if node is not None:
            result = (src, node)
    ev.template_cache[cache_key] = result or ()
    return result
