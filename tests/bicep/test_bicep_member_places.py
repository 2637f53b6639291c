"""An object member's value is the value of its expression placed at the member (`relocate`). The
evaluator makes strings with interpolations and member accesses at the member's span at once;
these tests compare each with the definition. A resource's body takes the instance's name as
worked out on its own: the body does not evaluate its `name` member a second time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from iaclint.budget import Budget
from iaclint.discover import Unit
from iaclint.lang.bicep import load
from iaclint.lang.bicep.access import relocate
from iaclint.lang.bicep.evaluate import Context, FileEvaluator
from iaclint.lang.bicep.syntax import decode_source, parse
from iaclint.values import Value

MAIN = """\
param given string
param items array = [
  {
    name: 'a'
    path: 'p/a'
  }
]
param obj object = {
  inner: {
    x: 'y'
  }
  Mixed: 1
}
var prefix = 'pre'
var num = 3
resource vnet 'Microsoft.Network/virtualNetworks@2023-01-01' = {
  name: '${prefix}-vnet'
  properties: {
    subnets: []
  }
}
var members = {
  known: '${prefix}-x'
  twice: '${prefix}${prefix}'
  number: '${num}'
  flag: '${true}'
  unknownTail: '${given}/apis/orders'
  unknownHead: 'https://${given}.example.com'
  escaped: 'it\\'s'
  access: obj.inner
  deep: obj.inner.x
  caseless: obj.mixed
  missing: obj.nothing
  safe: obj.?nothing
  ofUnknown: given.x
  ofItem: items[0].name
  ofResource: vnet.properties.subnets
  notSet: vnet.properties.addressSpace
  resourceName: vnet.name
  resourceId: vnet.id
}
"""


def _fields(v: Value) -> tuple[Any, ...]:
    return (v.state, v.data, v.span, v.reason, v.refs, v.via)


def _evaluator(tmp_path: Path) -> FileEvaluator:
    path = tmp_path / "main.bicep"
    path.write_text(MAIN, encoding="utf-8")
    source = decode_source("main.bicep", MAIN.encode("utf-8"))
    assert not isinstance(source, tuple)
    ctx = Context(parse_file=lambda p: "not read", display=str, budget=Budget())
    return FileEvaluator(parse(source), path, ctx, None, "", "main.bicep")


def test_members_made_in_place_equal_relocated_values(tmp_path: Path) -> None:
    ev = _evaluator(tmp_path)
    node = ev.kids(ev.decls["members"][1])[-1]
    members = ev._members(node)
    assert len(members) == 18
    with ev.ctx.budget.active():
        for member in members:
            _kind, key, val_node, pspan, _const = member
            fast = ev._fill({}, [member], {}, (), 1)[key]
            slow = relocate(ev.expr(val_node, {}), pspan)
            assert _fields(fast) == _fields(slow), key
            assert fast.span == pspan
    # What the places hold: the value itself where it was written, the way it came in `via`.
    with ev.ctx.budget.active():
        out = ev._fill({}, members, {}, (), len(members))
    assert out["known"].data == "pre-x" and out["known"].via == ()
    assert out["unknownTail"].known_suffix() == "/apis/orders"
    assert out["unknownTail"].refs[0] == "apis:orders"
    assert out["deep"].data == "y" and [s.line for s in out["deep"].via] == [10]
    assert out["caseless"].data == 1
    assert out["missing"].is_absent and out["safe"].data is None
    assert out["ofItem"].data == "a" and [s.line for s in out["ofItem"].via] == [4]
    assert out["notSet"].is_unknown and out["notSet"].refs == ("main.bicep#vnet",)


def test_a_body_does_not_evaluate_its_name_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.bicep").write_text(MAIN, encoding="utf-8")
    seen: list[int] = []
    original = FileEvaluator._interpolated

    def counting(ev: FileEvaluator, node: Any, *args: Any) -> Value:
        seen.append(ev.span(node).line)
        return original(ev, node, *args)

    monkeypatch.setattr(FileEvaluator, "_interpolated", counting)
    result = load([Unit("bicep", tmp_path, (tmp_path / "main.bicep",))], None)
    (vnet,) = result.resources
    body = vnet.body
    assert list(body.data) == ["type", "apiVersion", "name", "properties"]
    assert body.data["name"].data == "pre-vnet"
    assert vnet.name == "pre-vnet"
    assert seen.count(17) == 1  # `name: '${prefix}-vnet'`, read by the body and by the name
