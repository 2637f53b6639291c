"""A part of a scan, once checked, is freed by reference counting: it leaves no cyclic garbage.

The engine runs each part with the cyclic collector off, then collects once before the next part.
What a part builds (syntax trees, Values, lazy bodies, the model) is garbage then; if any of it
sits on a reference cycle (an evaluator and the lazy values that would call it back, an API and
its stages, a nested function calling itself), everything hanging off the cycle waits for that
collection, which walks it all (about 12 % of a gateway-dense Bicep scan's CPU when it did). These
tests fail when a cycle comes back, naming the types on it.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from iaclint import engine
from iaclint.discover import Unit
from iaclint.engine import ScanOptions, scan
from iaclint.lang.bicep import load as load_bicep
from iaclint.model import build
from iaclint.values import EvaluationError, LazyValue

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


def _cyclic_garbage(run: Callable[[], Any]) -> Counter[str]:
    """What `run` leaves on reference cycles (by type), the collector off while it runs."""
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        run()
        gc.collect()
        return Counter(type(o).__qualname__ for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was:
            gc.enable()


@pytest.fixture
def per_part(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, Counter[str]]]]:
    """Each part the scan checks, with the cyclic garbage it leaves once `_check_part` returns."""
    out: list[tuple[str, Counter[str]]] = []
    real = engine._check_part

    def check(part: engine.Part, *args: Any, **kwargs: Any) -> engine.PartResult:
        got: list[engine.PartResult] = []
        left = _cyclic_garbage(lambda: got.append(real(part, *args, **kwargs)))
        out.append((f"{part.language}: {', '.join(str(u.path) for u in part.units)}", left))
        return got[0]

    monkeypatch.setattr(engine, "_check_part", check)
    yield out


def _scan_twice(paths: list[str], out: list[tuple[str, Counter[str]]]) -> None:
    # The first scan imports what the parts need: a class made by `dataclass(slots=True)` leaves
    # the class it replaces on a cycle, once per process. The second one is measured.
    scan(ScanOptions(paths=paths))
    out.clear()
    scan(ScanOptions(paths=paths))


@pytest.mark.parametrize("language", ["bicep", "terraform", "arm", "cloudformation", "sam", "policy"])
def test_a_checked_part_leaves_no_cyclic_garbage(
    language: str, per_part: list[tuple[str, Counter[str]]]
) -> None:
    _scan_twice([str(FIXTURES / language)], per_part)
    assert per_part, "no part was checked"
    assert [(part, dict(left)) for part, left in per_part if left] == []


def test_bad_input_parts_leave_no_cyclic_garbage(per_part: list[tuple[str, Counter[str]]]) -> None:
    _scan_twice([str(FIXTURES / "bad-input")], per_part)
    assert per_part
    assert [(part, dict(left)) for part, left in per_part if left] == []


def test_the_measure_sees_a_part_left_unreleased(
    per_part: list[tuple[str, Counter[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the releases, a Bicep part's evaluators and model stay on cycles: the test above
    can fail."""
    from iaclint.model.scope_model import Model
    from iaclint.resources import LoadResult

    paths = [str(FIXTURES / "bicep" / "azure" / "apim-compliant")]
    _scan_twice(paths, per_part)
    assert [left for _part, left in per_part] == [Counter()]
    monkeypatch.setattr(Model, "release", lambda self: None)
    bicep_result = type(load_bicep([], None))
    monkeypatch.setattr(bicep_result, "release", LoadResult.release)
    per_part.clear()
    scan(ScanOptions(paths=paths))
    ((_part, left),) = per_part
    assert left["FileEvaluator"] >= 1 and left["ApimApi"] >= 1


def _bicep_unit(tmp_path: Path, text: str) -> Unit:
    main = tmp_path / "main.bicep"
    main.write_text(text)
    return Unit(language="bicep", path=main, files=(main,))


BICEP = """\
resource svc 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: 'svc'
  location: 'westeurope'
  properties: { publisherEmail: 'a@b.c' }
}
resource api 'Microsoft.ApiManagement/service/apis@2022-08-01' = {
  parent: svc
  name: 'orders'
  properties: { path: 'orders', protocols: ['https'] }
}
"""


def test_bicep_release_lets_go_of_unread_bodies(tmp_path: Path) -> None:
    result = load_bicep([_bicep_unit(tmp_path, BICEP)])
    svc, api = result.resources
    assert isinstance(svc.body, LazyValue) and isinstance(api.body, LazyValue)
    assert svc.body.get("location").py() == "westeurope"
    assert not api.body.ready()
    result.release()
    # What was read stays; what was not no longer refers to the evaluator.
    assert svc.body.get("location").py() == "westeurope"
    with pytest.raises(EvaluationError, match="read after its load result was released"):
        api.body.get("properties")


def test_bicep_load_and_model_released_leave_no_cyclic_garbage(tmp_path: Path) -> None:
    unit = _bicep_unit(tmp_path, BICEP)

    def part() -> None:
        result = load_bicep([unit])
        model = build(result.resources)
        assert [a.resource.address.split("#")[1] for a in model.azure.apis] == ["api"]
        model.release()
        result.release()

    part()  # imports
    assert _cyclic_garbage(part) == Counter()


def test_model_release_empties_linked_entities(tmp_path: Path) -> None:
    result = load_bicep([_bicep_unit(tmp_path, BICEP)])
    model = build(result.resources)
    (api,) = model.azure.apis
    (svc,) = model.azure.services
    assert api.service is svc and svc.apis == [api]
    model.release()
    assert (api.service, api.resource, svc.apis, model.azure.apis) == (None, None, None, [api])
