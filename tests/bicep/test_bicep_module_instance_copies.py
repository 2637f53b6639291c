"""Loop instances of a module given identical parameters are evaluated once and copied: the copies
must look exactly as if evaluated (their own addresses, refs into their own instance, the same spans)."""

from __future__ import annotations

from pathlib import Path

from iaclint.discover import Unit
from iaclint.lang.bicep import load
from iaclint.resources import Resource

INNER = """\
param serviceName string

resource svc 'Microsoft.ApiManagement/service@2024-05-01' = {
  name: serviceName
  location: 'westeurope'
}

resource api 'Microsoft.ApiManagement/service/apis@2024-05-01' = {
  parent: svc
  name: 'echo'
  properties: {
    path: 'echo'
    serviceUrl: svc.id
  }
}
"""


def _load(tmp_path: Path, main: str) -> dict[str, Resource]:
    (tmp_path / "inner.bicep").write_text(INNER, encoding="utf-8")
    path = tmp_path / "main.bicep"
    path.write_text(main, encoding="utf-8")
    result = load([Unit("bicep", tmp_path, (path, tmp_path / "inner.bicep"))], None)
    assert result.diagnostics == []
    return {r.address.split("#", 1)[1]: r for r in result.resources}


def test_same_parameters_copies_with_their_own_addresses_and_refs(tmp_path: Path) -> None:
    res = _load(
        tmp_path,
        "module m 'inner.bicep' = [for iteration in ['init', 'idem']: {\n"
        "  name: 'deploy-${iteration}'\n"
        "  params: { serviceName: 'apim1' }\n"
        "}]\n",
    )
    assert list(res) == ["module.m[0].svc", "module.m[0].api", "module.m[1].svc", "module.m[1].api"]
    first, second = res["module.m[0].api"], res["module.m[1].api"]
    url0 = first.body.get("properties").get("serviceUrl")
    url1 = second.body.get("properties").get("serviceUrl")
    # The copy links to the service of its own instance, not the first one's.
    assert url0.refs == (f"{first.address.split('#')[0]}#module.m[0].svc",)
    assert url1.refs == (f"{second.address.split('#')[0]}#module.m[1].svc",)
    assert url1.is_unknown and url1.reason == url0.reason
    # Everything else is what evaluating the instance gives.
    assert second.name == first.name == "apim1/echo"
    assert second.body.py() == first.body.py()
    assert (second.span.line, second.span.column) == (first.span.line, first.span.column) == (8, 1)
    assert url1.span == url0.span and (url1.span.line, url1.span.column) == (13, 5)
    assert second.body.get("name").via == first.body.get("name").via


def test_parameters_from_the_loop_item_are_evaluated_per_instance(tmp_path: Path) -> None:
    res = _load(
        tmp_path,
        "module m 'inner.bicep' = [for iteration in ['init', 'idem']: {\n"
        "  name: 'deploy-${iteration}'\n"
        "  params: { serviceName: 'apim-${iteration}' }\n"
        "}]\n",
    )
    assert res["module.m[0].api"].name == "apim-init/echo"
    assert res["module.m[1].api"].name == "apim-idem/echo"
    assert res["module.m[1].svc"].body.get("name").py() == "apim-idem"


def test_a_condition_on_the_loop_item_is_evaluated_per_instance(tmp_path: Path) -> None:
    res = _load(
        tmp_path,
        "module m 'inner.bicep' = [for iteration in ['init', 'idem']: if (iteration == 'init') {\n"
        "  name: 'deploy-${iteration}'\n"
        "  params: { serviceName: 'apim1' }\n"
        "}]\n",
    )
    assert list(res) == ["module.m[0].svc", "module.m[0].api"]
