"""Fuzz the ARM reader and evaluator: parameters and parameter files, variables and variable copy
loops, user functions, copy loops, conditions, nested resources and nested deployments in inner and
outer scope (see `gen_arm.py`)."""

from __future__ import annotations

from fuzzkit import Case, Worker, fuzz_settings, observe
from gen_arm import arm_case
from hypothesis import given


@fuzz_settings(examples=100)
@given(case=arm_case())
def test_arm_input_never_escapes(worker: Worker, case: Case) -> None:
    observe(worker.check(case))
