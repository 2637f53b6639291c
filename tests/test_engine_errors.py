"""A bug past the loaders (an adapter or a check raising) is an internal error naming where it
happened, one line through the CLI (exit 2), never a traceback (issue 12, class 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from iaclint.cli import main
from iaclint.engine import InternalError, ScanOptions, scan

TF = 'resource "aws_api_gateway_domain_name" "d" {\n  security_policy = "TLS_1_0"\n}\n'


def test_adapter_exception_names_the_scope(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from iaclint.model import aws

    def broken(language, resources, model):  # type: ignore[no-untyped-def]
        raise KeyError("boom")

    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(TF)
    monkeypatch.setattr(aws, "adapt", broken)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InternalError, match=r"^infra: KeyError: 'boom'$"):
        scan(ScanOptions(paths=["infra"]))
    result = CliRunner().invoke(main, ["scan", "infra"])
    assert result.exit_code == 2
    assert result.output.strip() == "iaclint: internal error: infra: KeyError: 'boom'"


def test_check_exception_names_the_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import iaclint.checks as checks

    def broken(facts, ctx):  # type: ignore[no-untyped-def]
        yield from ()
        raise ValueError("bad")

    real = checks.registry()
    swapped = {**real, "IAC101": checks.Registered(broken, frozenset())}
    monkeypatch.setattr(checks, "registry", lambda: swapped)
    (tmp_path / "main.tf").write_text(TF)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InternalError, match=r"^rule IAC101 \(broken\): ValueError: bad$"):
        scan(ScanOptions(paths=["."]))
