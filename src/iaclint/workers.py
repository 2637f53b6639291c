"""Parts of a scan run one after another, or spread over worker processes, their results handed
back in the order of a serial run.

The engine cuts a scan into parts (a Terraform root with the modules it calls, a few templates) that
need nothing from each other; `run` calls the engine's function on each and yields what it returns,
part by part, so the caller keeps only those results. Workers are forked where the platform allows
(the parent's imports and the scan's options come for free); a part's result travels back pickled.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

P = TypeVar("P")
R = TypeVar("R")

# The work of one scan, set in a worker by `_start`: the function, the parts, and how many parts
# the pool has handed out so far (shared by the workers).
_work: tuple[Callable[[Any, bool], Any], Sequence[Any], Any] | None = None


def available_cores() -> int:
    """The cores this process may run on (a CI runner's quota, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _start(fn: Callable[[Any, bool], Any], parts: Sequence[Any], started: Any, share: int) -> None:
    global _work
    _work = (fn, parts, started)
    # Each worker has its share of what the whole scan may build (see budget.scan_allowance).
    from iaclint import budget

    if budget._scan is not None:
        budget._scan.bytes_left //= share
        budget._scan.items_left //= share


def _run_one(index: int) -> Any:
    assert _work is not None
    fn, parts, started = _work
    with started.get_lock():
        started.value += 1
    # `more`: whether this worker may still be given a part (all handed out: it will not).
    return fn(parts[index], _More(started, len(parts)))


class _More:
    """Whether parts are still to be handed out, asked when a part is done."""

    __slots__ = ("n", "started")

    def __init__(self, started: Any, n: int) -> None:
        self.started = started
        self.n = n

    def __bool__(self) -> bool:
        return bool(self.started.value < self.n)


def run(
    fn: Callable[[P, bool], R],
    parts: Sequence[P],
    jobs: int,
    sizes: Sequence[int] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Iterator[R]:
    """`fn(part, more)` for every part, the results yielded in the order of `parts`; `more` tells
    `fn`, once the part is done, whether this process will run another part (what a part leaves
    behind need not be cleaned up after the last one). `meanwhile`: work for this process while
    the workers run (not called without workers).

    In this process when `jobs` is 1 (or there is one part), else in `jobs` worker processes.
    `sizes` (one per part) change only the order parts are run in: in this process the largest
    part runs last (no clean-up after it); in workers the largest run first, so that no worker is
    left with a big part at the end while the others wait."""
    n = len(parts)
    if jobs <= 1 or n <= 1:
        last = max(range(n), key=lambda i: (sizes[i], -i)) if sizes and n else n - 1
        held: list[R] = []
        for i, part in enumerate(parts):
            if i == last:
                continue
            result = fn(part, True)
            if i < last:
                yield result
            else:
                held.append(result)  # results are small (findings): kept until their turn
        if n:
            yield fn(parts[last], False)
        yield from held
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    workers = min(jobs, n)
    started = context.Value("i", 0)
    # What the parent built before the pool (imports, rules, options) is never garbage: frozen, the
    # workers' collections do not walk it, and its pages stay shared with the parent.
    gc.freeze()
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start, initargs=(fn, parts, started, workers)
    )
    try:
        order = sorted(range(n), key=lambda i: -sizes[i]) if sizes else range(n)
        futures = {i: pool.submit(_run_one, i) for i in order}
        if meanwhile is not None:
            meanwhile()
        for i in range(n):
            yield futures[i].result()
    finally:
        # On an error (or a caller that stops early) the parts not started are dropped, not run.
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
