"""Findings: what checks report, and the filtering every report sees the same way."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import field, replace
from enum import Enum
from operator import attrgetter

from iaclint.fileaccess import ScanRoots, git_top
from iaclint.records import record
from iaclint.source import Span, display_path

# The rule of files that could not be read (or were read in part): a finding of its own kind.
PARSE_RULE = "IAC001"
# Part of every fingerprint's key: a change of what goes into it is a new version.
FINGERPRINT_VERSION = "v2"


class Level(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"note": 1, "warning": 2, "error": 3}[self.value]


@record(frozen=True)
class Related:
    """A place that explains a finding: where a value came from (a variable default, a tfvars
    line, a module argument)."""

    span: Span
    message: str


@record(frozen=True)
class Suppression:
    """Why a finding is not counted: an inline comment or resource metadata (`inSource`), or
    the configuration's baseline (`external`). Suppressed findings stay in SARIF."""

    kind: str  # inSource | external
    justification: str
    span: Span | None = None


@record(frozen=True)
class Finding:
    """One rule's verdict on one place: a violation, or a note when a value could not be known."""

    rule_id: str
    level: Level
    message: str
    span: Span
    # Logical location: the resource address, stable between runs.
    address: str = ""
    resource_type: str = ""
    # Attribute path the finding is about (`security_policy`), part of the fingerprint.
    attribute: str = ""
    related: tuple[Related, ...] = ()
    # Decided by a value iaclint could not know: reported as a note, never as a violation.
    unknown: bool = False
    fix: str = ""
    properties: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    suppression: Suppression | None = None
    # The file of the resource the finding is about (the span may sit where its value was set:
    # a variables file, a caller's module argument); "" when it is the span's file.
    origin: str = field(default="", compare=False)
    # Where the resource lives, independent of the working directory: its place in the
    # repository and its address there (see `identify`); filled by the engine.
    identity: str = field(default="", compare=False)

    def fingerprint(self) -> str:
        """Stable across unrelated edits and across working directories: rule, the resource's
        place in the repository and address within its file or unit, and attribute; never the
        line. Versioned (`v2`): version 1 had no place, so two roots with the same address shared
        a fingerprint."""
        import hashlib  # only the reports that show fingerprints pay for OpenSSL's start-up

        ident = self.identity or identity_of(self, None)
        key = "\x1f".join((FINGERPRINT_VERSION, self.rule_id, ident, self.attribute))
        return hashlib.sha256(key.encode("utf-8", errors="surrogatepass")).hexdigest()[:32]

    def sort_key(self) -> tuple:
        return (self.span.path, self.span.line, self.span.column, self.rule_id, self.address)

    def with_identity(self, identity: str) -> Finding:
        """This finding with its `identity` (see `identify`): one per finding of a scan, so built
        by one constructor call (`identity` is the last field) rather than by `replace`."""
        return Finding(*_finding_fields(self)[:-1], identity)

    def with_level(self, level: Level) -> Finding:
        return replace(self, level=level)

    def suppressed(self, suppression: Suppression) -> Finding:
        return replace(self, suppression=suppression)


# A Finding's fields in `__init__` order (slotted dataclass: `__slots__` lists the fields in order).
_finding_fields = attrgetter(*Finding.__slots__)


def dedupe(findings: list[Finding]) -> list[Finding]:
    """The same finding reached twice (a module used by two callers with the same value still has
    two addresses, so those stay) is reported once."""
    seen: set[tuple] = set()
    out = []
    for f in findings:
        s = f.span
        # The span's fields rather than the span: hashed in C, not by the dataclass's __hash__.
        key = (f.rule_id, s.path, s.line, s.column, s.end_line, s.end_column, f.address, f.attribute,
               f.message)  # fmt: skip
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def identify(findings: Iterable[Finding], paths: Iterable[str]) -> list[Finding]:
    """Each finding with its `identity`, worked out against the places of the scanned `paths`; a
    finding that has one already (identified where its part was checked) is kept as it is."""
    bases = identity_bases(paths)
    memo = _Places()
    # One string for each identity: the findings of a resource share it, and a part's findings
    # travel pickled to the scan process, where a string met again is a reference (1,642
    # identities for 3,788 findings on the gateway-dense Bicep corpus).
    same: dict[str, str] = {}
    out = []
    for f in findings:
        if not f.identity:
            ident = identity_of(f, bases, memo)
            f = f.with_identity(same.setdefault(ident, ident))
        out.append(f)
    return out


@record
class _Places:
    """What identities ask of the file system, asked once per path: findings share few files."""

    is_file: dict[str, bool] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)


def identity_bases(paths: Iterable[str]) -> ScanRoots:
    """What identities are relative to, for a scan of `paths`: each path's git top level; outside a
    repository, a scanned directory itself, and for a file the working directory when it holds the
    file (`iaclint scan --files infra/main.tf` and `iaclint scan .` agree), else its directory."""
    bases: list[str] = []
    try:
        cwd = os.path.realpath(os.getcwd())
    except OSError:
        cwd = ""
    for p in paths:
        try:
            real = os.path.realpath(p)
        except (OSError, ValueError):
            continue
        folder = real if os.path.isdir(real) else os.path.dirname(real)
        base = git_top(folder)
        if base is None:
            inside_cwd = bool(cwd) and (folder == cwd or folder.startswith(cwd.rstrip(os.sep) + os.sep))
            base = folder if os.path.isdir(real) or not inside_cwd else cwd
        if base not in bases:
            bases.append(base)
    return ScanRoots(tuple(bases))


def identity_of(f: Finding, roots: ScanRoots | None, memo: _Places | None = None) -> str:
    """The resource's place and its address within it, as `place` + 0x1f + `address`.

    The place is a path relative to the repository (the git top level, else the scan root that
    holds it), so it is the same whichever directory iaclint runs from. For a Terraform resource it
    is the directory of its module (a resource may move between the files of a module; a module's
    resources reached from another root carry that root in their address already), for a plan the
    plan file; addresses that start with their file's shown path (`templates/api.yaml#Api`, for
    CloudFormation, SAM, Bicep and ARM) have that path taken off and made repository-relative."""
    memo = _Places() if memo is None else memo
    address = f.address
    place, local = _split_address(address, memo)
    if place is None:
        file = f.origin or f.span.path
        if address in ("", f"{f.span.path}:{f.span.line}"):
            place, local = f.span.path, f":{f.span.line}" if address else f":{f.span.line}:{f.span.column}"
        elif file.endswith((".tf", ".tf.json")):
            place = os.path.dirname(file) or "."
        else:
            place = file
    shown = memo.shown.get(place)
    if shown is None:
        shown = memo.shown[place] = _repository_path(place, roots)
    return f"{shown}\x1f{local}"


def _split_address(address: str, memo: _Places) -> tuple[str | None, str]:
    """(file, address within it) for `<shown path>#<rest>`, else (None, address). The file part is
    taken only when it names a file, since a Terraform key may hold `#` too."""
    start = 0
    while (i := address.find("#", start)) > 0:
        head = address[:i]
        is_file = memo.is_file.get(head)
        if is_file is None:
            is_file = memo.is_file[head] = os.path.isfile(head)
        if is_file:
            return head, address[i + 1 :]
        start = i + 1
    return None, address


def _repository_path(path: str, roots: ScanRoots | None) -> str:
    """`path` relative to the scan root holding it (a git top level, or the scanned path outside a
    repository), with forward slashes; without roots, to its git top level."""
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return display_path(path)
    base = roots.root_of(real) if roots is not None else None
    if base is None:
        base = git_top(real if os.path.isdir(real) else os.path.dirname(real))
        if base is None:
            return display_path(path)
    return os.path.relpath(real, base).replace(os.sep, "/")
