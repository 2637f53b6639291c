"""Two Terraform roots calling the same module each keep their finding; the address shows the root.

A resource of a root that is not the directory the scan runs in has an address that starts with
the root's path (`live/prod:module.api.aws_api_gateway_domain_name.this`), so the same module
resource reached from two roots is two findings with two addresses and fingerprints, the same
whatever paths the scan is given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write

from iaclint.engine import ScanOptions, scan
from iaclint.fileaccess import ScanRoots
from iaclint.lang.terraform.loader import root_qualifier
from iaclint.report import render

MODULE = """variable "tls" {}

resource "aws_api_gateway_domain_name" "this" {
  domain_name              = "api.example.com"
  regional_certificate_arn = "arn:aws:acm:eu-west-1:1:certificate/a"
  security_policy          = var.tls
}
"""


def _root(tls: str) -> str:
    return f'module "api" {{\n  source = "../../modules/api"\n  tls    = "{tls}"\n}}\n'


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(
        tmp_path,
        {
            "modules/api/main.tf": MODULE,
            "live/prod/main.tf": _root("TLS_1_0"),
            "live/dev/main.tf": _root("TLS_1_0"),
            ".git/HEAD": "ref: refs/heads/main\n",  # a repository: its modules may be read from any root
        },
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _iac101(**options: object) -> list[tuple[str, int, str]]:
    result = scan(ScanOptions(select=["IAC101"], **options))  # type: ignore[arg-type]
    return sorted((f.span.path, f.span.line, f.address) for f in result.findings)


def test_each_root_keeps_its_finding(repo: Path) -> None:
    result = scan(ScanOptions(paths=["."], select=["IAC101"]))
    found = sorted(result.findings, key=lambda f: f.address)
    assert [(f.span.path, f.span.line, f.address) for f in found] == [
        ("modules/api/main.tf", 6, "live/dev:module.api.aws_api_gateway_domain_name.this"),
        ("modules/api/main.tf", 6, "live/prod:module.api.aws_api_gateway_domain_name.this"),
    ]
    assert found[0].fingerprint() != found[1].fingerprint()
    assert "live/dev:module.api.aws_api_gateway_domain_name.this" in found[0].message
    # SARIF names the resource by its address.
    sarif = json.loads(render("sarif", result))
    names = sorted(
        logical["fullyQualifiedName"]
        for r in sarif["runs"][0]["results"]
        for loc in r["locations"]
        for logical in loc["logicalLocations"]
    )
    assert names == [f.address for f in found]


def test_the_address_does_not_depend_on_the_paths_scanned(repo: Path) -> None:
    whole = _iac101(paths=["."])
    assert _iac101(paths=["live"]) == whole
    assert _iac101(paths=["live/prod"]) == [whole[1]]


def test_the_address_does_not_depend_on_the_working_directory(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _iac101(paths=["."])
    monkeypatch.chdir(repo / "live" / "prod")
    assert [a for _, _, a in _iac101(paths=["."])] == [whole[1][2]]


def test_a_root_that_is_the_scan_root_keeps_terraform_addresses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _root("TLS_1_0").replace("../../modules", "./modules")
    write(tmp_path, {"modules/api/main.tf": MODULE, "main.tf": root})
    monkeypatch.chdir(tmp_path)  # no repository: the scanned path is the scan root
    result = scan(ScanOptions(paths=["."], select=["IAC101"]))
    assert [f.address for f in result.findings] == ["module.api.aws_api_gateway_domain_name.this"]


def test_root_qualifier(tmp_path: Path) -> None:
    (tmp_path / "repo" / "live" / "prod").mkdir(parents=True)
    roots = ScanRoots.for_paths([tmp_path / "repo"])
    assert root_qualifier(str(tmp_path / "repo"), roots) == ""
    assert root_qualifier(str(tmp_path / "repo" / "live" / "prod"), roots) == "live/prod:"
    # Outside every scan root: no place to name, and never a path of the machine.
    assert root_qualifier(str(tmp_path), roots) == ""
