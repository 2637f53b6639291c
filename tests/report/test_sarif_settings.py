"""SARIF settings through the command line: the category (automationDetails.id) only when asked for,
security severity that follows a level the configuration lowers, plain-text help."""

from __future__ import annotations

import json
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


def sarif_run(*args: str) -> dict:
    result = CliRunner().invoke(main, ["scan", ".", "--format", "sarif", *args])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["runs"][0]


def rule(run: dict, rule_id: str) -> dict:
    return next(r for r in run["tool"]["driver"]["rules"] if r["id"] == rule_id)


def test_category_only_when_asked(repo: Path) -> None:
    assert "automationDetails" not in sarif_run()
    assert sarif_run("--sarif-category", "infra/prod")["automationDetails"] == {"id": "infra/prod/"}
    (repo / ".iaclint.toml").write_text('sarif-category = "iaclint-infra"\n', encoding="utf-8")
    assert sarif_run()["automationDetails"] == {"id": "iaclint-infra/"}
    # The command line wins over the file.
    assert sarif_run("--sarif-category", "other")["automationDetails"] == {"id": "other/"}


def test_lowered_level_lowers_security_severity(repo: Path) -> None:
    assert rule(sarif_run(), "IAC101")["properties"]["security-severity"] == "7.5"
    (repo / ".iaclint.toml").write_text('[severity]\nIAC101 = "note"\n', encoding="utf-8")
    run = sarif_run()
    descriptor = rule(run, "IAC101")
    assert descriptor["defaultConfiguration"] == {"level": "note"}
    # GitHub's "low" bucket ends at 3.9: a note is not shown as a high-severity alert.
    assert descriptor["properties"]["security-severity"] == "3.9"
    assert [r["level"] for r in run["results"]] == ["note"]
    (repo / ".iaclint.toml").write_text('[severity]\nIAC101 = "warning"\n', encoding="utf-8")
    assert rule(sarif_run(), "IAC101")["properties"]["security-severity"] == "6.9"


def test_rule_level_parameter_lowers_security_severity(repo: Path) -> None:
    run = sarif_run("--select", "IAC831", "--rule-param", "IAC831.level=note")
    assert rule(run, "IAC831")["properties"]["security-severity"] == "3.9"


def test_help_text_is_plain(repo: Path) -> None:
    for descriptor in sarif_run("--select", "IAC001,IAC101")["tool"]["driver"]["rules"]:
        text = descriptor["help"]["text"]
        assert "**" not in text and "```" not in text and "`" not in text, descriptor["id"]
        assert text.count("Fix:") <= 1, descriptor["id"]
        # The Markdown keeps its markers for readers that render it.
        assert "**" in descriptor["help"]["markdown"] or descriptor["id"] == "IAC001"
