"""Issue 12, class 5: tracebacks.

Each of these becomes a one-line error (exit 2, for usage and environment errors) or a finding for
the file (IAC001, exit 1), never a traceback; an exception inside a loader (a bug) is an internal
error naming the file (exit 2), not an IAC001 "could not read" that hides it.

Examples from the issue: very deep directory trees; file names that are not valid UTF-8 (in the
text, JSON, SARIF and GitHub outputs); deeply nested JSON in parameter files, baselines and configs;
a config whose `[tool.iaclint]` (or `tool`) is not a table; deeply nested TOML in a parent
`pyproject.toml` found automatically; a baseline whose fingerprints are lists or dicts; stdout on a
full disk; an over-long argument; a Terraform `regex("(", ...)` evaluated again in the model stage;
an IAM condition without `variable`; a 5,000-digit YAML integer. The class: the same in every
language and place (non-UTF-8 names of every kind of file, deep nesting in every template format,
huge integers in every format).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hostile_kit import (
    ARM_VIOLATION,
    BICEP_VIOLATION,
    CFN_VIOLATION,
    TF_VIOLATION,
    HostileTree,
    Run,
    arm_template,
    assert_bounded,
    assert_error_or_finding,
    assert_exit,
    assert_one_line_error,
    assert_violation_reported,
    cfn_domain,
    file_record,
    findings_in,
    summary,
    tf_domain,
)

DEEP = 100_000


def assert_line_or_scan(run: Run, violation: str) -> None:
    """Either a one-line error (exit 2), or the scan went on and reported the real violation."""
    assert_exit(run, 1, 2)
    if run.returncode == 2:
        assert_one_line_error(run)
    else:
        assert_violation_reported(run, violation)


# -- directory trees and file names -----------------------------------------------------------------


def make_deep(top: Path, depth: int, leaf: dict[str, str]) -> None:
    """`top/d/d/.../d` `depth` levels deep, created relative to open directories so the path may
    exceed PATH_MAX."""
    fd = os.open(top, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            nxt = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nxt
        for name, text in leaf.items():
            wfd = os.open(name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
            os.write(wfd, text.encode())
            os.close(wfd)
    finally:
        os.close(fd)


def remove_deep(top: Path) -> None:
    """Remove a deep tree one level at a time with short paths: each pass lifts the grandchildren
    of `top` into `top` (`shutil.rmtree`, and pytest's own clean-up, recurse once per level and
    stop at Python's recursion limit)."""
    n = 0
    while entries := os.listdir(top):
        for name in entries:
            p = top / name
            if not p.is_dir() or p.is_symlink():
                p.unlink()
                continue
            for sub in os.listdir(p):
                q = p / sub
                if q.is_dir() and not q.is_symlink():
                    os.rename(q, top / f"up{n}")
                    n += 1
                else:
                    q.unlink()
            os.rmdir(p)
    os.rmdir(top)


@pytest.mark.parametrize("depth", [1_200, 2_200], ids=["1200-levels", "2200-levels-past-PATH_MAX"])
def test_very_deep_directory_tree(tree: HostileTree, depth: int) -> None:
    (tree.repo / "deep").mkdir()
    make_deep(tree.repo / "deep", depth, {"main.tf": TF_VIOLATION})
    violation = tree.add_violation("terraform")
    try:
        run = tree.scan(".")
    finally:
        remove_deep(tree.repo / "deep")
    assert_bounded(run)
    assert_line_or_scan(run, violation)


BAD_NAMES = [
    ("tf-file", b"infra/\xff\xfe.tf", TF_VIOLATION),
    ("tf-directory", b"infra/\xff/main.tf", TF_VIOLATION),
    ("cfn-template", b"infra/\xff.yaml", CFN_VIOLATION),
    ("bicep-file", b"infra/\xff.bicep", BICEP_VIOLATION),
    ("arm-template", b"infra/\xc3\x28.json", ARM_VIOLATION),
]


@pytest.mark.parametrize(("name", "text"), [b[1:] for b in BAD_NAMES], ids=[b[0] for b in BAD_NAMES])
def test_file_name_not_utf8_in_every_format(tree: HostileTree, name: bytes, text: str) -> None:
    path = os.fsencode(tree.repo) + b"/" + name
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(text.encode())
    run = tree.scan(".")
    assert_bounded(run)
    assert_exit(run, 1)
    for fmt in ("json", "sarif"):
        try:
            json.loads(run.reports[fmt])
        except (KeyError, ValueError) as err:
            raise AssertionError(f"the {fmt} report is not JSON: {err}\n{run.describe()}") from None
    hits = [f for f in run.findings if f["rule_id"] == "IAC101" and f["path"].startswith("infra/")]
    assert hits, f"the violation in a file with a non-UTF-8 name is not reported:\n{summary(run)}"
    sarif = json.loads(run.reports["sarif"])
    assert any(r["ruleId"] == "IAC101" for r in sarif["runs"][0]["results"])
    assert "::error " in run.reports["github"], run.reports["github"][:500]
    assert "IAC101" in run.stdout


LOOPS = [
    ("tf-self", {"infra/main.tf": "main.tf"}),
    ("cfn-two-links", {"infra/template.yaml": "other.yaml", "infra/other.yaml": "template.yaml"}),
    ("bicep-self", {"infra/main.bicep": "main.bicep"}),
    ("arm-self", {"infra/azuredeploy.json": "azuredeploy.json"}),
    ("template-self", {"infra/x.template": "x.template"}),
    ("directory-loop", {"infra/d": "."}),
]


@pytest.mark.parametrize("links", [x[1] for x in LOOPS], ids=[x[0] for x in LOOPS])
def test_symlink_loop_in_every_format(tree: HostileTree, links: dict[str, str]) -> None:
    """A link to itself (found by the fuzzer: the SARIF report resolved the path and crashed)."""
    for rel, target in links.items():
        (tree.repo / rel).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, tree.repo / rel)
    violation = tree.add_violation("terraform")
    run = tree.scan(".")
    assert_bounded(run)
    assert_violation_reported(run, violation)
    for fmt in ("json", "sarif"):
        json.loads(run.reports[fmt])


# -- deeply nested documents -------------------------------------------------------------------------


def deep_json(key: str) -> str:
    return '{"' + key + '": ' + "[" * DEEP + "]" * DEEP + "}"


# Files given on the command line: (id, option, file name, content).
DEEP_GIVEN = [
    ("arm-parameter-file", "--parameter-file", "deep.parameters.json", deep_json("parameters")),
    ("cfn-parameter-file", "--parameter-file", "deep-params.json", "[" * DEEP + "]" * DEEP),
    ("baseline", "--baseline", "deep-baseline.json", deep_json("findings")),
    ("config-toml", "--config", "deep.toml", "a = " + "[" * DEEP + "]" * DEEP + "\n"),
    (
        "config-inline-tables",
        "--config",
        "deep-tables.toml",
        "a = " + "{b = " * 5000 + "1" + "}" * 5000 + "\n",
    ),
    ("var-file-tfvars", "--var-file", "deep.tfvars", "policy = " + "[" * DEEP + "]" * DEEP + "\n"),
    ("var-file-json", "--var-file", "deep.tfvars.json", deep_json("policy")),
]


@pytest.mark.parametrize(
    ("option", "name", "text"), [d[1:] for d in DEEP_GIVEN], ids=[d[0] for d in DEEP_GIVEN]
)
def test_deeply_nested_file_on_the_command_line(tree: HostileTree, option: str, name: str, text: str) -> None:
    tree.write(
        {
            "infra/main.tf": tf_domain("var.policy", extra='variable "policy" {\n  default = "TLS_1_2"\n}'),
            name: text,
        }
    )
    run = tree.scan("infra", option, name)
    assert_bounded(run)
    if run.returncode == 2:
        assert_one_line_error(run, name)
    elif name.endswith((".tfvars", ".tfvars.json")):
        # A variables file is values: past the depth budget they are unknown, not a failure.
        assert_exit(run, 0, 1)
    else:
        assert_error_or_finding(run, name)


# Files found in the tree: (id, path, content); each is failed (IAC001) or read with the values
# past the depth budget unknown, and the rest goes on.
DEEP_FOUND = [
    ("arm-parameters-beside-template", "infra/azuredeploy.parameters.json", deep_json("parameters")),
    (
        "arm-template",
        "infra/azuredeploy.json",
        arm_template("True")[:-3] + ', "variables": {"v": ' + "[" * DEEP + "]" * DEEP + "}}\n",
    ),
    (
        "cfn-json-template",
        "infra/template.json",
        '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"R": ' + "[" * DEEP + "]" * DEEP + "}}",
    ),
    (
        "cfn-yaml-template",
        "infra/template.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R: " + "[" * DEEP + "]" * DEEP + "\n",
    ),
    ("tf-hcl", "infra/main.tf", "locals {\n  x = " + "[" * DEEP + "]" * DEEP + "\n}\n"),
    ("tf-hcl-parens", "infra/main.tf", "locals {\n  x = " + "(" * DEEP + "1" + ")" * DEEP + "\n}\n"),
    ("tf-json", "infra/main.tf.json", deep_json("locals")),
    ("tfvars", "infra/terraform.tfvars", "policy = " + "[" * DEEP + "]" * DEEP + "\n"),
    ("bicep", "infra/main.bicep", "var x = " + "[" * DEEP + "]" * DEEP + "\n"),
    ("bicep-parens", "infra/main.bicep", "var x = " + "(" * DEEP + "1" + ")" * DEEP + "\n"),
    (
        "bicepparam",
        "infra/main.bicepparam",
        "using './main.bicep'\nparam p = " + "[" * DEEP + "]" * DEEP + "\n",
    ),
]


@pytest.mark.parametrize(("rel", "text"), [d[1:] for d in DEEP_FOUND], ids=[d[0] for d in DEEP_FOUND])
def test_deeply_nested_file_in_the_tree(tree: HostileTree, rel: str, text: str) -> None:
    files = {rel: text}
    if rel.endswith(".tfvars"):
        files["infra/main.tf"] = tf_domain("var.policy", extra='variable "policy" {}')
    if rel.endswith(".bicepparam"):
        files["infra/main.bicep"] = "param p array\n"
    tree.write(files)
    violation = tree.add_violation("terraform")
    run = tree.scan(".")
    assert_bounded(run)
    assert_violation_reported(run, violation)
    # Failed (IAC001), or read with the too-deep values unknown (the depth budget): either way it
    # is accounted for.
    assert file_record(run, rel) is not None or findings_in(run, rel), (
        f"{rel} is not accounted for:\n{summary(run)}"
    )


# -- configuration and baseline shapes ---------------------------------------------------------------

BAD_CONFIGS = [
    ("iaclint-toml-tool-is-a-number", ".iaclint.toml", "tool = 5\n"),
    ("iaclint-toml-tool-is-a-string", ".iaclint.toml", 'tool = "iaclint"\n'),
    ("iaclint-toml-tool-iaclint-is-a-list", ".iaclint.toml", "[tool]\niaclint = [1, 2]\n"),
    ("pyproject-tool-iaclint-is-a-string", "pyproject.toml", '[tool]\niaclint = "on"\n'),
    ("iaclint-toml-select-is-a-table", ".iaclint.toml", "[select]\nx = 1\n"),
    ("iaclint-toml-severity-level-is-a-table", ".iaclint.toml", "[severity.IAC101]\nx = 1\n"),
    ("iaclint-toml-parameters-value-is-a-list", ".iaclint.toml", "[parameters]\nIAC101 = [1]\n"),
    ("iaclint-toml-per-path-ignores-is-a-list", ".iaclint.toml", 'per-path-ignores = ["x"]\n'),
    ("iaclint-toml-not-utf8", ".iaclint.toml", "select = ['\udcff']\n"),
]


@pytest.mark.parametrize(("name", "text"), [c[1:] for c in BAD_CONFIGS], ids=[c[0] for c in BAD_CONFIGS])
def test_config_of_the_wrong_shape_is_a_usage_error(tree: HostileTree, name: str, text: str) -> None:
    (tree.repo / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    tree.add_violation("terraform")
    # Found automatically above the scanned path; the named examples also given with --config.
    runs = [tree.scan(".")]
    if text.startswith("tool ="):
        runs.append(tree.scan(".", "--config", name))
    for run in runs:
        assert_bounded(run)
        assert_one_line_error(run, name)


def test_deep_toml_in_a_parent_pyproject_found_automatically(tree: HostileTree) -> None:
    (tree.repo / "pyproject.toml").write_text("[tool.black]\nx = " + "[" * DEEP + "]" * DEEP + "\n")
    violation = tree.add_violation("terraform")
    run = tree.scan("elsewhere")
    assert_bounded(run)
    assert_line_or_scan(run, violation)


BAD_BASELINES = [
    ("fingerprints-are-lists", {"version": 2, "findings": [{"fingerprint": ["a", "b"]}]}),
    ("fingerprints-are-dicts", {"version": 2, "findings": [{"fingerprint": {"a": 1}}]}),
    ("fingerprints-are-numbers", {"version": 2, "findings": [{"fingerprint": 5}]}),
    ("findings-is-a-dict", {"version": 2, "findings": {"fingerprint": "x"}}),
    ("top-level-list", [{"fingerprint": "x"}]),
]


@pytest.mark.parametrize("doc", [b[1] for b in BAD_BASELINES], ids=[b[0] for b in BAD_BASELINES])
def test_baseline_of_the_wrong_shape(tree: HostileTree, doc: object) -> None:
    tree.write({"baseline.json": json.dumps(doc)})
    violation = tree.add_violation("terraform")
    run = tree.scan("elsewhere", "--baseline", "baseline.json")
    assert_bounded(run)
    if run.returncode == 2:
        assert_one_line_error(run, "baseline.json")
    else:
        assert_violation_reported(run, violation)


# -- the environment -------------------------------------------------------------------------------


def test_stdout_on_a_full_disk(tree: HostileTree) -> None:
    tree.add_violation("terraform")
    run = tree.command("scan", ".", stdout_path="/dev/full")
    assert_bounded(run)
    assert_exit(run, 2)
    assert_one_line_error(run)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_report_file_on_a_full_disk(tree: HostileTree, fmt: str) -> None:
    tree.add_violation("terraform")
    run = tree.command("scan", ".", "--format", fmt, "--output", "/dev/full")
    assert_bounded(run)
    assert_one_line_error(run, "/dev/full")


LONG = "a" * 5000

# A path too long for the system where iaclint reads: one line (exit 2), or a failed-file finding
# naming it (exit 1), as for a path that does not exist.
OVER_LONG_READ = [
    ("path", ("scan", LONG), LONG),
    ("path-component", ("scan", "x" * 300 + "/main.tf"), "x" * 300),
    ("files-mode", ("scan", "--files", LONG), LONG),
    ("var-file", ("scan", ".", "--var-file", LONG), LONG),
    ("config", ("scan", ".", "--config", LONG), LONG),
    ("baseline", ("scan", ".", "--baseline", LONG), LONG),
    ("parameter-file", ("scan", ".", "--parameter-file", LONG), LONG),
    ("config-command", ("config", LONG), LONG),
]


@pytest.mark.parametrize(
    ("args", "name"), [o[1:] for o in OVER_LONG_READ], ids=[o[0] for o in OVER_LONG_READ]
)
def test_over_long_argument_read(tree: HostileTree, args: tuple[str, ...], name: str) -> None:
    tree.add_violation("terraform")
    run = tree.scan(*args[1:]) if args[0] == "scan" else tree.command(*args)
    assert_bounded(run)
    if run.returncode == 2:
        assert_one_line_error(run)
    else:
        assert_exit(run, 0, 1)
        if args[0] == "scan":
            assert_error_or_finding(run, name)


# Where iaclint writes, a name the system refuses is an environment error: one line, exit 2.
OVER_LONG_WRITE = [
    ("output", ("scan", ".", "--format", "json", "--output", LONG)),
    ("baseline-create", ("baseline", "create", LONG, ".")),
]


@pytest.mark.parametrize("args", [o[1] for o in OVER_LONG_WRITE], ids=[o[0] for o in OVER_LONG_WRITE])
def test_over_long_argument_written(tree: HostileTree, args: tuple[str, ...]) -> None:
    tree.add_violation("terraform")
    run = tree.command(*args)
    assert_bounded(run)
    assert_one_line_error(run)


def test_over_long_exclude_pattern(tree: HostileTree) -> None:
    violation = tree.add_violation("terraform")
    run = tree.scan(".", "--exclude", "*a" * 50_000)
    assert_bounded(run)
    assert_line_or_scan(run, violation)


# -- exceptions inside loaders ---------------------------------------------------------------------

PYTHON_ERRORS = (
    "KeyError",
    "ValueError",
    "TypeError",
    "AttributeError",
    "IndexError",
    "RecursionError",
    "Exceeds the limit",
    "object has no attribute",
    "unhashable",
    "error(",
)

BIG_INT = "1" * 5000

LOADER_BUGS = [
    (
        "tf-regex-invalid-in-model-stage",
        "infra/main.tf",
        tf_domain(
            "local.policy",
            extra='locals {\n  policy = regex("(", "TLS_1_0")\n  names = [regex("(", "x")]\n}\n'
            'resource "aws_api_gateway_rest_api" "api" {\n'
            '  name = local.names[0]\n  policy = regex("(", "{}")\n}\n',
        ),
    ),
    (
        "tf-iam-condition-without-variable",
        "infra/main.tf",
        """
data "aws_iam_policy_document" "p" {
  statement {
    effect    = "Allow"
    actions   = ["execute-api:Invoke"]
    resources = ["execute-api:/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test   = "IpAddress"
      values = ["203.0.113.0/24"]
    }
  }
}

resource "aws_api_gateway_rest_api" "api" {
  name   = "api"
  policy = data.aws_iam_policy_document.p.json
}
""",
    ),
    ("cfn-yaml-5000-digit-integer", "infra/template.yaml", cfn_domain(BIG_INT)),
    (
        "cfn-yaml-5000-digit-integer-property",
        "infra/template.yaml",
        cfn_domain("TLS_1_2") + f"      Big: {BIG_INT}\n",
    ),
    (
        "cfn-json-5000-digit-integer",
        "infra/template.json",
        json.dumps(
            {
                "AWSTemplateFormatVersion": "2010-09-09",
                "Resources": {
                    "R": {
                        "Type": "AWS::ApiGateway::DomainName",
                        "Properties": {"DomainName": "x", "SecurityPolicy": "B"},
                    }
                },
            }
        ).replace('"B"', BIG_INT),
    ),
    (
        "arm-5000-digit-integer",
        "infra/azuredeploy.json",
        arm_template("True").replace('"capacity": 1', f'"capacity": {BIG_INT}'),
    ),
    (
        "arm-5000-digit-integer-in-expression",
        "infra/azuredeploy.json",
        arm_template(f"[string(add({BIG_INT}, 1))]"),
    ),
    (
        "bicep-5000-digit-integer",
        "infra/main.bicep",
        BICEP_VIOLATION.replace("capacity: 1", f"capacity: {BIG_INT}"),
    ),
    ("tf-5000-digit-number", "infra/main.tf", tf_domain(f'"${{{BIG_INT} + 1}}"')),
    ("tfvars-5000-digit-number", "infra/terraform.tfvars", f"policy = {BIG_INT}\n"),
]


@pytest.mark.parametrize(("rel", "text"), [b[1:] for b in LOADER_BUGS], ids=[b[0] for b in LOADER_BUGS])
def test_loader_exception_is_not_hidden(tree: HostileTree, rel: str, text: str) -> None:
    files = {rel: text}
    if rel.endswith(".tfvars"):
        files["infra/main.tf"] = tf_domain("var.policy", extra='variable "policy" {}')
    tree.write(files)
    language = "cloudformation" if "template" in rel else "arm" if "azuredeploy" in rel else "terraform"
    violation = tree.add_violation(language)
    run = tree.scan(".")
    assert_bounded(run)
    if run.returncode == 2:
        # A bug: one line naming the file.
        assert "internal error" in run.stderr and rel in run.stderr, run.describe()
        assert len([line for line in run.stderr.splitlines() if line.strip()]) == 1, run.describe()
        return
    assert_violation_reported(run, violation)
    for f in run.findings:
        hidden = [e for e in PYTHON_ERRORS if e in f["message"]]
        assert not hidden, f"a Python exception reported as a finding ({hidden}): {f['message']}"
