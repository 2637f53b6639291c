"""Which Bicep files to evaluate as roots, with which `.bicepparam` values; bad input as diagnostics.

Every file is read through `fileaccess.read_bytes`: the entry files, their modules and the
`.bicepparam` files beside them only inside the scan roots; the `--parameter-file` files wherever
the user put them. Each entry file is one unit with one evaluation budget, its modules included.
"""

from __future__ import annotations

import contextlib
import os
from functools import partial
from pathlib import Path
from typing import Any

from iaclint.budget import Budget
from iaclint.directives import DIRECTIVE, parse_comment
from iaclint.fileaccess import ReadRefused, ScanRoots, read_bytes
from iaclint.lang import reaches
from iaclint.lang.bicep.evaluate import Context, FileEvaluator
from iaclint.lang.bicep.graph import local_targets
from iaclint.lang.bicep.syntax import Parsed, decode_source, parse
from iaclint.lang.options import BicepOptions, roots_for
from iaclint.lang.parsing import ParseTimeout
from iaclint.realpath import PathResolver
from iaclint.resources import Diagnostic, Directive, LoadResult
from iaclint.source import display_path
from iaclint.values import LazyValue, Value


class _Files:
    """Parsed files by resolved path, each read and parsed once per load."""

    def __init__(self, result: LoadResult) -> None:
        self.result = result
        # (path, parameters file, roots) -> the parsed file, or why it was not read
        self.cache: dict[tuple[str, bool, ScanRoots | None], Parsed | str] = {}
        self.paths = PathResolver()
        self._params_in: dict[Path, list[Path]] = {}

    def bicepparams(self, folder: Path) -> list[Path]:
        """The `.bicepparam` files of a folder, listed once per load."""
        found = self._params_in.get(folder)
        if found is None:
            found = []
            # os.scandir rather than Path.glob: the same list, at a fraction of the cost.
            with contextlib.suppress(OSError), os.scandir(folder) as entries:
                found = sorted(folder / e.name for e in entries if e.name.endswith(".bicepparam"))
            self._params_in[folder] = found
        return found

    def get(
        self, path: Path, roots: ScanRoots | None, params_file: bool = False, report: str = "all"
    ) -> Parsed | str:
        """The file parsed, or why not (one line, no content). `roots`: where it may be read (None
        for a file the user named on the command line). `report`: which refusals to read make the
        file a failed one: "all" (a file of the scan), "file" (a `.bicepparam` found beside a
        template: what the file is, not where it leads, since discovery already said so of a link
        out of the tree), "none" (a module: its unknown outputs say why; a module file that is
        part of the scan is read, and reported, as a unit of its own). What it holds (not UTF-8, a
        parse that runs out of time, syntax errors) is reported whoever reads it."""
        key = (str(path), params_file, roots)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self._read(path, roots, params_file, report)
        return found

    def _read(self, path: Path, roots: ScanRoots | None, params_file: bool, report: str) -> Parsed | str:
        shown = self.paths.display(path)
        try:
            data = read_bytes(path, roots=roots)
        except ReadRefused as err:
            elsewhere = roots is not None and not roots.allows(path)
            if report == "all" or (report == "file" and not elsewhere and os.path.lexists(path)):
                self.result.diagnostics.append(Diagnostic(shown, 1, 1, err.reason))
            return err.reason
        self.result.files_read.add(str(path))
        source = decode_source(shown, data)
        if isinstance(source, tuple):
            line, why = source
            self.result.diagnostics.append(Diagnostic(shown, line, 1, why))
            return why
        try:
            parsed = parse(source, params_file)
        except ParseTimeout as err:
            self.result.diagnostics.append(Diagnostic(shown, 1, 1, err.reason))
            return err.reason
        self.result.diagnostics.extend(parsed.diagnostics)
        if not params_file and DIRECTIVE in source.text:
            self.result.directives.extend(_directives(parsed))
        return parsed


def _directives(parsed: Parsed) -> list[Directive]:
    """`// iaclint:ignore IAC101 -- reason` and `/* iaclint:ignore ... */` comments, on the line the
    comment starts. The tree is walked (not the text searched) so a directive-like string is no
    directive."""
    out: list[Directive] = []
    # The own parser keeps the comments in a list; tree-sitter's trees hold them.
    stack = list(parsed.comments) if parsed.comments is not None else list(parsed.roots)
    data = parsed.source.data
    while stack:
        node = stack.pop()
        if node.type == "comment":
            raw = parsed.text_of(node).decode("utf-8", errors="replace")
            if raw.startswith("/*"):
                # A block comment may wrap: its reason is read as one line.
                body = " ".join(raw[2 : -2 if raw.endswith("*/") else None].split())
            else:
                body = raw[2:]
            found = parse_comment(body)
            if found is not None:
                rules, reason = found
                line = data.count(b"\n", 0, node.start_byte) + 1
                out.append(Directive(parsed.source.path, line, rules, reason))
        elif node.child_count:
            stack.extend(node.children)
    out.sort(key=lambda d: d.line)
    return out


def _local_modules(parsed: Parsed, path: Path, paths: PathResolver) -> list[str]:
    """Resolved paths (as strings) of the local module files `path` calls."""
    if b"module" not in parsed.source.data:
        return []  # no module declaration can be there; spares a walk over every statement
    return local_targets(parsed.statements, parsed.text_of, path, paths)


def _param_values(
    files: _Files, template: Path, ctx: Context, roots: ScanRoots, explicit: list[str]
) -> dict[str, Value]:
    """Values from the `.bicepparam` that `using`s this template (explicit files first)."""
    candidates = [(Path(p), None) for p in explicit if p.endswith(".bicepparam")]
    candidates += [(p, roots) for p in files.bicepparams(template.parent)]
    for cand, where in candidates:
        report = "all" if where is None else "file"
        parsed = files.get(files.paths.resolve(cand), where, params_file=True, report=report)
        if isinstance(parsed, str):
            continue
        using = next((n for n in parsed.statements if n.type == "using_statement"), None)
        target = None
        if using is not None:
            strings = [c for c in using.named_children if c.type == "string"]
            if strings:
                target = parsed.text_of(strings[0]).decode("utf-8", errors="replace").strip("'")
        if target is None or files.paths.resolve(cand.parent / target) != template:
            continue
        ev = FileEvaluator(parsed, files.paths.resolve(cand), ctx, None, "", display_path(cand))
        values: dict[str, Value] = {}
        for name, (kind, _node) in ev.decls.items():
            if kind == "var":
                ev.symbol_value(name, parsed.source.span_from_offsets(0, 0))
                values[name] = ev.values[name]
        return values
    return {}


def _roots_to_evaluate(order: list[str], calls: dict[str, list[str]]) -> set[str]:
    """The files to evaluate as roots: each file no other scanned file calls as a module, then,
    for files that only files on a cycle call (a.bicep calls b.bicep, which calls a.bicep), the
    first one not yet reached from a root. Every file is then evaluated, as a root or as a module
    of one, and a module is evaluated where it is called, with its parameters bound."""
    scanned = set(order)
    called = {m for f in order for m in calls[f] if m in scanned and m != f}
    chosen = [f for f in order if f not in called]
    reached: set[str] = set()

    def reach(start: str) -> None:
        stack = [start]
        while stack:
            f = stack.pop()
            if f in reached:
                continue
            reached.add(f)
            stack.extend(m for m in calls.get(f, ()) if m in scanned and m not in reached)

    for f in chosen:
        reach(f)
    for f in order:
        if f not in reached:
            chosen.append(f)
            reach(f)
    return set(chosen)


class _Result(LoadResult):
    """A LoadResult whose values may still be worked out from the evaluators' state."""

    __slots__ = ("lazies",)

    def __init__(self) -> None:
        super().__init__()
        # Every value of the load left to be worked out later (see `Context.lazies`).
        self.lazies: list[LazyValue] = []

    def release(self) -> None:
        # A value never read refers to its evaluator (through what would work it out), and the
        # evaluator to its values and syntax tree: letting go of that breaks the only cycles of
        # the load, so reference counting frees the part once the engine drops the result.
        for v in self.lazies:
            v.release()
        self.lazies = []


def load_units(units: list[Any], options: BicepOptions | None = None) -> LoadResult:
    options = options or BicepOptions()
    result = _Result()
    files = _Files(result)
    explicit = list(options.parameter_files)
    entries: list[tuple[Path, Parsed, ScanRoots]] = []
    calls: dict[str, list[str]] = {}
    for unit in units:
        # The scan's roots, or (for a library caller without them) the unit's own repository or
        # directory.
        roots = roots_for(options.roots, [unit.path])
        for f in unit.files:
            # The folder resolved, the name kept: a linked entry file is read through its link
            # (the reader resolves it against the scan roots) and reported under its own name.
            path = Path(files.paths.real_parent(os.path.abspath(f)))
            parsed = files.get(path, roots)
            if isinstance(parsed, str) or str(path) in calls:
                continue
            entries.append((path, parsed, roots))
            calls[str(path)] = _local_modules(parsed, path, files.paths)
    evaluate = _roots_to_evaluate([str(path) for path, _parsed, _roots in entries], calls)
    if options.focus is not None:
        evaluate = {f for f in evaluate if reaches(f, calls, options.focus)}
    for path, parsed, roots in entries:
        if str(path) not in evaluate:
            continue  # evaluated where it is called, with its parameters bound
        shown = parsed.source.path
        # One budget for the entry file and its modules, current while any of it is evaluated:
        # now, and when a value left for later is worked out (see FileEvaluator._guarded).
        budget = Budget(unit=shown)
        result.budgets.append(budget)
        ctx = Context(
            parse_file=partial(files.get, roots=roots, report="none"),
            display=display_path,
            resolve=files.paths.resolve,
            # The result's own set: a body worked out after the load (see LazyValue) may still read a file.
            files_read=result.files_read,
            roots=roots,
            budget=budget,
            diagnostics=result.diagnostics,
            lazies=result.lazies,
        )
        ctx.stack.append(str(path))
        with budget.active():
            params = _param_values(files, path, ctx, roots, explicit)
            ev = FileEvaluator(parsed, path, ctx, params, "", shown)
            ev.emit_resources()
        result.resources.extend(ctx.resources)
    return result
