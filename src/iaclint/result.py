"""What a scan hands to the reports: its findings, every file looked at, and the rules run.

The findings stage's output, so that reports depend on findings and rules only, never on the
orchestrator (`engine`) that produced them.
"""

from __future__ import annotations

from dataclasses import field
from pathlib import Path

from iaclint.fileaccess import ScanRoots
from iaclint.findings import Finding
from iaclint.records import record
from iaclint.rules import Rule


@record(frozen=True)
class FileRecord:
    """One file of the scan: scanned, skipped or failed, and why."""

    path: str
    status: str  # scanned | skipped | failed
    reason: str = ""
    # A skipped file that may hold infrastructure nobody checked (reports say so in the summary).
    unchecked: bool = False


@record
class ScanResult:
    """What a scan gives the reports: findings, files, rules in force, roots."""

    findings: list[Finding]
    files: list[FileRecord]
    rules: dict[str, Rule]
    root: Path
    # The directories scanned code could read; reports quote lines only from files inside them.
    roots: ScanRoots = field(default_factory=lambda: ScanRoots(()))
    # Baseline entries that no longer match a finding (fixed, or the code moved out of scope).
    baseline_gone: int = 0

    @property
    def active(self) -> list[Finding]:
        """Findings that count: not suppressed inline and not in the baseline."""
        return [f for f in self.findings if f.suppression is None]

    def counts(self) -> dict[str, int]:
        c = {"scanned": 0, "skipped": 0, "failed": 0}
        for f in self.files:
            c[f.status] += 1
        return c
