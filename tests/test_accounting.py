"""Every file found is accounted for, and what was left unread is said: a remote Terraform module not
installed is a note naming it (run `terraform init`), a variables file Terraform does not load by
itself, a policy XML and a parameters file nothing reads are listed as skipped with the reason, a
path that does not exist is a usage error, and a directory without infrastructure files says so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from iaclint.cli import main

ROOT = Path(__file__).resolve().parent.parent

REMOTE = """module "api" {
  source  = "terraform-aws-modules/apigateway-v2/aws"
  version = "5.0.0"
  name    = "orders"
}
"""
DOMAIN = """variable "tls" {
  default = "TLS_1_2"
}

resource "aws_api_gateway_domain_name" "api" {
  domain_name              = "api.example.com"
  regional_certificate_arn = "arn:aws:acm:eu-west-1:1:certificate/a"
  security_policy          = var.tls
}
"""
MODULE_API = """resource "aws_api_gateway_domain_name" "this" {
  domain_name              = "api.example.com"
  regional_certificate_arn = "arn:aws:acm:eu-west-1:1:certificate/a"
  security_policy          = "TLS_1_0"
}
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def scan(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["scan", "--format", "json", *args], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def files(doc: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {f["path"]: (f["status"], f.get("reason", "")) for f in doc["files"]}


def test_remote_module_not_installed_is_a_note(here: Path) -> None:
    write(here, {"infra/main.tf": REMOTE})
    code, doc = scan("infra")
    assert code == 0
    [note] = doc["findings"]
    where = (note["rule_id"], note["level"], note["path"], note["start_line"])
    assert where == ("IAC001", "note", "infra/main.tf", 2)
    assert note["message"].startswith(
        'module "api": source "terraform-aws-modules/apigateway-v2/aws" is not installed under'
        " .terraform/modules; run `terraform init`"
    )
    assert "values through it are unknown" in note["message"]


def test_installed_remote_module_is_read(here: Path) -> None:
    modules = {"Modules": [{"Key": "", "Source": "", "Dir": "."},
                           {"Key": "api", "Source": "registry", "Dir": ".terraform/modules/api"}]}
    write(here, {
        "infra/main.tf": REMOTE,
        "infra/.terraform/modules/modules.json": json.dumps(modules),
        "infra/.terraform/modules/api/main.tf": MODULE_API,
    })
    code, doc = scan("infra", "--select", "IAC001,IAC101")
    assert code == 1
    assert [(f["rule_id"], f["level"], f["path"]) for f in doc["findings"]] == [
        ("IAC101", "error", "infra/.terraform/modules/api/main.tf")
    ]


def test_variables_file_not_loaded_automatically_is_skipped(here: Path) -> None:
    write(here, {"infra/main.tf": DOMAIN, "infra/prod.tfvars": 'tls = "TLS_1_0"\n'})
    code, doc = scan("infra")
    assert code == 0
    assert files(doc)["infra/prod.tfvars"] == (
        "skipped", "Terraform variables file not loaded automatically (give it with --var-file)"
    )
    # Given with --var-file it is read, and counted as scanned.
    code, doc = scan("infra", "--var-file", "infra/prod.tfvars")
    assert code == 1
    assert files(doc)["infra/prod.tfvars"] == ("scanned", "")


def test_policy_xml_nothing_reads_is_skipped(here: Path) -> None:
    # The fixture's API Management policy reads weak-jwt.xml with file(); stray.xml is read by nothing.
    shutil.copytree(ROOT / "fixtures/terraform/azure/violating", here / "infra")
    (here / "infra/stray.xml").write_text("<policies><inbound><base /></inbound></policies>\n")
    _, doc = scan("infra")
    listed = files(doc)
    assert listed["infra/stray.xml"] == (
        "skipped", "XML file no template reads (a policy is checked through the template that loads it)"
    )
    assert listed["infra/weak-jwt.xml"] == ("scanned", "")


def test_parameters_files_read_with_their_template_are_scanned(here: Path) -> None:
    # Read with the template beside them (the value they give is reported there): scanned, as a
    # policy XML a template loads is; one no template reads stays skipped, saying why.
    shutil.copytree(ROOT / "fixtures/bicep/azure/apim-violating", here / "bicep")
    shutil.copytree(ROOT / "fixtures/arm/loader/apim", here / "arm")
    (here / "bicep/other.bicepparam").write_text("using './absent.bicep'\n\nparam tls11 = 'False'\n")
    (here / "arm/absent.parameters.json").write_text(
        (here / "arm/azuredeploy.parameters.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    _, doc = scan(".")
    listed = files(doc)
    assert listed["bicep/main.bicepparam"] == ("scanned", "")
    assert listed["arm/azuredeploy.parameters.json"] == ("scanned", "")
    assert listed["arm/absent.parameters.json"] == ("skipped", "ARM parameters file (read with its template)")
    assert listed["bicep/other.bicepparam"] == ("skipped", "Bicep parameters file (read with its template)")


def test_missing_path_is_a_usage_error(here: Path) -> None:
    result = CliRunner().invoke(main, ["scan", "infra/mian.tf"])
    assert result.exit_code == 2
    assert "Error: Invalid value for '[PATHS]...': infra/mian.tf: no such file or directory" in result.output
    assert "scan --help' for help." in result.output


def test_directory_without_infrastructure_says_so(here: Path) -> None:
    write(here, {"docs/README.md": "# docs\n"})
    result = CliRunner().invoke(main, ["scan", "docs"])
    assert result.exit_code == 0
    said = "no infrastructure files (Terraform, CloudFormation/SAM, Bicep, ARM) found in docs"
    assert said in result.stderr
