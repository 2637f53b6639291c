from pathlib import Path

from iaclint.rule_docs import pages
from iaclint.rules import CATEGORIES, load_rules

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules"


def test_rule_pages_are_current() -> None:
    wanted = pages()
    present = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    stale = sorted(name for name, text in wanted.items() if present.get(name) != text)
    extra = sorted(set(present) - set(wanted))
    assert not stale and not extra, (
        f"docs/rules is stale ({stale}, extra {extra}): run `python -m iaclint.rule_docs docs/rules`"
    )


def test_rule_pack_is_well_formed() -> None:
    rules = load_rules()
    names = [r.name for r in rules.values()]
    assert len(names) == len(set(names)), "rule names must be unique"
    for rule in rules.values():
        assert rule.category in CATEGORIES
        assert rule.id.startswith("IAC") and rule.id[3:].isdigit()
        assert rule.name == rule.name.lower() and " " not in rule.name
        assert rule.help and rule.title and rule.message
        if rule.category != "parse":
            assert rule.standard, f"{rule.id} cites no section of the standard"
            assert rule.references, f"{rule.id} has no references"


def test_writing_pages_removes_only_pages_of_rules_that_are_gone(tmp_path: Path) -> None:
    from iaclint.rule_docs import main

    (tmp_path / "IAC999.md").write_text("# a rule that is gone\n")
    (tmp_path / "NOTES.md").write_text("kept\n")
    assert main(["rule_docs", str(tmp_path)]) == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert "IAC999.md" not in names and "NOTES.md" in names
    assert set(pages()) <= names
