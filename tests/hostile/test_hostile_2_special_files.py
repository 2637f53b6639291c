"""Issue 12, class 2: hangs and floods from special files.

Only regular files are read (checked with `fstat` on a descriptor opened non-blocking), every read is
bounded while reading, and the text report's excerpt reader goes through the same guarded reader
(an IAC001 on a FIFO makes the text report open that FIFO for its excerpt). Each case runs the real
command with every report format under the time and memory limits and checks that the run ends,
names the file, and still reports a real violation elsewhere.

Examples from the issue: a FIFO named `main.tf`, `template.yaml`, `x.json`, `main.bicep` or
`terraform.tfvars`, or given as `--var-file` / `--config` / config `var-files`, or read by
`loadTextContent`; `/dev/zero` through Bicep `loadTextContent`, `--var-file`, `--config`; a 1 GB
CloudFormation template (sparse, so it costs no disk). The class: the same through symlinks, through
Terraform `file()`/`templatefile()`, `--parameter-file` and `--baseline`, and an oversized file in
every language.
"""

from __future__ import annotations

import pytest
from hostile_kit import (
    CFN_VIOLATION,
    MB,
    TF_VIOLATION,
    Case,
    HostileTree,
    assert_bounded,
    assert_error_or_finding,
    assert_named,
    assert_note,
    assert_violation_reported,
    bicep_apim,
    build,
    file_record,
    findings_in,
    summary,
    tf_domain,
)

GB = 1024 * MB
BICEP_HEAD = bicep_apim("'True'").encode()

# -- files in the tree that are not regular files ----------------------------------------------------

# (case, the file that must be reported as failed)
UNIT_FILES = [
    (Case("fifo-main.tf", "terraform", fifos=("infra/main.tf",)), "infra/main.tf"),
    (Case("fifo-template.yaml", "cloudformation", fifos=("infra/template.yaml",)), "infra/template.yaml"),
    (Case("fifo-main.bicep", "bicep", fifos=("infra/main.bicep",)), "infra/main.bicep"),
    (Case("fifo-azuredeploy.json", "arm", fifos=("infra/azuredeploy.json",)), "infra/azuredeploy.json"),
    (
        Case(
            "fifo-terraform.tfvars",
            "terraform",
            {"infra/main.tf": tf_domain('"TLS_1_2"')},
            fifos=("infra/terraform.tfvars",),
        ),
        "infra/terraform.tfvars",
    ),
    (
        Case(
            "fifo-auto.tfvars",
            "terraform",
            {"infra/main.tf": tf_domain('"TLS_1_2"')},
            fifos=("infra/x.auto.tfvars",),
        ),
        "infra/x.auto.tfvars",
    ),
    (
        Case("symlink-main.tf-to-fifo", "terraform", fifos=("infra/pipe",), links={"infra/main.tf": "pipe"}),
        "infra/main.tf",
    ),
    (
        Case(
            "symlink-main.bicep-to-fifo", "bicep", fifos=("infra/pipe",), links={"infra/main.bicep": "pipe"}
        ),
        "infra/main.bicep",
    ),
    # Sparse files past the size limit: the size is known before reading, and nothing is read.
    (
        Case(
            "1gb-template.yaml",
            "terraform",
            sparse={"infra/template.yaml": (CFN_VIOLATION.encode(), GB, b"\n")},
        ),
        "infra/template.yaml",
    ),
    (
        Case(
            "1gb-template.json",
            "terraform",
            sparse={
                "infra/template.json": (
                    b'{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {',
                    GB,
                    b"}}\n",
                )
            },
        ),
        "infra/template.json",
    ),
    (
        Case("1gb-main.tf", "cloudformation", sparse={"infra/main.tf": (TF_VIOLATION.encode(), GB, b"\n")}),
        "infra/main.tf",
    ),
    (
        Case(
            "1gb-terraform.tfvars",
            "cloudformation",
            {"infra/main.tf": tf_domain('"TLS_1_2"')},
            sparse={"infra/terraform.tfvars": (b'policy = "', GB, b'"\n')},
        ),
        "infra/terraform.tfvars",
    ),
    (
        Case("1gb-main.bicep", "terraform", sparse={"infra/main.bicep": (BICEP_HEAD, GB, b"\n")}),
        "infra/main.bicep",
    ),
]


@pytest.mark.parametrize(("case", "failed"), UNIT_FILES, ids=[c.id for c, _ in UNIT_FILES])
def test_special_or_huge_unit_file_fails_and_the_scan_goes_on(
    tree: HostileTree, case: Case, failed: str
) -> None:
    violation = build(tree, case)
    run = tree.scan(".")
    assert_bounded(run)
    assert violation is not None
    assert_violation_reported(run, violation)
    record = file_record(run, failed)
    assert record is not None and record["status"] == "failed", f"{failed} not failed:\n{summary(run)}"
    assert findings_in(run, failed, "IAC001"), f"no IAC001 for {failed}:\n{summary(run)}"


# A FIFO or device with a name that may or may not be a template: it is named, with a reason.
NAMED_FILES = [
    (Case("fifo-x.json", "terraform", fifos=("infra/x.json",)), "infra/x.json"),
    (Case("fifo-x.yaml", "terraform", fifos=("infra/x.yaml",)), "infra/x.yaml"),
    (
        Case("symlink-main.tf-to-dev-zero", "cloudformation", links={"infra/main.tf": "/dev/zero"}),
        "infra/main.tf",
    ),
    (
        Case("symlink-template.yaml-to-dev-zero", "terraform", links={"infra/template.yaml": "/dev/zero"}),
        "infra/template.yaml",
    ),
    (
        Case("symlink-main.bicep-to-dev-zero", "terraform", links={"infra/main.bicep": "/dev/zero"}),
        "infra/main.bicep",
    ),
    (
        Case(
            "symlink-azuredeploy.json-to-dev-zero", "terraform", links={"infra/azuredeploy.json": "/dev/zero"}
        ),
        "infra/azuredeploy.json",
    ),
]


@pytest.mark.parametrize(("case", "named"), NAMED_FILES, ids=[c.id for c, _ in NAMED_FILES])
def test_special_file_is_named_with_a_reason(tree: HostileTree, case: Case, named: str) -> None:
    violation = build(tree, case)
    run = tree.scan(".")
    assert_bounded(run)
    assert violation is not None
    assert_violation_reported(run, violation)
    record = file_record(run, named)
    if record is None:  # reported under its resolved path, as a link out of the tree
        assert_named(run, named.rsplit("/", 1)[-1])
    else:
        assert record["status"] in ("failed", "skipped") and record["reason"], record


# -- special files read by the code ----------------------------------------------------------------

TF = "infra/main.tf"
BICEP = "infra/main.bicep"

READ_BY_CODE = [
    Case(
        "bicep-loadTextContent-fifo",
        "bicep",
        {BICEP: bicep_apim("loadTextContent('pipe.txt')")},
        fifos=("infra/pipe.txt",),
        note_in=BICEP,
        note=("loadtextcontent",),
    ),
    Case(
        "bicep-loadTextContent-dev-zero",
        "bicep",
        {BICEP: bicep_apim("loadTextContent('/dev/zero')")},
        note_in=BICEP,
        note=("loadtextcontent",),
    ),
    Case(
        "bicep-loadFileAsBase64-dev-zero",
        "bicep",
        {BICEP: bicep_apim("loadFileAsBase64('/dev/zero')")},
        note_in=BICEP,
        note=("loadfileasbase64",),
    ),
    Case(
        "bicep-loadTextContent-symlink-to-fifo",
        "bicep",
        {BICEP: bicep_apim("loadTextContent('link.txt')")},
        fifos=("infra/pipe.txt",),
        links={"infra/link.txt": "pipe.txt"},
        note_in=BICEP,
        note=("loadtextcontent",),
    ),
    Case(
        "bicep-loadTextContent-sparse-1gb",
        "bicep",
        {BICEP: bicep_apim("loadTextContent('big.txt')")},
        sparse={"infra/big.txt": (b"True", GB, b"\n")},
        note_in=BICEP,
        note=("loadtextcontent",),
    ),
    Case(
        "tf-file-fifo",
        "terraform",
        {TF: tf_domain('file("${path.module}/pipe.txt")')},
        fifos=("infra/pipe.txt",),
        note_in=TF,
        note=("file",),
    ),
    Case(
        "tf-templatefile-fifo",
        "terraform",
        {TF: tf_domain('templatefile("${path.module}/pipe.txt", {})')},
        fifos=("infra/pipe.txt",),
        note_in=TF,
        note=("templatefile",),
    ),
    Case("tf-file-dev-zero", "terraform", {TF: tf_domain('file("/dev/zero")')}, note_in=TF, note=("file",)),
    Case(
        "tf-file-symlink-to-dev-zero",
        "terraform",
        {TF: tf_domain('file("${path.module}/z.txt")')},
        links={"infra/z.txt": "/dev/zero"},
        note_in=TF,
        note=("file",),
    ),
    Case(
        "tf-file-sparse-1gb",
        "terraform",
        {TF: tf_domain('file("${path.module}/big.txt")')},
        sparse={"infra/big.txt": (b"TLS_1_0", GB, b"\n")},
        note_in=TF,
        note=("file",),
    ),
]


@pytest.mark.parametrize("case", READ_BY_CODE, ids=str)
def test_special_file_read_by_code_is_unknown(tree: HostileTree, case: Case) -> None:
    violation = build(tree, case)
    run = tree.scan(".")
    assert_bounded(run)
    assert violation is not None
    assert_violation_reported(run, violation)
    assert case.note_in is not None
    note = assert_note(run, case.note_in, *case.note, rule="IAC101")
    assert note["unknown"], note


# -- special files named by the committed configuration ---------------------------------------------

POLICY_VAR = {TF: tf_domain("var.policy", extra='variable "policy" {\n  default = "TLS_1_2"\n}')}

CONFIG_VAR_FILES = [
    Case(
        "config-var-files-fifo",
        "cloudformation",
        {**POLICY_VAR, ".iaclint.toml": 'var-files = ["pipe.tfvars"]\n'},
        fifos=("pipe.tfvars",),
        named=("pipe.tfvars",),
    ),
    Case(
        "config-var-files-dev-zero",
        "cloudformation",
        {**POLICY_VAR, ".iaclint.toml": 'var-files = ["/dev/zero"]\n'},
        named=("/dev/zero",),
    ),
    Case(
        "config-var-files-symlink-to-fifo",
        "cloudformation",
        {**POLICY_VAR, ".iaclint.toml": 'var-files = ["vars.tfvars"]\n'},
        fifos=("pipe.tfvars",),
        links={"vars.tfvars": "pipe.tfvars"},
        named=("vars.tfvars",),
    ),
    Case(
        "config-var-files-sparse-1gb",
        "cloudformation",
        {**POLICY_VAR, ".iaclint.toml": 'var-files = ["big.tfvars"]\n'},
        sparse={"big.tfvars": (b'policy = "', GB, b'"\n')},
        named=("big.tfvars",),
    ),
]


@pytest.mark.parametrize("case", CONFIG_VAR_FILES, ids=str)
def test_special_var_file_in_config_is_refused(tree: HostileTree, case: Case) -> None:
    build(tree, case)
    run = tree.scan(".")
    assert_bounded(run)
    assert_error_or_finding(run, case.named[0])
    if run.returncode == 1:
        assert_violation_reported(run, "elsewhere/cfn/template.yaml")


# -- special files given on the command line ---------------------------------------------------------

# (id, option, path; "PIPE" is a FIFO and "BIG" a 1 GB sparse file in the tree)
COMMAND_LINE = [
    ("var-file-fifo", "--var-file", "PIPE"),
    ("var-file-dev-zero", "--var-file", "/dev/zero"),
    ("var-file-sparse-1gb", "--var-file", "BIG"),
    ("config-fifo", "--config", "PIPE"),
    ("config-dev-zero", "--config", "/dev/zero"),
    ("config-sparse-1gb", "--config", "BIG"),
    ("parameter-file-fifo", "--parameter-file", "PIPE"),
    ("parameter-file-dev-zero", "--parameter-file", "/dev/zero"),
    ("parameter-file-sparse-1gb", "--parameter-file", "BIG"),
    ("baseline-fifo", "--baseline", "PIPE"),
    ("baseline-dev-zero", "--baseline", "/dev/zero"),
    ("baseline-sparse-1gb", "--baseline", "BIG"),
]


@pytest.mark.parametrize(("option", "path"), [c[1:] for c in COMMAND_LINE], ids=[c[0] for c in COMMAND_LINE])
def test_special_file_on_the_command_line(tree: HostileTree, option: str, path: str) -> None:
    case = Case("cli", None, POLICY_VAR, fifos=("PIPE",), sparse={"BIG": (b"{", GB, b"}")})
    build(tree, case)
    (tree.repo / "PIPE").rename(tree.repo / "pipe.tfvars")
    (tree.repo / "BIG").rename(tree.repo / "big.json")
    given = {"PIPE": "pipe.tfvars", "BIG": "big.json"}.get(path, path)
    run = tree.scan("infra", option, given)
    assert_bounded(run)
    assert_error_or_finding(run, given)
