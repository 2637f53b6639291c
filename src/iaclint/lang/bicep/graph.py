"""Which local files each Bicep entry file calls as modules: what the engine needs to load an entry
file together with the modules it calls (and no other), so that Bicep scans stream and share the
worker pool.

The calls are those the loader itself follows to choose its roots (`files._local_modules`): the
string of each `module` statement that names a local file (not a registry `br:` or template spec
`ts:` reference, not an interpolated path), resolved against the calling file's folder. Only the
`module` statements are read, with iaclint's own parser (`parser.module_statements`: the heads of
statements parsed, their values skipped over their tokens), and nothing is evaluated; each file is
read through `fileaccess.read_bytes` inside the scan roots and parsed under its deadline, as the
loader would.

Other files a Bicep file reads need no grouping: `loadTextContent()` and its kind read plain files,
never units of the scan, and a `.bicepparam` file is no unit of its own (its template reads it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from iaclint.fileaccess import ReadRefused, ScanRoots, read_bytes
from iaclint.lang.options import BicepOptions, roots_for
from iaclint.lang.parsing import ParseDeadline, ParseTimeout
from iaclint.realpath import PathResolver

# Module references that are not paths: registry (`br:`, `br/alias:`) and template spec ones.
_REMOTE = ("br:", "br/", "ts:", "ts/")


def module_calls(units: Sequence[Any], options: BicepOptions | None = None) -> dict[str, set[str]]:
    """For each unit (by the real path of its file), the real paths of the local files its `module`
    statements name. A file that cannot be read (outside the scan roots, not UTF-8, too deep or too
    slow to parse) calls nothing: the loader cannot read its calls either. A target outside the scan
    roots is left out: it is never part of the scan, and no loader may read it."""
    options = options or BicepOptions()
    paths = PathResolver()
    out: dict[str, set[str]] = {}
    for unit in units:
        roots = roots_for(options.roots, [unit.path])
        for f in unit.files:
            # As the loader names an entry file: its folder resolved, its name kept.
            path = paths.real_parent(os.path.abspath(f))
            calls = out.setdefault(paths.real(path), set())
            calls.update(t for t in _targets(path, roots, paths) if roots.allows(t))
    return out


def _targets(path: str, roots: ScanRoots, paths: PathResolver) -> list[str]:
    """The resolved local module paths named by the file at `path`."""
    try:
        data = read_bytes(path, roots=roots)
    except ReadRefused:
        return []
    if b"module" not in data:
        return []  # no module statement can be there
    from iaclint.lang.bicep import parser
    from iaclint.lang.bicep.syntax import decode_source

    source = decode_source(path, data)
    if isinstance(source, tuple):
        return []  # not Bicep text: the loader reads nothing of it
    data = source.data
    try:
        # Only the module statements: the rest of the file is skipped, not built.
        found = parser.module_statements(data, ParseDeadline(len(data)))
    except (parser.TooDeep, ParseTimeout):
        return []
    return local_targets(found, lambda n: data[n.start_byte : n.end_byte], path, paths)


def local_targets(
    statements: Sequence[Any], text_of: Callable[[Any], bytes], path: str | Path, paths: PathResolver
) -> list[str]:
    """The resolved paths of the local files the `module` statements of the file at `path` name:
    the one rule for the engine's grouping (above) and the loader's choice of roots
    (`files._local_modules`), so the two agree. (The grouping reads a `module` statement whose
    value does not parse too, which the loader never sees: the file it names is then loaded with
    this one but evaluated as a root, as it would be in a part of its own.)"""
    folder = os.path.dirname(path)
    out: list[str] = []
    for node in statements:
        if node.type != "module_declaration":
            continue
        strings = [c for c in node.named_children if c.type == "string"]
        if not strings:
            continue
        target = text_of(strings[0]).decode("utf-8", errors="replace").strip("'")
        if ":" in target.split("/")[0] or target.startswith(_REMOTE) or "${" in target:
            continue  # a registry or template spec reference, or a path known only when evaluated
        out.append(paths.real(os.path.join(folder, target)))
    return out
