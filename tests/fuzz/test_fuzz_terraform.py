"""Fuzz the Terraform reader and evaluator: HCL and `.tf.json` modules, tfvars, child modules,
templates, and an expression grammar biased toward evaluation bombs, hostile regular expressions,
reads outside the tree and deep nesting (see `gen_terraform.py`)."""

from __future__ import annotations

from fuzzkit import Case, Worker, fuzz_settings, observe
from gen_terraform import terraform_case
from hypothesis import given


@fuzz_settings(examples=80)
@given(case=terraform_case())
def test_terraform_input_never_escapes(worker: Worker, case: Case) -> None:
    observe(worker.check(case))
