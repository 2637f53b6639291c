"""Fuzz the configuration file (`.iaclint.toml`, `pyproject.toml`, found or given) and the baseline
file through the command line, which is what reads them (see `gen_config.py`). A usage error is a
correct answer, as one line with exit 2."""

from __future__ import annotations

from fuzzkit import Case, Worker, fuzz_settings, observe
from gen_config import baseline_case, config_case
from hypothesis import given


@fuzz_settings(examples=80)
@given(case=config_case())
def test_configuration_never_escapes(worker: Worker, case: Case) -> None:
    observe(worker.check(case))


@fuzz_settings(examples=60)
@given(case=baseline_case())
def test_baseline_never_escapes(worker: Worker, case: Case) -> None:
    observe(worker.check(case))
