"""Decoder fixes found by scanning public AWS templates (awslabs/aws-cloudformation-templates,
aws-samples/serverless-patterns): each test fails without its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaclint.discover import Unit
from iaclint.lang.cloudformation import load
from iaclint.lang.cloudformation.decode import DecodeError, decode
from iaclint.source import SourceText


def _decode_error(text: str) -> DecodeError:
    with pytest.raises(DecodeError) as info:
        decode(SourceText.decode("t.yaml", text.encode()))
    return info.value


def test_unterminated_quote_points_at_the_opening_quote() -> None:
    err = _decode_error('A: 1\nB: "never closed\nC: 2\n')
    assert (err.line, err.column) == (2, 4)
    assert err.message == "invalid YAML: found unexpected end of stream while scanning a quoted scalar"


def test_unclosed_flow_sequence_at_end_points_at_the_bracket() -> None:
    err = _decode_error("A: 1\nB: [1, 2\n")
    assert (err.line, err.column) == (2, 4)


def test_error_in_the_middle_keeps_the_problem_mark() -> None:
    # The problem was seen before the end of the stream: its own mark is the useful one.
    err = _decode_error("A: b\n c: d\n")
    assert (err.line, err.column) == (2, 3)
    assert err.message == "invalid YAML: mapping values are not allowed in this context"


RULES_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  VpcId:
    Type: AWS::EC2::VPC::Id
  Subnets:
    Type: List<AWS::EC2::Subnet::Id>
Rules:
  SubnetsInVPC:
    Assertions:
      - Assert:
          Fn::EachMemberEquals:
            - !ValueOfAll ["AWS::EC2::Subnet::Id", VpcId]
            - !Ref VpcId
      - Assert: !EachMemberIn [!ValueOf [Subnets, VpcId], !RefAll "AWS::EC2::VPC::Id"]
      - Assert: !Contains [[a, b], !Ref VpcId]
Resources:
  Domain:
    Type: AWS::ApiGateway::DomainName
    Properties:
      DomainName: api.example.com
      SecurityPolicy: TLS_1_2
"""


def test_rule_function_short_forms_are_read(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(RULES_TEMPLATE, encoding="utf-8")
    result = load([Unit("cloudformation", path, (path,))], None)
    assert result.diagnostics == []
    assert [r.name for r in result.resources] == ["Domain"]
    root = decode(SourceText.decode(str(path), RULES_TEMPLATE.encode())).root
    assert_ = root.data["Rules"].data["SubnetsInVPC"].data["Assertions"].data[1].data["Assert"]
    assert list(assert_.data) == ["Fn::EachMemberIn"]
    first = assert_.data["Fn::EachMemberIn"].data[0]
    assert list(first.data) == ["Fn::ValueOf"]
    assert [v.data for v in first.data["Fn::ValueOf"].data] == ["Subnets", "VpcId"]
