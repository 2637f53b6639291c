"""Load a minimal piece of infrastructure code, in any language, and return the facts the rules
read: the per-service tests adapt one small resource set per language and compare facts."""

from __future__ import annotations

import os
from pathlib import Path

from iaclint.discover import discover
from iaclint.engine import ScanOptions, _load
from iaclint.model import build
from iaclint.model.facts import Facts


def facts_of(tmp_path: Path, files: dict[str, str]) -> Facts:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        found = discover(["."])
        resources = []
        for language in sorted({u.language for u in found.units}):
            units = [u for u in found.units if u.language == language]
            result = _load(language, units, ScanOptions(paths=["."]))
            assert not result.diagnostics, result.diagnostics
            resources += result.resources
        return build(resources).facts
    finally:
        os.chdir(cwd)


def throttling(facts: Facts) -> dict[str, tuple[bool | None, str]]:
    """Stage address → (throttled, why)."""
    return {r.origin.address.rsplit("#", 1)[-1]: (r.met.state, r.met.why) for r in facts.throttling}


def operations(facts: Facts) -> dict[str, tuple[str, str]]:
    """Operation label without the platform and API kind → (auth, why)."""
    return {o.origin.label.split(" API ", 2)[-1]: (o.auth.value, o.why) for o in facts.operations}
