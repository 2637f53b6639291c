"""Lazy Bicep evaluation: resource bodies and module parameters are worked out when first read, and a
member a resource's declaration does not set is unknown (known only after deployment) when read through
the resource's symbol."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from iaclint.discover import Unit
from iaclint.lang.bicep import load
from iaclint.lang.bicep.evaluate import FileEvaluator
from iaclint.resources import Resource
from iaclint.source import Span
from iaclint.values import LazyValue, State, Value


def _load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> dict[str, Resource]:
    """Write `files` to tmp_path and load them all (addresses relative: `main.bicep#sym`)."""
    monkeypatch.chdir(tmp_path)
    paths = []
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(tmp_path / name)
    result = load([Unit("bicep", tmp_path, tuple(paths))], None)
    assert result.diagnostics == []
    return {r.address: r for r in result.resources}


def _where(v: Value) -> tuple[int, int, int, int]:
    assert v.span is not None
    return (v.span.line, v.span.column, v.span.end_line, v.span.end_column)


class _Counter:
    """Counts the calls of a FileEvaluator method (patched on the class) and records what each was for."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str, what: Any) -> None:
        self.seen: list[Any] = []
        original = getattr(FileEvaluator, name)

        def wrapper(ev: FileEvaluator, *args: Any) -> Any:
            self.seen.append(what(ev, args))
            return original(ev, *args)

        monkeypatch.setattr(FileEvaluator, name, wrapper)


def _count_bodies(monkeypatch: pytest.MonkeyPatch) -> _Counter:
    # _lazy_body(head, body_n, env, name, where): record the line the body object starts on.
    return _Counter(monkeypatch, "_lazy_body", lambda ev, a: ev.span(a[1]).line)


def _count_calls(monkeypatch: pytest.MonkeyPatch) -> _Counter:
    # call(name, arg_nodes, env, depth, span): record the function's name.
    return _Counter(monkeypatch, "call", lambda ev, a: a[0])


SITE = """\
param env string = 'prod'

resource site 'Microsoft.Web/sites@2022-03-01' = {
  name: 'site-${env}'
  location: 'westeurope'
  properties: {
    tag: toUpper(env)
  }
}
"""


def test_a_body_is_not_evaluated_during_load_but_on_first_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bodies = _count_bodies(monkeypatch)
    calls = _count_calls(monkeypatch)
    site = _load(tmp_path, monkeypatch, {"main.bicep": SITE})["main.bicep#site"]
    # Neither the name nor the body (and its toUpper) is worked out during load.
    assert site.name == "site-prod"
    assert (bodies.seen, calls.seen) == ([], [])
    assert isinstance(site.body, LazyValue)
    assert site.body.ready() is False
    assert site.body.get("type").data == "Microsoft.Web/sites"
    assert (bodies.seen, calls.seen) == ([3], ["toUpper"])
    # Further reads use the worked-out body.
    assert site.body.py()["properties"] == {"tag": "PROD"}
    assert site.body.ready() is True
    assert (bodies.seen, calls.seen) == ([3], ["toUpper"])


def test_a_forced_body_is_the_body_an_eager_evaluation_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = _load(tmp_path, monkeypatch, {"main.bicep": SITE})["main.bicep#site"].body
    assert list(body.data) == ["type", "apiVersion", "name", "location", "properties"]
    type_span = Span("main.bicep", 3, 15, 3, 47)
    assert body.get("type") == Value.known("Microsoft.Web/sites", type_span)
    assert body.get("apiVersion") == Value.known("2022-03-01", type_span)
    assert body.get("name") == Value.known("site-prod", Span("main.bicep", 4, 3, 4, 22))
    assert body.get("location") == Value.known("westeurope", Span("main.bicep", 5, 3, 5, 25))
    tag = body.path("properties", "tag")
    assert (tag.state, tag.data, _where(tag), tag.via) == (State.KNOWN, "PROD", (7, 5, 7, 22), ())
    assert _where(body) == (3, 50, 9, 2)


def test_a_body_with_a_spread_reads_its_name_now_and_the_rest_when_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A spread may bring `name`, so the whole body is evaluated once during load for the name;
    # the body is still a LazyValue, worked out again (seeing the finished load) when read.
    text = """\
var base = {
  location: 'westeurope'
}

resource site 'Microsoft.Web/sites@2022-03-01' = {
  name: 'site'
  ...base
  properties: {
    tag: toUpper('abc')
  }
}
"""
    bodies = _count_bodies(monkeypatch)
    calls = _count_calls(monkeypatch)
    resource = _load(tmp_path, monkeypatch, {"main.bicep": text})["main.bicep#site"]
    body = resource.body
    assert resource.name == "site"
    assert isinstance(body, LazyValue) and not body.ready()
    assert (len(bodies.seen), calls.seen) == (0, ["toUpper"])
    assert body.py() == {
        "type": "Microsoft.Web/sites",
        "apiVersion": "2022-03-01",
        "name": "site",
        "location": "westeurope",
        "properties": {"tag": "ABC"},
    }
    assert (len(bodies.seen), calls.seen) == (1, ["toUpper", "toUpper"])
    # The spread member keeps the span it has in the variable.
    assert _where(body.get("location")) == (2, 3, 2, 25)


OUT_OF_ORDER = """\
resource site 'Microsoft.Web/sites@2022-03-01' = {
  name: 'site'
  properties: {
    minTls: plan.properties.x
    other: plan.properties.notDeclared
  }
}

resource plan 'Microsoft.Web/serverfarms@2022-03-01' = {
  name: 'plan'
  properties: {
    x: 'tls1_2'
  }
}
"""


def test_a_body_reads_a_resource_declared_after_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    props = _load(tmp_path, monkeypatch, {"main.bicep": OUT_OF_ORDER})["main.bicep#site"].body.get(
        "properties"
    )
    # plan's declared value, at site's member, coming from plan's member.
    assert props.get("minTls") == Value(
        State.KNOWN,
        "tls1_2",
        Span("main.bicep", 4, 5, 4, 30),
        via=(Span("main.bicep", 12, 5, 12, 16),),
    )
    assert props.get("other") == Value.unknown(
        "plan.properties.notDeclared is known only after deployment",
        Span("main.bicep", 5, 5, 5, 39),
        ("main.bicep#plan",),
    )


VNET = """\
resource vnet 'Microsoft.Network/virtualNetworks@2023-04-01' = {
  name: 'vnet1'
  properties: {
    subnets: [
      {
        name: 'default'
      }
    ]
  }
}

resource nic 'Microsoft.Network/networkInterfaces@2023-04-01' = {
  name: 'nic1'
  properties: {
    subnetId: vnet.properties.subnets[0].id
    subnetName: vnet.properties.subnets[0].name
    fallback: vnet.properties.subnets[0].id ?? 'none'
    safe: vnet.properties.subnets[0].?id
  }
}
"""


def test_a_member_of_a_deployed_array_not_declared_is_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    props = _load(tmp_path, monkeypatch, {"main.bicep": VNET})["main.bicep#nic"].body.get("properties")
    reason = "vnet.properties.subnets[0].id is known only after deployment"
    refs = ("main.bicep#vnet",)
    assert props.get("subnetId") == Value.unknown(reason, Span("main.bicep", 15, 5, 15, 44), refs)
    assert props.get("subnetName") == Value(
        State.KNOWN,
        "default",
        Span("main.bicep", 16, 5, 16, 48),
        via=(Span("main.bicep", 6, 9, 6, 24),),
    )
    # An unknown before `??` stays unknown: the fallback is not picked.
    assert props.get("fallback") == Value.unknown(
        f"unknown value before ??: {reason}", Span("main.bicep", 17, 5, 17, 54), refs
    )
    # `.?` does not make it null either.
    assert props.get("safe") == Value.unknown(reason, Span("main.bicep", 18, 5, 18, 41), refs)


MODULE = """\
param siteName string
param tag string

resource site 'Microsoft.Web/sites@2022-03-01' = {
  name: siteName
  properties: {
    tag: tag
  }
}
"""

CALLER = """\
module m 'mod.bicep' = {
  name: 'm'
  params: {
    siteName: toLower('MySite')
    tag: toUpper('abc')
  }
}
"""


def test_module_parameters_are_evaluated_when_the_module_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # _member_value(val_node, env, pspan): record the line of the parameter's member in the caller.
    params = _Counter(monkeypatch, "_member_value", lambda ev, a: a[2].line)
    res = _load(tmp_path, monkeypatch, {"main.bicep": CALLER, "mod.bicep": MODULE})
    site = res["main.bicep#module.m.site"]
    # siteName feeds the resource name, so it is worked out during load; tag only in the body.
    assert site.name == "mysite"
    assert params.seen == [4]
    tag = site.body.path("properties", "tag")
    assert params.seen == [4, 5]
    assert (tag.state, tag.data, _where(tag)) == (State.KNOWN, "ABC", (7, 5, 7, 13))
    assert tag.span is not None and tag.span.path == "mod.bicep"
    # Read again (and the whole body): the parameter is not evaluated again.
    assert site.body.py()["properties"] == {"tag": "ABC"}
    assert params.seen == [4, 5]


def test_a_body_reading_itself_gets_an_unknown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = """\
resource me 'Microsoft.Web/sites@2022-03-01' = {
  name: 'me'
  properties: {
    a: me.properties.b
    b: 'x'
  }
}
"""
    props = _load(tmp_path, monkeypatch, {"main.bicep": text})["main.bicep#me"].body.get("properties")
    # While its body is worked out, `me.properties` is a deployment-time value (even the declared b).
    assert props.get("a") == Value.unknown(
        "me.properties is known only after deployment", Span("main.bicep", 4, 5, 4, 23), ("main.bicep#me",)
    )
    assert props.get("b") == Value.known("x", Span("main.bicep", 5, 5, 5, 11))


NAMES = """\
param prefix string = 'api'

resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: toLower('${prefix}-GW')
}

resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {
  parent: apim
  name: toUpper('orders')
}
"""


def test_names_are_worked_out_when_read_and_compose_with_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_calls(monkeypatch)
    res = _load(tmp_path, monkeypatch, {"main.bicep": NAMES})
    assert calls.seen == []
    api = res["main.bicep#api"]
    assert api.name == "api-gw/ORDERS"
    assert sorted(calls.seen) == ["toLower", "toUpper"]
    assert res["main.bicep#apim"].name == "api-gw"
    name = api.body.get("name")
    assert (name.data, _where(name)) == ("api-gw/ORDERS", (9, 3, 9, 26))


LOOPS = """\
param assignments array = [
  { role: 'reader' }
  { role: 'owner' }
]

var formatted = [for a in assignments: union(a, { roleId: toUpper(a.role) })]

resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (f, i) in formatted: {
  name: 'ra-${i}'
  properties: {
    roleDefinitionId: f.roleId
  }
}]
"""
OWNERS = """
resource owners 'Microsoft.Web/sites@2022-03-01' = [for f in formatted: if (f.role == 'owner') {
  name: f.roleId
}]
"""


def test_a_for_expression_gives_its_length_now_and_its_items_when_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_calls(monkeypatch)
    res = _load(tmp_path, monkeypatch, {"main.bicep": LOOPS})
    assert sorted(res) == ["main.bicep#ra[0]", "main.bicep#ra[1]"]
    assert calls.seen == []  # neither union() nor toUpper() yet
    role = res["main.bicep#ra[1]"].body.path("properties", "roleDefinitionId")
    assert role.data == "OWNER"
    assert calls.seen == ["union", "toUpper"]  # the item read, and only it


def test_a_loop_condition_reads_the_items_it_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_calls(monkeypatch)
    res = _load(tmp_path, monkeypatch, {"main.bicep": LOOPS + OWNERS})
    assert sorted(res) == ["main.bicep#owners[1]", "main.bicep#ra[0]", "main.bicep#ra[1]"]
    assert calls.seen == ["union", "toUpper", "union", "toUpper"]  # both items, for the `if`
    assert res["main.bicep#owners[1]"].name == "OWNER"


def test_a_failure_while_a_body_is_worked_out_is_an_internal_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from iaclint.cli import main
    from iaclint.engine import InternalError, ScanOptions, scan

    apim = (
        "resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {\n"
        "  name: 'apim1'\n  location: 'westeurope'\n  properties: {\n"
        "    publisherEmail: 'a@b.c'\n    publisherName: 'x'\n  }\n}\n"
    )
    (tmp_path / "apim.bicep").write_text(apim, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def broken(*_args: Any) -> Value:
        raise KeyError("boom")

    monkeypatch.setattr(FileEvaluator, "_lazy_body", broken)
    with pytest.raises(InternalError, match=r"^apim\.bicep: KeyError: 'boom'$"):
        scan(ScanOptions(paths=["."]))
    result = CliRunner().invoke(main, ["scan", "."])
    assert result.exit_code == 2
    assert result.output.strip() == "iaclint: internal error: apim.bicep: KeyError: 'boom'"
