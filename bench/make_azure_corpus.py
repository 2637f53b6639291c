"""Write the synthetic Azure benchmark corpus: `python bench/make_azure_corpus.py [--seed 1]`.

`bench/corpus/azure/bicep/` gets API gateway projects written the way teams write Bicep: a
`main.bicep` with typed parameters (decorators, a user-defined type, defaults and some without),
variables built with string interpolation, `union`, ternaries and a `for` comprehension, a `.bicepparam`
for half of them, and local modules for API Management (service, APIs in a loop, policies from
`loadTextContent`, operations, a backend, a child resource with `parent:`), Application Gateway
(SSL policy, listeners and rules in loops, WAF policy) and Front Door (profile, endpoint, custom
domain, routes, origins). Four `.bicep` files per project, 500 with the defaults.

`bench/corpus/azure/arm/apim.json` is one ~700 KB ARM template (the size of a compiled AVM
module): parameters, variables, `copy` loops, `condition`, nested children and template
expressions throughout.

The same seed always writes the same bytes, so runs are comparable. Nothing here is committed
output: `bench/corpus/` is gitignored.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "corpus" / "azure"
APIM_VERSION = "2023-05-01-preview"
NET_VERSION = "2023-09-01"
CDN_VERSION = "2023-05-01"
TEAMS = ["orders", "billing", "payments", "catalog", "identity", "search", "shipping", "ledger", "quotes",
         "notify", "pricing", "claims", "partners", "loyalty", "reports", "inventory"]  # fmt: skip
REGIONS = ["westeurope", "northeurope", "eastus2", "uksouth", "swedencentral"]
TLS = ["TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"]


def _apis(rnd: random.Random, n: int) -> list[str]:
    out = []
    for i in range(n):
        name = f"{rnd.choice(TEAMS)}-{i}"
        proto = rnd.choice(["'https'", "'https'", "'https'", "'http'"])
        url = rnd.choice(["https", "https", "http"])
        out.append(
            f"  {{\n    name: '{name}'\n    path: '{name.replace('-', '/')}'\n"
            f"    protocols: [\n      {proto}\n"
            f"    ]\n    serviceUrl: '{url}://{name}.internal.example.com/api'\n"
            f"    subscriptionRequired: {rnd.choice(['true', 'true', 'false'])}\n  }}"
        )
    return out


def main_bicep(rnd: random.Random, project: str, with_params_file: bool) -> str:
    apis = _apis(rnd, rnd.randint(4, 12))
    tls11 = rnd.choice(["'False'", "'False'", "'True'"])
    no_default = rnd.random() < 0.2
    lines = [
        f"// {project}: API gateway stack (API Management behind Application Gateway and Front Door)",
        "targetScope = 'resourceGroup'",
        "",
        "@description('Short name of the workload, used in every resource name.')",
        "@minLength(3)",
        "@maxLength(12)",
        f"param workload string = '{project.split('-')[0]}'",
        "",
        "@allowed([",
        "  'dev'",
        "  'test'",
        "  'prod'",
        "])",
        f"param environment string = '{rnd.choice(['dev', 'test', 'prod'])}'",
        f"param location string = '{rnd.choice(REGIONS)}'",
        f"param tls11Enabled string = {tls11}",
        "param publisherEmail string" + ("" if no_default else " = 'api-team@example.com'"),
        "",
        "type apiSpec = {",
        "  name: string",
        "  path: string",
        "  protocols: string[]",
        "  serviceUrl: string",
        "  subscriptionRequired: bool",
        "}",
        "",
        "param apis apiSpec[] = [",
        *apis,
        "]",
        "",
        "var prefix = '${workload}-${environment}'",
        "var tags = union({",
        "  workload: workload",
        "  environment: environment",
        "}, environment == 'prod' ? { criticality: 'high' } : {})",
        "var security = 'Microsoft.WindowsAzure.ApiManagement.Gateway.Security'",
        "var apiNames = [for api in apis: api.name]",
        f"var minTls = environment == 'prod' ? 'TLS1_2' : '{rnd.choice(TLS)}'",
        "",
        "module apim './modules/apim.bicep' = {",
        "  name: '${prefix}-apim'",
        "  params: {",
        "    name: '${prefix}-apim'",
        "    location: location",
        "    publisherEmail: publisherEmail",
        "    tls11Enabled: tls11Enabled",
        "    customProperties: {",
        f"      '${{security}}.Protocols.Tls10': '{rnd.choice(['False', 'False', 'True'])}'",
        f"      '${{security}}.Ciphers.TripleDes168': '{rnd.choice(['False', 'False', 'True'])}'",
        "    }",
        "    apis: apis",
        "    tags: tags",
        "  }",
        "}",
        "",
        "module gateway './modules/appgw.bicep' = {",
        "  name: '${prefix}-agw'",
        "  params: {",
        "    name: '${prefix}-agw'",
        "    location: location",
        "    minProtocolVersion: minTls",
        "    backendFqdn: '${prefix}-apim.azure-api.net'",
        "    listeners: apiNames",
        "    tags: tags",
        "  }",
        "}",
        "",
        "module edge './modules/frontdoor.bicep' = if (environment != 'dev') {",
        "  name: '${prefix}-afd'",
        "  params: {",
        "    name: '${prefix}-afd'",
        "    originHost: '${prefix}-agw.${location}.cloudapp.azure.com'",
        f"    minimumTlsVersion: '{rnd.choice(['TLS12', 'TLS12', 'TLS10'])}'",
        "    tags: tags",
        "  }",
        "}",
        "",
        "output apimName string = apim.outputs.name",
        "output gatewayId string = gateway.outputs.id",
        "output apiCount int = length(apis)",
        "",
    ]
    if with_params_file:
        lines.insert(0, "// values for shared environments come from main.bicepparam")
    return "\n".join(lines)


def params_file(rnd: random.Random) -> str:
    return "\n".join([
        "using './main.bicep'",
        "",
        f"param environment = '{rnd.choice(['test', 'prod'])}'",
        f"param tls11Enabled = '{rnd.choice(['False', 'True'])}'",
        "param publisherEmail = 'platform@example.com'",
        "",
    ])


def apim_module(rnd: random.Random) -> str:
    ops = []
    for i in range(rnd.randint(3, 8)):
        method = rnd.choice(["GET", "POST", "PUT", "DELETE"])
        ops.append(
            f"resource op{i} 'Microsoft.ApiManagement/service/apis/operations@{APIM_VERSION}' = {{\n"
            f"  parent: firstApi\n  name: 'op-{i}'\n  properties: {{\n    displayName: 'Operation {i}'\n"
            f"    method: '{method}'\n    urlTemplate: '/items/{{id}}/part{i}'\n"
            f"    templateParameters: [\n      {{\n        name: 'id'\n        type: 'string'\n"
            f"        required: true\n      }}\n    ]\n  }}\n}}\n"
        )
    return "\n".join([
        "param name string",
        "param location string",
        "param publisherEmail string",
        "param tls11Enabled string",
        "param customProperties object = {}",
        "param apis array",
        "param tags object = {}",
        f"param skuName string = '{rnd.choice(['Developer', 'Premium', 'StandardV2'])}'",
        "",
        "var security = 'Microsoft.WindowsAzure.ApiManagement.Gateway.Security'",
        "var baseProperties = {",
        "  '${security}.Protocols.Tls11': tls11Enabled",
        "  '${security}.Backend.Protocols.Tls10': 'False'",
        "  '${security}.Backend.Protocols.Ssl30': 'False'",
        "}",
        "",
        f"resource service 'Microsoft.ApiManagement/service@{APIM_VERSION}' = {{",
        "  name: name",
        "  location: location",
        "  tags: tags",
        "  sku: {",
        "    name: skuName",
        "    capacity: skuName == 'Developer' ? 1 : 2",
        "  }",
        "  identity: {",
        "    type: 'SystemAssigned'",
        "  }",
        "  properties: {",
        "    publisherEmail: publisherEmail",
        "    publisherName: 'Platform team'",
        f"    virtualNetworkType: '{rnd.choice(['Internal', 'External', 'None'])}'",
        "    customProperties: union(baseProperties, customProperties)",
        "    hostnameConfigurations: [",
        "      {",
        "        type: 'Proxy'",
        "        hostName: '${name}.example.com'",
        f"        negotiateClientCertificate: {rnd.choice(['false', 'false', 'true'])}",
        "        certificateSource: 'KeyVault'",
        "        keyVaultId: 'https://kv-${name}.vault.azure.net/secrets/gateway'",
        "      }",
        "    ]",
        "  }",
        "",
        f"  resource globalPolicy 'policies@{APIM_VERSION}' = {{",
        "    name: 'policy'",
        "    properties: {",
        "      format: 'rawxml'",
        "      value: loadTextContent('policy.xml')",
        "    }",
        "  }",
        "}",
        "",
        f"resource apiResources 'Microsoft.ApiManagement/service/apis@{APIM_VERSION}' = [for api in apis: {{",
        "  parent: service",
        "  name: api.name",
        "  properties: {",
        "    displayName: toUpper(api.name)",
        "    path: api.path",
        "    protocols: api.protocols",
        "    serviceUrl: api.serviceUrl",
        "    subscriptionRequired: api.subscriptionRequired",
        "    apiType: 'http'",
        "  }",
        "}]",
        "",
        f"resource firstApi 'Microsoft.ApiManagement/service/apis@{APIM_VERSION}' existing = {{",
        "  parent: service",
        "  name: apis[0].name",
        "}",
        "",
        *ops,
        f"resource backend 'Microsoft.ApiManagement/service/backends@{APIM_VERSION}' = {{",
        "  parent: service",
        "  name: 'default-backend'",
        "  properties: {",
        "    protocol: 'http'",
        f"    url: '{rnd.choice(['https', 'http'])}://backend.internal.example.com'",
        "    tls: {",
        f"      validateCertificateChain: {rnd.choice(['true', 'false'])}",
        f"      validateCertificateName: {rnd.choice(['true', 'false'])}",
        "    }",
        "  }",
        "}",
        "",
        "output name string = service.name",
        "output id string = service.id",
        "",
    ])


def appgw_module(rnd: random.Random) -> str:
    policy = rnd.choice([
        "policyType: 'Predefined'\n      policyName: 'AppGwSslPolicy20220101S'",
        "policyType: 'Predefined'\n      policyName: 'AppGwSslPolicy20150501'",
        "policyType: 'Custom'\n      minProtocolVersion: minProtocolVersion\n"
        "      cipherSuites: [\n        'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'\n"
        "        'TLS_RSA_WITH_AES_128_CBC_SHA'\n      ]",
    ])
    return "\n".join([
        "param name string",
        "param location string = resourceGroup().location",
        "param minProtocolVersion string",
        "param backendFqdn string",
        "param listeners array",
        "param tags object = {}",
        "",
        "var gatewayId = resourceId('Microsoft.Network/applicationGateways', name)",
        "",
        "resource waf 'Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies"
        f"@{NET_VERSION}' = {{",
        "  name: '${name}-waf'",
        "  location: location",
        "  properties: {",
        "    policySettings: {",
        f"      mode: '{rnd.choice(['Prevention', 'Prevention', 'Detection'])}'",
        "      state: 'Enabled'",
        "      requestBodyCheck: true",
        "    }",
        "    managedRules: {",
        "      managedRuleSets: [",
        "        {",
        "          ruleSetType: 'OWASP'",
        "          ruleSetVersion: '3.2'",
        "        }",
        "      ]",
        "    }",
        "  }",
        "}",
        "",
        f"resource gateway 'Microsoft.Network/applicationGateways@{NET_VERSION}' = {{",
        "  name: name",
        "  location: location",
        "  tags: tags",
        "  properties: {",
        "    sku: {",
        "      name: 'WAF_v2'",
        "      tier: 'WAF_v2'",
        "    }",
        "    firewallPolicy: {",
        "      id: waf.id",
        "    }",
        "    sslPolicy: {",
        f"      {policy}",
        "    }",
        "    backendAddressPools: [",
        "      {",
        "        name: 'apim'",
        "        properties: {",
        "          backendAddresses: [",
        "            {",
        "              fqdn: backendFqdn",
        "            }",
        "          ]",
        "        }",
        "      }",
        "    ]",
        "    backendHttpSettingsCollection: [",
        "      {",
        "        name: 'apim-https'",
        "        properties: {",
        f"          protocol: '{rnd.choice(['Https', 'Https', 'Http'])}'",
        f"          port: {rnd.choice([443, 443, 80])}",
        "          pickHostNameFromBackendAddress: true",
        "        }",
        "      }",
        "    ]",
        "    httpListeners: [for (listener, i) in listeners: {",
        "      name: 'listener-${listener}'",
        "      properties: {",
        "        frontendIPConfiguration: {",
        "          id: '${gatewayId}/frontendIPConfigurations/public'",
        "        }",
        "        frontendPort: {",
        "          id: '${gatewayId}/frontendPorts/port-443'",
        "        }",
        f"        protocol: '{rnd.choice(['Https', 'Https', 'Http'])}'",
        "        hostName: '${listener}.example.com'",
        "        requireServerNameIndication: i > 0",
        "      }",
        "    }]",
        "    requestRoutingRules: [for (listener, i) in listeners: {",
        "      name: 'rule-${listener}'",
        "      properties: {",
        "        ruleType: 'Basic'",
        "        priority: 100 + i",
        "        httpListener: {",
        "          id: '${gatewayId}/httpListeners/listener-${listener}'",
        "        }",
        "      }",
        "    }]",
        "  }",
        "}",
        "",
        "output id string = gateway.id",
        "",
    ])


def frontdoor_module(rnd: random.Random) -> str:
    routes = []
    for i in range(rnd.randint(2, 6)):
        http = "      'Http'\n" if rnd.random() < 0.3 else ""
        routes.append(
            f"resource route{i} 'Microsoft.Cdn/profiles/afdEndpoints/routes@{CDN_VERSION}' = {{\n"
            f"  parent: endpoint\n  name: 'route-{i}'\n  properties: {{\n"
            f"    supportedProtocols: [\n      'Https'\n{http}"
            f"    ]\n    patternsToMatch: [\n      '/v{i}/*'\n    ]\n"
            f"    forwardingProtocol: '{rnd.choice(['HttpsOnly', 'MatchRequest', 'HttpOnly'])}'\n"
            f"    httpsRedirect: '{rnd.choice(['Enabled', 'Enabled', 'Disabled'])}'\n"
            f"    linkToDefaultDomain: 'Enabled'\n  }}\n}}\n"
        )
    return "\n".join([
        "param name string",
        "param originHost string",
        "param minimumTlsVersion string = 'TLS12'",
        "param tags object = {}",
        "",
        f"resource profile 'Microsoft.Cdn/profiles@{CDN_VERSION}' = {{",
        "  name: name",
        "  location: 'global'",
        "  tags: tags",
        "  sku: {",
        "    name: 'Premium_AzureFrontDoor'",
        "  }",
        "}",
        "",
        f"resource endpoint 'Microsoft.Cdn/profiles/afdEndpoints@{CDN_VERSION}' = {{",
        "  parent: profile",
        "  name: '${name}-ep'",
        "  location: 'global'",
        "  properties: {",
        "    enabledState: 'Enabled'",
        "  }",
        "}",
        "",
        f"resource domain 'Microsoft.Cdn/profiles/customDomains@{CDN_VERSION}' = {{",
        "  parent: profile",
        "  name: replace('api.${name}.example.com', '.', '-')",
        "  properties: {",
        "    hostName: 'api.${name}.example.com'",
        "    tlsSettings: {",
        "      certificateType: 'ManagedCertificate'",
        "      minimumTlsVersion: minimumTlsVersion",
        "    }",
        "  }",
        "}",
        "",
        f"resource originGroup 'Microsoft.Cdn/profiles/originGroups@{CDN_VERSION}' = {{",
        "  parent: profile",
        "  name: 'gateway'",
        "  properties: {",
        "    healthProbeSettings: {",
        "      probePath: '/status-0123456789abcdef'",
        f"      probeProtocol: '{rnd.choice(['Https', 'Http'])}'",
        "      probeIntervalInSeconds: 100",
        "    }",
        "  }",
        "",
        "  resource origin 'origins' = {",
        "    name: 'agw'",
        "    properties: {",
        "      hostName: originHost",
        f"      httpsPort: {rnd.choice([443, 8443])}",
        "      enforceCertificateNameCheck: true",
        "    }",
        "  }",
        "}",
        "",
        *routes,
        "output endpointHost string = endpoint.properties.hostName",
        "",
    ])


POLICY_XML = """<policies>
  <inbound>
    <base />
    <validate-jwt header-name="Authorization" failed-validation-httpcode="401">
      <openid-config url="https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration" />
    </validate-jwt>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>
"""


def bicep_corpus(projects: int, seed: int) -> dict[str, str]:
    rnd = random.Random(seed)
    files: dict[str, str] = {}
    for p in range(projects):
        project = f"{rnd.choice(TEAMS)}-gateway-{p:03d}"
        with_params = rnd.random() < 0.5
        files[f"{project}/main.bicep"] = main_bicep(rnd, project, with_params)
        if with_params:
            files[f"{project}/main.bicepparam"] = params_file(rnd)
        files[f"{project}/modules/apim.bicep"] = apim_module(rnd)
        files[f"{project}/modules/policy.xml"] = POLICY_XML
        files[f"{project}/modules/appgw.bicep"] = appgw_module(rnd)
        files[f"{project}/modules/frontdoor.bicep"] = frontdoor_module(rnd)
    return files


def arm_template(target_bytes: int, seed: int) -> str:
    """One template of about `target_bytes`, shaped like a compiled API Management module."""
    rnd = random.Random(seed)
    svc = "[parameters('serviceName')]"
    doc: dict = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "metadata": {"_generator": {"name": "iaclint-bench", "version": "1"}},
        "parameters": {
            "serviceName": {"type": "string", "defaultValue": "apim-bench"},
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
            "environment": {"type": "string", "defaultValue": "prod", "allowedValues": ["dev", "prod"]},
            "tls11": {"type": "string", "defaultValue": "False"},
            "apiNames": {"type": "array", "defaultValue": [f"api-{i}" for i in range(8)]},
        },
        "variables": {
            "security": "Microsoft.WindowsAzure.ApiManagement.Gateway.Security",
            "isProd": "[equals(parameters('environment'), 'prod')]",
            "baseProperties": {
                "[format('{0}.Protocols.Tls10', variables('security'))]": "False",
                "[format('{0}.Protocols.Tls11', variables('security'))]": "[parameters('tls11')]",
            },
        },
        "resources": [
            {
                "type": "Microsoft.ApiManagement/service",
                "apiVersion": APIM_VERSION,
                "name": svc,
                "location": "[parameters('location')]",
                "sku": {"name": "[if(variables('isProd'), 'Premium', 'Developer')]", "capacity": 1},
                "properties": {
                    "publisherEmail": "api@example.com",
                    "publisherName": "Platform",
                    "customProperties": "[variables('baseProperties')]",
                },
            },
            {
                "type": "Microsoft.ApiManagement/service/apis",
                "apiVersion": APIM_VERSION,
                "name": "[format('{0}/{1}', parameters('serviceName'), parameters('apiNames')[copyIndex()])]",
                "copy": {"name": "apis", "count": "[length(parameters('apiNames'))]"},
                "properties": {"path": "[parameters('apiNames')[copyIndex()]]", "protocols": ["https"]},
                "dependsOn": ["[resourceId('Microsoft.ApiManagement/service', parameters('serviceName'))]"],
            },
        ],
        "outputs": {"id": {"type": "string", "value": "[resourceId('Microsoft.ApiManagement/service', "
                                                        "parameters('serviceName'))]"}},
    }
    resources = doc["resources"]
    i = 0
    while i % 10 or len(json.dumps(doc, indent=2)) < target_bytes:
        api = f"{rnd.choice(TEAMS)}-{i}"
        api_name = f"[format('{{0}}/{{1}}', parameters('serviceName'), '{api}')]"
        resources.append({
            "type": "Microsoft.ApiManagement/service/apis",
            "apiVersion": APIM_VERSION,
            "name": api_name,
            "properties": {
                "displayName": api,
                "path": api.replace("-", "/"),
                "protocols": rnd.choice([["https"], ["https"], ["http", "https"]]),
                "serviceUrl": f"{rnd.choice(['https', 'http'])}://{api}.internal.example.com",
                "subscriptionRequired": rnd.choice([True, True, False]),
            },
            "dependsOn": ["[resourceId('Microsoft.ApiManagement/service', parameters('serviceName'))]"],
            "resources": [
                {
                    "type": "operations",
                    "apiVersion": APIM_VERSION,
                    "name": f"op-{j}",
                    "properties": {
                        "displayName": f"Operation {j} of {api}",
                        "method": rnd.choice(["GET", "POST", "PUT", "DELETE"]),
                        "urlTemplate": f"/items/{{id}}/part{j}",
                        "templateParameters": [{"name": "id", "type": "string", "required": True}],
                        "responses": [{"statusCode": 200, "description": "OK"}],
                    },
                    "dependsOn": [f"[resourceId('Microsoft.ApiManagement/service/apis', "
                                  f"parameters('serviceName'), '{api}')]"],
                }
                for j in range(rnd.randint(2, 6))
            ],
        })
        resources.append({
            "type": "Microsoft.ApiManagement/service/apis/policies",
            "apiVersion": APIM_VERSION,
            "name": f"[format('{{0}}/{api}/policy', parameters('serviceName'))]",
            "condition": "[variables('isProd')]",
            "properties": {"format": "rawxml", "value": POLICY_XML},
            "dependsOn": [f"[resourceId('Microsoft.ApiManagement/service/apis', parameters('serviceName'), "
                          f"'{api}')]"],
        })
        i += 1
    return json.dumps(doc, indent=2) + "\n"


def write(files: dict[str, str], root: Path) -> tuple[int, int]:
    """Replace `root` with `files`; return (file count, bytes)."""
    if root.exists():
        shutil.rmtree(root)
    total = 0
    for rel, text in sorted(files.items()):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return len(files), total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=125, help="Bicep projects, 4 .bicep files each")
    ap.add_argument("--arm-bytes", type=int, default=700_000, help="size of the ARM template (700 KB)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    n, size = write(bicep_corpus(args.projects, args.seed), args.out / "bicep")
    print(f"bicep: {n} files, {size:,} bytes in {args.out / 'bicep'}")
    n, size = write({"apim.json": arm_template(args.arm_bytes, args.seed)}, args.out / "arm")
    print(f"arm: {n} file, {size:,} bytes in {args.out / 'arm'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
