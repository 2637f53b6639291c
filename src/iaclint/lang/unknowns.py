"""How unknowns pass through operations, the same in every language.

Every evaluator (Terraform, CloudFormation, Bicep, ARM) builds values from other values. When an
input is unknown the result is too, and says why and what it derives from, here in one way:

- `unknown_from`: the result of an operation on inputs of which some are unknown: the first
  unknown input's reason (after what the operation is, `because`) and the `refs` of all the inputs
  (`merge_refs`; `deep` also collects refs inside known containers, for languages whose values
  hold no lazy members).
- `known_ends`: the text a string built from pieces (a template, `format`, `join`, `Fn::Sub`,
  `concat`, interpolation) is known to start and end with when some pieces are not known: the
  `https://` of `https://${host}`, the `.example.com` of `${name}.example.com`. An unknown piece
  that itself has known ends passes them on, so `"${local.url}/v1"` keeps the scheme of
  `local.url = "https://${var.host}"`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from iaclint.source import Span
from iaclint.values import State, Value

_KNOWN = State.KNOWN
_UNKNOWN = State.UNKNOWN

# An unknown's reason names its cause through the operations it went through; past this length only
# the cause is kept, so a long chain of operations (a hostile one is hundreds deep, repeated over a
# long list) cannot make each reason longer than the last.
REASON_CHARS = 300
# How deep `deep` ref collection looks into known containers.
_REF_DEPTH = 32


def merge_refs(values: Iterable[Value]) -> tuple[str, ...]:
    """The refs of `values`, in order, each once."""
    refs: dict[str, None] = {}
    for v in values:
        for r in v.refs:
            refs[r] = None
    return tuple(refs)


def refs_within(values: Iterable[Value]) -> tuple[str, ...]:
    """The refs of `values` and of every member of their known containers, in order, each once."""
    out: list[str] = []
    for v in values:
        _collect(v, out, 0)
    return tuple(dict.fromkeys(out))


def _collect(v: Value, out: list[str], depth: int) -> None:
    if v.refs:
        out.extend(v.refs)
    if depth > _REF_DEPTH or v.state is not _KNOWN:
        return
    d = v.data
    if isinstance(d, dict):
        for m in d.values():
            _collect(m, out, depth + 1)
    elif isinstance(d, list):
        for m in d:
            _collect(m, out, depth + 1)


def because(what: str, cause: str) -> str:
    """The reason of an unknown produced by operation `what` from an input unknown for `cause`."""
    if not (what and cause):
        return what or cause
    if cause.startswith(what) or len(cause) + len(what) > REASON_CHARS:
        return cause
    return f"{what}: {cause}"


def unknown_from(values: Sequence[Value], span: Span | None, what: str = "", *, deep: bool = False) -> Value:
    """The unknown result of operation `what` on `values`: the reason of the first unknown among
    them (after `what`), the refs of all of them (also from inside known containers with `deep`)."""
    reason, refs = unknown_parts(values, what, deep=deep)
    return Value.unknown(reason, span, refs)


def unknown_parts(
    values: Sequence[Value], what: str = "", *, deep: bool = False
) -> tuple[str, tuple[str, ...]]:
    """The reason and refs `unknown_from` gives its unknown, for a caller that builds it itself."""
    cause = next((v.reason for v in values if v.state is _UNKNOWN), "")
    refs = refs_within(values) if deep else merge_refs(values)
    return because(what, cause) or "unknown input", refs


def known_ends(pieces: Sequence[str | Value], text_of: Callable[[Value], str | None]) -> tuple[str, str]:
    """(prefix, suffix): what the concatenation of `pieces` is known to start and end with.

    A piece is text (a `str`, or a Value `text_of` turns into text) or not known as text (an
    unknown, or a value that is no string). The prefix is the text before the first piece not known
    as text, followed by that piece's own known start; the suffix is the last such piece's own known
    end, followed by the text after it. With every piece known as text there is nothing to say:
    ("", "")."""
    texts = [p if isinstance(p, str) else text_of(p) for p in pieces]
    gaps = [i for i, t in enumerate(texts) if t is None]
    if not gaps:
        return "", ""
    first, last = gaps[0], gaps[-1]
    head = "".join(t for t in texts[:first] if t is not None)
    tail = "".join(t for t in texts[last + 1 :] if t is not None)
    lo, hi = pieces[first], pieces[last]
    assert isinstance(lo, Value) and isinstance(hi, Value)
    return head + lo.known_prefix(), hi.known_suffix() + tail
