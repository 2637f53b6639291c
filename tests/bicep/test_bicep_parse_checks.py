"""Line starts (syntax.line_starts) and how often the own parser checks its deadline."""

from __future__ import annotations

import random

import pytest

from iaclint.lang.bicep import parser
from iaclint.lang.bicep.syntax import line_starts


def _line_starts_one_by_one(data: bytes) -> list[int]:
    starts = [0]
    pos = data.find(b"\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = data.find(b"\n", pos + 1)
    return starts


def test_line_starts() -> None:
    assert line_starts(b"") == [0]
    assert line_starts(b"a") == [0]
    assert line_starts(b"a\nbc\n") == [0, 2, 5]
    assert line_starts(b"a\r\nbc\r\nd") == [0, 3, 7]
    # A lone CR, a vertical tab, a form feed, a file separator: no line break for the parser.
    assert line_starts(b"a\rb\x0bc\x0c\x1cd\n\ne") == [0, 9, 10]
    rng = random.Random(3)
    for _ in range(3000):
        data = bytes(rng.choice(b"ab \n\r\x0b\x0c\x1c\x85") for _ in range(rng.randint(0, 16)))
        assert line_starts(data) == _line_starts_one_by_one(data), data


class _CountingDeadline:
    """A deadline never reached that counts how often the parser looks at it."""

    seconds = 1.0
    peak = float("inf")

    def __init__(self) -> None:
        self.checks = 0

    @property
    def at(self) -> float:
        self.checks += 1
        return float("inf")


def test_the_deadline_is_checked_every_few_thousand_tokens_read() -> None:
    # 10,000 statements of 4 tokens, and as many that do not parse (3 tokens read, then 5 skipped to
    # the next line): the deadline is read before the first statement, then once every 2,048 tokens,
    # and by the tokenizer once every `_CHECK_BYTES` bytes.
    for text, tokens in (("var a = 1\n" * 10_000, 40_000), ("var a = = 1\n" * 10_000, 80_000)):
        least = tokens // parser._CHECK_WORK
        most = least + 3 + len(text) // parser._CHECK_BYTES
        deadline = _CountingDeadline()
        parser.parse_bytes(text.encode(), deadline=deadline)
        assert least <= deadline.checks <= most
        deadline = _CountingDeadline()
        parser.module_statements(text.encode(), deadline=deadline)
        assert least <= deadline.checks <= most


@pytest.mark.parametrize(
    "unit",
    [b"@", b"a:b ", b"k: {", b"'a\\b'", b"/**/", b"'${a}'", b"'''x'''", b"\n@", b"a::b", "é".encode()],
)
def test_the_tokenizer_checks_the_deadline_every_few_tens_of_thousands_of_tokens(unit: bytes) -> None:
    """Whatever the tokens (one a match, three a match, or read past their match), the tokenizer
    reads at most `_CHECK_BYTES + 3 * _RUN` (61,440) tokens, and about as many bytes, between two
    checks."""
    data = unit * (400_000 // len(unit))
    deadline = _CountingDeadline()
    comments: list[parser.Node] = []
    toks = parser._lex(data, comments, deadline)
    most = parser._CHECK_BYTES + 3 * parser._RUN
    assert most <= 65_536
    assert deadline.checks >= max(len(toks) + len(comments), len(data)) // most
    assert deadline.checks <= len(data) // parser._CHECK_BYTES
