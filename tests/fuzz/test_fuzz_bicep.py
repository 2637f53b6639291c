"""Fuzz the Bicep reader and evaluator: params, vars, user functions, resources with loops and
conditions, modules (loops, cycles, missing, outside), `.bicepparam`, load functions, lambdas, and
junk that is slow to parse (see `gen_bicep.py`)."""

from __future__ import annotations

from fuzzkit import Case, Worker, fuzz_settings, observe
from gen_bicep import bicep_case
from hypothesis import given


@fuzz_settings(examples=150)
@given(case=bicep_case())
def test_bicep_input_never_escapes(worker: Worker, case: Case) -> None:
    observe(worker.check(case))
