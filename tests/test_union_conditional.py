"""`union()` of objects (ARM and Bicep) with a conditional operand whose condition is not known:
a key a known operand sets and no conditional operand sets after it is decided; the keys the
conditional may set are unknown; an operand not known at all still makes the whole unknown."""

from __future__ import annotations

import json
from pathlib import Path

from iaclint.discover import Unit
from iaclint.lang import arm, bicep
from iaclint.values import Value

ARM_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"

BASE = "{\n  minTlsVersion: '1.2'\n  publicNetworkAccess: 'Enabled'\n  nested: {\n    a: 1\n    b: 2\n  }\n}"


def _bicep(tmp_path: Path, expr: str) -> Value:
    path = tmp_path / "main.bicep"
    path.write_text(
        f"param enable bool\nparam extra object\nvar base = {BASE}\n"
        f"resource r 'A.B/c@1' = {{\n  name: 'r'\n  properties: {expr}\n}}\n",
        encoding="utf-8",
    )
    result = bicep.load([Unit("bicep", path, (path,))], None)
    assert not result.diagnostics
    (r,) = result.resources
    return r.body.get("properties")


def _arm(tmp_path: Path, expr: str) -> Value:
    path = tmp_path / "t.json"
    doc = {
        "$schema": ARM_SCHEMA,
        "parameters": {"enable": {"type": "bool"}, "extra": {"type": "object"}},
        "variables": {
            "base": {"minTlsVersion": "1.2", "publicNetworkAccess": "Enabled", "nested": {"a": 1, "b": 2}},
            "off": {"publicNetworkAccess": "Disabled", "extraKey": "x", "nested": {"b": 3}},
        },
        "resources": [{"type": "A.B/c", "apiVersion": "1", "name": "r", "properties": expr}],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    (r,) = arm.load([Unit("arm", path, (path,))], None).resources
    return r.body.get("properties")


def _decided(v: Value) -> dict[str, object]:
    """The members of a known object: their values when known, else 'unknown'."""
    assert v.is_known and isinstance(v.data, dict), v
    return {k: m.py() if m.is_fully_known() else "unknown" for k, m in v.items()}


CONDITIONAL = "{\n  publicNetworkAccess: 'Disabled'\n  extraKey: 'x'\n  nested: {\n    b: 3\n  }\n}"


def test_bicep_a_key_no_conditional_operand_sets_is_decided(tmp_path: Path) -> None:
    props = _bicep(tmp_path, f"union(base, enable ? {CONDITIONAL} : {{}})")
    assert _decided(props) == {
        "minTlsVersion": "1.2",
        "publicNetworkAccess": "unknown",
        "nested": "unknown",
        "extraKey": "unknown",
    }
    assert _decided(props.get("nested")) == {"a": 1, "b": "unknown"}
    assert "condition is unknown" in props.get("publicNetworkAccess").reason
    assert props.get("extraKey").is_unknown  # maybe set, maybe not: never absent


def test_bicep_a_known_operand_after_the_conditional_decides(tmp_path: Path) -> None:
    props = _bicep(tmp_path, "union((enable ? { minTlsVersion: '1.0' } : {}), { minTlsVersion: '1.2' })")
    assert _decided(props) == {"minTlsVersion": "1.2"}


def test_bicep_branches_that_agree_decide(tmp_path: Path) -> None:
    agree = "enable ? { minTlsVersion: '1.2', x: 1 } : { minTlsVersion: '1.2' }"
    props = _bicep(tmp_path, f"union(base, {agree})")
    assert _decided(props)["minTlsVersion"] == "1.2"
    assert _decided(props)["x"] == "unknown"


def test_bicep_an_operand_not_known_at_all_leaves_the_whole_unknown(tmp_path: Path) -> None:
    props = _bicep(tmp_path, "union(base, extra)")
    assert props.is_unknown


def test_bicep_a_known_condition_chooses_its_branch(tmp_path: Path) -> None:
    path = tmp_path / "main.bicep"
    path.write_text(
        f"param enable bool = false\nvar base = {BASE}\nresource r 'A.B/c@1' = {{\n  name: 'r'\n"
        f"  properties: union(base, enable ? {CONDITIONAL} : {{}})\n}}\n",
        encoding="utf-8",
    )
    (r,) = bicep.load([Unit("bicep", path, (path,))], None).resources
    props = r.body.get("properties")
    assert props.py() == {
        "minTlsVersion": "1.2",
        "publicNetworkAccess": "Enabled",
        "nested": {"a": 1, "b": 2},
    }


def test_arm_a_key_no_conditional_operand_sets_is_decided(tmp_path: Path) -> None:
    conditional = "if(parameters('enable'), variables('off'), json('{}'))"
    props = _arm(tmp_path, f"[union(variables('base'), {conditional})]")
    assert _decided(props) == {
        "minTlsVersion": "1.2",
        "publicNetworkAccess": "unknown",
        "nested": "unknown",
        "extraKey": "unknown",
    }
    assert _decided(props.get("nested")) == {"a": 1, "b": "unknown"}


def test_arm_a_known_operand_after_the_conditional_decides(tmp_path: Path) -> None:
    conditional = "if(parameters('enable'), variables('off'), json('{}'))"
    props = _arm(tmp_path, f"[union({conditional}, createObject('publicNetworkAccess', 'Disabled'))]")
    assert _decided(props) == {"publicNetworkAccess": "Disabled", "extraKey": "unknown", "nested": "unknown"}


def test_arm_an_operand_not_known_at_all_leaves_the_whole_unknown(tmp_path: Path) -> None:
    assert _arm(tmp_path, "[union(variables('base'), parameters('extra'))]").is_unknown


def test_too_many_conditional_operands_leave_the_whole_unknown(tmp_path: Path) -> None:
    ops = ", ".join(f"enable ? {{ k{i}: {i} }} : {{}}" for i in range(4))
    assert _bicep(tmp_path, f"union(base, {ops})").is_unknown


def test_bicep_a_variable_holding_the_conditional_is_the_conditional(tmp_path: Path) -> None:
    path = tmp_path / "main.bicep"
    path.write_text(
        f"param enable bool\nvar base = {BASE}\nvar extra = enable ? {CONDITIONAL} : {{}}\n"
        "resource r 'A.B/c@1' = {\n  name: 'r'\n  properties: union(base, extra)\n}\n",
        encoding="utf-8",
    )
    (r,) = bicep.load([Unit("bicep", path, (path,))], None).resources
    decided = _decided(r.body.get("properties"))
    assert decided["minTlsVersion"] == "1.2"
    assert decided["publicNetworkAccess"] == "unknown"


def test_arm_a_variable_holding_the_conditional_is_the_conditional(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    doc = {
        "$schema": ARM_SCHEMA,
        "parameters": {"enable": {"type": "bool"}},
        "variables": {
            "base": {"minTlsVersion": "1.2", "publicNetworkAccess": "Enabled"},
            "extra": "[if(parameters('enable'), createObject('publicNetworkAccess', 'No'), createObject())]",
        },
        "resources": [
            {"type": "A.B/c", "apiVersion": "1", "name": "r",
             "properties": "[union(variables('base'), variables('extra'))]"}
        ],
    }  # fmt: skip
    path.write_text(json.dumps(doc), encoding="utf-8")
    (r,) = arm.load([Unit("arm", path, (path,))], None).resources
    decided = _decided(r.body.get("properties"))
    assert decided == {"minTlsVersion": "1.2", "publicNetworkAccess": "unknown"}
