"""Modules: input binding with provenance, roots vs. called modules, remote modules, addresses."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import by_address, load_dirs, write

from iaclint.fileaccess import ScanRoots
from iaclint.lang.terraform.loader import root_qualifier
from iaclint.source import Span

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "terraform" / "loader" / "module_provenance"


def test_module_input_keeps_every_definition_span() -> None:
    root, child = FIXTURE / "root", FIXTURE / "modules" / "api"
    result = load_dirs(root, child)
    assert result.diagnostics == []
    # The child directory is called by the root, so it is not a root of its own: one resource,
    # named with the root's place in the repository (tests/terraform/test_roots.py tests the place).
    root_place = root_qualifier(str(root), ScanRoots.for_paths([root]))
    address = f"{root_place}module.api.aws_api_gateway_domain_name.this"
    assert [r.address for r in result.resources] == [address]
    (r,) = result.resources
    v = r.body.get("security_policy")
    assert v.data == "TLS_1_0"
    child_tf = str(child / "main.tf")
    root_tf = str(root / "main.tf")
    assert v.span == Span(child_tf, 7, 3, 7, 26)
    # Origin first (the local), then the module argument that passed it on.
    assert v.via == (Span(root_tf, 2, 3, 2, 16), Span(root_tf, 7, 3, 7, 19))
    assert r.span == Span(child_tf, 5, 1, 5, 48)
    assert str(child_tf) in result.files_read and str(root_tf) in result.files_read


def test_module_count_for_each_and_nested_addresses(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'module "m" {\n  for_each = {eu = "TLS_1_2", us = "TLS_1_0"}\n  source = "./mod"\n'
            "  policy = each.value\n}\n"
            'module "n" {\n  count = 2\n  source = "./mod"\n  policy = "p${count.index}"\n}\n'
            'resource "t" "uses" {\n  ids = [for k, m in module.m : m.name]\n  one = module.n[1].name\n}\n',
            "mod/main.tf": 'variable "policy" {}\nmodule "c" {\n  source = "./child"\n'
            "  inner = var.policy\n}\n"
            'output "name" {\n  value = "name-${var.policy}"\n}\n',
            "mod/child/main.tf": 'variable "inner" {}\nresource "aws_api_gateway_domain_name" "d" {\n'
            "  security_policy = var.inner\n}\n",
        },
    )
    result = load_dirs(tmp_path)
    res = by_address(result)
    assert sorted(res) == [
        'module.m["eu"].module.c.aws_api_gateway_domain_name.d',
        'module.m["us"].module.c.aws_api_gateway_domain_name.d',
        "module.n[0].module.c.aws_api_gateway_domain_name.d",
        "module.n[1].module.c.aws_api_gateway_domain_name.d",
        "t.uses",
    ]
    assert (
        res['module.m["us"].module.c.aws_api_gateway_domain_name.d'].body.get("security_policy").data
        == "TLS_1_0"
    )
    assert res["module.n[1].module.c.aws_api_gateway_domain_name.d"].body.get("security_policy").data == "p1"
    assert res["t.uses"].body.get("ids").py() == ["name-TLS_1_2", "name-TLS_1_0"]
    assert res["t.uses"].body.get("one").py() == "name-p1"


def test_module_output_of_computed_attribute_links_to_the_instance(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'module "api" {\n  source = "./api"\n}\n'
            'resource "aws_wafv2_web_acl_association" "w" {\n  resource_arn = module.api.arn\n}\n',
            "api/main.tf": 'resource "aws_api_gateway_stage" "s" {\n  stage_name = "prod"\n}\n'
            'output "arn" {\n  value = aws_api_gateway_stage.s.arn\n}\n',
        },
    )
    res = by_address(load_dirs(tmp_path))
    v = res["aws_wafv2_web_acl_association.w"].body.get("resource_arn")
    assert v.is_unknown
    assert v.refs == ("module.api.aws_api_gateway_stage.s",)


def test_remote_module_from_modules_json(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'module "gw" {\n  source = "terraform-aws-modules/apigateway-v2/aws"\n'
            '  name = "x"\n}\n'
            'module "gone" {\n  source = "git::https://example.com/x.git"\n}\n'
            'resource "t" "r" {\n  v = module.gone.anything\n}\n',
            ".terraform/modules/modules.json": json.dumps(
                {
                    "Modules": [
                        {"Key": "", "Source": "", "Dir": "."},
                        {"Key": "gw", "Source": "x", "Dir": ".terraform/modules/gw"},
                    ]
                }
            ),
            ".terraform/modules/gw/main.tf": 'variable "name" {}\nresource "aws_apigatewayv2_api" "this" {\n'
            "  name = var.name\n}\n",
        },
    )
    res = by_address(load_dirs(tmp_path))
    assert sorted(res) == ["module.gw.aws_apigatewayv2_api.this", "t.r"]
    assert res["module.gw.aws_apigatewayv2_api.this"].body.get("name").data == "x"
    gone = res["t.r"].body.get("v")
    assert gone.is_unknown
    assert gone.reason == 'module source "git::https://example.com/x.git" is not available locally'


def test_module_calling_itself_is_bounded(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": 'module "me" {\n  source = "./"\n}\nresource "t" "r" {}\n'})
    result = load_dirs(tmp_path)
    assert result.resources[0].address == "t.r"
    assert len(result.resources) < 20
