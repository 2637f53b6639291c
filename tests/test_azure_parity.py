"""Parity: the same Azure resources written in ARM, Bicep and Terraform azurerm give the same
findings (rule, level, logical resource). The fixtures under fixtures/{arm,bicep,terraform}/azure
declare the same services, APIs, gateways, WAF policies and Front Door parts in each language."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from iaclint.discover import discover
from iaclint.engine import ScanOptions, _load, scan

ROOT = Path(__file__).resolve().parents[1]

# Resource types by what they are, whatever the language.
KINDS = {
    "microsoft.apimanagement/service": "apim",
    "azurerm_api_management": "apim",
    "microsoft.apimanagement/service/apis": "api",
    "azurerm_api_management_api": "api",
    "microsoft.apimanagement/service/apis/operations": "operation",
    "azurerm_api_management_api_operation": "operation",
    "microsoft.apimanagement/service/backends": "backend",
    "microsoft.apimanagement/service/workspaces/apis": "api",
    "microsoft.apimanagement/service/workspaces/backends": "backend",
    "azurerm_api_management_backend": "backend",
    "microsoft.network/applicationgateways": "appgw",
    "azurerm_application_gateway": "appgw",
    "microsoft.network/applicationgatewaywebapplicationfirewallpolicies": "appgw-waf",
    "azurerm_web_application_firewall_policy": "appgw-waf",
    "microsoft.network/frontdoorwebapplicationfirewallpolicies": "fd-waf",
    "azurerm_cdn_frontdoor_firewall_policy": "fd-waf",
    "microsoft.cdn/profiles/customdomains": "fd-domain",
    "azurerm_cdn_frontdoor_custom_domain": "fd-domain",
    "microsoft.cdn/profiles/afdendpoints/routes": "fd-route",
    "azurerm_cdn_frontdoor_route": "fd-route",
    "microsoft.cdn/profiles": "fd-profile",
    "azurerm_cdn_frontdoor_profile": "fd-profile",
    "microsoft.network/frontdoors": "fd-classic",
    "microsoft.cdn/profiles/endpoints": "cdn-endpoint",
    "azurerm_cdn_endpoint": "cdn-endpoint",
    "microsoft.cdn/profiles/endpoints/customdomains": "cdn-domain",
    "azurerm_cdn_endpoint_custom_domain": "cdn-domain",
    "azurerm_frontdoor": "fd-classic",
    "microsoft.apimanagement/service/gateways/hostnameconfigurations": "gw-host",
    "azurerm_api_management_gateway_host_name_configuration": "gw-host",
}

CASES = {
    "violating": ["fixtures/arm/azure/violating", "fixtures/bicep/azure/apim-violating",
                  "fixtures/bicep/azure/edge-violating", "fixtures/terraform/azure/violating"],
    "compliant": ["fixtures/arm/azure/compliant", "fixtures/bicep/azure/apim-compliant",
                  "fixtures/bicep/azure/edge-compliant", "fixtures/terraform/azure/compliant"],
    "backend-policy": ["fixtures/arm/azure/backend-policy", "fixtures/bicep/azure/backend-policy",
                       "fixtures/terraform/azure/backend-policy"],
    "frontdoor-classic": ["fixtures/arm/azure/frontdoor-classic", "fixtures/bicep/azure/frontdoor-classic",
                          "fixtures/terraform/azure/frontdoor-classic"],
    "frontdoor-classic-compliant": ["fixtures/arm/azure/frontdoor-classic-compliant",
                                    "fixtures/bicep/azure/frontdoor-classic-compliant",
                                    "fixtures/terraform/azure/frontdoor-classic-compliant"],
    "policy-scopes": ["fixtures/arm/azure/policy-scopes", "fixtures/bicep/azure/policy-scopes",
                      "fixtures/terraform/azure/policy-scopes"],
    "values-known-ends": ["fixtures/arm/azure/values-known-ends", "fixtures/bicep/azure/values-known-ends",
                          "fixtures/terraform/azure/values-known-ends"],
    "values-union": ["fixtures/arm/azure/values-union", "fixtures/bicep/azure/values-union"],
    "edge-waf": ["fixtures/arm/azure/edge-waf", "fixtures/bicep/azure/edge-waf",
                 "fixtures/terraform/azure/edge-waf"],
    "edge-waf-compliant": ["fixtures/arm/azure/edge-waf-compliant", "fixtures/bicep/azure/edge-waf-compliant",
                           "fixtures/terraform/azure/edge-waf-compliant"],
    "waf-rate": ["fixtures/arm/azure/waf-rate", "fixtures/bicep/azure/waf-rate",
                 "fixtures/terraform/azure/waf-rate"],
    "waf-rate-compliant": ["fixtures/arm/azure/waf-rate-compliant", "fixtures/bicep/azure/waf-rate-compliant",
                           "fixtures/terraform/azure/waf-rate-compliant"],
    "cdn": ["fixtures/arm/azure/cdn", "fixtures/bicep/azure/cdn", "fixtures/terraform/azure/cdn"],
    "cdn-compliant": ["fixtures/arm/azure/cdn-compliant", "fixtures/bicep/azure/cdn-compliant",
                      "fixtures/terraform/azure/cdn-compliant"],
}  # fmt: skip

# API Management cases: the same case directory in every language.
APIM_CASES = (
    "apim-no-base", "apim-symbol-parents", "apim-existing", "apim-consumption-mtls", "apim-fragment",
    "apim-service-ip", "apim-workspace", "apim-gateway-hostnames",
)  # fmt: skip
CASES.update({c: [f"fixtures/{x}/azure/{c}" for x in ("arm", "bicep", "terraform")] for c in APIM_CASES})

# API Management cases: the findings every language must give.
APIM_EXPECTED: dict[str, Counter[tuple[str, str, str, str]]] = {
    # The unknown global policy does not matter where the API policy leaves out <base/>.
    "apim-no-base": Counter({("IAC601", "error", "api", "bare"): 1, ("IAC811", "warning", "api", "bare"): 1}),
    # Linked to the service named from a parameter without a default.
    # A service declared elsewhere whose global policy is declared here.
    "apim-existing": Counter(
        {
            ("IAC601", "error", "api", "open"): 1,
            ("IAC811", "warning", "api", "open"): 1,
            ("IAC831", "note", "api", "open"): 1,
        }
    ),
    # Consumption tier: validate-client-certificate is the truststore; only the API without it fails.
    "apim-consumption-mtls": Counter(
        {("IAC801", "error", "apim", "apim-cons"): 1, ("IAC401", "error", "api", "legacy"): 1}
    ),
    # A declared fragment runs in place; an undeclared one is unknown.
    "apim-fragment": Counter(
        {
            ("IAC601", "error", "api", "headers-only"): 1,
            ("IAC811", "warning", "api", "headers-only"): 1,
            ("IAC601", "note", "api", "partner"): 1,
            ("IAC811", "note", "api", "partner"): 1,
        }
    ),
    # No API declared: each service is judged by its global policy and network mode.
    "apim-service-ip": Counter(
        {
            ("IAC801", "error", "apim", "apim-open"): 1,
            ("IAC801", "error", "apim", "apim-allow"): 1,
            ("IAC801", "error", "apim", "apim-forbid"): 1,
            ("IAC831", "warning", "apim", "apim-open"): 1,
            ("IAC831", "warning", "apim", "apim-forbid"): 1,
        }
    ),
    # Workspaces: global → workspace → product → API → operation.
    "apim-workspace": Counter(
        {
            ("IAC601", "error", "api", "open"): 1,
            ("IAC811", "warning", "api", "open"): 1,
            ("IAC601", "error", "api", "via-product"): 1,
            ("IAC701", "error", "backend", "legacy"): 1,
            ("IAC601", "error", "api", "bare"): 1,
            ("IAC811", "warning", "api", "bare"): 1,
        }
    ),
    "apim-symbol-parents": Counter(
        {("IAC601", "error", "api", "open"): 1, ("IAC811", "warning", "api", "open"): 1}
    ),
    # Self-hosted gateway host names: TLS 1.0 switched on through a parameter; one switch unknown.
    "apim-gateway-hostnames": Counter(
        {("IAC101", "error", "gw-host", "legacy"): 1, ("IAC101", "note", "gw-host", "partner"): 1}
    ),
}

# Resources whose name cannot be known (a parameter without a default): ARM names them by the
# expression, the other languages by symbol.
ALIASES = {
    "[format('{0}/open', parameters('serviceName'))]": "open",
}


def _language(path: str) -> str:
    return Path(path).parts[1]


def _logical(paths: list[str]) -> dict[str, Counter[tuple[str, str, str, str]]]:
    """Per language: findings as (rule, level, kind, last segment of the resource name)."""
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        names: dict[str, str] = {}
        found = discover(paths, [])
        for unit in found.units:
            for r in _load(unit.language, [unit], ScanOptions(paths=paths)).resources:
                name = r.body.get("name").as_str() or ALIASES.get(r.name, r.name)
                names[r.address] = name.rsplit("/", 1)[-1]
        result = scan(ScanOptions(paths=paths))
    finally:
        os.chdir(cwd)
    out: dict[str, Counter[tuple[str, str, str, str]]] = {}
    for f in result.findings:
        lang = _language(Path(f.span.path).as_posix())
        kind = KINDS.get(f.resource_type.lower(), f.resource_type)
        out.setdefault(lang, Counter())[
            (f.rule_id, f.level.value, kind, names.get(f.address, f.address))
        ] += 1
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_findings_in_arm_bicep_and_azurerm(case: str) -> None:
    per_language = _logical(CASES[case])
    arm = per_language.get("arm", Counter())
    assert per_language.get("bicep", Counter()) == arm
    if any(_language(p) == "terraform" for p in CASES[case]):
        assert per_language.get("terraform", Counter()) == arm
    if case in (
        "compliant",
        "frontdoor-classic-compliant",
        "edge-waf-compliant",
        "waf-rate-compliant",
        "cdn-compliant",
    ):
        assert arm == Counter()
    elif case == "cdn":
        assert arm == Counter(
            {
                ("IAC201", "error", "cdn-endpoint", "cdn-default"): 1,
                ("IAC201", "error", "cdn-endpoint", "cdn-partial"): 1,
                ("IAC101", "error", "cdn-domain", "www-example-com"): 1,
                ("IAC101", "error", "cdn-domain", "static-example-com"): 1,
                ("IAC702", "error", "fd-classic", "fd-nocheck"): 1,
            }
        )
    elif case == "waf-rate":
        # Each WAF without a blocking, switched-on rate-limit rule, on itself: linked or not, in a
        # module or not; an inline configuration cannot hold one.
        assert arm == Counter(
            {
                ("IAC811", "warning", "appgw-waf", "agw-norate"): 1,
                ("IAC811", "warning", "appgw-waf", "agw-module-norate"): 1,
                ("IAC811", "warning", "fd-waf", "fddisabledrate"): 1,
                ("IAC811", "warning", "appgw", "agw-inline"): 1,
            }
        )
    elif case == "edge-waf":
        # Every internet-facing edge without a WAF of its own, whatever it fronts; the gateway with
        # only a private frontend is exempt.
        assert arm == Counter(
            {
                ("IAC801", "error", "appgw", "agw-standard"): 1,
                ("IAC801", "error", "appgw", "agw-module"): 1,
                ("IAC801", "error", "fd-classic", "fd-classic-edge"): 1,
                ("IAC801", "error", "fd-profile", "fd-nowaf"): 1,
            }
        )
    elif case == "frontdoor-classic":
        # azurerm declares the gateway host name in azurerm_api_management_custom_domain; the Front
        # Door reaches the service through it, so its WAF counts (no IAC801).
        assert arm == Counter(
            {
                ("IAC401", "error", "apim", "apim-classic"): 1,
                ("IAC201", "error", "fd-classic", "fd-classic"): 1,
                # No API is declared: the service is judged by its global policy (none here).
                ("IAC831", "warning", "apim", "apim-classic"): 1,
            }
        )
    elif case == "policy-scopes":
        assert arm == Counter(
            {
                ("IAC601", "error", "api", "open"): 1,
                ("IAC811", "warning", "api", "open"): 1,
                ("IAC601", "error", "operation", "get"): 1,
                ("IAC601", "error", "api", "via-product"): 1,
            }
        )
    elif case == "values-known-ends":
        # https:// before an unknown host is TLS; http:// is not.
        assert arm == Counter({("IAC701", "error", "api", "legacy"): 1})
    elif case == "values-union":
        # union() decides the TLS keys only the known operand sets; the network stays unknown.
        assert arm == Counter(
            {
                ("IAC101", "error", "apim", "apim-legacy"): 1,
                ("IAC801", "note", "apim", "apim-legacy"): 1,
                ("IAC801", "note", "apim", "apim-modern"): 1,
                # No API is declared: each service is judged at service level, by its network.
                ("IAC831", "note", "apim", "apim-legacy"): 1,
                ("IAC831", "note", "apim", "apim-modern"): 1,
            }
        )
    elif case in APIM_EXPECTED:
        assert arm == APIM_EXPECTED[case]
    elif case == "backend-policy":
        # The global policy's element is reported once, on the service that holds it.
        assert arm == Counter(
            {("IAC701", "error", "apim", "apim-backends"): 1, ("IAC701", "error", "api", "legacy"): 1}
        )
    else:
        # Every Azure rule is exercised, so parity is not vacuous.
        assert {rule for rule, *_ in arm} == {
            "IAC101", "IAC102", "IAC201", "IAC301", "IAC401", "IAC601", "IAC602", "IAC603",
            "IAC701", "IAC702", "IAC703", "IAC801", "IAC802", "IAC811", "IAC831",
        }  # fmt: skip
        assert arm[("IAC601", "error", "api", "billing")] == 1
        assert arm[("IAC102", "note", "appgw", "agw-2017")] == 1
