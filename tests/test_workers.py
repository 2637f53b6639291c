"""The worker pool (`iaclint.workers`): results in the order of a serial run, errors raised in their
turn with the worker's traceback, a worker that dies said so, and no process left behind."""

from __future__ import annotations

import os
import pickle
import signal
import time

import pytest

from iaclint import workers

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the forked pool needs os.fork")


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _slow_square(n: int, _more: bool) -> int:
    time.sleep(0.001 * (n % 4))  # parts finish out of order
    return n * n


def test_results_in_order_of_the_parts_whatever_order_they_finish() -> None:
    parts = list(range(40))
    sizes = [n % 7 for n in parts]  # the largest are given out first
    assert list(workers.run(_slow_square, parts, 3, sizes)) == [n * n for n in parts]
    assert _no_children_left()


def _where(n: int, more: bool) -> tuple[int, bool, int]:
    return n, more, os.getpid()


def test_parts_run_in_workers_and_the_last_one_given_out_knows_it_is_last() -> None:
    got = list(workers.run(_where, list(range(10)), 2))
    assert [n for n, _, _ in got] == list(range(10))
    assert {pid for _, _, pid in got} - {os.getpid()}  # not run in this process
    assert os.getpid() not in {pid for _, _, pid in got}
    assert [more for n, more, _ in got if n == 9] == [False]  # the last given out (no sizes: in order)
    assert all(more for n, more, _ in got if n < 8)


def _fails_on_odd(n: int, _more: bool) -> int:
    if n % 2:
        time.sleep(0.02 if n == 1 else 0)  # a later part fails first
        raise KeyError(f"part {n}")
    return n


def test_the_first_failing_part_in_order_raises_as_in_a_serial_run() -> None:
    with pytest.raises(KeyError) as err:
        list(workers.run(_fails_on_odd, list(range(6)), 2))
    assert str(err.value) == "'part 1'"
    cause = err.value.__cause__
    assert isinstance(cause, workers.RemoteTraceback)
    assert "_fails_on_odd" in str(cause) and "KeyError: 'part 1'" in str(cause)
    assert _no_children_left()


class _Unpicklable(Exception):
    def __init__(self, a: int, b: int) -> None:  # pickling calls it with one argument: fails
        super().__init__(f"{a}-{b}")


def _raises_unpicklable(n: int, _more: bool) -> int:
    raise _Unpicklable(n, n)


def test_an_exception_that_does_not_pickle_comes_back_as_a_runtime_error() -> None:
    with pytest.raises(RuntimeError, match=r"^_Unpicklable: 0-0$"):
        list(workers.run(_raises_unpicklable, [0, 1], 2))


def _returns_unpicklable(n: int, _more: bool) -> object:
    return lambda: n


def test_a_result_that_does_not_pickle_is_an_error_in_its_turn() -> None:
    # (The error pickle raises differs between Python versions; it names the lambda.)
    with pytest.raises((AttributeError, TypeError, pickle.PicklingError), match=r"<lambda>"):
        list(workers.run(_returns_unpicklable, [0, 1], 2))
    assert _no_children_left()


def _dies_on_two(n: int, _more: bool) -> int:
    if n == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return n


def test_a_worker_that_dies_is_an_error_not_a_hang() -> None:
    with pytest.raises(RuntimeError, match=r"a worker process ended while running a part \(signal 9\)"):
        list(workers.run(_dies_on_two, list(range(5)), 2))
    assert _no_children_left()


def test_a_caller_that_stops_early_leaves_no_worker_behind() -> None:
    results = workers.run(_slow_square, list(range(30)), 2)
    assert next(results) == 0
    results.close()
    assert _no_children_left()


def test_the_executor_used_without_fork_gives_the_same_results_and_errors() -> None:
    parts = list(range(12))
    order = sorted(parts, key=lambda n: -(n % 5))
    assert list(workers._executor(_slow_square, parts, 2, order, None)) == [n * n for n in parts]
    with pytest.raises(KeyError, match="part 1"):
        list(workers._executor(_fails_on_odd, list(range(6)), 2, list(range(6)), None))


def test_a_fork_that_fails_leaves_no_worker_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    real_fork = os.fork
    forks: list[int] = []

    def second_fails() -> int:
        if forks:
            raise BlockingIOError("Resource temporarily unavailable")
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", second_fails)
    with pytest.raises(BlockingIOError):
        list(workers.run(_slow_square, list(range(6)), 2))
    assert forks == [1]
    assert _no_children_left()
