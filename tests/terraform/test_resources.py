"""Resources: count/for_each/dynamic expansion, addresses, references, variables, data sources."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import by_address, load_dirs, write

from iaclint.source import Span


def test_count_and_for_each_addresses(tf) -> None:  # type: ignore[no-untyped-def]
    result = tf(
        {
            "main.tf": 'resource "t" "c" {\n  count = 2\n  name = "c${count.index}"\n}\n'
            'resource "t" "e" {\n  for_each = {a = "x", b = "y"}\n  name = "${each.key}=${each.value}"\n}\n'
            'resource "t" "s" {\n  for_each = toset(["q"])\n  name = each.value\n}\n'
            'resource "t" "zero" {\n  count = 0\n}\n'
            'resource "t" "none" {\n  for_each = {}\n}\n'
        }
    )
    res = by_address(result)
    assert sorted(res) == ["t.c[0]", "t.c[1]", 't.e["a"]', 't.e["b"]', 't.s["q"]']
    assert res["t.c[1]"].body.get("name").data == "c1"
    assert res['t.e["b"]'].body.get("name").data == "b=y"
    assert res['t.s["q"]'].body.get("name").data == "q"
    assert "count" not in res["t.c[0]"].body.data and "for_each" not in res['t.e["a"]'].body.data
    assert all(r.condition is None for r in result.resources)


def test_unknown_count_gives_one_conditional_instance(tf) -> None:  # type: ignore[no-untyped-def]
    result = tf(
        {
            "main.tf": 'resource "aws_x" "src" {}\n'
            'resource "t" "c" {\n  count = length(aws_x.src.ids)\n'
            '  name = "n${count.index}"\n  fixed = "f"\n}\n'
        }
    )
    res = by_address(result)
    r = res["t.c"]
    assert r.condition is not None and r.condition.is_unknown
    assert r.condition.refs == ("aws_x.src",)
    assert r.body.get("fixed").data == "f"
    assert r.body.get("name").is_unknown


def test_references_to_instances_carry_addresses(tf) -> None:  # type: ignore[no-untyped-def]
    result = tf(
        {
            "main.tf": 'resource "aws_api_gateway_rest_api" "x" {\n  count = 2\n  name = "a"\n}\n'
            'resource "aws_api_gateway_stage" "s" {\n  for_each = {p = 1}\n  stage_name = "prod"\n}\n'
            'resource "t" "r" {\n'
            "  one = aws_api_gateway_rest_api.x[0].id\n"
            '  key = aws_api_gateway_stage.s["p"].id\n'
            "  splat = aws_api_gateway_rest_api.x[*].id\n"
            "  vals = values(aws_api_gateway_stage.s)[*].arn\n"
            "  fr = [for x in aws_api_gateway_rest_api.x : x.id]\n"
            '  arn = "arn:aws:apigateway:eu-west-1::/restapis/${aws_api_gateway_rest_api.x[1].id}/stages/'
            '${aws_api_gateway_stage.s["p"].stage_name}"\n'
            "}\n"
        }
    )
    body = by_address(result)["t.r"].body
    assert body.get("one").refs == ("aws_api_gateway_rest_api.x[0]",)
    assert body.get("one").reason == "aws_api_gateway_rest_api.x[0].id is known only after apply"
    assert body.get("key").refs == ('aws_api_gateway_stage.s["p"]',)
    assert [m.refs for m in body.get("splat").data] == [
        ("aws_api_gateway_rest_api.x[0]",),
        ("aws_api_gateway_rest_api.x[1]",),
    ]
    assert [m.refs for m in body.get("vals").data] == [('aws_api_gateway_stage.s["p"]',)]
    assert [m.refs for m in body.get("fr").data] == [
        ("aws_api_gateway_rest_api.x[0]",),
        ("aws_api_gateway_rest_api.x[1]",),
    ]
    arn = body.get("arn")
    assert arn.is_unknown
    assert arn.refs == ("aws_api_gateway_rest_api.x[1]", 'aws_api_gateway_stage.s["p"]')


def test_dynamic_blocks_expand_in_source_order(tf) -> None:  # type: ignore[no-untyped-def]
    result = tf(
        {
            "main.tf": 'resource "t" "r" {\n  rule { name = "static" }\n'
            '  dynamic "rule" {\n    for_each = ["a", "b"]\n    content { name = rule.value }\n  }\n'
            '  dynamic "other" {\n    for_each = {k = 1}\n    iterator = it\n'
            "    content {\n      k = it.key\n"
            "      v = it.value\n    }\n  }\n"
            '  dynamic "later" {\n    for_each = var.unknown_list\n    content { x = 1 }\n  }\n}\n'
            'variable "unknown_list" {}\n'
        }
    )
    body = by_address(result)["t.r"].body
    assert body.get("rule").py() == [{"name": "static"}, {"name": "a"}, {"name": "b"}]
    assert body.get("other").py() == [{"k": "k", "v": 1}]
    (later,) = body.get("later").data
    assert later.is_unknown and "var.unknown_list has no default" in later.reason
    path = str(tf.dir / "main.tf")
    assert body.get("rule").data[1].span == Span(path, 5, 5, 5, 34)


def test_data_sources_are_not_resources_and_are_unknown(tf) -> None:  # type: ignore[no-untyped-def]
    result = tf(
        {
            "main.tf": 'data "aws_region" "current" {}\n'
            'resource "t" "r" {\n  region = data.aws_region.current.name\n}\n'
        }
    )
    (r,) = result.resources
    v = r.body.get("region")
    assert v.is_unknown and v.reason == "data source data.aws_region.current is read at apply time"


def test_iam_policy_document_json(tf) -> None:  # type: ignore[no-untyped-def]
    result = tf(
        {
            "main.tf": 'data "aws_iam_policy_document" "p" {\n'
            '  statement {\n    sid = "AllowVpc"\n    actions = ["execute-api:Invoke"]\n'
            '    resources = ["execute-api:/*"]\n'
            '    principals {\n      type = "AWS"\n'
            '      identifiers = ["arn:aws:iam::1:root", "arn:aws:iam::2:root"]\n    }\n'
            '    condition {\n      test = "IpAddress"\n      variable = "aws:SourceIp"\n'
            '      values = ["10.0.0.0/8", "192.168.0.0/16"]\n    }\n  }\n'
            '  statement {\n    effect = "Deny"\n    not_actions = ["a:B", "c:D"]\n'
            '    resources = ["*"]\n  }\n}\n'
            'resource "aws_api_gateway_rest_api" "api" {\n  policy = data.aws_iam_policy_document.p.json\n}\n'
        }
    )
    (r,) = result.resources
    v = r.body.get("policy")
    assert v.data == (
        '{"Version":"2012-10-17","Statement":[{"Sid":"AllowVpc","Effect":"Allow","Action":"execute-api:Invoke",'
        '"Resource":"execute-api:/*","Principal":{"AWS":["arn:aws:iam::1:root","arn:aws:iam::2:root"]},'
        '"Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}},'
        '{"Effect":"Deny","NotAction":["a:B","c:D"],"Resource":"*"}]}'
    )
    assert json.loads(v.data)["Statement"][1]["Effect"] == "Deny"


def test_variable_precedence_and_provenance(tf, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "x.tfvars").write_text('from_file = "file"\nfrom_cli = "file"\n')
    files = {
        "main.tf": 'variable "plain" { default = "default" }\nvariable "tfvars" { default = "default" }\n'
        'variable "auto" { default = "d" }\nvariable "from_file" {}\nvariable "from_cli" {}\n'
        'variable "nothing" {}\n'
        'variable "obj" {}\n'
        'resource "t" "r" {\n  plain = var.plain\n  tfvars = var.tfvars\n  auto = var.auto\n'
        "  from_file = var.from_file\n  from_cli = var.from_cli\n  nothing = var.nothing\n"
        "  obj = var.obj\n}\n",
        "terraform.tfvars": 'tfvars = "tfvars"\nauto = "tfvars"\n',
        "a.auto.tfvars": 'auto = "a"\n',
        "b.auto.tfvars.json": '{"auto": "b"}',
    }
    result = tf(
        files, var_files=[str(extra / "x.tfvars")], variables={"from_cli": "TLS_1_0", "obj": '{a = [1, "x"]}'}
    )
    body = by_address(result)["t.r"].body
    assert body.get("plain").data == "default"
    assert body.get("tfvars").data == "tfvars"
    assert body.get("auto").data == "b"
    assert body.get("from_file").data == "file"
    assert body.get("from_cli").data == "TLS_1_0"
    assert body.get("obj").py() == {"a": [1, "x"]}
    nothing = body.get("nothing")
    assert nothing.is_unknown and nothing.reason == "var.nothing has no default"
    main, tfvars = str(tf.dir / "main.tf"), str(tf.dir / "terraform.tfvars")
    assert body.get("tfvars").via == (Span(tfvars, 1, 1, 1, 18),)
    assert body.get("tfvars").span == Span(main, 10, 3, 10, 22)
    assert body.get("plain").via == (Span(main, 1, 20, 1, 39),)
    assert body.get("from_file").via == (Span(str(extra / "x.tfvars"), 1, 1, 1, 19),)
    assert str(extra / "x.tfvars") in result.files_read


def test_tf_json_configuration(tf) -> None:  # type: ignore[no-untyped-def]
    result = tf(
        {
            "main.tf.json": json.dumps(
                {
                    "variable": {"policy": {"default": "TLS_1_0"}},
                    "locals": {"name": "api"},
                    "resource": {
                        "aws_api_gateway_domain_name": {
                            "d": {
                                "domain_name": "${local.name}.example.com",
                                "security_policy": "${var.policy}",
                                "count": 1,
                                "tags": {"k": "$${literal}"},
                            }
                        }
                    },
                },
                indent=1,
            )
        }
    )
    assert result.diagnostics == []
    (r,) = result.resources
    assert r.address == "aws_api_gateway_domain_name.d[0]"
    assert r.body.get("domain_name").data == "api.example.com"
    sp = r.body.get("security_policy")
    assert sp.data == "TLS_1_0"
    path = str(tf.dir / "main.tf.json")
    assert sp.span == Span(path, 14, 5, 14, 39)
    assert r.body.get("tags").py() == {"k": "${literal}"}


def test_override_files_merge(tf) -> None:  # type: ignore[no-untyped-def]
    result = tf(
        {
            "main.tf": 'resource "t" "r" {\n  a = 1\n  b = 2\n}\n',
            "override.tf": 'resource "t" "r" {\n  b = 3\n}\n',
        }
    )
    (r,) = result.resources
    assert r.body.py() == {"a": 1, "b": 3}


def test_child_unit_not_root_only_when_called(tmp_path: Path) -> None:
    write(tmp_path, {"a/main.tf": 'resource "t" "a" {}\n', "b/main.tf": 'resource "t" "b" {}\n'})
    result = load_dirs(tmp_path / "a", tmp_path / "b")
    assert sorted(r.address for r in result.resources) == ["t.a", "t.b"]
