"""Paths as reports show them: relative to the scan root for people, relative to the repository
root (as URIs) for code scanning, which resolves them against the checkout."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from iaclint.realpath import PathResolver
from iaclint.source import display_path


@lru_cache(maxsize=8192)
def absolute(path: str | Path, root: Path) -> Path:
    """`path` made absolute; relative paths are relative to the scan root (the engine scans from
    the working directory, which is its root). Cached: the text report asks once per finding, and
    a Path is parsed again each time it is made (13,000 parses for 3,788 findings)."""
    p = Path(path)
    return p if p.is_absolute() else Path(root) / p


@lru_cache(maxsize=8192)
def shown(path: str | Path, root: Path) -> str:
    """A path as users see it: relative to `root` when inside it, forward slashes. Cached: a
    report shows the same few files thousands of times, and resolving costs system calls."""
    if type(path) is str and os.sep == "/":
        # `display_path` reads a string as it reads the Path made of it (each normalised by
        # abspath, or read as a Path when it holds `..`): no Path made for each file shown.
        return display_path(path if path.startswith("/") else os.path.join(os.fspath(root), path), root)
    return display_path(absolute(path, root), root)


@lru_cache(maxsize=64)
def repository_root(start: Path) -> Path:
    """The git top level above `start` (a `.git` directory, or a `.git` file in worktrees and
    submodules), else `start` itself."""
    try:
        here = Path(os.path.realpath(start))
    except OSError:
        return Path(start)
    for candidate in (here, *here.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return here


@lru_cache(maxsize=8192)
def relative_to(path: str | Path, root: Path, base: Path) -> str | None:
    """`path` (relative paths taken from `root`) relative to `base` with forward slashes, or None
    when it lies outside `base`."""
    # A string joined as it is (realpath reads `.` and doubled slashes as the Path made of it
    # would be read): no Path made for each file.
    p = os.path.join(os.fspath(root), path) if type(path) is str else absolute(path, root)
    try:
        # realpath (not Path.resolve: it never raises on a link loop, a file linked to itself),
        # each directory resolved once per process: a SARIF report asks about hundreds of files in
        # the same directories, and `os.path.realpath` stats every component of every path.
        real, top = _RESOLVER.real_of(p), _RESOLVER.real_of(base)
        if os.sep == "/":
            # As Path.relative_to on the resolved strings, which are absolute and normalised.
            if real == top:
                return "."
            prefix = top if top.endswith("/") else top + "/"
            return real[len(prefix) :] if real.startswith(prefix) else None
        rel = Path(real).relative_to(top)
    except (ValueError, OSError):
        return None
    return rel.as_posix()


# Resolves the paths reports show, each directory once per process (see `relative_to`).
_RESOLVER = PathResolver()


def uri_reference(relative: str) -> str:
    """A relative posix path as a URI reference: spaces, `#`, `%` and non-ASCII percent-encoded.
    A name with bytes that are not UTF-8 (surrogate escapes from the OS) gets those bytes encoded
    as they are on disk, so the URI stays valid and names the file."""
    return quote(relative.encode("utf-8", "surrogateescape"), safe="/")


def directory_uri(path: Path) -> str:
    """An absolute `file:` URI for a directory, ending in `/` as SARIF requires for base ids."""
    uri = Path(os.path.realpath(path)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def file_uri(path: str | Path, root: Path) -> str:
    """An absolute `file:` URI for a file outside the repository (a module cache, a temp dir)."""
    return Path(os.path.realpath(absolute(path, root))).as_uri()
