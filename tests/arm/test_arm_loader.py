"""End-to-end tests of the ARM loader, its expression parser, and Bicep/ARM equivalence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.discover import Unit
from iaclint.lang import arm, bicep
from iaclint.lang.arm.expressions import ExpressionError, parse_expression
from iaclint.resources import LoadResult
from iaclint.values import UNKNOWN

ROOT = Path(__file__).resolve().parents[2] / "fixtures"
ARM = ROOT / "arm" / "loader" / "apim" / "azuredeploy.json"


def _load(p: Path) -> LoadResult:
    return arm.load([Unit("arm", p, (p,))], None)


@pytest.fixture(scope="module")
def res() -> dict:
    r = _load(ARM)
    assert r.diagnostics == []
    return {x.address.split("#", 1)[1]: x for x in r.resources}


def test_resources(res: dict) -> None:
    assert {k: (r.type, r.name) for k, r in res.items()} == {
        "apim1": ("Microsoft.ApiManagement/service", "apim1"),
        "apim1/echo": ("Microsoft.ApiManagement/service/apis", "apim1/echo"),
        "apim1/orders[0]": ("Microsoft.ApiManagement/service/apis", "apim1/orders"),
        "apim1/billing[1]": ("Microsoft.ApiManagement/service/apis", "apim1/billing"),
    }


def test_parameter_file_value_span_and_via(res: dict) -> None:
    key = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10"
    v = res["apim1"].body.path("properties", "customProperties", key)
    assert v.data == "True"
    assert (v.span.line, v.span.column, v.span.end_line, v.span.end_column) == (26, 11, 26, 107)
    assert [(s.path.rsplit("/", 1)[-1], s.line, s.column) for s in v.via] == [
        ("azuredeploy.parameters.json", 5, 16)
    ]
    assert (res["apim1"].span.line, res["apim1"].span.column) == (14, 7)


def test_resource_id_links_to_the_resource(res: dict) -> None:
    dep = res["apim1/echo"].body.get("dependsOn").data[0]
    assert dep.py() is UNKNOWN
    assert dep.refs == (res["apim1"].address,)


def test_same_resources_as_bicep(res: dict) -> None:
    b = bicep.load(
        [Unit("bicep", p, (p,)) for p in [ROOT / "bicep" / "loader" / "apim" / "main.bicep"]], None
    )
    bicep_bodies = sorted(
        (json.dumps({k: v for k, v in r.body.py().items() if k != "dependsOn"}, sort_keys=True)
         for r in b.resources if "module." not in r.address),
    )  # fmt: skip
    arm_bodies = sorted(
        json.dumps({k: v for k, v in r.body.py().items() if k != "dependsOn"}, sort_keys=True)
        for r in res.values()
    )
    assert bicep_bodies == arm_bodies


def test_expression_parser() -> None:
    assert parse_expression("[concat('a''b', parameters('x').y[0])]") == (
        "call",
        "concat",
        [
            ("str", "a'b"),
            ("index", ("member", ("call", "parameters", [("str", "x")]), "y", False), ("num", 0), False),
        ],
    )
    with pytest.raises(ExpressionError):
        parse_expression("[concat('a'")


def test_bad_expression_is_partial_diagnostic(tmp_path: Path) -> None:
    f = tmp_path / "t.json"
    f.write_text(
        '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",\n'
        ' "resources": [{"type": "A.B/c", "apiVersion": "1", "name": "[concat(\'a\']"}]}\n'
    )
    r = _load(f)
    assert [(d.line, d.partial) for d in r.diagnostics] == [(2, True)]
    assert len(r.resources) == 1


def test_invalid_json_is_a_diagnostic(tmp_path: Path) -> None:
    f = tmp_path / "t.json"
    f.write_text('{\n  "$schema": "x",\n  oops\n}\n')
    r = _load(f)
    assert [(d.line, d.partial) for d in r.diagnostics] == [(3, False)]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([*"[]()'\",:{}.abc ", "concat(", "parameters('x')"])).map("".join))
def test_random_expressions_never_raise(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    f = tmp_path_factory.mktemp("h") / "t.json"
    doc = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "resources": [
            {"type": "A.B/c", "apiVersion": "1", "name": "[" + text + "]", "properties": {"x": text}}
        ],
    }
    f.write_text(json.dumps(doc))
    _load(f)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    f = tmp_path_factory.mktemp("h") / "t.json"
    f.write_bytes(data)
    _load(f)
