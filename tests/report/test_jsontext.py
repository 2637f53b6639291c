"""The indented JSON writer gives `json.dumps(..., ensure_ascii=False, indent=N)`'s text exactly."""

from __future__ import annotations

import json
from enum import Enum, IntEnum
from typing import Any

import pytest

from iaclint.report import jsontext
from iaclint.report.jsontext import dumps_indented


class Colour(str, Enum):
    RED = "red"


class Size(IntEnum):
    BIG = 3


DOCS: list[Any] = [
    1,
    "x",
    None,
    True,
    1.5,
    float("nan"),
    float("inf"),
    -float("inf"),
    -0.0,
    10**30,
    [],
    {},
    [[]],
    {"a": {}},
    {"a": [1, {"b": None, "c": False}], "é": "\u2028\"\\\n\t\x00"},
    (1, (2, [3])),
    {"k": Colour.RED, "n": Size.BIG},
    {1: 2, "a": 1},  # a key json converts: left to json
    {True: 1, None: 2},
    "\ud800",  # a lone surrogate: encoded as json does (the report then cleans it)
    {"findings": [{"rule_id": "IAC101", "related": [], "properties": {"x": "1"}, "fix": None}]},
]


@pytest.mark.parametrize("indent", [0, 2, 4])
@pytest.mark.parametrize("doc", DOCS, ids=range(len(DOCS)))
def test_same_text_as_json_dumps(doc: Any, indent: int) -> None:
    assert dumps_indented(doc, indent) == json.dumps(doc, ensure_ascii=False, indent=indent)


def test_unsupported_value_raises_as_json_does() -> None:
    with pytest.raises(TypeError):
        dumps_indented({"a": object()}, 2)


MANY = {"findings": [{"id": i, "at": [i, {"x": "é"}]} for i in range(50)]}


@pytest.mark.parametrize("doc", [*DOCS, MANY], ids=range(len(DOCS) + 1))
def test_written_in_pieces_is_the_same_text(doc: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # A flush after every container of a list: the joined pieces are still the whole text.
    monkeypatch.setattr(jsontext, "_FLUSH_PIECES", 1)
    pieces: list[str] = []
    try:
        jsontext.write_indented(doc, 2, pieces.append)
    except jsontext.Unsupported:
        # Left to json.dumps, as dumps_indented leaves it: the caller starts again.
        assert dumps_indented(doc, 2) == json.dumps(doc, ensure_ascii=False, indent=2)
        return
    assert "".join(pieces) == json.dumps(doc, ensure_ascii=False, indent=2)
    if doc is MANY:
        assert len(pieces) > 40  # really written as it goes


def test_a_dict_held_in_several_places_is_written_as_json_writes_it() -> None:
    # A small flat dict shared by several places (a related place of several findings) is written
    # once and its text reused where the indentation is the same, never where it differs.
    from iaclint.report.jsontext import dumps_indented, write_indented

    shared = {"message": "value defined here", "path": "main.bicep", "start_line": 3}
    doc = {
        "findings": [{"related": [shared, shared]}, {"related": [shared], "x": 1}],
        "deeper": {"a": {"b": [shared]}},
        "same": shared,
    }
    expected = json.dumps(doc, ensure_ascii=False, indent=2)
    assert dumps_indented(doc, 2) == expected
    pieces: list[str] = []
    write_indented(doc, 2, pieces.append)
    assert "".join(pieces) == expected
    assert dumps_indented(doc, 4) == json.dumps(doc, ensure_ascii=False, indent=4)
