"""Indented JSON text, as `json.dumps(doc, ensure_ascii=False, indent=N)` writes it, made faster.

With `indent` set, the standard library encodes in Python through generators (its C encoder does
not indent): a report of 10,000 findings spent about 0.2 s there, in the scan process, after the
workers are done. This writer walks the document once, appending to one list and encoding strings
with the C `encode_basestring`; its output is the standard library's, byte for byte (a test holds
them together). A document with anything else than dicts, lists, tuples, strings, numbers,
booleans and None (or a dict key that is not a string) is left to `json.dumps`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

_INF = float("inf")
_int_repr = int.__repr__
_float_repr = float.__repr__


class Unsupported(Exception):
    """A value this writer does not render as `json.dumps` would: the caller falls back."""


def _float(o: float) -> str:
    # json's `floatstr` with allow_nan (the default).
    if o != o:
        return "NaN"
    if o == _INF:
        return "Infinity"
    if o == -_INF:
        return "-Infinity"
    return _float_repr(o)


def _scalar(o: Any) -> str:
    """A value that is no container, in the order json's encoder tests types."""
    if isinstance(o, str):
        return encode_basestring(o)  # type: ignore[no-any-return]
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, int):
        return _int_repr(o)
    if isinstance(o, float):
        return _float(o)
    raise Unsupported


# Exact types to their encoding (a subclass goes through `_scalar`, json's own order of tests).
_BY_TYPE: dict[type, Any] = {
    str: encode_basestring,
    int: _int_repr,
    float: _float,
    bool: {True: "true", False: "false"}.__getitem__,
    type(None): lambda _o: "null",
}
_CONTAINERS = (list, tuple, dict)


_SCALARS = frozenset({str, int, float, bool, type(None)})
_EMPTY_OK = frozenset({list, tuple, dict})
# Item separator -> a C encoder writing members with it (None: no C encoder in this Python).
_C_ENCODERS: dict[str, Any] = {}


def _c_encoder(sep: str) -> Any:
    if c_make_encoder is None:
        return None
    # As `json.JSONEncoder(ensure_ascii=False, indent=None, separators=(sep, ": "))` builds it.
    return c_make_encoder(None, None, encode_basestring, None, ": ", sep, False, False, True)


def _flat(o: dict[Any, Any]) -> bool:
    """Whether every member of `o` is a scalar or an empty container (written the same whether
    indented or not), so that nothing inside it needs indenting."""
    for v in o.values():
        t = type(v)
        if t not in _SCALARS and (t not in _EMPTY_OK or v):
            return False
    return True


def _write(o: Any, nl: str, step: str, out: list[str], keys: dict[str, str]) -> None:
    """`o` appended to `out`; `nl` is a line break and the indentation of the line `o` starts on;
    `keys` caches the encoded keys (with their separator)."""
    by_type = _BY_TYPE
    if isinstance(o, (list, tuple)):
        if not o:
            out.append("[]")
            return
        inner = nl + step
        sep = "," + inner
        lead = "[" + inner
        for v in o:
            enc = by_type.get(type(v))
            if enc is not None:
                out.append(lead + enc(v))
            elif isinstance(v, _CONTAINERS):
                out.append(lead)
                _write(v, inner, step, out, keys)
                if len(out) >= _FLUSH_PIECES and _sink is not None:
                    _sink(out)  # a report's findings: written as they come, not held whole
            else:
                out.append(lead + _scalar(v))
            lead = sep
        out.append(nl + "]")
        return
    if isinstance(o, dict):
        if not o:
            out.append("{}")
            return
        memo = _written
        if memo is not None and len(o) <= _SMALL:
            text = memo.get((id(o), nl))
            if text is not None:
                out.append(text)
                return
        inner = nl + step
        sep = "," + inner
        if _flat(o):
            # No member to indent: the C encoder writes the members, with the line break and
            # indentation as its item separator (a finding without related places is one call).
            enc = _C_ENCODERS.get(sep)
            if enc is None:
                enc = _C_ENCODERS[sep] = _c_encoder(sep)
            if enc is not None:
                text = "{" + inner + "".join(enc(o, 0))[1:-1] + nl + "}"
                out.append(text)
                if memo is not None and len(o) <= _SMALL:
                    memo[id(o), nl] = text
                return
        lead = "{" + inner
        for k, v in o.items():
            ks = keys.get(k) if type(k) is str else None
            if ks is None:
                if type(k) is not str:
                    raise Unsupported  # json converts numbers and booleans used as keys: left to it
                ks = keys[k] = encode_basestring(k) + ": "
            enc = by_type.get(type(v))
            if enc is not None:
                out.append(lead + ks + enc(v))
            elif isinstance(v, _CONTAINERS):
                out.append(lead + ks)
                _write(v, inner, step, out, keys)
            else:
                out.append(lead + ks + _scalar(v))
            lead = sep
        out.append(nl + "}")
        return
    out.append(_scalar(o))


# While `write_indented` runs: where the pieces go once a list of containers has made this many.
_sink: Callable[[list[str]], None] | None = None
# While a document is written: the text of each small flat dict written so far, by its id and
# indentation. A dict a document holds in several places (a related place several findings
# share) is written once; the document is alive while it is written, so no id is reused. Small
# dicts only (a finding's related places, files), so what is kept stays a fraction of the text.
_written: dict[tuple[int, str], str] | None = None
_SMALL = 8
_FLUSH_PIECES = 16384


def write_indented(doc: Any, indent: int, write: Callable[[str], object]) -> None:
    """`dumps_indented(doc, indent)` handed to `write` in pieces of a few hundred KB, so a large
    report is never held whole as text. Raises `Unsupported` (after writing part of it) for a
    document `dumps_indented` would leave to `json.dumps`: the caller starts again."""
    global _sink, _written

    def flush(out: list[str]) -> None:
        write("".join(out))
        out.clear()

    out: list[str] = []
    _sink, _written = flush, {}
    try:
        _write(doc, "\n", " " * indent, out, {})
    except RecursionError:
        raise Unsupported from None
    finally:
        _sink = _written = None
    flush(out)


def dumps_indented(doc: Any, indent: int) -> str:
    """`json.dumps(doc, ensure_ascii=False, indent=indent)`."""
    global _written
    out: list[str] = []
    _written = {}
    try:
        _write(doc, "\n", " " * indent, out, {})
    except (Unsupported, RecursionError):
        return json.dumps(doc, ensure_ascii=False, indent=indent)
    finally:
        _written = None
    return "".join(out)


def compact_pieces(doc: Any) -> list[str]:
    """`json.dumps(doc, ensure_ascii=False, separators=(",", ":"))` as the pieces the C encoder
    makes, joined by nobody: a writer encodes and writes each, instead of the text being joined,
    checked for lone surrogates, copied to add a line break and encoded again (4 MB of SARIF for
    3,788 findings). Without the check for cycles, which a report's document never has."""
    if c_make_encoder is None:
        return [json.dumps(doc, ensure_ascii=False, separators=(",", ":"))]
    encoder = c_make_encoder(None, _DEFAULT, encode_basestring, None, ":", ",", False, False, True)
    return encoder(doc, 0)  # type: ignore[no-any-return]


# What json.dumps does with a value it cannot encode (raises TypeError naming it).
_DEFAULT = json.JSONEncoder().default
