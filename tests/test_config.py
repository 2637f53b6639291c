from pathlib import Path

import pytest
from click.testing import CliRunner

from iaclint.cli import main
from iaclint.config import ConfigError, find_config, load_config
from iaclint.engine import ScanOptions, _configure
from iaclint.findings import Finding, Level
from iaclint.rules import load_rules
from iaclint.source import Span


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_found_by_walking_up(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")  # no [tool.iaclint]: ignored
    assert find_config(tmp_path) is None
    cfg = write(tmp_path / "pyproject.toml", "[tool.iaclint]\nignore = ['IAC101']\n")
    deep = tmp_path / "infra" / "prod"
    deep.mkdir(parents=True)
    assert find_config(deep) == cfg.resolve()
    nearer = write(tmp_path / "infra" / ".iaclint.toml", "unknown = 'ignore'\n")
    assert find_config(deep) == nearer.resolve()
    loaded = load_config(nearer, load_rules())
    assert loaded.unknown == "ignore"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("selct = ['IAC101']\n", "selct: unknown key"),
        ("[severity]\nIAC101 = 'fatal'\n", "severity.IAC101: must be error, warning or note"),
        ("[severity]\nIAC999 = 'note'\n", "severity.IAC999: no such rule"),
        ("[parameters.IAC101]\nminimun = '1.3'\n",
         "parameters.IAC101.minimun: unknown parameter (known: minimum)"),
        ("unknown = 'maybe'\n", "unknown: must be one of note, warning, ignore"),
        ("select = 3\n", "select: must be a string or a list of strings"),
        ("select = [\n", "not valid TOML"),
    ],
)
def test_bad_configuration_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / ".iaclint.toml", text)
    with pytest.raises(ConfigError) as err:
        load_config(path, load_rules())
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_cli_bad_config_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", "[tool.iaclint]\nignroe = ['x']\n")
    result = CliRunner().invoke(main, ["scan", "."])
    assert result.exit_code == 2
    assert "tool.iaclint.ignroe: unknown key" in result.output


def test_config_command_prints_effective_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".iaclint.toml", "[tool.iaclint]\nseverity-threshold = 'error'\n"
          "[tool.iaclint.parameters.IAC101]\nminimum = '1.3'\n")
    result = CliRunner().invoke(main, ["config"])
    assert result.exit_code == 0
    assert '"severity-threshold": "error"' in result.output
    assert '"minimum": "1.3"' in result.output


def _finding(rule: str, path: str, unknown: bool = False) -> Finding:
    return Finding(rule, Level.NOTE if unknown else Level.ERROR, "m", Span(path, 1, 1, 1, 2), unknown=unknown)


def test_configure_applies_levels_unknown_policy_and_path_ignores() -> None:
    rules = load_rules()
    findings = [
        _finding("IAC101", "infra/a.tf"),
        _finding("IAC101", "legacy/b.tf"),
        _finding("IAC101", "infra/c.tf", unknown=True),
    ]
    opts = ScanOptions(severity={"IAC101": Level.WARNING}, unknown="warning",
                       per_path_ignores={"legacy/*": ["tls-version"]})
    out = _configure(findings, opts, rules)
    assert [(f.span.path, f.level) for f in out] == [
        ("infra/a.tf", Level.WARNING),
        ("infra/c.tf", Level.WARNING),
    ]
    assert len(_configure(findings, ScanOptions(unknown="ignore"), rules)) == 2
