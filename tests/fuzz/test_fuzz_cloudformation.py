"""Fuzz the CloudFormation/SAM reader and evaluator: intrinsic-function trees in YAML (short and long
forms, anchors and aliases, odd tags and scalars) and JSON, parameters files, and SAM definition
bodies whose paths repeat aliased operations (see `gen_cloudformation.py`)."""

from __future__ import annotations

from fuzzkit import Case, Worker, fuzz_settings, observe
from gen_cloudformation import cloudformation_case
from hypothesis import given


@fuzz_settings(examples=150)
@given(case=cloudformation_case())
def test_cloudformation_input_never_escapes(worker: Worker, case: Case) -> None:
    observe(worker.check(case))
