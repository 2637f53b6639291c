"""Helpers for directory trees deeper than a path name may be long."""

from __future__ import annotations

import os
from pathlib import Path


def make_deep_tree(top: Path, depth: int, leaf: str = "", text: str = "") -> None:
    """`top/d/d/.../d` `depth` levels deep (with `leaf` written in the deepest), made through
    directory descriptors: the path is longer than the system lets one name."""
    fd = os.open(top, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nfd
        if leaf:
            with open(os.open(leaf, os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=fd), "w") as fh:
                fh.write(text)
    finally:
        os.close(fd)


def remove_deep_tree(top: Path, depth: int, leaf: str = "") -> None:
    """Undo `make_deep_tree` from the bottom up (shutil.rmtree recurses and would overflow)."""
    fds = [os.open(top, os.O_RDONLY)]
    try:
        for _ in range(depth):
            fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
        if leaf:
            os.unlink(leaf, dir_fd=fds[-1])
        for parent in reversed(fds[:-1]):
            os.close(fds.pop())
            os.rmdir("d", dir_fd=parent)
    finally:
        for fd in fds:
            os.close(fd)
