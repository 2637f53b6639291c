"""Module calls as the Azure Verified Modules write them (found scanning Azure/bicep-registry-modules):
looped modules (`[for iteration in ['init', 'idem']: {...}]`), optional `type?` parameters the caller
leaves out, and `item.?x` nulls passed to parameters that have a default."""

from __future__ import annotations

from pathlib import Path

from iaclint.discover import Unit
from iaclint.engine import ScanOptions, scan
from iaclint.lang.bicep import load
from iaclint.resources import Resource

API = """\
param serviceName string
param name string = 'policy'
param subscriptionRequired bool = false
param protocols string[]?
param apis apiType[]?

type apiType = {
  path: string
}

resource svc 'Microsoft.ApiManagement/service@2024-05-01' existing = {
  name: serviceName
}

resource api 'Microsoft.ApiManagement/service/apis@2024-05-01' = [
  for (a, i) in (apis ?? []): {
    name: '${name}-${i}'
    parent: svc
    properties: {
      path: a.path
      subscriptionRequired: subscriptionRequired
      protocols: protocols ?? ['https']
    }
  }
]
"""

MAIN = """\
@batchSize(1)
module testDeployment 'api.bicep' = [
  for iteration in ['init', 'idem']: {
    name: 'deploy-${iteration}'
    params: {
      serviceName: 'apim-${iteration}'
      name: null
      subscriptionRequired: null
      apis: [
        { path: 'echo' }
      ]
    }
  }
]
"""


def _resources(tmp_path: Path) -> dict[str, Resource]:
    (tmp_path / "api.bicep").write_text(API, encoding="utf-8")
    main = tmp_path / "main.bicep"
    main.write_text(MAIN, encoding="utf-8")
    result = load([Unit("bicep", tmp_path, (main, tmp_path / "api.bicep"))], None)
    assert result.diagnostics == []
    return {r.address.split("#", 1)[1]: r for r in result.resources}


def test_a_looped_module_is_deployed_once_per_item(tmp_path: Path) -> None:
    res = _resources(tmp_path)
    assert sorted(res) == ["module.testDeployment[0].api[0]", "module.testDeployment[1].api[0]"]
    # Each instance sees its own item.
    assert res["module.testDeployment[0].api[0]"].name == "apim-init/policy-0"
    assert res["module.testDeployment[1].api[0]"].name == "apim-idem/policy-0"
    # The resource is in the module file, where the value was written.
    api = res["module.testDeployment[1].api[0]"]
    assert (api.span.path.endswith("api.bicep"), api.span.line) == (True, 15)


def test_null_takes_the_default_and_a_left_out_optional_parameter_is_null(tmp_path: Path) -> None:
    props = _resources(tmp_path)["module.testDeployment[0].api[0]"].body.get("properties")
    # `subscriptionRequired: null` with `= false` in the module: false, not null.
    sub = props.get("subscriptionRequired")
    assert sub.is_known and sub.data is False
    # `protocols` (string[]?) is not passed: null, so `?? ['https']` applies.
    assert props.get("protocols").py() == ["https"]


def test_looped_module_findings_through_the_engine(tmp_path: Path) -> None:
    _resources(tmp_path)
    result = scan(ScanOptions(paths=[str(tmp_path)], select=["IAC201", "IAC601", "IAC603"]))
    got = sorted((f.rule_id, f.address.split("#", 1)[1], f.span.line) for f in result.findings)
    # No subscription key (false) and no validate-jwt: unauthenticated, in both instances, reported
    # where the API resource is declared; https only: no IAC201.
    assert got == [
        ("IAC601", "module.testDeployment[0].api[0]", 15),
        ("IAC601", "module.testDeployment[1].api[0]", 15),
    ]


def test_an_arm_template_as_module_is_not_read_as_bicep(tmp_path: Path) -> None:
    (tmp_path / "inner.json").write_text(
        '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",'
        ' "contentVersion": "1.0.0.0", "resources": []}',
        encoding="utf-8",
    )
    main = tmp_path / "main.bicep"
    main.write_text("module inner './inner.json' = [for i in range(0, 2): {\n  name: 'x${i}'\n}]\n", "utf-8")
    result = load([Unit("bicep", tmp_path, (main,))], None)
    # Bicep syntax errors on a JSON file would be a false IAC001.
    assert result.diagnostics == []
    assert result.resources == []
