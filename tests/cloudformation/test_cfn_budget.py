"""The evaluation budget of a CloudFormation/SAM template (issue 12).

Each template is evaluated under a `Budget` of its own. What a function would build is charged
before it is built; a resource property, a parameter or a condition the budget cannot afford is
unknown with the note, and the rest of the template (and the scan) goes on. Each case runs in YAML
and JSON, at sizes that exceed the limits clearly but that the unbounded evaluator also got
through quickly (a few MB), so a regression fails here rather than hanging: the issue's examples at
full size run in `test_worst_cases_stay_within_time_and_memory`, in a child process with limits.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from iaclint import engine
from iaclint.budget import LIMITS, Limits
from iaclint.lang.cloudformation import load_template
from iaclint.resources import LoadResult, Resource
from iaclint.values import Value

VERSION = {"AWSTemplateFormatVersion": "2010-09-09"}
FORMATS = ["yaml", "json"]
MB4 = "(limit 4 MB)"


def write(tmp_path: Path, doc: dict[str, Any], fmt: str) -> Path:
    """The template in block YAML (long-form functions) or JSON."""
    path = tmp_path / f"template.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps(doc))
    else:
        path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1 << 30))
    return path


def load(path: Path, limits: Limits = LIMITS) -> LoadResult:
    result = LoadResult()
    load_template(path, result, limits=limits)
    assert not result.diagnostics, result.diagnostics
    [budget] = result.budgets
    assert budget.unit == str(path)
    return result


def resource_named(result: LoadResult, name: str) -> Resource:
    [r] = [r for r in result.resources if r.name == name]
    return r


def template(properties: dict[str, Any], **sections: Any) -> dict[str, Any]:
    """A topic `R` with `properties` (and `Other: ok`), beside a topic `Fine`."""
    return {
        **VERSION,
        **sections,
        "Resources": {
            "R": {"Type": "AWS::SNS::Topic", "Properties": {**properties, "Other": "ok"}},
            "Fine": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "t-${AWS::Region}"}}},
        },
    }


def assert_cut_off(result: LoadResult, key: str, what: str) -> Value:
    """Property `key` of R is unknown with the budget's note; the rest is read."""
    r = resource_named(result, "R")
    value = r.body.get(key)
    assert value.is_unknown
    assert value.reason == f"evaluation budget exceeded in property {key} of R: {what}"
    assert r.body.get("Other").data == "ok"
    assert resource_named(result, "Fine").body.get("TopicName").is_unknown  # evaluated, as always
    return value


def nested(levels: int, inner: Any, wrap: Any) -> Any:
    for _ in range(levels):
        inner = wrap(inner)
    return inner


# -- strings ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_sub_doubling(tmp_path: Path, fmt: str) -> None:
    """A parameter default substituted twice at each of 13 levels of `Fn::Sub`: 8 MB at the top."""
    sub = nested(13, {"Ref": "P"}, lambda v: {"Fn::Sub": ["${a}${a}", {"a": v}]})
    doc = template({"Name": sub}, Parameters={"P": {"Type": "String", "Default": "x" * 1000}})
    result = load(write(tmp_path, doc, fmt))
    assert_cut_off(result, "Name", f"a string of 8,192,000 characters {MB4}")
    # 12 levels (4,096,000 characters) are within the cap.
    params = {"P": {"Type": "String", "Default": "x" * 1000}}
    doc = template({"Name": sub["Fn::Sub"][1]["a"]}, Parameters=params)
    assert len(resource_named(load(write(tmp_path, doc, fmt)), "R").body.get("Name").data) == 4_096_000


def test_sub_doubling_through_yaml_anchors(tmp_path: Path) -> None:
    """Each level names the one below once, through an alias: the text the aliases repeat grows
    by a line per level, the string doubles: the evaluator's budget stops it, not the decoder."""
    lines = ["AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n"]
    lines.append(f"  P: {{Type: String, Default: {'x' * 1000}}}\n")
    lines.append("Mappings:\n  M:\n    s0: &s0 {Ref: P}\n")
    for i in range(1, 15):  # 16 MB at the top (2^40 KB at 40 levels, as the full-size case)
        lines.append(f"    s{i}: &s{i} !Sub ['${{a}}${{a}}', {{a: *s{i - 1}}}]\n")
    lines.append("Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties: {Name: *s14, Other: ok}\n")
    lines.append("  Fine:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: !Sub 't-${AWS::Region}'}\n")
    path = tmp_path / "template.yaml"
    path.write_text("".join(lines))
    assert_cut_off(load(path), "Name", f"a string of 8,192,000 characters {MB4}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_sub_variables_are_evaluated_once(tmp_path: Path, fmt: str) -> None:
    """`${a}${a}` over an empty default at 18 levels: an empty string, but 2^18 evaluations when
    each use of a variable evaluated it again (60 levels run with the worst cases below)."""
    sub = nested(18, {"Ref": "P"}, lambda v: {"Fn::Sub": ["${a}${a}", {"a": v}]})
    doc = template({"Name": sub}, Parameters={"P": {"Type": "String", "Default": ""}})
    result = load(write(tmp_path, doc, fmt))
    assert resource_named(result, "R").body.get("Name").data == ""
    assert result.budgets[0].steps < 1_000


@pytest.mark.parametrize("fmt", FORMATS)
def test_join_of_a_large_parameter(tmp_path: Path, fmt: str) -> None:
    items = [{"Ref": "P"}] * 10
    params = {"P": {"Type": "String", "Default": "j" * 500_000}}
    doc = template({"Name": {"Fn::Join": ["-", items]}}, Parameters=params)
    assert_cut_off(load(write(tmp_path, doc, fmt)), "Name", f"a string of 5,000,009 characters {MB4}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_nested_base64(tmp_path: Path, fmt: str) -> None:
    """Each level grows by a third: 40 levels over 100 characters would be 10 MB; the 37th is the
    first over 4 MB."""
    doc = template({"Data": nested(40, "b" * 100, lambda v: {"Fn::Base64": v})})
    assert_cut_off(load(write(tmp_path, doc, fmt)), "Data", f"a string of 4,449,100 characters {MB4}")
    doc = template({"Data": nested(36, "b" * 100, lambda v: {"Fn::Base64": v})})
    assert len(resource_named(load(write(tmp_path, doc, fmt)), "R").body.get("Data").data) == 3_336_824


# -- collections ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_split_into_too_many_members(tmp_path: Path, fmt: str) -> None:
    split = {"Fn::Split": [",", "," * 200_000]}
    doc = template({"Items": split, "Count": {"Fn::Length": split}})
    result = load(write(tmp_path, doc, fmt))
    assert_cut_off(result, "Items", "a collection of 200,001 members (limit 100,000)")
    assert_cut_off(result, "Count", "a collection of 200,001 members (limit 100,000)")


@pytest.mark.parametrize("fmt", FORMATS)
def test_comma_delimited_parameter_with_too_many_members(tmp_path: Path, fmt: str) -> None:
    doc = template(
        {"Items": {"Ref": "L"}, "First": {"Fn::Select": [0, {"Ref": "Small"}]}},
        Parameters={
            "L": {"Type": "CommaDelimitedList", "Default": "," * 200_000},
            "Small": {"Type": "CommaDelimitedList", "Default": "a,b"},
        },
    )
    r = resource_named(load(write(tmp_path, doc, fmt)), "R")
    items = r.body.get("Items")
    what = "a collection of 200,001 members (limit 100,000)"
    assert items.reason == f"evaluation budget exceeded in parameter L: {what}"
    assert r.body.get("First").data == "a"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("index", ["1e400", "-1e400", "nan", "3.5"])
def test_select_with_an_index_that_is_no_position(tmp_path: Path, fmt: str, index: str) -> None:
    doc = template({"Pick": {"Fn::Select": [index, ["a", "b"]]}})
    pick = resource_named(load(write(tmp_path, doc, fmt)), "R").body.get("Pick")
    assert pick.reason == f'Fn::Select index "{index}" is out of range'


@pytest.mark.parametrize("fmt", FORMATS)
def test_to_json_string_and_length_charge_their_argument(tmp_path: Path, fmt: str) -> None:
    big = nested(13, {"Ref": "P"}, lambda v: {"Fn::Sub": ["${a}${a}", {"a": v}]})
    doc = template(
        {"Json": {"Fn::ToJsonString": {"k": big}}, "Len": {"Fn::Length": [big]}},
        Parameters={"P": {"Type": "String", "Default": "x" * 1000}},
    )
    result = load(write(tmp_path, doc, fmt))
    assert_cut_off(result, "Json", f"a string of 8,192,000 characters {MB4}")
    assert_cut_off(result, "Len", f"a string of 8,192,000 characters {MB4}")


# -- work -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_find_in_map_and_if_compare_under_the_budget(tmp_path: Path, fmt: str) -> None:
    """`Fn::FindInMap` with a key not known before deployment compares every entry it could pick,
    and `Fn::If` on an unknown condition compares both branches: steps, charged."""
    same = [f"v{i}" for i in range(2_000)]
    mappings = {"M": {f"region{i}": {"k": same} for i in range(20)}}
    props = {f"P{i}": {"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "k"]} for i in range(5)}
    props["Both"] = {"Fn::If": ["Unknown", same, same]}
    unknown = {"Unknown": {"Fn::Equals": [{"Ref": "AWS::Region"}, "x"]}}
    doc = template(props, Mappings=mappings, Conditions=unknown)
    path = write(tmp_path, doc, fmt)
    # Within the default budget: the one value every entry holds.
    r = resource_named(load(path), "R")
    assert r.body.get("P0").py() == same and r.body.get("Both").py() == same
    # Each lookup compares 20 lists of 2,000 members (some 120,000 steps): the second one is cut
    # off, and everything after it.
    result = load(path, Limits(work=200_000))
    what = "more than 200,000 evaluation steps in this unit"
    assert [k for k, v in resource_named(result, "R").body.items() if v.is_unknown] == [
        "P1", "P2", "P3", "P4", "Both"
    ]
    assert_cut_off(result, "P1", what)
    assert result.budgets[0].exhausted == what


@pytest.mark.parametrize("fmt", FORMATS)
def test_condition_chain_deeper_than_the_budget(tmp_path: Path, fmt: str) -> None:
    """64 conditions, each 90 `Fn::Not` deep over the one before: 5,760 levels of recursion (a
    RecursionError, reported as a broken file, before)."""
    conditions: dict[str, Any] = {"C0": {"Fn::Equals": ["a", "a"]}}
    for i in range(1, 64):
        conditions[f"C{i}"] = nested(90, {"Condition": f"C{i - 1}"}, lambda v: {"Fn::Not": [v]})
    doc = template({"Name": {"Fn::If": ["C63", "yes", "no"]}}, Conditions=conditions)
    doc["Resources"]["Gated"] = {"Type": "AWS::SNS::Topic", "Condition": "C63"}
    result = load(write(tmp_path, doc, fmt))
    note = "evaluation budget exceeded in condition C63: nested more than 200 levels deep"
    name = resource_named(result, "R").body.get("Name")
    assert name.is_unknown
    gated = resource_named(result, "Gated")
    assert gated.condition is not None and gated.condition.reason == note
    assert name.reason in (
        "evaluation budget exceeded in property Name of R: nested more than 200 levels deep",
        f"depends on condition C63, which is not known ({note})",
    )
    # A short chain is decided as before.
    conditions = {"C0": {"Fn::Equals": ["a", "a"]}, "C1": {"Fn::Not": [{"Condition": "C0"}]}}
    doc = template({"Name": {"Fn::If": ["C1", "yes", "no"]}}, Conditions=conditions)
    assert resource_named(load(write(tmp_path, doc, fmt)), "R").body.get("Name").data == "no"


# -- SAM --------------------------------------------------------------------------------------


def sam_globals(keys: int, functions: int) -> dict[str, Any]:
    variables = {f"V{i}": "x" for i in range(keys)}
    return {
        **VERSION,
        "Transform": "AWS::Serverless-2016-10-31",
        "Globals": {"Function": {"Runtime": "python3.12", "Environment": {"Variables": variables}}},
        "Resources": {
            f"F{i}": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Handler": "app.h", "Environment": {"Variables": {"OWN": str(i)}}},
            }
            for i in range(functions)
        },
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_sam_globals_merged_into_many_functions(tmp_path: Path, fmt: str) -> None:
    """500 global variables merged into 200 functions: 100,000 members built."""
    path = write(tmp_path, sam_globals(500, 200), fmt)
    result = load(path)
    assert len(resource_named(result, "F199").body.path("Environment", "Variables").data) == 501
    result = load(path, Limits(built_items=50_000))
    what = "more than 50,000 collection members built in this unit"
    first = resource_named(result, "F0").body
    assert first.get("Runtime").data == "python3.12"
    assert len(first.path("Environment", "Variables").data) == 501
    late = resource_named(result, "F199").body
    assert late.is_unknown and late.reason == f"evaluation budget exceeded in properties of F199: {what}"
    assert result.budgets[0].exhausted == what


def test_a_spent_template_is_reported_partly_read_and_others_are_not_affected(tmp_path: Path) -> None:
    """The engine says so once per spent template (IAC001, partly read); a TLS 1.0 domain in
    another template is still found."""
    (tmp_path / "spent").mkdir()
    (tmp_path / "spent" / "template.yaml").write_text(yaml.safe_dump(sam_globals(1_000, 2_100)))
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "template.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Domain:\n"
        "    Type: AWS::ApiGateway::DomainName\n    Properties:\n"
        "      DomainName: api.example.com\n      SecurityPolicy: TLS_1_0\n"
    )
    result = engine.scan(engine.ScanOptions(paths=[str(tmp_path)]))
    parse = [(f.span.path, f.message) for f in result.findings if f.rule_id == "IAC001"]
    # Globals merged into 1,000 functions spend the steps before the members built.
    what = f"more than {LIMITS.work:,} evaluation steps in this unit"
    assert parse == [
        (
            str(tmp_path / "spent" / "template.yaml"),
            f"evaluation budget exceeded ({what}); values evaluated after it are unknown (file partly read)",
        )
    ]
    tls = [f.span.path for f in result.findings if f.rule_id == "IAC101"]
    assert tls == [str(tmp_path / "ok" / "template.yaml")]


# -- the examples at full size ---------------------------------------------------------


def _limits() -> None:
    cap = 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CPU, (60, 60))


@pytest.mark.skipif(sys.platform == "win32", reason="resource limits are POSIX")
def test_worst_cases_stay_within_time_and_memory(tmp_path: Path) -> None:
    """Sub doubling over 40 levels (JSON) and 40 anchored levels (YAML), sixteen anchored Join
    levels over 40 KB, the SAM DefinitionBody bomb, 200 levels of Base64, a 60-level Sub time
    bomb: the whole scan under 1 GB of address space and a minute of CPU."""
    def put(name: str, text: str) -> None:
        (tmp_path / name).write_text(text)

    def doubling(levels: int) -> Any:
        return nested(levels, {"Ref": "P"}, lambda v: {"Fn::Sub": ["${a}${a}", {"a": v}]})

    def param(default: str) -> dict[str, Any]:
        return {"P": {"Type": "String", "Default": default}}

    put("sub.json", json.dumps(template({"Name": doubling(40)}, Parameters=param("x" * 1000))))
    put("zero.json", json.dumps(template({"Name": doubling(60)}, Parameters=param(""))))
    put("base64.json", json.dumps(template({"Data": nested(190, "b" * 1000, lambda v: {"Fn::Base64": v})})))
    lines = ["AWSTemplateFormatVersion: '2010-09-09'\nMappings:\n  M:\n", f"    s0: &s0 {'x' * 40_000}\n"]
    for i in range(1, 17):
        below = "s0" if i == 1 else f"j{i - 1}"
        lines.append(f"    j{i}: &j{i} !Join ['', [*{below}, *{below}]]\n")
    lines.append("Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties: {Name: *j16}\n")
    put("join.yaml", "".join(lines))
    paths = "\n".join(f"          /p{i}:\n            get: {{}}" for i in range(1000))
    put(
        "sam.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Api0:\n    Type: AWS::Serverless::Api\n    Properties: &p\n      StageName: prod\n"
        f"      DefinitionBody:\n        openapi: 3.0.1\n        paths:\n{paths}\n"
        + "".join(f"  Api{i}:\n    Type: AWS::Serverless::Api\n    Properties: *p\n" for i in range(1, 281)),
    )
    put(
        "good.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  D:\n    Type: AWS::ApiGateway::DomainName\n"
        "    Properties: {DomainName: a.example.com, SecurityPolicy: TLS_1_0}\n",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "iaclint", "scan", ".", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limits,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    failed = sorted((f["path"], f["message"]) for f in findings if f["rule_id"] == "IAC001")
    bomb = "YAML aliases repeat more than 4 MB of text (refused as an alias bomb) (file could not be read)"
    assert failed == [("join.yaml", bomb), ("sam.yaml", bomb)]
    assert [f["path"] for f in findings if f["rule_id"] == "IAC101"] == ["good.yaml"]


@pytest.mark.parametrize(
    "level",
    [
        "!Sub ['${{a}}', {{a: *s{below}}}]",
        "!Select [0, [!Join ['', [!Base64 {{'Fn::If': [C, *s{below}, y]}}]]]]",
        "{{'Fn::If': [C, *s{below}, y]}}",
    ],
)
def test_evaluation_nesting_stays_within_the_python_stack(tmp_path: Path, level: str) -> None:
    """300 levels of functions, each naming the one below through an alias (the text stays
    shallow, the evaluation does not): cut off at the nesting limit, with room to spare on
    Python's stack even when the loader is called 400 frames deep."""
    lines = ["AWSTemplateFormatVersion: '2010-09-09'\nMappings:\n  M:\n    s0: &s0 x\n"]
    lines += [f"    s{i}: &s{i} {level.format(below=i - 1)}\n" for i in range(1, 300)]
    lines.append("Conditions:\n  C: !Equals [!Ref AWS::Region, x]\n")
    lines.append("Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties: {Name: *s299, Other: ok}\n")
    lines.append("  Fine:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: !Sub 't-${AWS::Region}'}\n")
    path = tmp_path / "template.yaml"
    path.write_text("".join(lines))

    def below(frames: int) -> LoadResult:
        return below(frames - 1) if frames else load(path)

    assert_cut_off(below(400), "Name", "nested more than 200 levels deep")
