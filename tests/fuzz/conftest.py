"""The fuzz suite: grammar-aware hostile input for every reader and evaluator, each case scanned by
a worker process under time and memory limits (see `fuzzkit.py` and `fuzz_worker.py`).

It runs in CI (`python -m pytest`, part of `.ci/run`) in a fixed time: a fixed number of
derandomized examples per test, the whole suite well under a minute on two cores. To fuzz longer:

    IACLINT_FUZZ_EXAMPLES=5000 python -m pytest tests/fuzz        # fresh random examples per test
    IACLINT_FUZZ_EXAMPLES=5000 IACLINT_FUZZ_SHRINK=1 ...          # and shrink a failure to a minimum
    IACLINT_FUZZ_TIMEOUT=30 ...                                   # per-case wall-clock limit (s)
    python -m pytest tests/fuzz --hypothesis-seed=123             # another derandomized sequence
    IACLINT_FUZZ_CORPUS=DIR ... test_fuzz_mutations.py            # mutate your own real files
    IACLINT_FUZZ_SPECIAL_FILES=0 ...                              # no FIFOs or device links
    python -m pytest -m "not fuzz"                                # the other tests only

A failure names a directory under pytest's tmp dir holding the failing input (`case.json` and the
tree itself) and the command that reproduces it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzzkit import Worker

_STATS: list[tuple[str, Worker]] = []


@pytest.fixture
def worker(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Worker]:
    """One long-lived worker process for this test's cases."""
    w = Worker(tmp_path)
    try:
        yield w
    finally:
        w.stop()
        _STATS.append((request.node.name, w))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _STATS:
        return
    terminalreporter.section("fuzz cases")
    for name, w in _STATS:
        times = sorted(w.seconds) or [0.0]
        terminalreporter.write_line(
            f"{name}: {w.cases} cases in {sum(times):.1f} s (median {times[len(times) // 2]:.2f} s,"
            f" slowest {w.slowest:.2f} s: {w.slowest_case[:100]}), worker peak {w.peak / 2**20:.0f} MB"
        )


HERE = Path(__file__).parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fuzz: the fuzz suite (tests/fuzz): grammar-aware hostile input under limits"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test here carries the marker, so `-m "not fuzz"` leaves the suite out.
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.fuzz)
            if not sys.platform.startswith("linux"):
                # The limits (RLIMIT_AS, FIFOs, /dev/zero, /dev/full, wait4) are Linux's.
                item.add_marker(pytest.mark.skip(reason="the hostile-input limits need Linux"))
