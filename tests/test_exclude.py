"""`--exclude` and the configuration's `exclude` match as `.gitignore` patterns do: from the working
directory for the command line, from the configuration file's directory for `exclude`; what they
exclude is listed as skipped with the pattern that matched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from iaclint.cli import main
from iaclint.discover import Exclusions, discover

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "fixtures/cloudformation/aws/tls-literal/template.yaml"
TERRAFORM = ROOT / "fixtures/terraform/aws/tls-literal"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "sam").mkdir()
    shutil.copy(TEMPLATE, tmp_path / "sam/template.yaml")
    (tmp_path / "nested/sam").mkdir(parents=True)
    shutil.copy(TEMPLATE, tmp_path / "nested/sam/template.yaml")
    shutil.copytree(TERRAFORM, tmp_path / "infra")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def units(*patterns: str) -> list[str]:
    return sorted(u.path.as_posix() for u in discover(["."], excludes=list(patterns)).units)


def test_dot_slash_and_bare_names(tree: Path) -> None:
    every = ["infra", "nested/sam/template.yaml", "sam/template.yaml"]
    assert units() == every
    # A bare name matches at any depth; `./sam` and `/sam` only the one beside the working directory.
    assert units("sam") == ["infra"]
    assert units("./sam") == ["infra", "nested/sam/template.yaml"]
    assert units("/sam") == ["infra", "nested/sam/template.yaml"]
    assert units("sam/") == ["infra"]
    assert units("nested/sam") == ["infra", "sam/template.yaml"]
    assert units("*.yaml", "!nested/**") == ["infra", "nested/sam/template.yaml"]
    assert units("infra/*.tf") == ["nested/sam/template.yaml", "sam/template.yaml"]


def test_configuration_patterns_are_relative_to_its_directory(tree: Path) -> None:
    (tree / "nested/.iaclint.toml").write_text('exclude = ["/sam"]\n', encoding="utf-8")
    exclusions = Exclusions([("nested", "exclude in nested/.iaclint.toml", ["/sam"])])
    found = discover(["."], excludes=exclusions)
    assert sorted(u.path.as_posix() for u in found.units) == ["infra", "sam/template.yaml"]
    # Through the command line, from inside the configured directory: it is found and applies.
    runner = CliRunner()
    result = runner.invoke(main, ["scan", "nested", "--format", "json"], catch_exceptions=False)
    doc = json.loads(result.stdout)
    assert [f["path"] for f in doc["findings"]] == []
    assert result.exit_code == 0


def test_excluded_paths_are_listed_as_skipped(tree: Path) -> None:
    result = CliRunner().invoke(main, ["scan", "-v", "--exclude", "./sam", "--exclude", "*.tf"],
                                catch_exceptions=False)
    assert "  sam: excluded by --exclude `./sam`" in result.output
    assert "  infra/main.tf: excluded by --exclude `*.tf`" in result.output
    assert "nested/sam/template.yaml:" in result.output  # still scanned
    doc = json.loads(CliRunner().invoke(main, ["scan", "--format", "json", "--exclude", "./sam"]).stdout)
    assert {"path": "sam", "status": "skipped", "reason": "excluded by --exclude `./sam`"}.items() <= next(
        f for f in doc["files"] if f["path"] == "sam"
    ).items()


def test_a_path_outside_the_working_directory_matches_from_itself(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tree / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    found = discover([".."], excludes=["sam", "/infra"])
    assert [u.path.as_posix() for u in found.units] == []
    found = discover(["../infra/main.tf", "../sam/template.yaml"], excludes=["*.yaml"])
    assert [u.path.as_posix() for u in found.units] == ["../infra"]
