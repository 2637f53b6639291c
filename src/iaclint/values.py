"""Values with provenance: the one representation every language loader produces.

A `Value` is in one of three states:

- known: `data` holds a Python scalar (str, int, float, bool, None for null) or a container whose
  members are Values themselves (`list[Value]`, `dict[str, Value]`), so every member keeps its span;
- unknown: it cannot be known from the code (`reason` says why); `refs` names the resources it
  derives from, which is how the model links resources (`aws_api_gateway_rest_api.x.id` is unknown
  but refers to `aws_api_gateway_rest_api.x`). An unknown string may still be known to start or end
  with some text (`Affixes`, read through `known_prefix()`/`known_suffix()`);
- absent: the attribute is not set at all.

`span` is where the value sits in the resource that uses it; `via` lists the places it came from on
the way (a variable default, a tfvars line, a module argument), outermost first. A text read from a
file (`file()`, `loadTextContent()`) names that file there too: its read mark (`read_mark`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from iaclint.records import record
from iaclint.source import Span


class State(Enum):
    KNOWN = "known"
    UNKNOWN = "unknown"
    ABSENT = "absent"


class _Unknown:
    """Placeholder for an unknown member in `Value.py()` output."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@record(frozen=True)
class Affixes:
    """What an unknown string is known to start and end with: `https://` and `.example.com` of
    `https://${host}.example.com`. Rides in an unknown Value's `data`."""

    prefix: str = ""
    suffix: str = ""


class _ValueSlots:
    """A mutable class with the very slots of `Value`, to build Values on (see `Value.__new__`)."""

    __slots__ = ("data", "reason", "refs", "span", "state", "via")


@dataclass(frozen=True, slots=True, init=False)
class Value:
    """A value as evaluation knows it: known, unknown or absent, where it is, and where it came from."""

    state: State
    data: Any = None
    span: Span | None = None
    reason: str = ""
    refs: tuple[str, ...] = ()
    via: tuple[Span, ...] = ()

    def __new__(
        cls,
        state: State = State.ABSENT,  # (the defaults serve unpickling, which calls `__new__(cls)`)
        data: Any = None,
        span: Span | None = None,
        reason: str = "",
        refs: tuple[str, ...] = (),
        via: tuple[Span, ...] = (),
    ) -> Value:
        # Loaders build hundreds of thousands of Values. A frozen class's slots are filled through
        # their descriptors' `__set__`, a call each (the dataclass's own __init__, one
        # object.__setattr__ per field, cost 1.6x that); a store on a class with the same slots and
        # no __setattr__ of its own is one bytecode. So the object is built on `_ValueSlots` and then
        # becomes a Value (`__class__`, allowed between classes of identical layout; checked at
        # import, see `_LAYOUT_TWIN`): 4,300 instructions a Value instead of 6,200. There is no
        # __init__, so nothing runs after this.
        if cls is not Value:  # a LazyValue fills its fields itself
            return object.__new__(cls)
        return make(state, data, span, reason, refs, via)

    # -- construction -------------------------------------------------------------------------
    @staticmethod
    def known(data: Any, span: Span | None = None, refs: tuple[str, ...] = ()) -> Value:
        return make(_KNOWN, data, span, "", refs)

    @staticmethod
    def unknown(
        reason: str,
        span: Span | None = None,
        refs: tuple[str, ...] = (),
        prefix: str = "",
        suffix: str = "",
    ) -> Value:
        """`prefix`, `suffix`: the text an unknown string is known to start and end with (`http://`
        and `/v1` of `http://${host}/v1`); they ride in `data`, read them through `known_prefix()`
        and `known_suffix()`."""
        return make(_UNKNOWN, Affixes(prefix, suffix) if prefix or suffix else None, span, reason, refs)

    @staticmethod
    def absent(span: Span | None = None) -> Value:
        return make(_ABSENT, None, span)

    @staticmethod
    def of(obj: Any, span: Span | None = None) -> Value:
        """Wrap plain Python data (as from json.loads) deeply, every member at `span`."""
        if isinstance(obj, Value):
            return obj
        if isinstance(obj, dict):
            return Value.known({str(k): Value.of(v, span) for k, v in obj.items()}, span)
        if isinstance(obj, (list, tuple)):
            return Value.known([Value.of(v, span) for v in obj], span)
        return Value.known(obj, span)

    def at(self, span: Span | None) -> Value:
        """The same value seen at a new place (where it is used); the old place joins `via`."""
        if span is None or span == self.span:
            return self
        via = self.via if self.span is None else (*self.via, self.span)
        # Direct construction: this runs for every value used through a variable, a hot path where
        # dataclasses.replace costs several times more.
        return Value(self.state, self.data, span, self.reason, self.refs, via)

    def with_refs(self, refs: tuple[str, ...]) -> Value:
        if not refs:
            return self
        merged = tuple(dict.fromkeys((*self.refs, *refs)))
        return Value(self.state, self.data, self.span, self.reason, merged, self.via)

    # -- state ----------------------------------------------------------------------------------
    @property
    def is_known(self) -> bool:
        return self.state is _KNOWN

    @property
    def is_unknown(self) -> bool:
        return self.state is _UNKNOWN

    @property
    def is_absent(self) -> bool:
        return self.state is _ABSENT

    @property
    def is_null(self) -> bool:
        """Absent or explicitly null: both mean 'not set' to a provider."""
        return self.state is _ABSENT or (self.state is _KNOWN and self.data is None)

    # -- navigation -----------------------------------------------------------------------------
    def get(self, key: str | int) -> Value:
        """Member by key or index. Absent when missing; unknown when this value is unknown."""
        # (`make` rather than `Value.unknown`/`Value.absent`: the model stage reads every field
        # through here.)
        state = self.state
        if state is _UNKNOWN:
            return make(_UNKNOWN, None, self.span, self.reason, self.refs)
        if state is _ABSENT:
            return make(_ABSENT, None, self.span)
        data = self.data
        if isinstance(data, dict) and isinstance(key, str):
            member = data.get(key)
            return member if member is not None else make(_ABSENT, None, self.span)
        if isinstance(data, list) and isinstance(key, int):
            return data[key] if -len(data) <= key < len(data) else make(_ABSENT, None, self.span)
        return make(_ABSENT, None, self.span)

    def path(self, *keys: str | int) -> Value:
        v = self
        for k in keys:
            v = v.get(k)
        return v

    def first(self, key: str) -> Value:
        """A nested block given as a list of blocks (Terraform) or as one object (templates)."""
        member = self.get(key)
        if member.is_known and isinstance(member.data, list):
            return member.data[0] if member.data else Value.absent(member.span)
        return member

    def items(self) -> Iterator[tuple[str, Value]]:
        if self.state is _KNOWN and isinstance(self.data, dict):
            yield from self.data.items()

    def elements(self) -> list[Value]:
        """Members of a known list; a known object counts as a list of one (a single block)."""
        if self.state is not _KNOWN:
            return []
        if isinstance(self.data, list):
            return self.data
        if isinstance(self.data, dict):
            return [self]
        return []

    # -- conversion -----------------------------------------------------------------------------
    def py(self) -> Any:
        """Plain Python data; unknown members become `UNKNOWN`, absent ones `None`."""
        if self.state is _UNKNOWN:
            return UNKNOWN
        if self.state is _ABSENT:
            return None
        data = self.data
        if isinstance(data, dict):
            return {k: v.py() for k, v in data.items()}
        if isinstance(data, list):
            return [v.py() for v in data]
        return data

    def is_fully_known(self) -> bool:
        if self.state is not _KNOWN:
            return False
        data = self.data
        if isinstance(data, dict):
            return all(v.is_fully_known() for v in data.values())
        if isinstance(data, list):
            return all(v.is_fully_known() for v in data)
        return True

    def as_str(self) -> str | None:
        """The string (numbers and booleans rendered as their template languages do), else None."""
        if self.state is not _KNOWN:
            return None
        d = self.data
        if d.__class__ is str:
            return d  # (most are: as `str(d)` gives it)
        if isinstance(d, bool):
            return "true" if d else "false"
        if isinstance(d, (str, int, float)):
            return str(d)
        return None

    def known_prefix(self) -> str:
        """The text this string is known to start with: all of it when known, the known head of
        an unknown string built around an unknown value, else ''."""
        if self.state is _KNOWN:
            return self.as_str() or ""
        if self.state is _UNKNOWN and type(self.data) is Affixes:
            return self.data.prefix
        return ""

    def known_suffix(self) -> str:
        """The text this string is known to end with: all of it when known, the known tail of an
        unknown string built around an unknown value, else ''."""
        if self.state is _KNOWN:
            return self.as_str() or ""
        if self.state is _UNKNOWN and type(self.data) is Affixes:
            return self.data.suffix
        return ""

    def as_bool(self) -> bool | None:
        """A boolean, also from the strings 'true'/'false' (any case), which templates often use."""
        if self.state is not _KNOWN:
            return None
        d = self.data
        if isinstance(d, bool):
            return d
        if isinstance(d, str) and d.strip().lower() in ("true", "false"):
            return d.strip().lower() == "true"
        return None

    def as_number(self) -> float | None:
        if self.state is not _KNOWN:
            return None
        d = self.data
        if isinstance(d, bool):
            return None
        if isinstance(d, (int, float)):
            try:
                return float(d)
            except OverflowError:  # an integer of more than 308 digits: past every limit
                return math.inf if d > 0 else -math.inf
        if isinstance(d, str):
            try:
                return float(d)
            except ValueError:
                return None
        return None

    def describe(self) -> str:
        """Short text for messages: the value, or why it is unknown."""
        if self.state is _UNKNOWN:
            return f"unknown ({self.reason})" if self.reason else "unknown"
        if self.state is _ABSENT:
            return "not set"
        s = self.as_str()
        if s is not None:
            s = s if len(s) <= _DESCRIBED else s[: _DESCRIBED - 1] + "…"
            return f'"{s}"' if isinstance(self.data, str) else s
        # A container: as Python shows it, cut short (a message must never carry a whole document).
        out: list[str] = []
        left = [_DESCRIBED]
        _render(self, out, left)
        text = "".join(out)
        return text if left[0] > 0 else text[: _DESCRIBED - 1] + "…"


# The most characters of a value `describe` shows.
_DESCRIBED = 200


def _render(v: Value, out: list[str], left: list[int]) -> None:
    """`v` written into `out` as JSON writes it (`["Http", "Https"]`, `true`, `null`: the way the
    code spells a list, not Python's `['Http', 'Https']`) until `left[0]` characters are spent."""
    if left[0] <= 0:
        return
    if v.state is not _KNOWN:
        piece = "UNKNOWN" if v.state is _UNKNOWN else "null"
    elif isinstance(v.data, dict):
        out.append("{")
        left[0] -= 1
        for i, (k, m) in enumerate(v.data.items()):
            if left[0] <= 0:
                return
            piece = (", " if i else "") + _scalar(k) + ": "
            out.append(piece)
            left[0] -= len(piece)
            _render(m, out, left)
        out.append("}")
        left[0] -= 1
        return
    elif isinstance(v.data, list):
        out.append("[")
        left[0] -= 1
        for i, m in enumerate(v.data):
            if left[0] <= 0:
                return
            if i:
                out.append(", ")
                left[0] -= 2
            _render(m, out, left)
        out.append("]")
        left[0] -= 1
        return
    else:
        piece = _scalar(v.data)[: max(left[0], 0) + 1]
    out.append(piece)
    left[0] -= len(piece)


def _scalar(data: object) -> str:
    """A member of a described container as JSON spells it."""
    if data is None:
        return "null"
    if isinstance(data, bool):
        return "true" if data else "false"
    if isinstance(data, str):
        return json.dumps(data, ensure_ascii=False)
    return repr(data)


_V_STATE, _V_DATA, _V_SPAN, _V_REASON, _V_REFS, _V_VIA = (
    Value.__dict__[n].__set__ for n in ("state", "data", "span", "reason", "refs", "via")
)
_new = object.__new__
# The states as module globals: `State.KNOWN` is an attribute of an Enum class, several times the
# cost of a global to look up, and the methods here are read for every field of every resource.
_KNOWN, _UNKNOWN, _ABSENT = State.KNOWN, State.UNKNOWN, State.ABSENT


def make(
    state: State,
    data: Any = None,
    span: Span | None = None,
    reason: str = "",
    refs: tuple[str, ...] = (),
    via: tuple[Span, ...] = (),
) -> Value:
    """`Value(state, data, span, reason, refs, via)`, the same object, for hot paths: without the
    class call in front of `Value.__new__` (a quarter of the instructions)."""
    if _LAYOUT_TWIN:
        v: Any = _new(_ValueSlots)
        v.state = state
        v.data = data
        v.span = span
        v.reason = reason
        v.refs = refs
        v.via = via
        v.__class__ = Value
        return v  # type: ignore[no-any-return]
    v = _new(Value)
    _V_STATE(v, state)
    _V_DATA(v, data)
    _V_SPAN(v, span)
    _V_REASON(v, reason)
    _V_REFS(v, refs)
    _V_VIA(v, via)
    return v  # type: ignore[no-any-return]


def _layout_twin_works() -> bool:
    """Whether Python lets a `_ValueSlots` become a Value (the same layout); else Values are built
    through the slot descriptors."""
    probe = _new(_ValueSlots)
    try:
        probe.__class__ = Value  # type: ignore[assignment]
    except TypeError:
        return False
    return True


_LAYOUT_TWIN = _layout_twin_works()


class EvaluationError(Exception):
    """Working out a LazyValue failed: a bug in a loader, reported with the file it was reading."""


class LazyValue(Value):
    """A Value worked out the first time any of its fields is read, then a plain Value in every
    way (equality, hashing, repr, pickling read the fields and so work it out first).

    Loaders use it for what may never be read: most resources in a scan are of types no rule looks
    at, and evaluating their bodies was most of a Bicep load. `compute` runs at most once; while it
    runs, `busy()` is True, and reading the value from inside it gives an unknown (a value that
    depends on itself) instead of recursing.
    """

    __slots__ = ("_compute",)

    def __init__(self, compute: Callable[[], Value]) -> None:
        # The fields stay unset: reading one calls __getattr__, which works them out.
        _L_COMPUTE(self, compute)

    def busy(self) -> bool:
        return self._compute is _BUSY

    def ready(self) -> bool:
        return self._compute is None

    def release(self) -> None:
        """Let go of what the value would be worked out from, if it was never read: its loader is
        done with the part (the checks have run), and the computation refers back to the loader's
        state, which refers to its values, a cycle only the cyclic collector could free. Reading
        it later raises EvaluationError."""
        if self._compute is not None and self._compute is not _BUSY:
            _L_COMPUTE(self, _released)

    def __getattr__(self, name: str) -> Any:
        # Called only for a field not filled yet (slots raise AttributeError until set).
        if name not in _FIELDS:
            raise AttributeError(name)
        compute = self._compute
        if compute is None:  # filled, so the field cannot be missing
            raise AttributeError(name)
        if compute is _BUSY:
            # Read from inside its own computation: that read sees an unknown, and the value
            # itself is still whatever the computation returns.
            return getattr(_SELF_DEPENDENT, name)
        _L_COMPUTE(self, _BUSY)
        try:
            v = compute()
        except RecursionError:
            v = Value.unknown("nested too deeply to evaluate")
        except BaseException:
            _L_COMPUTE(self, compute)  # not worked out: a later read tries again
            raise
        _V_STATE(self, v.state)
        _V_DATA(self, v.data)
        _V_SPAN(self, v.span)
        _V_REASON(self, v.reason)
        _V_REFS(self, v.refs)
        _V_VIA(self, v.via)
        _L_COMPUTE(self, None)
        return object.__getattribute__(self, name)

    def __eq__(self, other: object) -> bool:
        # The dataclass's __eq__ wants the same class; a LazyValue equals the Value it stands for.
        if isinstance(other, Value):
            return _fields(self) == _fields(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(_fields(self))

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (for `--jobs`) as the plain Value it stands for.
        return (Value, (self.state, self.data, self.span, self.reason, self.refs, self.via))


_FIELDS = frozenset(("state", "data", "span", "reason", "refs", "via"))


def _fields(v: Value) -> tuple[Any, ...]:
    return (v.state, v.data, v.span, v.reason, v.refs, v.via)
_BUSY: Any = object()


def _released() -> Value:
    raise EvaluationError("a value was read after its load result was released")

_SELF_DEPENDENT = Value.unknown("the value depends on itself")
_L_COMPUTE = LazyValue.__dict__["_compute"].__set__


# -- the file a value's text was read from ------------------------------------------------------------
#
# `file()`, `templatefile()` and Bicep `loadTextContent()` give the text of a file at the place of
# the call; the file itself joins the value's `via` as a *read mark*: a span on line 0, which no
# place in a file has, so it is never taken for one (reports never show it). Its end is the end of
# the text when the value is the file's content as it is, so positions in the text are positions in
# the file; it is line 0, column 0 when the text was made from the file (a rendered template), where
# only the file is known.


def read_mark(path: str, text: str | None) -> Span:
    """The read mark of a value whose text was read from `path`: ending where `text` ends when it
    is the file's content as it is, or with no extent when it was made from the file (None)."""
    if text is None:
        return Span(path, 0, 0, 0, 0)
    return Span(path, 0, 0, text.count("\n") + 1, len(text) - text.rfind("\n"))


def is_read_mark(span: Span) -> bool:
    """Whether a span of a value's `via` is the read mark of the file its text came from."""
    return span.line == 0


def covers_text(mark: Span, text: str) -> bool:
    """Whether a read mark covers `text` whole: the text is the file's content, position for
    position."""
    return mark == read_mark(mark.path, text)


def made_from(result: Value, args: list[Value]) -> Value:
    """`result`, a text a function made of `args` (`replace(loadTextContent('policy.xml'), ...)`),
    naming each file an argument's text was read from (see `made_from_files`)."""
    if result.state is not _KNOWN or result.data.__class__ is not str:
        return result  # first: every function call of the three languages comes through here
    files = {s.path: None for a in args for s in a.via if is_read_mark(s)}
    return made_from_files(result, files)


def made_from_files(result: Value, paths: Iterable[str]) -> Value:
    """`result`, a text made from the files at `paths` (a rendered template, a replace() over a
    file's text), naming each with a point mark: the file is known, positions in the text are not
    the file's (see `read_mark`)."""
    marks = tuple(read_mark(p, None) for p in paths)
    if not marks or result.state is not _KNOWN or result.data.__class__ is not str:
        return result
    return Value(result.state, result.data, result.span, result.reason, result.refs, (*result.via, *marks))
