"""Finding identities, end to end in temporary git repositories: the fingerprint names the
resource's place in the repository, so two roots with the same address are two findings a
baseline tells apart, and the same file scanned from anywhere keeps its fingerprints."""

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
MODULE = """variable "tls" {}

resource "aws_api_gateway_domain_name" "this" {
  domain_name              = "api.example.com"
  regional_certificate_arn = "arn:aws:acm:eu-west-1:1:certificate/a"
  security_policy          = var.tls
}
"""
DOMAIN = """resource "aws_api_gateway_domain_name" "api" {
  domain_name              = "api.example.com"
  regional_certificate_arn = "arn:aws:acm:eu-west-1:1:certificate/a"
  security_policy          = "TLS_1_0"
}
"""


def _root(tls: str) -> str:
    return f'module "api" {{\n  source = "../../modules/api"\n  tls    = "{tls}"\n}}\n\n{DOMAIN}'


def git_repo(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    if not (root / ".git").exists():
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def findings(*args: str) -> list[dict[str, Any]]:
    result = run("scan", "--format", "json", "--select", "IAC101", *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["findings"]


def active(*args: str) -> list[tuple[str, int, str]]:
    listed = findings(*args)
    return sorted((f["path"], f["start_line"], f["address"]) for f in listed if not f.get("suppression"))


def test_baseline_made_before_a_second_root_does_not_hide_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = git_repo(tmp_path / "repo", {"modules/api/main.tf": MODULE, "live/prod/main.tf": _root("TLS_1_0")})
    monkeypatch.chdir(repo)
    result = run("baseline", "create", "baseline.json")
    assert result.exit_code == 0, result.output
    assert active("--baseline", "baseline.json") == []

    # live/dev arrives with the same addresses (its own domain, and the module called the same way).
    git_repo(repo, {"live/dev/main.tf": _root("TLS_1_0")})
    assert active("--baseline", "baseline.json") == [
        ("live/dev/main.tf", 9, "aws_api_gateway_domain_name.api"),
        ("modules/api/main.tf", 6, "live/dev:module.api.aws_api_gateway_domain_name.this"),
    ]
    # Every finding has a fingerprint of its own (code scanning matches alerts by it).
    prints = [f["fingerprint"] for f in findings()]
    assert len(prints) == 4 and len(set(prints)) == 4


def test_same_file_from_the_repository_root_and_from_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = git_repo(
        tmp_path / "repo",
        {
            "modules/api/main.tf": MODULE,
            "live/prod/main.tf": _root("TLS_1_0"),
            "cfn/api.yaml": (ROOT / "fixtures/cloudformation/aws/tls-literal/template.yaml").read_text(),
            "azure/main.bicep": (ROOT / "fixtures/bicep/azure/apim-violating/main.bicep").read_text(),
        },
    )

    def prints(where: Path, *paths: str) -> dict[tuple[str, str], str]:
        monkeypatch.chdir(where)
        out = findings("--select", "IAC1,IAC2,IAC3", *paths)
        assert out
        # Paths are shown relative to the working directory: compare them as repository paths.
        def key(f: dict[str, Any]) -> tuple[str, str]:
            path = (where / f["path"]).resolve().relative_to(repo).as_posix()
            return path, f["rule_id"] + f["address"].split("#")[-1]

        return {key(f): f["fingerprint"] for f in out}

    whole = prints(repo, ".")
    for folder in ("cfn", "azure", "live/prod"):
        alone = prints(repo / folder, ".")
        assert alone.items() <= whole.items(), folder
    # And given as a file, from anywhere.
    assert prints(repo / "cfn", "api.yaml").items() <= whole.items()
    assert prints(tmp_path, "repo/cfn/api.yaml").items() <= whole.items()


def test_fingerprint_ignores_line_shifts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repo(tmp_path / "repo", {"main.tf": DOMAIN})
    monkeypatch.chdir(repo)
    before = [f["fingerprint"] for f in findings()]
    (repo / "main.tf").write_text("\n\n\n" + DOMAIN, encoding="utf-8")
    assert [f["fingerprint"] for f in findings()] == before


def test_sarif_partial_fingerprints_are_versioned_and_distinct(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = git_repo(tmp_path / "repo", {"live/prod/main.tf": DOMAIN, "live/dev/main.tf": DOMAIN})
    monkeypatch.chdir(repo)
    result = run("scan", "--format", "sarif", "--select", "IAC101")
    results = json.loads(result.stdout)["runs"][0]["results"]
    keys = [r["partialFingerprints"] for r in results]
    assert all(list(k) == ["iaclintFindingHash/v2"] for k in keys)
    assert len({k["iaclintFindingHash/v2"] for k in keys}) == 2


def test_an_old_baseline_is_refused_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = git_repo(tmp_path / "repo", {"main.tf": DOMAIN})
    monkeypatch.chdir(repo)
    (repo / "old.json").write_text(json.dumps({"version": 1, "findings": [{"fingerprint": "ab"}]}))
    result = run("scan", "--baseline", "old.json")
    assert result.exit_code == 2
    assert "a version 1 baseline, made by an older iaclint" in result.output
    assert "iaclint baseline create" in result.output
