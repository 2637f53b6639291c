"""Path resolution and display for one discovery or one load, cached: a registry-sized tree asks for
the same directories thousands of times, and `Path.resolve()` stats every component of every path."""

from __future__ import annotations

import os
from pathlib import Path


class PathResolver:
    """`resolve(p)` equals `p.resolve()`; `display(p)` equals `source.display_path(p)` for a resolved
    `p`, with the working directory read once (at the first `display`)."""

    __slots__ = ("_cwd", "_real_paths")

    def __init__(self) -> None:
        self._real_paths: dict[str, str] = {}
        self._cwd: Path | None = None  # read on the first `display`: most resolvers never display

    def resolve(self, path: Path) -> Path:
        return Path(self.real(os.fspath(path)))

    def real(self, raw: str) -> str:
        """`os.path.realpath(raw)`, one `lstat` per directory not seen before. Iterative: a tree
        thousands of directories deep must not exhaust the stack."""
        known = self._real_paths.get(raw)
        if known is not None:
            return known
        cache = self._real_paths
        pending: list[tuple[str, str]] = []
        path = raw
        while True:
            base = cache.get(path)
            if base is not None:
                break
            head, tail = os.path.split(path)
            if not head or head == path:
                base = cache[path] = os.path.realpath(path)
                break
            pending.append((path, tail))
            path = head
        for path, tail in reversed(pending):
            if tail == "..":
                # The parent of the resolved directory: `..` applies after any link in the head
                # is followed, as in realpath.
                real = os.path.dirname(base)
            elif tail in ("", "."):
                real = base
            else:
                full = os.path.join(base, tail)
                # Only the last component can still be a link: the directory part is already real.
                real = os.path.realpath(full) if os.path.islink(full) else full
            cache[path] = base = real
        return base

    def real_of(self, path: str | os.PathLike[str]) -> str:
        """`os.path.realpath(path)` for any path: a relative one is taken from the working directory
        now (keys are absolute, so the cache stays right when it changes, and `..` applies after
        the links before it are followed); bytes, or a name with a NUL (which raises), as
        `realpath` reads them."""
        raw = os.fspath(path)
        if not isinstance(raw, str) or "\0" in raw:
            return os.path.realpath(raw)
        return self.real(raw if os.path.isabs(raw) else os.path.join(os.getcwd(), raw))

    def real_parent(self, raw: str) -> str:
        """`raw` with its directory resolved and its last component kept as it is: a symbolic link
        to a file keeps the name the user sees in the tree."""
        head, tail = os.path.split(raw)
        if not head or tail in ("", ".", ".."):
            return self.real(raw)
        return os.path.join(self.real(head), tail)

    def display(self, resolved: Path) -> str:
        if self._cwd is None:
            self._cwd = Path.cwd().resolve()
        try:
            return resolved.relative_to(self._cwd).as_posix()
        except ValueError:
            return resolved.as_posix()
