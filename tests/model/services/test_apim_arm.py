"""API Management from ARM-shaped resources (ARM templates; Bicep and azapi bodies share the
reader): a minimal resource set adapted, the facts compared."""

from __future__ import annotations

from pathlib import Path

from tests.model.services.apim_helpers import TOKEN, arm, auth_by_api, facts_of, pol, res

from iaclint.model.facts import Auth

PUBLIC = {"publisherEmail": "a@b.c", "publisherName": "x"}
INTERNAL = {**PUBLIC, "virtualNetworkType": "Internal"}


def test_children_of_a_service_named_by_a_parameter_without_default_are_linked(tmp_path: Path) -> None:
    resources = [
        res("service", "[parameters('svc')]", **INTERNAL),
        pol("service/policies", "[format('{0}/policy', parameters('svc'))]", TOKEN),
        res("service/apis", "[concat(parameters('svc'), '/orders')]", path="orders"),
    ]
    facts = facts_of(tmp_path, {"t.json": arm(*resources, parameters={"svc": {"type": "string"}})})
    (op,) = facts.operations
    assert op.auth is Auth.TOKEN


def test_section_without_base_is_definite_under_an_unknown_global_policy(tmp_path: Path) -> None:
    resources = [
        res("service/policies", "other/policy", format="rawxml-link", value="https://x/p.xml"),
        res("service/apis", "other/open", path="open", subscriptionRequired=False),
        pol("service/apis/policies", "other/open/policy", "<mock-response/>"),
    ]
    facts = facts_of(tmp_path, {"t.json": arm(*resources)})
    (op,) = facts.operations
    assert (op.auth, op.why) == (
        Auth.NONE,
        "no validate-jwt or validate-azure-ad-token in its effective policy and no subscription key",
    )


def test_fragments_and_workspaces(tmp_path: Path) -> None:
    open_api = {"subscriptionRequired": False}
    resources = [
        res("service", "svc", **INTERNAL),
        res("service/policyFragments", "svc/auth", format="rawxml", value=f"<fragment>{TOKEN}</fragment>"),
        res("service/apis", "svc/frag", path="frag", **open_api),
        pol("service/apis/policies", "svc/frag/policy", '<include-fragment fragment-id="auth"/>'),
        res("service/apis", "svc/missing", path="missing", **open_api),
        pol("service/apis/policies", "svc/missing/policy", '<include-fragment fragment-id="elsewhere"/>'),
        res("service/workspaces", "svc/ws"),
        pol("service/workspaces/policies", "svc/ws/policy", TOKEN),
        res("service/workspaces/apis", "svc/ws/inws", path="inws", **open_api),
    ]
    facts = facts_of(tmp_path, {"t.json": arm(*resources)})
    assert auth_by_api(facts) == {"frag": "token", "missing": "unknown", "inws": "token"}


def test_consumption_tier_validate_client_certificate_is_the_truststore(tmp_path: Path) -> None:
    svc = res("service", "svc", **PUBLIC, enableClientCertificate=True)
    cert = (
        '<validate-client-certificate validate-trust="false"><identities><identity thumbprint="AB"/>'
        "</identities></validate-client-certificate>"
    )
    glob = pol("service/policies", "svc/policy", cert)
    api = res("service/apis", "svc/a", path="a")
    for sku, truststore in (("Consumption", True), ("Developer", False)):
        facts = facts_of(tmp_path, {"t.json": arm({**svc, "sku": {"name": sku, "capacity": 0}}, glob, api)})
        (auth,) = [a for ep in facts.endpoints for a in ep.client_auths]
        assert auth.truststore.state is truststore, sku
        assert [v.validated.state for v in auth.validations] == [True]


def ip_filter(action: str) -> str:
    return f'<ip-filter action="{action}"><address>10.0.0.1</address></ip-filter>'


def test_service_without_apis_is_judged_by_its_global_ip_filter(tmp_path: Path) -> None:
    resources = [
        res("service", "allow", **PUBLIC),
        pol("service/policies", "allow/policy", ip_filter("allow")),
        res("service", "forbid", **PUBLIC),
        pol("service/policies", "forbid/policy", ip_filter("forbid")),
        res("service", "internal", **INTERNAL),
    ]
    facts = facts_of(tmp_path, {"t.json": arm(*resources)})
    got = {r.origin.address.rsplit("#", 1)[-1]: r.met.state for r in facts.network}
    assert got == {"allow": True, "forbid": False}


def test_module_instances_with_the_same_names_link_their_own_children(tmp_path: Path) -> None:
    # Bicep: a module called in a loop declares a service of the same name in each instance.
    svc = f"""
resource apim 'Microsoft.ApiManagement/service@2024-05-01' = {{
  name: 'same'
  location: 'westeurope'
  properties: {{ publisherEmail: 'a@b.c', publisherName: 'x' }}
}}

resource glob 'Microsoft.ApiManagement/service/policies@2024-05-01' = {{
  parent: apim
  name: 'policy'
  properties: {{ format: 'rawxml', value: '<policies><inbound>{TOKEN}</inbound></policies>' }}
}}

resource api 'Microsoft.ApiManagement/service/apis@2024-05-01' = {{
  parent: apim
  name: 'orders'
  properties: {{ path: 'orders', subscriptionRequired: false }}
}}
"""
    main = "module m 'svc.bicep' = [for i in range(0, 2): {\n  name: 'm${i}'\n}]\n"
    facts = facts_of(tmp_path, {"main.bicep": main, "svc.bicep": svc})
    in_main = [op for op in facts.operations if "main.bicep#" in op.origin.address]
    assert sorted((op.origin.address.split("#", 1)[1], op.auth.value) for op in in_main) == [
        ("module.m[0].api", "token"),
        ("module.m[1].api", "token"),
    ]
    # Each service has its API: neither is judged at service level.
    assert all(r.origin.address.endswith(".api") or r.origin.address.endswith("#api") for r in facts.network)
