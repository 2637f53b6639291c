"""The rule pack snapshot (`rule_snapshot.py`): the pack as PyYAML parses it, used only for a rule
file whose text is the recorded one, so it can make loading faster but never different."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from iaclint import rule_snapshot, rules
from iaclint.rules import RuleError, load_rules

SNAPSHOT = Path(rule_snapshot.__file__)


@pytest.fixture(autouse=True)
def _fresh_pack():
    load_rules.cache_clear()
    yield
    load_rules.cache_clear()


def test_snapshot_is_current() -> None:
    assert SNAPSHOT.read_text(encoding="utf-8") == rules.snapshot_source(), (
        "src/iaclint/rule_snapshot.py is stale: run `python -m iaclint.rules` after changing a rule"
    )


def test_snapshot_documents_are_what_yaml_gives() -> None:
    from_yaml = {name: rules.parse_yaml(text) for name, text in rules.rule_files()}
    assert rule_snapshot.documents() == from_yaml
    assert set(rule_snapshot.TEXTS) == set(from_yaml)


def test_pack_from_snapshot_equals_pack_from_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    with_snapshot = load_rules()
    load_rules.cache_clear()
    monkeypatch.setattr(rule_snapshot, "TEXTS", {})
    from_yaml = load_rules()
    assert list(with_snapshot) == list(from_yaml)
    assert with_snapshot == from_yaml


def test_snapshot_spares_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    monkeypatch.setattr(rules, "parse_yaml", lambda text: parsed.append(text))
    assert len(load_rules()) == len(rule_snapshot.TEXTS)
    assert parsed == []


def test_changed_rule_file_is_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = tmp_path / "rules"
    shutil.copytree(rules._rules_dir(), pack)
    path = pack / "IAC101.yaml"
    text = path.read_text(encoding="utf-8")
    changed = text.replace("title: Client-facing", "title: Changed, client-facing", 1)
    path.write_text(changed, encoding="utf-8")
    monkeypatch.setattr(rules, "_rules_dir", lambda: pack)
    parsed: list[str] = []
    real = rules.parse_yaml
    monkeypatch.setattr(rules, "parse_yaml", lambda t: parsed.append(t) or real(t))
    pack_now = load_rules()
    assert pack_now["IAC101"].title == "Changed, client-facing API endpoints accept TLS 1.2 or newer only"
    assert len(parsed) == 1  # only the changed file; the others are the recorded ones


def test_added_rule_file_is_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = tmp_path / "rules"
    shutil.copytree(rules._rules_dir(), pack)
    text = (pack / "IAC102.yaml").read_text(encoding="utf-8")
    copy = text.replace("id: IAC102", "id: IAC109").replace("name: tls13-preferred", "name: copy")
    (pack / "IAC109.yaml").write_text(copy, encoding="utf-8")
    monkeypatch.setattr(rules, "_rules_dir", lambda: pack)
    assert load_rules()["IAC109"].name == "copy"
    assert load_rules()["IAC109"].help == load_rules()["IAC102"].help


def test_documents_are_new_objects() -> None:
    first, second = rule_snapshot.documents(), rule_snapshot.documents()
    assert first == second
    assert first["IAC101.yaml"]["parameters"] is not second["IAC101.yaml"]["parameters"]


def test_snapshot_keeps_only_plain_values() -> None:
    assert rules._literal({"a": [1, 2.5, True, None, "é"]}, "x") == "{'a': [1, 2.5, True, None, '\\xe9']}"
    with pytest.raises(RuleError, match="x: date values cannot be kept"):
        rules._literal({"when": datetime.date(2026, 1, 1)}, "x")
