"""Hostile ARM templates (issue 12): reading stays inside the rules of the guarded reader, and every
evaluation stays inside the unit's budget. A value over the budget is unknown with a note naming
it, and the rest of the template is still worked out.

The worst cases (ones that took minutes or gigabytes before) run in a subprocess with a CPU and
memory ceiling, so a regression fails instead of hanging the suite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from iaclint import budget
from iaclint.budget import LIMITS, BudgetExceeded
from iaclint.discover import Unit
from iaclint.engine import ScanOptions, loader_options, scan
from iaclint.lang import arm
from iaclint.lang.arm import functions as fns
from iaclint.lang.arm.template import Output, Template
from iaclint.resources import LoadResult
from iaclint.values import Value

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
PARAMS_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#"
TLS10 = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10"
MB4 = f"{LIMITS.string_bytes:,}"


def _apim(name: str = "apim", **props: Any) -> dict:
    return {
        "type": "Microsoft.ApiManagement/service",
        "apiVersion": "2023-05-01-preview",
        "name": name,
        "location": "westeurope",
        "sku": {"name": "Developer", "capacity": 1},
        "properties": {"publisherEmail": "ops@example.com", "publisherName": "Ops", **props},
    }


def _write(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc))
    return path


def _template(tmp_path: Path, *, name: str = "t.json", **sections: Any) -> Path:
    return _write(tmp_path / name, {"$schema": SCHEMA, "contentVersion": "1.0.0.0", **sections})


def _load(path: Path, options: ScanOptions | None = None) -> LoadResult:
    return arm.load([Unit("arm", path, (path,))], loader_options("arm", options) if options else None)


def _variables(
    tmp_path: Path, variables: dict, *names: str, limits: budget.Limits = LIMITS, **sections: Any
) -> dict[str, Value]:
    """The variables `names` of a template, worked out in that order under one unit's budget."""
    doc = Value.of({"$schema": SCHEMA, "variables": variables, **sections})
    b = budget.Budget(limits=limits, unit="t.json")
    template = Template(doc, "t.json", Output(), budget=b)
    with b.active():
        return {n: template.variable(n, None) for n in names}


def _one(tmp_path: Path, expression: str, **sections: Any) -> Value:
    return _variables(tmp_path, {"x": expression}, "x", **sections)["x"]


def _exceeded(where: str, what: str) -> str:
    return f"evaluation budget exceeded in {where}: {what}"


def _string_over(n: int) -> str:
    return f"a string of {n:,} characters (limit 4 MB)"


# -- the shared functions: each one that can grow its output is charged before it builds ----------


@pytest.mark.parametrize(
    ("expression", "what"),
    [
        ("[padLeft('', 999999999, 'x')]", _string_over(999_999_999)),
        ("[padLeft('ab', 4194305)]", _string_over(4_194_305)),
        ("[format('{0,999999}{0,999999}{0,999999}{0,999999}{0,999999}', 'x')]", _string_over(4_999_995)),
        ("[concat(variables('m2'), variables('m2'), variables('m2'))]", _string_over(6 * 1024 * 1024)),
        ("[replace(variables('k2'), 'a', variables('k2'))]", _string_over(2049**2)),
        ("[base64(variables('m3'))]", _string_over(4 * 1024 * 1024 + 4)),
        ("[string(createArray(variables('m2'), variables('m2')))]", _string_over(4 * 1024 * 1024 + 7)),
        (
            "[join(createArray(variables('m2'), variables('m2'), 'x'), ',')]",
            _string_over(4 * 1024 * 1024 + 3),
        ),
        ("[toUpper(concat(variables('m2'), 'ß'))]", _string_over(3 * (2 * 1024 * 1024 + 1))),
        ("[split(padLeft('', 200000, ','), ',')]", "a collection of 200,001 members (limit 100,000)"),
        (
            "[concat(range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000),"
            " range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000), range(0, 10000),"
            " range(0, 10000))]",
            "a collection of 110,000 members (limit 100,000)",
        ),
        (
            "[union(range(0, 10000), range(1, 10000), range(2, 10000), range(3, 10000), range(4, 10000),"
            " range(5, 10000), range(6, 10000), range(7, 10000), range(8, 10000), range(9, 10000),"
            " range(10, 10000))]",
            "a collection of 110,000 members (limit 100,000)",
        ),
        (
            "[json(concat(padLeft('', 300, '['), padLeft('', 300, ']')))]",
            "a value nested more than 100 levels deep",
        ),
    ],
)
def test_growth_function_over_budget_is_unknown(tmp_path: Path, expression: str, what: str) -> None:
    m2 = "a" * (2 * 1024 * 1024)
    variables = {"x": expression, "m2": m2, "m3": "a" * (3 * 1024 * 1024 + 3), "k2": "a" * 2049}
    v = _variables(tmp_path, variables, "x")["x"]
    assert v.is_unknown
    assert v.reason == _exceeded("variables('x')", what)


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("[format('{0,1000000}', 'x')]", "format item width too large"),
        ("[format('{0:D9}', 1)]", "format strings are not evaluated"),
        ("[format('{99999999999999999999}', 1)]", "format item {1000000000} has no argument"),
        ("[range(0, 10001)]", "range out of bounds"),
        ("[mul(4611686018427387904, 4)]", "integer overflow"),
        ("[add(9223372036854775807, 1)]", "integer overflow"),
        ("[div(1, 0)]", "division by zero"),
        ("[replace('abc', '', 'x')]", "replace() of an empty string"),
        ("[json(concat(padLeft('', 100000, '['), padLeft('', 100000, ']')))]", "JSON nested too deeply"),
        ("[json('{')]", "not valid JSON"),
        ("[createObject('a')]", "createObject() needs key and value pairs"),
        ("[padLeft('x')]", "1 arguments"),
        ("[int('9999999999999999999999')]", "not an integer"),
        ("[greater('a', 1)]", "a number compared with a string"),
    ],
)
def test_function_rejecting_its_arguments_is_unknown(tmp_path: Path, expression: str, why: str) -> None:
    v = _one(tmp_path, expression)
    name = expression[1 : expression.index("(")]
    assert v.is_unknown
    assert v.reason == f"{name}() cannot be evaluated here ({why})"


def test_functions_still_compute(tmp_path: Path) -> None:
    variables = {
        "f": "[format('{0,4}|{1,-3}|{{{0}}}', 'ab', 'c')]",
        "r": "[replace('a.b.c', '.', '--')]",
        "p": "[padLeft('7', 3, '0')]",
        "u": "[union(createArray(1, 2), createArray(2, 3), createArray(createObject('a', 1)))]",
        "i": "[intersection(createArray(1, 2, 3), createArray(3, 2))]",
        "d": "[div(-7, 2)]",
        "m": "[mod(-7, 2)]",
        "s": "[string(createObject('a', createArray(1, 'é', true())))]",
    }
    v = _variables(tmp_path, variables, *variables)
    assert {k: x.py() for k, x in v.items()} == {
        "f": "  ab|c  |{ab}",
        "r": "a--b--c",
        "p": "007",
        "u": [1, 2, 3, {"a": 1}],
        "i": [2, 3],
        "d": -3,
        "m": -1,
        "s": '{"a":[1,"\\u00e9",true]}',
    }


def test_functions_charge_the_current_budget() -> None:
    """The function table charges whatever budget is current (the Bicep loader's too)."""
    b = budget.Budget(unit="u")
    with b.active():
        fns.call("padLeft", [Value.known("a"), Value.known(3)], None)
        with pytest.raises(BudgetExceeded, match="a string of 999,999,999 characters"):
            fns.call("padLeft", [Value.known(""), Value.known(999_999_999), Value.known("x")], None)
    assert 2 <= b.steps < 10 and b.built_bytes < 100  # the refused string was not counted, nor built


# -- doubling through variables: strings and shared members ---------------------------------------


def test_string_doubling_through_variables(tmp_path: Path) -> None:
    variables = {"v0": "a" * 1024}
    for k in range(1, 21):
        variables[f"v{k}"] = f"[concat(variables('v{k - 1}'), variables('v{k - 1}'))]"
    v = _variables(tmp_path, variables, "v12", "v13", "v20")
    assert len(v["v12"].data) == 4 * 1024 * 1024  # at the limit, not over it
    assert v["v13"].reason == _exceeded("variables('v13')", _string_over(8 * 1024 * 1024))
    assert v["v20"].is_unknown and v["v20"].reason.endswith(v["v13"].reason)


def test_replace_squaring(tmp_path: Path) -> None:
    variables = {"s0": "a" * 2048, "s1": "[replace(variables('s0'), 'a', variables('s0'))]"}
    variables["s2"] = "[replace(variables('s1'), 'a', variables('s1'))]"
    v = _variables(tmp_path, variables, "s1", "s2")
    assert len(v["s1"].data) == 2048 * 2048
    assert v["s2"].reason == _exceeded("variables('s2')", _string_over((2048 * 2048) ** 2))


@pytest.mark.parametrize(
    "level",
    [
        "[createArray(variables('a{k}'), variables('a{k}'))]",
        "[concat(createArray(variables('a{k}')), createArray(variables('a{k}')))]",
        "[union(createObject('l', variables('a{k}')), createObject('r', variables('a{k}')))]",
        {"l": "[variables('a{k}')]", "r": "[variables('a{k}')]"},
        ["[variables('a{k}')]", "[variables('a{k}')]"],
    ],
)
def test_shared_member_doubling(tmp_path: Path, level: Any) -> None:
    """A value whose members share one another doubles its size as a tree at each step while its
    memory grows by one object: any later walk (string(), equals(), the model) would take
    2^40 steps. Its size as a tree is capped."""
    variables: dict[str, Any] = {"a0": [1, 2]}
    for k in range(1, 41):
        variables[f"a{k}"] = json.loads(json.dumps(level).replace("{k}", str(k - 1)))
    v = _variables(tmp_path, variables, "a14", "a15", "a40")
    assert v["a14"].is_known
    what = "a value of more than 100,000 members in all (shared members counted each time)"
    assert v["a15"].reason == _exceeded("variables('a15')", what)
    assert not v["a40"].is_fully_known()  # built on the unknown a15


def test_value_nesting_is_capped(tmp_path: Path) -> None:
    """Each variable one level deeper than the last, worked out in order (so no evaluation is deep):
    the value itself may not nest past half the depth limit (walks over it start from deep
    evaluations)."""
    variables: dict[str, Any] = {"n0": "x"}
    for k in range(1, 151):
        variables[f"n{k}"] = f"[createArray(variables('n{k - 1}'))]"
    names = [f"n{k}" for k in range(151)]
    v = _variables(tmp_path, variables, *names)
    assert v["n100"].is_known
    assert v["n101"].reason == _exceeded("variables('n101')", "a value nested more than 100 levels deep")


def test_deep_evaluation_is_capped(tmp_path: Path) -> None:
    """A chain of 1,000 variables each using the next, worked out from the top: evaluation depth."""
    variables: dict[str, Any] = {"c1000": "x"}
    for k in range(1000):
        variables[f"c{k}"] = f"[concat(variables('c{k + 1}'), 'y')]"
    v = _variables(tmp_path, variables, "c0")["c0"]
    assert v.reason.startswith("concat() of an unknown value: evaluation budget exceeded in variables('c")
    assert v.reason.endswith("'): nested more than 200 levels deep")


# -- loops, user functions, lambdas, nested deployments -------------------------------------------


def test_resource_copy_over_the_limit_is_one_unknown_instance(tmp_path: Path) -> None:
    res = _apim("[concat('apim', copyIndex())]", customProperties={TLS10: "True"})
    res["copy"] = {"name": "many", "count": 100_000_000}
    r = _load(_template(tmp_path, resources=[res]))
    (one,) = r.resources
    assert one.address.endswith("#[concat('apim', copyIndex())][*]")
    assert one.body.path("properties", "customProperties", TLS10).data == "True"
    name = one.body.get("name")
    assert name.is_unknown
    assert _exceeded("copy loop of many", "100,000,000 instances (limit 1,000)") in name.reason


def test_variable_and_property_copy_over_the_limit(tmp_path: Path) -> None:
    big = {"name": "disks", "count": 5000, "input": {"lun": "[copyIndex('disks')]"}}
    ok = {"name": "nics", "count": 3, "input": "[copyIndex('nics', 1)]"}
    variables = {"copy": [{"name": "many", "count": 100_000_000, "input": "x"}]}
    res = _apim(storage={"copy": [big, ok]}, many="[variables('many')]")
    r = _load(_template(tmp_path, variables=variables, resources=[res]))
    props = r.resources[0].body.get("properties")
    assert props.path("storage", "nics").py() == [1, 2, 3]
    assert props.path("storage", "disks").reason == _exceeded(
        "apim.properties.storage.disks", "5,000 instances (limit 1,000)"
    )
    assert props.get("many").reason == _exceeded("variables('many')", "100,000,000 instances (limit 1,000)")


@pytest.mark.parametrize(
    ("search", "spent"),
    [
        ("contains(variables('big'), 'zz')", "more than 200,000 evaluation steps in this unit"),
        ("equals(variables('big'), variables('big2'))", "more than 200,000 evaluation steps in this unit"),
        ("json(variables('doc'))", "more than 200,000 evaluation steps in this unit"),
        (
            "split(variables('big'), createArray('zz', 'yy'))",
            "more than 200,000 evaluation steps in this unit",
        ),
        (
            "union(createArray(variables('big')), createArray(variables('big2')))",
            "more than 16 MB of strings built in this unit",
        ),
    ],
)
def test_reading_a_large_string_in_a_loop_is_work(tmp_path: Path, search: str, spent: str) -> None:
    """Reading builds nothing, so the bytes a unit may build do not bound it: a loop reading a
    megabyte 10,000 times is charged by what it reads (here against a smaller work allowance)."""
    big = "a" * (1024 * 1024)
    loop = f"[map(range(0, 10000), lambda('i', {search}))]"
    variables = {"big": big, "big2": big[:-1] + "b", "doc": json.dumps({"a": big}), "x": loop}
    v = _variables(
        tmp_path, variables, "x", limits=budget.Limits(work=200_000, built_bytes=16 * 1024 * 1024)
    )["x"]
    assert v.reason == _exceeded("variables('x')", spent)


def test_user_function_recursion(tmp_path: Path) -> None:
    functions = [
        {
            "namespace": "ns",
            "members": {
                "loop": {
                    "parameters": [{"name": "x", "type": "string"}],
                    "output": {"type": "string", "value": "[concat(ns.loop(parameters('x')), ns.loop('b'))]"},
                },
                "twice": {
                    "parameters": [{"name": "x", "type": "string"}],
                    "output": {"type": "string", "value": "[concat(parameters('x'), parameters('x'))]"},
                },
            },
        }
    ]
    v = _variables(tmp_path, {"r": "[ns.loop('a')]", "t": "[ns.twice('ab')]"}, "r", "t", functions=functions)
    assert v["t"].data == "abab"
    assert v["r"].reason == _exceeded("variables('r')", "nested more than 200 levels deep")


def test_lambda_reduce_doubling(tmp_path: Path) -> None:
    expr = (
        "[reduce(range(0, 40), 'ab', lambda('s', 'i', concat(lambdaVariables('s'), lambdaVariables('s'))))]"
    )
    keep = "filter(range(0, 5), lambda('i', greater(lambdaVariables('i'), 2)))"
    small = f"[map({keep}, lambda('i', mul(lambdaVariables('i'), 10)))]"
    v = _variables(tmp_path, {"r": expr, "m": small}, "r", "m")
    assert v["m"].py() == [30, 40]
    assert v["r"].reason == _exceeded("variables('r')", _string_over(2**22 * 2))


def _nest(inner: dict, levels: int) -> dict:
    for level in range(levels):
        dep = {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": f"d{level}",
            "properties": {"mode": "Incremental", "template": inner},
        }
        inner = {"$schema": SCHEMA, "resources": [dep]}
    return inner


def test_deeply_nested_deployments_are_evaluated(tmp_path: Path) -> None:
    """Nested deployments past 8 levels were silently left out; 45 (the most a template's JSON
    nesting allows, with the gateway inside) are read."""
    doc = _nest({"$schema": SCHEMA, "resources": [_apim("deep", customProperties={TLS10: "True"})]}, 45)
    r = _load(_write(tmp_path / "t.json", doc))
    assert r.diagnostics == []
    (gw,) = [x for x in r.resources if x.type == "Microsoft.ApiManagement/service"]
    assert gw.address.endswith(
        "#deployment.d44." + ".".join(f"deployment.d{k}" for k in range(43, -1, -1)) + ".deep"
    )
    assert gw.body.path("properties", "customProperties", TLS10).data == "True"


def test_copies_of_a_deployment_named_at_deployment_time_have_distinct_addresses(tmp_path: Path) -> None:
    """Each instance of a deployment loop whose name is known only at deployment (uniqueString) is
    told apart by its index: the resources inside them shared one address before."""
    inner = {"$schema": SCHEMA, "resources": [_apim("gw")]}
    dep = _deployments(inner, 3)
    dep["name"] = "[concat('d', uniqueString(resourceGroup().id), copyIndex())]"
    r = _load(_template(tmp_path, resources=[dep]))
    gws = sorted(
        x.address.split("#", 1)[1] for x in r.resources if x.type == "Microsoft.ApiManagement/service"
    )
    assert gws == [
        f"deployment.[concat('d', uniqueString(resourceGroup().id), copyIndex())][{i}].gw" for i in range(3)
    ]


def test_nested_deployment_depth_is_capped() -> None:
    """Past the depth limit (unreachable from a JSON file, whose nesting is capped first) a nested
    deployment is not loaded, and the template is reported as partly read."""
    doc = _nest({"$schema": SCHEMA, "resources": [_apim("deep")]}, 60)
    b = budget.Budget(unit="t.json")
    out = Output()
    with b.active():
        Template(Value.of(doc), "t.json", out, budget=b).load()
    assert not any(x.type == "Microsoft.ApiManagement/service" for x in out.resources)
    (d,) = out.diagnostics
    assert d.partial and d.message.startswith(
        "evaluation budget exceeded in the nested deployment deployment.d59."
    )
    assert d.message.endswith(": nested more than 200 levels deep")


def test_expression_nesting_is_a_diagnostic(tmp_path: Path) -> None:
    deep = "[" + "concat(" * 300 + "'a'" + ")" * 300 + "]"
    r = _load(_template(tmp_path, resources=[_apim(x=deep)]))
    (d,) = r.diagnostics
    assert d.partial and "expression nested too deeply" in d.message
    assert r.resources[0].body.path("properties", "x").reason == "template expression not understood"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("[add(1, " + "9" * 5000 + ")]", "number too long"),
        ("[add(1.2.3, 1)]", "malformed number"),
        ("[add(1, ²)]", "unexpected '²'"),
    ],
)
def test_malformed_numbers_are_diagnostics(tmp_path: Path, expression: str, message: str) -> None:
    r = _load(_template(tmp_path, resources=[_apim(x=expression)]))
    (d,) = r.diagnostics
    assert d.partial and message in d.message


def test_json_nesting_of_a_template(tmp_path: Path) -> None:
    deep: Any = "x"
    for _ in range(250):
        deep = {"a": deep}
    r = _load(_template(tmp_path, resources=[_apim(x=deep)]))
    assert r.resources == []
    (d,) = r.diagnostics
    assert not d.partial and d.message.startswith("invalid JSON: nesting deeper than 200 levels")


def test_a_junk_property_does_not_hide_a_violation(tmp_path: Path) -> None:
    """A member over the budget is unknown alone: its siblings (the TLS 1.0 setting) still count."""
    res = _apim(junk="[padLeft('', 999999999, 'x')]", customProperties={TLS10: "True"})
    _template(tmp_path, resources=[res])
    result = scan(ScanOptions(paths=[str(tmp_path)]))
    assert "IAC101" in {f.rule_id for f in result.findings}
    junk = _load(tmp_path / "t.json").resources[0].body.path("properties", "junk")
    assert junk.reason == _exceeded("apim.properties.junk", _string_over(999_999_999))


# -- reading: parameter files, special files, sizes ------------------------------------------------


def test_parameters_file_beside_the_template(tmp_path: Path) -> None:
    t = _template(
        tmp_path,
        parameters={"p": {"type": "string", "defaultValue": "d"}},
        resources=[_apim(x="[parameters('p')]")],
    )
    _write(
        tmp_path / "t.parameters.json", {"$schema": PARAMS_SCHEMA, "parameters": {"p": {"value": "given"}}}
    )
    assert _load(t).resources[0].body.path("properties", "x").data == "given"


def test_deeply_nested_parameters_file_is_a_diagnostic(tmp_path: Path) -> None:
    t = _template(
        tmp_path,
        parameters={"p": {"type": "string", "defaultValue": "d"}},
        resources=[_apim(x="[parameters('p')]")],
    )
    (tmp_path / "t.parameters.json").write_text(
        '{"parameters": {"p": {"value": ' + "[" * 100_000 + "]" * 100_000 + "}}}"
    )
    r = _load(t)
    (d,) = r.diagnostics
    assert d.path.endswith("t.parameters.json") and "nesting deeper than 200 levels" in d.message
    # The values the file would give cannot be known: not the template's defaults.
    x = r.resources[0].body.path("properties", "x")
    assert x.reason == "parameters file t.parameters.json could not be read"


def test_large_parameter_value_is_unknown(tmp_path: Path) -> None:
    t = _template(tmp_path, parameters={"p": {"type": "array"}}, resources=[_apim(x="[parameters('p')]")])
    _write(tmp_path / "t.parameters.json", {"parameters": {"p": {"value": list(range(100_001))}}})
    x = _load(t).resources[0].body.path("properties", "x")
    what = "a value of more than 100,000 members in all (shared members counted each time)"
    assert x.reason == _exceeded("parameters('p')", what)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_template_and_parameters_file_are_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "x.json"
    os.mkfifo(fifo)
    r = _load(fifo)
    assert [d.message for d in r.diagnostics] == ["a named pipe (FIFO), not a regular file; not read"]
    t = _template(
        tmp_path,
        parameters={"p": {"type": "string", "defaultValue": "d"}},
        resources=[_apim(x="[parameters('p')]")],
    )
    os.mkfifo(tmp_path / "t.parameters.json")
    r = _load(t)
    assert [(Path(d.path).name, d.message) for d in r.diagnostics] == [
        ("t.parameters.json", "a named pipe (FIFO), not a regular file; not read")
    ]
    assert (
        r.resources[0].body.path("properties", "x").reason
        == "parameters file t.parameters.json could not be read"
    )
    # A --parameter-file is read wherever it is, but still only as a regular file.
    os.mkfifo(tmp_path / "given.parameters.json")
    opts = ScanOptions(paths=[str(tmp_path)], arm_parameter_files=[str(tmp_path / "given.parameters.json")])
    names = sorted(Path(d.path).name for d in _load(t, opts).diagnostics)
    assert names == ["given.parameters.json", "t.parameters.json"]  # then the one beside is tried


def test_parameters_file_outside_the_scan_root_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.json").write_text('{"parameters": {"p": {"value": "TOKEN-123"}}}')
    scanned = tmp_path / "infra"
    scanned.mkdir()
    t = _template(
        scanned,
        parameters={"p": {"type": "string", "defaultValue": "d"}},
        resources=[_apim(x="[parameters('p')]")],
    )
    (scanned / "t.parameters.json").symlink_to(tmp_path / "secret.json")
    r = _load(t, ScanOptions(paths=[str(scanned)]))
    (d,) = r.diagnostics
    assert d.message == "outside the scanned tree, which iaclint never reads"
    x = r.resources[0].body.path("properties", "x")
    assert x.is_unknown and "TOKEN" not in x.reason
    # A --parameter-file is the user's choice: read wherever it is.
    opts = ScanOptions(paths=[str(scanned)], arm_parameter_files=[str(tmp_path / "secret.json")])
    (tmp_path / "secret.json").write_text(
        json.dumps({"$schema": PARAMS_SCHEMA, "parameters": {"p": {"value": "v"}}})
    )
    assert _load(t, opts).resources[0].body.path("properties", "x").data == "v"


def test_template_over_the_size_limit_is_a_failed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = _template(tmp_path, resources=[_apim(customProperties={TLS10: "True"})])
    monkeypatch.setattr(budget, "LIMITS", budget.Limits(file_bytes=100))
    r = _load(t)
    assert r.resources == []
    (d,) = r.diagnostics
    assert not d.partial and d.message.startswith("file is larger than")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_scan_with_fifo_and_oversized_templates_fails_them(tmp_path: Path) -> None:
    """Through the whole scan, in a process of its own with a timeout (a FIFO blocked forever): a
    FIFO named x.json and an ARM template over the size limit are failed files, exit 1, not
    skips that let their violations pass."""
    src = tmp_path / "src"
    src.mkdir()
    os.mkfifo(src / "x.json")
    big = src / "big.json"
    big.write_text('{"$schema": "' + SCHEMA + '", "resources": [')
    os.truncate(big, LIMITS.file_bytes + 1)  # sparse: nothing is written past the head
    out = tmp_path / "out.json"
    args = [sys.executable, "-m", "iaclint", "scan", str(src), "--format", "json", "--output", str(out)]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr[-2000:]
    files = {Path(f["path"]).name: (f["status"], f["reason"]) for f in json.loads(out.read_text())["files"]}
    assert files["x.json"] == ("failed", "a named pipe (FIFO), not a regular file; not read")
    assert files["big.json"][0] == "failed" and "larger than" in files["big.json"][1]


def test_subscription_scope_template_is_read(tmp_path: Path) -> None:
    """`subscriptionDeploymentTemplate.json` (and the management group and tenant schemas) name
    ARM templates too: the loader reads them (discovery must send them; see the report)."""
    schema = "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
    t = _write(
        tmp_path / "sub.json", {"$schema": schema, "resources": [_apim(customProperties={TLS10: "True"})]}
    )
    r = _load(t)
    assert [x.type for x in r.resources] == ["Microsoft.ApiManagement/service"] and r.skipped == {}


# -- internal errors are not diagnostics ------------------------------------------------------------


def test_a_bug_in_a_function_is_an_internal_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from iaclint.engine import InternalError

    def broken(args: list[Value], span: Any) -> Value:
        raise KeyError("bug")

    monkeypatch.setitem(fns._TABLE, "concat", broken)
    _template(tmp_path, resources=[_apim(x="[concat('a', 'b')]")])
    with pytest.raises(InternalError, match=r"t\.json: KeyError"):
        scan(ScanOptions(paths=[str(tmp_path)]))


# -- the worst cases, in a subprocess with a ceiling -------------------------------------------------

# A scan in a process of its own under a memory and CPU ceiling, with some limits lowered (the
# mechanism is the same at any size; the shipped limits take longer to reach).
_BOUNDED = textwrap.dedent(
    """
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024,) * 2)
    resource.setrlimit(resource.RLIMIT_CPU, (60, 60))
    from iaclint import budget
    budget.LIMITS = budget.Limits(**json.loads(sys.argv[3]))
    from iaclint.cli import main
    sys.exit(main(["scan", sys.argv[1], "--format", "json", "--output", sys.argv[2]]))
    """
)


def _bounded_scan(tmp_path: Path, doc: dict, limits: dict, timeout: float = 60) -> tuple[int, dict]:
    src = tmp_path / "src"
    src.mkdir()
    _write(src / "t.json", doc)
    out = tmp_path / "out.json"
    args = [sys.executable, "-c", _BOUNDED, str(src), str(out), json.dumps(limits)]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return proc.returncode, json.loads(out.read_text())


def _deployments(inner: dict, count: int) -> dict:
    return {
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": "[concat('d', copyIndex())]",
        "copy": {"name": "fan", "count": count},
        "properties": {
            "mode": "Incremental",
            "expressionEvaluationOptions": {"scope": "inner"},
            "template": inner,
        },
    }


def test_nested_deployment_fan_out_is_bounded(tmp_path: Path) -> None:
    """1,000 deployments of 1,000 deployments of 1,000 deployments of 1,000 gateways: each loop is
    within its own limit, the unit's resources are not (it took 210 s and 8.5 GB)."""
    leaf = _apim("[concat('a', copyIndex())]", customProperties={TLS10: "True"})
    leaf["copy"] = {"name": "x", "count": 1000}
    doc: dict = {"$schema": SCHEMA, "resources": [leaf]}
    for _ in range(3):
        doc = {"$schema": SCHEMA, "resources": [_deployments(doc, 1000)]}
    code, report = _bounded_scan(tmp_path, doc, {"resources": 500})
    assert code == 1
    parse = [f for f in report["findings"] if f["rule_id"] == "IAC001"]
    assert [f["message"] for f in parse] == [
        "evaluation budget exceeded (more than 500 resources in this unit); values evaluated after it"
        " are unknown (file partly read)"
    ]
    assert sum(f["rule_id"] == "IAC101" for f in report["findings"]) == 500 - 3  # 3 are deployments


def test_lambda_bomb_is_bounded(tmp_path: Path) -> None:
    """10,000 x 10,000 lambda calls: the unit's work allowance ends it."""
    bomb = "[map(range(0, 10000), lambda('i', map(range(0, 10000), lambda('j', lambdaVariables('j')))))]"
    doc = {
        "$schema": SCHEMA,
        "variables": {"b": bomb},
        "resources": [_apim(x="[variables('b')]", customProperties={TLS10: "True"})],
    }
    code, report = _bounded_scan(tmp_path, doc, {"work": 100_000})
    assert code == 1
    parse = [f["message"] for f in report["findings"] if f["rule_id"] == "IAC001"]
    assert parse == [
        "evaluation budget exceeded (more than 100,000 evaluation steps in this unit); values evaluated"
        " after it are unknown (file partly read)"
    ]


# -- the same function table under the Bicep loader -------------------------------------------------


BICEP = """\
var k = '{k}'
var pad = padLeft('', 999999999, 'x')
var sq1 = replace(k, 'a', k)
var sq2 = replace(sq1, 'a', sq1)
resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {{
  name: 'apim'
  location: 'westeurope'
  sku: {{ name: 'Developer', capacity: 1 }}
  properties: {{
    publisherEmail: 'ops@example.com'
    publisherName: 'Ops'
    pad: pad
    sq1: length(sq1)
    sq2: sq2
    customProperties: {{ '{tls}': 'True' }}
  }}
}}
"""


def test_bicep_padleft_and_replace_squaring(tmp_path: Path) -> None:
    """The shared functions charge the Bicep loader's budget too: `padLeft` and `replace` squaring
    are unknown with the reason, and the TLS 1.0 setting beside them is still reported."""
    from iaclint.lang import bicep

    src = tmp_path / "src"
    src.mkdir()
    main = src / "main.bicep"
    main.write_text(BICEP.format(k="a" * 2048, tls=TLS10))
    (res,) = bicep.load([Unit("bicep", main, (main,))], None).resources
    props = res.body.get("properties")
    assert props.get("sq1").data == 2048 * 2048
    assert props.get("pad").is_unknown and props.get("pad").reason.startswith(
        "evaluation budget exceeded in "
    )
    assert props.get("pad").reason.endswith(_string_over(999_999_999))
    assert props.get("sq2").is_unknown and props.get("sq2").reason.endswith(_string_over((2048 * 2048) ** 2))
    result = scan(ScanOptions(paths=[str(src)]))
    assert "IAC101" in {f.rule_id for f in result.findings if not f.unknown}
