"""Discovery: turn the paths a user gives into units a loader can read.

A unit is what one loader evaluates as a whole: a Terraform module directory (its `.tf`, `.tf.json`,
`terraform.tfvars` and `*.auto.tfvars`), a Terraform plan JSON, a CloudFormation/SAM template, an
ARM template, a Bicep file. Every file looked at ends up in a unit, or skipped with a reason, or
failed (unreadable); nothing is dropped silently.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from iaclint.realpath import PathResolver
from iaclint.resources import Diagnostic

SKIP_DIRS = frozenset({".git", ".terraform", "node_modules", ".hg", ".svn", "__pycache__", ".venv"})

# Larger files are not read: real templates are far smaller, and a scan must stay bounded.
MAX_FILE_BYTES = 20 * 1024 * 1024

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
# sniff_json's verdict for a file that must be reported as unreadable.
FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Unit:
    language: str
    path: Path
    files: tuple[Path, ...]


@dataclass(slots=True)
class Discovery:
    root: Path
    units: list[Unit] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[Diagnostic] = field(default_factory=list)
    # In file-list mode, the files whose findings are reported.
    only_files: frozenset[str] | None = None


def _is_tf(name: str) -> bool:
    return name.endswith((".tf", ".tf.json"))


def _is_tfvars(name: str) -> bool:
    return name == "terraform.tfvars" or name.endswith((".auto.tfvars", ".auto.tfvars.json")) or (
        name == "terraform.tfvars.json"
    )


def _excluded(rel: str, excludes: Iterable[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    for pattern in excludes:
        pat = pattern.rstrip("/")
        if fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(name, pat) or rel.startswith(pat + "/"):
            return True
    return False


def sniff_json(path: Path) -> tuple[str | None, str]:
    """Which loader a JSON file belongs to, decided by its content; or None with the reason."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, "larger than 20 MB"
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except RecursionError:
        # Valid JSON too deep to look into: a hostile file, never silently skipped.
        return FAILED, "JSON nested too deeply to read"
    except (OSError, UnicodeDecodeError, ValueError):
        # Invalid JSON is common outside infrastructure code (JSON with comments in tsconfig.json,
        # editor settings), so it is skipped with the reason rather than reported.
        return None, "not valid JSON"
    if not isinstance(doc, dict):
        return None, "JSON that is not an object"
    schema = doc.get("$schema")
    if isinstance(schema, str) and "deploymentTemplate" in schema:
        return "arm", ""
    if isinstance(schema, str) and "deploymentParameters" in schema:
        return None, "ARM parameters file (read with its template)"
    if "format_version" in doc and ("planned_values" in doc or "terraform_version" in doc):
        return "terraform-plan", ""
    if "AWSTemplateFormatVersion" in doc or _has_aws_resources(doc):
        return "cloudformation", ""
    return None, "JSON that is not an infrastructure template"


def _has_aws_resources(doc: dict) -> bool:
    res = doc.get("Resources")
    if not isinstance(res, dict):
        return False
    return any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and r["Type"].startswith(("AWS::", "Custom::"))
        for r in res.values()
    )


class _Walker:
    def __init__(self, root: Path, excludes: tuple[str, ...]) -> None:
        self.root = root
        self.real_root = root.resolve()
        self.excludes = excludes
        self.result = Discovery(root=root)
        self.tf_dirs: dict[Path, list[Path]] = {}
        self.singles: list[Path] = []

    def rel(self, p: Path) -> str:
        try:
            return p.relative_to(self.root).as_posix()
        except ValueError:
            return p.as_posix()

    def inside_root(self, p: Path) -> bool:
        try:
            p.resolve().relative_to(self.real_root)
        except (ValueError, OSError, RuntimeError):
            return False
        return True

    def add_file(self, p: Path, explicit: bool, link: bool | None = None) -> None:
        """`link`: whether `p` is a symbolic link, when the caller already knows (a directory scan)."""
        name = p.name
        if (p.is_symlink() if link is None else link) and not self.inside_root(p):
            self.result.skipped.append((str(p), "symlink pointing outside the scanned root"))
            return
        if _is_tf(name) or _is_tfvars(name):
            self.tf_dirs.setdefault(p.parent, []).append(p)
        elif name.endswith((".bicep", *TEMPLATE_SUFFIXES)):
            self.singles.append(p)
        elif name.endswith(".bicepparam"):
            self.result.skipped.append((str(p), "Bicep parameters file (read with its template)"))
        elif explicit:
            self.result.skipped.append((str(p), "not a file type iaclint reads"))

    def excluded(self, p: Path) -> bool:
        return bool(self.excludes) and _excluded(self.rel(p), self.excludes)

    def walk(self, top: Path) -> None:
        # The scanned root for symlink checks is the directory the user asked for.
        self.real_root = top.resolve()
        # Depth first, a directory's files before its subdirectories, names sorted (as os.walk
        # would go), with os.scandir: its entries know whether they are links, which spares a
        # system call per file.
        stack = [top]
        while stack:
            d = stack.pop()
            try:
                with os.scandir(d) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as err:
                self.result.failed.append(
                    Diagnostic(str(err.filename or d), 1, 1, f"cannot read directory: {err.strerror}")
                )
                continue
            subdirs: list[Path] = []
            files = []
            for e in entries:
                try:
                    is_dir = e.is_dir()  # follows a link, as os.walk sorts entries
                except OSError:
                    is_dir = False
                if not is_dir:
                    files.append(e)
                    continue
                sp = d / e.name
                if e.name in SKIP_DIRS or self.excluded(sp):
                    continue
                if e.is_symlink():
                    # Following directory links risks loops and escapes; their targets inside the
                    # root are scanned where they really live.
                    self.result.skipped.append((str(sp), "symbolic link to a directory (not followed)"))
                    continue
                subdirs.append(sp)
            for e in files:
                fp = d / e.name
                if not self.excluded(fp):
                    self.add_file(fp, explicit=False, link=e.is_symlink())
            stack.extend(reversed(subdirs))

    def finish(self) -> Discovery:
        units = self.result.units
        for d, files in sorted(self.tf_dirs.items()):
            if any(_is_tf(f.name) for f in files):
                units.append(Unit("terraform", d, tuple(sorted(files))))
            else:
                for f in files:
                    reason = "variables file with no Terraform configuration beside it"
                    self.result.skipped.append((str(f), reason))
        for f in sorted(set(self.singles)):
            name = f.name
            if name.endswith(".bicep"):
                units.append(Unit("bicep", f, (f,)))
            elif name.endswith(".json"):
                lang, reason = sniff_json(f)
                if lang == FAILED:
                    self.result.failed.append(Diagnostic(str(f), 1, 1, reason))
                elif lang is None:
                    self.result.skipped.append((str(f), reason))
                else:
                    units.append(Unit(lang, f, (f,)))
            else:
                # YAML and .template files: the CloudFormation loader decides by content.
                units.append(Unit("cloudformation", f, (f,)))
        return self.result


def discover(
    paths: Iterable[str | Path], excludes: Iterable[str] = (), files_mode: bool = False
) -> Discovery:
    """Expand `paths` into units.

    In `files_mode` (pre-commit passes file names) each file brings in its whole unit so links
    across files resolve, and `only_files` records the files whose findings are to be reported.
    """
    path_list = [Path(p) for p in paths] or [Path(".")]
    root = Path.cwd()
    walker = _Walker(root, tuple(excludes))
    only: set[str] = set()
    for p in path_list:
        if not p.exists() and not p.is_symlink():
            walker.result.failed.append(Diagnostic(str(p), 1, 1, "path does not exist"))
            continue
        if p.is_dir():
            walker.walk(p)
        elif files_mode and (_is_tf(p.name) or _is_tfvars(p.name)):
            only.add(str(p.resolve()))
            for sibling in sorted(p.parent.iterdir()):
                if sibling.is_file() and (_is_tf(sibling.name) or _is_tfvars(sibling.name)):
                    walker.add_file(sibling, explicit=False)
        else:
            if files_mode:
                only.add(str(p.resolve()))
            walker.add_file(p, explicit=True)
    result = walker.finish()
    # The same directory reached twice (a path and its parent) is one unit.
    resolver = PathResolver()
    seen: set[tuple[str, str]] = set()
    unique = []
    for u in result.units:
        key = (u.language, resolver.real(os.fspath(u.path)))
        if key not in seen:
            seen.add(key)
            unique.append(u)
    result.units = unique
    if files_mode:
        result.only_files = frozenset(only)
    return result
