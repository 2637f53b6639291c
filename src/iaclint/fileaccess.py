"""The one guarded reader: every file iaclint reads goes through `read_bytes`.

The code iaclint scans is untrusted (a pull request from a stranger), and so is what it names: a
`file()` path, a Bicep module or `loadTextContent` target, a committed configuration's var-files, a
`modules.json` entry. Three rules hold for every read:

- **Inside the scan root.** Code and committed configuration may read files inside the scan roots
  (each scanned path, or the git top level above it when it lies inside a repository) and nothing
  else, and never anything under a `.git` directory (a runner's checkout token lives in
  `.git/config`). Links are resolved before deciding. Paths the user names on the command line
  (`--var-file`, `--config`, ...) are read with `roots=None`: their place is the user's choice.
- **Regular files only.** The descriptor is opened non-blocking and checked with `fstat`, so a FIFO
  named `main.tf` or `/dev/zero` given as a var file is refused instead of blocking or flooding.
- **Bounded.** At most `limit` bytes are read, counted while reading: a file that grows, or a proc
  file that reports size 0, cannot make the read larger.

A refusal is a `ReadRefused` whose `reason` is one line for a diagnostic or an unknown value's note;
it never holds file content.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import field

from iaclint.realpath import PathResolver
from iaclint.records import record

# The one size limit for any file iaclint reads: real templates and modules are far smaller, and a
# scan must stay bounded whatever it is given.
MAX_FILE_BYTES = 20 * 1024 * 1024
_CHUNK = 1024 * 1024
PRIVATE_DIRS = frozenset({".git"})


class ReadRefused(Exception):
    """A file that was not read; `reason` says why in a few words and never quotes content.
    `too_large`: refused for its size only (a caller may still look at its beginning)."""

    def __init__(self, reason: str, too_large: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_large = too_large


def _within(real: str, root: str) -> bool:
    return real == root or real.startswith(root if root.endswith(os.sep) else root + os.sep)


def git_top(directory: str) -> str | None:
    """The nearest directory at or above `directory` holding `.git` (a directory, or the file a
    worktree or submodule has), else None."""
    here = directory
    while True:
        if os.path.lexists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


@record(frozen=True)
class ScanRoots:
    """The directories whose files scanned code may read (resolved, absolute)."""

    roots: tuple[str, ...]
    # The paths resolved so far: a scan asks about thousands of files in the same few directories,
    # and resolving a path costs a system call per component. A ScanRoots lives for one scan, over
    # a tree that does not change while it is read.
    _paths: PathResolver = field(default_factory=PathResolver, compare=False, repr=False)

    @classmethod
    def for_paths(cls, paths: Iterable[str | os.PathLike[str]]) -> ScanRoots:
        """Roots for a scan of `paths`: each path's git top level when it is inside a repository,
        else the path itself (a file's directory, for a file)."""
        roots: list[str] = []
        for p in paths:
            try:
                real = os.path.realpath(p)
            except (OSError, ValueError):
                continue
            base = real if os.path.isdir(real) else os.path.dirname(real)
            top = git_top(base) or base
            if top not in roots:
                roots.append(top)
        return cls(tuple(roots))

    def refusal(self, path: str | os.PathLike[str]) -> str | None:
        """Why `path` may not be read (None when it may): outside every root, or in `.git`."""
        try:
            real = self.real(path)
        except (OSError, ValueError):
            return "path cannot be resolved"
        for root in self.roots:
            if _within(real, root):
                rel = real[len(root) :].split(os.sep)
                if any(part in PRIVATE_DIRS for part in rel):
                    return "inside a .git directory, which iaclint never reads"
                return None
        return "outside the scanned tree, which iaclint never reads"

    def real(self, path: str | os.PathLike[str]) -> str:
        """`os.path.realpath(path)`, each directory resolved once per scan."""
        return self._paths.real_of(path)

    def allows(self, path: str | os.PathLike[str]) -> bool:
        return self.refusal(path) is None

    def root_of(self, real: str) -> str | None:
        """The innermost root that holds the resolved path `real` (None: outside every root)."""
        return max((r for r in self.roots if _within(real, r)), key=len, default=None)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def read_bytes(
    path: str | os.PathLike[str], *, roots: ScanRoots | None, limit: int = MAX_FILE_BYTES
) -> bytes:
    """The bytes of a regular file, at most `limit` of them. `roots`: the scan roots the file must
    lie in; None for a path the user gave on the command line. Raises ReadRefused."""
    return _read(path, roots, limit, truncate=False)


def read_head(path: str | os.PathLike[str], *, roots: ScanRoots | None, size: int) -> bytes:
    """The first `size` bytes of a regular file (all of it when shorter), under the same rules:
    enough to tell what a file too large to read is."""
    return _read(path, roots, size, truncate=True)


def _read(path: str | os.PathLike[str], roots: ScanRoots | None, limit: int, truncate: bool) -> bytes:
    if roots is not None:
        why = roots.refusal(path)
        if why is not None:
            raise ReadRefused(why)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise ReadRefused(f"cannot read file: {err.strerror or err}") from None
    except (ValueError, TypeError):  # a NUL byte in the name
        raise ReadRefused("cannot read file: invalid file name") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReadRefused(f"{_kind(st.st_mode)}, not a regular file; not read")
        if st.st_size > limit and not truncate:
            raise ReadRefused(
                f"file is larger than {megabytes(limit)} ({st.st_size} bytes); not read", too_large=True
            )
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                if truncate:
                    return b"".join(chunks)[:limit]
                raise ReadRefused(f"file is larger than {megabytes(limit)}; not read", too_large=True)
        return b"".join(chunks)
    except OSError as err:
        raise ReadRefused(f"cannot read file: {err.strerror or err}") from None
    finally:
        os.close(fd)


def is_regular_file(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is a regular file (following links), without opening it."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def utf8_error_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in bytes) of byte `offset` of `data`."""
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1
