"""End-to-end: scanning fixtures/ reports exactly the findings the fixtures declare.

Fixtures carry their own expectations (see fixtures/README.md):
- a trailing comment `# expect: IAC101` (`// expect:` in Bicep) on the line where a finding must start;
  `IAC101:note` for a finding that must be a note; several ids separated by commas;
- a comment `# fixture: IAC101 violating|compliant|unknown` declaring what a file covers;
- for JSON files, a sidecar `<file>.expect` with lines `expect: <line> IAC101[:note]` and `fixture: ...`.
Every finding must be expected and every expectation met, so a new case needs no new test code.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from iaclint.engine import ScanOptions, scan
from iaclint.findings import Level
from iaclint.rules import load_rules

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
# Loader fixtures exercise parsing and evaluation (tested per loader); bad-input has its own test.
EXCLUDED = ("loader", "bad-input")
TEXT_SUFFIXES = (".tf", ".tfvars", ".yaml", ".yml", ".bicep", ".bicepparam", ".template")
COMMENT_MARKERS = ("#", "//")

Expectation = tuple[str, int, str, bool]  # (path relative to repo, line, rule id, is note)


def _fixture_files() -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(FIXTURES):
        dirnames[:] = sorted(d for d in dirnames if d not in EXCLUDED and not d.startswith("."))
        out.extend(Path(dirpath) / f for f in sorted(filenames))
    return out


def _comment(line: str) -> str | None:
    for marker in COMMENT_MARKERS:
        idx = line.find(marker + " expect:")
        if idx == -1:
            idx = line.find(marker + " fixture:")
        if idx != -1:
            return line[idx + len(marker):].strip()
    return None


def _ids(spec: str) -> list[tuple[str, bool]]:
    out = []
    for item in spec.split(","):
        item = item.strip()
        if item:
            rule, _, level = item.partition(":")
            out.append((rule.strip(), level.strip() == "note"))
    return out


def read_expectations() -> tuple[list[Expectation], list[tuple[str, str, str]]]:
    """(expected findings, coverage declarations (language, rule id, kind))."""
    expected: list[Expectation] = []
    coverage: list[tuple[str, str, str]] = []
    for path in _fixture_files():
        rel = path.relative_to(ROOT).as_posix()
        language = path.relative_to(FIXTURES).parts[0]
        if path.suffix == ".expect":
            target = rel[: -len(".expect")]
            for raw in path.read_text(encoding="utf-8").splitlines():
                key, _, rest = raw.strip().partition(":")
                if key == "expect":
                    line_no, _, spec = rest.strip().partition(" ")
                    expected += [(target, int(line_no), r, note) for r, note in _ids(spec)]
                elif key == "fixture":
                    rule, kind = rest.split()
                    coverage.append((language, rule, kind))
            continue
        if not path.name.endswith(TEXT_SUFFIXES):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            comment = _comment(line)
            if comment is None:
                continue
            key, _, rest = comment.partition(":")
            if key == "expect":
                expected += [(rel, number, r, note) for r, note in _ids(rest)]
            elif key == "fixture":
                rule, kind = rest.split()
                coverage.append((language, rule, kind))
    return expected, coverage


@pytest.fixture(scope="module")
def fixture_scan():
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return scan(ScanOptions(paths=["fixtures"], excludes=list(EXCLUDED)))
    finally:
        os.chdir(cwd)


def _actual(result) -> list[Expectation]:
    # A finding suppressed inline is kept (SARIF shows it) but must not be expected.
    return [
        (Path(f.span.path).as_posix(), f.span.line, f.rule_id, f.level is Level.NOTE)
        for f in result.findings
        if f.suppression is None
    ]


def test_findings_match_expectations_exactly(fixture_scan) -> None:
    expected, _ = read_expectations()
    assert expected, "fixtures declare no expectations"
    actual = Counter(_actual(fixture_scan))
    wanted = Counter(expected)
    missing = sorted((wanted - actual).elements())
    unexpected = sorted((actual - wanted).elements())
    details = [
        f"  {f.span}: {f.rule_id} [{f.level.value}] {f.message}"
        for f in fixture_scan.findings
        if (Path(f.span.path).as_posix(), f.span.line, f.rule_id, f.level is Level.NOTE) in set(unexpected)
    ]
    assert not missing and not unexpected, (
        f"missing: {missing}\nunexpected: {unexpected}\n" + "\n".join(details)
    )


def test_no_fixture_file_fails_to_load(fixture_scan) -> None:
    failed = [r for r in fixture_scan.files if r.status == "failed"]
    assert not failed


def test_every_rule_has_violating_and_compliant_fixtures() -> None:
    _, coverage = read_expectations()
    rules = {r.id: r for r in load_rules().values() if r.category != "parse" and r.enabled}
    kinds: dict[str, dict[str, set[str]]] = {}
    for language, rule, kind in coverage:
        assert rule in load_rules(), f"fixture declares unknown rule {rule}"
        assert kind in ("violating", "compliant", "unknown"), f"unknown fixture kind {kind}"
        kinds.setdefault(rule, {}).setdefault(language, set()).add(kind)
    problems = []
    for rule_id in rules:
        per_language = kinds.get(rule_id)
        if not per_language:
            problems.append(f"{rule_id}: no fixtures")
            continue
        for language, found in per_language.items():
            for needed in ("violating", "compliant"):
                if needed not in found:
                    problems.append(f"{rule_id}: no {needed} fixture in {language}")
    assert not problems, "\n".join(problems)


def _case_root(path: Path) -> Path:
    """The case directory a file belongs to: its folder, or the folder above `modules/`."""
    parts = path.parent.parts
    return Path(*parts[: parts.index("modules")]) if "modules" in parts else path.parent


def test_violating_fixtures_expect_their_rule() -> None:
    """A file declared violating for a rule has an expected finding of that rule in its case (a
    module's finding sits in the module file), so declarations cannot drift from content."""
    expected, _ = read_expectations()
    problems = []
    for path in _fixture_files():
        if not path.name.endswith(TEXT_SUFFIXES):
            continue
        case = _case_root(path)
        for line in path.read_text(encoding="utf-8").splitlines():
            comment = _comment(line)
            if not comment or not comment.startswith("fixture:"):
                continue
            rule, kind = comment.partition(":")[2].split()
            if kind != "violating":
                continue
            # A note-level rule (a preference) can only ever be expected as a note.
            note_rule = load_rules()[rule].severity is Level.NOTE
            hits = [p for p, _, r, note in expected
                    if r == rule and (note_rule or not note) and (ROOT / p).is_relative_to(case)]
            if not hits:
                problems.append(f"{path.relative_to(ROOT)} declares {rule} violating but expects no {rule}")
    assert not problems, "\n".join(problems)
