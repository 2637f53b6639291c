"""Damaged copies of real Bicep, for the tests that hold two readers of it together: a few spans
cut out or pieces of token soup put in, at random places."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T", str, bytes)


def damaged(rng: random.Random, texts: Sequence[T], pieces: Sequence[T]) -> T:
    """One of `texts` with one to four cuts (up to 20 characters) or insertions of `pieces`."""
    text = rng.choice(texts)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(text) + 1)
        if rng.random() < 0.3:
            text = text[:at] + text[at + rng.randint(1, 20) :]
        else:
            text = text[:at] + rng.choice(pieces) + text[at:]
    return text
