"""Issue 12, class 3: unbounded evaluation.

Every evaluation has a budget (string and collection sizes, loop expansion, depth, work and bytes
built per unit); going over makes that value unknown with a note ("evaluation budget exceeded ..."),
or the file failed (IAC001) when its parse runs out of time, and the rest of the scan goes on. Each
case runs the real command under the time and memory limits with a hostile unit under `infra/` and a
real TLS 1.0 violation of the same language in a unit before it (`elsewhere/`) and one after it
(`zz-after/`): both must still be errors (exit 1), so a budget shared across units, or one hostile
unit starving the scan, fails the test.

Examples from the issue: Terraform `format("%0999999999d", 1)`, doubling through locals, `indent`,
nested `range`, `count = 100000000`, huge `dynamic` blocks, `toset` over large lists, `yamldecode` of
an alias bomb, `templatefile` doubling; CloudFormation `Fn::Sub` doubling, `Fn::Join` over YAML
aliases (sixteen anchored levels over a 40 KB scalar), a SAM `DefinitionBody` bomb (findings per
resource are capped: it gave 281,204 findings); Bicep and ARM string doubling, `padLeft`, user
function recursion, lambda bombs, nested deployment fan-out, `replace` squaring; the APIM policy
reader with 1,000 `for_each` policies sharing a 1 MB document (over 3 GB before); one unit burning
its whole allowance next to others; parsing junk (`<a>` in Bicep, `x = ` in HCL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import hostile_bombs as b
import pytest
from hostile_kit import (
    BUDGET_NOTE,
    VIOLATIONS,
    HostileTree,
    Run,
    assert_bounded,
    assert_note,
    assert_violation_reported,
    file_record,
    findings_in,
    summary,
)


@dataclass(frozen=True)
class Bomb:
    id: str
    language: str
    files: Callable[[], b.Files]
    # The file that must carry a finding saying the budget was exceeded (None: the value may also
    # be worked out exactly, e.g. a linear `toset`, or is not read by any check).
    note_in: str | None
    # Other notes that keep the promise: the YAML decoder refusing an alias bomb fails the file.
    also: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.id


BOMBS = [
    # Terraform
    Bomb("tf-format-width", "terraform", b.tf_format_width, b.TF),
    Bomb("tf-doubling-locals", "terraform", b.tf_doubling, b.TF),
    Bomb("tf-concat-join-doubling", "terraform", b.tf_join_doubling, b.TF),
    Bomb("tf-replace-squaring", "terraform", b.tf_replace_squaring, b.TF),
    Bomb("tf-indent", "terraform", b.tf_indent, b.TF),
    Bomb("tf-nested-range", "terraform", b.tf_nested_range, b.TF),
    Bomb("tf-count-100000000", "terraform", b.tf_count, None),
    Bomb("tf-for-each-100000", "terraform", b.tf_for_each, None),
    Bomb("tf-dynamic-nested-5000x5000", "terraform", b.tf_dynamic, None),
    Bomb("tf-toset-large-list", "terraform", b.tf_toset, None),
    Bomb("tf-yamldecode-alias-bomb", "terraform", b.tf_yamldecode_bomb, b.TF),
    Bomb("tf-templatefile-doubling", "terraform", b.tf_templatefile_doubling, b.TF),
    Bomb("tf-templatefile-loop", "terraform", b.tf_templatefile_loop, b.TF),
    Bomb("tf-unit-burns-its-allowance", "terraform", b.tf_bytes_burner, b.TF),
    # CloudFormation
    Bomb("cfn-sub-doubling-nested", "cloudformation", b.cfn_sub_doubling_nested, b.CFN),
    Bomb("cfn-sub-doubling-aliases", "cloudformation", b.cfn_sub_doubling_aliases, b.CFN, ("alias bomb",)),
    Bomb("cfn-join-16-aliases-over-40kb", "cloudformation", b.cfn_join_aliases, b.CFN, ("alias bomb",)),
    Bomb("cfn-unit-burns-its-allowance", "cloudformation", b.cfn_bytes_burner, b.CFN),
    # Bicep
    Bomb("bicep-string-doubling", "bicep", b.bicep_doubling, b.BICEP),
    Bomb("bicep-padLeft", "bicep", b.bicep_padleft, b.BICEP),
    Bomb(
        "bicep-format-doubling",
        "bicep",
        lambda: b.bicep_function_doubling("format('{{0}}{{0}}', {p})"),
        b.BICEP,
    ),
    Bomb("bicep-concat-doubling", "bicep", lambda: b.bicep_function_doubling("concat({p}, {p})"), b.BICEP),
    Bomb("bicep-udf-recursion", "bicep", b.bicep_udf_recursion, b.BICEP),
    Bomb("bicep-udf-doubling", "bicep", b.bicep_udf_doubling, b.BICEP),
    Bomb("bicep-lambda-bomb", "bicep", b.bicep_lambda_bomb, b.BICEP),
    Bomb("bicep-reduce-doubling", "bicep", b.bicep_reduce_doubling, b.BICEP),
    Bomb("bicep-replace-squaring", "bicep", b.bicep_replace_squaring, b.BICEP),
    Bomb("bicep-module-fanout-1000x1000x1000", "bicep", b.bicep_module_fanout, None),
    Bomb("bicep-unit-burns-its-allowance", "bicep", b.bicep_bytes_burner, b.BICEP),
    # ARM
    Bomb("arm-string-doubling", "arm", b.arm_doubling, b.ARM),
    Bomb("arm-padLeft", "arm", b.arm_padleft, b.ARM),
    Bomb("arm-replace-squaring", "arm", b.arm_replace_squaring, b.ARM),
    Bomb("arm-udf-recursion", "arm", b.arm_udf_recursion, None),
    Bomb("arm-udf-doubling", "arm", b.arm_udf_doubling, None),
    Bomb("arm-lambda-bomb", "arm", b.arm_lambda_bomb, b.ARM),
    Bomb("arm-reduce-doubling", "arm", b.arm_reduce_doubling, None),
    Bomb("arm-copy-100000000", "arm", b.arm_copy_huge, None),
    Bomb("arm-variable-copy-100000000", "arm", b.arm_variable_copy_huge, b.ARM),
    # ARM itself refuses a range of over 10,000 integers: unknown, for that reason or the budget.
    Bomb("arm-range-100000000", "arm", b.arm_range_huge, None),
    Bomb("arm-nested-deployment-fanout-1000x1000x1000", "arm", b.arm_nested_fanout, None),
    Bomb("arm-unit-burns-its-allowance", "arm", b.arm_bytes_burner, b.ARM),
]


def scan_bomb(tree: HostileTree, language: str, files: b.Files) -> tuple[Run, list[str]]:
    tree.write(files)
    before, text = VIOLATIONS[language]
    after = before.replace("elsewhere/", "zz-after/")
    tree.write({before: text, after: text})
    return tree.scan("."), [before, after]


@pytest.mark.parametrize("bomb", BOMBS, ids=str)
def test_budget_bounds_the_unit_and_the_scan_goes_on(tree: HostileTree, bomb: Bomb) -> None:
    run, violations = scan_bomb(tree, bomb.language, bomb.files())
    assert_bounded(run)
    for rel in violations:
        assert_violation_reported(run, rel)
    if bomb.note_in:
        for alternative in bomb.also:
            try:
                assert_note(run, bomb.note_in, alternative)
                return
            except AssertionError:
                pass
        assert_note(run, bomb.note_in, BUDGET_NOTE)


# -- findings and policy documents -------------------------------------------------------------------


def test_sam_definition_body_bomb_findings_are_capped(tree: HostileTree) -> None:
    """5,000 paths sharing one aliased set of 4 operations: 20,000 operations without auth. The
    findings per resource and rule are capped (the issue's bomb gave 281,204 findings and 1.9 GB)."""
    run, violations = scan_bomb(tree, "cloudformation", b.sam_definition_bomb())
    assert_bounded(run)
    for rel in violations:
        assert_violation_reported(run, rel)
    mine = findings_in(run, b.CFN)
    assert mine, f"the bomb's API has no findings at all:\n{summary(run)}"
    assert len(mine) <= 500, f"{len(mine)} findings for one API: findings per resource are not capped"
    assert len(run.reports.get("sarif", "")) < 5 * 1024 * 1024, "a 5 MB SARIF report for one API"


POLICY_BOMBS = [
    ("tf-1000-for-each-policies-sharing-1mb", "terraform", b.tf_policy_shared),
    ("bicep-1000-loop-policies-sharing-1mb", "bicep", b.bicep_policy_shared),
    ("arm-1000-copy-policies-sharing-1mb", "arm", b.arm_policy_shared),
]


@pytest.mark.parametrize(
    ("language", "files"), [p[1:] for p in POLICY_BOMBS], ids=[p[0] for p in POLICY_BOMBS]
)
def test_shared_policy_document_is_read_within_limits(
    tree: HostileTree, language: str, files: Callable[[], b.Files]
) -> None:
    run, violations = scan_bomb(tree, language, files())
    assert_bounded(run)
    for rel in violations:
        assert_violation_reported(run, rel)


# -- parsing ---------------------------------------------------------------------------------------

PARSE_BOMBS = [
    ("bicep-100kb-of-<a>", "bicep", b.bicep_parse_junk, b.BICEP),
    ("hcl-80kb-of-x=", "terraform", b.hcl_parse_junk, b.TF),
]


@pytest.mark.parametrize(
    ("language", "files", "rel"), [p[1:] for p in PARSE_BOMBS], ids=[p[0] for p in PARSE_BOMBS]
)
def test_slow_parse_fails_the_file(
    tree: HostileTree, language: str, files: Callable[[], b.Files], rel: str
) -> None:
    """The grammars' error recovery is quadratic on this junk (minutes before the parse deadline):
    the file is failed (IAC001) with the reason, and the rest goes on. Bicep's own parser reads the
    junk in linear time: it is an unreadable region, reported (IAC001) as the file partly read."""
    run, violations = scan_bomb(tree, language, files())
    assert_bounded(run)
    for v in violations:
        assert_violation_reported(run, v)
    record = file_record(run, rel)
    if language == "bicep":
        assert record is not None, summary(run)
        assert_note(run, rel, "not understood", "partly read", rule="IAC001")
        return
    assert record is not None and record["status"] == "failed", summary(run)
    assert_note(run, rel, "pars", rule="IAC001")


# -- reports ------------------------------------------------------------------------------------------

REPORT_BOMBS = [
    ("arm-one-line-400kb-900-findings", "arm", b.arm_minified_many_findings),
    ("cfn-json-one-line-400kb-600-domains", "cloudformation", b.cfn_minified_many_findings),
]


@pytest.mark.parametrize(
    ("language", "files"), [r[1:] for r in REPORT_BOMBS], ids=[r[0] for r in REPORT_BOMBS]
)
def test_text_report_excerpts_are_bounded(
    tree: HostileTree, language: str, files: Callable[[], b.Files]
) -> None:
    """Hundreds of findings on one long line: the text report's excerpts must not cost the line's
    length per finding (35 s for the ARM case before)."""
    run, violations = scan_bomb(tree, language, files())
    assert_bounded(run)
    for rel in violations:
        assert_violation_reported(run, rel)
    assert len(run.stdout) < 20 * 1024 * 1024, "the text report quotes the long line in full, again and again"
