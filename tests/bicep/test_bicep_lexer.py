"""The Bicep tokenizer (`parser._lex`) against a plain one kept here: the tokenizer reads an object
member's key, colon and one-token value in one match, and checks its deadline by bytes read; the
reference reads one token a match, as the tokenizer did before. Both must give the same tokens
(kind, offsets, line break before) and comments, on the fixtures, on damaged fixtures and on token
soup made of the cases the tokenizer treats apart (colons, `::`, plain strings and strings with
escapes or interpolations, `'''` strings, comments, pragmas, line breaks, non-ASCII, bad bytes)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from _damage import damaged

from iaclint.lang.bicep import parser

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FILES = sorted(p for p in [*FIXTURES.rglob("*.bicep"), *FIXTURES.rglob("*.bicepparam")] if p.is_file())

# -- the reference: one match a token ---------------------------------------------------------------
_ALTERNATIVES = (
    rb"([A-Za-z_][A-Za-z0-9_]*+)|('(?!'')[^'\\$\n]*+(?:\$(?!\{)[^'\\$\n]*+)*+')"
    rb"|([0-9]++(?:\.[0-9]++)?)"
    rb"|(\.\.\.|=>|==|!=|=~|!~|<=|>=|&&|\|\||\?\?|\.\?|::|[{}\[\]()<>,:.?!=+\-*%@|&;^~])"
    rb"|(//[^\n]*+)|([^\n])"
)
_TOKEN = re.compile(
    rb"[ \t\r\f\v]*+(?:\n[ \t\r\n\f\v]*+(?:" + _ALTERNATIVES + rb")|(?:" + _ALTERNATIVES + rb"))",
    re.S,
)


def _reference(data: bytes) -> tuple[list[tuple[str, int, int, bool]], list[tuple[int, int]]]:
    """(tokens, comment ranges) of `data`."""
    toks: list[tuple[str, int, int, bool]] = []
    comments: list[tuple[int, int]] = []
    n = len(data)
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    nl = True
    stack: list[str] = []
    while True:
        for m in _TOKEN.finditer(data, pos):
            g = m.lastindex
            if g > 6:
                gi = g - 6
            else:
                gi = g
                nl = True
            s, e = m.span(g)
            if gi in (1, 2, 3):
                toks.append(({1: "w", 2: "s", 3: "n"}[gi], s, e, nl))
            elif gi == 4:
                op = data[s:e].decode()
                if stack and op in "{[(":
                    stack.append(op)
                elif stack and op in "}])":
                    top = stack.pop()
                    if top == "i" and op == "}":
                        toks.append(("}i", s, e, nl))
                        nl = False
                        pos = parser._string_part(data, e, toks, -1, False, stack)
                        break
                    if top == "i":
                        stack.append(top)
                toks.append((op, s, e, nl))
            elif gi == 5:
                comments.append((s, e))
                continue
            elif data[s] == 39:
                if data.startswith(b"'''", s):
                    e = data.find(b"'''", s + 3)
                    e = n if e < 0 else e + 3
                    toks.append(("m", s, e, nl))
                else:
                    e = parser._string_part(data, s + 1, toks, s, nl, stack)
                nl = False
                pos = e
                break
            elif data.startswith(b"/*", s):
                e = data.find(b"*/", s + 2)
                e = n if e < 0 else e + 2
                comments.append((s, e))
                nl = nl or b"\n" in data[s:e]
                pos = e
                break
            elif data[s] == 35 and nl:
                e = data.find(b"\n", s)
                pos = n if e < 0 else e
                break
            else:
                toks.append((data[s:e].decode("utf-8", errors="replace"), s, e, nl))
            nl = False
        else:
            break
    toks.append(("eof", n, n, True))
    return toks, comments


def _same(data: bytes) -> None:
    comments: list[parser.Node] = []
    toks = parser._lex(data, comments)
    assert (toks, [(c.start_byte, c.end_byte) for c in comments]) == _reference(data), data


def test_the_reference_reads_what_it_should() -> None:
    # (So that the comparisons below compare with something right.)
    toks, comments = _reference(b"a: 'x'\n  b::c: {\n'${d}' // e\n")
    assert [(k, s, e, nl) for k, s, e, nl in toks] == [
        ("w", 0, 1, True), (":", 1, 2, False), ("s", 3, 6, False),
        ("w", 9, 10, True), ("::", 10, 12, False), ("w", 12, 13, False), (":", 13, 14, False),
        ("{", 15, 16, False),
        ("sb", 17, 20, True), ("w", 20, 21, False), ("}i", 21, 22, False), ("se", 22, 23, False),
        ("eof", 29, 29, True),
    ]  # fmt: skip
    assert comments == [(24, 28)]


@pytest.mark.parametrize("text", [
    "", "a", "a:", "a :", "a: ", "a:b", "a: b c", "a:'x'", "a: 'x' b", "a: {", "a: [", "a: (", "a::b",
    "a:: b", "a ::b", "a: :b", "a: 1", "a: -1", "a: 'x${y}z'", "a: 'x\\'y'", "a: '''x'''", "a: ''",
    "a: ''''", "a: '", "a: 'x", "a:\n'x'", "a\n: 'x'", "a: // c\n", "a: /* c */ 'x'", "a /*\n*/ : 'x'",
    "a:\t\x0b\x0c\r'x'", "é: 'x'", "a: 'é'", "a: é", "a: $", "a: '$'", "a: '${'", "'${a: 'x'}'",
    "'${ {a: {b: 'c'}} }'", "'${ {a: [b]} }' x", "'${a: {}'", "#disable\na: 'x'", "a: #b", "_a1: _b2",
    "\xef\xbb\xbfa: 'x'", "a:{b:{c:[d]}}", "a: 'x'\r\nb: y", "x ? a: b", "{ a: b, c: 'd' }",
    # strings with interpolations, alone or after a key's colon
    "a:'${b}'", "'a\\'b${c}d${e}f'", "a: '$${b}'", "a: '\\${b}'", "'${b", "a: '${", "''${b}",
    "a: '''${b}'''", "'x\n${b}'", "a: 'é${b}'", "'${'${'${a}'}'}'", "a: '${b}' c: '${d}'",
])  # fmt: skip
def test_edge_cases_read_as_the_reference_reads_them(text: str) -> None:
    _same(text.encode())


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_the_fixtures_read_as_the_reference_reads_them(path: Path) -> None:
    _same(path.read_bytes())


# Fragments the tokenizer treats apart, joined with and without blanks.
SOUP = [
    "a", "key", "_k1", ":", "::", ": ", " :", "'x'", "''", "'a b'", "'a$b'", "'a\\'b'", "'a\\u{41}'",
    "'${", "}", "'x${y}z'", "'''", "'''\nm\n'''", "{", "}", "[", "]", "(", ")", "1", "1.5", "-", ".",
    "...", ".?", "?", "??", "=", "=>", "==", "!", "!=", "=~", "<", "<=", ">", ">=", "&&", "||", ",",
    ";", "@", "//c", "/*c*/", "/*\n*/", "/*", "#pragma", "\n", "\n  ", "\r\n", "\t", "\x0b", "é",
    "\u00a7", "\\", "$", "'", "'open", "\x00", "\xff",
]  # fmt: skip


def test_token_soup_reads_as_the_reference_reads_it() -> None:
    rng = random.Random(13)
    for _ in range(6000):
        parts = [rng.choice(SOUP) for _ in range(rng.randint(1, 30))]
        sep = rng.choice(["", " ", ""])
        _same(sep.join(parts).encode("utf-8", errors="surrogateescape"))


def test_damaged_fixtures_read_as_the_reference_reads_them() -> None:
    rng = random.Random(17)
    texts = [p.read_bytes() for p in FILES]
    pieces = [s.encode() for s in SOUP]
    for _ in range(1500):
        _same(damaged(rng, texts, pieces))


def test_long_input_read_in_runs_as_the_reference_reads_it() -> None:
    # Past `_RUN` matches and `_CHECK_BYTES` bytes: lexing goes on across runs and deadline checks.
    rng = random.Random(19)
    # Pieces read in their match, and pieces read past it (no open comment or string: they would
    # read to the end). Runs of `_RUN` matches are cut only where none of the second kind comes for
    # that long.
    plain = ["a", "key", ":", "'x'", "{", "}", "[", "]", "1", "\n", "//c\n", "::", "é", "k: 'v'", "k: {"]
    past = ["'x${y}z'", "'a\\'b'", "/*c*/", "'${ {k: [v]} }'", "\n#p\n", "'''m'''"]
    data = " ".join(rng.choice(plain) for _ in range(30_000)).encode() + b" "
    data += " ".join(rng.choice(plain + past) for _ in range(30_000)).encode()
    data += b"\n".join(p.read_bytes() for p in FILES if b"'''" not in p.read_bytes()) * 2
    assert len(data) > 4 * parser._CHECK_BYTES

    class Never:
        at = float("inf")
        peak = float("inf")
        seconds = 1.0

    comments: list[parser.Node] = []
    toks = parser._lex(data, comments, Never())
    assert len(toks) > 10 * parser._RUN
    assert (toks, [(c.start_byte, c.end_byte) for c in comments]) == _reference(data)
