"""Path resolution and display for one discovery or one load, cached: a registry-sized tree asks for
the same directories thousands of times, and `Path.resolve()` stats every component of every path."""

from __future__ import annotations

import os
from pathlib import Path


class PathResolver:
    """`resolve(p)` equals `p.resolve()`; `display(p)` equals `source.display_path(p)` for a resolved
    `p`, with the working directory read once (at construction)."""

    __slots__ = ("_cwd", "_real_paths")

    def __init__(self) -> None:
        self._real_paths: dict[str, str] = {}
        self._cwd = Path.cwd().resolve()

    def resolve(self, path: Path) -> Path:
        return Path(self.real(os.fspath(path)))

    def real(self, raw: str) -> str:
        """`os.path.realpath(raw)`, one `lstat` per directory not seen before. Iterative: a tree
        thousands of directories deep must not exhaust the interpreter's recursion limit."""
        cache = self._real_paths
        known = cache.get(raw)
        if known is not None:
            return known
        # Walk up to a directory already resolved (or the first component), then resolve down.
        pending: list[tuple[str, str]] = []
        path = raw
        while True:
            known = cache.get(path)
            if known is not None:
                real = known
                break
            head, tail = os.path.split(path)
            if not head or head == path:
                real = cache[path] = os.path.realpath(path)
                break
            pending.append((path, tail))
            path = head
        for path, tail in reversed(pending):
            if tail == "..":
                # The parent of the resolved directory: `..` applies after any link in the head is
                # followed, as in realpath.
                real = os.path.dirname(real)
            elif tail not in ("", "."):
                full = os.path.join(real, tail)
                # Only the last component can still be a link: the directory part is already real.
                real = os.path.realpath(full) if os.path.islink(full) else full
            cache[path] = real
        return real

    def display(self, resolved: Path) -> str:
        try:
            return resolved.relative_to(self._cwd).as_posix()
        except ValueError:
            return resolved.as_posix()
