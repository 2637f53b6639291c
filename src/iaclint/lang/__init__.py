"""Language loaders. Each subpackage exposes `load(units, options) -> LoadResult` and is imported
only when a file of its language is present."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a loader builds long-lived objects.

    Loading allocates millions of small objects (syntax nodes, Values) that live on; the collector
    would walk them again and again (measured 2-4x slower loads). Loaders avoid reference cycles in
    what they keep, so reference counting frees their working state.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
