"""The SARIF of a real scan of every fixture (bad input included) validates against the official
schema and meets what GitHub code scanning reads (shared/REFERENCE.md, GitHub section)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from _schemas import sarif_schema
from iaclint.engine import ScanOptions, scan
from iaclint.report import sarif

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def document() -> dict:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = scan(ScanOptions(paths=["fixtures"]))
    finally:
        os.chdir(cwd)
    return json.loads(sarif.render(result))


@pytest.mark.sarif_schema
def test_fixture_scan_validates_against_the_schema(document: dict) -> None:
    jsonschema.Draft7Validator(sarif_schema()).validate(document)


def test_github_points(document: dict) -> None:
    assert len(document["runs"]) == 1
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)), "rule ids are unique"
    for rule in rules:
        props = rule["properties"]
        assert isinstance(props["security-severity"], str)
        assert 0.0 <= float(props["security-severity"]) <= 10.0
        assert "security" in props["tags"] and props["category"] in props["tags"]
    results = run["results"]
    assert len(results) > 50
    for res in results:
        assert ids[res["ruleIndex"]] == res["ruleId"]
        loc = res["locations"][0]["physicalLocation"]
        uri = loc["artifactLocation"]["uri"]
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not uri.startswith("/") and ".." not in uri.split("/") and uri.startswith("fixtures/")
        region = loc["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert res["partialFingerprints"]
        if res["ruleId"] != "IAC001":
            assert res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
    # Left out unless a category is asked for: the upload action's `category` input decides.
    assert "automationDetails" not in run
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    noted = {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
             for n in invocation["toolExecutionNotifications"]}
    assert "fixtures/bad-input/invalid-utf8/main.tf" in noted
    suppressed = [r for r in results if r.get("suppressions")]
    assert suppressed and all(r["suppressions"][0]["kind"] == "inSource" for r in suppressed)
