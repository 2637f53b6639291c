"""Variable type constraints fill optional object attributes (found on the Azure Verified Modules)."""

from __future__ import annotations

from conftest import by_address

MODULE = """
variable "security" {
  type = object({
    enable_frontend_tls10 = optional(bool, false)
    enable_frontend_tls11 = optional(bool, true)
    note                  = optional(string)
  })
  default = null
}

variable "apis" {
  type = map(object({
    path   = string
    policy = optional(object({
      xml_content = optional(string)
      xml_link    = optional(string)
    }))
    tags = optional(list(object({ name = optional(string, "none") })), [{}])
  }))
  default = {}
}

resource "azurerm_api_management" "this" {
  name = "apim"
  dynamic "security" {
    for_each = var.security != null ? [var.security] : []
    content {
      frontend_tls10_enabled = security.value.enable_frontend_tls10
      frontend_tls11_enabled = security.value.enable_frontend_tls11
    }
  }
}

resource "azurerm_api_management_api_policy" "this" {
  for_each    = { for k, v in var.apis : k => v if v.policy != null }
  api_name    = each.key
  xml_content = each.value.policy.xml_content
  xml_link    = each.value.policy.xml_link
}

resource "azurerm_api_management_api" "this" {
  for_each = var.apis
  name     = each.key
  path     = each.value.path
  revision = each.value.tags[0].name
}
"""

ROOT = """
module "apim" {
  source   = "./mod"
  security = {}
  apis = {
    echo = {
      path   = "echo"
      policy = { xml_content = "<policies/>" }
    }
    bare = { path = "bare" }
  }
}
"""


def test_optional_attributes_take_their_defaults_or_null(tf) -> None:  # type: ignore[no-untyped-def]
    res = by_address(tf({"main.tf": ROOT, "mod/main.tf": MODULE}))
    svc = res["module.apim.azurerm_api_management.this"].body
    sec = svc.get("security").elements()[0]
    tls10 = sec.get("frontend_tls10_enabled")
    assert tls10.is_known and tls10.data is False
    # The default is where the value came from: the optional(bool, ...) in the type.
    assert tls10.via and (tls10.via[-1].line, tls10.via[-1].column) == (4, 44)
    assert sec.get("frontend_tls11_enabled").data is True

    # xml_link is declared optional without a default: null, so the policy is the inline XML.
    pol = res['module.apim.azurerm_api_management_api_policy.this["echo"]'].body
    assert pol.get("xml_content").data == "<policies/>"
    assert pol.get("xml_link").is_null
    # The filter `v.policy != null` sees the missing policy as null: no policy for "bare".
    assert 'module.apim.azurerm_api_management_api_policy.this["bare"]' not in res

    # A default is itself converted: [{}] becomes [{name = "none"}].
    api = res['module.apim.azurerm_api_management_api.this["bare"]'].body
    assert api.get("revision").data == "none"


def test_a_root_variable_default_is_converted_too(tf) -> None:  # type: ignore[no-untyped-def]
    main = MODULE.replace("default = null", "default = { enable_frontend_tls10 = null }", 1)
    res = by_address(tf({"main.tf": main}))
    sec = res["azurerm_api_management.this"].body.get("security").elements()[0]
    # An explicit null takes the default, as Terraform does.
    assert sec.get("frontend_tls10_enabled").data is False
    assert sec.get("frontend_tls11_enabled").data is True


def test_json_and_untyped_variables_are_left_alone(tf) -> None:  # type: ignore[no-untyped-def]
    main = """
variable "s" {
  default = {}
}
resource "azurerm_api_management" "this" {
  name = "apim"
  security {
    frontend_tls10_enabled = var.s.enable_frontend_tls10
  }
}
"""
    res = by_address(tf({"main.tf": main}))
    v = res["azurerm_api_management.this"].body.get("security").elements()[0].get("frontend_tls10_enabled")
    assert v.is_unknown
