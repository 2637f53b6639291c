"""Reports: turn a `ScanResult` into text, JSON, SARIF, GitHub workflow commands, JUnit XML or
GitLab Code Quality JSON.

Each format lives in its own module exposing `render(result, *, color=False) -> str`; a module is
imported only when its format is asked for, so `iaclint scan` pays for one format only.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from iaclint.result import ScanResult

# format name → module exposing `render`.
FORMATS: dict[str, str] = {
    "text": "iaclint.report.text",
    "json": "iaclint.report.json",
    "sarif": "iaclint.report.sarif",
    "github": "iaclint.report.github",
    "junit": "iaclint.report.junit",
    "gitlab": "iaclint.report.gitlab",
}


def render(fmt: str, result: ScanResult, *, color: bool = False, **options: Any) -> str:
    """Render `result` in format `fmt` (one of `FORMATS`). Extra keywords (`verbose` for text) are
    passed only to the formats that take them."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    module = importlib.import_module(FORMATS[fmt])
    if fmt == "text":
        return module.render(result, color=color, **options)
    return module.render(result, color=color)
