"""Policy JSON with parts known only after apply: the text is unknown, the document's structure is
kept in `data` so the model still sees statements and condition keys."""

from __future__ import annotations

from pathlib import Path

from conftest import by_address

from iaclint.engine import ScanOptions, scan
from iaclint.model.aws import policy_document
from iaclint.source import Span
from iaclint.values import UNKNOWN, State, Value

API = 'resource "aws_api_gateway_rest_api" "api" {\n  name = "api"\n}\n'
JSON_POLICY = (
    "locals {\n"
    "  doc = jsonencode({\n"
    '    Version = "2012-10-17"\n'
    "    Statement = [{\n"
    '      Effect    = "Allow"\n'
    '      Resource  = "${aws_api_gateway_rest_api.api.execution_arn}/*"\n'
    '      Condition = { IpAddress = { "aws:SourceIp" = ["203.0.113.0/24"] } }\n'
    "    }]\n"
    "  })\n"
    "}\n"
    'resource "aws_api_gateway_rest_api_policy" "p" {\n'
    "  rest_api_id = aws_api_gateway_rest_api.api.id\n"
    "  policy      = local.doc\n"
    "}\n"
)


def test_jsonencode_with_unknown_leaf_keeps_structure(tf) -> None:  # type: ignore[no-untyped-def]
    result = tf({"main.tf": API + JSON_POLICY})
    assert result.diagnostics == []
    v = by_address(result)["aws_api_gateway_rest_api_policy.p"].body.get("policy")
    assert v.state is State.UNKNOWN
    assert v.py() is UNKNOWN
    assert v.refs == ("aws_api_gateway_rest_api.api",)
    assert v.reason.startswith("jsonencode() of an unknown value: ")
    path = str(tf.dir / "main.tf")
    assert v.span == Span(path, 16, 3, 16, 26)
    assert isinstance(v.data, Value)
    assert v.data.py() == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Resource": UNKNOWN,
                "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}},
            }
        ],
    }
    leaf = v.data.path("Statement", 0, "Resource")
    assert leaf.is_unknown and leaf.refs == ("aws_api_gateway_rest_api.api",)
    assert leaf.span == Span(path, 9, 7, 9, 68)
    stmts, why = policy_document.statements(v)
    assert why == ""
    assert stmts is not None and [(s.effect, s.conditions) for s in stmts] == [
        ("Allow", (("aws:sourceip", "IpAddress"),))
    ]


def test_jsonencode_fully_known_is_still_text(expr) -> None:  # type: ignore[no-untyped-def]
    v = expr('jsonencode({b = 1, a = "x"})')
    assert v.is_known and v.data == '{"a":"x","b":1}'


def test_jsonencode_of_resource_object_keeps_it_unknown(expr) -> None:  # type: ignore[no-untyped-def]
    v = expr("jsonencode({r = aws_x.y, n = 1})", 'resource "aws_x" "y" {\n  name = "n"\n}\n')
    assert v.is_unknown and v.refs == ("aws_x.y",)
    assert v.data.get("n").data == 1
    member = v.data.get("r")
    # A lazy resource object is not carried: reading it later must not evaluate.
    assert member.is_unknown and member.data is None and member.refs == ("aws_x.y",)


def test_jsonencode_of_wholly_unknown_value_has_no_structure(expr) -> None:  # type: ignore[no-untyped-def]
    v = expr("jsonencode(aws_x.y.arn)", 'resource "aws_x" "y" {}\n')
    assert v.is_unknown and v.data is None
    stmts, why = policy_document.statements(v)
    assert stmts is None and why == v.reason


def test_policy_document_json_keeps_structure(tf) -> None:  # type: ignore[no-untyped-def]
    result = tf(
        {
            "main.tf": API + 'data "aws_iam_policy_document" "p" {\n'
            "  statement {\n"
            '    effect    = "Deny"\n'
            '    actions   = ["execute-api:Invoke"]\n'
            '    resources = ["${aws_api_gateway_rest_api.api.execution_arn}/*"]\n'
            '    principals {\n      type = "*"\n      identifiers = ["*"]\n    }\n'
            '    condition {\n      test = "NotIpAddress"\n      variable = "aws:SourceIp"\n'
            '      values = ["10.0.0.0/8"]\n    }\n'
            "  }\n"
            "}\n"
            'resource "t" "r" {\n  policy = data.aws_iam_policy_document.p.json\n}\n'
        }
    )
    v = by_address(result)["t.r"].body.get("policy")
    assert v.is_unknown
    assert set(v.refs) == {"aws_api_gateway_rest_api.api", "data.aws_iam_policy_document.p"}
    assert v.data.py() == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Action": "execute-api:Invoke",
                "Resource": UNKNOWN,
                "Principal": "*",
                "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
            }
        ],
    }
    stmts, _ = policy_document.statements(v)
    assert stmts is not None and stmts[0].conditions == (("aws:sourceip", "NotIpAddress"),)


def test_policy_document_unknown_effect_or_condition_key_stays_unknown(tf) -> None:  # type: ignore[no-untyped-def]
    result = tf(
        {
            "main.tf": API + 'variable "effect" {}\nvariable "key" {}\n'
            'data "aws_iam_policy_document" "e" {\n'
            "  statement {\n    effect = var.effect\n"
            '    resources = ["${aws_api_gateway_rest_api.api.execution_arn}/*"]\n'
            '    condition {\n      test = "IpAddress"\n      variable = "aws:SourceIp"\n'
            '      values = ["10.0.0.0/8"]\n    }\n  }\n}\n'
            'data "aws_iam_policy_document" "k" {\n'
            '  statement {\n    condition {\n      test = "IpAddress"\n      variable = var.key\n'
            '      values = ["10.0.0.0/8"]\n    }\n  }\n}\n'
            'resource "t" "r" {\n  e = data.aws_iam_policy_document.e.json\n'
            "  k = data.aws_iam_policy_document.k.json\n}\n"
        }
    )
    body = by_address(result)["t.r"].body
    e, k = body.get("e"), body.get("k")
    # An unknown Effect is no Allow; an unknown condition key is no "UNKNOWN" key.
    assert e.data.path("Statement", 0, "Effect").is_unknown
    assert k.data.path("Statement", 0, "Condition").is_unknown
    for v in (e, k):
        stmts, why = policy_document.statements(v)
        assert stmts is None
        assert why.endswith(f"({v.reason})")


def test_unknown_operator_block_in_json_is_not_dropped(expr) -> None:  # type: ignore[no-untyped-def]
    v = expr(
        'jsonencode({Statement = [{Effect = "Allow", Condition = {IpAddress = var.cidrs}}]})',
        'variable "cidrs" {}\n',
    )
    assert v.is_unknown and v.data is not None
    stmts, why = policy_document.statements(v)
    assert stmts is None and why.startswith("a policy condition cannot be known")


def _ip_findings(tmp_path: Path, source: str) -> list[tuple[str, int, str]]:
    (tmp_path / "main.tf").write_text(source, encoding="utf-8")
    result = scan(ScanOptions(paths=[str(tmp_path)], select=["IAC831"]))
    return [(f.rule_id, f.span.line, f.level.value) for f in result.findings]


def test_iac831_passes_on_condition_beside_unknown_arn(tmp_path: Path) -> None:
    assert _ip_findings(tmp_path, API + JSON_POLICY) == []


def test_iac831_warns_without_condition_beside_unknown_arn(tmp_path: Path) -> None:
    source = API + JSON_POLICY.replace(
        '      Condition = { IpAddress = { "aws:SourceIp" = ["203.0.113.0/24"] } }\n', ""
    )
    assert _ip_findings(tmp_path, source) == [("IAC831", 1, "warning")]
