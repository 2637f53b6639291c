"""Differential test: literal attributes of every resource in fixtures/ agree with python-hcl2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hcl2
import pytest
from conftest import load_dirs

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TF_FILES = sorted(FIXTURES.rglob("*.tf"))
_SKIP = object()


def _normal(x: Any) -> Any:
    """python-hcl2's output as plain values; _SKIP for anything that is not a plain literal."""
    if isinstance(x, str):
        if "${" in x or "%{" in x or x.startswith('"<<'):
            return _SKIP
        if len(x) >= 2 and x.startswith('"') and x.endswith('"'):
            try:
                return json.loads(x)
            except ValueError:
                return _SKIP
        return _SKIP
    if isinstance(x, list):
        items = [_normal(i) for i in x]
        return _SKIP if any(i is _SKIP for i in items) else items
    if isinstance(x, dict):
        if x.get("__is_block__"):
            return _SKIP
        out = {}
        for k, v in x.items():
            key = k[1:-1] if len(k) >= 2 and k.startswith('"') and k.endswith('"') else k
            out[key] = _normal(v)
            if out[key] is _SKIP:
                return _SKIP
        return out
    return x


def _resources(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for entry in doc.get("resource", []):
        for t, by_name in entry.items():
            for n, body in by_name.items():
                out.append((t.strip('"'), n.strip('"'), body))
    return out


@pytest.mark.skipif(not TF_FILES, reason="no .tf fixtures yet")
@pytest.mark.parametrize("path", TF_FILES, ids=[str(p.relative_to(FIXTURES)) for p in TF_FILES])
def test_literals_agree_with_python_hcl2(path: Path) -> None:
    try:
        doc = hcl2.loads(path.read_text(encoding="utf-8-sig"))
    except Exception:
        pytest.skip("python-hcl2 cannot parse this file")
    result = load_dirs(path.parent)
    ours: dict[tuple[str, str], Any] = {}
    for r in result.resources:
        if r.span.path == str(path):
            ours.setdefault((r.type, r.name), r.body)
    compared = 0
    for t, n, body in _resources(doc):
        mine = ours.get((t, n))
        if mine is None:
            continue  # count = 0, or only reachable through a module call
        for attr, raw in body.items():
            if attr in ("__is_block__", "count", "for_each", "depends_on", "provider"):
                continue
            expected = _normal(raw)
            if expected is _SKIP:
                continue
            assert mine.get(attr).py() == expected, f"{t}.{n}.{attr}"
            compared += 1
    assert compared >= 0
