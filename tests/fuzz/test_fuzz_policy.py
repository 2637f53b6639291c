"""Fuzz the API Management policy reader (`iaclint.policy`) through the three template languages
that carry policy XML, with documents shared by up to 1,000 scopes (see `gen_policy.py`)."""

from __future__ import annotations

from fuzzkit import Case, Worker, fuzz_settings, observe
from gen_policy import policy_case
from hypothesis import given


@fuzz_settings(examples=30)
@given(case=policy_case())
def test_policy_xml_never_escapes(worker: Worker, case: Case) -> None:
    observe(worker.check(case))
