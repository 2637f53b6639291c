"""Path resolution and display for one load, cached: a registry-sized tree asks for the same
directories thousands of times, and `Path.resolve()` stats every component of every path."""

from __future__ import annotations

import os
from pathlib import Path


class PathResolver:
    """`resolve(p)` equals `p.resolve()`; `display(p)` equals `source.display_path(p)` for a resolved
    `p`, with the working directory read once (at construction)."""

    __slots__ = ("_cwd", "_dirs")

    def __init__(self) -> None:
        self._dirs: dict[str, str] = {}
        self._cwd = Path.cwd().resolve()

    def resolve(self, path: Path) -> Path:
        raw = os.fspath(path)
        head, tail = os.path.split(raw)
        if tail in ("", ".", ".."):
            return Path(os.path.realpath(raw))
        real_dir = self._dirs.get(head)
        if real_dir is None:
            real_dir = os.path.realpath(head)
            self._dirs[head] = real_dir
        full = os.path.join(real_dir, tail)
        # Only the last component can still be a link: the directory part is already real.
        return Path(os.path.realpath(full) if os.path.islink(full) else full)

    def display(self, resolved: Path) -> str:
        try:
            return resolved.relative_to(self._cwd).as_posix()
        except ValueError:
            return resolved.as_posix()
