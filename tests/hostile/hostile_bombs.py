"""Inputs that drive an evaluator to gigabytes or minutes without a budget (issue 12, class 3).

Each function returns files for one hostile unit under `infra/`; the size parameters default to the
hostile size, and smaller values give the same construct at a harmless size (used to check that the
construct is evaluated at all, so the hostile case exercises the budget and not a syntax error).
"""

from __future__ import annotations

import json
from typing import Any

from hostile_kit import arm_template, bicep_apim, cfn_domain, tf_domain

TF = "infra/main.tf"
CFN = "infra/template.yaml"
BICEP = "infra/main.bicep"
ARM = "infra/azuredeploy.json"

Files = dict[str, str | bytes]

# -- Terraform -----------------------------------------------------------------------------------


def tf_locals(body: list[str], expr: str, extra: str = "") -> Files:
    return {TF: tf_domain(expr, extra="locals {\n" + "\n".join(f"  {b}" for b in body) + "\n}\n" + extra)}


def tf_format_width(width: int = 999_999_999) -> Files:
    return tf_locals([f'p = format("%0{width}d", 1)'], "local.p")


def tf_doubling(levels: int = 40) -> Files:
    body = ['s0 = "TLS_1_0"'] + [
        f's{i} = "${{local.s{i - 1}}}${{local.s{i - 1}}}"' for i in range(1, levels + 1)
    ]
    return tf_locals(body, f"local.s{levels}")


def tf_join_doubling(levels: int = 40) -> Files:
    body = ['s0 = ["TLS_1_0"]'] + [
        f"s{i} = concat(local.s{i - 1}, local.s{i - 1})" for i in range(1, levels + 1)
    ]
    return tf_locals(body, f'join("", local.s{levels})')


def tf_replace_squaring(levels: int = 6) -> Files:
    body = ['r0 = "TLSTLSTLSTLS"'] + [
        f'r{i} = replace(local.r{i - 1}, "T", local.r{i - 1})' for i in range(1, levels + 1)
    ]
    return tf_locals(body, f"local.r{levels}")


def tf_indent(spaces: int = 1_000_000_000) -> Files:
    return tf_locals([f'p = indent({spaces}, "TLS\\n1\\n0")'], "local.p")


def tf_nested_range(n: int = 100_000) -> Files:
    return tf_locals(
        [f"grid = [for i in range({n}) : range({n})]"], 'length(local.grid) > 0 ? "TLS_1_2" : "TLS_1_0"'
    )


def tf_count(n: int = 100_000_000) -> Files:
    return {TF: tf_domain('"TLS_1_2"').replace("{\n  domain_name", f"{{\n  count = {n}\n  domain_name", 1)}


def tf_for_each(n: int = 100_000) -> Files:
    return {
        TF: tf_domain('"TLS_1_2"').replace(
            "{\n  domain_name", f'{{\n  for_each = toset([for i in range({n}) : "d${{i}}"])\n  domain_name', 1
        )
    }


def tf_dynamic(n: int = 5_000) -> Files:
    acl = f"""
resource "aws_wafv2_web_acl" "acl" {{
  name  = "acl"
  scope = "REGIONAL"
  default_action {{
    allow {{}}
  }}
  visibility_config {{
    cloudwatch_metrics_enabled = false
    metric_name                = "acl"
    sampled_requests_enabled   = false
  }}
  dynamic "rule" {{
    for_each = range({n})
    content {{
      name     = "r${{rule.value}}"
      priority = rule.value
      action {{
        block {{}}
      }}
      statement {{
        dynamic "or_statement" {{
          for_each = range({n})
          content {{
            statement {{
              ip_set_reference_statement {{
                arn = "arn:${{or_statement.value}}"
              }}
            }}
          }}
        }}
      }}
      visibility_config {{
        cloudwatch_metrics_enabled = false
        metric_name                = "r"
        sampled_requests_enabled   = false
      }}
    }}
  }}
}}
"""
    return {TF: tf_domain('"TLS_1_2"') + acl}


def tf_toset(n: int = 40_000) -> Files:
    return tf_locals(
        [f'names = toset([for i in range({n}) : "n${{i}}"])'],
        'length(local.names) > 0 ? "TLS_1_2" : "TLS_1_0"',
    )


def yaml_alias_bomb(levels: int = 9, fan: int = 10) -> str:
    lines = ["l0: &l0 [" + ", ".join(["TLS_1_0"] * fan) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * fan) + "]")
    lines.append(f"top: *l{levels}")
    return "\n".join(lines) + "\n"


def tf_yamldecode_bomb(levels: int = 9) -> Files:
    doc = yaml_alias_bomb(levels)
    return tf_locals(
        ["bomb = yamldecode(local.doc)", f"doc = <<-EOT\n{doc}EOT"],
        'length(flatten(local.bomb["top"])) > 0 ? "TLS_1_2" : "TLS_1_0"',
    )


def tf_templatefile_doubling(levels: int = 40) -> Files:
    body = ['t0 = "TLS_1_0"'] + [
        f't{i} = templatefile("${{path.module}}/double.tpl", {{ s = local.t{i - 1} }})'
        for i in range(1, levels + 1)
    ]
    files = tf_locals(body, f"local.t{levels}")
    files["infra/double.tpl"] = "${s}${s}"
    return files


def tf_templatefile_loop(n: int = 100_000_000) -> Files:
    files = tf_locals([f'p = templatefile("${{path.module}}/loop.tpl", {{ n = {n} }})'], "local.p")
    files["infra/loop.tpl"] = "%{ for i in range(n) }TLS_1_0%{ endfor }"
    return files


def tf_bytes_burner(count: int = 48) -> Files:
    """Many strings each under the size cap: only the unit's allowance of bytes built stops it."""
    body = ['b0 = "TLS_1_0-"'] + [f'b{i} = "${{local.b{i - 1}}}${{local.b{i - 1}}}"' for i in range(1, 18)]
    body += [f'w{k} = length("${{local.b17}}${{local.b17}}${{local.b17}}{k}")' for k in range(count)]
    body.append("total = " + " + ".join(f"local.w{k}" for k in range(count)))
    return tf_locals(body, 'local.total > 0 ? "TLS_1_2" : "TLS_1_0"')


def tf_policy_shared(apis: int = 1000, doc_bytes: int = 1024 * 1024) -> Files:
    """`apis` API policies (for_each) that all use one large policy document."""
    header = '<set-header name="X-H{i}" exists-action="override"><value>v{i}</value></set-header>'
    parts, size, i = [], 0, 0
    while size < doc_bytes:
        h = header.format(i=i)
        parts.append(h)
        size += len(h)
        i += 1
    doc = f"<policies><inbound>{''.join(parts)}</inbound><backend><forward-request /></backend></policies>\n"
    main = f"""
locals {{
  names = toset([for i in range({apis}) : "api${{i}}"])
}}

resource "azurerm_api_management" "apim" {{
  name                 = "apim"
  location             = "westeurope"
  resource_group_name  = "rg"
  publisher_name       = "Ops"
  publisher_email      = "ops@example.com"
  sku_name             = "Developer_1"
  virtual_network_type = "Internal"
}}

resource "azurerm_api_management_api" "api" {{
  for_each              = local.names
  name                  = each.key
  api_management_name   = azurerm_api_management.apim.name
  resource_group_name   = "rg"
  revision              = "1"
  path                  = each.key
  subscription_required = false
}}

resource "azurerm_api_management_api_policy" "p" {{
  for_each            = local.names
  api_name            = azurerm_api_management_api.api[each.key].name
  api_management_name = azurerm_api_management.apim.name
  resource_group_name = "rg"
  xml_content         = file("${{path.module}}/policy.xml")
}}
"""
    return {TF: main, "infra/policy.xml": doc}


def hcl_parse_junk(size: int = 80_000) -> Files:
    return {TF: "x = " * (size // 4)}


# -- CloudFormation ------------------------------------------------------------------------------


def cfn_sub_doubling_nested(levels: int = 40) -> Files:
    expr = "TLS_1_0"
    for _ in range(levels):
        expr = {"Fn::Sub": ["${a}${a}", {"a": expr}]}
    return {CFN: cfn_domain(json.dumps(expr))}


def cfn_sub_doubling_aliases(levels: int = 40) -> Files:
    meta = ["Metadata:", "  Chain:", "    - &a0 TLS_1_0"]
    for i in range(1, levels + 1):
        meta.append(f"    - &a{i} !Sub ['${{x}}${{x}}', {{x: *a{i - 1}}}]")
    return {CFN: cfn_domain(f"*a{levels}", head="\n".join(meta))}


def cfn_join_aliases(levels: int = 16, scalar: int = 40 * 1024) -> Files:
    """The issue's case: anchored Fn::Join levels over a 40 KB scalar (few aliases, huge bytes)."""
    meta = ["Metadata:", "  Chain:", f"    - &j0 {'x' * scalar}"]
    for i in range(1, levels + 1):
        meta.append(f"    - &j{i} !Join ['', [*j{i - 1}, *j{i - 1}]]")
    return {CFN: cfn_domain(f"*j{levels}", head="\n".join(meta))}


def cfn_bytes_burner(count: int = 48, levels: int = 18) -> Files:
    """Many strings each under the size cap, each a nested Fn::Sub doubling (no aliases, so the
    YAML alias cap does not apply): only the unit's allowance of bytes built stops it."""
    props = []
    for k in range(count):
        expr: object = f"TLS_1_0-{k}"
        for _ in range(levels):
            expr = {"Fn::Sub": ["${a}${a}", {"a": expr}]}
        props.append(f"      Burn{k}: {json.dumps(expr)}")
    return {CFN: cfn_domain("TLS_1_2") + "\n".join(props) + "\n"}


def sam_definition_bomb(paths: int = 5_000) -> Files:
    lines = [
        'AWSTemplateFormatVersion: "2010-09-09"',
        "Transform: AWS::Serverless-2016-10-31",
        "Resources:",
        "  Api:",
        "    Type: AWS::Serverless::Api",
        "    Properties:",
        "      StageName: prod",
        "      DefinitionBody:",
        "        openapi: 3.0.1",
        "        info: {title: bomb, version: '1'}",
        "        x-shared: &ops",
        "          get: {responses: {'200': {description: ok}}}",
        "          post: {responses: {'200': {description: ok}}}",
        "          put: {responses: {'200': {description: ok}}}",
        "          delete: {responses: {'200': {description: ok}}}",
        "        paths:",
    ]
    lines += [f"          /p{i}: *ops" for i in range(paths)]
    return {CFN: "\n".join(lines) + "\n"}


# -- Bicep ---------------------------------------------------------------------------------------


def bicep_with(decls: list[str], expr: str) -> Files:
    return {BICEP: bicep_apim(expr, extra="\n".join(decls))}


def bicep_doubling(levels: int = 40) -> Files:
    decls = ["var s0 = 'TLS'"] + [f"var s{i} = '${{s{i - 1}}}${{s{i - 1}}}'" for i in range(1, levels + 1)]
    return bicep_with(decls, f"s{levels}")


def bicep_function_doubling(call: str, levels: int = 40) -> Files:
    """Doubling through a function of the shared ARM/Bicep table (`format`, `concat`)."""
    decls = ["var s0 = 'True'"] + [f"var s{i} = {call.format(p=f's{i - 1}')}" for i in range(1, levels + 1)]
    return bicep_with(decls, f"s{levels}")


def bicep_padleft(width: int = 999_999_999) -> Files:
    return bicep_with([f"var p = padLeft('True', {width})"], "p")


def bicep_udf_recursion() -> Files:
    return bicep_with(["func f(s string) string => f('${s}${s}')"], "f('True')")


def bicep_udf_doubling(levels: int = 40) -> Files:
    call = "'True'"
    for _ in range(levels):
        call = f"d({call})"
    return bicep_with(["func d(s string) string => '${s}${s}'", f"var p = {call}"], "p")


def bicep_lambda_bomb(n: int = 10_000) -> Files:
    return bicep_with(
        [f"var grid = map(range(0, {n}), i => map(range(0, {n}), j => j))"],
        "grid",
    )


def bicep_reduce_doubling(levels: int = 40) -> Files:
    return bicep_with([f"var p = reduce(range(0, {levels}), 'True', (acc, i) => '${{acc}}${{acc}}')"], "p")


def bicep_replace_squaring(levels: int = 6) -> Files:
    decls = ["var r0 = 'TrueTrueTrue'"] + [
        f"var r{i} = replace(r{i - 1}, 'T', r{i - 1})" for i in range(1, levels + 1)
    ]
    return bicep_with(decls, f"r{levels}")


def bicep_module_fanout(copies: int = 1000, levels: int = 3) -> Files:
    files: Files = {}
    for level in range(levels):
        here = BICEP if level == 0 else f"infra/m{level}.bicep"
        nxt = f"m{level + 1}.bicep"
        decls = [] if level == 0 else ["param i int = 0"]
        decls.append(f"module m '{nxt}' = [for i in range(0, {copies}): {{\n  name: 'm{level}-${{i}}'\n}}]")
        body = "\n".join(decls) + "\n"
        files[here] = body if level else bicep_apim("'False'", extra=body)
    files[f"infra/m{levels}.bicep"] = "param i int = 0\n" + bicep_apim("'False'", name="leaf")
    return files


def bicep_bytes_burner(count: int = 48) -> Files:
    decls = ["var b0 = 'TLS_1_0-'"] + [f"var b{i} = '${{b{i - 1}}}${{b{i - 1}}}'" for i in range(1, 18)]
    decls += [f"var w{k} = length('${{b17}}${{b17}}${{b17}}{k}')" for k in range(count)]
    total = " + ".join(f"w{k}" for k in range(count))
    return bicep_with(decls, f"({total}) > 0 ? 'False' : 'True'")


def bicep_policy_shared(apis: int = 1000, doc_bytes: int = 1024 * 1024) -> Files:
    doc = tf_policy_shared(1, doc_bytes)["infra/policy.xml"]
    body = f"""
resource apis 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = [for i in range(0, {apis}): {{
  parent: apim
  name: 'api${{i}}'
  properties: {{
    path: 'api${{i}}'
    protocols: [
      'https'
    ]
  }}
}}]

resource policies 'Microsoft.ApiManagement/service/apis/policies@2023-05-01-preview' = [
  for i in range(0, {apis}): {{
  parent: apis[i]
  name: 'policy'
  properties: {{
    format: 'rawxml'
    value: loadTextContent('policy.xml')
  }}
}}]
"""
    return {BICEP: bicep_apim("'False'") + body, "infra/policy.xml": doc}


def bicep_parse_junk(size: int = 100_000) -> Files:
    return {BICEP: "<a>" * (size // 3)}


# -- ARM -----------------------------------------------------------------------------------------


def arm(tls10: str, **kw: Any) -> Files:
    return {ARM: arm_template(tls10, **kw)}


def arm_doubling(levels: int = 40) -> Files:
    variables = {"v0": "True"}
    for i in range(1, levels + 1):
        variables[f"v{i}"] = f"[concat(variables('v{i - 1}'), variables('v{i - 1}'))]"
    return arm(f"[variables('v{levels}')]", variables=variables)


def arm_padleft(width: int = 999_999_999) -> Files:
    return arm(f"[padLeft('True', {width})]")


def arm_replace_squaring(levels: int = 6) -> Files:
    variables = {"r0": "TrueTrueTrue"}
    for i in range(1, levels + 1):
        variables[f"r{i}"] = f"[replace(variables('r{i - 1}'), 'T', variables('r{i - 1}'))]"
    return arm(f"[variables('r{levels}')]", variables=variables)


def _udf(name: str, value: str) -> dict[str, Any]:
    return {
        "namespace": "ns",
        "members": {
            name: {
                "parameters": [{"name": "s", "type": "string"}],
                "output": {"type": "string", "value": value},
            }
        },
    }


def arm_udf_recursion() -> Files:
    return arm("[ns.f('True')]", functions=[_udf("f", "[ns.f(concat(parameters('s'), parameters('s')))]")])


def arm_udf_doubling(levels: int = 40) -> Files:
    call = "'True'"
    for _ in range(levels):
        call = f"ns.d({call})"
    return arm(f"[{call}]", functions=[_udf("d", "[concat(parameters('s'), parameters('s'))]")])


def arm_lambda_bomb(n: int = 10_000) -> Files:
    grid = f"map(range(0, {n}), lambda('i', map(range(0, {n}), lambda('j', lambdaVariables('j')))))"
    return arm(f"[if(greater(length({grid}), 0), 'False', 'True')]")


def arm_reduce_doubling(levels: int = 40) -> Files:
    double = "concat(lambdaVariables('acc'), lambdaVariables('acc'))"
    fold = f"reduce(range(0, {levels}), 'True', lambda('acc', 'i', {double}))"
    return arm(f"[{fold}]")


def arm_copy_huge(n: int = 100_000_000) -> Files:
    looped = {
        "type": "Microsoft.ApiManagement/service/apis",
        "apiVersion": "2023-05-01-preview",
        "name": "[format('apim-svc/api{0}', copyIndex())]",
        "copy": {"name": "apis", "count": n},
        "properties": {"path": "[format('api{0}', copyIndex())]", "protocols": ["https"]},
    }
    return arm("False", resources=[looped])


def arm_variable_copy_huge(n: int = 100_000_000) -> Files:
    variables = {"copy": [{"name": "big", "count": n, "input": "[copyIndex('big')]"}]}
    return arm("[variables('big')]", variables=variables)


def arm_range_huge(n: int = 100_000_000) -> Files:
    return arm(f"[range(0, {n})]")


def arm_nested_fanout(copies: int = 1000, levels: int = 3) -> Files:
    inner: dict[str, Any] = json.loads(arm_template("False"))
    for level in range(levels):
        deployment = {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": f"[format('fan{level}-{{0}}', copyIndex())]",
            "copy": {"name": f"fan{level}", "count": copies},
            "properties": {
                "mode": "Incremental",
                "expressionEvaluationOptions": {"scope": "inner"},
                "template": inner,
            },
        }
        inner = json.loads(arm_template("False", resources=[deployment]))
    return {ARM: json.dumps(inner, indent=1) + "\n"}


def arm_bytes_burner(count: int = 48) -> Files:
    variables: dict[str, Any] = {"b0": "TLS_1_0-"}
    for i in range(1, 18):
        variables[f"b{i}"] = f"[concat(variables('b{i - 1}'), variables('b{i - 1}'))]"
    b = "variables('b17')"
    for k in range(count):
        variables[f"w{k}"] = f"[length(concat({b}, {b}, {b}, '{k}'))]"
    total = "0"
    for k in range(count):
        total = f"add({total}, variables('w{k}'))"
    return arm(f"[if(greater({total}, 0), 'False', 'True')]", variables=variables)


def arm_policy_shared(apis: int = 1000, doc_bytes: int = 1024 * 1024) -> Files:
    doc = tf_policy_shared(1, doc_bytes)["infra/policy.xml"]
    resources = [
        {
            "type": "Microsoft.ApiManagement/service/apis",
            "apiVersion": "2023-05-01-preview",
            "name": "[format('apim-svc/api{0}', copyIndex())]",
            "copy": {"name": "apis", "count": apis},
            "properties": {"path": "[format('api{0}', copyIndex())]", "protocols": ["https"]},
        },
        {
            "type": "Microsoft.ApiManagement/service/apis/policies",
            "apiVersion": "2023-05-01-preview",
            "name": "[format('apim-svc/api{0}/policy', copyIndex())]",
            "copy": {"name": "policies", "count": apis},
            "properties": {"format": "rawxml", "value": "[variables('doc')]"},
        },
    ]
    return arm("False", variables={"doc": doc}, resources=resources)


def arm_minified_many_findings(apis: int = 300, pad: int = 400_000) -> Files:
    """A minified (one-line) ARM template: 400 KB of padding, then a copy loop whose 900 findings
    all point past it on that one line (the text report measured the line up to each finding's
    column: 35 s)."""
    base = json.loads(arm_template("False"))
    doc = {"$schema": base["$schema"], "contentVersion": "1.0.0.0", "variables": {"pad": "x" * pad}}
    doc["resources"] = [
        *base["resources"],
        {
            "type": "Microsoft.ApiManagement/service/apis",
            "apiVersion": "2023-05-01-preview",
            "name": "[format('apim-svc/api{0}', copyIndex())]",
            "copy": {"name": "apis", "count": apis},
            "properties": {"path": "[format('api{0}', copyIndex())]"},
        },
    ]
    return {ARM: json.dumps(doc)}


def cfn_minified_many_findings(domains: int = 600, pad: int = 400_000) -> Files:
    """The same in one-line CloudFormation JSON: padding, then `domains` TLS 1.0 custom domains
    (one finding each, so the findings cap per resource does not apply)."""
    resources = {
        f"D{i}": {
            "Type": "AWS::ApiGateway::DomainName",
            "Properties": {"DomainName": f"d{i}.example.com", "SecurityPolicy": "TLS_1_0"},
        }
        for i in range(domains)
    }
    doc = {"AWSTemplateFormatVersion": "2010-09-09", "Metadata": {"Pad": "x" * pad}, "Resources": resources}
    return {"infra/template.json": json.dumps(doc)}
