"""Grammar-aware ARM input: templates with parameters, variables (and variable copy loops), user
functions, resources with copy loops, conditions, nested child resources and nested deployments
(inner and outer scope, nested again), parameter files, built from an expression grammar over ARM's
functions with the constructs that double, square, recurse and fan out."""

from __future__ import annotations

import json
from typing import Any

from fuzz_atoms import counts, format_strings, identifiers, numbers, odd_files, short_text
from fuzzkit import Case
from hypothesis import strategies as st

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
PARAMS_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#"
TLS10 = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10"

FUNCTIONS = {
    "concat": 3,
    "format": 3,
    "padLeft": 3,
    "replace": 3,
    "split": 2,
    "join": 2,
    "range": 2,
    "length": 1,
    "union": 2,
    "intersection": 2,
    "take": 2,
    "skip": 2,
    "substring": 3,
    "toLower": 1,
    "toUpper": 1,
    "first": 1,
    "last": 1,
    "contains": 2,
    "empty": 1,
    "base64": 1,
    "base64ToString": 1,
    "json": 1,
    "string": 1,
    "int": 1,
    "bool": 1,
    "array": 1,
    "createArray": 3,
    "createObject": 4,
    "items": 1,
    "objectKeys": 1,
    "min": 2,
    "max": 2,
    "add": 2,
    "sub": 2,
    "mul": 2,
    "div": 2,
    "mod": 2,
    "if": 3,
    "and": 2,
    "or": 2,
    "not": 1,
    "equals": 2,
    "less": 2,
    "greater": 2,
    "coalesce": 2,
    "indexOf": 2,
    "startsWith": 2,
    "endsWith": 2,
    "trim": 1,
    "uniqueString": 2,
    "guid": 2,
    "resourceId": 2,
    "subscriptionResourceId": 2,
    "reference": 1,
    "list": 2,
    "listKeys": 2,
    "resourceGroup": 0,
    "subscription": 0,
    "deployment": 0,
    "environment": 0,
    "copyIndex": 1,
    "utcNow": 0,
    "dataUri": 1,
    "lambdaVariables": 1,
    "shallowMerge": 1,
    "tryGet": 2,
    "noSuchFunction": 1,
    "ns.f": 1,
    "ns.g": 2,
}
LAMBDA_FUNCTIONS = ["map", "filter", "reduce", "sort", "toObject", "groupBy", "mapValues"]


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@st.composite
def inner(draw: st.DrawFn, names: tuple[str, ...], depth: int = 0) -> str:
    """The text of an expression inside `[...]`."""
    if depth >= 4 or draw(st.integers(0, 3)) == 0:
        kind = draw(st.integers(0, 4))
        if kind == 0:
            return draw(numbers).lstrip("-")
        if kind == 1:
            return _q(draw(short_text))
        if kind == 2:
            return f"parameters({_q(draw(st.sampled_from(['p0', 'p1', 'missing'])))})"
        if kind == 3 and names:
            return f"variables({_q(draw(st.sampled_from(names)))})"
        return draw(
            st.sampled_from(
                ["true()", "false()", "null()", "json('null')", "createArray()", "createObject()"]
            )
        )
    sub = inner(names, depth + 1)
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return f"{draw(sub)}[{draw(sub)}]"
    if kind == 1:
        return f"{draw(sub)}.{draw(identifiers)}"
    if kind == 2:
        return f"{draw(sub)}[{_q(draw(short_text))}]"
    if kind == 3:
        fn = draw(st.sampled_from(LAMBDA_FUNCTIONS))
        v = draw(identifiers)
        if fn == "reduce":
            double = "concat(lambdaVariables('acc'), lambdaVariables('acc'))"
            return f"reduce({draw(sub)}, {draw(sub)}, lambda('acc', {_q(v)}, {double}))"
        body = draw(st.sampled_from([f"lambdaVariables({_q(v)})", draw(sub)]))
        return f"{fn}({draw(sub)}, lambda({_q(v)}, {body}))"
    if kind == 4:
        return f"format({_q(draw(format_strings))}, {draw(sub)}, {draw(sub)})"
    if kind == 5:
        n = draw(counts).lstrip("-")
        return draw(
            st.sampled_from(
                [
                    f"padLeft('x', {n})",
                    f"range(0, {n})",
                    f"length(range(0, {n}))",
                    f"string(range(0, {n}))",
                    f"map(range(0, {n}), lambda('i', range(0, {n})))",
                ]
            )
        )
    if kind == 6:
        return f"ns.f({draw(sub)})"
    fn = draw(st.sampled_from(sorted(FUNCTIONS)))
    arity = draw(st.sampled_from([FUNCTIONS[fn], FUNCTIONS[fn], 0, 1, 4]))
    return f"{fn}({', '.join(draw(sub) for _ in range(arity))})"


@st.composite
def value(draw: st.DrawFn, names: tuple[str, ...], depth: int = 0) -> Any:
    kind = draw(st.integers(0, 6 if depth < 3 else 3))
    if kind in (0, 1):
        text = draw(inner(names))
        return draw(st.sampled_from([f"[{text}]", f"[{text}]", f"[[{text}]", f"[{text}", f" [{text}]"]))
    if kind == 2:
        return draw(
            st.one_of(short_text, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
        )
    if kind == 3:
        return draw(st.sampled_from(["True", "False", "[parameters('p0')]", "[variables('d0')]"]))
    if kind == 4:
        return [draw(value(names, depth + 1)) for _ in range(draw(st.integers(0, 3)))]
    return {draw(identifiers): draw(value(names, depth + 1)) for _ in range(draw(st.integers(0, 3)))}


@st.composite
def template(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    var_names = [f"v{i}" for i in range(draw(st.integers(0, 3)))]
    variables: dict[str, Any] = {}
    if draw(st.integers(0, 2)) == 0:
        step = draw(
            st.sampled_from(
                [
                    "[concat(variables('d{p}'), variables('d{p}'))]",
                    "[replace(variables('d{p}'), 'T', variables('d{p}'))]",
                    "[format('{{0}}{{0}}', variables('d{p}'))]",
                    "[createArray(variables('d{p}'), variables('d{p}'))]",
                    "[union(variables('d{p}'), variables('d{p}'))]",
                    "[ns.g(variables('d{p}'), variables('d{p}'))]",
                ]
            )
        )
        variables["d0"] = draw(st.sampled_from(["True", "ab", "x" * 1000]))
        for i in range(1, draw(st.integers(2, 45))):
            variables[f"d{i}"] = step.format(p=i - 1)
    names = tuple(var_names + list(variables))
    for v in var_names:
        variables[v] = draw(value(names))
    if draw(st.integers(0, 3)) == 0:
        variables["copy"] = [
            {
                "name": "big",
                "count": draw(st.one_of(counts.map(int), value(names))),
                "input": "[copyIndex('big')]",
            }
        ]
    resources: list[Any] = []
    svc: dict[str, Any] = {
        "type": draw(
            st.sampled_from(["Microsoft.ApiManagement/service", "Microsoft.Network/frontDoors", "x"])
        ),
        "apiVersion": "2023-05-01-preview",
        "name": draw(
            st.sampled_from(["apim", "[parameters('p0')]", "[variables('d0')]", draw(value(names))])
        ),
        "properties": {"customProperties": {TLS10: draw(value(names))}, "publisherEmail": draw(value(names))},
    }
    if draw(st.booleans()):
        svc["copy"] = {"name": "c", "count": draw(st.one_of(counts.map(lambda c: int(c)), value(names)))}
    if draw(st.booleans()):
        svc["condition"] = draw(value(names))
    if draw(st.booleans()):
        svc["resources"] = [
            {
                "type": "apis",
                "apiVersion": "2023-05-01-preview",
                "name": draw(value(names)),
                "properties": {"protocols": draw(value(names)), "path": draw(value(names))},
            }
        ]
    resources.append(svc)
    if draw(st.booleans()):
        resources.append(
            {
                "type": "Microsoft.ApiManagement/service/apis/policies",
                "apiVersion": "2023-05-01-preview",
                "name": draw(value(names)),
                "properties": {
                    "format": draw(st.sampled_from(["rawxml", "xml", "xml-link", "x"])),
                    "value": draw(value(names)),
                },
            }
        )
    if depth < 3 and draw(st.integers(0, 2)) == 0:
        nested = {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": draw(value(names)),
            "properties": {
                "mode": "Incremental",
                "expressionEvaluationOptions": {"scope": draw(st.sampled_from(["inner", "outer", "x"]))},
                "parameters": {"p0": {"value": draw(value(names))}},
                "template": draw(template(depth + 1)),
            },
        }
        if draw(st.booleans()):
            nested["copy"] = {"name": f"fan{depth}", "count": draw(st.one_of(counts.map(int), value(names)))}
        resources.append(nested)
    doc: dict[str, Any] = {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {
            "p0": {
                "type": draw(st.sampled_from(["string", "int", "array", "object", "securestring", "x"])),
                "defaultValue": draw(value(names)),
            },
            "p1": {"type": "string", "allowedValues": draw(value(names))},
        },
        "variables": variables,
        "resources": resources,
        "outputs": {"o": {"type": "string", "value": draw(value(names))}},
    }
    if draw(st.booleans()):
        body = draw(
            st.sampled_from(
                [
                    "[ns.f(parameters('s'))]",
                    "[concat(parameters('s'), parameters('s'))]",
                    "[ns.g(parameters('s'), parameters('s'))]",
                    "[parameters('s')]",
                ]
            )
        )
        doc["functions"] = [
            {
                "namespace": "ns",
                "members": {
                    "f": {
                        "parameters": [{"name": "s", "type": "string"}],
                        "output": {"type": "string", "value": body},
                    },
                    "g": {
                        "parameters": [{"name": "s", "type": "string"}, {"name": "t", "type": "string"}],
                        "output": {
                            "type": "string",
                            "value": "[concat(ns.f(parameters('s')), parameters('t'))]",
                        },
                    },
                },
            }
        ]
    if draw(st.integers(0, 4)) == 0:
        doc["languageVersion"] = "2.0"
        doc["resources"] = {f"r{i}": r for i, r in enumerate(resources)}
    return doc


@st.composite
def arm_case(draw: st.DrawFn) -> Case:
    doc = draw(template())
    text = json.dumps(doc, indent=draw(st.sampled_from([None, 1])))
    if draw(st.integers(0, 6)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    files: dict[str, str | bytes] = {"azuredeploy.json": text}
    if draw(st.booleans()):
        files["azuredeploy.parameters.json"] = json.dumps(
            {
                "$schema": PARAMS_SCHEMA,
                "contentVersion": "1.0.0.0",
                "parameters": draw(
                    st.sampled_from(
                        [
                            {"p0": {"value": draw(value(()))}},
                            {"p0": {"reference": {"keyVault": {"id": "x"}, "secretName": "s"}}},
                            {"p0": "not an object"},
                            [],
                            {"p0": {"value": "[" * 2000 + "]" * 2000}},
                        ]
                    )
                ),
            }
        )
    odd = draw(odd_files())
    files.update(odd["files"])  # type: ignore[arg-type]
    case = Case(files=files, fifos=odd["fifos"], links=odd["links"], dirs=odd["dirs"])  # type: ignore[arg-type]
    if "azuredeploy.parameters.json" in files and draw(st.booleans()):
        case.options["arm_parameter_files"] = ["azuredeploy.parameters.json"]
    return case
