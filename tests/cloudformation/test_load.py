"""The CloudFormation/SAM loader: intrinsic evaluation, provenance, conditions, SAM Globals, skips."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaclint.discover import Unit
from iaclint.lang.cloudformation import load
from iaclint.lang.options import CloudFormationOptions
from iaclint.resources import LoadResult, Resource
from iaclint.values import UNKNOWN, Value

ROOT = Path(__file__).resolve().parents[2]
LOADER = ROOT / "fixtures" / "cloudformation" / "loader"
SAM = ROOT / "fixtures" / "sam" / "loader"


def load_file(path: Path, options: object = None) -> LoadResult:
    return load([Unit("cloudformation", path, (path,))], options)


def resources(path: Path, options: object = None) -> dict[str, Resource]:
    result = load_file(path, options)
    return {r.name: r for r in result.resources}


def pos(v: Value) -> tuple[int, int, int, int]:
    assert v.span is not None
    return (v.span.line, v.span.column, v.span.end_line, v.span.end_column)


def lines(v: Value) -> list[tuple[int, int]]:
    return [(s.line, s.column) for s in v.via]


@pytest.fixture(scope="module")
def bucket() -> Value:
    return resources(LOADER / "intrinsics.yaml")["Bucket"].body


def test_resource_identity_and_span() -> None:
    res = resources(LOADER / "intrinsics.yaml")
    b = res["Bucket"]
    assert b.type == "AWS::S3::Bucket"
    assert b.language == "cloudformation"
    assert b.address.endswith("fixtures/cloudformation/loader/intrinsics.yaml#Bucket")
    assert (b.span.line, b.span.column, b.span.end_line, b.span.end_column) == (28, 3, 28, 9)
    assert b.condition is None
    # Absent Properties give an empty known body.
    assert res["Queue"].body.py() == {}
    assert res["Queue"].body.is_known


def test_sub_string_form(bucket: Value) -> None:
    name = bucket.get("BucketName")
    assert name.is_unknown
    assert name.reason == "Fn::Sub uses AWS::AccountId is known only at deploy time"
    assert pos(name) == (31, 7, 31, 57)
    plain = bucket.get("Plain")
    assert plain.py() == "logs-prod-${Literal}"
    assert lines(plain) == [(6, 5)]  # the Stage default


def test_sub_list_form(bucket: Value) -> None:
    listed = bucket.get("Listed")
    assert listed.py() == "prod.example.com"
    assert pos(listed) == (33, 7, 36, 30)


def test_getatt_and_ref_to_resources(bucket: Value) -> None:
    queue = "fixtures/cloudformation/loader/intrinsics.yaml#Queue"
    for key, reason in [
        ("Arn", "attribute Arn of resource Queue is known only after deployment"),
        ("ArnList", "attribute QueueName of resource Queue is known only after deployment"),
        ("Ref", "Ref to resource Queue"),
    ]:
        v = bucket.get(key)
        assert v.is_unknown
        assert v.reason == reason
        assert len(v.refs) == 1 and v.refs[0].endswith(queue)
    assert pos(bucket.get("Arn")) == (37, 7, 37, 29)


def test_join_select_split(bucket: Value) -> None:
    joined = bucket.get("Joined")
    assert joined.py() == "a-prod-b"
    # Stage default (line 6) and the Zones default (line 9) both feed the result.
    assert lines(joined) == [(6, 5), (9, 5)]
    assert bucket.get("Split").py() == ["x", "y"]


def test_find_in_map(bucket: Value) -> None:
    # The region is unknown, but every region maps to the same policy.
    region = bucket.get("Region")
    assert region.py() == "TLS_1_2"
    assert pos(region) == (42, 7, 42, 63)
    assert lines(region) == [(15, 7)]
    count = bucket.get("Count")
    assert count.py() == 3
    assert lines(count) == [(20, 7)]
    missing = bucket.get("Missing")
    assert missing.py() == 1
    assert lines(missing) == [(44, 48)]


def test_if_and_no_value(bucket: Value) -> None:
    chosen = bucket.get("Chosen")
    assert chosen.py() == "big"
    assert pos(chosen) == (45, 7, 45, 39)
    assert lines(chosen) == [(45, 28)]
    assert "Dropped" not in bucket.data
    assert bucket.get("Dropped").is_absent
    undecided = bucket.get("Undecided")
    assert undecided.is_unknown
    assert undecided.reason == "depends on condition InUs, which is not known"
    assert bucket.get("Items").py() == [1, 2]


def test_other_functions(bucket: Value) -> None:
    assert bucket.get("Encoded").py() == "aGVsbG8="
    for key in ("Zones", "Imported", "Cidrs"):
        assert bucket.get(key).is_unknown, key
    assert bucket.get("Imported").reason == "Fn::ImportValue is evaluated only at deploy time"
    unset = bucket.get("Unset")
    assert unset.is_unknown
    assert unset.reason == "parameter NoDefault has no default and no value was given"


def test_conditions_decide_resources() -> None:
    res = resources(LOADER / "intrinsics.yaml")
    assert "DevOnly" not in res  # IsDev is known false
    assert res["Always"].condition is None  # IsProd or anything: true
    cond = res["UsOnly"].condition
    assert cond is not None and cond.is_unknown
    assert cond.reason == "condition ProdAndUs is not known before deployment"
    assert pos(cond) == (61, 5, 61, 25)


def test_json_and_yaml_give_equal_bodies() -> None:
    y = resources(LOADER / "intrinsics.yaml")
    j = resources(LOADER / "intrinsics.json")
    assert sorted(y) == sorted(j)
    for name in y:
        assert y[name].body.py() == j[name].body.py(), name
        assert y[name].type == j[name].type
    # Spans point into the JSON file, at the key with its quotes.
    b = j["Bucket"]
    assert (b.span.line, b.span.column, b.span.end_column) == (78, 5, 13)


def test_parameter_overrides_and_files() -> None:
    opts = CloudFormationOptions(parameter_files=(str(LOADER / "intrinsics.params.json"),))
    res = resources(LOADER / "intrinsics.yaml", opts)
    body = res["Bucket"].body
    assert body.get("Plain").py() == "logs-dev-${Literal}"
    # The value's provenance is the parameter file line.
    assert [(s.path.endswith("intrinsics.params.json"), s.line, s.column) for s in body.get("Plain").via] == [
        (True, 2, 29)
    ]
    assert body.get("Unset").py() == "given"
    assert "DevOnly" in res  # IsDev is true now
    assert "Chosen" in body.data and body.get("Chosen").py() == "small"
    params_file = str(LOADER / "intrinsics.params.json")
    opts = CloudFormationOptions(parameters={"Stage": "qa"}, parameter_files=(params_file,))
    body = resources(LOADER / "intrinsics.yaml", opts)["Bucket"].body
    assert body.get("Plain").py() == "logs-qa-${Literal}"  # command line wins over the file


def test_sam_globals_merge() -> None:
    res = resources(SAM / "globals.yaml")
    api = res["PaymentsApi"]
    assert api.type == "AWS::Serverless::Api"
    assert api.body.py() == {
        "EndpointConfiguration": "REGIONAL",
        "BinaryMediaTypes": ["image~1png", "application~1pdf"],
        "Tags": {"team": "payments", "tier": "platinum"},
        "StageName": "v1",
    }
    # Merged-in global values keep their place in Globals.
    assert pos(api.body.get("EndpointConfiguration")) == (10, 5, 10, 36)
    assert res["Handler"].body.py() == {"Runtime": "python3.12", "Timeout": 30, "Handler": "app.handler"}
    assert res["Bare"].body.py() == {"Runtime": "python3.12", "Timeout": 10}
    assert res["Table"].body.py() == {"BillingMode": "PAY_PER_REQUEST"}


def test_non_templates_are_skipped() -> None:
    result = load_file(LOADER / "workflow.yaml")
    assert result.resources == [] and result.diagnostics == []
    assert result.skipped == {str(LOADER / "workflow.yaml"): "YAML that is not a CloudFormation template"}


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return p


def test_short_and_long_forms_are_equal(tmp_path: Path) -> None:
    short = write(
        tmp_path,
        "short.yaml",
        "Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      A: !Sub 'x-${AWS::Region}'\n      B: !GetAtt Other.Arn\n      C: !Ref Other\n"
        "      D: !Join ['', [a, b]]\n      E: !If [Never, x, y]\n"
        "  Other:\n    Type: AWS::SQS::Queue\nConditions:\n  Never: !Equals [a, b]\n",
    )
    long = write(
        tmp_path,
        "long.yaml",
        "Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      A: {'Fn::Sub': 'x-${AWS::Region}'}\n      B: {'Fn::GetAtt': [Other, Arn]}\n"
        "      C: {Ref: Other}\n      D: {'Fn::Join': ['', [a, b]]}\n      E: {'Fn::If': [Never, x, y]}\n"
        "  Other:\n    Type: AWS::SQS::Queue\nConditions:\n  Never: {'Fn::Equals': [a, b]}\n",
    )
    s, lg = resources(short)["R"].body, resources(long)["R"].body
    assert s.py() == lg.py() == {"A": UNKNOWN, "B": UNKNOWN, "C": UNKNOWN, "D": "ab", "E": "y"}
    assert s.get("B").refs[0].endswith("short.yaml#Other")
    assert pos(s.get("A")) == (5, 7, 5, 33)


def test_duplicate_keys_and_unknown_tags_are_partial_diagnostics(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "t.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\n    Type: AWS::S3::Bucket\n"
        "    Properties:\n      A: 1\n      A: 2\n      B: !Magic x\n",
    )
    result = load_file(p)
    assert [(d.line, d.column, d.message, d.partial) for d in result.diagnostics] == [
        (7, 7, "duplicate key 'A': the last one is used", True),
        (8, 10, "unsupported YAML tag !Magic: the value is treated as unknown", True),
    ]
    body = result.resources[0].body
    assert body.get("A").py() == 2
    assert body.get("B").is_unknown and body.get("B").reason == "unsupported YAML tag !Magic"


def test_broken_template_is_a_diagnostic_and_others_still_load(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R: [unclosed\n")
    good = write(tmp_path, "good.yaml", "Resources:\n  R:\n    Type: AWS::SNS::Topic\n")
    result = load([Unit("cloudformation", bad, (bad,)), Unit("cloudformation", good, (good,))], None)
    assert [r.name for r in result.resources] == ["R"]
    assert len(result.diagnostics) == 1
    d = result.diagnostics[0]
    assert (d.path, d.line, d.partial) == (str(bad), 3, False)  # the unclosed `[` opens on line 3
    assert d.message.startswith("invalid YAML:")


def test_invalid_utf8_is_a_diagnostic(tmp_path: Path) -> None:
    p = write(tmp_path, "t.template", b"Resources:\n  R:\n    Type: AWS::S3::Bucket \xff\n")
    result = load_file(p)
    assert [(d.line, d.column, d.message) for d in result.diagnostics] == [(3, 27, "not valid UTF-8 text")]


def test_multi_document_reads_the_first(tmp_path: Path) -> None:
    p = write(tmp_path, "t.yaml", "Resources:\n  R:\n    Type: AWS::S3::Bucket\n---\nResources: {}\n")
    result = load_file(p)
    assert [r.name for r in result.resources] == ["R"]
    assert [(d.message, d.partial) for d in result.diagnostics] == [
        ("more than one YAML document: only the first is read", True)
    ]


def test_yaml_anchors_and_merge_keys(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "t.yaml",
        "Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      A: &tags {x: 1, y: 2}\n      B: *tags\n      C:\n        <<: *tags\n        y: 3\n",
    )
    body = resources(p)["R"].body
    assert body.py() == {"A": {"x": 1, "y": 2}, "B": {"x": 1, "y": 2}, "C": {"x": 1, "y": 3}}
    assert pos(body.get("B")) == (6, 7, 6, 8)


def test_no_value_dropped_anywhere_in_a_block_and_untouched_blocks_kept(tmp_path: Path) -> None:
    # The evaluator copies a block only from its first changed member: members before it, after it,
    # and blocks without any intrinsic must all come out as they went in.
    p = tmp_path / "t.yaml"
    p.write_text(
        "Resources:\n"
        "  B:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Properties:\n"
        "      A: 1\n"
        "      Tags: [{Key: k, Value: v}]\n"
        "      Gone: !Ref AWS::NoValue\n"
        "      List: [a, !Ref AWS::NoValue, {Ref: AWS::NoValue}, b, !Ref B]\n"
        "      Z: {Inner: !Ref AWS::NoValue, Kept: z}\n",
        encoding="utf-8",
    )
    result = load_file(p)
    [body] = [r.body for r in result.resources]
    assert body.py() == {
        "A": 1, "Tags": [{"Key": "k", "Value": "v"}], "List": ["a", "b", UNKNOWN], "Z": {"Kept": "z"},
    }
    assert list(body.data) == ["A", "Tags", "List", "Z"]
    assert pos(body.get("A")) == (5, 7, 5, 11)
    assert pos(body.get("Tags").get(0).get("Value")) == (6, 23, 6, 31)
    assert [pos(v) for v in body.get("List").elements()] == [(8, 14, 8, 15), (8, 57, 8, 58), (8, 60, 8, 66)]
    assert body.get("List").get(2).refs == (f"{p.as_posix()}#B",)
    assert pos(body.get("Z")) == (9, 7, 9, 45)
