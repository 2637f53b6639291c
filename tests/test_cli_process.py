"""The `iaclint` process itself (`cli.run`): it ends with os._exit once output is flushed, so
these run it as a subprocess and check that nothing written is lost and exit codes are kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

VIOLATING = 'resource "aws_api_gateway_domain_name" "d" {\n  domain_name     = "api.example.com"\n' \
            '  security_policy = "TLS_1_0"\n}\n'


def _iaclint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iaclint", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_findings_on_stdout_are_complete_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(VIOLATING, encoding="utf-8")
    done = _iaclint("scan", ".", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)  # fails on a truncated document
    found = [(f["rule_id"], f["path"], f["start_line"]) for f in report["findings"]]
    assert found == [("IAC101", "main.tf", 3)]


def test_report_file_and_stdout_both_written(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(VIOLATING, encoding="utf-8")
    args = ("scan", ".", "--format", "sarif", "--output", "out.sarif", "--format", "text")
    done = _iaclint(*args, cwd=tmp_path)
    assert done.returncode == 1
    sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"][0]["ruleId"] == "IAC101"
    assert "IAC101" in done.stdout and done.stdout.rstrip().endswith("skipped, 0 failed.")


def test_clean_scan_exits_0_and_usage_error_exits_2(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(VIOLATING.replace("TLS_1_0", "TLS_1_2"), encoding="utf-8")
    assert _iaclint("scan", ".", cwd=tmp_path).returncode == 0
    bad = _iaclint("scan", "--no-such-option", cwd=tmp_path)
    assert bad.returncode == 2
    assert "No such option" in bad.stderr


def test_retained_scan_data_is_handed_over_and_changes_nothing(tmp_path: Path) -> None:
    from iaclint.discover import Discovery
    from iaclint.engine import ScanOptions, scan

    (tmp_path / "main.tf").write_text(VIOLATING, encoding="utf-8")
    kept: list[object] = []
    with_kept = scan(ScanOptions(paths=[str(tmp_path)]), retain=kept)
    without = scan(ScanOptions(paths=[str(tmp_path)]))
    def found(result: object) -> list[tuple[str, object]]:
        return [(f.rule_id, f.span) for f in result.findings]  # type: ignore[attr-defined]

    assert found(with_kept) == found(without) != []
    # Units stream: what a part built is gone when the scan returns; the discovery outlives them.
    assert len(kept) == 1 and isinstance(kept[0], Discovery)
    assert [u.path for u in kept[0].units] == [tmp_path]
