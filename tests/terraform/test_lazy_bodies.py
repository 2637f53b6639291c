"""Resource bodies worked out when the model first reads them (`ResourceInstance.resource`): what
the load knows without them, what reading one costs and says, and the release after the checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import by_address, write

from iaclint.budget import Budget, Limits
from iaclint.discover import Unit
from iaclint.fileaccess import ScanRoots
from iaclint.lang.options import TerraformOptions
from iaclint.lang.terraform import load
from iaclint.lang.terraform import loader as tf_loader
from iaclint.resources import LoadResult
from iaclint.values import EvaluationError, LazyValue, State

MAIN = """\
locals {
  names = ["a", "b"]
}
resource "t" "c" {
  count = 2
  n     = "c${count.index}"
}
resource "t" "e" {
  for_each = toset(local.names)
  k        = each.key
  v        = upper(each.value)
}
resource "t" "lit" {
  a = 1
  nested {
    b = "x"
  }
}
"""


def _load(d: Path) -> LoadResult:
    files = tuple(sorted(p for p in d.iterdir() if p.name.endswith(".tf")))
    return load([Unit("terraform", d, files)], TerraformOptions(ScanRoots.for_paths([str(d)])))


def test_instances_and_addresses_are_known_before_any_body_is_read(tmp_path: Path) -> None:
    result = _load(write(tmp_path, {"main.tf": MAIN}))
    got = [(r.type, r.address, r.name, r.span.line) for r in result.resources]
    assert got == [
        ("t", "t.c[0]", "c", 4),
        ("t", "t.c[1]", "c", 4),
        ("t", 't.e["a"]', "e", 8),
        ("t", 't.e["b"]', "e", 8),
        ("t", "t.lit", "lit", 13),
    ]
    bodies = [r.body for r in result.resources]
    assert all(isinstance(b, LazyValue) and not b.ready() for b in bodies)


def test_a_body_read_later_sees_its_own_instance(tmp_path: Path) -> None:
    result = _load(write(tmp_path, {"main.tf": MAIN}))
    res = by_address(result)
    assert res["t.c[1]"].body.py() == {"n": "c1"}
    assert res["t.c[0]"].body.py() == {"n": "c0"}
    assert res['t.e["b"]'].body.py() == {"k": "b", "v": "B"}
    assert res['t.e["a"]'].body.py() == {"k": "a", "v": "A"}
    assert res["t.lit"].body.py() == {"a": 1, "nested": [{"b": "x"}]}
    assert res["t.lit"].body.span is not None and res["t.lit"].body.span.line == 13


def test_a_body_nobody_reads_spends_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = Limits(work=30_000)
    monkeypatch.setattr(tf_loader, "Budget", lambda unit="": Budget(small, unit=unit))
    burner = 'resource "t" "r" {\n  n = length([for i in range(20000) : [for j in range(2) : j]])\n}\n'
    result = _load(write(tmp_path, {"main.tf": burner}))
    (b,) = result.budgets
    assert b.exhausted is None
    # Read, it is bounded as during the load: the argument is unknown, saying why, and the unit's
    # budget is spent (the engine then reports the unit as partly read).
    (r,) = result.resources
    n = r.body.get("n")
    spent = "more than 30,000 evaluation steps in this unit"
    assert (n.state, n.reason) == (State.UNKNOWN, f"evaluation budget exceeded in t.r.n: {spent}")
    assert b.exhausted == spent


def test_after_release_an_unread_body_cannot_be_read(tmp_path: Path) -> None:
    result = _load(write(tmp_path, {"main.tf": MAIN}))
    res = by_address(result)
    assert res["t.c[0]"].body.py() == {"n": "c0"}
    result.release()
    # What was read stays; what was not no longer refers to the loader.
    assert res["t.c[0]"].body.py() == {"n": "c0"}
    with pytest.raises(EvaluationError, match="read after its load result was released"):
        res["t.c[1]"].body.py()


def test_each_argument_is_worked_out_when_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = Limits(work=30_000)
    monkeypatch.setattr(tf_loader, "Budget", lambda unit="": Budget(small, unit=unit))
    text = (
        'resource "t" "r" {\n  lit = 1\n  up = upper("x")\n'
        "  n = length([for i in range(20000) : [for j in range(2) : j]])\n}\n"
    )
    result = _load(write(tmp_path, {"main.tf": text}))
    (b,) = result.budgets
    (r,) = result.resources
    assert list(r.body.data) == ["lit", "up", "n"]
    assert isinstance(r.body.data["up"], LazyValue) and not r.body.data["up"].ready()
    assert (r.body.get("lit").py(), r.body.get("up").py()) == (1, "X")
    assert b.exhausted is None  # `n`, not read, spent nothing
    assert r.body.get("n").state is State.UNKNOWN
    assert b.exhausted == "more than 30,000 evaluation steps in this unit"
