"""Differential test: our raw decoding (before intrinsic evaluation) equals cfn-lint's decoder.

For every template under fixtures/ (all languages' folders, as they appear), each resource's
`Properties` as we decode them must equal what `cfnlint.decode.decode_str` gives.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from iaclint.lang.cloudformation import is_template
from iaclint.lang.cloudformation.decode import DecodeError, decode
from iaclint.source import SourceText

cfn_decode = pytest.importorskip("cfnlint.decode")

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SUFFIXES = (".yaml", ".yml", ".json", ".template")


def _normalise(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k): _normalise(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_normalise(v) for v in data]
    if isinstance(data, (datetime.date, datetime.datetime)):
        return data.isoformat()
    return data


def _templates() -> list[Path]:
    out = []
    for p in sorted(FIXTURES.rglob("*")):
        if not p.is_file() or not p.name.endswith(SUFFIXES) or "bad-input" in p.parts:
            continue
        try:
            decoded = decode(SourceText.decode(str(p), p.read_bytes()))
        except (DecodeError, UnicodeDecodeError):
            continue
        if is_template(decoded.root):
            out.append(p)
    return out


TEMPLATES = _templates()


def test_there_are_templates_to_compare() -> None:
    assert len(TEMPLATES) >= 3


@pytest.mark.parametrize("path", TEMPLATES, ids=[str(p.relative_to(FIXTURES)) for p in TEMPLATES])
def test_properties_equal_cfnlint(path: Path) -> None:
    ours = decode(SourceText.decode(str(path), path.read_bytes())).root
    theirs, matches = cfn_decode.decode_str(path.read_text(encoding="utf-8-sig"))
    assert theirs is not None, matches
    theirs = _normalise(theirs)
    assert sorted(ours.get("Resources").py()) == sorted(theirs["Resources"])
    for name, decl in ours.get("Resources").items():
        assert decl.get("Properties").py() == theirs["Resources"][name].get("Properties"), name
    assert ours.py() == theirs
