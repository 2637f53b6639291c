"""`iaclint:ignore` in templates: YAML comments (found in the token stream) and resource Metadata."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from iaclint.discover import Unit
from iaclint.findings import Finding, Level
from iaclint.lang.cloudformation import AddressBases, load
from iaclint.resources import Directive, LoadResult
from iaclint.source import Span, display_path
from iaclint.suppress import apply_directives


def load_text(tmp_path: Path, name: str, text: str) -> tuple[LoadResult, str]:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return load([Unit("cloudformation", p, (p,))], None), str(p)


def comments(result: LoadResult) -> list[tuple[int, tuple[str, ...], str]]:
    return [(d.line, d.rules, d.reason) for d in result.directives if not d.address]


YAML_COMMENTS = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  # iaclint:ignore IAC101 -- internal API behind the VPN
  Domain:
    Type: AWS::ApiGateway::DomainName
    Properties:
      DomainName: api.example.com
      SecurityPolicy: TLS_1_0  # iaclint:ignore iac101, IAC102 -- legacy clients until June
      Quoted: "# iaclint:ignore IAC103 -- inside a string"
      Single: '# iaclint:ignore IAC104'
      Block: |
        # iaclint:ignore IAC105 -- inside a block scalar
      Plain: a#iaclint:ignore IAC106
#iaclint:ignore
  Other:   # iaclint:ignoreX is not a directive; nor is a note about iaclint:ignore IAC107
    Type: AWS::SNS::Topic
"""


def test_yaml_comment_directives_have_exact_lines(tmp_path: Path) -> None:
    result, _ = load_text(tmp_path, "t.yaml", YAML_COMMENTS)
    assert comments(result) == [
        (3, ("IAC101",), "internal API behind the VPN"),
        (8, ("IAC101", "IAC102"), "legacy clients until June"),
        (14, (), ""),
    ]
    # Nothing inside a scalar counts, and the template itself loaded as before.
    [domain] = [r for r in result.resources if r.name == "Domain"]
    assert domain.body.get("Quoted").data == "# iaclint:ignore IAC103 -- inside a string"
    assert domain.body.get("Block").data == "# iaclint:ignore IAC105 -- inside a block scalar\n"
    assert domain.body.get("Plain").data == "a#iaclint:ignore IAC106"
    assert not result.diagnostics


def test_comment_in_a_flow_collection_and_after_a_document_marker(tmp_path: Path) -> None:
    text = (
        "---\n"
        "# iaclint:ignore IAC301 -- top\n"
        "Resources:\n"
        "  R:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Properties:\n"
        "      Tags: [a,   # iaclint:ignore IAC302 -- in a flow sequence\n"
        "             b]\n"
    )
    result, _ = load_text(tmp_path, "t.yaml", text)
    assert comments(result) == [(2, ("IAC301",), "top"), (7, ("IAC302",), "in a flow sequence")]


def test_crlf_and_non_ascii_lines(tmp_path: Path) -> None:
    text = (
        "Description: 'naïve \u2013 ünïcode'\r\n"
        "Resources:\r\n"
        "  R:  # iaclint:ignore IAC201 -- café\r\n"
        "    Type: AWS::S3::Bucket\r\n"
    )
    result, _ = load_text(tmp_path, "t.yaml", text)
    assert comments(result) == [(3, ("IAC201",), "café")]


def test_no_marker_no_directives(tmp_path: Path) -> None:
    result, _ = load_text(tmp_path, "t.yaml", "Resources:\n  R:  # a comment\n    Type: AWS::S3::Bucket\n")
    assert result.directives == []


def test_broken_yaml_keeps_other_files_and_raises_nothing(tmp_path: Path) -> None:
    result, path = load_text(
        tmp_path, "t.yaml", "Resources:\n  # iaclint:ignore IAC101 -- x\n  R: [\n    Type: AWS::S3::Bucket\n"
    )
    assert [d.path for d in result.diagnostics] == [path]
    assert result.directives == []


YAML_METADATA = """\
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Metadata:
      iaclint:
        ignore:
          - id: IAC101
            reason: internal only
          - IAC102
          - id: iac103
          - reason: no id here
      Other: kept
    Properties:
      Name: x
  Plain:
    Type: AWS::SNS::Topic
    Metadata: {iaclint: {ignore: [{id: IAC104, reason: flow style}]}}
  Single:
    Type: AWS::SNS::Topic
    Metadata:
      iaclint:
        ignore: IAC105
  Off:
    Type: AWS::SNS::Topic
    Condition: Never
    Metadata: {iaclint: {ignore: [IAC106]}}
Conditions:
  Never: !Equals [a, b]
"""


def test_metadata_directives(tmp_path: Path) -> None:
    result, path = load_text(tmp_path, "t.yaml", YAML_METADATA)
    got = [(d.address.rsplit("#", 1)[1], d.line, d.rules, d.reason) for d in result.directives]
    assert got == [
        ("Api", 7, ("IAC101",), "internal only"),
        ("Api", 9, ("IAC102",), ""),
        ("Api", 10, ("IAC103",), ""),
        ("Plain", 17, ("IAC104",), "flow style"),
        ("Single", 22, ("IAC105",), ""),
    ]
    assert {d.path for d in result.directives} == {path}
    # The resource's own address, exactly as its findings carry it.
    addresses = {r.name: r.address for r in result.resources}
    assert result.directives[0].address == addresses["Api"]
    assert [(d.line, d.column, d.message, d.partial) for d in result.diagnostics] == [
        (11, 13, "Metadata iaclint ignore entry needs a rule id (`- id: IAC101` and a `reason`): ignored",
         True)
    ]
    # A resource that is not deployed (condition false) has no directives to report as unused.
    assert "Off" not in addresses


def test_json_metadata_directives(tmp_path: Path) -> None:
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Api": {
                "Type": "AWS::ApiGateway::RestApi",
                "Metadata": {"iaclint": {"ignore": [{"id": "IAC101", "reason": "internal"}, "IAC102"]}},
            }
        },
    }
    result, path = load_text(tmp_path, "t.json", json.dumps(doc, indent=2) + "\n")
    assert [(d.line, d.rules, d.reason, d.address) for d in result.directives] == [
        (9, ("IAC101",), "internal", f"{result.resources[0].address}"),
        (13, ("IAC102",), "", f"{result.resources[0].address}"),
    ]
    assert result.resources[0].address.endswith("t.json#Api")
    assert path.endswith("t.json")


def test_json_text_has_no_comment_directives(tmp_path: Path) -> None:
    doc = {"Resources": {"R": {"Type": "AWS::SNS::Topic", "Properties": {"X": "# iaclint:ignore IAC101"}}}}
    result, _ = load_text(tmp_path, "t.json", json.dumps(doc))
    assert result.directives == []


def test_directives_suppress_findings(tmp_path: Path) -> None:
    text = (
        "Resources:\n"
        "  # iaclint:ignore IAC101 -- behind the VPN\n"
        "  Domain:\n"
        "    Type: AWS::ApiGateway::DomainName\n"
        "    Properties:\n"
        "      SecurityPolicy: TLS_1_0\n"
        "  Api:\n"
        "    Type: AWS::ApiGateway::RestApi\n"
        "    Metadata: {iaclint: {ignore: [{id: IAC601, reason: public by design}]}}\n"
    )
    result, path = load_text(tmp_path, "t.yaml", text)
    res = {r.name: r for r in result.resources}

    def finding(rule: str, name: str, line: int) -> Finding:
        return Finding(rule, Level.ERROR, "x", Span(path, line, 7, line, 20), address=res[name].address)

    out = apply_directives(
        [finding("IAC101", "Domain", 6), finding("IAC601", "Api", 8), finding("IAC102", "Domain", 6)],
        result.directives,
        result.resources,
        {"IAC101", "IAC102", "IAC601"},
    )
    assert [(f.rule_id, f.suppression.justification if f.suppression else None) for f in out] == [
        ("IAC101", "behind the VPN"),
        ("IAC601", "public by design"),
        ("IAC102", None),
    ]
    assert result.directives[0] == Directive(path, 2, ("IAC101",), "behind the VPN")



def test_address_bases_match_display_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "repo" / "cfn").mkdir(parents=True)
    (tmp_path / "repo" / "cfn" / "t.yaml").write_text("x: 1\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "o.yaml").write_text("x: 1\n")
    os.symlink(tmp_path / "repo" / "cfn", tmp_path / "repo" / "linkdir")
    os.symlink(tmp_path / "elsewhere" / "o.yaml", tmp_path / "repo" / "linkfile.yaml")
    monkeypatch.chdir(tmp_path / "repo")
    paths = [
        "cfn/t.yaml",
        "./cfn/t.yaml",
        "linkdir/t.yaml",
        "linkfile.yaml",
        str(tmp_path / "repo" / "cfn" / "t.yaml"),
        str(tmp_path / "elsewhere" / "o.yaml"),
        "cfn/../cfn/t.yaml",
        "missing/x.yaml",
    ]
    bases = AddressBases()
    assert [bases(p) for p in paths] == [display_path(p) for p in paths]
    assert bases("linkdir/t.yaml") == "cfn/t.yaml"
