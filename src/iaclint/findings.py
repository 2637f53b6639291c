"""Findings: what checks report, and the filtering every report sees the same way."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

from iaclint.source import Span

# The rule of files that could not be read (or were read in part): a finding of its own kind.
PARSE_RULE = "IAC001"


class Level(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"note": 1, "warning": 2, "error": 3}[self.value]


@dataclass(frozen=True, slots=True)
class Related:
    """A place that explains a finding: where a value came from (a variable default, a tfvars
    line, a module argument)."""

    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding is not counted: an inline comment or resource metadata (`inSource`), or
    the configuration's baseline (`external`). Suppressed findings stay in SARIF."""

    kind: str  # inSource | external
    justification: str
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Finding:
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

    def fingerprint(self) -> str:
        """Stable across unrelated edits: rule, resource identity and attribute, not the line."""
        import hashlib  # only the reports that show fingerprints pay for OpenSSL's start-up

        ident = self.address or f"{self.span.path}:{self.span.line}"
        key = "\x1f".join((self.rule_id, ident, self.attribute))
        return hashlib.sha256(key.encode("utf-8", errors="surrogatepass")).hexdigest()[:32]

    def sort_key(self) -> tuple:
        return (self.span.path, self.span.line, self.span.column, self.rule_id, self.address)

    def with_level(self, level: Level) -> Finding:
        return replace(self, level=level)

    def suppressed(self, suppression: Suppression) -> Finding:
        return replace(self, suppression=suppression)


def dedupe(findings: list[Finding]) -> list[Finding]:
    """The same finding reached twice (a module used by two callers with the same value still has
    two addresses, so those stay) is reported once."""
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.rule_id, f.span, f.address, f.attribute, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
