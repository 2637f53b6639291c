"""Grammar-aware Bicep input: params, vars, user functions, resources (loops, conditions, parents,
nested children), modules (loops, cycles, missing and outside paths), outputs, `.bicepparam` files
and loaded text, from an expression grammar with lambdas, `for` expressions, string interpolation,
the load functions, and the constructs that double, square or recurse."""

from __future__ import annotations

from fuzz_atoms import (
    SPECIAL_FILES,
    counts,
    format_strings,
    identifiers,
    numbers,
    odd_files,
    pick,
    read_paths,
    short_text,
)
from fuzzkit import Case
from hypothesis import strategies as st

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
    "items": 1,
    "objectKeys": 1,
    "flatten": 1,
    "min": 2,
    "max": 2,
    "indexOf": 2,
    "lastIndexOf": 2,
    "startsWith": 2,
    "endsWith": 2,
    "trim": 1,
    "uniqueString": 2,
    "guid": 2,
    "resourceId": 2,
    "subscriptionResourceId": 2,
    "tenantResourceId": 2,
    "environment": 0,
    "subscription": 0,
    "resourceGroup": 0,
    "deployment": 0,
    "any": 1,
    "coalesce": 2,
    "dataUri": 1,
    "uri": 2,
    "utcNow": 0,
    "newGuid": 0,
    "shallowMerge": 1,
    "tryGet": 2,
    "parseCidr": 1,
    "sys.concat": 2,
    "az.resourceGroup": 0,
    "noSuchFunction": 1,
}
LAMBDA_FUNCTIONS = ["map", "filter", "reduce", "sort", "toObject", "groupBy", "mapValues"]
TLS10 = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10"
LOAD_FUNCTIONS = ["loadTextContent", "loadFileAsBase64", "loadJsonContent", "loadYamlContent"]
OPS = ["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "??", "=~", "!~"]


def _s(text: str) -> str:
    """A Bicep single-quoted string for `text` (escapes for quote, backslash, `${` and newlines)."""
    out = text.replace("\\", "\\\\").replace("'", "\\'").replace("${", "\\${")
    return "'" + out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "'"


@st.composite
def expr(draw: st.DrawFn, names: tuple[str, ...] = (), depth: int = 0) -> str:
    if depth >= 4 or draw(st.integers(0, 3)) == 0:
        kind = draw(st.integers(0, 5))
        if kind == 0:
            return draw(numbers).lstrip("-") if draw(st.booleans()) else draw(numbers)
        if kind == 1:
            return _s(draw(short_text))
        if kind == 2 and names:
            return draw(st.sampled_from(names))
        if kind == 3:
            return draw(st.sampled_from(["true", "false", "null", "[]", "{}", "'True'", "'False'"]))
        if kind == 4:
            return "'''multi\nline ${not} interpolated'''"
        return _s(draw(st.sampled_from(["True", "Tls10", "x", ""])))
    sub = expr(names, depth + 1)
    kind = draw(st.integers(0, 15))
    if kind == 0:
        return f"{draw(sub)} {draw(pick(OPS))} {draw(sub)}"
    if kind == 1:
        return f"{draw(sub)} ? {draw(sub)} : {draw(sub)}"
    if kind == 2:
        items = draw(st.lists(sub, max_size=4))
        sep = draw(st.sampled_from(["\n", ", "]))
        return "[\n" + "\n".join(items) + "\n]" if sep == "\n" else "[" + ", ".join(items) + "]"
    if kind == 3:
        keys = draw(st.lists(st.one_of(identifiers, short_text.map(_s)), max_size=3))
        return "{\n" + "\n".join(f"{k}: {draw(sub)}" for k in keys) + "\n}"
    if kind == 4:
        return f"'${{{draw(sub)}}}${{{draw(sub)}}}'"
    if kind == 5:
        v = draw(identifiers)
        head = f"({v}, i)" if draw(st.booleans()) else v
        return f"[for {head} in {draw(sub)}: {draw(st.sampled_from([v, draw(sub)]))}]"
    if kind == 6:
        fn = draw(st.sampled_from(LAMBDA_FUNCTIONS))
        v = draw(identifiers)
        body = draw(st.sampled_from([v, f"'${{{v}}}${{{v}}}'", draw(sub)]))
        if fn == "reduce":
            step = draw(st.sampled_from(["acc", body, "concat(acc, acc)"]))
            return f"reduce({draw(sub)}, {draw(sub)}, (acc, {v}) => {step})"
        return f"{fn}({draw(sub)}, {v} => {body})"
    if kind == 7:
        return f"{draw(sub)}[{draw(sub)}]"
    if kind == 8:
        return f"{draw(sub)}.{draw(identifiers)}"
    if kind == 9:
        return f"{draw(sub)}[?{draw(sub)}]" if draw(st.booleans()) else f"{draw(sub)}!.{draw(identifiers)}"
    if kind == 10:
        return f"({draw(sub)})"
    if kind == 11:
        return f"{draw(st.sampled_from(['!', '-']))}{draw(sub)}"
    if kind == 12:
        return f"{draw(st.sampled_from(LOAD_FUNCTIONS))}({_s(draw(read_paths))})"
    if kind == 13:
        return draw(bomb(names))
    if kind == 14:
        return f"format({_s(draw(format_strings))}, {draw(sub)}, {draw(sub)})"
    fn = draw(st.sampled_from(sorted(FUNCTIONS)))
    arity = draw(st.sampled_from([FUNCTIONS[fn], FUNCTIONS[fn], 0, 1, 4]))
    return f"{fn}({', '.join(draw(sub) for _ in range(arity))})"


@st.composite
def bomb(draw: st.DrawFn, names: tuple[str, ...] = ()) -> str:
    n = draw(counts).lstrip("-")
    kind = draw(st.integers(0, 6))
    if kind == 0:
        return f"padLeft('x', {n})"
    if kind == 1:
        return f"map(range(0, {n}), i => map(range(0, {n}), j => j))"
    if kind == 2:
        return (
            f"reduce(range(0, {min(int(n), 64) if len(n) < 6 else 64}), 'ab', (acc, i) => '${{acc}}${{acc}}')"
        )
    if kind == 3:
        return f"length(range(0, {n}))"
    if kind == 4:
        return "(" * 300 + "1" + ")" * 300
    if kind == 5:
        return "[" * 300 + "]" * 300
    return f"string(range(0, {n}))"


@st.composite
def resource(draw: st.DrawFn, names: tuple[str, ...], symbol: str) -> str:
    rtype = draw(
        st.sampled_from(
            [
                "Microsoft.ApiManagement/service@2023-05-01-preview",
                "Microsoft.ApiManagement/service/apis@2023-05-01-preview",
                "Microsoft.ApiManagement/service/apis/policies@2023-05-01-preview",
                "Microsoft.Network/frontDoors@2021-06-01",
                "Microsoft.Network/applicationGateways@2023-04-01",
                "Microsoft.Web/sites@2022-09-01",
                "Foo/bar@1",
                "x",
            ]
        )
    )
    e = expr(names)
    body = [
        f"  name: {draw(e)}",
        "  location: 'westeurope'",
        "  properties: {",
        f"    customProperties: {{\n      '{TLS10}': {draw(e)}\n    }}",
        f"    value: {draw(e)}",
        f"    format: {draw(st.sampled_from(['rawxml', 'xml', 'xml-link', draw(e)]))}",
        f"    protocols: {draw(e)}",
        "  }",
    ]
    if draw(st.booleans()):
        body.append(f"  parent: {draw(st.sampled_from(['svc', 'missing', symbol]))}")
    if draw(st.integers(0, 3)) == 0:
        body.append(
            f"  resource child 'apis' = {{\n    name: {draw(e)}\n"
            f"    properties: {{\n      path: {draw(e)}\n    }}\n  }}"
        )
    inner = "{\n" + "\n".join(body) + "\n}"
    wrap = draw(st.integers(0, 3))
    if wrap == 1:
        inner = f"[for i in {draw(st.one_of(e, counts.map(lambda c: f'range(0, {c})')))}: {inner}]"
    elif wrap == 2:
        inner = f"if ({draw(e)}) {inner}"
    existing = " existing" if draw(st.integers(0, 5)) == 0 else ""
    decorator = draw(
        st.sampled_from(["", "@batchSize(1)\n", "@description('x')\n", "#disable-next-line x\n"])
    )
    return f"{decorator}resource {symbol} '{rtype}'{existing} = {inner}"


@st.composite
def bicep_file(draw: st.DrawFn, modules: tuple[str, ...]) -> str:
    params = [f"p{i}" for i in range(draw(st.integers(0, 3)))]
    vars_ = [f"v{i}" for i in range(draw(st.integers(0, 4)))]
    funcs = [f"f{i}" for i in range(draw(st.integers(0, 2)))]
    names = tuple(
        params + vars_ + [f"{f}('x')" for f in funcs] + ["svc.name", "svc.properties", "mod.outputs.o"]
    )
    lines = [
        draw(
            st.sampled_from(
                [
                    "",
                    "",
                    "",
                    "targetScope = 'resourceGroup'",
                    "targetScope = 'subscription'",
                    "metadata info = 'x'",
                    "import * as t from 'types.bicep'",
                    "extension microsoftGraph",
                ]
            )
        )
    ]
    for p in params:
        typ = draw(
            st.sampled_from(
                # Newer syntax (resourceInput<>) the grammar does not know yet: rarely.
                ["string", "string", "int", "bool", "array", "object", "string[]", "'a' | 'b'"] * 3
                + ["resourceInput<'x@1'>"]
            )
        )
        default = f" = {draw(expr(()))}" if draw(st.booleans()) else ""
        dec = draw(
            st.sampled_from(
                [
                    "",
                    "@secure()\n",
                    "@allowed([\n  'a'\n])\n",
                    "@minLength(1)\n",
                    "@maxValue(99999999999999999999)\n",
                ]
            )
        )
        lines.append(f"{dec}param {p} {typ}{default}")
    for v in vars_:
        lines.append(f"var {v} = {draw(expr(names))}")
    for i, f in enumerate(funcs):
        body = draw(
            st.sampled_from([f"{f}(s)", "'${s}${s}'", "s", f"f{(i + 1) % len(funcs)}(s)", draw(expr(("s",)))])
        )
        lines.append(f"func {f}(s string) string => {body}")
    if draw(st.integers(0, 3)) == 0:
        lines.append("var d0 = 'True'")
        step = draw(
            st.sampled_from(
                [
                    "'${{d{p}}}${{d{p}}}'",
                    "concat(d{p}, d{p})",
                    "replace(d{p}, 'T', d{p})",
                    "format('{{0}}{{0}}', d{p})",
                    "[\n  d{p}\n  d{p}\n]",
                ]
            )
        )
        levels = draw(st.integers(2, 45))
        for i in range(1, levels):
            lines.append(f"var d{i} = {step.format(p=i - 1)}")
        names = (*names, f"d{levels - 1}")
    lines.append(draw(resource(names, "svc")))
    for i in range(draw(st.integers(0, 2))):
        lines.append(draw(resource(names, f"r{i}")))
    for target in modules:
        loop = draw(st.integers(0, 2))
        body = f"{{\n  name: {draw(expr(names))}\n  params: {{\n    p0: {draw(expr(names))}\n  }}\n}}"
        if loop == 1:
            body = f"[for i in range(0, {draw(counts).lstrip('-')}): {body}]"
        lines.append(f"module mod '{target}' = {body}")
    lines.append(f"output o string = {draw(expr(names))}")
    return "\n\n".join(lines) + "\n"


@st.composite
def bicep_case(draw: st.DrawFn) -> Case:
    module_targets = draw(
        st.lists(
            st.sampled_from(
                [
                    "child.bicep",
                    "main.bicep",
                    "missing.bicep",
                    "../x.bicep",
                    "/etc/passwd",
                    "br:example.azurecr.io/x:1",
                    "odd/main.bicep",
                    "child.json",
                    "pipe.bicep",
                ]
            ),
            max_size=2,
        )
    )
    files: dict[str, str | bytes] = {"main.bicep": draw(bicep_file(tuple(module_targets)))}
    if "child.bicep" in module_targets or draw(st.booleans()):
        files["child.bicep"] = draw(
            bicep_file(draw(st.sampled_from([(), ("main.bicep",), ("child.bicep",)])))
        )
    if draw(st.booleans()):
        files["main.bicepparam"] = (
            f"using {draw(st.sampled_from(['./main.bicep', './missing.bicep', '../main.bicep', 'none']))!r}\n"
            f"param p0 = {draw(expr(()))}\nparam v0 = {draw(expr(()))}\n".replace('"', "'")
        )
    if draw(st.booleans()):
        files["data.txt"] = draw(
            st.sampled_from(["True", '{"a": 1}', "a: &a [*a]", "[" * 2000, "x" * 100_000])
        )
    if draw(st.integers(0, 4)) == 0:
        files["types.bicep"] = "@export()\ntype t = string\n"
    if draw(st.integers(0, 5)) == 0:
        junk = draw(st.sampled_from(["<a>", "x = ", "{", "'", "${", "/*"]))
        files["junk.bicep"] = junk * draw(st.sampled_from([10, 1000, 5000]))
    odd = draw(odd_files())
    files.update(odd["files"])  # type: ignore[arg-type]
    fifos = list(odd["fifos"])  # type: ignore[arg-type]
    if "pipe.bicep" in module_targets and SPECIAL_FILES:
        fifos.append("pipe.bicep")
    case = Case(files=files, fifos=fifos, links=odd["links"], dirs=odd["dirs"])  # type: ignore[arg-type]
    if "main.bicepparam" in files and draw(st.booleans()):
        case.options["bicep_parameter_files"] = ["main.bicepparam"]
    return case
