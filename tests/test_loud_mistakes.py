"""Mistakes in the selection, the rule parameters and the output are loud: exit code 2 and one line
naming the option or the configuration key, with the nearest spelling where there is one."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from iaclint.cli import main

VIOLATING = '''resource "aws_api_gateway_domain_name" "d" {
  domain_name     = "api.example.com"
  security_policy = "TLS_1_0"
}
'''


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "main.tf").write_text(VIOLATING, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scan(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["scan", ".", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--select", "tls-versoin"],
         "Error: --select: no rule, name or category 'tls-versoin'; did you mean tls-version?"),
        (["--select", "IAC1O1"], "Error: --select: no rule, name or category 'IAC1O1'; did you mean IAC101?"),
        (["--ignore", "IAC101,IAC9999"],
         "Error: --ignore: no rule, name or category 'IAC9999'; `iaclint rules` lists the rule ids, names "
         "and categories"),
        (["--select", "IAC403", "--ignore", "mtls"],
         "Error: no rule left to run (select IAC403; ignore mtls); `iaclint rules --all` lists them"),
        (["--rule-param", "IAC101.minimum=1.4"],
         "Error: --rule-param IAC101.minimum=1.4: '1.4' is not one of 1.2, 1.3"),
        (["--rule-param", "IAC101.minimun=1.3"],
         "Error: --rule-param IAC101.minimun=1.3: unknown parameter (known: minimum)"),
        (["--rule-param", "IAC1O1.minimum=1.3"],
         "Error: --rule-param IAC1O1.minimum=1.3: no such rule 'IAC1O1'; did you mean IAC101?"),
        (["--rule-param", "IAC831.level=notice"],
         "Error: --rule-param IAC831.level=notice: 'notice' is not one of error, warning, note"),
        (["--rule-param", "IAC801.edges=APIs"],
         "Error: --rule-param IAC801.edges=APIs: 'APIs' is not one of all, api"),
    ],
)
def test_command_line_mistakes_exit_2(repo: Path, args: list[str], message: str) -> None:
    code, output = scan(*args)
    assert (code, output.strip()) == (2, message)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('select = ["tls-versoin"]',
         "select: no rule, name or category 'tls-versoin'; did you mean tls-version?"),
        ('ignore = ["IAC1O1"]', "ignore: no rule, name or category 'IAC1O1'; did you mean IAC101?"),
        ('select = ["IAC403"]\nignore = ["mtls"]', "no rule left to run (select IAC403; ignore mtls)"),
        ("[parameters.IAC101]\nminimum = 1.4", "parameters.IAC101.minimum: '1.4' is not one of 1.2, 1.3"),
        ('[parameters.IAC101]\nminimun = "1.3"',
         "parameters.IAC101.minimun: unknown parameter (known: minimum)"),
        ('[parameters.IAC1O1]\nminimum = "1.3"', "parameters.IAC1O1: no such rule; did you mean IAC101?"),
        ('[severity]\nIAC1O1 = "note"', "severity.IAC1O1: no such rule; did you mean IAC101?"),
        ('[per-path-ignores]\n"legacy/**" = ["tls-versoin"]',
         "per-path-ignores.legacy/**: no rule, name or category 'tls-versoin'; did you mean tls-version?"),
    ],
)
def test_configuration_mistakes_exit_2(repo: Path, toml: str, message: str) -> None:
    (repo / ".iaclint.toml").write_text(toml + "\n", encoding="utf-8")
    code, output = scan()
    assert code == 2
    assert output.startswith("Error: ") and message in output, output


def test_valid_selection_and_parameters_run(repo: Path) -> None:
    # Ids in any case, names and categories select; a parameter in range raises the floor.
    assert scan("--select", "iac101")[0] == 1
    assert scan("--select", "tls-minimum-version")[0] == 1
    assert scan("--ignore", "tls-version")[0] == 0
    (repo / "main.tf").write_text(VIOLATING.replace("TLS_1_0", "TLS_1_2"), encoding="utf-8")
    assert scan()[0] == 0
    assert scan("--rule-param", "IAC101.minimum=1.3")[0] == 1
    (repo / ".iaclint.toml").write_text('[parameters.IAC101]\nminimum = "1.3"\n', encoding="utf-8")
    assert scan()[0] == 1
    # Only the parse rule, asked for by name: a legitimate run ("does everything parse?").
    assert scan("--select", "IAC001")[0] == 0


@pytest.mark.parametrize("command", [["scan", ".", "--format", "json", "--output"], ["baseline", "create"]])
def test_write_error_exits_2(repo: Path, command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "missing-folder/report.json"])
    assert result.exit_code == 2
    assert "missing-folder/report.json" in result.output and "No such file or directory" in result.output
