"""String templates: quoted strings and heredocs in `.tf` files, `templatefile` files and the strings
of `.tf.json` files.

A quoted string or heredoc is rendered from its syntax nodes (`render_node`): literal text,
`${...}` interpolations and `%{if}`/`%{for}` directives. Text outside HCL syntax (a `templatefile`
file, a JSON string) is wrapped into an HCL heredoc and parsed with the same grammar, so `${...}`
and `%{...}` mean exactly what they mean in `.tf` files; spans of everything inside point at the
place the text came from (the `templatefile` call, the JSON string), since the wrapper has no place
of its own. What an expression inside evaluates to is asked of the evaluator (`Evaluating`).
"""

from __future__ import annotations

from typing import Any

from iaclint.budget import Budget
from iaclint.fileaccess import ScanRoots
from iaclint.lang.parsing import ParseDeadline, ParseTimeout
from iaclint.lang.terraform.context import Ctx, Evaluating
from iaclint.lang.terraform.hclvalues import error, is_error, reloc, to_bool, to_str
from iaclint.lang.terraform.syntax import SourceFile, first_error, parser, unescape
from iaclint.lang.unknowns import known_ends, merge_refs
from iaclint.source import SourceText, Span
from iaclint.values import State, Value

_KNOWN = State.KNOWN
_UNKNOWN = State.UNKNOWN
_PART_TYPES = frozenset({"template_interpolation", "template_directive"})


def render_node(ev: Evaluating, n: Any, ctx: Ctx) -> Value:
    """A quoted string or a heredoc: its text with interpolations and directives worked out."""
    sf = ctx.file
    data = sf.data
    kids = n.children
    span = sf.span(n)
    flush = 0
    content_start = -1
    if n.type == "quoted_template":
        quoted = True
        if len(kids) < 2 or kids[-1].type != "quoted_template_end":
            return error("unterminated string", span)
        start, end = kids[0].end_byte, kids[-1].start_byte
        parts = [k for k in kids[1:-1] if k.type in _PART_TYPES]
    else:
        quoted = False
        idents = [k for k in kids if k.type == "heredoc_identifier"]
        if len(idents) < 2:
            return error("unterminated heredoc", span)
        nl = data.find(b"\n", idents[0].end_byte)
        if nl == -1 or nl >= idents[-1].start_byte:
            return Value.known("", span)
        start = nl + 1
        end = data.rfind(b"\n", 0, idents[-1].start_byte) + 1
        end = max(end, start)
        parts = [k for k in kids if k.type in _PART_TYPES and start <= k.start_byte < end]
        content_start = start
        if kids[0].type == "heredoc_start" and sf.text(kids[0]) == "<<-":
            flush = _min_indent(data[start:end])
    if not parts:
        return Value.known(_lit(sf, start, end, False, False, quoted, flush, content_start), span)
    if (
        quoted
        and len(parts) == 1
        and parts[0].type == "template_interpolation"
        and parts[0].start_byte == start
        and parts[0].end_byte == end
    ):
        # "${x}" is x itself, whatever its type.
        inner = [k for k in parts[0].named_children if k.type == "expression"]
        if inner:
            return reloc(ev.node(inner[0], ctx), sf.span(inner[0]), span)
    pieces: list[str | Value] = []
    _render(ev, parts, start, False, end, False, ctx, quoted, flush, content_start, pieces)
    return join_pieces(pieces, span, ev.budget)

def _lit(
    sf: SourceFile,
    a: int,
    b: int,
    lstrip: bool,
    rstrip: bool,
    quoted: bool,
    flush: int,
    content_start: int,
) -> str:
    if b <= a:
        return ""
    text = sf.data[a:b].decode("utf-8", errors="replace")
    if flush:
        at_start = a == content_start or sf.data[a - 1 : a] == b"\n"
        text = _dedent(text, flush, at_start)
    text = unescape(text, quoted)
    if lstrip:
        text = text.lstrip()
    if rstrip:
        text = text.rstrip()
    return text

def _render(
    ev: Evaluating,
    parts: list[Any],
    lo: int,
    lo_strip: bool,
    hi: int,
    hi_strip: bool,
    ctx: Ctx,
    quoted: bool,
    flush: int,
    content_start: int,
    out: list[str | Value],
) -> None:
    sf = ctx.file
    pos = lo
    strip_next = lo_strip
    for p in parts:
        left, right = _strip_flags(p)
        out.append(_lit(sf, pos, p.start_byte, strip_next, left, quoted, flush, content_start))
        if p.type == "template_interpolation":
            inner = [k for k in p.named_children if k.type == "expression"]
            out.append(ev.node(inner[0], ctx) if inner else error("empty interpolation", sf.span(p)))
        else:
            _directive(ev, p, ctx, quoted, flush, content_start, out)
        pos = p.end_byte
        strip_next = right
    out.append(_lit(sf, pos, hi, strip_next, hi_strip, quoted, flush, content_start))

def _directive(
    ev: Evaluating, p: Any, ctx: Ctx, quoted: bool, flush: int, content_start: int, out: list[str | Value]
) -> None:
    sf = ctx.file
    d = p.named_children[0] if p.named_children else None
    if d is None:
        out.append(error("empty directive", sf.span(p)))
        return
    kids = d.children
    if d.type == "template_if":
        intro = kids[0]
        end = kids[-1]
        else_i = next((i for i, k in enumerate(kids) if k.type == "template_else_intro"), None)
        cond_nodes = [k for k in intro.named_children if k.type == "expression"]
        cond = ev.node(cond_nodes[0], ctx) if cond_nodes else error("if without condition")
        if cond.state is _UNKNOWN:
            out.append(
                Value.unknown(f"template condition is unknown: {cond.reason}", sf.span(p), cond.refs)
            )
            return
        truth = to_bool(cond)
        if truth is None:
            out.append(error("template condition is not a boolean", sf.span(p)))
            return
        if else_i is None:
            lo_node, hi_node, body = intro, end, kids[1:-1]
            if not truth:
                return
        elif truth:
            lo_node, hi_node, body = intro, kids[else_i], kids[1:else_i]
        else:
            lo_node, hi_node, body = kids[else_i], end, kids[else_i + 1 : -1]
        parts = [k for k in body if k.type in _PART_TYPES]
        _render(ev,
            parts,
            lo_node.end_byte,
            _strip_flags(lo_node)[1],
            hi_node.start_byte,
            _strip_flags(hi_node)[0],
            ctx,
            quoted,
            flush,
            content_start,
            out,
        )
        return
    if d.type == "template_for":
        start, end = kids[0], kids[-1]
        names, coll = ev.for_intro(start, ctx)
        its = ev.iterations(names, coll, None, ctx, sf.span(p))
        if isinstance(its, Value):
            out.append(its)
            return
        parts = [k for k in kids[1:-1] if k.type in _PART_TYPES]
        cap = ev.budget.limits.string_bytes
        first = len(out)
        size = 0
        for c in its:
            mark = len(out)
            _render(ev,
                parts,
                start.end_byte,
                _strip_flags(start)[1],
                end.start_byte,
                _strip_flags(end)[0],
                c,
                quoted,
                flush,
                content_start,
                out,
            )
            # Each round may repeat a long value: stop once the text is longer than any
            # string may be (join_pieces charges the whole text).
            size += _pieces_len(out, mark)
            if size > cap:
                del out[first:]
                ev.budget.string(size)
        return
    out.append(error(f"unsupported directive {d.type}", sf.span(p)))


def _strip_flags(n: Any) -> tuple[bool, bool]:
    """Whether a template marker strips whitespace before it (`${~`) and after it (`~}`)."""
    t = n.type
    if t == "template_directive":
        d = n.named_children[0] if n.named_children else None
        if d is None or not d.children:
            return False, False
        return _strip_flags(d.children[0])[0], _strip_flags(d.children[-1])[1]
    kids = n.children
    if len(kids) < 2:
        return False, False
    return kids[1].type == "strip_marker", kids[-2].type == "strip_marker"


def _min_indent(content: bytes) -> int:
    """Common leading whitespace of the non-blank lines of a `<<-` heredoc."""
    best: int | None = None
    for line in content.split(b"\n"):
        stripped = line.lstrip(b" \t")
        if not stripped.strip():
            continue
        ind = len(line) - len(stripped)
        best = ind if best is None else min(best, ind)
    return best or 0


def _dedent(text: str, n: int, at_start: bool) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i == 0 and not at_start:
            continue
        k = 0
        while k < n and k < len(line) and line[k] in " \t":
            k += 1
        lines[i] = line[k:]
    return "\n".join(lines)


def _pieces_len(pieces: list[str | Value], start: int) -> int:
    n = 0
    for p in pieces[start:]:
        if isinstance(p, str):
            n += len(p)
        else:
            n += len(p.known_prefix()) + len(p.known_suffix())
    return n


def join_pieces(pieces: list[str | Value], span: Span | None, budget: Budget) -> Value:
    """Concatenate template pieces; any unknown piece makes the whole unknown (refs of all pieces),
    with the text it is known to start and end with. The result's length is charged to `budget`
    before it is built."""
    values = [p for p in pieces if isinstance(p, Value)]
    unknown = [v for v in values if v.state is not _KNOWN]
    refs = merge_refs(values)
    if unknown:
        first = next((v for v in unknown if is_error(v)), unknown[0])
        if first.state is not _UNKNOWN:
            return error("template includes an absent value", span)
        if is_error(first):
            return Value.unknown(first.reason, span, refs)
        # The text around the unknown pieces is known: enough to tell a URL's scheme or domain.
        prefix, suffix = known_ends(pieces, _text)
        budget.string(len(prefix) + len(suffix))
        reason = f"template includes an unknown value: {first.reason}"
        return Value.unknown(reason, span, refs, prefix, suffix)
    out: list[str] = []
    size = 0
    for p in pieces:
        if isinstance(p, str):
            out.append(p)
            size += len(p)
            continue
        s = to_str(p)
        if s is None:
            what = "null" if p.data is None else "a collection"
            return error(f"template interpolates {what}", p.span or span)
        out.append(s)
        size += len(s)
    budget.string(size)
    return Value.known("".join(out), span, refs)


def _text(v: Value) -> str | None:
    return to_str(v) if v.state is _KNOWN else None


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


def parse_template(ev: Evaluating, text: str, key: Any) -> tuple[SourceText, Any] | str | None:
    """The parsed wrapper (cached by key), None when the template has a syntax error, or why it
    was not parsed (its parse deadline passed)."""
    cache_key = (key, text)
    cached = ev.template_cache.get(cache_key)
    if cached is not None:
        return cached or None
    data, wrapped = _wrap(text)
    src = SourceText("<template>", data, wrapped)
    try:
        tree = ParseDeadline(len(data)).parse(parser(), data, node_text=False)
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
    ev: Evaluating,
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
    # The wrapper added one line break before its closing marker.
    if v.state is State.KNOWN and isinstance(v.data, str) and v.data.endswith("\n"):
        return Value.known(v.data[:-1], span, v.refs)
    if v.state is _UNKNOWN and v.known_suffix().endswith("\n"):
        return Value.unknown(v.reason, v.span, v.refs, v.known_prefix(), v.known_suffix()[:-1])
    return v


def parse_expression(ev: Evaluating, text: str) -> tuple[SourceText, Any] | None:
    """`text` parsed as one HCL expression (the inside of `"${...}"`), or None if it is not one."""
    cache_key = ("expr", text)
    cached = ev.template_cache.get(cache_key)
    if cached is not None:
        return cached or None
    wrapped = f"t = {text}\n"
    data = wrapped.encode("utf-8")
    src = SourceText("<expression>", data, wrapped)
    try:
        root = ParseDeadline(len(data)).parse(parser(), data, node_text=False).root_node
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
