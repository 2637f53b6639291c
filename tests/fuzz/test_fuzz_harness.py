"""The harness itself: a hang, a crash, an escaped exception, a memory blow-up and a spinning case
must each fail the case, name the saved input, and leave a fresh worker for the next case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fuzzkit import Case, Worker

TLS10 = (
    'resource "aws_api_gateway_domain_name" "d" {\n  domain_name = "d"\n  security_policy = "TLS_1_0"\n}\n'
)


def saved_input(message: str) -> Path:
    line = next(ln for ln in message.splitlines() if ln.startswith("The input is saved in "))
    where = Path(line.removeprefix("The input is saved in ").split(" (case.json")[0])
    assert json.loads((where / "case.json").read_text())["files"], where
    return where


@pytest.mark.parametrize(
    ("mode", "why"),
    [
        ("selftest-hang", "hang: no answer within"),
        ("selftest-crash", "died of signal SIGSEGV"),
        ("selftest-raise", "RuntimeError: planted"),
        ("selftest-memory", "MemoryError"),
        ("selftest-spin", "SIGXCPU"),
    ],
)
def test_misbehaviour_fails_the_case_and_the_next_case_runs(worker: Worker, mode: str, why: str) -> None:
    with pytest.raises(AssertionError) as err:
        if mode == "selftest-spin":  # the CPU limit, not the wall clock, ends it
            worker.check(Case(files={"main.tf": TLS10}, mode=mode), timeout=8, cpu=1)
        else:
            worker.check(Case(files={"main.tf": TLS10}, mode=mode), timeout=2.5)
    assert why in str(err.value)
    assert (saved_input(str(err.value)) / "tree" / "main.tf").read_text() == TLS10
    answer = worker.check(Case(files={"main.tf": TLS10}))
    assert answer["exit"] == 1 and answer["findings"] == 1
