"""Adopting iaclint in a fresh repository with the README alone (issue 7, "Done when").

Each test builds a small repository in a temporary directory and drives the command line as a user
or CI would: through click's runner, and through the installed entry points in a subprocess. The
pre-commit hook itself is exercised in `test_precommit.py`; here file-list mode (what the hook runs)
is compared with a whole-repository scan.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from iaclint.cli import main
from iaclint.config import load_config
from iaclint.rules import load_rules

ROOT = Path(__file__).resolve().parents[1]

MAIN_TF = """\
resource "aws_api_gateway_domain_name" "modern" {
  domain_name              = "api.example.com"
  regional_certificate_arn = "arn:aws:acm:eu-west-1:111122223333:certificate/modern"
  security_policy          = var.tls_policy

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}
"""
VARIABLES_TF = 'variable "tls_policy" {\n  default = "TLS_1_2"\n}\n'
PYPROJECT = """\
[project]
name = "infra"
version = "0"

[tool.iaclint.parameters.IAC101]
minimum = "1.3"

[tool.iaclint.severity]
IAC101 = "warning"
"""


def domain(name: str, policy: str, comment: str = "") -> str:
    """A regional custom domain; `comment` goes on the line above the resource."""
    above = f"{comment}\n" if comment else ""
    return (
        f'{above}resource "aws_api_gateway_domain_name" "{name}" {{\n'
        f'  domain_name              = "{name}.example.com"\n'
        f'  regional_certificate_arn = "arn:aws:acm:eu-west-1:111122223333:certificate/{name}"\n'
        f'  security_policy          = "{policy}"\n'
        "\n  endpoint_configuration {\n    types = [\"REGIONAL\"]\n  }\n}\n"
    )


def make_repo(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository, made the working directory (as CI and pre-commit run)."""
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def json_scan(*args: str) -> tuple[int, dict[str, Any]]:
    result = run("scan", "--format", "json", *args)
    return result.exit_code, json.loads(result.output)


def brief(findings: list[dict[str, Any]]) -> list[tuple[str, str, int, int, str]]:
    return [(f["rule_id"], f["path"], f["start_line"], f["start_column"], f["level"]) for f in findings]


# -- configuration ----------------------------------------------------------------------------------
def test_pyproject_config_raises_tls_minimum_and_lowers_severity(repo: Path) -> None:
    make_repo(repo, {"infra/main.tf": MAIN_TF, "infra/variables.tf": VARIABLES_TF})
    # Without configuration TLS 1.2 meets the standard.
    code, report = json_scan()
    assert (code, report["findings"]) == (0, [])

    make_repo(repo, {"pyproject.toml": PYPROJECT})
    code, report = json_scan()
    # minimum = "1.3" makes TLS_1_2 a finding; severity lowers it from error to warning.
    assert brief(report["findings"]) == [("IAC101", "infra/main.tf", 4, 3, "warning")]
    assert "requires TLS 1.3 or newer" in report["findings"][0]["message"]
    assert report["findings"][0]["related"][0]["path"] == "infra/variables.tf"
    assert code == 1
    # A warning under an error threshold does not fail the run.
    assert run("scan", "--severity-threshold", "error").exit_code == 0

    shown = json.loads(run("config").output)
    assert shown["file"] == str(repo / "pyproject.toml")
    assert shown["parameters"] == {"IAC101": {"minimum": "1.3"}}
    assert shown["severity"] == {"IAC101": "warning"}


def test_bad_config_key_stops_the_scan_naming_the_key(repo: Path) -> None:
    typo = PYPROJECT + "\n[tool.iaclint.parameters.IAC831]\nlevle = 1\n"
    make_repo(repo, {"infra/main.tf": MAIN_TF, "pyproject.toml": typo})
    result = CliRunner().invoke(main, ["scan"])
    assert result.exit_code == 2
    assert "tool.iaclint.parameters.IAC831.levle: unknown parameter" in result.output


def test_readme_config_snippet_is_valid_configuration(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", readme, flags=re.DOTALL)
    assert len(blocks) == 1, "README should show one configuration example"
    path = tmp_path / "pyproject.toml"
    path.write_text(blocks[0], encoding="utf-8")
    cfg = load_config(path, load_rules())
    assert cfg.parameters == {"IAC101": {"minimum": "1.3"}}
    assert cfg.severity_threshold == "warning"
    assert cfg.unknown == "note"
    assert cfg.ignore == ["IAC102"]
    assert cfg.exclude == ["examples/**"]
    assert {k: v.value for k, v in cfg.severity.items()} == {"IAC831": "note"}
    assert cfg.per_path_ignores == {"legacy/**": ["tls-version"]}


# -- inline suppression -----------------------------------------------------------------------------
def test_inline_suppression_shows_in_sarif_and_passes_the_run(repo: Path) -> None:
    reason = "partner integration needs TLS 1.0 until 2027-03"
    make_repo(repo, {"infra/main.tf": domain("partner", "TLS_1_0", f"# iaclint:ignore IAC101 -- {reason}")})
    result = run("scan", "--format", "sarif", "--output", "iaclint.sarif", "--format", "text")
    # The suppressed finding was the only one: the run passes.
    assert result.exit_code == 0
    assert "1 suppressed finding not counted" in result.output
    sarif = json.loads((repo / "iaclint.sarif").read_text(encoding="utf-8"))
    (res,) = sarif["runs"][0]["results"]
    assert res["ruleId"] == "IAC101"
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "infra/main.tf"
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 5
    assert res["suppressions"][0]["kind"] == "inSource"
    assert res["suppressions"][0]["justification"] == reason

    # Without a reason the directive suppresses nothing (the README makes the reason the price of a
    # suppression): the finding stays and fails the run, and IAC002 warns at the comment.
    make_repo(repo, {"infra/main.tf": domain("partner", "TLS_1_0", "# iaclint:ignore IAC101")})
    code, report = json_scan()
    assert brief(report["findings"]) == [
        ("IAC002", "infra/main.tf", 1, 1, "warning"),
        ("IAC101", "infra/main.tf", 5, 3, "error"),
    ]
    assert report["suppressed"] == []
    assert code == 1

    # A rule name works as in --select; a misspelt id is reported even though nothing else ran.
    by_name = f"# iaclint:ignore tls-minimum-version -- {reason}"
    make_repo(repo, {"infra/main.tf": domain("partner", "TLS_1_0", by_name)
                     + domain("other", "TLS_1_2", "# iaclint:ignore IAC1O1 -- typo")})
    code, report = json_scan("--select", "IAC002")
    assert [(f["rule_id"], f["start_line"], f["message"]) for f in report["findings"]] == [
        ("IAC002", 11, "suppression names IAC1O1, which is no rule; did you mean IAC101?"),
    ]
    code, report = json_scan()
    assert [f["rule_id"] for f in report["suppressed"]] == ["IAC101"]


# -- baseline ---------------------------------------------------------------------------------------
def test_baseline_reports_only_new_findings_and_counts_gone_entries(repo: Path) -> None:
    make_repo(repo, {"infra/old.tf": domain("old", "TLS_1_0"), "infra/fixed.tf": domain("fixed", "TLS_1_1")})
    created = run("baseline", "create", "iaclint-baseline.json", ".")
    assert created.exit_code == 0
    assert created.output == "Recorded 2 findings in iaclint-baseline.json.\n"
    recorded = json.loads((repo / "iaclint-baseline.json").read_text(encoding="utf-8"))
    assert sorted(e["address"] for e in recorded["findings"]) == [
        "aws_api_gateway_domain_name.fixed",
        "aws_api_gateway_domain_name.old",
    ]
    assert run("scan", "--baseline", "iaclint-baseline.json").exit_code == 0

    # Unrelated lines above the old finding do not bring it back; one is fixed, one is new.
    make_repo(
        repo,
        {
            "infra/old.tf": "# Owned by the payments team.\n\n" + domain("old", "TLS_1_0"),
            "infra/fixed.tf": domain("fixed", "TLS_1_2"),
            "infra/new.tf": domain("new", "TLS_1_0"),
        },
    )
    code, report = json_scan("--baseline", "iaclint-baseline.json")
    assert brief(report["findings"]) == [("IAC101", "infra/new.tf", 4, 3, "error")]
    assert [f["address"] for f in report["suppressed"]] == ["aws_api_gateway_domain_name.old"]
    assert report["suppressed"][0]["suppression"]["kind"] == "external"
    assert report["summary"]["baseline_gone"] == 1
    assert code == 1
    text = run("scan", "--baseline", "iaclint-baseline.json").output
    assert "1 baseline entry no longer matches a finding." in text
    assert "infra/new.tf:4:3: IAC101" in text and "infra/old.tf" not in text


# -- file-list mode (pre-commit) and whole-repository scans -----------------------------------------
def test_file_list_mode_and_whole_repo_give_the_same_finding(repo: Path) -> None:
    make_repo(
        repo,
        {
            "pyproject.toml": PYPROJECT,
            "infra/main.tf": MAIN_TF,
            "infra/variables.tf": VARIABLES_TF,
            "other/main.tf": domain("other", "TLS_1_0"),
        },
    )
    _, whole = json_scan(".")
    # The variable's default is in another file of the module: file-list mode loads the module.
    _, listed = json_scan("--files", "infra/main.tf")
    keys = ("rule_id", "path", "start_line", "start_column", "end_line", "end_column", "message",
            "fingerprint", "related")
    in_main = [{k: f[k] for k in keys} for f in whole["findings"] if f["path"] == "infra/main.tf"]
    assert len(in_main) == 1
    assert [{k: f[k] for k in keys} for f in listed["findings"]] == in_main
    # The value comes from variables.tf: changing it is what makes main.tf violate, so the finding
    # is reported for it too (where it is located, with the variable as its related location).
    _, other = json_scan("--files", "infra/variables.tf")
    assert [{k: f[k] for k in keys} for f in other["findings"]] == in_main
    # A file that neither holds nor feeds the finding reports nothing.
    _, unrelated = json_scan("--files", "other/main.tf")
    assert [f["path"] for f in unrelated["findings"]] == ["other/main.tf"]


# -- installed entry points -------------------------------------------------------------------------
def _entry_point(kind: str) -> list[str]:
    if kind == "python-m":
        return [sys.executable, "-m", "iaclint"]
    script = shutil.which("iaclint", path=str(Path(sys.executable).parent))
    assert script is not None, "the iaclint console script is not installed next to this Python"
    return [script]


@pytest.mark.parametrize("kind", ["python-m", "console-script"])
def test_installed_entry_point_scans_a_repo(repo: Path, kind: str) -> None:
    entry = _entry_point(kind)
    make_repo(
        repo, {"pyproject.toml": PYPROJECT, "infra/main.tf": MAIN_TF, "infra/variables.tf": VARIABLES_TF}
    )
    proc = subprocess.run(
        [*entry, "scan", "--format", "sarif", "--output", "out.sarif", "--format", "text"],
        cwd=repo, capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
    assert proc.returncode == 1, proc.stderr
    assert "infra/main.tf:4:3: IAC101 tls-minimum-version [warning]" in proc.stdout
    sarif = json.loads((repo / "out.sarif").read_text(encoding="utf-8"))
    assert [(r["ruleId"], r["level"]) for r in sarif["runs"][0]["results"]] == [("IAC101", "warning")]

    # The violating value is the variable's default: the hook fails when variables.tf changes.
    proc = subprocess.run(
        [*entry, "scan", "--files", "infra/variables.tf"],
        cwd=repo, capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "infra/main.tf:4:3: IAC101" in proc.stdout

