import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iaclint import __version__
from iaclint.cli import main

VIOLATING = '''resource "aws_api_gateway_domain_name" "d" {
  domain_name     = "api.example.com"
  security_policy = "TLS_1_0"
}
'''
COMPLIANT = VIOLATING.replace("TLS_1_0", "TLS_1_2")


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_rules_lists_pack(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules"])
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if line.startswith("IAC101"))
    assert "tls-version" in line and "error" in line and "tls-minimum-version" in line
    data = json.loads(runner.invoke(main, ["rules", "--format", "json"]).output)
    ids = [r["id"] for r in data]
    assert "IAC101" in ids and ids == sorted(ids)


def test_explain(runner: CliRunner) -> None:
    result = runner.invoke(main, ["explain", "iac101"])
    assert result.exit_code == 0
    assert result.output.startswith("IAC101 tls-minimum-version (tls-version, error)")
    assert "aws_api_gateway_domain_name" in result.output
    assert runner.invoke(main, ["explain", "IAC999"]).exit_code == 2


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "--format", "bogus"],
        ["scan", "--output", "a", "--output", "b"],
        ["scan", "--rule-param", "IAC101minimum=1.3"],
        ["scan", "--var", "novalue"],
        ["scan", "--severity-threshold", "fatal"],
    ],
)
def test_usage_errors_exit_2(runner: CliRunner, args: list[str], in_tmp: Path) -> None:
    assert runner.invoke(main, args).exit_code == 2


def test_scan_exit_codes_and_formats(runner: CliRunner, in_tmp: Path) -> None:
    Path("bad").mkdir()
    Path("bad/main.tf").write_text(VIOLATING)
    Path("good").mkdir()
    Path("good/main.tf").write_text(COMPLIANT)

    bad = runner.invoke(main, ["scan", "bad"])
    assert bad.exit_code == 1, bad.output
    assert "bad/main.tf:3:3: IAC101" in bad.output

    good = runner.invoke(main, ["scan", "good"])
    assert good.exit_code == 0, good.output

    # Several formats in one run, each to its own file.
    multi = runner.invoke(main, ["scan", "bad", "--format", "json", "--output", "r.json",
                                 "--format", "sarif", "--output", "r.sarif"])
    assert multi.exit_code == 1
    report = json.loads(Path("r.json").read_text())
    assert [f["rule_id"] for f in report["findings"]] == ["IAC101"]
    sarif = json.loads(Path("r.sarif").read_text())
    assert sarif["runs"][0]["results"][0]["ruleId"] == "IAC101"

    # Ignoring the rule, or a threshold above its level, turns the exit code to 0.
    assert runner.invoke(main, ["scan", "bad", "--ignore", "tls-version"]).exit_code == 0
    raised = runner.invoke(main, ["scan", "good", "--rule-param", "IAC101.minimum=1.3"])
    assert raised.exit_code == 1 and "TLS 1.3" in raised.output


def test_files_mode_reports_only_given_files(runner: CliRunner, in_tmp: Path) -> None:
    Path("infra").mkdir()
    Path("infra/variables.tf").write_text('variable "p" {\n  default = "TLS_1_0"\n}\n')
    Path("infra/main.tf").write_text(VIOLATING.replace('"TLS_1_0"', "var.p"))
    Path("infra/other.tf").write_text(COMPLIANT.replace('"d"', '"other"'))
    # The finding is in main.tf; the value comes from variables.tf (loaded as part of the unit), so
    # a change to either is reported; a change to another file of the unit is not.
    only_vars = runner.invoke(main, ["scan", "--files", "infra/variables.tf"])
    assert only_vars.exit_code == 1 and "infra/main.tf:3:3: IAC101" in only_vars.output
    other = runner.invoke(main, ["scan", "--files", "infra/other.tf"])
    assert other.exit_code == 0, other.output
    with_main = runner.invoke(main, ["scan", "--files", "infra/main.tf"])
    assert with_main.exit_code == 1 and "infra/main.tf:3:3: IAC101" in with_main.output


def test_internal_error_is_one_line_exit_2(runner: CliRunner, in_tmp: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import iaclint.engine as engine

    def boom(units, options):
        raise ValueError("boom")

    monkeypatch.setattr(engine, "_load_module", lambda language: type("M", (), {"load": staticmethod(boom)}))
    Path("x").mkdir()
    Path("x/main.tf").write_text(COMPLIANT)
    result = runner.invoke(main, ["scan", "x"])
    assert result.exit_code == 2
    assert result.output.strip() == "iaclint: internal error: x: ValueError: boom"


CFN_TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Policy:
    Type: String
    Default: TLS_1_2
Resources:
  Domain:
    Type: AWS::ApiGateway::DomainName
    Properties:
      DomainName: api.example.com
      SecurityPolicy: !Ref Policy
"""


def test_template_parameters_from_option_and_file(runner: CliRunner, in_tmp: Path) -> None:
    Path("cfn").mkdir()
    Path("cfn/template.yaml").write_text(CFN_TEMPLATE)
    assert runner.invoke(main, ["scan", "cfn", "--select", "IAC101"]).exit_code == 0
    weak = runner.invoke(main, ["scan", "cfn", "--select", "IAC101", "--parameter", "Policy=TLS_1_0"])
    assert weak.exit_code == 1 and "cfn/template.yaml:11:7: IAC101" in weak.output
    Path("params.json").write_text(json.dumps([{"ParameterKey": "Policy", "ParameterValue": "TLS_1_0"}]))
    from_file = runner.invoke(main, ["scan", "cfn", "--select", "IAC101", "--parameter-file", "params.json"])
    assert from_file.exit_code == 1, from_file.output
    assert runner.invoke(main, ["scan", "cfn", "--parameter-file", "missing.json"]).exit_code == 2


def test_jobs_loads_languages_in_parallel_with_the_same_result(runner: CliRunner, in_tmp: Path) -> None:
    Path("tf").mkdir()
    Path("tf/main.tf").write_text(VIOLATING)
    Path("cfn").mkdir()
    Path("cfn/template.yaml").write_text(CFN_TEMPLATE.replace("Default: TLS_1_2", "Default: TLS_1_0"))
    serial = runner.invoke(main, ["scan", ".", "--select", "IAC101", "--format", "json"])
    parallel = runner.invoke(main, ["scan", ".", "--select", "IAC101", "--format", "json", "--jobs", "2"])
    assert serial.exit_code == parallel.exit_code == 1

    def located(out: str) -> list:
        return [(f["path"], f["start_line"]) for f in json.loads(out)["findings"]]

    expected = [("cfn/template.yaml", 11), ("tf/main.tf", 3)]
    assert located(serial.output) == located(parallel.output) == expected
