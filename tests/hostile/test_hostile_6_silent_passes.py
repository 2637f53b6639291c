"""Issue 12, class 6: silent passes.

Each file a user would expect checked is scanned or failed (IAC001, exit 1), never skipped quietly,
so a violation in it cannot pass. No other violation is planted in these scans: exit 1 must come
from the file under test.

Examples from the issue: a Bicep module cycle (both files "scanned", the TLS 1.0 gateway in them
never evaluated, exit 0); an ARM template over the size limit (skipped, exit 0); an unreadable JSON
template ("skipped: not valid JSON"); a symlinked file reported only under its target's name; a
dangling `.bicep` link counted as scanned and failed at once. The class: the same in every language
(templates over the size limit, unparsable, unreadable, linked, dangling).
"""

from __future__ import annotations

import os

import pytest
from hostile_kit import (
    ARM_VIOLATION,
    BICEP_VIOLATION,
    CFN_VIOLATION,
    MB,
    TF_VIOLATION,
    HostileTree,
    Run,
    assert_bounded,
    assert_exit,
    bicep_apim,
    file_record,
    findings_in,
    summary,
)


def assert_checked(run: Run, rel: str) -> None:
    """`rel` gave a real IAC101 error or is failed with an IAC001; and it has one record."""
    reported = [f for f in findings_in(run, rel) if (f["rule_id"] == "IAC101" and not f["unknown"])]
    failed = findings_in(run, rel, "IAC001")
    assert reported or failed, f"{rel} passed silently:\n{summary(run)}\n{run.describe()}"
    records = [r for r in run.files if os.path.normpath(r["path"]) == os.path.normpath(rel)]
    assert len(records) == 1, f"{rel} has {len(records)} file records:\n{summary(run)}"
    if failed:
        assert records[0]["status"] == "failed", records
    counts = run.json()["summary"]["files"]
    assert sum(counts.values()) == len(run.files), (counts, len(run.files))


# -- Bicep module cycles ---------------------------------------------------------------------------

CYCLE_FILES = {
    "two-file-cycle": {
        "infra/a.bicep": bicep_apim("'True'", name="a", extra="module b 'b.bicep' = {\n  name: 'b'\n}"),
        "infra/b.bicep": bicep_apim("'True'", name="b", extra="module a 'a.bicep' = {\n  name: 'a'\n}"),
    },
    "self-cycle": {
        "infra/a.bicep": bicep_apim("'True'", name="a", extra="module me 'a.bicep' = {\n  name: 'me'\n}"),
    },
    "three-file-cycle": {
        "infra/a.bicep": bicep_apim("'True'", name="a", extra="module b 'b.bicep' = {\n  name: 'b'\n}"),
        "infra/b.bicep": bicep_apim("'True'", name="b", extra="module c 'c.bicep' = {\n  name: 'c'\n}"),
        "infra/c.bicep": bicep_apim("'True'", name="c", extra="module a 'a.bicep' = {\n  name: 'a'\n}"),
    },
}


@pytest.mark.parametrize("files", list(CYCLE_FILES.values()), ids=list(CYCLE_FILES))
def test_bicep_module_cycle_is_evaluated_or_failed(tree: HostileTree, files: dict[str, str]) -> None:
    tree.write(files)  # type: ignore[arg-type]
    run = tree.scan(".")
    assert_bounded(run)
    assert_exit(run, 1)
    for rel in files:
        assert_checked(run, rel)


# -- files over the size limit ----------------------------------------------------------------------

PAD = 21 * MB  # over the 20 MB file limit
CFN_VIOLATION_JSON = (
    '{"Resources": {"L": {"Type": "AWS::ApiGateway::DomainName", "Properties": '
    '{"DomainName": "x", "SecurityPolicy": "TLS_1_0"}}}}\n'
)

OVERSIZE = [
    ("arm-template", "infra/azuredeploy.json", ARM_VIOLATION.rstrip() + " " * PAD + "\n"),
    (
        "cfn-json-template",
        "infra/template.json",
        '{"AWSTemplateFormatVersion": "2010-09-09",' + " " * PAD + CFN_VIOLATION_JSON[1:],
    ),
    ("cfn-yaml-template", "infra/template.yaml", CFN_VIOLATION + "#" + "x" * PAD + "\n"),
    ("terraform", "infra/main.tf", TF_VIOLATION + "#" + "x" * PAD + "\n"),
    ("bicep", "infra/main.bicep", BICEP_VIOLATION + "//" + "x" * PAD + "\n"),
]


@pytest.mark.parametrize(("rel", "text"), [o[1:] for o in OVERSIZE], ids=[o[0] for o in OVERSIZE])
def test_file_over_the_size_limit_is_failed(tree: HostileTree, rel: str, text: str) -> None:
    tree.write({rel: text})
    run = tree.scan(".")
    assert_bounded(run)
    assert_exit(run, 1)
    assert_checked(run, rel)
    record = file_record(run, rel)
    assert record is not None and record["status"] == "failed", summary(run)


# -- templates that cannot be read -------------------------------------------------------------------

UNPARSABLE = [
    (
        "arm-json-syntax-error",
        "infra/azuredeploy.json",
        ARM_VIOLATION.replace('"resources": [', '"resources": [,', 1),
    ),
    ("arm-json-truncated", "infra/azuredeploy.json", ARM_VIOLATION[: len(ARM_VIOLATION) // 2]),
    ("arm-json-not-utf8", "infra/azuredeploy.json", ARM_VIOLATION.replace("westeurope", "west\udcffeurope")),
    (
        "cfn-json-syntax-error",
        "infra/template.json",
        '{"AWSTemplateFormatVersion": "2010-09-09",'
        ' "Resources": {"L": {"Type": "AWS::ApiGateway::DomainName",,}}}\n',
    ),
    ("cfn-yaml-syntax-error", "infra/template.yaml", CFN_VIOLATION + "  Broken: [\n"),
]


@pytest.mark.parametrize(("rel", "text"), [u[1:] for u in UNPARSABLE], ids=[u[0] for u in UNPARSABLE])
def test_unparsable_template_is_failed(tree: HostileTree, rel: str, text: str) -> None:
    (tree.repo / rel).parent.mkdir(parents=True)
    (tree.repo / rel).write_bytes(text.encode("utf-8", "surrogateescape"))
    run = tree.scan(".")
    assert_bounded(run)
    assert_exit(run, 1)
    assert findings_in(run, rel, "IAC001"), f"{rel} was not failed:\n{summary(run)}"
    assert_checked(run, rel)


UNREADABLE = [
    ("arm-template", "infra/azuredeploy.json", ARM_VIOLATION),
    ("cfn-template", "infra/template.yaml", CFN_VIOLATION),
    ("terraform", "infra/main.tf", TF_VIOLATION),
    ("bicep", "infra/main.bicep", BICEP_VIOLATION),
]


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files without permission"
)
@pytest.mark.parametrize(("rel", "text"), [u[1:] for u in UNREADABLE], ids=[u[0] for u in UNREADABLE])
def test_unreadable_template_is_failed(tree: HostileTree, rel: str, text: str) -> None:
    tree.write({rel: text})
    os.chmod(tree.repo / rel, 0)
    try:
        run = tree.scan(".")
    finally:
        os.chmod(tree.repo / rel, 0o644)
    assert_bounded(run)
    assert_exit(run, 1)
    assert findings_in(run, rel, "IAC001"), f"{rel} was not failed:\n{summary(run)}"
    assert_checked(run, rel)


# -- links -------------------------------------------------------------------------------------------

LINKED = [
    ("terraform-file", "a/main.tf", "b/main.tf", TF_VIOLATION),
    ("cfn-template", "a/template.yaml", "b/template.yaml", CFN_VIOLATION),
    ("bicep-file", "a/main.bicep", "b/main.bicep", BICEP_VIOLATION),
    ("arm-template", "a/azuredeploy.json", "b/azuredeploy.json", ARM_VIOLATION),
]


@pytest.mark.parametrize(("target", "link", "text"), [x[1:] for x in LINKED], ids=[x[0] for x in LINKED])
def test_symlinked_file_is_reported_under_its_own_name(
    tree: HostileTree, target: str, link: str, text: str
) -> None:
    """`b/<file>` links to `a/<file>`. Scanning the tree reports the violation under both names
    (the link is a file of its own unit, not a duplicate to drop); scanning `b` alone reports it
    under `b/<file>`, or says the link was skipped and why (its target is outside `b`)."""
    tree.write({target: text})
    (tree.repo / link).parent.mkdir(parents=True)
    os.symlink(os.path.relpath(tree.repo / target, (tree.repo / link).parent), tree.repo / link)
    run = tree.scan(".")
    assert_bounded(run)
    assert_exit(run, 1)
    for name in (target, link):
        hits = [f for f in findings_in(run, name, "IAC101") if not f["unknown"]]
        assert hits, f"the violation is not reported under {name}:\n{summary(run)}"
    alone = tree.scan("b")
    assert_bounded(alone)
    record = file_record(alone, link)
    hits = [f for f in findings_in(alone, link, "IAC101") if not f["unknown"]]
    assert hits or (record is not None and record["status"] == "skipped" and record["reason"]), (
        f"scanning b, {link} is neither reported nor said to be skipped:\n{summary(alone)}"
    )
    assert_exit(alone, 1 if hits else 0)


DANGLING = [
    ("bicep", "infra/main.bicep"),
    ("terraform", "infra/main.tf"),
    ("cfn", "infra/template.yaml"),
    ("arm", "infra/azuredeploy.json"),
]


@pytest.mark.parametrize("rel", [d[1] for d in DANGLING], ids=[d[0] for d in DANGLING])
def test_dangling_link_is_failed_once(tree: HostileTree, rel: str) -> None:
    (tree.repo / rel).parent.mkdir(parents=True)
    os.symlink("missing-target", tree.repo / rel)
    run = tree.scan(".")
    assert_bounded(run)
    record = file_record(run, rel)
    assert record is not None, f"{rel} is not accounted for:\n{summary(run)}"
    records = [r for r in run.files if os.path.normpath(r["path"]) == os.path.normpath(rel)]
    assert len(records) == 1, f"{rel} counted {len(records)} times:\n{summary(run)}"
    counts = run.json()["summary"]["files"]
    assert sum(counts.values()) == len(run.files), (counts, run.files)
    assert record["status"] == "failed", record
    assert findings_in(run, rel, "IAC001"), summary(run)
    assert_exit(run, 1)
