"""CI formats and options end to end through the command line: JUnit XML, GitLab Code Quality, the
short options, --quiet, --exit-zero, --color with NO_COLOR / FORCE_COLOR, -V, and `baseline create`
with the same selection and inputs as `scan`."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from iaclint import __version__
from iaclint.cli import baseline_create, main, scan

VIOLATING = '''variable "policy" {
  default = "TLS_1_0"
}

resource "aws_api_gateway_domain_name" "d" {
  domain_name     = "api.example.com"
  security_policy = var.policy
}
'''
COMPLIANT = '''resource "aws_api_gateway_domain_name" "ok" {
  domain_name     = "ok.example.com"
  security_policy = "TLS_1_2"
}
'''


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git checkout with a violating root (`infra/`) and a compliant one (`ok/`), scanned from
    `infra/`'s parent; colour variables cleared."""
    (tmp_path / ".git").mkdir()
    for folder, text in (("infra", VIOLATING), ("ok", COMPLIANT)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "main.tf").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    # color=True: the runner keeps the escape codes the command writes (it strips them otherwise).
    result = CliRunner().invoke(main, list(args), env=env, color=True)
    return result.exit_code, result.output


def test_junit(repo: Path) -> None:
    code, out = run("scan", ".", "-f", "junit", "--select", "IAC101")
    assert code == 1
    root = ET.fromstring(out)
    assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuites", "2", "1")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert sorted(suites) == ["infra/main.tf", "ok/main.tf"]
    (case,) = suites["infra/main.tf"].iter("testcase")
    assert case.get("name") == "IAC101 tls-minimum-version aws_api_gateway_domain_name.d:7"
    assert (case.get("file"), case.get("line")) == ("infra/main.tf", "7")
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert failure.text.startswith("infra/main.tf:7:3: AWS API Gateway custom domain (REST) ")
    (clean,) = suites["ok/main.tf"].iter("testcase")
    assert clean.get("name") == "no findings" and clean.find("failure") is None


def test_gitlab_code_quality(repo: Path) -> None:
    code, out = run("scan", "infra", "-f", "gitlab", "--select", "IAC101")
    assert code == 1
    (issue,) = json.loads(out)
    assert issue["check_name"] == "IAC101 tls-minimum-version"
    assert issue["description"].startswith("AWS API Gateway custom domain (REST) ")
    assert issue["severity"] == "major"
    # Repository-relative, whatever folder was scanned.
    assert issue["location"] == {"path": "infra/main.tf", "lines": {"begin": 7, "end": 7}}
    assert len(issue["fingerprint"]) == 64
    # Line-independent: the same finding two lines lower keeps its fingerprint.
    (repo / "infra" / "main.tf").write_text("\n\n" + VIOLATING, encoding="utf-8")
    (moved,) = json.loads(run("scan", "infra", "-f", "gitlab", "--select", "IAC101")[1])
    assert moved["fingerprint"] == issue["fingerprint"] and moved["location"]["lines"]["begin"] == 9
    # A clean scan is an empty array, not an empty file.
    assert run("scan", "ok", "-f", "gitlab") == (0, "[]\n")


def test_short_options_write_several_reports(repo: Path) -> None:
    code, out = run("scan", "infra", "-f", "junit", "-o", "junit.xml", "-f", "gitlab", "-o", "gl.json")
    assert (code, out) == (1, "")
    ET.parse(repo / "junit.xml")
    assert json.loads((repo / "gl.json").read_text(encoding="utf-8"))


def test_version_short_option() -> None:
    code, out = run("-V")
    assert code == 0 and __version__ in out


def test_quiet_and_exit_zero(repo: Path) -> None:
    assert run("scan", "ok", "--quiet") == (0, "")
    code, out = run("scan", "infra", "-q", "--select", "IAC101")
    assert code == 1
    assert out.startswith("infra/main.tf:7:3: IAC101") and "Found" not in out
    code, out = run("scan", "infra", "--exit-zero")
    assert code == 0 and "Found 1 finding" in out
    # A usage error is still one.
    assert run("scan", "infra", "--exit-zero", "--select", "nope")[0] == 2


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ([], {}, False),                                   # not a terminal
        (["--color", "always"], {}, True),
        (["--color", "always"], {"NO_COLOR": "1"}, True),   # the option wins
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    ],
)
def test_color(repo: Path, args: list[str], env: dict[str, str], coloured: bool) -> None:
    _, out = run("scan", "infra", *args, env=env)
    assert ("\x1b[" in out) is coloured


def test_baseline_create_takes_the_scan_inputs(repo: Path) -> None:
    code, out = run("baseline", "create", "b.json", "infra", "--select", "IAC101")
    assert (code, out) == (0, "Recorded 1 finding in b.json.\n")
    code, out = run("baseline", "create", "b.json", "infra", "--var", "policy=TLS_1_2")
    assert (code, out) == (0, "Recorded 0 findings in b.json.\n")
    assert run("baseline", "create", "b.json", "infra", "--select", "IAC1O1")[0] == 2
    # The baseline made with a selection silences exactly what the same scan reports.
    run("baseline", "create", "b.json", "infra", "--select", "IAC101")
    assert run("scan", "infra", "--select", "IAC101", "--baseline", "b.json")[0] == 0


def test_baseline_create_has_every_input_option_of_scan() -> None:
    report_only = {"formats", "outputs", "severity_threshold", "baseline", "verbose", "quiet", "exit_zero",
                   "color", "sarif_category"}
    wanted = {p.name for p in scan.params} - report_only - {"paths"}
    assert wanted <= {p.name for p in baseline_create.params}


def test_readme_documents_every_scan_option_and_format() -> None:
    from iaclint.cli import FORMATS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for param in scan.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--"):
                assert opt in readme, opt
    for fmt in FORMATS:
        assert f"`{fmt}`" in readme, fmt
