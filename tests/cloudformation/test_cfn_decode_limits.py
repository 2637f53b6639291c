"""Decoding hostile templates (issue 12): the size a document stands for, and numbers too long
to be numbers.

CloudFormation accepts no YAML aliases at all ("AWS CloudFormation doesn't support ... Aliases,
Hash merges", template formats in its user guide), so bounding what aliases expand to costs
nothing real; they are still read, within `Limits.document_nodes` values and `Limits.alias_chars`
of repeated text.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import pytest

from iaclint.budget import LIMITS, Limits
from iaclint.discover import Unit
from iaclint.lang.cloudformation import load, load_template
from iaclint.lang.cloudformation.decode import NUMBER_CHARS, decode
from iaclint.resources import LoadResult
from iaclint.source import SourceText
from iaclint.values import Value

HEADER = "AWSTemplateFormatVersion: '2010-09-09'\n"


def load_text(tmp_path: Path, text: str, name: str = "template.yaml", limits: Limits = LIMITS) -> LoadResult:
    path = tmp_path / name
    path.write_text(text)
    result = LoadResult()
    load_template(path, result, limits=limits)
    return result


def failure(result: LoadResult) -> tuple[int, int, str]:
    [d] = result.diagnostics
    assert not d.partial and not result.resources
    return d.line, d.column, d.message


def prop(result: LoadResult, name: str, key: str) -> Value:
    [r] = [r for r in result.resources if r.name == name]
    return r.body.get(key)


def join_levels(levels: int, scalar: int) -> str:
    """The issue's example: anchored `Fn::Join` levels, each joining the one below twice."""
    lines = [HEADER, "Mappings:\n", f"  M:\n    s0: &s0 {'x' * scalar}\n"]
    for i in range(1, levels + 1):
        below = "s0" if i == 1 else f"j{i - 1}"
        lines.append(f"    j{i}: &j{i} !Join ['', [*{below}, *{below}]]\n")
    lines.append(
        f"Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: *j{levels}\n"
    )
    return "".join(lines)


# -- aliases: values and text -----------------------------------------------------------------


def test_sixteen_anchored_join_levels_over_40_kb_are_refused_quickly(tmp_path: Path) -> None:
    """Few values (some 300,000, under the value cap) but 2.6 GB of text once expanded: the text
    aliases repeat counts, and the file fails before anything is evaluated."""
    tracemalloc.start()
    started = time.process_time()
    try:
        result = load_text(tmp_path, join_levels(16, 40_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.process_time() - started < 5
    assert peak < 20 * 1024 * 1024, peak
    # Refused at the anchor whose uses take the text repeated past 4 MB: j5 (line 9), used twice
    # in j6 (2 * 40 KB * (2 + 4 + ... + 64) > 4 MB).
    assert failure(result) == (9, 9, "YAML aliases repeat more than 4 MB of text (refused as an alias bomb)")


def test_repeated_text_is_counted_at_each_use(tmp_path: Path) -> None:
    """One 100 KB scalar used 50 times (5 MB of text): no function at all, and still refused."""
    uses = "\n".join(f"      P{i}: *big" for i in range(50))
    text = (
        f"{HEADER}Mappings:\n  M:\n    a: &big {'y' * 100_000}\n"
        f"Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties:\n{uses}\n"
    )
    assert failure(load_text(tmp_path, text))[2] == (
        "YAML aliases repeat more than 4 MB of text (refused as an alias bomb)"
    )
    # 30 uses (3 MB) are within the bound: read, each use the same value.
    text = text.replace(uses, "\n".join(f"      P{i}: *big" for i in range(30)))
    result = load_text(tmp_path, text)
    assert not result.diagnostics
    assert prop(result, "R", "P29").data == "y" * 100_000


def test_a_real_use_of_anchors_is_read(tmp_path: Path) -> None:
    """SAM templates deployed through `sam deploy` may use anchors (the CLI expands them)."""
    text = (
        HEADER
        + "Transform: AWS::Serverless-2016-10-31\n"
        + "Resources:\n"
        + "  A:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        + "      Environment: &env\n        Variables: {TABLE: orders, STAGE: prod}\n"
        + "  B:\n    Type: AWS::Serverless::Function\n    Properties:\n      Environment: *env\n"
    )
    result = load_text(tmp_path, text)
    assert not result.diagnostics
    assert prop(result, "B", "Environment").py() == {"Variables": {"TABLE": "orders", "STAGE": "prod"}}


def test_sam_definition_body_bomb_is_refused(tmp_path: Path) -> None:
    """The issue's SAM bomb: 281 APIs sharing, through an alias, one OpenAPI body of 1,000 paths
    (281,000 operations, 281,204 findings and 1.9 GB before)."""
    paths = "\n".join(f"          /p{i}:\n            get: {{}}" for i in range(1000))
    text = (
        HEADER
        + "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        + "  Api0:\n    Type: AWS::Serverless::Api\n    Properties: &p\n      StageName: prod\n"
        + f"      DefinitionBody:\n        openapi: 3.0.1\n        paths:\n{paths}\n"
        + "".join(f"  Api{i}:\n    Type: AWS::Serverless::Api\n    Properties: *p\n" for i in range(1, 281))
    )
    started = time.process_time()
    assert failure(load_text(tmp_path, text)) == (
        6,
        17,
        "YAML aliases repeat more than 4 MB of text (refused as an alias bomb)",
    )
    assert time.process_time() - started < 5


def test_alias_values_are_bounded(tmp_path: Path) -> None:
    lines = [HEADER, "Mappings:\n", "  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"]
    for i in range(1, 7):
        lines.append(f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n")
    lines.append("Resources:\n  R:\n    Type: AWS::SNS::Topic\n")
    text = "".join(lines)
    # 10^7 values once expanded, in 2 KB of text.
    assert failure(load_text(tmp_path, text))[2] == (
        f"YAML aliases expand to more than {LIMITS.document_nodes:,} values (refused as an alias bomb)"
    )
    # The bound is the one in Limits.
    assert failure(load_text(tmp_path, text, limits=Limits(document_nodes=1_000)))[2] == (
        "YAML aliases expand to more than 1,000 values (refused as an alias bomb)"
    )


# -- values of the document itself ------------------------------------------------------------


@pytest.mark.parametrize("name", ["flat.yaml", "flat.json"])
def test_document_values_are_bounded_in_yaml_and_json(tmp_path: Path, name: str) -> None:
    """A flat list of a million zeros is 2 MB of text and 200 MB of Values (20 MB of JSON took
    2 GB and 30 s before): YAML and JSON stop at the same bound."""
    zeros = ",".join(["0"] * 3_000)
    if name.endswith(".json"):
        doc = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"R": {"Type": "AWS::SNS::Topic"}}}
        text = json.dumps(doc)[:-1] + f', "Mappings": {{"M": {{"k": [{zeros}]}}}}}}'
    else:
        text = f"{HEADER}Resources:\n  R:\n    Type: AWS::SNS::Topic\nMappings:\n  M:\n    k: [{zeros}]\n"
    limits = Limits(document_nodes=2_000)
    line, column, message = failure(load_text(tmp_path, text, name, limits))
    kind = "JSON" if name.endswith(".json") else "YAML"
    assert message == f"{kind} document larger than 2,000 values"
    if kind == "JSON":
        # Eight values before the list (the root, its members, R, Type, M): the 2,001st value is
        # the list's 1,993rd zero.
        assert (line, column) == (1, text.index("[0,0") + 1 + 2 * 1_992 + 1)
    else:
        assert line == 7
    assert not load_text(tmp_path, text, name, Limits(document_nodes=4_000)).diagnostics


def test_json_refused_for_size_is_not_retried_as_yaml(tmp_path: Path) -> None:
    """A `.yaml` file in JSON form is read as JSON; refused for its size it must not be read again
    as YAML (which is slower and would give another message)."""
    ones = ",".join(["1"] * 3000)
    text = '{"AWSTemplateFormatVersion": "2010-09-09", "Mappings": {"M": {"k": [' + ones + "]}}}"
    assert failure(load_text(tmp_path, text, "t.yaml", Limits(document_nodes=2_000)))[2] == (
        "JSON document larger than 2,000 values"
    )


# -- numbers too long to be numbers -----------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "1" * 5000,  # the 5,000-digit integer (Python's int() refuses more than 4,300)
        "1_" * 2500 + "1",  # YAML 1.1 digit separators
        "1" + ":1" * 3000,  # base 60: PyYAML's reading is quadratic
        "0" + "7" * 5000,  # octal
        "1" + ":1" * 3000 + ".5",  # a base-60 float past the float range
    ],
)
@pytest.mark.parametrize("where", ["mapping", "sequence", "flow"])
def test_a_number_too_long_keeps_its_text(tmp_path: Path, number: str, where: str) -> None:
    """Kept as the string it is written as (exact, and what CloudFormation uses where it wants a
    string), rather than unknown: nothing is lost, and no property takes such a number."""
    value = {
        "mapping": f"      Big: {number}\n",
        "sequence": f"      Big:\n        - {number}\n",
        "flow": f"      Big: [{number}]\n",
    }[where]
    text = HEADER + "Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties:\n" + value
    started = time.process_time()
    result = load_text(tmp_path, text)
    assert time.process_time() - started < 2
    assert not result.diagnostics
    big = prop(result, "R", "Big")
    got = big.data[0].data if where != "mapping" else big.data
    assert got == number


def test_numbers_within_reach_are_numbers() -> None:
    n = "9" * NUMBER_CHARS
    text = f"a: {n}\nb: 1_000\nc: 1:30\nd: 0x1F\ne: 1.5\nf: -{n[1:]}\n"
    root = decode(SourceText("t.yaml", text.encode(), text)).root
    assert root.py() == {"a": int(n), "b": 1000, "c": 90, "d": 31, "e": 1.5, "f": -int(n[1:])}


def test_a_huge_integer_reaches_the_checks_without_a_crash(tmp_path: Path) -> None:
    """A 400-digit throttling limit: an int past the float range (`float()` raised OverflowError
    in the model stage)."""
    big = "1" * 400
    text = (
        HEADER
        + "Resources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n"
        + f"      MethodSettings:\n        - {{ThrottlingRateLimit: {big}, ThrottlingBurstLimit: {big},"
        + " HttpMethod: '*', ResourcePath: /*}\n"
    )
    (tmp_path / "template.yaml").write_text(text)
    from iaclint import engine

    result = engine.scan(engine.ScanOptions(paths=[str(tmp_path)]))
    rules = sorted(f.rule_id for f in result.findings)
    assert "IAC821" not in rules  # the stage is throttled
    assert "IAC001" not in rules


def test_random_yaml_numbers_never_raise(tmp_path: Path) -> None:
    for number in ("1" * 4301, "-" + "2" * 9000, "+0b" + "1" * 9000, "0x" + "f" * 9000, "1e99999", ".nan"):
        path = tmp_path / "t.yaml"
        body = f"Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties: {{A: {number}}}\n"
        path.write_text(HEADER + body)
        load([Unit("cloudformation", path, (path,))], None)
