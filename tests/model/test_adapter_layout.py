"""Adapters per service, shared meaning: a language's reader never imports another language's reader
(what two languages share lives in the service's `build.py`), and every reader module of a service
package registers what it reads instead of being listed somewhere."""

from __future__ import annotations

import ast
from pathlib import Path

MODEL = Path(__file__).resolve().parents[2] / "src" / "iaclint" / "model"

# The per-language reader modules of a service package (`arm.py` reads ARM, Bicep and azapi bodies).
READERS = {"terraform", "cloudformation", "sam", "arm", "azurerm", "azapi"}
# SAM is CloudFormation with a transform: its reader may build on the CloudFormation one.
ALLOWED = {("sam", "cloudformation")}


def _service_modules() -> list[Path]:
    return sorted(p for p in MODEL.glob("*/*/*.py") if p.stem in READERS)


def _imported(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_there_are_readers_to_check() -> None:
    assert len(_service_modules()) >= 15


def test_no_reader_imports_another_languages_reader() -> None:
    wrong = []
    for path in _service_modules():
        for module in _imported(path):
            parts = module.split(".")
            if parts[:2] != ["iaclint", "model"] or parts[-1] not in READERS:
                continue
            if parts[-1] != path.stem and (path.stem, parts[-1]) not in ALLOWED:
                wrong.append(f"{path.relative_to(MODEL)} imports {module}")
    assert wrong == []


def _registers(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef):
            for d in node.decorator_list:
                if (
                    isinstance(d, ast.Call)
                    and isinstance(d.func, ast.Name)
                    and d.func.id in ("adapter", "reads")
                ):
                    return True
    return False


def test_every_reader_registers_what_it_reads() -> None:
    assert [str(p.relative_to(MODEL)) for p in _service_modules() if not _registers(p)] == []
