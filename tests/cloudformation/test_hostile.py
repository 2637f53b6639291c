"""Hostile and random input: a Diagnostic (or a skip), never an exception out of load()."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaclint.budget import LIMITS
from iaclint.discover import Unit
from iaclint.lang.cloudformation import load
from iaclint.resources import LoadResult

HEADER = "AWSTemplateFormatVersion: '2010-09-09'\n"
GOOD = "Resources:\n  Ok:\n    Type: AWS::SNS::Topic\n"


def load_two(tmp_path: Path, hostile: str | bytes, name: str = "hostile.yaml") -> tuple[LoadResult, Path]:
    bad = tmp_path / name
    bad.write_bytes(hostile.encode() if isinstance(hostile, str) else hostile)
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    result = load([Unit("cloudformation", bad, (bad,)), Unit("cloudformation", good, (good,))], None)
    # The other file is never affected.
    assert [r.address.rsplit("#", 1)[1] for r in result.resources if r.span.path == str(good)] == ["Ok"]
    return result, bad


def test_alias_bomb(tmp_path: Path) -> None:
    lines = [HEADER, "Mappings:\n", "  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"]
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"  a{i}: &a{i} [{refs}]\n")
    lines.append("Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties: {X: *a9}\n")
    result, bad = load_two(tmp_path, "".join(lines))
    [d] = [d for d in result.diagnostics if d.path == str(bad)]
    assert (
        d.message
        == f"YAML aliases expand to more than {LIMITS.document_nodes:,} values (refused as an alias bomb)"
    )
    assert not d.partial


def test_recursive_alias(tmp_path: Path) -> None:
    result, bad = load_two(
        tmp_path, HEADER + "Resources: &r\n  R:\n    Type: AWS::S3::Bucket\n    Properties: *r\n"
    )
    [d] = [d for d in result.diagnostics if d.path == str(bad)]
    assert d.message == "recursive YAML alias (a node that contains itself)"


def test_deep_nesting_yaml_and_json(tmp_path: Path) -> None:
    deep = (
        HEADER
        + "Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties: "
        + "[" * 300
        + "]" * 300
        + "\n"
    )
    result, bad = load_two(tmp_path, deep)
    [d] = [d for d in result.diagnostics if d.path == str(bad)]
    assert d.message == f"nesting deeper than {LIMITS.depth} levels"
    # Beyond libyaml's own limit: its error is reported the same way.
    result, bad = load_two(tmp_path, HEADER + "x: " + "[" * 5000)
    [d] = [d for d in result.diagnostics if d.path == str(bad)]
    assert d.message.startswith("invalid YAML")
    result, bad = load_two(tmp_path, '{"Resources": ' + "[" * 100_000, name="deep.json")
    [d] = [d for d in result.diagnostics if d.path == str(bad)]
    assert d.message == f"JSON nesting deeper than {LIMITS.depth} levels"
    assert (d.line, d.column) == (1, 14 + LIMITS.depth)


def test_huge_scalar(tmp_path: Path) -> None:
    big = "x" * (10 * 1024 * 1024)
    result, bad = load_two(
        tmp_path, HEADER + f"Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n      Big: {big}\n"
    )
    [r] = [r for r in result.resources if r.span.path == str(bad)]
    assert len(r.body.get("Big").data) == len(big)
    assert not [d for d in result.diagnostics if d.path == str(bad)]


def test_binary_file(tmp_path: Path) -> None:
    result, bad = load_two(tmp_path, bytes(range(256)) * 4, name="blob.template")
    [d] = [d for d in result.diagnostics if d.path == str(bad)]
    assert d.message == "not valid UTF-8 text"
    assert (d.line, d.column) == (2, 118)  # byte 128, after the newline at byte 10


def test_control_characters(tmp_path: Path) -> None:
    result, bad = load_two(tmp_path, HEADER + "Resources:\n  R: \x00\x01\n", name="ctl.template")
    [d] = [d for d in result.diagnostics if d.path == str(bad)]
    assert d.message == "invalid YAML: control characters are not allowed (#x0000)"
    assert (d.line, d.column) == (3, 6)


def test_python_tags_are_not_constructed(tmp_path: Path) -> None:
    text = (
        HEADER
        + "Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        + "      X: !!python/object/apply:os.system [echo]\n"
    )
    result, bad = load_two(tmp_path, text)
    [r] = [r for r in result.resources if r.span.path == str(bad)]
    assert r.body.get("X").is_unknown
    assert r.body.get("X").reason == "unsupported YAML tag tag:yaml.org,2002:python/object/apply:os.system"


yamlish = st.text(
    alphabet=st.sampled_from(list("ab:-[]{},'\"!&*|>#\n  \tRef GetAtt Resources Type AWS:: \x00é")),
    max_size=120,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=yamlish, suffix=st.sampled_from([".yaml", ".json", ".template"]))
def test_random_text_never_raises(tmp_path: Path, text: str, suffix: str) -> None:
    p = tmp_path / f"random{suffix}"
    p.write_text(text, encoding="utf-8")
    load([Unit("cloudformation", p, (p,))], None)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    props=st.recursive(
        st.sampled_from(["x", "AWS::Region", "AWS::NoValue", "R", "C", "1", "P", "${P}-${R.Arn}", ""])
        | st.integers(-3, 3),
        lambda kids: (
            st.lists(kids, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "Ref",
                        "Fn::Sub",
                        "Fn::If",
                        "Fn::Join",
                        "Fn::Select",
                        "Fn::FindInMap",
                        "Fn::GetAtt",
                        "Fn::Split",
                        "Fn::Equals",
                        "Fn::Base64",
                        "Condition",
                        "K",
                    ]
                ),
                kids,
                max_size=2,
            )
        ),
        max_leaves=12,
    )
)
def test_random_intrinsics_never_raise(tmp_path: Path, props: object) -> None:
    import json

    doc = {
        "Parameters": {"P": {"Type": "String", "Default": "v"}},
        "Mappings": {"M": {"a": {"b": "c"}}},
        "Conditions": {"C": {"Fn::Equals": [{"Ref": "P"}, "v"]}, "D": {"Condition": "D"}},
        "Resources": {"R": {"Type": "AWS::S3::Bucket", "Condition": "D", "Properties": {"X": props}}},
    }
    p = tmp_path / "r.json"
    p.write_text(json.dumps(doc))
    result = load([Unit("cloudformation", p, (p,))], None)
    assert len(result.resources) == 1
