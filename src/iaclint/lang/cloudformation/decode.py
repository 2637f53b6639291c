"""Reading a template file into raw Values with spans, before any intrinsic function is evaluated.

YAML goes through PyYAML's C composer (libyaml) to a node graph whose marks give positions; JSON
goes through `iaclint.lang.jsonpos`. Both produce the same shape: the template as `json.loads`
would give it, with YAML short-form tags (`!Ref x`, `!GetAtt a.b`) rewritten to their long forms
(`{"Ref": "x"}`, `{"Fn::GetAtt": ["a", "b"]}`), so the evaluator sees one language.

Mapping members span from their key to the end of their value (as in `jsonpos`), so a finding on a
property points at its key.
"""

from __future__ import annotations

from dataclasses import field, replace
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from iaclint.budget import LIMITS, Limits
from iaclint.fileaccess import megabytes
from iaclint.lang.jsonpos import JsonError, JsonLimit, parse_json
from iaclint.records import record
from iaclint.resources import Diagnostic
from iaclint.source import SourceText, Span
from iaclint.values import State, Value

# Bounds (all in `budget.Limits`): nesting is `depth` (libyaml itself refuses beyond 1000, and the
# evaluator recurses per level, so a lower bound keeps it far from Python's recursion limit).
# Aliases are shared, not copied, while building; the size the document would have if every alias
# were expanded (a "billion laughs" document) is bounded in values (`document_nodes`) and in the
# text aliases repeat (`alias_chars`: sixteen anchored `Fn::Join` levels over a 40 KB scalar are
# few values but gigabytes of text), so later tree walks and evaluation stay bounded too.

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
            # Rule functions (Rules section only): AWS's own templates use their short forms.
            "Contains",
            "EachMemberEquals",
            "EachMemberIn",
            "RefAll",
            "ValueOf",
            "ValueOfAll",
        )
    },
}

# PyYAML's implicit resolvers for plain scalars (YAML 1.1: bools, ints, floats, null, timestamps,
# merge keys), by first character; read once, never changed.
_IMPLICIT: dict[str, list[tuple[str, Any]]] = {
    k: list(v) for k, v in yaml.resolver.Resolver.yaml_implicit_resolvers.items() if k is not None
}
_KNOWN = State.KNOWN
_CONSTRUCTOR = SafeConstructor()
_SCALARS = {
    _INT: SafeConstructor.construct_yaml_int,
    _FLOAT: SafeConstructor.construct_yaml_float,
    _BOOL: SafeConstructor.construct_yaml_bool,
}


# Value and Span fill their slots directly in their own constructors (values.py, source.py).
_span = Span
_KNOWN = State.KNOWN


def _known(data: Any, span: Span) -> Value:
    return Value(_KNOWN, data, span)


class DecodeError(Exception):
    """The file could not be read as a template at all."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@record
class Decoded:
    """A template's raw content and the problems met on the way that did not stop reading."""

    root: Value
    diagnostics: list[Diagnostic] = field(default_factory=list)


def decode(source: SourceText, limits: Limits = LIMITS) -> Decoded:
    """Read a template (JSON or YAML, decided by content) into raw Values. Raises DecodeError."""
    path = source.path
    text = source.text
    if path.endswith(".json"):
        return _decode_json(source, limits)
    if text.lstrip()[:1] == "{":
        # JSON is YAML too, but the JSON reader is faster and exact; fall back on YAML for a flow
        # mapping that is not strict JSON (not for JSON refused for its size or depth).
        try:
            return _decode_json(source, limits)
        except _JsonRefused:
            raise
        except DecodeError:
            pass
    return _decode_yaml(source, limits)


class _JsonRefused(DecodeError):
    """Valid JSON, or so far, refused for its nesting or its size."""


def _decode_json(source: SourceText, limits: Limits) -> Decoded:
    duplicates: list[tuple[str, Span]] = []
    try:
        root = parse_json(
            source, max_depth=limits.depth, duplicates=duplicates, max_values=limits.document_nodes
        )
    except JsonLimit as exc:
        raise _JsonRefused(f"JSON {exc.message}", exc.line, exc.column) from None
    except JsonError as exc:
        raise DecodeError(f"invalid JSON: {exc.message}", exc.line, exc.column) from None
    diags = [
        Diagnostic(
            source.path, s.line, s.column, f"duplicate key '{key}': the last one is used", partial=True
        )
        for key, s in duplicates
    ]
    return Decoded(root, diags)


def _mark_error(exc: yaml.MarkedYAMLError, what: str, length: int) -> DecodeError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    context = exc.context_mark
    if context is not None and (mark is None or mark.index >= length):
        # The problem was only noticed at the end of the stream (a quote or a flow collection that
        # never closes): that mark says nothing; where the construct opened (the context) does.
        mark = context
        if exc.context and exc.problem:
            problem = f"{exc.problem} {exc.context}"
    if mark is None:
        return DecodeError(f"{what}: {problem}")
    return DecodeError(f"{what}: {problem}", mark.line + 1, mark.column + 1)


def _decode_yaml(source: SourceText, limits: Limits) -> Decoded:
    diags: list[Diagnostic] = []
    parser = CParser(source.text)
    try:
        builder = _EventBuilder(source.path, parser.get_event, diags, limits)
        try:
            root = builder.document()
        except _Refused as exc:
            # The node graph used to be composed (and parse errors raised) before any value was
            # built: a syntax error later in the document still wins over a refusal.
            _drain_document(parser.get_event, source)
            raise DecodeError(exc.message, exc.mark.line + 1, exc.mark.column + 1) from None
        except yaml.YAMLError as exc:
            raise _yaml_error(exc, source) from None
        if root is None:
            raise DecodeError("empty YAML document")
        try:
            more = _has_more_documents(parser.get_event)
        except yaml.YAMLError:
            more = True
        if more:
            # First, as when the whole document was composed before its values were read.
            diags.insert(
                0,
                Diagnostic(
                    source.path,
                    builder.root_end.line + 1,
                    1,
                    "more than one YAML document: only the first is read",
                    partial=True,
                )
            )
    finally:
        parser.dispose()
    return Decoded(root, diags)


def _yaml_error(exc: yaml.YAMLError, source: SourceText) -> DecodeError:
    if isinstance(exc, yaml.MarkedYAMLError):
        return _mark_error(exc, "invalid YAML", len(source.text))
    if isinstance(exc, yaml.reader.ReaderError):
        # A character YAML does not allow (NUL, other control characters): a position only.
        at = source.span_from_offsets(max(0, min(exc.position, len(source.text))), 0)
        return DecodeError(f"invalid YAML: {exc.reason} (#x{exc.character:04x})", at.line, at.column)
    return DecodeError(f"invalid YAML: {exc}")


def _drain_document(next_event: Any, source: SourceText) -> None:
    """Read the rest of the first document; raise its first syntax error as a DecodeError."""
    try:
        while True:
            ev = next_event()
            if type(ev) is DocumentEndEvent or type(ev) is StreamEndEvent:
                return
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from None


def _has_more_documents(next_event: Any) -> bool:
    return type(next_event()) is not StreamEndEvent


class _Refused(Exception):
    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Anchor:
    """An anchored node: its Value once built (None while it is still being built), how many nodes
    it stands for when aliased, and what a mapping key needs (its raw text and resolved tag)."""

    __slots__ = ("chars", "mark", "raw", "size", "tag", "value")

    def __init__(self, mark: Any) -> None:
        self.mark = mark
        self.value: Value | None = None
        self.size = 0
        # The text an alias of it repeats: its own text (no less than its scalars' text) and
        # what the aliases inside it repeat.
        self.chars = 0
        self.raw: str | None = None
        self.tag = ""


def _resolve_plain(value: str) -> str:
    """The implicit tag of a plain scalar, as PyYAML's resolver decides it (same table, same
    order), without its per-call overhead. Most keys and values start with a letter that no
    resolver claims, so one dictionary lookup settles them."""
    resolvers = _IMPLICIT.get(value[0] if value else "")
    if resolvers is not None:
        for tag, regexp in resolvers:
            if regexp.match(value):
                return tag
    return _STR


_BOOL_VALUES: dict[str, bool] = dict(SafeConstructor.bool_values)
# A number written with more characters than this keeps its text as a string value. Python's own
# `int()` refuses more than 4,300 digits by default (and may be told to take any number, in time
# quadratic in the digits), PyYAML's base-60 reading (`1:2:3...`) is quadratic too, and no property
# of any template takes such a number: the text is exactly what CloudFormation would use where it
# wants a string, and `as_number()` still reads it.
NUMBER_CHARS = 4300
# `_plain_data` could not settle the scalar: the general reader (`_EventBuilder.node`) must.
_SLOW: Any = object()


def _plain_data(text: str, resolvers: list[tuple[str, Any]]) -> Any:
    """The data of an untagged plain scalar whose first character some resolver claims, for the
    common outcomes (string, null, boolean, decimal integer); `_SLOW` for the rest (floats, octal
    or sexagesimal integers, merge and value keys), which need PyYAML's constructors or a warning.
    Same table and order as `_resolve_plain`, same results as `plain`."""
    tag = _STR
    for claim, regexp in resolvers:
        if regexp.match(text):
            tag = claim
            break
    if tag == _STR:
        return text
    if tag == _BOOL:
        return _BOOL_VALUES[text.lower()]
    if tag == _NULL:
        return None
    if tag == _INT:
        # YAML 1.1: a leading 0 is octal, `_` separates digits, `:` is base 60: PyYAML decides those.
        if text.isdigit() and text.isascii() and (text[0] != "0" or len(text) == 1):
            return int(text) if len(text) <= NUMBER_CHARS else text
        return _SLOW
    if tag == _TIMESTAMP:
        return text  # CloudFormation reads dates as strings (see `plain`)
    return _SLOW


def _short_scalar(long_form: str, text: str, span: Span) -> Value:
    """`!Ref x` and the like on a scalar: the long form, inner value at the same span (as `new`)."""
    inner = _known(text, span)
    if long_form == "Fn::GetAtt":
        # `!GetAtt Res.Attr.Sub` names resource `Res` and attribute `Attr.Sub`.
        inner = _known([_known(p, span) for p in text.split(".", 1)], span)
    return _known({long_form: inner}, span)


class _EventBuilder:
    """Builds Values straight from libyaml's parse events (no node graph, no resolver objects).

    Positions are the ones PyYAML's composer gives its nodes: a node starts at its first event and
    ends at its last one. Aliases share the anchored Value instead of copying it.
    """

    def __init__(self, path: str, next_event: Any, diags: list[Diagnostic], limits: Limits) -> None:
        self.path = path
        self.next = next_event
        self.diags = diags
        self.anchors: dict[str, _Anchor] = {}
        # Values the document stands for, each alias counted as all it stands for; the text the
        # aliases repeat.
        self.expanded = 0
        self.alias_chars = 0
        self.max_depth = limits.depth
        self.max_nodes = limits.document_nodes
        self.max_alias_chars = limits.alias_chars
        self.root_end: Any = None

    def too_large(self, mark: Any) -> _Refused:
        return _Refused(f"YAML document larger than {self.max_nodes:,} values", mark)

    def document(self) -> Value | None:
        nxt = self.next
        ev = nxt()  # stream start
        ev = nxt()
        if type(ev) is StreamEndEvent:
            return None
        ev = nxt()  # the event after the document start: the root node
        root = self.node(ev, None, None, 0)
        if self.root_end is None or type(ev) is ScalarEvent:
            self.root_end = ev.end_mark
        # The document's end belongs to it: a syntax error found there is the document's error.
        ev = nxt()
        if type(ev) is not DocumentEndEvent:
            raise _Refused(f"unexpected YAML event {type(ev).__name__}", ev.start_mark)
        return root

    def warn(self, mark: Any, message: str) -> None:
        self.diags.append(Diagnostic(self.path, mark.line + 1, mark.column + 1, message, partial=True))

    def node(self, ev: Any, start: Any, key_end: Any, depth: int) -> Value:
        """The Value of the node that begins with `ev`. `start` is the mark where its span begins
        (its key, for a mapping member); `key_end` ends that key."""
        kind = type(ev)
        if kind is AliasEvent:
            return self.alias(ev, start, key_end)
        if depth > self.max_depth:
            raise _Refused(f"nesting deeper than {self.max_depth} levels", ev.start_mark)
        anchor = ev.anchor
        if anchor is None:
            value = self.new(ev, kind, start, depth)
            self.expanded += 1
            if self.expanded > self.max_nodes:
                raise self.too_large(ev.start_mark)
            return value
        if anchor in self.anchors:
            raise DecodeError("invalid YAML: found duplicate anchor", ev.start_mark.line + 1,
                              ev.start_mark.column + 1)
        entry = self.anchors[anchor] = _Anchor(ev.start_mark)
        before = self.expanded
        chars_before = self.alias_chars
        value = self.new(ev, kind, start, depth)
        self.expanded += 1
        if self.expanded > self.max_nodes:
            raise self.too_large(ev.start_mark)
        entry.value = value
        entry.size = self.expanded - before
        # A collection's reader leaves its last event's end in `root_end`.
        end = ev.end_mark if kind is ScalarEvent else self.root_end
        entry.chars = max(0, end.index - ev.start_mark.index) + self.alias_chars - chars_before
        if kind is ScalarEvent:
            entry.raw = ev.value
            entry.tag = self.scalar_tag(ev)
        return value

    def alias(self, ev: Any, start: Any, key_end: Any) -> Value:
        entry = self.anchors.get(ev.anchor)
        if entry is None:
            m = ev.start_mark
            raise DecodeError("invalid YAML: found undefined alias", m.line + 1, m.column + 1)
        value = entry.value
        if value is None:
            raise _Refused("recursive YAML alias (a node that contains itself)", entry.mark)
        self.expanded += entry.size
        if self.expanded > self.max_nodes:
            raise _Refused(
                f"YAML aliases expand to more than {self.max_nodes:,} values (refused as an alias bomb)",
                entry.mark,
            )
        self.alias_chars += entry.chars
        if self.alias_chars > self.max_alias_chars:
            raise _Refused(
                f"YAML aliases repeat more than {megabytes(self.max_alias_chars)} of text"
                " (refused as an alias bomb)",
                entry.mark,
            )
        # The alias token's own extent is not kept: a member reusing an anchor spans its key; an
        # aliased list item keeps the anchor's place.
        if start is None:
            return value
        end = key_end or start
        return replace(
            value, span=_span(self.path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)
        )

    @staticmethod
    def scalar_tag(ev: Any) -> str:
        tag = ev.tag
        if tag is None or tag == "!":
            return _resolve_plain(ev.value) if ev.implicit[0] else _STR
        return tag

    def new(self, ev: Any, kind: type, start: Any, depth: int) -> Value:
        tag = ev.tag
        long_form = SHORT_FORMS.get(tag) if tag is not None else None
        if long_form is not None:
            inner = self.plain(ev, kind, start, depth + 1, True)
            if long_form == "Fn::GetAtt" and kind is ScalarEvent and isinstance(inner.data, str):
                # `!GetAtt Res.Attr.Sub` names resource `Res` and attribute `Attr.Sub`.
                parts = inner.data.split(".", 1)
                inner = _known([_known(p, inner.span) for p in parts], inner.span)
            return _known({long_form: inner}, inner.span)
        return self.plain(ev, kind, start, depth, False)

    def plain(self, ev: Any, kind: type, start: Any, depth: int, short: bool) -> Value:
        if start is None:
            start = ev.start_mark
        if kind is ScalarEvent:
            end = ev.end_mark
            span = _span(self.path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)
            text = ev.value
            if short:
                return _known(text, span)
            tag = ev.tag
            if tag is None or tag == "!":
                tag = _resolve_plain(text) if ev.implicit[0] else _STR
            if tag in (_STR, _TIMESTAMP):
                # CloudFormation reads dates (AWSTemplateFormatVersion: 2010-09-09) as strings.
                return _known(text, span)
            if tag == _NULL:
                return _known(None, span)
            convert = _SCALARS.get(tag)
            if convert is not None:
                if tag != _BOOL and len(text) > NUMBER_CHARS:
                    return _known(text, span)  # see NUMBER_CHARS
                try:
                    return _known(convert(_CONSTRUCTOR, ScalarNode(tag, text)), span)
                except OverflowError:
                    # A base-60 float (`1:2:...:3.5`) past the float range: its text, as above.
                    return _known(text, span)
                except (ConstructorError, ValueError, IndexError) as exc:
                    # IndexError: PyYAML's int constructor on an empty `!!int ''`.
                    self.warn(ev.start_mark, f"cannot read YAML scalar {text[:40]!r}: {exc}")
                    return Value.unknown(f"unreadable YAML scalar ({tag})", span)
            self.warn(ev.start_mark, f"unsupported YAML tag {tag}: the value is treated as unknown")
            return Value.unknown(f"unsupported YAML tag {tag}", span)
        if kind is SequenceStartEvent:
            return self.sequence(ev, start, depth, short)
        if kind is MappingStartEvent:
            return self.mapping(ev, start, depth, short)
        raise _Refused(f"unexpected YAML event {kind.__name__}", ev.start_mark)

    def quietly(self, ev: Any, depth: int) -> None:
        """Read a node that is not kept (a key's anchor, a key that is no scalar) without warnings:
        nothing in it is used unless an alias names it."""
        diags, self.diags = self.diags, []
        try:
            self.node(ev, None, None, depth)
        finally:
            self.diags = diags

    def unsupported(self, ev: Any, tag: str, start: Any, depth: int, end_kind: type) -> Value:
        """A collection with a tag CloudFormation does not know: read past it, keep nothing."""
        self.warn(ev.start_mark, f"unsupported YAML tag {tag}: the value is treated as unknown")
        nxt = self.next
        while True:
            child = nxt()
            if type(child) is end_kind:
                break
            self.quietly(child, depth + 1)  # what is inside is not read: nothing to say about it
        end = self.root_end = child.end_mark
        return Value.unknown(
            f"unsupported YAML tag {tag}",
            _span(self.path, start.line + 1, start.column + 1, end.line + 1, end.column + 1),
        )

    def sequence(self, ev: Any, start: Any, depth: int, short: bool) -> Value:
        tag = ev.tag
        if not short and tag is not None and tag != "!" and tag != _SEQ:
            return self.unsupported(ev, tag, start, depth, SequenceEndEvent)
        nxt = self.next
        node = self.node
        items: list[Value] = []
        child_depth = depth + 1
        fast = child_depth <= self.max_depth
        max_nodes = self.max_nodes
        path = self.path
        while True:
            child = nxt()
            kind = type(child)
            if kind is SequenceEndEvent:
                break
            if kind is ScalarEvent and child.anchor is None and fast:
                # What `node` would build, without its chain of calls (see `mapping`).
                text = child.value
                tag = child.tag
                long_form = None
                data: Any = text
                if tag is None:
                    if child.implicit[0]:
                        resolvers = _IMPLICIT.get(text[:1])
                        if resolvers is not None:
                            data = _plain_data(text, resolvers)
                else:
                    long_form = SHORT_FORMS.get(tag)
                    if long_form is None:
                        data = _SLOW
                if data is not _SLOW:
                    st = child.start_mark
                    end = child.end_mark
                    span = _span(path, st.line + 1, st.column + 1, end.line + 1, end.column + 1)
                    items.append(
                        _known(data, span) if long_form is None else _short_scalar(long_form, text, span)
                    )
                    self.expanded += 1
                    if self.expanded > max_nodes:
                        raise self.too_large(st)
                    continue
            if kind is MappingStartEvent and fast and child.tag is None and child.anchor is None:
                items.append(self.mapping(child, child.start_mark, child_depth, False))
                self.expanded += 1
                if self.expanded > max_nodes:
                    raise self.too_large(child.start_mark)
                continue
            items.append(node(child, None, None, child_depth))
        self.root_end = child.end_mark
        if items and not ev.flow_style:
            last = items[-1].span
            if last is not None:
                return _known(
                    items, _span(self.path, start.line + 1, start.column + 1, last.end_line, last.end_column)
                )
        end = child.end_mark
        span = _span(self.path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)
        return _known(items, span)

    def mapping(self, ev: Any, start: Any, depth: int, short: bool) -> Value:
        tag = ev.tag
        if not short and tag is not None and tag != "!" and tag != _MAP:
            return self.unsupported(ev, tag, start, depth, MappingEndEvent)
        nxt = self.next
        node = self.node
        child_depth = depth + 1
        fast = child_depth <= self.max_depth
        max_nodes = self.max_nodes
        path = self.path
        members: dict[str, Value] = {}
        merged: dict[str, Value] | None = None
        while True:
            kev = nxt()
            kkind = type(kev)
            if kkind is MappingEndEvent:
                break
            if kkind is ScalarEvent:
                name = kev.value
                if kev.anchor is not None:
                    self.quietly(kev, child_depth)  # only to register the anchor
                # Only `<<` (or an explicit tag) can be a merge key: skip the resolver otherwise.
                is_merge = (name == "<<" or kev.tag is not None) and self.scalar_tag(kev) == _MERGE
                kstart = kev.start_mark
            elif kkind is AliasEvent:
                entry = self.anchors.get(kev.anchor)
                if entry is None or entry.value is None:
                    self.alias(kev, None, None)  # raises the matching error
                    continue
                if entry.raw is None:
                    self.warn(entry.mark, "a mapping key that is not a scalar: the member is ignored")
                    node(nxt(), None, None, child_depth)
                    continue
                name = entry.raw
                is_merge = entry.tag == _MERGE
                kstart = kev.start_mark
            else:
                self.warn(kev.start_mark, "a mapping key that is not a scalar: the member is ignored")
                self.quietly(kev, child_depth)
                self.quietly(nxt(), child_depth)
                continue
            vev = nxt()
            if is_merge:
                merged = self.merge(vev, child_depth, merged)
                continue
            if name in members:
                self.warn(kstart, f"duplicate key '{name}': the last one is used")
            vkind = type(vev)
            if vkind is ScalarEvent and vev.anchor is None and fast:
                # Most values are strings, numbers, booleans or short-form intrinsics (`!Ref x`):
                # built here, what `node` would build through four calls.
                text = vev.value
                tag = vev.tag
                long_form = None
                data: Any = text
                # The mark a refusal names: as before, the key for a string no resolver claims,
                # else the value (where `node` would have refused).
                mark = kstart
                if tag is None:
                    if vev.implicit[0]:
                        resolvers = _IMPLICIT.get(text[:1])
                        if resolvers is not None:
                            data = _plain_data(text, resolvers)
                            mark = vev.start_mark
                else:
                    long_form = SHORT_FORMS.get(tag)
                    mark = vev.start_mark
                    if long_form is None:
                        data = _SLOW
                if data is not _SLOW:
                    end = vev.end_mark
                    span = _span(path, kstart.line + 1, kstart.column + 1, end.line + 1, end.column + 1)
                    members[name] = (
                        _known(data, span) if long_form is None else _short_scalar(long_form, text, span)
                    )
                    self.expanded += 1
                    if self.expanded > max_nodes:
                        raise self.too_large(mark)
                    continue
            if (vkind is MappingStartEvent or vkind is SequenceStartEvent) and fast and (
                vev.tag is None and vev.anchor is None
            ):
                # A plain nested block: straight to its reader (what `node` would do, minus calls).
                value = (self.mapping if vkind is MappingStartEvent else self.sequence)(
                    vev, kstart, child_depth, False
                )
                self.expanded += 1
                if self.expanded > max_nodes:
                    raise self.too_large(vev.start_mark)
                members[name] = value
                continue
            members[name] = node(vev, kstart, kev.end_mark, child_depth)
        self.root_end = kev.end_mark
        if merged:
            merged.update(members)
            members = merged
        if members and not ev.flow_style:
            last = next(reversed(members.values())).span
            span = (
                None
                if last is None
                else _span(self.path, start.line + 1, start.column + 1, last.end_line, last.end_column)
            )
        else:
            span = None
        if span is None:
            end = kev.end_mark
            span = _span(self.path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)
        return _known(members, span)

    def merge(self, vev: Any, depth: int, merged: dict[str, Value] | None) -> dict[str, Value]:
        """`<<: *defaults` or `<<: [*a, *b]` (YAML 1.1 merge key): explicit keys win, earlier
        merges win."""
        out = {} if merged is None else merged
        sources: list[Value]
        if type(vev) is SequenceStartEvent and vev.anchor is None:
            # Each item is a source, whatever the sequence's tag.
            sources = []
            while True:
                child = self.next()
                if type(child) is SequenceEndEvent:
                    break
                sources.append(self.node(child, None, None, depth))
        else:
            built = self.node(vev, None, None, depth)
            sources = built.data if built.is_known and isinstance(built.data, list) else [built]
        for src in sources:
            if not (src.is_known and isinstance(src.data, dict)):
                s = src.span
                line, column = (s.line, s.column) if s is not None else (vev.start_mark.line + 1, 1)
                self.diags.append(
                    Diagnostic(self.path, line, column, "a YAML merge key '<<' needs a mapping: ignored",
                           partial=True)
                )
                continue
            for k, v in src.data.items():
                out.setdefault(k, v)
        return out


def _span_to(path: str, start: Any, end: Span) -> Span:
    return _span(path, start.line + 1, start.column + 1, end.end_line, end.end_column)
