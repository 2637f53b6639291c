"""Reading a template file into raw Values with spans, before any intrinsic function is evaluated.

YAML goes through PyYAML's C composer (libyaml) to a node graph whose marks give positions; JSON
goes through `iaclint.lang.jsonpos`. Both produce the same shape: the template as `json.loads`
would give it, with YAML short-form tags (`!Ref x`, `!GetAtt a.b`) rewritten to their long forms
(`{"Ref": "x"}`, `{"Fn::GetAtt": ["a", "b"]}`), so the evaluator sees one language.

Mapping members span from their key to the end of their value (as in `jsonpos`), so a finding on a
property points at its key.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from iaclint.lang.jsonpos import JsonError, parse_json
from iaclint.resources import Diagnostic
from iaclint.source import SourceText, Span
from iaclint.values import State, Value

# libyaml itself refuses nesting beyond 1000; templates are never close to this, and the evaluator
# recurses per level, so a lower bound keeps it far from Python's recursion limit.
MAX_DEPTH = 200
# Aliases are shared, not copied, while building; this bounds the size the document would have if
# every alias were expanded (a "billion laughs" document), so later tree walks stay bounded too.
MAX_EXPANDED_NODES = 2_000_000

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A private subclass, so nothing here changes PyYAML's global loaders."""


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"

# Short-form intrinsic tags and the long-form key each becomes.
SHORT_FORMS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!GetAtt": "Fn::GetAtt",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "Base64",
            "Cidr",
            "FindInMap",
            "GetAZs",
            "ImportValue",
            "Join",
            "Select",
            "Split",
            "Sub",
            "Transform",
            "If",
            "Equals",
            "Not",
            "And",
            "Or",
            "ToJsonString",
            "Length",
        )
    },
}

_CONSTRUCTOR = SafeConstructor()
_SCALARS = {
    _INT: SafeConstructor.construct_yaml_int,
    _FLOAT: SafeConstructor.construct_yaml_float,
    _BOOL: SafeConstructor.construct_yaml_bool,
}


class DecodeError(Exception):
    """The file could not be read as a template at all."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(slots=True)
class Decoded:
    """A template's raw content and the problems met on the way that did not stop reading."""

    root: Value
    diagnostics: list[Diagnostic] = field(default_factory=list)


def decode(source: SourceText) -> Decoded:
    """Read a template (JSON or YAML, decided by content) into raw Values. Raises DecodeError."""
    path = source.path
    text = source.text
    if path.endswith(".json"):
        return _decode_json(source)
    if text.lstrip()[:1] == "{":
        # JSON is YAML too, but the JSON reader is faster and exact; fall back on YAML for a flow
        # mapping that is not strict JSON.
        try:
            return _decode_json(source)
        except DecodeError:
            pass
    return _decode_yaml(source)


def _decode_json(source: SourceText) -> Decoded:
    duplicates: list[tuple[str, Span]] = []
    try:
        root = parse_json(source, max_depth=MAX_DEPTH, duplicates=duplicates)
    except JsonError as exc:
        raise DecodeError(f"invalid JSON: {exc.message}", exc.line, exc.column) from None
    diags = [
        Diagnostic(
            source.path, s.line, s.column, f"duplicate key '{key}': the last one is used", partial=True
        )
        for key, s in duplicates
    ]
    return Decoded(root, diags)


def _mark_error(exc: yaml.MarkedYAMLError, what: str) -> DecodeError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    if mark is None:
        return DecodeError(f"{what}: {problem}")
    return DecodeError(f"{what}: {problem}", mark.line + 1, mark.column + 1)


def _decode_yaml(source: SourceText) -> Decoded:
    loader = _Loader(source.text)
    diags: list[Diagnostic] = []
    try:
        try:
            # check_node() first: it consumes the stream start that the C get_node() expects gone.
            node = loader.get_node() if loader.check_node() else None
        except yaml.MarkedYAMLError as exc:
            raise _mark_error(exc, "invalid YAML") from None
        except yaml.reader.ReaderError as exc:
            # A character YAML does not allow (NUL, other control characters): a position only.
            at = source.span_from_offsets(max(0, min(exc.position, len(source.text))), 0)
            raise DecodeError(
                f"invalid YAML: {exc.reason} (#x{exc.character:04x})", at.line, at.column
            ) from None
        except yaml.YAMLError as exc:
            raise DecodeError(f"invalid YAML: {exc}") from None
        if node is None:
            raise DecodeError("empty YAML document")
        try:
            more = loader.check_node()
        except yaml.YAMLError:
            more = True
        if more:
            diags.append(
                Diagnostic(
                    source.path,
                    node.end_mark.line + 1,
                    1,
                    "more than one YAML document: only the first is read",
                    partial=True,
                )
            )
    finally:
        loader.dispose()
    builder = _Builder(source.path, diags)
    root = builder.build(node, None, 0)
    return Decoded(root, diags)


class _Refused(Exception):
    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.message = message
        self.node = node


class _Builder:
    """Turns a composed YAML node graph into Values, sharing aliased nodes instead of copying them."""

    def __init__(self, path: str, diags: list[Diagnostic]) -> None:
        self.path = path
        self.diags = diags
        self.memo: dict[int, tuple[Value, int]] = {}
        self.active: set[int] = set()
        self.expanded = 0

    def build(self, node: Node, start: Any, depth: int) -> Value:
        try:
            return self._build(node, start, depth)
        except _Refused as exc:
            mark = exc.node.start_mark
            raise DecodeError(exc.message, mark.line + 1, mark.column + 1) from None

    def span(self, start: Any, end: Any) -> Span:
        return Span(self.path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def warn(self, node: Node, message: str) -> None:
        m = node.start_mark
        self.diags.append(Diagnostic(self.path, m.line + 1, m.column + 1, message, partial=True))

    def _build(self, node: Node, start: Any, depth: int, key_end: Any = None) -> Value:
        """`start` is the mark where the value's span begins (its key, for a mapping member)."""
        key = id(node)
        hit = self.memo.get(key)
        if hit is not None:
            # An alias: the same node again. Share the Value, re-located to this use.
            value, size = hit
            self.expanded += size
            if self.expanded > MAX_EXPANDED_NODES:
                raise _Refused(
                    f"YAML aliases expand to more than {MAX_EXPANDED_NODES} nodes (refused as an alias bomb)",
                    node,
                )
            # The alias token's own extent is not in the composed graph: a member reusing an
            # anchor spans its key; an aliased list item keeps the anchor's place.
            if start is None:
                return value
            return replace(value, span=self.span(start, key_end or start))
        if key in self.active:
            raise _Refused("recursive YAML alias (a node that contains itself)", node)
        if depth > MAX_DEPTH:
            raise _Refused(f"nesting deeper than {MAX_DEPTH} levels", node)
        before = self.expanded
        self.active.add(key)
        try:
            value = self._build_new(node, start or node.start_mark, depth)
        finally:
            self.active.discard(key)
        self.expanded += 1
        if self.expanded > MAX_EXPANDED_NODES:
            raise _Refused(f"YAML document larger than {MAX_EXPANDED_NODES} nodes", node)
        self.memo[key] = (value, self.expanded - before)
        return value

    def _build_new(self, node: Node, start: Any, depth: int) -> Value:
        tag = node.tag
        long_form = SHORT_FORMS.get(tag)
        if long_form is not None:
            inner = self._plain(node, start, depth + 1, short=True)
            if long_form == "Fn::GetAtt" and isinstance(node, ScalarNode) and isinstance(inner.data, str):
                # `!GetAtt Res.Attr.Sub` names resource `Res` and attribute `Attr.Sub`.
                parts = inner.data.split(".", 1)
                inner = Value(State.KNOWN, [Value(State.KNOWN, p, inner.span) for p in parts], inner.span)
            return Value(State.KNOWN, {long_form: inner}, inner.span)
        return self._plain(node, start, depth, short=False)

    def _plain(self, node: Node, start: Any, depth: int, short: bool) -> Value:
        tag = node.tag
        if isinstance(node, ScalarNode):
            span = self.span(start, node.end_mark)
            if short or tag == _STR:
                return Value(State.KNOWN, node.value, span)
            if tag == _NULL:
                return Value(State.KNOWN, None, span)
            if tag == _TIMESTAMP:
                # CloudFormation reads dates (AWSTemplateFormatVersion: 2010-09-09) as strings.
                return Value(State.KNOWN, node.value, span)
            convert = _SCALARS.get(tag)
            if convert is not None:
                try:
                    return Value(State.KNOWN, convert(_CONSTRUCTOR, node), span)
                except (ConstructorError, ValueError) as exc:
                    self.warn(node, f"cannot read YAML scalar {node.value[:40]!r}: {exc}")
                    return Value.unknown(f"unreadable YAML scalar ({tag})", span)
            self.warn(node, f"unsupported YAML tag {tag}: the value is treated as unknown")
            return Value.unknown(f"unsupported YAML tag {tag}", span)
        if isinstance(node, SequenceNode):
            if not short and tag != _SEQ:
                self.warn(node, f"unsupported YAML tag {tag}: the value is treated as unknown")
                return Value.unknown(f"unsupported YAML tag {tag}", self.span(start, node.end_mark))
            items = [self._build(child, None, depth + 1) for child in node.value]
            end = items[-1].span if items and not node.flow_style else None
            span = self.span(start, node.end_mark) if end is None else _span_to(self.path, start, end)
            return Value(State.KNOWN, items, span)
        if isinstance(node, MappingNode):
            if not short and tag != _MAP:
                self.warn(node, f"unsupported YAML tag {tag}: the value is treated as unknown")
                return Value.unknown(f"unsupported YAML tag {tag}", self.span(start, node.end_mark))
            members = self._members(node, depth)
            last = next(reversed(members.values()), None) if members and not node.flow_style else None
            span = (
                self.span(start, node.end_mark)
                if last is None or last.span is None
                else _span_to(self.path, start, last.span)
            )
            return Value(State.KNOWN, members, span)
        raise _Refused(f"unexpected YAML node {type(node).__name__}", node)

    def _members(self, node: MappingNode, depth: int) -> dict[str, Value]:
        members: dict[str, Value] = {}
        merged: dict[str, Value] = {}
        for knode, vnode in node.value:
            if knode.tag == _MERGE:
                # `<<: *defaults` (YAML 1.1 merge key): explicit keys win, earlier merges win.
                sources = vnode.value if isinstance(vnode, SequenceNode) else [vnode]
                for src in sources:
                    built = self._build(src, None, depth + 1)
                    if not (built.is_known and isinstance(built.data, dict)):
                        self.warn(src, "a YAML merge key '<<' needs a mapping: ignored")
                        continue
                    for k, v in built.data.items():
                        merged.setdefault(k, v)
                continue
            if not isinstance(knode, ScalarNode):
                self.warn(knode, "a mapping key that is not a scalar: the member is ignored")
                continue
            name = knode.value
            if name in members:
                self.warn(knode, f"duplicate key '{name}': the last one is used")
            members[name] = self._build(vnode, knode.start_mark, depth + 1, knode.end_mark)
        if merged:
            merged.update(members)
            return merged
        return members


def _span_to(path: str, start: Any, end: Span) -> Span:
    return Span(path, start.line + 1, start.column + 1, end.end_line, end.end_column)
