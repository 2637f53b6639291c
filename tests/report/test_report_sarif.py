from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import Workspace

from iaclint import __version__
from iaclint.findings import Finding, Level, Related, Suppression
from iaclint.report.paths import repository_root
from iaclint.report.sarif import HELP_URI, render
from iaclint.result import FileRecord
from iaclint.source import Span

# The schema lives in the steering repository beside the checkout (`../shared/`), not in this one.
SARIF_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    if not SARIF_SCHEMA.is_file():
        # Visible as a skip on a clean clone; a failure under .ci/run where ../shared/schemas exists.
        reason = f"SARIF schema not found at ../shared/schemas/{SARIF_SCHEMA.name} beside the checkout"
        if os.environ.get("IACLINT_REQUIRE_SCHEMAS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    return jsonschema.Draft4Validator(schema)


def _values_of(key: str, node: Any) -> Iterator[Any]:
    """Every value stored under `key` anywhere in a JSON document."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _values_of(key, v)
    elif isinstance(node, list):
        for v in node:
            yield from _values_of(key, v)


def _scan(ws: Workspace) -> tuple[dict[str, Any], str]:
    (ws.root / "broken.tf").write_text('resource "x" "y" {\n    }}\n', encoding="utf-8")
    (ws.root / "half.yaml").write_text("Resources:\n  A: [\n", encoding="utf-8")
    findings = [
        ws.tls_finding(),
        ws.tls_finding(line=1, unknown=True),
        ws.parse_finding(str(ws.root / "broken.tf")),
        ws.parse_finding(str(ws.root / "half.yaml"), partial=True),
        Finding("IAC201", Level.WARNING, "no truststore", Span(ws.main, 1, 1, 1, 9), address="a.b"),
    ]
    files = [
        FileRecord(ws.main, "scanned"),
        FileRecord(ws.variables, "scanned"),
        FileRecord(str(ws.root / "half.yaml"), "scanned"),
        FileRecord(str(ws.root / "broken.tf"), "failed", "could not be read"),
        FileRecord(str(ws.root / "gone.tf"), "failed", "permission denied"),
        FileRecord(str(ws.root / "mkdocs.yaml"), "skipped", "not an infrastructure template"),
    ]
    text = render(ws.result(findings, files))
    return json.loads(text), text


@pytest.mark.sarif_schema
def test_validates_against_the_official_schema(ws: Workspace, validator) -> None:
    doc, _ = _scan(ws)
    assert sorted(validator.iter_errors(doc), key=str) == []
    assert list(validator.iter_errors(json.loads(render(ws.result([], []))))) == []


@pytest.mark.sarif_schema
def test_the_official_schema_catches_mistakes(ws: Workspace, validator) -> None:
    doc, _ = _scan(ws)
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    doc["runs"][0]["results"][0]["level"] = "fatal"
    assert len(list(validator.iter_errors(doc))) == 2


def test_one_run_and_driver(ws: Workspace) -> None:
    doc, _ = _scan(ws)
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "iaclint"
    assert driver["version"] == __version__
    assert driver["semanticVersion"] == __version__
    assert driver["informationUri"] == "https://github.com/iaclint/iaclint"
    assert "automationDetails" not in run
    assert run["columnKind"] == "unicodeCodePoints"


def test_rules_carry_what_github_reads(ws: Workspace) -> None:
    doc, _ = _scan(ws)
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["IAC001", "IAC101", "IAC201"]
    for rule in rules:
        props = rule["properties"]
        severity = props["security-severity"]
        assert isinstance(severity, str)
        assert 0.0 <= float(severity) <= 10.0
        assert "security" in props["tags"]
        assert props["category"] in props["tags"]
        assert props["precision"] == "high"
        assert rule["helpUri"] == HELP_URI.format(id=rule["id"])
        assert rule["help"]["text"] and rule["help"]["markdown"]
    tls = rules[1]
    assert tls["name"] == "tls-minimum-version"
    assert tls["shortDescription"] == {"text": "Client-facing API endpoints accept TLS 1.2 or newer only"}
    assert tls["fullDescription"] == {"text": "Every endpoint must refuse TLS 1.0 and 1.1."}
    assert tls["defaultConfiguration"] == {"level": "error"}
    assert tls["properties"]["security-severity"] == "7.5"
    assert tls["properties"]["tags"] == ["security", "tls-version", "standard/S1.1"]
    assert tls["helpUri"] == "https://github.com/iaclint/iaclint/blob/main/docs/rules/IAC101.md"
    assert tls["help"]["markdown"].startswith("Every endpoint must refuse TLS 1.0 and 1.1.\n\n**Terraform**")
    assert "Fix: Set security_policy to TLS_1_2." in tls["help"]["text"]
    assert rules[2]["defaultConfiguration"] == {"level": "warning"}


def test_results_reference_their_rule_by_index(ws: Workspace) -> None:
    doc, _ = _scan(ws)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == 5
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]


def test_result_shape(ws: Workspace) -> None:
    doc, _ = _scan(ws)
    run = doc["runs"][0]
    tls = next(r for r in run["results"] if r["ruleId"] == "IAC101" and r["level"] == "error")
    assert tls["message"] == {"text": ws.tls_finding().message}
    assert tls["level"] == "error"
    loc = tls["locations"][0]
    assert loc["physicalLocation"] == {
        "artifactLocation": {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 21, "endLine": 3, "endColumn": 31},
    }
    assert loc["logicalLocations"] == [
        {"fullyQualifiedName": "aws_api_gateway_domain_name.api", "kind": "resource"}
    ]
    assert tls["partialFingerprints"] == {"iaclintFindingHash/v2": ws.tls_finding().fingerprint()}
    assert tls["relatedLocations"] == [
        {
            "id": 1,
            "message": {"text": "value defined here"},
            "physicalLocation": {
                "artifactLocation": {"uri": "infra/variables.tf", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 2, "startColumn": 13, "endLine": 2, "endColumn": 22},
            },
        }
    ]
    assert "unknown" not in tls.get("properties", {})
    unknown = next(r for r in run["results"] if r["ruleId"] == "IAC101" and r["level"] == "note")
    assert unknown["properties"]["unknown"] is True


def test_uris_are_relative_to_the_git_top_level(ws: Workspace) -> None:
    doc, text = _scan(ws)
    run = doc["runs"][0]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == ws.repo.resolve().as_uri() + "/"
    uris = list(_values_of("uri", doc))
    artifact_uris = [u for u in uris if u != base]
    assert len(artifact_uris) == 10  # 5 results, 2 related locations, 3 notifications
    for uri in artifact_uris:
        assert uri.startswith("infra/"), uri
        assert "://" not in uri
    # The only absolute path in the log is the base id itself.
    assert text.count(str(ws.repo.resolve())) == 1


def test_uri_is_percent_encoded(ws: Workspace) -> None:
    spaced = ws.root / "my stack" / "main#1.tf"
    f = Finding("IAC201", Level.WARNING, "x", Span(str(spaced), 1, 1, 1, 2), address="a.b")
    doc = json.loads(render(ws.result([f])))
    art = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert art == {"uri": "infra/my%20stack/main%231.tf", "uriBaseId": "%SRCROOT%"}


def test_without_git_the_scan_root_is_the_base(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    if any((p / ".git").exists() for p in root.resolve().parents):
        pytest.skip("the temporary directory lies inside a git checkout")
    assert repository_root(root) == root.resolve()


@pytest.mark.sarif_schema
def test_regions_are_never_below_one(ws: Workspace, validator) -> None:
    bad = Finding("IAC201", Level.WARNING, "x", Span(ws.main, 0, 0, 0, 0), address="a.b")
    backwards = Finding("IAC201", Level.WARNING, "y", Span(ws.main, 3, 9, 3, 2), address="c.d")
    doc = json.loads(render(ws.result([bad, backwards])))
    assert list(validator.iter_errors(doc)) == []
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in doc["runs"][0]["results"]]
    assert regions == [
        {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1},
        {"startLine": 3, "startColumn": 9, "endLine": 3, "endColumn": 9},
    ]


def test_fingerprint_does_not_move_with_the_line(ws: Workspace) -> None:
    def fp(finding: Finding) -> str:
        doc = json.loads(render(ws.result([finding])))
        return doc["runs"][0]["results"][0]["partialFingerprints"]["iaclintFindingHash/v2"]

    assert fp(ws.tls_finding(line=3)) == fp(ws.tls_finding(line=40))
    other = Finding("IAC101", Level.ERROR, "m", Span(ws.main, 3, 21, 3, 31), address="aws_x.other")
    assert fp(other) != fp(ws.tls_finding())


def test_unreadable_files_are_notifications_too(ws: Workspace) -> None:
    doc, _ = _scan(ws)
    run = doc["runs"][0]
    inv = run["invocations"]
    assert len(inv) == 1
    assert inv[0]["executionSuccessful"] is True
    assert inv[0]["properties"] == {"filesScanned": 3, "filesSkipped": 1, "filesFailed": 2}
    notes = inv[0]["toolExecutionNotifications"]
    rules = run["tool"]["driver"]["rules"]
    simplified = [
        (n["level"], n["message"]["text"], n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for n in notes
    ]
    assert simplified == [
        ("error", "unexpected '}' (file could not be read)", "infra/broken.tf"),
        ("warning", "unexpected '}' (file partly read)", "infra/half.yaml"),
        ("error", "permission denied", "infra/gone.tf"),
    ]
    for n in notes[:2]:
        assert n["associatedRule"]["id"] == "IAC001"
        assert rules[n["associatedRule"]["index"]]["id"] == "IAC001"
        assert n["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    # ...and results as well.
    assert sum(1 for r in run["results"] if r["ruleId"] == "IAC001") == 2
    parse = next(r for r in run["results"] if r["ruleId"] == "IAC001")
    assert "logicalLocations" not in parse["locations"][0]


@pytest.mark.sarif_schema
def test_suppressed_findings_stay_with_their_suppression(ws: Workspace, validator) -> None:
    inline = Suppression("inSource", "legacy clients until Q3", Span.point(ws.main, 2, 3))
    findings = [
        ws.tls_finding().suppressed(inline),
        ws.tls_finding(line=1).suppressed(Suppression("external", "in baseline b.json")),
    ]
    doc = json.loads(render(ws.result(findings)))
    assert list(validator.iter_errors(doc)) == []
    results = doc["runs"][0]["results"]
    assert [r["suppressions"] for r in results] == [
        [{"kind": "external", "status": "accepted", "justification": "in baseline b.json"}],
        [
            {
                "kind": "inSource",
                "status": "accepted",
                "justification": "legacy clients until Q3",
                "location": {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 2, "startColumn": 3, "endLine": 2, "endColumn": 3},
                    }
                },
            }
        ],
    ]


@pytest.mark.sarif_schema
def test_unknown_rule_gets_a_descriptor(ws: Workspace, validator) -> None:
    f = Finding("XYZ900", Level.NOTE, "from a plugin", Span(ws.main, 1, 1, 1, 2), address="a.b")
    doc = json.loads(render(ws.result([f])))
    assert list(validator.iter_errors(doc)) == []
    run = doc["runs"][0]
    res = run["results"][0]
    assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == "XYZ900"


@pytest.mark.sarif_schema
def test_related_location_outside_the_repository(ws: Workspace, tmp_path: Path, validator) -> None:
    cache = tmp_path / "cache" / "mod.tf"
    f = Finding(
        "IAC201", Level.WARNING, "x", Span(ws.main, 1, 1, 1, 2), address="a.b",
        related=(Related(Span(str(cache), 4, 5, 4, 9), "module argument"),),
    )
    doc = json.loads(render(ws.result([f])))
    assert list(validator.iter_errors(doc)) == []
    art = doc["runs"][0]["results"][0]["relatedLocations"][0]["physicalLocation"]["artifactLocation"]
    assert art == {"uri": cache.resolve().as_uri()}


def test_report_file_is_written_in_pieces_as_render_gives_it(ws: Workspace, tmp_path: Path) -> None:
    # --output writes SARIF through report.sarif.write (the encoder's pieces, each encoded once):
    # the file holds exactly what render gives, with the category and levels the CLI passes, also
    # when a lone surrogate makes the writer start again with render.
    from iaclint.cli import _write_report
    from iaclint.report.sarif import write

    plain = ws.result([ws.tls_finding(), ws.tls_finding(line=1)])
    odd_path = str(ws.root / "caf\udce9.tf")
    odd = ws.result(
        # The path is percent-encoded in URIs; a message quoting it keeps the lone surrogate.
        [Finding("IAC201", Level.WARNING, f"x {odd_path}", Span(odd_path, 1, 1, 1, 2), address="a.b")],
        [FileRecord(odd_path, "scanned")],
    )
    extras = {"category": "infra", "levels": {"IAC101": Level.NOTE}}
    for result in (plain, odd):
        target = tmp_path / "r.sarif"
        _write_report("sarif", str(target), result, extras)
        assert target.read_bytes() == render(result, category="infra", levels={"IAC101": Level.NOTE}).encode()
    pieces: list[str] = []
    write(plain, pieces.append)
    assert "".join(pieces) == render(plain)
    with pytest.raises(UnicodeEncodeError):
        write(odd, lambda text: text.encode("utf-8"))


def test_one_artifact_location_per_file(ws: Workspace) -> None:
    # Results in the same file share one artifact location, made once.
    from iaclint.report.sarif import document

    doc = document(ws.result([ws.tls_finding(), ws.tls_finding(line=1)]))
    results = doc["runs"][0]["results"]
    first, second = (r["locations"][0]["physicalLocation"]["artifactLocation"] for r in results)
    assert first is second
    assert first == {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"}
