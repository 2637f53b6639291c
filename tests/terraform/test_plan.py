"""Plan JSON loader: values exact, after_unknown marks, spans in the plan file."""

from __future__ import annotations

import json
from pathlib import Path

from iaclint.discover import Unit
from iaclint.lang.terraform.plan import load
from iaclint.source import Span

PLAN = {
    "format_version": "1.2",
    "terraform_version": "1.6.0",
    "planned_values": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_api_gateway_domain_name.d",
                    "mode": "managed",
                    "type": "aws_api_gateway_domain_name",
                    "name": "d",
                    "values": {"domain_name": "a.example.com", "security_policy": "TLS_1_0"},
                },
                {
                    "address": "data.aws_region.r",
                    "mode": "data",
                    "type": "aws_region",
                    "name": "r",
                    "values": {},
                },
            ],
            "child_modules": [
                {
                    "address": "module.m",
                    "resources": [
                        {
                            "address": "module.m.aws_apigatewayv2_domain_name.h",
                            "mode": "managed",
                            "type": "aws_apigatewayv2_domain_name",
                            "name": "h",
                            "values": {"domain_name_configuration": [{"security_policy": "TLS_1_2"}]},
                        }
                    ],
                }
            ],
        }
    },
    "resource_changes": [
        {"address": "module.m.aws_apigatewayv2_domain_name.h", "change": {"after_unknown": {"id": True}}}
    ],
}


def test_plan_resources(tmp_path: Path) -> None:
    p = tmp_path / "plan.json"
    p.write_text(json.dumps(PLAN, indent=1))
    result = load([Unit("terraform-plan", p, (p,))])
    assert result.diagnostics == []
    res = {r.address: r for r in result.resources}
    assert sorted(res) == ["aws_api_gateway_domain_name.d", "module.m.aws_apigatewayv2_domain_name.h"]
    d = res["aws_api_gateway_domain_name.d"]
    assert d.body.get("security_policy").data == "TLS_1_0"
    assert d.body.get("security_policy").span == Span(str(p), 14, 7, 14, 35)
    assert d.span == Span(str(p), 8, 6, 8, 48)
    h = res["module.m.aws_apigatewayv2_domain_name.h"]
    assert h.body.first("domain_name_configuration").get("security_policy").data == "TLS_1_2"
    assert h.body.get("id").is_unknown and h.body.get("id").refs == (
        "module.m.aws_apigatewayv2_domain_name.h",
    )


def test_plan_invalid_json(tmp_path: Path) -> None:
    p = tmp_path / "plan.json"
    p.write_text('{"format_version": "1.2",\n "planned_values": [}')
    result = load([Unit("terraform-plan", p, (p,))])
    assert [(d.path, d.line, d.partial) for d in result.diagnostics] == [(str(p), 2, False)]
