"""Parts of a scan run one after another, or spread over worker processes, their results handed
back in the order of a serial run.

The engine cuts a scan into parts (a Terraform root with the modules it calls, a few templates) that
need nothing from each other; `run` calls the engine's function on each and yields what it returns,
part by part, so the caller keeps only those results. Workers are forked where the platform allows
(the parent's imports and the scan's options come for free); a part's result travels back pickled.

Where `os.fork` exists the workers are plain forked processes, each with a pipe for the parts it is
given and one for its results (`_ForkedPool`): starting them costs a fork each, where a
`ProcessPoolExecutor` imported `multiprocessing` and `concurrent.futures` and started a thread and
queues (about 25 ms before the first worker ran, twice a scan). Elsewhere the executor is used.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

P = TypeVar("P")
R = TypeVar("R")

# The work of one scan, set in an executor's worker by `_start`: the function, the parts, and how
# many parts the pool has handed out so far (shared by the workers).
_work: tuple[Callable[[Any, bool], Any], Sequence[Any], Any] | None = None


def available_cores() -> int:
    """The cores this process may run on (a CI runner's quota, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _start(fn: Callable[[Any, bool], Any], parts: Sequence[Any], started: Any, share: int) -> None:
    """The executor's worker initializer."""
    global _work
    _work = (fn, parts, started)
    _take_share(share)


def _take_share(share: int) -> None:
    """In a new worker: its share of what the whole scan may build (see budget.scan_allowance)."""
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
    workers = min(jobs, n)
    order = sorted(range(n), key=lambda i: -sizes[i]) if sizes else list(range(n))
    # What the parent built before the workers (imports, rules, options) is never garbage: frozen,
    # the workers' collections do not walk it, and its pages stay shared with the parent.
    gc.freeze()
    try:
        if hasattr(os, "fork"):
            yield from _forked(fn, parts, workers, order, meanwhile)
        else:
            yield from _executor(fn, parts, workers, order, meanwhile)
    finally:
        gc.unfreeze()


def _executor(
    fn: Callable[[P, bool], R],
    parts: Sequence[P],
    workers: int,
    order: Sequence[int],
    meanwhile: Callable[[], object] | None,
) -> Iterator[R]:
    """`run` over a `ProcessPoolExecutor`, for a platform without `os.fork`."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context()  # (spawn: there is no fork here)
    started = context.Value("i", 0)
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start, initargs=(fn, parts, started, workers)
    )
    try:
        futures = {i: pool.submit(_run_one, i) for i in order}
        if meanwhile is not None:
            meanwhile()
        for i in range(len(parts)):
            yield futures[i].result()
    finally:
        # On an error (or a caller that stops early) the parts not started are dropped, not run.
        pool.shutdown(wait=True, cancel_futures=True)


# Parent to worker: the index of the part to run and whether more parts may follow it (one byte);
# `_STOP` as the index ends the worker. Five bytes, written and read whole (under PIPE_BUF).
_TASK = 5
_STOP = 0xFFFFFFFF
# Worker to parent: the part's index, whether the payload is a result (0) or an exception (1), and
# the payload's length, then the pickled payload.
_HEAD = 13


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker, as its `__cause__` in the scan process."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _forked(
    fn: Callable[[P, bool], R],
    parts: Sequence[P],
    workers: int,
    order: Sequence[int],
    meanwhile: Callable[[], object] | None,
) -> Iterator[R]:
    """`run` over forked workers. Each is given one part at a time, the next as soon as it hands a
    result back (largest parts first), so no worker waits while parts are left. Results are kept
    until their turn; an exception a part raised is raised in its turn, as a serial run raises it."""
    todo = list(reversed(order))  # popped from the end: the largest first
    results: dict[int, tuple[bool, Any]] = {}
    pool = _ForkedPool()
    try:
        pool.start(fn, parts, workers)
        for worker in pool.workers:
            pool.give(worker, todo)
        if meanwhile is not None:
            meanwhile()
        for i in range(len(parts)):
            while i not in results:
                for worker, index, failed, payload in pool.wait():
                    results[index] = (failed, payload)
                    pool.give(worker, todo)
            failed, payload = results.pop(i)
            if failed:
                err, remote = payload
                raise err from RemoteTraceback(remote)
            yield payload
        pool.close()
    finally:
        pool.kill()


class _Worker:
    __slots__ = ("buffer", "busy", "pid", "results", "tasks")

    def __init__(self, pid: int, tasks: int, results: int) -> None:
        self.pid = pid
        self.tasks = tasks  # the parent's end of the pipe of parts
        self.results = results  # the parent's end of the pipe of results
        self.buffer = bytearray()
        self.busy = False


class _ForkedPool:
    """Forked workers and the parent's ends of their pipes."""

    def __init__(self) -> None:
        import selectors  # here, not at the top: a scan without workers never needs it

        self.workers: list[_Worker] = []
        self.selector = selectors.DefaultSelector()

    def start(self, fn: Callable[[Any, bool], Any], parts: Sequence[Any], n: int) -> None:
        """`n` workers forked (those started before a failure are in `workers`, for `kill`)."""
        import selectors

        for _ in range(n):
            task_r, task_w = os.pipe()
            result_r, result_w = os.pipe()
            for f in (sys.stdout, sys.stderr):
                f.flush()  # or what they hold would be written by both processes
            pid = os.fork()
            if pid == 0:  # the worker
                os.close(task_w)
                os.close(result_r)
                for w in self.workers:  # the other workers' pipes: not its own to keep open
                    os.close(w.tasks)
                    os.close(w.results)
                _serve(fn, parts, task_r, result_w, n)
            os.close(task_r)
            os.close(result_w)
            os.set_blocking(result_r, False)
            worker = _Worker(pid, task_w, result_r)
            self.workers.append(worker)
            self.selector.register(result_r, selectors.EVENT_READ, worker)

    def give(self, worker: _Worker, todo: list[int]) -> None:
        """The next part to `worker`, or, with none left, the end of its work."""
        if todo:
            index = todo.pop()
            os.write(worker.tasks, index.to_bytes(4, "little") + (b"\1" if todo else b"\0"))
            worker.busy = True
        else:
            self._stop(worker)

    def _stop(self, worker: _Worker) -> None:
        worker.busy = False
        if worker.tasks >= 0:
            with contextlib.suppress(OSError):  # it has ended already: `wait` says how
                os.write(worker.tasks, _STOP.to_bytes(4, "little") + b"\0")
            os.close(worker.tasks)
            worker.tasks = -1

    def wait(self) -> list[tuple[_Worker, int, bool, Any]]:
        """The results that came in (at least one): (worker, part index, raised, value)."""
        import pickle
        while True:
            if not self.selector.get_map():
                raise RuntimeError("the worker processes ended before every part was done")
            out = []
            for key, _ in self.selector.select():
                worker: _Worker = key.data
                chunk = _read_some(worker.results)
                if chunk is None:
                    continue
                if not chunk:
                    self._ended(worker)
                    continue
                worker.buffer += chunk
                while len(worker.buffer) >= _HEAD:
                    size = int.from_bytes(worker.buffer[5:_HEAD], "little")
                    if len(worker.buffer) < _HEAD + size:
                        break
                    head = bytes(worker.buffer[:_HEAD])
                    payload = pickle.loads(worker.buffer[_HEAD : _HEAD + size])
                    del worker.buffer[: _HEAD + size]
                    worker.busy = False
                    out.append((worker, int.from_bytes(head[:4], "little"), head[4] == 1, payload))
            if out:
                return out

    def _ended(self, worker: _Worker) -> None:
        """A worker's results pipe closed: after its last result, or because it died."""
        self.selector.unregister(worker.results)
        os.close(worker.results)
        worker.results = -1
        if worker.busy or worker.buffer:
            _, status = os.waitpid(worker.pid, 0)
            worker.pid = 0
            if os.WIFSIGNALED(status):
                how = f"signal {os.WTERMSIG(status)}"
            else:
                how = f"exit status {os.WEXITSTATUS(status)}"
            raise RuntimeError(f"a worker process ended while running a part ({how})")

    def close(self) -> None:
        """Every part is done: the workers are told to end, and waited for."""
        for worker in self.workers:
            self._stop(worker)
        for worker in self.workers:
            if worker.pid:
                os.waitpid(worker.pid, 0)
                worker.pid = 0

    def kill(self) -> None:
        """After an error (or a caller that stopped early): the workers still running end now."""
        import signal
        for worker in self.workers:
            if worker.pid:
                try:
                    os.kill(worker.pid, signal.SIGKILL)
                    os.waitpid(worker.pid, 0)
                except OSError:
                    pass
                worker.pid = 0
            for fd in (worker.tasks, worker.results):
                if fd >= 0:
                    os.close(fd)
            worker.tasks = worker.results = -1
        self.selector.close()


def _read_some(fd: int) -> bytes | None:
    """What the pipe holds (b"" at its end; None when nothing after all)."""
    try:
        return os.read(fd, 1 << 20)
    except BlockingIOError:
        return None


def _read_exact(fd: int, size: int) -> bytes:
    out = b""
    while len(out) < size:
        chunk = os.read(fd, size - len(out))
        if not chunk:
            return b""
        out += chunk
    return out


def _serve(
    fn: Callable[[Any, bool], Any], parts: Sequence[Any], tasks: int, results: int, share: int
) -> None:
    """A forked worker: runs the parts it is given and writes back each result (or the exception
    the part raised), until told to end. Ends the process."""
    import pickle

    code = 0
    try:
        _take_share(share)
        while True:
            task = _read_exact(tasks, _TASK)
            index = int.from_bytes(task[:4], "little") if task else _STOP
            if index == _STOP:
                break
            failed = False
            try:
                value: Any = fn(parts[index], task[4] == 1)
            except Exception as err:  # handed to the scan process, raised there in its turn
                failed, value = True, _portable(err)
            try:
                payload = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
            except Exception as err:
                failed, payload = True, pickle.dumps(_portable(err), pickle.HIGHEST_PROTOCOL)
            head = index.to_bytes(4, "little") + bytes((failed,)) + len(payload).to_bytes(8, "little")
            _write_all(results, head)
            _write_all(results, payload)
    except BaseException:
        code = 1  # the scan process sees the pipe close while this worker had a part
    finally:
        for f in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                f.flush()
        os._exit(code)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _portable(err: Exception) -> tuple[Exception, str]:
    """`err` as the scan process can receive it (itself when it pickles, else a RuntimeError saying
    what it was), with the worker's traceback, which becomes its cause there (as `concurrent.futures`
    hands an exception back)."""
    import pickle
    import traceback

    remote = "".join(traceback.format_exception(err))
    try:
        pickle.loads(pickle.dumps(err, pickle.HIGHEST_PROTOCOL))
    except Exception:
        err = RuntimeError(f"{type(err).__name__}: {err}")
    return err, remote
