"""Where an HCL expression is evaluated (`Ctx`), what it can refer to (`Scope`), and what the
pieces that evaluate parts of it (templates, built-in functions, JSON syntax) need of the evaluator
(`Evaluating`). Kept apart from `evaluate.py` so those pieces depend on this small contract, not on
the evaluator, and the evaluator can depend on them.
"""

from __future__ import annotations

from typing import Any, Protocol

from iaclint.budget import Budget
from iaclint.fileaccess import ScanRoots
from iaclint.lang.terraform.syntax import SourceFile
from iaclint.source import Span
from iaclint.values import Value


class Scope(Protocol):
    """What an expression can refer to: implemented by a module instance in `loader.py`."""

    module_dir: str
    root_dir: str

    def var(self, name: str) -> Value: ...
    def local(self, name: str) -> Value: ...
    def module_value(self, name: str) -> Value: ...
    def resource_value(self, mode: str, type_: str, name: str) -> Value | None: ...
    def note_file(self, path: str) -> None: ...
    def scan_roots(self) -> ScanRoots: ...


class Ctx:
    """Where an expression is evaluated: the module scope, the file, and local names in effect."""

    __slots__ = ("bindings", "file", "scope")

    def __init__(
        self, scope: Scope, file: SourceFile | None, bindings: dict[str, Value] | None = None
    ) -> None:
        self.scope = scope
        self.file = file
        self.bindings = bindings or {}

    def bind(self, names: dict[str, Value]) -> Ctx:
        return Ctx(self.scope, self.file, {**self.bindings, **names})

    def in_file(self, file: SourceFile) -> Ctx:
        if file is self.file:
            return self
        return Ctx(self.scope, file, self.bindings)

class Evaluating(Protocol):
    """The evaluator as templates, built-in functions and JSON syntax use it (see `Evaluator`)."""

    budget: Budget
    # Parsed template files and JSON-syntax strings, by (path or id, text).
    template_cache: dict[Any, Any]

    def node(self, n: Any, ctx: Ctx) -> Value: ...
    def for_intro(self, n: Any, ctx: Ctx) -> tuple[list[str], Value]: ...
    def iterations(
        self, names: list[str], coll: Value, cond: Any | None, ctx: Ctx, span: Span
    ) -> list[Ctx] | Value: ...
