"""The composite action (`action.yml`): inputs reach the scripts through the environment only, the
outputs are declared, the current upload action is used, and the Scan step's script, run as GitHub
would run it, turns a usage error into the step's error instead of a missing SARIF file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]
VIOLATING = (
    'resource "aws_api_gateway_domain_name" "d" {\n  domain_name = "a"\n  security_policy = "TLS_1_0"\n}\n'
)


def test_inputs_never_pasted_into_scripts() -> None:
    for step in STEPS:
        assert "${{" not in step.get("run", ""), step.get("name")


def test_outputs_and_upload_action() -> None:
    assert set(ACTION["outputs"]) == {"exit-code", "sarif-file"}
    uses = [s["uses"] for s in STEPS if "uses" in s]
    assert "github/codeql-action/upload-sarif@v4" in uses
    upload = next(s for s in STEPS if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    scan = next(s for s in STEPS if s.get("id") == "scan")
    # The scan comes before the upload, and the job fails on findings only after the upload.
    assert STEPS.index(scan) < STEPS.index(upload) < len(STEPS) - 1
    setup = next(s for s in STEPS if s.get("uses", "").startswith("actions/setup-python"))
    # The job's own Python stays on its PATH.
    assert setup["with"]["update-environment"] is False


def _scan_step(
    tmp_path: Path, paths: str, args: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    script = next(s for s in STEPS if s.get("id") == "scan")["run"]
    runner_temp = tmp_path / "runner"
    bin_dir = runner_temp / "iaclint-venv" / "bin"
    bin_dir.mkdir(parents=True)
    # The action's virtual environment, stood in for by this interpreter and this checkout.
    (bin_dir / "iaclint").write_text(
        f'#!/bin/sh\nPYTHONPATH="{REPO / "src"}" exec "{sys.executable}" -m iaclint "$@"\n', encoding="utf-8"
    )
    (bin_dir / "iaclint").chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    (work / "main.tf").write_text(VIOLATING, encoding="utf-8")
    output = tmp_path / "github-output"
    output.write_text("", encoding="utf-8")
    env = {**os.environ, "RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(output),
           "IACLINT_PATHS": paths, "IACLINT_ARGS": args, "IACLINT_SARIF": "iaclint.sarif"}
    proc = subprocess.run(["bash", "-e", "-c", script], cwd=work, env=env, capture_output=True, text=True,
                          timeout=120)
    outputs = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())
    return proc, outputs


@pytest.mark.skipif(shutil.which("bash") is None or os.name != "posix", reason="needs bash")
def test_scan_step_keeps_the_exit_code_for_the_last_step(tmp_path: Path) -> None:
    proc, outputs = _scan_step(tmp_path, ".", "--severity-threshold error")
    assert proc.returncode == 0, proc.stderr
    assert outputs == {"exit-code": "1", "sarif-file": "iaclint.sarif"}
    assert (tmp_path / "work" / "iaclint.sarif").is_file()
    assert proc.stdout.startswith("::error file=main.tf,line=3")


@pytest.mark.skipif(shutil.which("bash") is None or os.name != "posix", reason="needs bash")
def test_usage_error_is_the_steps_error(tmp_path: Path) -> None:
    proc, outputs = _scan_step(tmp_path, ".", "--select IAC1O1")
    assert proc.returncode == 2
    assert outputs == {"exit-code": "2"}
    error = r"^::error title=iaclint could not run \(exit 2\)::Error: --select: .*did you mean IAC101\?$"
    assert re.search(error, proc.stdout, re.M), proc.stdout


@pytest.mark.skipif(shutil.which("bash") is None or os.name != "posix", reason="needs bash")
def test_inputs_are_never_run_as_shell(tmp_path: Path) -> None:
    # `$(touch pwned)` stays a word (a path that does not exist: a usage error), never a command.
    proc, outputs = _scan_step(tmp_path, ". $(touch pwned)", "")
    assert proc.returncode == 2
    assert outputs == {"exit-code": "2"}
    assert re.search(r"^::error title=iaclint could not run \(exit 2\)::.*\$\(touch", proc.stdout, re.M)
    assert not (tmp_path / "work" / "pwned").exists()


def _readme_yaml_blocks() -> list[object]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def test_readme_local_hook_matches_the_published_hook() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    manifest = {h["id"]: h for h in hooks}
    local = [
        hook for doc in _readme_yaml_blocks() if isinstance(doc, dict)
        for repo in doc.get("repos", []) if repo.get("repo") == "local" for hook in repo["hooks"]
    ]
    assert len(local) == 1
    published = manifest[local[0]["id"]]
    for key in ("entry", "files", "require_serial"):
        assert local[0][key] == published[key], key


def test_readme_uses_the_current_upload_action_and_no_missing_tag() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "upload-sarif@v3" not in text and "upload-sarif@v4" in text
    # No snippet installs from a tag that does not exist yet.
    assert "@v0.1.0\"" not in text and "rev: v0.1.0\n" not in text
