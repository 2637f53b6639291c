from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import Workspace

from iaclint import __version__
from iaclint.findings import Finding, Level, Related, Suppression
from iaclint.report.json import render, write
from iaclint.result import FileRecord
from iaclint.source import Span

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "iaclint-report.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _full(ws: Workspace) -> tuple[dict, list[Finding]]:
    findings = [
        ws.tls_finding(),
        ws.tls_finding(line=1, unknown=True),
        ws.parse_finding(str(ws.root / "broken.tf")),
        Finding("IAC201", Level.WARNING, "no truststore", Span(ws.main, 1, 1, 1, 9), address="a.b"),
    ]
    files = [
        FileRecord(ws.main, "scanned"),
        FileRecord(ws.variables, "scanned"),
        FileRecord(str(ws.root / "broken.tf"), "failed", "could not be read"),
        FileRecord(str(ws.root / "mkdocs.yaml"), "skipped", "not an infrastructure template"),
    ]
    return json.loads(render(ws.result(findings, files))), findings


def test_validates_against_the_shipped_schema(ws: Workspace, validator) -> None:
    doc, _ = _full(ws)
    errors = sorted(validator.iter_errors(doc), key=str)
    assert errors == []
    empty = json.loads(render(ws.result([], [])))
    assert list(validator.iter_errors(empty)) == []


def test_schema_rejects_a_wrong_document(ws: Workspace, validator) -> None:
    doc, _ = _full(ws)
    doc["findings"][0]["start_line"] = 0
    del doc["summary"]["files"]
    assert len(list(validator.iter_errors(doc))) == 2


def test_top_level_and_finding_fields(ws: Workspace) -> None:
    doc, findings = _full(ws)
    assert doc["schema_version"] == "1.0"
    assert doc["tool"] == {"name": "iaclint", "version": __version__}
    assert doc["root"] == ws.root.resolve().as_posix()
    # Stable order: path, line, column, rule id.
    assert [(f["path"], f["start_line"], f["rule_id"]) for f in doc["findings"]] == [
        ("broken.tf", 2, "IAC001"),
        ("main.tf", 1, "IAC201"),
        ("main.tf", 1, "IAC101"),
        ("main.tf", 3, "IAC101"),
    ]
    tls = doc["findings"][3]
    assert tls == {
        "rule_id": "IAC101",
        "rule_name": "tls-minimum-version",
        "category": "tls-version",
        "level": "error",
        "message": 'aws_api_gateway_domain_name.api accepts TLS 1.0 (security_policy is "TLS_1_0")',
        "path": "main.tf",
        "start_line": 3,
        "start_column": 21,
        "end_line": 3,
        "end_column": 31,
        "address": "aws_api_gateway_domain_name.api",
        "resource_type": "aws_api_gateway_domain_name",
        "attribute": "security_policy",
        "fingerprint": findings[0].fingerprint(),
        "unknown": False,
        "related": [
            {
                "message": "value defined here",
                "path": "variables.tf",
                "start_line": 2,
                "start_column": 13,
                "end_line": 2,
                "end_column": 22,
            }
        ],
        "fix": "Set security_policy to TLS_1_2.",
        "properties": {},
        "suppression": None,
    }
    assert doc["findings"][2]["unknown"] is True
    assert doc["findings"][2]["level"] == "note"


def test_files_rules_and_summary(ws: Workspace) -> None:
    doc, _ = _full(ws)
    assert doc["files"] == [
        {"path": "broken.tf", "status": "failed", "reason": "could not be read"},
        {"path": "main.tf", "status": "scanned", "reason": ""},
        {"path": "mkdocs.yaml", "status": "skipped", "reason": "not an infrastructure template"},
        {"path": "variables.tf", "status": "scanned", "reason": ""},
    ]
    assert doc["rules"] == [
        {
            "id": "IAC001",
            "name": "unreadable-file",
            "category": "parse",
            "severity": "error",
            "security_severity": 5.0,
            "title": "A file iaclint could not read",
        },
        {
            "id": "IAC101",
            "name": "tls-minimum-version",
            "category": "tls-version",
            "severity": "error",
            "security_severity": 7.5,
            "title": "Client-facing API endpoints accept TLS 1.2 or newer only",
        },
        {
            "id": "IAC201",
            "name": "mtls-truststore",
            "category": "mtls",
            "severity": "warning",
            "security_severity": 5.3,
            "title": "Partner APIs require client certificates",
        },
    ]
    assert doc["summary"] == {
        "findings": 4,
        "by_level": {"error": 2, "warning": 1, "note": 1},
        "by_category": {"mtls": 1, "parse": 1, "tls-version": 2},
        "by_rule": {"IAC001": 1, "IAC101": 2, "IAC201": 1},
        "suppressed": 0,
        "baseline_gone": 0,
        "files": {"scanned": 2, "skipped": 1, "failed": 1},
    }


def test_output_is_utf8_even_for_undecodable_file_names(ws: Workspace, validator) -> None:
    # os.listdir hands back bytes that are not UTF-8 as lone surrogates.
    odd = str(ws.root / "caf\udce9.tf")
    # An address keeps the path out of the fingerprint (Finding.fingerprint cannot hash surrogates).
    f = Finding(
        "IAC201", Level.WARNING, "x", Span(odd, 1, 1, 1, 2), address="a.b",
        related=(Related(Span(odd, 1, 1, 1, 2), "é"),),
    )
    text = render(ws.result([f], [FileRecord(odd, "scanned")]))
    text.encode("utf-8")  # must not raise
    doc = json.loads(text)
    assert doc["findings"][0]["path"] == "caf\ufffd.tf"
    assert doc["findings"][0]["related"][0]["message"] == "é"
    assert list(validator.iter_errors(doc)) == []


def test_suppressed_findings_are_listed_apart_and_not_counted(ws: Workspace, validator) -> None:
    inline = Suppression("inSource", "legacy clients until Q3", Span.point(ws.main, 2, 3))
    baseline = Suppression("external", "in baseline .iaclint-baseline.json")
    findings = [
        ws.tls_finding().suppressed(inline),
        ws.tls_finding(line=1).suppressed(baseline),
        Finding("IAC201", Level.WARNING, "no truststore", Span(ws.main, 1, 1, 1, 9), address="a.b"),
    ]
    doc = json.loads(render(ws.result(findings)))
    assert list(validator.iter_errors(doc)) == []
    assert [f["rule_id"] for f in doc["findings"]] == ["IAC201"]
    assert [(f["start_line"], f["suppression"]) for f in doc["suppressed"]] == [
        (1, {"kind": "external", "justification": "in baseline .iaclint-baseline.json", "location": None}),
        (
            3,
            {
                "kind": "inSource",
                "justification": "legacy clients until Q3",
                "location": {
                    "path": "main.tf", "start_line": 2, "start_column": 3, "end_line": 2, "end_column": 3,
                },
            },
        ),
    ]
    assert doc["summary"]["findings"] == 1
    assert doc["summary"]["suppressed"] == 2
    assert doc["summary"]["by_level"] == {"error": 0, "warning": 1, "note": 0}
    assert doc["summary"]["by_rule"] == {"IAC201": 1}


def test_documented_example_is_valid(validator) -> None:
    import re

    text = (SCHEMA_PATH.parent / "json-schema.md").read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)```", text, re.S)
    assert example is not None
    assert list(validator.iter_errors(json.loads(example.group(1)))) == []


def test_report_file_is_written_in_pieces_as_render_gives_it(ws: Workspace, tmp_path: Path) -> None:
    # --output writes the JSON report as it is made (report.json.write); the file holds exactly
    # what render gives, also when a lone surrogate makes the writer start again with render.
    from iaclint.cli import _write_report

    plain = ws.result([ws.tls_finding(), ws.tls_finding(line=1)])
    odd_path = str(ws.root / "caf\udce9.tf")
    odd = ws.result(
        [Finding("IAC201", Level.WARNING, "x", Span(odd_path, 1, 1, 1, 2), address="a.b")],
        [FileRecord(odd_path, "scanned")],
    )
    for result in (plain, odd):
        target = tmp_path / "r.json"
        _write_report("json", str(target), result, {})
        assert target.read_bytes() == render(result).encode("utf-8")
    with pytest.raises(UnicodeEncodeError):
        write(odd, lambda text: text.encode("utf-8"))
