"""Which Bicep files to evaluate as roots, with which `.bicepparam` values; bad input as diagnostics."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from iaclint.lang.bicep.evaluate import Context, FileEvaluator
from iaclint.lang.bicep.syntax import Parsed, parse
from iaclint.realpath import PathResolver
from iaclint.resources import Diagnostic, Directive, LoadResult
from iaclint.source import SourceText, display_path
from iaclint.suppress import DIRECTIVE, parse_comment
from iaclint.values import Value

MAX_FILE_BYTES = 20 * 1024 * 1024


class _Files:
    """Parsed files by resolved path, each read and parsed once per load."""

    def __init__(self, result: LoadResult) -> None:
        self.result = result
        self.cache: dict[tuple[str, bool], Parsed | None] = {}
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

    def get(self, path: Path, params_file: bool = False) -> Parsed | None:
        key = (str(path), params_file)
        if key in self.cache:
            return self.cache[key]
        parsed = self._read(path, params_file)
        self.cache[key] = parsed
        return parsed

    def _read(self, path: Path, params_file: bool) -> Parsed | None:
        shown = self.paths.display(path)
        try:
            # One read a byte past the limit instead of a stat first: each system call counts here.
            with open(path, "rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            self.result.diagnostics.append(Diagnostic(shown, 1, 1, f"cannot read file: {exc.strerror}"))
            return None
        if len(data) > MAX_FILE_BYTES:
            self.result.diagnostics.append(Diagnostic(shown, 1, 1, "file larger than 20 MB; not read"))
            return None
        self.result.files_read.add(str(path))
        try:
            source = SourceText.decode(shown, data)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.result.diagnostics.append(
                Diagnostic(shown, line, 1, "not valid UTF-8 text; save the file as UTF-8")
            )
            return None
        if "\x00" in source.text:
            line = source.text.count("\n", 0, source.text.index("\x00")) + 1
            self.result.diagnostics.append(Diagnostic(shown, line, 1, "binary content (NUL byte); not Bicep"))
            return None
        parsed = parse(source, params_file)
        self.result.diagnostics.extend(parsed.diagnostics)
        if not params_file and DIRECTIVE in source.text:
            self.result.directives.extend(_directives(parsed))
        return parsed


def _directives(parsed: Parsed) -> list[Directive]:
    """`// iaclint:ignore IAC101 -- reason` and `/* iaclint:ignore ... */` comments, on the line the
    comment starts. The tree is walked (not the text searched) so a directive-like string is no
    directive."""
    out: list[Directive] = []
    stack = list(parsed.roots)
    while stack:
        node = stack.pop()
        if node.type == "comment":
            raw = node.text.decode("utf-8", errors="replace")
            if raw.startswith("/*"):
                # A block comment may wrap: its reason is read as one line.
                body = " ".join(raw[2 : -2 if raw.endswith("*/") else None].split())
            else:
                body = raw[2:]
            found = parse_comment(body)
            if found is not None:
                rules, reason = found
                out.append(Directive(parsed.source.path, node.start_point[0] + 1, rules, reason))
        elif node.child_count:
            stack.extend(node.children)
    out.sort(key=lambda d: d.line)
    return out


def _local_modules(parsed: Parsed, path: Path, paths: PathResolver) -> list[str]:
    """Resolved paths (as strings) of the local module files `path` calls."""
    out: list[str] = []
    if b"module" not in parsed.source.data:
        return out  # no module declaration can be there; spares a walk over every statement
    folder = os.path.dirname(path)
    for node in parsed.statements:
        if node.type != "module_declaration":
            continue
        strings = [c for c in node.named_children if c.type == "string"]
        if not strings:
            continue
        target = strings[0].text.decode("utf-8", errors="replace").strip("'")
        if ":" in target.split("/")[0] or "${" in target:
            continue
        out.append(paths.real(os.path.join(folder, target)))
    return out


def _param_values(files: _Files, template: Path, ctx: Context, explicit: list[str]) -> dict[str, Value]:
    """Values from the `.bicepparam` that `using`s this template (explicit files first)."""
    candidates = [Path(p) for p in explicit if p.endswith(".bicepparam")]
    candidates += files.bicepparams(template.parent)
    for cand in candidates:
        parsed = files.get(files.paths.resolve(cand), params_file=True)
        if parsed is None:
            continue
        using = next((n for n in parsed.statements if n.type == "using_statement"), None)
        target = None
        if using is not None:
            strings = [c for c in using.named_children if c.type == "string"]
            if strings:
                target = strings[0].text.decode("utf-8", errors="replace").strip("'")
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


def load_units(units: list[Any], options: Any) -> LoadResult:
    result = LoadResult()
    files = _Files(result)
    explicit = list(getattr(options, "bicep_parameter_files", []) or [])
    roots: list[tuple[Path, Parsed]] = []
    called: set[str] = set()
    for unit in units:
        for f in unit.files:
            path = files.paths.resolve(Path(f))
            parsed = files.get(path)
            if parsed is None:
                continue
            roots.append((path, parsed))
            called.update(m for m in _local_modules(parsed, path, files.paths) if m != str(path))
    for path, parsed in roots:
        if str(path) in called:
            continue  # evaluated where it is called, with its parameters bound
        # The result's own set: a body worked out after the load (see LazyValue) may still read a file.
        ctx = Context(
            parse_file=files.get,
            display=display_path,
            resolve=files.paths.resolve,
            files_read=result.files_read,
        )
        ctx.stack.append(str(path))
        shown = parsed.source.path
        try:
            params = _param_values(files, path, ctx, explicit)
            ev = FileEvaluator(parsed, path, ctx, params, "", shown)
            ev.emit_resources()
        except RecursionError:
            result.diagnostics.append(Diagnostic(shown, 1, 1, "Bicep nested too deeply to evaluate"))
            continue
        result.resources.extend(ctx.resources)
    return result
