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

# The work of one scan, set in a worker by `_start`: the function and the parts it is called on.
_work: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def available_cores() -> int:
    """The cores this process may run on (a CI runner's quota, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _start(fn: Callable[[Any], Any], parts: Sequence[Any], share: int) -> None:
    global _work
    _work = (fn, parts)
    # Each worker has its share of what the whole scan may build (see budget.scan_allowance).
    from iaclint import budget

    if budget._scan is not None:
        budget._scan.bytes_left //= share
        budget._scan.items_left //= share


def _run_one(index: int) -> Any:
    assert _work is not None
    fn, parts = _work
    return fn(parts[index])


def run(fn: Callable[[P], R], parts: Sequence[P], jobs: int) -> Iterator[R]:
    """`fn(part)` for every part, yielded in the order of `parts`: in this process when `jobs` is
    1 (or there is one part), else in `jobs` worker processes, each result yielded as soon as it
    and all before it are back."""
    if jobs <= 1 or len(parts) <= 1:
        for part in parts:
            yield fn(part)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    workers = min(jobs, len(parts))
    # What the parent built before the pool (imports, rules, options) is never garbage: frozen, the
    # workers' collections do not walk it, and its pages stay shared with the parent.
    gc.freeze()
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start, initargs=(fn, parts, workers))
    try:
        futures = [pool.submit(_run_one, i) for i in range(len(parts))]
        for future in futures:
            yield future.result()
    finally:
        # On an error (or a caller that stops early) the parts not started are dropped, not run.
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
