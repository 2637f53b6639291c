"""API Management from Terraform azurerm resources: a minimal resource set adapted, the facts
compared."""

from __future__ import annotations

from pathlib import Path

from tests.model.services.apim_helpers import auth_by_api, facts_of

SERVICE = """
variable "name" {
  type = string
}

resource "azurerm_api_management" "apim" {
  name                 = var.name
  location             = "westeurope"
  resource_group_name  = "rg"
  publisher_name       = "x"
  publisher_email      = "a@b.c"
  sku_name             = "%s"
  virtual_network_type = "%s"
  client_certificate_enabled = true
}
"""

# Single-quoted XML attributes: no escaping inside HCL strings.
TOKEN = (
    "<validate-azure-ad-token tenant-id='contoso.onmicrosoft.com'><client-application-ids>"
    "<application-id>1</application-id></client-application-ids></validate-azure-ad-token>"
)


CERT_AND_DENY = (
    "<validate-client-certificate /><ip-filter action='forbid'><address>1.2.3.4</address></ip-filter>"
)


def api(name: str, inbound: str | None = None, workspace: str = "") -> str:
    out = f'''
resource "azurerm_api_management_api" "{name}" {{
  name                  = "{name}"
  api_management_name   = azurerm_api_management.apim.name
  resource_group_name   = "rg"
  revision              = "1"
  path                  = "{name}"
  subscription_required = false
}}
'''
    if inbound is not None:
        out += f'''
resource "azurerm_api_management_api_policy" "{name}" {{
  api_name            = azurerm_api_management_api.{name}.name
  api_management_name = azurerm_api_management.apim.name
  resource_group_name = "rg"
  xml_content         = "<policies><inbound>{inbound}</inbound></policies>"
}}
'''
    return out


def test_references_link_a_service_named_by_a_variable_fragments_and_base(tmp_path: Path) -> None:
    tf = SERVICE % ("Developer_1", "Internal") + f'''
resource "azurerm_api_management_policy" "global" {{
  api_management_id = azurerm_api_management.apim.id
  xml_content       = "<policies><inbound>{TOKEN}</inbound></policies>"
}}

resource "azurerm_api_management_policy_fragment" "auth" {{
  api_management_id = azurerm_api_management.apim.id
  name              = "auth"
  format            = "rawxml"
  value             = "<fragment>{TOKEN}</fragment>"
}}
''' + api("inherits") + api("nobase", "<mock-response/>") + api(
        "frag", "<include-fragment fragment-id='auth'/>"
    )
    facts = facts_of(tmp_path, {"main.tf": tf})
    assert auth_by_api(facts) == {"inherits": "token", "nobase": "none", "frag": "token"}


def test_data_source_service_brings_its_declared_global_policy(tmp_path: Path) -> None:
    tf = f'''
data "azurerm_api_management" "apim" {{
  name                = "shared"
  resource_group_name = "rg"
}}

resource "azurerm_api_management_policy" "global" {{
  api_management_id = data.azurerm_api_management.apim.id
  xml_content       = "<policies><inbound>{TOKEN}</inbound></policies>"
}}

resource "azurerm_api_management_api" "orders" {{
  name                  = "orders"
  api_management_name   = data.azurerm_api_management.apim.name
  resource_group_name   = "rg"
  revision              = "1"
  path                  = "orders"
  subscription_required = false
}}
'''
    facts = facts_of(tmp_path, {"main.tf": tf})
    assert auth_by_api(facts) == {"orders": "token"}
    # Its network mode is not in the code: unknown, not public.
    (req,) = facts.network
    assert req.met.state is None


def test_workspace_policy_is_a_scope_and_consumption_needs_no_ca(tmp_path: Path) -> None:
    tf = SERVICE % ("Consumption_0", "None") + f'''
resource "azurerm_api_management_policy" "global" {{
  api_management_id = azurerm_api_management.apim.id
  xml_content       = "<policies><inbound>{CERT_AND_DENY}</inbound></policies>"
}}

resource "azurerm_api_management_workspace" "ws" {{
  name              = "ws"
  api_management_id = azurerm_api_management.apim.id
  display_name      = "ws"
}}

resource "azurerm_api_management_workspace_policy" "ws" {{
  api_management_workspace_id = azurerm_api_management_workspace.ws.id
  xml_content                 = "<policies><inbound><base />{TOKEN}</inbound></policies>"
}}

resource "azapi_resource" "inws" {{
  type      = "Microsoft.ApiManagement/service/workspaces/apis@2024-05-01"
  name      = "inws"
  parent_id = azurerm_api_management_workspace.ws.id
  body      = {{ properties = {{ path = "inws", subscriptionRequired = false }} }}
}}
'''
    facts = facts_of(tmp_path, {"main.tf": tf})
    assert auth_by_api(facts) == {"inws": "token"}
    (auth,) = [a for ep in facts.endpoints for a in ep.client_auths]
    assert (auth.truststore.state, [v.validated.state for v in auth.validations]) == (True, [True])
    # A deny-list is never an allow-list.
    (req,) = facts.network
    assert (req.met.state, req.met.why) == (
        False,
        'its effective policy has an ip-filter that only forbids listed addresses (action="forbid" is a '
        "deny-list)",
    )
