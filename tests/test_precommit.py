"""The pre-commit hook: its manifest passes pre-commit's own validation, selects the right files,
and `pre-commit try-repo` runs it end to end (a violation fails the commit, a compliant file passes,
and only findings in the files pre-commit passes are reported).

The end-to-end tests build the hook's environment with pip (the package index must be reachable),
about 9 s each: they are marked `slow`, left out of the everyday `python -m pytest` and run by
`.ci/run` (`python -m pytest -m slow`). They are skipped when pre-commit is not installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / ".pre-commit-hooks.yaml"

try:
    from pre_commit.clientlib import load_manifest
except ImportError:  # pre-commit is a dev extra
    load_manifest = None

needs_pre_commit = pytest.mark.skipif(load_manifest is None, reason="pre-commit is not installed")
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

VIOLATING = """\
resource "aws_api_gateway_domain_name" "legacy" {
  domain_name              = "legacy.example.com"
  regional_certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
  security_policy          = "TLS_1_0"
}
"""

COMPLIANT = """\
resource "aws_api_gateway_domain_name" "api" {
  domain_name              = "api.example.com"
  regional_certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
  security_policy          = "TLS_1_2"
}
"""


@needs_pre_commit
def test_manifest_is_valid_for_pre_commit() -> None:
    hooks = load_manifest(str(MANIFEST))
    assert [h["id"] for h in hooks] == ["iaclint"]
    hook = hooks[0]
    assert hook["name"] == "iaclint"
    assert hook["entry"] == "iaclint scan --files"
    assert hook["language"] == "python"
    assert hook["require_serial"] is True
    assert hook["pass_filenames"] is True
    # `types` would be ANDed with `files` and identify has no Bicep tag: the regex alone selects.
    assert hook["types"] == ["file"]
    assert hook["types_or"] == []
    assert hook["args"] == []


@needs_pre_commit
@pytest.mark.parametrize(
    "name",
    [
        "main.tf",
        "modules/api/domain.tf",
        "main.tf.json",
        "terraform.tfvars",
        "prod.auto.tfvars",
        "terraform.tfvars.json",
        "infra/main.bicep",
        "infra/main.bicepparam",
        "template.yaml",
        "sam/template.yml",
        "azuredeploy.json",
        "stack.template",
        "policies/api.xml",
    ],
)
def test_hook_selects_infrastructure_files(name: str) -> None:
    pattern = load_manifest(str(MANIFEST))[0]["files"]
    # pre-commit matches `files` with re.search against the repository-relative path.
    assert re.search(pattern, name), name


@needs_pre_commit
@pytest.mark.parametrize(
    "name",
    ["README.md", "main.py", "terraform.tfstate", "main.tf.bak", "Dockerfile", "bicep", "notes.tfvars.txt"],
)
def test_hook_ignores_other_files(name: str) -> None:
    pattern = load_manifest(str(MANIFEST))[0]["files"]
    assert not re.search(pattern, name), name


# -- end to end: pre-commit try-repo ----------------------------------------------------------


def _clean_env() -> dict[str, str]:
    # Run as if from a plain shell: no GIT_* from an enclosing hook, no colour codes in the output.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env["NO_COLOR"] = "1"
    env["TERM"] = "dumb"
    return env


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=iaclint tests", "-c", "user.email=tests@example.invalid",
         "-c", "commit.gpgsign=false", *args],
        cwd=cwd, check=True, capture_output=True, env=_clean_env(),
    )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of this checkout as it is on disk (tracked files with their edits, and new
    files not ignored), so the hook tested is the code being tested.

    `try-repo` on the checkout itself would build such a copy on every call and leave out new
    files. (try-repo installs the hook environment into a throwaway store each time, about 9 s.)
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, check=True, capture_output=True, env=_clean_env(),
    ).stdout.decode().split("\0")
    dest = tmp_path_factory.mktemp("hook-repo")
    for rel in filter(None, listed):
        src = REPO / rel
        if src.is_file():  # deleted in the working tree, or a submodule
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    _git(dest, "init", "-q")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "snapshot for try-repo")
    return dest


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    proj = tmp_path / "project"
    proj.mkdir()
    for rel, text in files.items():
        (proj / rel).parent.mkdir(parents=True, exist_ok=True)
        (proj / rel).write_text(text, encoding="utf-8")
    _git(proj, "init", "-q")
    _git(proj, "add", "-A")
    return proj


def _try_repo(proj: Path, hook_repo: Path, *selection: str) -> subprocess.CompletedProcess[str]:
    env = _clean_env()
    env["PRE_COMMIT_HOME"] = str(proj.parent / "pre-commit-home")  # keep the user's cache untouched
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "iaclint", *selection],
        cwd=proj, capture_output=True, text=True, env=env, timeout=600,
    )
    out = proc.stdout + proc.stderr
    offline = r"NewConnectionError|Could not fetch URL|Temporary failure in name resolution"
    if proc.returncode == 3 and re.search(offline, out):
        pytest.skip("the hook environment could not be installed: package index unreachable")
    return proc


@pytest.mark.slow
@needs_pre_commit
@needs_git
def test_try_repo_fails_on_violation(tmp_path: Path, hook_repo: Path) -> None:
    proj = _project(tmp_path, {"main.tf": VIOLATING})
    proc = _try_repo(proj, hook_repo, "--all-files")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "iaclint" in out and "Failed" in out, out
    assert "- exit code: 1" in out, out
    # The finding names the file, the line of `security_policy`, and the rule.
    assert re.search(r"main\.tf:4:\d+", out), out
    assert "IAC101" in out, out


@pytest.mark.slow
@needs_pre_commit
@needs_git
def test_try_repo_passes_compliant_file(tmp_path: Path, hook_repo: Path) -> None:
    proj = _project(tmp_path, {"main.tf": COMPLIANT})
    proc = _try_repo(proj, hook_repo, "--all-files")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert re.search(r"iaclint\.+Passed", out), out
    assert "IAC101" not in out, out


@pytest.mark.slow
@needs_pre_commit
@needs_git
def test_try_repo_reports_only_the_files_given(tmp_path: Path, hook_repo: Path) -> None:
    # Both files are one Terraform unit; pre-commit passes only the compliant one (as when only
    # it changed), so the violation in the other file is not this commit's business.
    proj = _project(tmp_path, {"legacy.tf": VIOLATING, "api.tf": COMPLIANT})
    given = _try_repo(proj, hook_repo, "--files", "api.tf")
    assert given.returncode == 0, given.stdout + given.stderr
    other = _try_repo(proj, hook_repo, "--files", "legacy.tf")
    out = other.stdout + other.stderr
    assert other.returncode == 1, out
    assert re.search(r"legacy\.tf:4:\d+", out), out
    assert "api.tf:" not in out, out
