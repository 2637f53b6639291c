"""`source.display_path` (and `report.paths.shown` through it) resolves each directory once per
process; it must show exactly what resolving every path's directory with `Path.resolve` shows, links
and `..` included. The file name itself is kept: a linked file is shown under its own name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from iaclint.report.paths import absolute, relative_to, shown
from iaclint.source import _display, display_path


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.bicep").write_text("", encoding="utf-8")
    os.symlink(tmp_path / "a" / "b", tmp_path / "lnk")
    os.symlink(tmp_path / "a" / "b" / "x.bicep", tmp_path / "a" / "y.bicep")
    monkeypatch.chdir(tmp_path)
    shown.cache_clear()
    return tmp_path


@pytest.mark.parametrize(
    "raw",
    ["a/b/x.bicep", "lnk/x.bicep", "a/y.bicep", "a/./b/x.bicep", "missing/z.bicep", "a/b/../b/x.bicep",
     "lnk/../b/x.bicep", "/etc/hostname", "a//b/x.bicep", "./a/b/x.bicep", "lnk//x.bicep"],
)  # fmt: skip
@pytest.mark.parametrize("root_name", [".", "ABS", "ABS/a"])
def test_shown_equals_resolving_every_path(tree: Path, raw: str, root_name: str) -> None:
    root = Path(root_name.replace("ABS", str(tree)))
    path = Path(raw) if os.path.isabs(raw) else root / raw
    assert shown(raw, root) == display_path(path, root) == _resolved(path, root)


def _resolved(path: Path, root: Path) -> str:
    """Every path's directory resolved in full, its name kept."""
    try:
        return (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def test_link_to_a_file_is_shown_under_its_own_name(tree: Path) -> None:
    # Issue 12: a linked file was reported only under its target's name.
    assert shown("a/y.bicep", Path(".")) == "a/y.bicep"
    # A link to a directory on the way is resolved: the file is shown where its folder really is.
    assert shown("lnk/x.bicep", tree) == "a/b/x.bicep"


@pytest.mark.parametrize(
    "raw",
    ["a/b/x.bicep", "lnk/x.bicep", "a/y.bicep", "a/./b/x.bicep", "./a//b/x.bicep", "a/b/", "a", ".", "",
     "missing/z.bicep", "a/b/../b/x.bicep", "lnk/../b/x.bicep", "/etc/hostname", "/", "//etc/hostname",
     "ABS", "ABS/", "ABS/lnk/x.bicep", "ABS/a/y.bicep", "ABS/../x", "a/b\0x", "loop/x.bicep", "a/.."],
)  # fmt: skip
@pytest.mark.parametrize("cwd", ["ABS", "ABS/a", "ABS/lnk"])
def test_shown_from_the_working_directory_by_strings(
    tree: Path, raw: str, cwd: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # display_path works on strings when no root is given; it must show what the Path-based
    # reading shows, whatever the path holds (links, `..`, doubled slashes, a NUL, a link loop).
    os.symlink("loop", tree / "loop")
    monkeypatch.chdir(cwd.replace("ABS", str(tree)))
    path = raw.replace("ABS", str(tree))
    assert display_path(path) == _display(path, None)
    assert display_path(Path(path)) == _display(Path(path), None)
    # With a root (reports show paths from the scan root), on strings too.
    for root in (".", "a", "lnk", "a/..", "ABS", "ABS/a", "ABS/lnk", "ABS/lnk/..", "/"):
        base = Path(root.replace("ABS", str(tree)))
        assert display_path(path, base) == _display(path, base), (path, base)
        # Reports show a path read as a string as they show the Path made of it.
        shown.cache_clear()
        assert shown(path, base) == display_path(absolute(path, base), base), (path, base)
        # SARIF: relative to the repository's top, resolved through the cache as realpath would.
        relative_to.cache_clear()
        assert relative_to(path, base, tree) == _relative_by_realpath(path, base, tree), (path, base)


def _relative_by_realpath(path: str, root: Path, base: Path) -> str | None:
    try:
        return Path(os.path.realpath(absolute(path, root))).relative_to(os.path.realpath(base)).as_posix()
    except (ValueError, OSError):
        return None
