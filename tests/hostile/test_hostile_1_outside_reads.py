"""Issue 12, class 1: reading outside the scanned tree, and printing it.

Code and committed configuration may read files inside the scan root (the git top level above the
scanned path, minus `.git/`) and nothing else; links are resolved before deciding; a read outside is
an unknown value with a note naming the expression, never content. Each case plants secrets in
`.git/config`, beside the repository and in the environment (`/proc/self/environ`), runs the real
command with every report format, and checks:

- no secret appears in any output (text, json, sarif, github, stderr), raw or base64-encoded;
- where the read feeds a checked attribute, a finding in the hostile file names the function and
  the refusal ("outside" the tree / ".git");
- a real TLS 1.0 violation in another unit is still an error, and the run exits 1.

Examples from the issue: Terraform `file()`/`templatefile()` of `${path.module}/../.git/config`;
Bicep `loadTextContent('/proc/self/environ')`, `loadFileAsBase64()`, a `.bicepparam` and a module path
outside; a committed `.iaclint.toml` with `var-files = ["/proc/self/environ"]`; a committed
`.terraform/modules/modules.json` whose `Dir` is absolute. The class: the same reads through
symlinks, relative `../` escapes, module sources, and unit files that are links out of the tree, in
every language that reads files.
"""

from __future__ import annotations

import pytest
from hostile_kit import (
    OUTSIDE_SECRET,
    Case,
    HostileTree,
    arm_template,
    assert_bounded,
    assert_named,
    assert_no_secret,
    assert_note,
    assert_violation_reported,
    bicep_apim,
    build,
    cfn_domain,
    tf_domain,
)

GIT = ".git"
OUT = "outside"

# A module that lives outside the tree: its TLS policy *is* the secret, so a finding on it would
# quote the secret in its message, and the excerpt would print the line.
OUTSIDE_MODULE = tf_domain(f'"TLS_1_0-{OUTSIDE_SECRET}" # {OUTSIDE_SECRET}', name="outside")
OUTSIDE_BICEP = bicep_apim(f"'True' // {OUTSIDE_SECRET}", name="outside").replace(
    "name: 'outside-svc'", f"name: '{OUTSIDE_SECRET}'"
)
OUTSIDE_CFN = cfn_domain(f"TLS_1_0-{OUTSIDE_SECRET} # {OUTSIDE_SECRET}", name="Outside")
OUTSIDE_ARM = arm_template("True").replace('"apim-svc"', f'"{OUTSIDE_SECRET}"')

TF = "infra/main.tf"
BICEP = "infra/main.bicep"


def tf(expr: str, extra: str = "") -> dict[str, str | bytes]:
    return {TF: tf_domain(expr, extra=extra)}


def bicep(expr: str, extra: str = "") -> dict[str, str | bytes]:
    return {BICEP: bicep_apim(expr, extra=extra)}


CASES = [
    # -- Terraform: file() and templatefile() ------------------------------------------------
    Case(
        "tf-file-git-config",
        "terraform",
        tf('file("${path.module}/../.git/config")'),
        note_in=TF,
        note=("file", GIT),
    ),
    Case(
        "tf-file-git-config-scan-subdir",
        "terraform",
        tf('file("${path.module}/../.git/config")'),
        args=("infra", "elsewhere"),
        note_in=TF,
        note=("file", GIT),
    ),
    Case(
        "tf-templatefile-git-config",
        "terraform",
        tf('templatefile("${path.module}/../.git/config", {})'),
        note_in=TF,
        note=("templatefile", GIT),
    ),
    Case(
        "tf-file-outside",
        "terraform",
        tf('file("${path.module}/../../outside/secret.txt")'),
        note_in=TF,
        note=("file", OUT),
    ),
    Case(
        "tf-templatefile-outside",
        "terraform",
        tf('templatefile("${path.module}/../../outside/secret.txt", {})'),
        note_in=TF,
        note=("templatefile", OUT),
    ),
    Case(
        "tf-file-absolute-proc-environ",
        "terraform",
        tf('file("/proc/self/environ")'),
        note_in=TF,
        note=("file",),
    ),
    Case(
        "tf-file-symlink-outside",
        "terraform",
        tf('file("${path.module}/notes.txt")'),
        links={"infra/notes.txt": "{outside}/secret.txt"},
        note_in=TF,
        note=("file", OUT),
    ),
    Case(
        "tf-file-symlink-git-config",
        "terraform",
        tf('file("${path.module}/notes.txt")'),
        links={"infra/notes.txt": "../.git/config"},
        note_in=TF,
        note=("file", GIT),
    ),
    Case(
        "tf-templatefile-symlinked-dir-outside",
        "terraform",
        tf('templatefile("${path.module}/tpl/secret.txt", {})'),
        links={"infra/tpl": "{outside}"},
        note_in=TF,
        note=("templatefile", OUT),
    ),
    # -- Terraform: variables files and modules named by committed configuration ----------------
    Case(
        "tf-config-var-files-proc-environ",
        "terraform",
        {**tf("var.policy", 'variable "policy" {}'), ".iaclint.toml": 'var-files = ["/proc/self/environ"]\n'},
        named=("environ",),
    ),
    Case(
        "tf-config-var-files-outside",
        "terraform",
        {
            **tf("var.policy", 'variable "policy" {}'),
            ".iaclint.toml": 'var-files = ["../outside/secret.tfvars"]\n',
        },
        outside={"secret.tfvars": f'policy = "{OUTSIDE_SECRET}"\n'},
        named=("secret.tfvars",),
    ),
    Case(
        "tf-config-var-files-git-config",
        "terraform",
        {**tf("var.policy", 'variable "policy" {}'), ".iaclint.toml": 'var-files = [".git/config"]\n'},
        named=(".git",),
    ),
    Case(
        "tf-modules-json-absolute-dir",
        "terraform",
        {
            TF: 'module "gw" {\n  source = "app.terraform.io/acme/gateway/aws"\n}\n',
            "infra/.terraform/modules/modules.json": '{"Modules": [{"Key": "", "Source": "", "Dir": "."},'
            ' {"Key": "gw", "Source": "app.terraform.io/acme/gateway/aws", "Dir": "{outside}/mod"}]}\n',
        },
        outside={"mod/main.tf": OUTSIDE_MODULE},
    ),
    Case(
        "tf-modules-json-relative-escape",
        "terraform",
        {
            TF: 'module "gw" {\n  source = "app.terraform.io/acme/gateway/aws"\n}\n',
            "infra/.terraform/modules/modules.json": (
                '{"Modules": [{"Key": "gw", "Source": "x", "Dir": "../../outside/mod"}]}\n'
            ),
        },
        outside={"mod/main.tf": OUTSIDE_MODULE},
    ),
    Case(
        "tf-module-source-outside",
        "terraform",
        {TF: 'module "gw" {\n  source = "../../outside/mod"\n}\n'},
        outside={"mod/main.tf": OUTSIDE_MODULE},
    ),
    Case(
        "tf-module-source-symlink-outside",
        "terraform",
        {TF: 'module "gw" {\n  source = "./mod"\n}\n'},
        links={"infra/mod": "{outside}/mod"},
        outside={"mod/main.tf": OUTSIDE_MODULE},
    ),
    Case(
        "tf-unit-file-symlink-outside",
        "terraform",
        links={TF: "{outside}/mod/main.tf"},
        outside={"mod/main.tf": OUTSIDE_MODULE},
    ),
    # -- Bicep: load functions, .bicepparam and modules -----------------------------------------
    Case(
        "bicep-loadTextContent-proc-environ",
        "bicep",
        bicep("loadTextContent('/proc/self/environ')"),
        note_in=BICEP,
        note=("loadtextcontent",),
    ),
    Case(
        "bicep-loadTextContent-outside",
        "bicep",
        bicep("loadTextContent('../../outside/secret.txt')"),
        note_in=BICEP,
        note=("loadtextcontent", OUT),
    ),
    Case(
        "bicep-loadTextContent-git-config",
        "bicep",
        bicep("loadTextContent('../.git/config')"),
        note_in=BICEP,
        note=("loadtextcontent", GIT),
    ),
    Case(
        "bicep-loadFileAsBase64-outside",
        "bicep",
        bicep("loadFileAsBase64('../../outside/secret.txt')"),
        note_in=BICEP,
        note=("loadfileasbase64", OUT),
    ),
    Case(
        "bicep-loadJsonContent-outside",
        "bicep",
        bicep("loadJsonContent('../../outside/secret.json').k"),
        outside={"secret.json": f'{{"k": "{OUTSIDE_SECRET}"}}\n'},
        note_in=BICEP,
        note=("loadjsoncontent", OUT),
    ),
    Case(
        "bicep-loadTextContent-symlink-outside",
        "bicep",
        bicep("loadTextContent('notes.txt')"),
        links={"infra/notes.txt": "{outside}/secret.txt"},
        note_in=BICEP,
        note=("loadtextcontent", OUT),
    ),
    Case(
        "bicep-module-outside",
        "bicep",
        {BICEP: "module gw '../../outside/evil.bicep' = {\n  name: 'gw'\n}\n"},
        outside={"evil.bicep": OUTSIDE_BICEP},
    ),
    Case(
        "bicep-module-symlink-outside",
        "bicep",
        {BICEP: "module gw 'evil.bicep' = {\n  name: 'gw'\n}\n"},
        links={"infra/evil.bicep": "{outside}/evil.bicep"},
        outside={"evil.bicep": OUTSIDE_BICEP},
    ),
    Case(
        "bicep-bicepparam-loadTextContent-outside",
        "bicep",
        {
            BICEP: bicep_apim("tls", extra="param tls string"),
            "infra/main.bicepparam": (
                "using './main.bicep'\n\nparam tls = loadTextContent('../../outside/secret.txt')\n"
            ),
        },
        note_in=BICEP,
        note=(),
    ),
    Case(
        "bicep-bicepparam-using-outside",
        "bicep",
        {"infra/main.bicepparam": "using '../../outside/evil.bicep'\n"},
        outside={"evil.bicep": OUTSIDE_BICEP},
    ),
    Case(
        "bicep-unit-file-symlink-outside",
        "bicep",
        links={BICEP: "{outside}/evil.bicep"},
        outside={"evil.bicep": OUTSIDE_BICEP},
    ),
    # -- CloudFormation and ARM read only their own files: a unit file linked out of the tree ----
    Case(
        "cfn-unit-file-symlink-outside",
        "cloudformation",
        links={"infra/template.yaml": "{outside}/evil.yaml"},
        outside={"evil.yaml": OUTSIDE_CFN},
    ),
    Case(
        "arm-unit-file-symlink-outside",
        "arm",
        links={"infra/azuredeploy.json": "{outside}/evil.json"},
        outside={"evil.json": OUTSIDE_ARM},
    ),
    Case(
        "arm-parameters-file-symlink-outside",
        "arm",
        {
            "infra/azuredeploy.json": arm_template(
                "True", parameters={"name": {"type": "string", "defaultValue": "apim-svc"}}
            ).replace('"name": "apim-svc"', '"name": "[parameters(\'name\')]"')
        },
        links={"infra/azuredeploy.parameters.json": "{outside}/secret.parameters.json"},
        outside={
            "secret.parameters.json": (
                '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",'
                f' "contentVersion": "1.0.0.0", "parameters": {{"name": {{"value": "{OUTSIDE_SECRET}"}}}}}}\n'
            )
        },
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_no_read_outside_the_tree(tree: HostileTree, case: Case) -> None:
    violation = build(tree, case)
    run = tree.scan(*case.args)
    assert_bounded(run)
    assert_no_secret(run)
    assert violation is not None
    assert_violation_reported(run, violation)
    if case.note_in:
        note = assert_note(run, case.note_in, *case.note, rule="IAC101")
        assert note["unknown"], note
    if case.named:
        assert_named(run, *case.named)


def test_command_line_var_file_outside_is_the_users_choice(tree: HostileTree) -> None:
    """A `--var-file` the user names may be anywhere (it is read), and is not refused as outside."""
    tree.write(tf("var.policy", 'variable "policy" {}'))
    given = tree.write_outside("given.tfvars", 'policy = "TLS_1_0"\n')
    run = tree.scan(".", "--var-file", str(given))
    assert_bounded(run)
    hits = [f for f in run.findings if f["path"] == TF and f["rule_id"] == "IAC101" and not f["unknown"]]
    assert hits, run.describe()
    assert run.returncode == 1
