"""The JUnit XML report, for the test tabs of CI systems (GitLab `artifacts: reports: junit:`,
Azure DevOps PublishTestResults, Jenkins). One test suite per scanned file: a finding at error or
warning level is a failed test case, a note a passing one whose output says it; a scanned file with
no finding is one passing test case, so a clean run shows what was checked. Suppressed findings are
left out, as in the text report."""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from iaclint.findings import Finding, Level
from iaclint.report.paths import shown
from iaclint.report.summary import active, fix_for, ordered, rule_for, utf8_safe

if TYPE_CHECKING:
    from iaclint.result import ScanResult


def _xml_text(text: str) -> str:
    """`text` fit for XML 1.0: characters it cannot hold (control characters, lone surrogates)
    replaced by U+FFFD."""
    text = utf8_safe(text)
    return "".join(
        ch if ch in "\t\n\r" or (" " <= ch <= "\ud7ff") or ("\ue000" <= ch <= "\ufffd") or ch >= "\U00010000"
        else "\ufffd"
        for ch in text
    )


def _case(suite: ET.Element, f: Finding, result: ScanResult, path: str) -> bool:
    """Add the test case of `f`; True when it fails."""
    rule = rule_for(result, f.rule_id)
    name = f"{f.rule_id} {rule.name}" if rule is not None else f.rule_id
    case = ET.SubElement(suite, "testcase", {
        "classname": _xml_text(path),
        "name": _xml_text(f"{name} {f.address or path}:{f.span.line}"),
        "file": _xml_text(path),
        "line": str(max(f.span.line, 1)),
    })
    where = f"{path}:{max(f.span.line, 1)}:{max(f.span.column, 1)}"
    detail = [f"{where}: {f.message}"]
    fix = fix_for(f, rule)
    if fix:
        detail.append(f"help: {fix}")
    if f.level is Level.NOTE:
        ET.SubElement(case, "system-out").text = _xml_text("note: " + "\n".join(detail))
        return False
    failure = ET.SubElement(case, "failure", {"message": _xml_text(f.message), "type": f.level.value})
    failure.text = _xml_text("\n".join(detail))
    return True


def render(result: ScanResult, *, color: bool = False) -> str:
    """The JUnit XML document ending in a newline; `color` is ignored."""
    by_file: dict[str, list[Finding]] = {}
    for f in ordered(active(result.findings)):
        by_file.setdefault(shown(f.span.path, result.root), []).append(f)
    for record in result.files:
        if record.status == "scanned":
            by_file.setdefault(shown(record.path, result.root), [])
    root = ET.Element("testsuites", {"name": "iaclint"})
    total = failed = 0
    for path in sorted(by_file):
        suite = ET.SubElement(root, "testsuite", {"name": _xml_text(path)})
        findings = by_file[path]
        failures = sum(_case(suite, f, result, path) for f in findings)
        if not findings:
            ET.SubElement(suite, "testcase", {"classname": _xml_text(path), "name": "no findings",
                                              "file": _xml_text(path)})
        cases = max(len(findings), 1)
        suite.set("tests", str(cases))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total += cases
        failed += failures
    root.set("tests", str(total))
    root.set("failures", str(failed))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
