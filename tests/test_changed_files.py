"""Pre-commit (`scan --files`, what the hook runs) reports what a change causes, end to end in
temporary git repositories: a finding is reported when its location, its resource's file or a file
its value came from changed; a changed module is evaluated through the roots that call it, as a
full scan does; exclusions hold. A Terraform file named alone is read with its whole directory."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from iaclint.cli import main

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ROOT = Path(__file__).resolve().parent.parent
APP = ("app/main.tf", 4, "error", "aws_api_gateway_domain_name.api")
DEV = ("modules/api/main.tf", 7, "error", "live/dev:module.api.aws_api_gateway_domain_name.this")
APP_MAIN = """resource "aws_api_gateway_domain_name" "api" {
  domain_name              = "api.example.com"
  regional_certificate_arn = "arn:aws:acm:eu-west-1:1:certificate/a"
  security_policy          = var.tls
}
"""
MODULE = """variable "tls" {}

resource "aws_api_gateway_domain_name" "this" {
  domain_name              = "api.example.com"
  regional_certificate_arn = "arn:aws:acm:eu-west-1:1:certificate/a"
  security_policy          = var.tls
}
"""


def _variables(default: str) -> str:
    return f'variable "tls" {{\n  default = "{default}"\n}}\n'


def _caller(tls: str) -> str:
    return f'module "api" {{\n  source = "../../modules/api"\n  tls    = "{tls}"\n}}\n'


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    write(
        root,
        {
            "app/main.tf": APP_MAIN,
            "app/variables.tf": _variables("TLS_1_2"),
            "modules/api/main.tf": MODULE,
            "live/prod/main.tf": _caller("TLS_1_2"),
            "live/dev/main.tf": _caller("TLS_1_2"),
        },
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root)
    return root


def hook(*files: str, options: tuple[str, ...] = ()) -> tuple[int, list[tuple[str, int, str, str]]]:
    """What the pre-commit hook answers when `files` changed: its exit code and findings."""
    result = CliRunner().invoke(
        main, ["scan", "--format", "json", "--select", "IAC101", *options, "--files", *files],
        catch_exceptions=False,
    )
    assert result.exit_code in (0, 1), result.output
    found = json.loads(result.stdout)["findings"]
    return result.exit_code, [(f["path"], f["start_line"], f["level"], f["address"]) for f in found]


def full_scan() -> list[dict[str, Any]]:
    args = ["scan", "--format", "json", "--select", "IAC101"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return json.loads(result.stdout)["findings"]


def test_nothing_to_report_in_a_compliant_repository(repo: Path) -> None:
    assert hook("app/main.tf", "app/variables.tf", "modules/api/main.tf", "live/prod/main.tf") == (0, [])


def test_changed_variable_default_fails_the_hook(repo: Path) -> None:
    write(repo, {"app/variables.tf": _variables("TLS_1_0")})
    assert hook("app/variables.tf") == (1, [APP])


def test_added_tfvars_fails_the_hook(repo: Path) -> None:
    write(repo, {"app/terraform.tfvars": 'tls = "TLS_1_0"\n'})
    assert hook("app/terraform.tfvars") == (1, [APP])


def test_changed_module_argument_fails_the_hook(repo: Path) -> None:
    # The finding sits in the module's file; the value is the caller's argument.
    write(repo, {"live/prod/main.tf": _caller("TLS_1_0")})
    assert hook("live/prod/main.tf") == (
        1, [("modules/api/main.tf", 6, "error", "live/prod:module.api.aws_api_gateway_domain_name.this")]
    )


def test_changed_module_reports_what_the_full_scan_gives(repo: Path) -> None:
    write(repo, {"live/dev/main.tf": _caller("TLS_1_0")})
    subprocess.run(["git", "add", "-A"], check=True)
    # The module file changes (a comment): it is evaluated through both callers, never on its own
    # (where its variable has no value and the finding would be an unknown note).
    write(repo, {"modules/api/main.tf": "# changed\n" + MODULE})
    code, listed = hook("modules/api/main.tf")
    whole = [
        (f["path"], f["start_line"], f["level"], f["address"])
        for f in full_scan() if f["path"] == "modules/api/main.tf"
    ]
    assert whole == [DEV]
    assert (code, listed) == (1, whole)


def test_exclusions_hold_in_file_list_mode(repo: Path) -> None:
    write(repo, {"live/dev/main.tf": _caller("TLS_1_0")})
    assert hook("live/dev/main.tf")[0] == 1
    assert hook("live/dev/main.tf", options=("--exclude", "live/dev")) == (0, [])
    write(repo, {".iaclint.toml": 'exclude = ["live/dev/"]\n'})
    assert hook("live/dev/main.tf") == (0, [])
    # An excluded caller is not scanned in a full scan either: the module's finding there is gone.
    assert hook("modules/api/main.tf") == (0, [])
    assert full_scan() == []


def test_a_terraform_file_named_alone_is_read_with_its_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The REST API's stage is in main.tf; its web ACL association is in waf.tf beside it.
    shutil.copytree(ROOT / "fixtures/terraform/aws/rest-compliant", tmp_path / "rest")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["scan", "--format", "json", "rest/main.tf"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []
    # What concerns the file only: a violation in another file of the directory is not listed.
    (tmp_path / "rest/legacy.tf").write_text(
        APP_MAIN.replace('"api"', '"legacy"').replace("var.tls", '"TLS_1_0"'), encoding="utf-8"
    )
    alone = CliRunner().invoke(main, ["scan", "--format", "json", "rest/main.tf"], catch_exceptions=False)
    assert alone.exit_code == 0, alone.output
    legacy = CliRunner().invoke(main, ["scan", "--format", "json", "rest/legacy.tf"], catch_exceptions=False)
    assert [(f["rule_id"], f["path"]) for f in json.loads(legacy.stdout)["findings"]] == [
        ("IAC101", "rest/legacy.tf")
    ]


BICEP_MODULE = """param tls11 string

resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'apim'
  location: 'westeurope'
  sku: {
    name: 'Developer'
    capacity: 1
  }
  properties: {
    publisherEmail: 'ops@example.com'
    publisherName: 'Ops'
    customProperties: {
      'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls11': tls11
    }
  }
}
"""
BICEP_MAIN = """module gateway './modules/apim.bicep' = {
  name: 'gateway'
  params: {
    tls11: 'True'
  }
}
"""


def test_changed_bicep_module_is_evaluated_through_its_caller(repo: Path) -> None:
    write(repo, {"azure/main.bicep": BICEP_MAIN, "azure/modules/apim.bicep": BICEP_MODULE})
    whole = [
        (f["path"], f["start_line"], f["level"], f["address"])
        for f in full_scan() if f["path"].startswith("azure/")
    ]
    assert [where[:3] for where in whole] == [("azure/modules/apim.bicep", 14, "error")]
    assert hook("azure/modules/apim.bicep") == (1, whole)
    # And the caller's argument is what a change to the caller brings.
    assert hook("azure/main.bicep") == (1, whole)

    # An entry file that does not reach the changed one is parsed (to find callers), not evaluated.
    from iaclint.engine import ScanOptions, scan

    write(repo, {"azure/other.bicep": BICEP_MODULE.replace("'apim'", "'other'")})
    parts: list[Any] = []
    scan(ScanOptions(paths=["azure/modules/apim.bicep"], files_mode=True), parts_out=parts)
    loaded_addresses = [r.address for loaded, _ in parts for r in loaded.resources]
    assert loaded_addresses == ["azure/main.bicep#module.gateway.apim"]


def test_changed_bicepparam_fails_the_hook(repo: Path) -> None:
    # The template reads its value from the parameters file beside it: a change to that file alone
    # must be evaluated through the template (it was skipped: nothing was evaluated).
    params = "using './main.bicep'\n\nparam tls11 = '{}'\n"
    write(repo, {"azure/main.bicep": BICEP_MODULE, "azure/main.bicepparam": params.format("False"),
                 "azure/other.bicep": BICEP_MODULE.replace("'apim'", "'other'")})
    assert hook("azure/main.bicepparam") == (0, [])
    write(repo, {"azure/main.bicepparam": params.format("True")})
    expected = [("azure/main.bicep", 14, "error", "azure/main.bicep#apim")]
    assert [where for where in _located(full_scan()) if where[0] == "azure/main.bicep"] == expected
    assert hook("azure/main.bicepparam") == (1, expected)
    # In a repository big enough to be cut into parts, the template's part is the one evaluated.
    write(repo, {f"many/m{i:02d}.bicep": BICEP_MODULE.replace("'apim'", f"'m{i}'") for i in range(30)})
    assert hook("azure/main.bicepparam") == (1, expected)


ARM_TEMPLATE = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"tls10": {"type": "string", "defaultValue": "False"}},
  "resources": [
    {
      "type": "Microsoft.ApiManagement/service",
      "apiVersion": "2023-05-01-preview",
      "name": "apim",
      "location": "westeurope",
      "sku": {"name": "Developer", "capacity": 1},
      "properties": {
        "publisherEmail": "ops@example.com",
        "publisherName": "Ops",
        "customProperties": {
          "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10": "[parameters('tls10')]"
        }
      }
    }
  ]
}
"""
ARM_PARAMETERS = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"tls10": {"value": "%s"}}
}
"""


def test_changed_arm_parameters_file_fails_the_hook(repo: Path) -> None:
    # The template reads `<stem>.parameters.json` beside it: a change to that file alone is
    # evaluated through the template (it was skipped, and the hook passed).
    write(repo, {"arm/gw.json": ARM_TEMPLATE, "arm/gw.parameters.json": ARM_PARAMETERS % "False",
                 "arm/other.parameters.json": ARM_PARAMETERS % "True"})
    assert hook("arm/gw.parameters.json") == (0, [])
    write(repo, {"arm/gw.parameters.json": ARM_PARAMETERS % "True"})
    expected = [("arm/gw.json", 16, "error", "arm/gw.json#apim")]
    assert [where for where in _located(full_scan()) if where[0].startswith("arm/")] == expected
    assert hook("arm/gw.parameters.json") == (1, expected)
    # A parameters file with no template beside it is what it was: skipped.
    assert hook("arm/other.parameters.json") == (0, [])


def _located(found: list[dict[str, Any]]) -> list[tuple[str, int, str, str]]:
    return [(f["path"], f["start_line"], f["level"], f["address"]) for f in found]


def test_only_roots_the_change_reaches_are_evaluated(repo: Path) -> None:
    from iaclint.engine import ScanOptions, scan

    parts: list[Any] = []
    scan(ScanOptions(paths=["modules/api/main.tf"], files_mode=True), parts_out=parts)
    addresses = sorted(r.address for loaded, _ in parts for r in loaded.resources)
    # Both roots call the changed module; app/ does not, so it is parsed (to find callers) only.
    assert addresses == [
        "live/dev:module.api.aws_api_gateway_domain_name.this",
        "live/prod:module.api.aws_api_gateway_domain_name.this",
    ]
    parts.clear()
    scan(ScanOptions(paths=["app/variables.tf"], files_mode=True), parts_out=parts)
    evaluated = sorted(r.address for loaded, _ in parts for r in loaded.resources)
    assert evaluated == ["aws_api_gateway_domain_name.api"]


def test_summary_accounts_for_the_files_passed(repo: Path) -> None:
    result = CliRunner().invoke(main, ["scan", "--format", "json", "--files", "modules/api/main.tf"])
    assert [(f["path"], f["status"]) for f in json.loads(result.stdout)["files"]] == [
        ("modules/api/main.tf", "scanned")
    ]
    excluded = CliRunner().invoke(
        main, ["scan", "--format", "json", "--exclude", "modules", "--files", "modules/api/main.tf"]
    )
    assert [(f["path"], f["status"]) for f in json.loads(excluded.stdout)["files"]] == [
        ("modules/api/main.tf", "skipped")
    ]


def test_summary_accounts_for_failed_and_skipped_files_passed(repo: Path) -> None:
    # Unreadable files beside the ones passed, and elsewhere in the repository (read only to find
    # callers), are not accounted for; the ones passed are, as a full scan accounts for them.
    (repo / "app" / "broken.tf").write_bytes(b'resource "x" "y" {\n  a = "\xff"\n}\n')
    (repo / "live" / "dev" / "broken.tf").write_bytes(b"\xff\n")
    write(repo, {
        "modules/api/extra.tfvars": 'tls = "TLS_1_0"\n',
        "app/terraform.tfvars": 'tls = "TLS_1_2"\n',
    })
    passed = ["app/broken.tf", "app/terraform.tfvars", "modules/api/extra.tfvars", "modules/api/main.tf"]
    result = CliRunner().invoke(main, ["scan", "--format", "json", "--files", *passed])
    assert [(f["path"], f["status"]) for f in json.loads(result.stdout)["files"]] == [
        ("app/broken.tf", "failed"),
        ("app/terraform.tfvars", "scanned"),
        ("modules/api/extra.tfvars", "skipped"),
        ("modules/api/main.tf", "scanned"),
    ]
    full = CliRunner().invoke(main, ["scan", "--format", "json"])
    statuses = {f["path"]: f["status"] for f in json.loads(full.stdout)["files"]}
    assert [statuses[p] for p in passed] == ["failed", "scanned", "skipped", "scanned"]
    assert statuses["live/dev/broken.tf"] == "failed"


def test_adding_a_module_call_fails_the_hook(repo: Path) -> None:
    # The module's value is written in the module itself: the call alone brings the violation.
    write(repo, {
        "modules/legacy/main.tf": MODULE.replace('variable "tls" {}\n\n', "").replace("var.tls", '"TLS_1_0"'),
        "live/prod/legacy.tf": 'module "legacy" {\n  source = "../../modules/legacy"\n}\n',
    })
    address = "live/prod:module.legacy.aws_api_gateway_domain_name.this"
    legacy = ("modules/legacy/main.tf", 4, "error", address)
    assert hook("live/prod/legacy.tf") == (1, [legacy])
    # Another file of the same root does not bring it.
    assert hook("live/prod/main.tf") == (0, [])


def test_adding_a_bicep_module_call_fails_the_hook(repo: Path) -> None:
    fixed = BICEP_MODULE.replace("param tls11 string\n\n", "").replace(": tls11", ": 'True'")
    write(repo, {"azure/modules/legacy.bicep": fixed,
                 "azure/main.bicep": "module legacy './modules/legacy.bicep' = {\n  name: 'legacy'\n}\n"})
    code, found = hook("azure/main.bicep")
    assert (code, [(path, line) for path, line, _, _ in found]) == (1, [("azure/modules/legacy.bicep", 12)])
