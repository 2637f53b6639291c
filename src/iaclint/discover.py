"""Discovery: turn the paths a user gives into units a loader can read.

A unit is what one loader evaluates as a whole: a Terraform module directory (its `.tf`, `.tf.json`,
`terraform.tfvars` and `*.auto.tfvars`), a Terraform plan JSON, a CloudFormation/SAM template, an
ARM template, a Bicep file. Every file looked at ends up in a unit, or skipped with a reason, or
failed (unreadable); nothing is dropped silently.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import field
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import TYPE_CHECKING

from iaclint.budget import LIMITS
from iaclint.fileaccess import (  # noqa: F401 (MAX_FILE_BYTES: re-exported for loaders)
    MAX_FILE_BYTES,
    ReadRefused,
    ScanRoots,
    read_bytes,
    read_head,
    utf8_error_position,
)
from iaclint.lang.jsonpos import JsonError, parse_json
from iaclint.realpath import PathResolver
from iaclint.records import record
from iaclint.resources import Diagnostic
from iaclint.source import SourceText

SKIP_DIRS = frozenset({".git", ".terraform", "node_modules", ".hg", ".svn", "__pycache__", ".venv"})

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
# Files that are infrastructure input only when something reads them (the engine counts them as
# scanned when a loader did): said so in the summary otherwise.
NOT_AUTOMATIC_TFVARS = "Terraform variables file not loaded automatically (give it with --var-file)"
UNREFERENCED_XML = "XML file no template reads (a policy is checked through the template that loads it)"
BICEP_PARAMETERS = "Bicep parameters file (read with its template)"
ARM_PARAMETERS_FILE = "ARM parameters file (read with its template)"
# A policy document (API Management) a template may read: `file()`, `loadTextContent()`.
POLICY_SUFFIX = ".xml"
# Files skipped as units that a loader may still read: scanned when one did.
READ_WITH_A_TEMPLATE = frozenset(
    {NOT_AUTOMATIC_TFVARS, UNREFERENCED_XML, BICEP_PARAMETERS, ARM_PARAMETERS_FILE}
)
# sniff_json's verdict for a file that must be reported as unreadable.
FAILED = "failed"


@record(frozen=True)
class Unit:
    """Files one loader reads together: a Terraform module directory, a template, a Bicep file."""

    language: str
    path: Path
    files: tuple[Path, ...]


@record
class Discovery:
    """What discovery found under the scan's paths: the units to load, and the files skipped or failed."""

    root: Path
    units: list[Unit] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[Diagnostic] = field(default_factory=list)
    # Skipped paths that may hold infrastructure left unchecked (a link out of the scanned
    # directory, a template-sized JSON too large to read): the summary says so.
    unchecked: set[str] = field(default_factory=set)
    # The files whose findings are reported (resolved), when not all are: the files pre-commit
    # passes (`--files`), or Terraform files named alone on the command line, whose directories
    # are loaded whole for context. A finding is reported when its location, its resource's file or
    # a place its value came from is one of them.
    only_files: frozenset[str] | None = None
    # `--files` named a file any unit may read (an API Management policy XML): every unit found
    # for context is evaluated, not only those the change reaches through module calls.
    read_anywhere: bool = False


def _is_tf(name: str) -> bool:
    return name.endswith((".tf", ".tf.json"))


def _is_tfvars(name: str) -> bool:
    return name == "terraform.tfvars" or name.endswith((".auto.tfvars", ".auto.tfvars.json")) or (
        name == "terraform.tfvars.json"
    )


# The parameters file an ARM template reads from beside it (see lang/arm/files.py).
ARM_PARAMETERS = ".parameters.json"


def _context_file(name: str, context: frozenset[str]) -> bool:
    """Whether a file is one a walk for context (`--files`) keeps: of a language in `context`."""
    if _is_tf(name) or _is_tfvars(name):
        return "terraform" in context
    return name.endswith(".bicep") and "bicep" in context


if TYPE_CHECKING:
    import pathspec


class PatternError(ValueError):
    """An exclusion pattern that cannot be compiled."""


class Exclusions:
    """`--exclude` and the configuration's `exclude`, matched as `.gitignore` patterns are (with
    the `pathspec` library): `sam` names a file or directory at any depth, `sam/` a directory,
    `/sam` and `./sam` the one beside the base, `infra/*.tf` a path from it, `!` re-includes.

    Each group of patterns has its base directory: the working directory for the command line,
    the configuration file's directory for its `exclude`."""

    def __init__(self, groups: Iterable[tuple[str, str, Iterable[str]]] = ()) -> None:
        """`groups`: (base directory, where the patterns come from, patterns)."""
        self.groups: list[tuple[str, str, pathspec.GitIgnoreSpec, list[str], bool]] = []
        for base, source, patterns in groups:
            given = [p for p in patterns if _gitignore_line(p)]
            if given:
                import pathspec  # only a scan with exclusions pays for it (pre-commit start-up)

                try:
                    spec = pathspec.GitIgnoreSpec.from_lines([_gitignore_line(p) for p in given])
                except Exception:  # the regex engines (RE2, re) raise errors of their own
                    # RE2 refuses what it cannot match in linear time: a usage error, not a slow scan.
                    longest = max(len(p) for p in given)
                    raise PatternError(
                        f"{source}: a pattern is too complex to match in linear time (the longest is "
                        f"{longest:,} characters)"
                    ) from None
                if len(spec.patterns) != len(given):  # one pattern per line, to name the one that matched
                    given = [str(p.pattern) for p in spec.patterns]
                # Patterns from the working directory also apply to a scanned path outside it.
                self.groups.append((os.path.abspath(base), source, spec, given, base == "."))

    def __bool__(self) -> bool:
        return bool(self.groups)

    def reason(self, path: Path, is_dir: bool, top: Path | None = None) -> str | None:
        """Why `path` is excluded (the pattern that matched), or None when it is not. A path outside
        the working directory is matched by its patterns from `top` (the scanned path it was found
        under, or a named file's directory) instead."""
        full = os.path.abspath(path)
        for base, source, spec, given, anywhere in self.groups:
            rel = os.path.relpath(full, base)
            if rel == ".." or rel.startswith(".." + os.sep):
                if top is None or not anywhere:
                    continue
                rel = os.path.relpath(full, os.path.abspath(top))
            if rel == "." or rel == ".." or rel.startswith(".." + os.sep):
                continue
            rel = rel.replace(os.sep, "/") + ("/" if is_dir else "")
            found = spec.check_file(rel)
            if found.include and found.index is not None:
                return f"excluded by {source} `{given[found.index]}`"
        return None


def _gitignore_line(pattern: str) -> str:
    """A pattern as `.gitignore` has it: `./sam` (which git would take literally) means `/sam`."""
    p = pattern.strip()
    negate = p.startswith("!")
    body = p[1:] if negate else p
    while body.startswith("./"):
        body = "/" + body[2:].lstrip("/")
    if body in (".", "/"):
        body = ""
    return ("!" + body if negate else body) if body else ""


@record(frozen=True)
class Sniffed:
    """What discovery makes of a JSON file: the loader it belongs to, or None with the reason it is
    skipped, or FAILED (a file a user would expect checked that cannot be read) with where."""

    language: str | None
    reason: str = ""
    line: int = 1
    column: int = 1
    # Skipped, but it may be a template nobody checked (too large to tell).
    unchecked: bool = False


# How much of a JSON file too large to read is looked at to tell whether it is a template.
_HEAD_BYTES = 64 * 1024


def sniff_json(path: Path, roots: ScanRoots | None = None) -> Sniffed:
    """Which loader a JSON file belongs to, decided by its content."""
    try:
        data = read_bytes(path, roots=roots)
    except ReadRefused as err:
        if not err.too_large:
            return Sniffed(FAILED, err.reason)
        # Too large to read: a template must not pass unseen, other JSON (data, lock files) is
        # skipped. Its beginning tells which (`$schema` and the format keys come first).
        try:
            head = read_head(path, roots=roots, size=_HEAD_BYTES).decode("utf-8", errors="replace")
        except ReadRefused:
            head = ""
        kind = _template_kind(head)
        if kind is not None:
            return Sniffed(FAILED, f"{kind} template {err.reason}")
        return Sniffed(None, f"JSON {err.reason.removeprefix('file ')}", unchecked=True)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line, column = utf8_error_position(data, err.start)
        kind = _template_kind(data[: err.start].decode("utf-8", errors="replace"))
        if kind is not None:
            return Sniffed(FAILED, f"{kind} template is not valid UTF-8", line, column)
        return Sniffed(None, "not valid UTF-8 text")
    try:
        doc = json.loads(text, parse_int=_json_int)
    except RecursionError:
        # Valid JSON too deep to look into: a hostile file, never silently skipped.
        return Sniffed(FAILED, "JSON nested too deeply to read")
    except ValueError as err:
        # Invalid JSON is common outside infrastructure code (JSON with comments in tsconfig.json,
        # editor settings), so it is skipped with the reason; but a template that does not parse
        # (what it is shows before the error) is a file that could not be read.
        pos = getattr(err, "pos", len(text))
        kind = _template_kind(text[:pos])
        if kind == "ARM":
            # ARM templates may hold comments and line breaks inside strings, which plain JSON
            # does not allow: read it as Azure does before calling it broken.
            try:
                parse_json(SourceText(str(path), data, text), max_depth=LIMITS.depth, arm=True)
            except (JsonError, RecursionError):
                pass
            else:
                return Sniffed("arm")
        if kind is not None:
            reason = f"invalid JSON in {kind} template: {getattr(err, 'msg', err)}"
            return Sniffed(FAILED, reason, getattr(err, "lineno", 1), getattr(err, "colno", 1))
        return Sniffed(None, "not valid JSON")
    if not isinstance(doc, dict):
        return Sniffed(None, "JSON that is not an object")
    schema = doc.get("$schema")
    # Azure's schema names vary in case and scope (`subscriptionDeploymentTemplate.json`,
    # `managementGroupDeploymentTemplate.json`, `tenantDeploymentTemplate.json`).
    if isinstance(schema, str) and "deploymenttemplate" in schema.lower():
        return Sniffed("arm")
    if isinstance(schema, str) and "deploymentparameters" in schema.lower():
        return Sniffed(None, ARM_PARAMETERS_FILE)
    if "format_version" in doc and ("planned_values" in doc or "terraform_version" in doc):
        return Sniffed("terraform-plan")
    if "AWSTemplateFormatVersion" in doc or _has_aws_resources(doc):
        return Sniffed("cloudformation")
    return Sniffed(None, "JSON that is not an infrastructure template")


# Root elements of API Management policy documents: a policy, a policy fragment.
POLICY_ROOTS = ("policies", "fragment")


def not_a_policy(path: Path, roots: ScanRoots | None = None) -> str | None:
    """Why a changed XML file is not an API Management policy document (its root element is another
    one), or None when it is or may be: its root is `<policies>` or `<fragment>`, or its beginning
    cannot be read as XML (a policy being edited may not parse; the loader that reads it says so).
    Only the beginning of the file is read: the root element comes first."""
    try:
        head = read_head(path, roots=roots, size=_HEAD_BYTES).decode("utf-8", errors="replace")
    except ReadRefused:
        return None  # said when a template reads it (or why it is skipped)
    name = root_element(head)
    if name is None or name in POLICY_ROOTS:
        return None
    if len(name) > _NAME_SHOWN:
        name = name[:_NAME_SHOWN] + "…"  # the file's own text: no more of it than names the element
    return f"XML whose root element is <{name}>, not an API Management policy (<policies> or <fragment>)"


# The most of a root element's name a skip reason shows.
_NAME_SHOWN = 64


def root_element(text: str) -> str | None:
    """The name of the first element of an XML text, after its declaration, comments, processing
    instructions and document type; None when something else comes first or it does not show."""
    i = 1 if text.startswith("\ufeff") else 0
    while True:
        lt = text.find("<", i)
        if lt == -1 or text[i:lt].strip(" \t\r\n"):
            return None
        for opener, closer in (("<?", "?>"), ("<!--", "-->"), ("<!", ">")):
            if text.startswith(opener, lt):
                end = text.find(closer, lt + len(opener))
                if end == -1:
                    return None
                i = end + len(closer)
                break
        else:
            j = lt + 1
            while j < len(text) and text[j] not in " \t\r\n/>":
                j += 1
            return text[lt + 1 : j] or None


def _json_int(digits: str) -> int | str:
    """An integer as json.loads reads it, or its text past Python's digit limit (a valid file)."""
    try:
        return int(digits)
    except ValueError:
        return digits


def _template_kind(text: str) -> str | None:
    """What kind of template a JSON text that could not be read in full declares itself to be, from
    its string tokens (read with the JSON string scanner, so text inside strings is never taken for
    structure): an ARM `$schema`, a CloudFormation format version or `AWS::` resource type, a
    Terraform plan's version keys."""
    strings: list[tuple[str, bool]] = []  # (text, is a key)
    i, n = 0, len(text)
    while i < n:
        q = text.find('"', i)
        if q == -1:
            break
        try:
            s, end = scanstring(text, q + 1)
        except ValueError:
            break
        j = end
        while j < n and text[j] in " \t\r\n":
            j += 1
        strings.append((s, j < n and text[j] == ":"))
        i = end
    plan_keys = 0
    for k, (s, is_key) in enumerate(strings):
        if not is_key:
            continue
        value = strings[k + 1][0] if k + 1 < len(strings) and not strings[k + 1][1] else ""
        if s == "$schema" and "deploymenttemplate" in value.lower():
            return "ARM"
        if s == "AWSTemplateFormatVersion" or (s == "Type" and value.startswith("AWS::")):
            return "CloudFormation"
        if s in ("format_version", "terraform_version"):
            plan_keys += 1
            if plan_keys == 2:
                return "Terraform plan"
    return None


def _has_aws_resources(doc: dict) -> bool:
    res = doc.get("Resources")
    if not isinstance(res, dict):
        return False
    return any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and r["Type"].startswith(("AWS::", "Custom::"))
        for r in res.values()
    )


class _Walker:
    def __init__(self, root: Path, excludes: Exclusions, roots: ScanRoots) -> None:
        self.root = root
        self.real_root = root.resolve()
        self.roots = roots
        self.excludes = excludes
        self.result = Discovery(root=root)
        # Terraform files by directory, in the order found (a dict: a file reached twice, named and
        # walked, is kept once without searching a list).
        self.tf_dirs: dict[Path, dict[Path, None]] = {}
        self.singles: list[Path] = []
        # Walking only for context (`--files`): the languages whose modules are evaluated through
        # their callers ("terraform", "bicep"); other files are not looked at.
        self.context_only: frozenset[str] | None = None
        # The directory being walked, as given (exclusions outside the working directory match
        # from it).
        self.top: Path | None = None

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
        if p.is_symlink() if link is None else link:
            if not os.path.exists(p):
                # A file a user would expect checked that is not there: failed, and said once.
                if _is_tf(name) or _is_tfvars(name) or name.endswith((".bicep", *TEMPLATE_SUFFIXES)):
                    self.result.failed.append(Diagnostic(str(p), 1, 1, "symbolic link to a missing file"))
                elif explicit:
                    self.result.skipped.append((str(p), "symbolic link to a missing file"))
                return
            if not self.inside_root(p):
                self.result.skipped.append((str(p), "symbolic link to a file outside the scanned directory"))
                self.result.unchecked.add(str(p))
                return
        if self.context_only is not None:
            if _context_file(name, self.context_only):
                if name.endswith(".bicep"):
                    self.singles.append(p)
                else:
                    self.tf_dirs.setdefault(p.parent, {}).setdefault(p)
            return
        if _is_tf(name) or _is_tfvars(name):
            self.tf_dirs.setdefault(p.parent, {}).setdefault(p)
        elif name.endswith((".tfvars", ".tfvars.json")):
            # Read only when named (`--var-file`, `var-files`): the engine counts it as scanned then.
            self.result.skipped.append((str(p), NOT_AUTOMATIC_TFVARS))
        elif name.endswith(POLICY_SUFFIX):
            self.result.skipped.append((str(p), UNREFERENCED_XML))
        elif name.endswith((".bicep", *TEMPLATE_SUFFIXES)):
            self.singles.append(p)
        elif name.endswith(".bicepparam"):
            self.result.skipped.append((str(p), BICEP_PARAMETERS))
        elif explicit:
            self.result.skipped.append((str(p), "not a file type iaclint reads"))

    def excluded(self, p: Path, is_dir: bool = False) -> bool:
        """Whether `p` is excluded; an excluded path is listed as skipped, saying by which pattern."""
        if not self.excludes:
            return False
        reason = self.excludes.reason(p, is_dir, self.top if self.top is not None else p.parent)
        if reason is None:
            return False
        if self.context_only is None:
            self.result.skipped.append((str(p), reason))
        return True

    def walk(self, top: Path) -> None:
        # The scanned root for symlink checks is the directory the user asked for.
        self.real_root = top.resolve()
        self.top = top
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
                if e.name in SKIP_DIRS or self.excluded(sp, is_dir=True):
                    continue
                if e.is_symlink():
                    # Following directory links risks loops and escapes; their targets inside the
                    # root are scanned where they really live.
                    self.result.skipped.append((str(sp), "symbolic link to a directory (not followed)"))
                    if not self.inside_root(sp):
                        self.result.unchecked.add(str(sp))  # what it holds is scanned nowhere
                    continue
                subdirs.append(sp)
            context = self.context_only
            for e in files:
                if context is not None and not _context_file(e.name, context) and not e.is_symlink():
                    continue  # walking for context: add_file would look at it no further
                fp = d / e.name
                if not self.excluded(fp):
                    self.add_file(fp, explicit=False, link=e.is_symlink())
            stack.extend(reversed(subdirs))
        self.top = None

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
                sniffed = sniff_json(f, self.roots)
                if sniffed.language == FAILED:
                    diag = Diagnostic(str(f), sniffed.line, sniffed.column, sniffed.reason)
                    self.result.failed.append(diag)
                elif sniffed.language is None:
                    self.result.skipped.append((str(f), sniffed.reason))
                    if sniffed.unchecked:
                        self.result.unchecked.add(str(f))
                else:
                    units.append(Unit(sniffed.language, f, (f,)))
            else:
                # YAML and .template files: the CloudFormation loader decides by content.
                units.append(Unit("cloudformation", f, (f,)))
        return self.result


def discover(
    paths: Iterable[str | Path],
    excludes: Iterable[str] | Exclusions = (),
    files_mode: bool = False,
    roots: ScanRoots | None = None,
) -> Discovery:
    """Expand `paths` into units. `excludes`: patterns relative to the working directory, or
    `Exclusions` with their bases.

    A Terraform file brings in its whole directory so links across files resolve, and
    `only_files` records the files whose findings are to be reported. In `files_mode` (pre-commit
    passes the changed files) every Terraform directory and Bicep file under the scan roots is
    loaded too when such files changed, so a changed module is evaluated through its callers.
    """
    path_list = [Path(p) for p in paths] or [Path(".")]
    root = Path.cwd()
    scan_roots = roots or ScanRoots.for_paths(path_list)
    if isinstance(excludes, Exclusions):
        exclusions = excludes
    else:
        exclusions = Exclusions([(".", "--exclude", list(excludes))])
    walker = _Walker(root, exclusions, scan_roots)
    only: set[str] = set()
    terraform_given = False
    context: set[str] = set()
    for p in path_list:
        if not p.exists() and not p.is_symlink():
            walker.result.failed.append(Diagnostic(str(p), 1, 1, "path does not exist"))
            continue
        if p.is_dir():
            walker.walk(p)
            continue
        if walker.excluded(p):
            continue
        only.add(os.path.realpath(p))
        if _is_tf(p.name) or _is_tfvars(p.name):
            # A Terraform file is read with its whole module directory (its variables, tfvars and
            # the other files that link to it).
            terraform_given = True
            for sibling in sorted(p.parent.iterdir()):
                terraform = _is_tf(sibling.name) or _is_tfvars(sibling.name)
                if terraform and sibling.is_file() and not walker.excluded(sibling):
                    walker.add_file(sibling, explicit=False)
        else:
            if p.name.endswith((".bicep", ".bicepparam")):
                # A changed parameters file changes what its template deploys: read with it.
                context.add("bicep")
            elif files_mode and p.name.endswith(POLICY_SUFFIX):
                other = not_a_policy(p, scan_roots)
                if other is not None:
                    # Other XML (a Maven project, a test report): no template reads it as a policy,
                    # and evaluating the repository to find out would make every such change slow.
                    walker.result.skipped.append((str(p), other))
                    continue
                # A changed policy may be read by any Terraform module or Bicep file (ARM and
                # CloudFormation templates read no file): evaluated through all of them.
                context.update(("terraform", "bicep"))
                walker.result.read_anywhere = True
            walker.add_file(p, explicit=True)
            if files_mode and p.name.endswith(ARM_PARAMETERS):
                # The ARM template `<stem>.json` reads `<stem>.parameters.json` beside it: a change
                # to the parameters is evaluated through the template (only what it causes is
                # reported, see `only_files`).
                template = p.with_name(p.name[: -len(ARM_PARAMETERS)] + ".json")
                if (template.is_file() or template.is_symlink()) and not walker.excluded(template):
                    walker.add_file(template, explicit=False)
    if terraform_given:
        context.add("terraform")
    if files_mode and context:
        # A changed file may be a module's: it is evaluated through the roots that call it, as a
        # full scan would, so every Terraform directory (Bicep file) of the repository is loaded.
        walker.context_only = frozenset(context)
        for top in scan_roots.roots:
            rel = os.path.relpath(top)
            walker.walk(Path(top if rel.startswith("..") else rel))
        walker.context_only = None
    result = walker.finish()
    # The same directory reached twice (a path and its parent) is one unit. A file linked to another
    # is a unit of its own, under its own name (its folder is resolved, its name kept).
    resolver = PathResolver()
    seen: set[tuple[str, str]] = set()
    unique = []
    for u in result.units:
        key = (u.language, resolver.real_parent(os.fspath(u.path)))
        if key not in seen:
            seen.add(key)
            unique.append(u)
    result.units = unique
    # Outside `--files`, files named on the command line limit what is reported only when no
    # directory was given (a directory's findings are all reported).
    if files_mode or (terraform_given and not any(p.is_dir() for p in path_list)):
        result.only_files = frozenset(only)
    return result
