"""Grammar-aware API Management policy XML, delivered the three ways templates carry it: a Terraform
`xml_content` read with `file()`, a Bicep policy `value` from `loadTextContent`, and an ARM policy
`value` string (escaped as JSON). Documents mix the elements the reader interprets (scopes and
`<base/>`, validate-jwt with keys, rate limits, ip-filter, client certificates, choose/when,
fragments) with hostile XML: C# policy expressions with quotes, braces and `<`, entities (defined,
undefined, numeric, out of range), DTDs, CDATA, comments, processing instructions, deep nesting,
huge attribute values and unclosed tags. Many scopes may share one large document."""

from __future__ import annotations

import json

from fuzz_atoms import numbers, short_text
from fuzzkit import Case
from hypothesis import strategies as st

ELEMENTS = [
    "base",
    "validate-jwt",
    "validate-azure-ad-token",
    "rate-limit",
    "rate-limit-by-key",
    "quota",
    "ip-filter",
    "validate-client-certificate",
    "choose",
    "when",
    "otherwise",
    "include-fragment",
    "set-header",
    "forward-request",
    "check-header",
    "cors",
    "retry",
    "wait",
    "mock-response",
    "set-backend-service",
    "send-request",
    "return-response",
    "issuer-signing-keys",
    "key",
    "audiences",
    "audience",
    "address",
    "address-range",
    "openid-config",
    "x-unknown",
]
ATTRS = [
    "action",
    "calls",
    "renewal-period",
    "counter-key",
    "condition",
    "fragment-id",
    "header-name",
    "url",
    "tenant-id",
    "failed-validation-httpcode",
    "exists-action",
    "name",
    "id",
    "base-url",
    "from",
    "to",
]
EXPRESSIONS = [
    '@(context.Request.Headers.GetValueOrDefault("x", ""))',
    '@{ return "}"; }',
    '@("<&>")',
    "@(context.Variables[\"a\"] == 'b' && 1 < 2)",
    "@(",
    "@{",
    "@(((((((",
    '@{ var s = @""""; }',
    "@('a')",
    '@("\\"")',
    "@@escaped",
    "{{named-value}}",
]
ENTITIES = [
    "&amp;",
    "&lt;",
    "&#60;",
    "&#x3C;",
    "&#0;",
    "&#x110000;",
    "&#99999999999;",
    "&bomb;",
    "&",
    "&#;",
    "&#x;",
]


def _attr_value(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(st.sampled_from(EXPRESSIONS))
    if kind == 1:
        return draw(numbers)
    if kind == 2:
        return draw(st.sampled_from(ENTITIES))
    if kind == 3:
        return draw(st.sampled_from(["allow", "forbid", "HS256", "x" * 100_000, "", "true"]))
    return draw(short_text).replace('"', "&quot;").replace("<", "&lt;")


@st.composite
def element(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(st.sampled_from(ELEMENTS))
    attrs = " ".join(
        f'{a}="{_attr_value(draw)}"' for a in draw(st.lists(st.sampled_from(ATTRS), max_size=3, unique=True))
    )
    if attrs and draw(st.integers(0, 5)) == 0:
        attrs = attrs.replace('"', "'")
    if depth >= 5 or draw(st.integers(0, 2)) == 0:
        return f"<{name} {attrs}/>" if attrs else f"<{name}/>"
    kids = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.integers(0, 6))
        if kind <= 2:
            kids.append(draw(element(depth + 1)))
        elif kind == 3:
            kids.append(
                draw(
                    st.sampled_from(
                        EXPRESSIONS
                        + ENTITIES
                        + ["text", "<![CDATA[ <x> ]]>", "<!-- c -->", "<?pi x?>", "<!-- -- -->", "]]>", "<"]
                    )
                )
            )
        elif kind == 4:
            kids.append(f"<key>{draw(st.sampled_from(['c2VjcmV0', '', '@(x)', 'a' * 1000]))}</key>")
        else:
            kids.append(draw(short_text).replace("<", "&lt;"))
    close = draw(st.sampled_from([f"</{name}>", f"</{name}>", f"</{name}>", "", "</other>", f"</{name} >"]))
    return f"<{name} {attrs}>" + "".join(kids) + close


@st.composite
def document(draw: st.DrawFn) -> str:
    sections = []
    for section in draw(
        st.lists(
            st.sampled_from(["inbound", "backend", "outbound", "on-error", "x"]), max_size=4, unique=True
        )
    ):
        body = "".join(draw(st.lists(element(), max_size=4)))
        sections.append(f"<{section}>{body}</{section}>")
    doc = "<policies>" + "".join(sections) + "</policies>"
    kind = draw(st.integers(0, 9))
    if kind == 0:
        doc = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY bomb "&bomb;&bomb;">]>' + doc
    elif kind == 1:
        doc = (
            "<policies>"
            + '<choose><when condition="@(true)">' * 200
            + "</when></choose>" * 200
            + "</policies>"
        )
    elif kind == 2:
        doc = doc[: draw(st.integers(0, len(doc)))]
    elif kind == 3:
        doc = "<fragment>" + doc + "</fragment>"
    elif kind == 4:
        repeat = '<set-header name="X" exists-action="override"><value>v</value></set-header>'
        times = draw(st.sampled_from([10, 1000, 12000]))
        doc = f"<policies><inbound><base/>{repeat * times}</inbound></policies>"
    elif kind == 5:
        doc = "\ufeff" + doc
    return doc


@st.composite
def policy_case(draw: st.DrawFn) -> Case:
    doc = draw(document())
    scopes = draw(st.sampled_from([1, 1, 3, 3, 100, 1000]))
    carrier = draw(st.sampled_from(["terraform", "bicep", "arm"]))
    fmt = draw(st.sampled_from(["rawxml", "xml", "xml-link", "rawxml-link"]))
    files: dict[str, str | bytes] = {"policy.xml": doc}
    if carrier == "terraform":
        files["main.tf"] = f"""
locals {{
  names = toset([for i in range({scopes}) : "api${{i}}"])
}}
resource "azurerm_api_management" "apim" {{
  name                = "apim"
  location            = "westeurope"
  resource_group_name = "rg"
  publisher_name      = "o"
  publisher_email     = "o@example.com"
  sku_name            = "Developer_1"
  policy {{
    xml_content = file("${{path.module}}/policy.xml")
  }}
}}
resource "azurerm_api_management_api" "api" {{
  for_each              = local.names
  name                  = each.key
  api_management_name   = azurerm_api_management.apim.name
  resource_group_name   = "rg"
  revision              = "1"
  path                  = each.key
}}
resource "azurerm_api_management_api_policy" "p" {{
  for_each            = local.names
  api_name            = azurerm_api_management_api.api[each.key].name
  api_management_name = azurerm_api_management.apim.name
  resource_group_name = "rg"
  xml_content         = file("${{path.module}}/policy.xml")
}}
"""
    elif carrier == "bicep":
        files["main.bicep"] = f"""
resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {{
  name: 'apim'
  location: 'westeurope'
  properties: {{
    publisherEmail: 'o@example.com'
    publisherName: 'o'
  }}
}}
resource global 'Microsoft.ApiManagement/service/policies@2023-05-01-preview' = {{
  parent: apim
  name: 'policy'
  properties: {{
    format: '{fmt}'
    value: loadTextContent('policy.xml')
  }}
}}
resource apis 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = [for i in range(0, {scopes}): {{
  parent: apim
  name: 'api${{i}}'
  properties: {{
    path: 'api${{i}}'
  }}
}}]
resource policies 'Microsoft.ApiManagement/service/apis/policies@2023-05-01-preview' = [
  for i in range(0, {scopes}): {{
  parent: apis[i]
  name: 'policy'
  properties: {{
    format: '{fmt}'
    value: loadTextContent('policy.xml')
  }}
}}]
"""
    else:
        files["azuredeploy.json"] = json.dumps(
            {
                "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                "contentVersion": "1.0.0.0",
                "variables": {"doc": doc},
                "resources": [
                    {
                        "type": "Microsoft.ApiManagement/service",
                        "apiVersion": "2023-05-01-preview",
                        "name": "apim",
                        "properties": {"publisherEmail": "o@example.com", "publisherName": "o"},
                    },
                    {
                        "type": "Microsoft.ApiManagement/service/policies",
                        "apiVersion": "2023-05-01-preview",
                        "name": "apim/policy",
                        "properties": {"format": fmt, "value": doc},
                    },
                    {
                        "type": "Microsoft.ApiManagement/service/apis",
                        "apiVersion": "2023-05-01-preview",
                        "name": "[format('apim/api{0}', copyIndex())]",
                        "copy": {"name": "a", "count": scopes},
                        "properties": {"path": "[format('api{0}', copyIndex())]"},
                    },
                    {
                        "type": "Microsoft.ApiManagement/service/apis/policies",
                        "apiVersion": "2023-05-01-preview",
                        "name": "[format('apim/api{0}/policy', copyIndex())]",
                        "copy": {"name": "p", "count": scopes},
                        "properties": {"format": fmt, "value": "[variables('doc')]"},
                    },
                ],
            }
        )
        del files["policy.xml"]
    return Case(files=files)
