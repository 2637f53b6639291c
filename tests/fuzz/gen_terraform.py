"""Grammar-aware Terraform input: modules in HCL and in `.tf.json`, tfvars, templates, child
modules, built from an expression grammar biased toward what blows up an evaluator (doubling
chains through locals, huge widths and counts, nested `range`, `for` expressions, decoders fed
bombs, hostile regular expressions, reads outside the tree, deep nesting)."""

from __future__ import annotations

import json
from typing import Any

from fuzz_atoms import (
    EVIL_SUBJECTS,
    counts,
    format_strings,
    identifiers,
    numbers,
    odd_files,
    patterns,
    pick,
    read_paths,
    short_text,
)
from fuzzkit import Case
from hypothesis import strategies as st

# Function name -> how many arguments it usually takes (the generator also tries other counts).
FUNCTIONS = {
    "abs": 1,
    "ceil": 1,
    "floor": 1,
    "log": 2,
    "max": 3,
    "min": 3,
    "parseint": 2,
    "pow": 2,
    "signum": 1,
    "chomp": 1,
    "endswith": 2,
    "format": 3,
    "formatlist": 3,
    "indent": 2,
    "join": 2,
    "lower": 1,
    "regex": 2,
    "regexall": 2,
    "replace": 3,
    "split": 2,
    "startswith": 2,
    "strcontains": 2,
    "strrev": 1,
    "substr": 3,
    "title": 1,
    "trim": 2,
    "trimprefix": 2,
    "trimsuffix": 2,
    "trimspace": 1,
    "upper": 1,
    "alltrue": 1,
    "anytrue": 1,
    "chunklist": 2,
    "coalesce": 2,
    "coalescelist": 2,
    "compact": 1,
    "concat": 3,
    "contains": 2,
    "distinct": 1,
    "element": 2,
    "flatten": 1,
    "index": 2,
    "keys": 1,
    "length": 1,
    "lookup": 3,
    "matchkeys": 3,
    "merge": 3,
    "one": 1,
    "range": 3,
    "reverse": 1,
    "setintersection": 2,
    "setproduct": 2,
    "setsubtract": 2,
    "setunion": 2,
    "slice": 3,
    "sort": 1,
    "sum": 1,
    "transpose": 1,
    "values": 1,
    "zipmap": 2,
    "base64decode": 1,
    "base64encode": 1,
    "csvdecode": 1,
    "jsondecode": 1,
    "jsonencode": 1,
    "textdecodebase64": 2,
    "textencodebase64": 2,
    "urlencode": 1,
    "yamldecode": 1,
    "yamlencode": 1,
    "abspath": 1,
    "dirname": 1,
    "pathexpand": 1,
    "basename": 1,
    "file": 1,
    "fileexists": 1,
    "fileset": 2,
    "filebase64": 1,
    "templatefile": 2,
    "can": 1,
    "nonsensitive": 1,
    "sensitive": 1,
    "tobool": 1,
    "tolist": 1,
    "tomap": 1,
    "tonumber": 1,
    "toset": 1,
    "tostring": 1,
    "try": 2,
    "type": 1,
    "md5": 1,
    "sha1": 1,
    "sha256": 1,
    "sha512": 1,
    "uuid": 0,
    "timestamp": 0,
    "cidrsubnet": 3,
    "cidrhost": 2,
    "strrep": 2,
    "no_such_function": 1,
}

REFS = [
    "path.module",
    "path.root",
    "path.cwd",
    "each.key",
    "each.value",
    "count.index",
    "self.x",
    "terraform.workspace",
    "module.child.out",
    "data.aws_iam_policy_document.p.json",
    "aws_api_gateway_domain_name.d.domain_name",
    "aws_api_gateway_domain_name.d[0].id",
    "var.missing",
]

OPS = ["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"]


def _string(text: str) -> str:
    """An HCL quoted string for `text` (escapes kept; `${` and `%{` escaped)."""
    out = json.dumps(text, ensure_ascii=False)
    return out.replace("${", "$${").replace("%{", "%%{")


@st.composite
def expr(draw: st.DrawFn, names: tuple[str, ...] = (), depth: int = 0) -> str:
    """One HCL expression; `names` are references in scope (locals, variables)."""
    leaf = depth >= 4 or draw(st.integers(0, 3)) == 0
    if leaf:
        kind = draw(st.integers(0, 6))
        if kind == 0:
            return draw(numbers)
        if kind == 1:
            return _string(draw(short_text))
        if kind == 2 and names:
            return draw(st.sampled_from(names))
        if kind == 3:
            return draw(pick(REFS))
        if kind == 4:
            return draw(st.sampled_from(["true", "false", "null", "[]", "{}"]))
        if kind == 5:
            return _string(draw(pick(EVIL_SUBJECTS)))
        return _string(draw(st.sampled_from(["TLS_1_0", "TLS_1_2", "a\nb\nc", "x"])))
    sub = expr(names, depth + 1)
    kind = draw(st.integers(0, 16))
    if kind == 0:
        return f"{draw(sub)} {draw(pick(OPS))} {draw(sub)}"
    if kind == 1:
        return f"{draw(sub)} ? {draw(sub)} : {draw(sub)}"
    if kind == 2:
        return "[" + ", ".join(draw(st.lists(sub, max_size=4))) + "]"
    if kind == 3:
        keys = draw(st.lists(identifiers, max_size=3))
        return "{" + ", ".join(f"{k} = {draw(sub)}" for k in keys) + "}"
    if kind == 4:
        return f'"${{{draw(sub)}}}${{{draw(sub)}}}"'
    if kind == 5:
        v = draw(identifiers)
        cond = f" if {draw(sub)}" if draw(st.booleans()) else ""
        return f"[for {v} in {draw(sub)} : {draw(st.sampled_from([v, draw(sub)]))}{cond}]"
    if kind == 6:
        k, v = draw(identifiers), draw(identifiers) + "v"
        group = "..." if draw(st.booleans()) else ""
        return f"{{for {k}, {v} in {draw(sub)} : tostring({k}) => {v}{group}}}"
    if kind == 7:
        return f"{draw(sub)}[{draw(sub)}]"
    if kind == 8:
        return f"{draw(sub)}[*].{draw(identifiers)}"
    if kind == 9:
        return f"({draw(sub)})"
    if kind == 10:
        return f"{draw(st.sampled_from(['!', '-']))}{draw(sub)}"
    if kind == 11:
        return (
            f'"%{{ for x in {draw(sub)} }}${{x}}%{{ endfor }}%{{ if {draw(sub)} }}y%{{ else }}n%{{ endif }}"'
        )
    if kind == 12:
        return f"format({_string(draw(format_strings))}, {draw(sub)}, {draw(sub)})"
    if kind == 13:
        fn = draw(st.sampled_from(["regex", "regexall", "replace"]))
        pat = draw(patterns)
        if fn == "replace":
            return f'replace({_string(draw(pick(EVIL_SUBJECTS)))}, {_string("/" + pat + "/")}, "x")'
        return f"{fn}({_string(pat)}, {_string(draw(pick(EVIL_SUBJECTS)))})"
    if kind == 14:
        fn = draw(st.sampled_from(["file", "templatefile", "fileexists", "filebase64", "fileset"]))
        path = f'"${{path.module}}/{draw(read_paths)}"' if draw(st.booleans()) else _string(draw(read_paths))
        extra = {"templatefile": ", {x = 1}", "fileset": ', "*"'}.get(fn, "")
        return f"{fn}({path}{extra})"
    if kind == 15:
        return draw(bomb_expr(names))
    fn = draw(st.sampled_from(sorted(FUNCTIONS)))
    arity = draw(st.sampled_from([FUNCTIONS[fn], FUNCTIONS[fn], 0, 1, 4]))
    args = [draw(sub) for _ in range(arity)]
    spread = "..." if args and draw(st.integers(0, 9)) == 0 else ""
    return f"{fn}({', '.join(args)}{spread})"


@st.composite
def bomb_expr(draw: st.DrawFn, names: tuple[str, ...] = ()) -> str:
    """An expression that is small to write and huge (or endless) to evaluate."""
    kind = draw(st.integers(0, 9))
    n = draw(counts)
    if kind == 0:
        return f'format("%0{draw(numbers).lstrip("-")}d", 1)'
    if kind == 1:
        return f'indent({n}, "a\\nb\\nc")'
    if kind == 2:
        return f"[for i in range({n}) : range({n})]"
    if kind == 3:
        return f'toset([for i in range({n}) : "v${{i}}"])'
    if kind == 4:
        levels = draw(st.integers(1, 12))
        doc = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
            f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\\n" for i in range(1, levels)
        )
        return f'yamldecode("{doc}")'
    if kind == 5:
        return f'jsondecode("{"[" * 3000}{"]" * 3000}")'
    if kind == 6:
        return f'join("", [for i in range({n}) : "TLS_1_0"])'
    if kind == 7:
        return f"flatten([for a in range({n}) : [for b in range({n}) : [a, b]]])"
    if kind == 8:
        return "(" * 300 + "1" + ")" * 300
    return f"setproduct(range({n}), range({n}), range({n}))"


@st.composite
def doubling_locals(draw: st.DrawFn) -> list[tuple[str, str]]:
    """A chain of locals, each twice (or the square of) the one before."""
    levels = draw(st.integers(2, 45))
    start = _string(draw(st.sampled_from(["TLS_1_0", "ab", "x" * 1000, "a\nb"])))
    step = draw(
        st.sampled_from(
            [
                '"${{local.d{p}}}${{local.d{p}}}"',
                'join("", [local.d{p}, local.d{p}])',
                'format("%s%s", local.d{p}, local.d{p})',
                'replace(local.d{p}, "a", local.d{p})',
                "concat(tolist([local.d{p}]), tolist([local.d{p}]))",
                "merge({{a = local.d{p}}}, {{b = local.d{p}}})",
                "[local.d{p}, local.d{p}]",
                'templatefile("${{path.module}}/double.tpl", {{ s = local.d{p} }})',
                "jsonencode([local.d{p}, local.d{p}])",
                'indent(2, "${{local.d{p}}}\\n${{local.d{p}}}")',
            ]
        )
    )
    out = [("d0", start)]
    for i in range(1, levels):
        out.append((f"d{i}", step.format(p=i - 1)))
    return out


RESOURCE_TYPES = {
    "aws_api_gateway_domain_name": ["domain_name", "security_policy", "regional_certificate_arn"],
    "aws_apigatewayv2_domain_name": ["domain_name"],
    "aws_api_gateway_rest_api": ["name", "body", "policy", "disable_execute_api_endpoint"],
    "aws_lb_listener": ["load_balancer_arn", "port", "protocol", "ssl_policy"],
    "aws_cloudfront_distribution": ["enabled"],
    "azurerm_api_management": ["name", "sku_name", "virtual_network_type"],
    "azurerm_api_management_api_policy": ["api_name", "xml_content", "xml_link"],
    "aws_wafv2_web_acl": ["name", "scope"],
}
BLOCKS = [
    "domain_name_configuration",
    "viewer_certificate",
    "security",
    "policy",
    "rule",
    "statement",
    "default_action",
    "protocols",
    "endpoint_configuration",
    "mutual_tls_authentication",
    "condition",
]


@st.composite
def resource_block(draw: st.DrawFn, names: tuple[str, ...]) -> str:
    rtype = draw(st.sampled_from(sorted(RESOURCE_TYPES)))
    name = draw(identifiers)
    e = expr(names)
    lines = [f'resource "{rtype}" "{name}" {{']
    meta = draw(st.integers(0, 3))
    if meta == 1:
        lines.append(f"  count = {draw(st.one_of(counts, e))}")
    elif meta == 2:
        keys = counts.map(lambda n: f"toset([for i in range({n}) : tostring(i)])")
        lines.append(f"  for_each = {draw(st.one_of(e, keys))}")
    for attr in draw(st.lists(st.sampled_from(RESOURCE_TYPES[rtype]), max_size=4, unique=True)):
        lines.append(f"  {attr} = {draw(e)}")
    for block in draw(st.lists(st.sampled_from(BLOCKS), max_size=2)):
        if draw(st.booleans()):
            lines.append(
                f'  dynamic "{block}" {{\n'
                f"    for_each = {draw(st.one_of(e, counts.map(lambda n: f'range({n})')))}"
            )
            lines.append(f"    content {{\n      x = {block}.value\n      y = {draw(e)}\n    }}\n  }}")
        else:
            lines.append(f"  {block} {{\n    {draw(identifiers)} = {draw(e)}\n  }}")
    lines.append("}")
    return "\n".join(lines)


@st.composite
def module_files(draw: st.DrawFn) -> dict[str, str | bytes]:
    """A Terraform root module (HCL), with variables, locals, resources, data, module calls."""
    var_names = [f"v{i}" for i in range(draw(st.integers(0, 3)))]
    local_names = [f"l{i}" for i in range(draw(st.integers(0, 6)))]
    names = tuple([f"var.{v}" for v in var_names] + [f"local.{n}" for n in local_names])
    blocks = []
    for v in var_names:
        typ = draw(
            st.sampled_from(
                [
                    "",
                    "string",
                    "number",
                    "list(any)",
                    "map(string)",
                    "any",
                    "object({a = string, b = optional(number, 5)})",
                    "set(string)",
                    "tuple([string])",
                ]
            )
        )
        default = f"\n  default = {draw(expr(()))}" if draw(st.booleans()) else ""
        ty = f"\n  type = {typ}" if typ else ""
        blocks.append(f'variable "{v}" {{{ty}{default}\n}}')
    locals_ = [(n, draw(expr(names))) for n in local_names]
    if draw(st.integers(0, 2)) == 0:
        locals_ += draw(doubling_locals())
        names = (*names, f"local.d{len(locals_) - len(local_names) - 1}")
    if locals_:
        blocks.append("locals {\n" + "\n".join(f"  {n} = {e}" for n, e in locals_) + "\n}")
    for _ in range(draw(st.integers(1, 3))):
        blocks.append(draw(resource_block(names)))
    if draw(st.booleans()):
        blocks.append(
            'data "aws_iam_policy_document" "p" {\n  statement {\n'
            f'    effect = {draw(expr(names))}\n    actions = ["execute-api:Invoke"]\n'
            '    principals {\n      type = "*"\n      identifiers = ["*"]\n    }\n'
            f"    condition {{\n      test = {draw(expr(names))}\n"
            + (f"      variable = {draw(expr(names))}\n" if draw(st.booleans()) else "")
            + f"      values = {draw(expr(names))}\n    }}\n  }}\n}}"
        )
    if draw(st.booleans()):
        source = draw(
            st.sampled_from(
                [
                    "./child",
                    "../child",
                    "./child",
                    "registry.example/x/y/aws",
                    "/etc",
                    "./missing",
                    ".",
                    "git::https://example.com/x.git",
                ]
            )
        )
        loop = draw(
            st.sampled_from(["", f"\n  count = {draw(counts)}", f"\n  for_each = {draw(expr(names))}"])
        )
        blocks.append(f'module "child" {{\n  source = "{source}"{loop}\n  input = {draw(expr(names))}\n}}')
    blocks.append(f'output "o" {{\n  value = {draw(expr(names))}\n}}')
    files: dict[str, str | bytes] = {"main.tf": "\n\n".join(blocks) + "\n"}
    if draw(st.booleans()):
        child = [
            'variable "input" {}',
            "locals {\n  again = var.input\n}",
            draw(resource_block(("var.input", "local.again"))),
            'output "out" {\n  value = var.input\n}',
        ]
        if draw(st.booleans()):  # a module that calls itself
            child.append('module "self" {\n  source = "./"\n  input = var.input\n}')
        files["child/main.tf"] = "\n".join(child) + "\n"
    if draw(st.booleans()):
        files["terraform.tfvars"] = "\n".join(f"{v} = {draw(expr(()))}" for v in var_names) + "\n"
    if draw(st.booleans()):
        files["double.tpl"] = draw(
            st.sampled_from(
                [
                    "${s}${s}",
                    "%{ for i in range(100000000) }${s}%{ endfor }",
                    '${templatefile("double.tpl", {s = s})}',
                    "${s",
                    "%{ if }",
                ]
            )
        )
    if draw(st.booleans()):
        files["data.txt"] = draw(st.sampled_from(["TLS_1_0", "x" * 5000, "${s}", "\x00", "a: &a [*a]"]))
    if draw(st.integers(0, 3)) == 0:
        files[".terraform/modules/modules.json"] = json.dumps(
            {
                "Modules": [
                    {
                        "Key": "child",
                        "Source": "registry.example/x/y/aws",
                        "Dir": draw(
                            st.sampled_from(["child", "/etc", "../..", "/proc/self", ".", "missing"])
                        ),
                    }
                ]
            }
        )
    return files


def _json_value(draw: st.DrawFn, names: tuple[str, ...], depth: int = 0) -> Any:
    kind = draw(st.integers(0, 5 if depth < 3 else 2))
    if kind == 0:
        return "${" + draw(expr(names)) + "}"
    if kind == 1:
        return draw(st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()))
    if kind == 2:
        return draw(short_text)
    if kind == 3:
        return [_json_value(draw, names, depth + 1) for _ in range(draw(st.integers(0, 3)))]
    return {draw(identifiers): _json_value(draw, names, depth + 1) for _ in range(draw(st.integers(0, 3)))}


@st.composite
def tf_json_files(draw: st.DrawFn) -> dict[str, str | bytes]:
    """A module in JSON syntax (`main.tf.json`), with `${}` interpolations and odd shapes."""
    names = ("local.a", "var.v")
    doc: dict[str, Any] = {
        "variable": {"v": {"default": _json_value(draw, ())}},
        "locals": {"a": _json_value(draw, names)},
        "resource": {
            draw(st.sampled_from(sorted(RESOURCE_TYPES))): {
                draw(identifiers): {
                    attr: _json_value(draw, names)
                    for attr in ["security_policy", "count", "for_each", "body"]
                    if draw(st.booleans())
                }
            }
        },
    }
    if draw(st.booleans()):
        doc["locals"] = [doc["locals"], {"b": _json_value(draw, names)}]
    text = json.dumps(doc)
    if draw(st.integers(0, 4)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    return {"main.tf.json": text, "x.auto.tfvars.json": json.dumps({"v": _json_value(draw, ())})}


@st.composite
def plan_files(draw: st.DrawFn) -> dict[str, str | bytes]:
    """A plan (`terraform show -json`): planned resources in nested child modules, with values of
    every JSON shape, `after_unknown` marks, and odd addresses."""

    def module(depth: int) -> dict[str, Any]:
        resources = []
        for _ in range(draw(st.integers(0, 3))):
            rtype = draw(st.sampled_from(sorted(RESOURCE_TYPES)))
            resources.append(
                {
                    "address": draw(st.one_of(st.just(f"{rtype}.r"), short_text)),
                    "mode": draw(st.sampled_from(["managed", "data", "x"])),
                    "type": draw(st.one_of(st.just(rtype), short_text)),
                    "name": "r",
                    "index": draw(st.one_of(st.none(), st.integers(), short_text)),
                    "values": {a: _json_value(draw, ()) for a in RESOURCE_TYPES[rtype]},
                }
            )
        out: dict[str, Any] = {"resources": resources}
        if depth < 3 and draw(st.booleans()):
            out["child_modules"] = [module(depth + 1) for _ in range(draw(st.integers(0, 2)))]
        return out

    doc = {
        "format_version": draw(st.sampled_from(["1.2", "0.1", "99", ""])),
        "terraform_version": "1.9.0",
        "planned_values": {"root_module": module(0)},
        "resource_changes": [
            {"address": draw(short_text), "change": {"after_unknown": _json_value(draw, ())}}
            for _ in range(draw(st.integers(0, 2)))
        ],
    }
    text = json.dumps(doc)
    if draw(st.integers(0, 5)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    return {"plan.json": text}


@st.composite
def terraform_case(draw: st.DrawFn) -> Case:
    files = draw(st.one_of(module_files(), module_files(), tf_json_files(), plan_files()))
    odd = draw(odd_files())
    case = Case(files={**files, **odd["files"]}, fifos=odd["fifos"], links=odd["links"], dirs=odd["dirs"])
    if draw(st.integers(0, 3)) == 0:
        # Variables files as the user names them, and a committed configuration naming some.
        case.files["given.tfvars"] = f"v0 = {draw(expr(()))}\n"
        case.options["var_files"] = [
            draw(st.sampled_from(["given.tfvars", "missing.tfvars", "odd", "/dev/null"]))
        ]
    if draw(st.integers(0, 4)) == 0:
        case.options["variables"] = {"v0": draw(short_text), "v1": draw(numbers)}
    return case
