"""What a language loader hands to the model: resources with values, and what it could not read."""

from __future__ import annotations

from dataclasses import dataclass, field

from iaclint.source import Span
from iaclint.values import Value


@dataclass(frozen=True, slots=True)
class Resource:
    """One resource instance as declared, in provider terms.

    `type` is the provider type (`aws_api_gateway_domain_name`, `AWS::ApiGateway::DomainName`,
    `Microsoft.ApiManagement/service`); `address` is stable between runs and unique in a scan
    (`module.api.aws_api_gateway_domain_name.this["eu"]`, `template.yaml#MyDomain`); `span` is the
    resource header; `body` is a known object Value of its arguments.
    """

    type: str
    address: str
    language: str
    body: Value
    span: Span
    name: str = ""
    # A resource whose existence depends on something unknown (count/condition) is still
    # checked; this says why, so a finding can mention it.
    condition: Value | None = None
    # The evaluation the address and refs are unique in: a Terraform root module directory, a
    # template file. Two root modules may both declare `aws_api_gateway_stage.prod`; the model
    # links resources within one scope only.
    scope: str = ""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A file, or part of one, that could not be read. Becomes a `parse` finding."""

    path: str
    line: int
    column: int
    message: str
    # True when the rest of the file was still read (a region skipped), False when nothing was.
    partial: bool = False


@dataclass(frozen=True, slots=True)
class Directive:
    """An `iaclint:ignore` directive found by a loader: a comment on `line` of `path` (it covers
    findings on that line, on the next line, and on a resource whose header is on the next line),
    or resource metadata (`address` set: it covers that resource's findings wherever they are)."""

    path: str
    line: int
    rules: tuple[str, ...]
    reason: str
    address: str = ""


@dataclass(slots=True)
class LoadResult:
    resources: list[Resource] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Files the loader actually read (including module files outside the unit's own list).
    files_read: set[str] = field(default_factory=set)
    # Files the loader decided were not for it, with the reason (e.g. a JSON that is no template).
    skipped: dict[str, str] = field(default_factory=dict)
    directives: list[Directive] = field(default_factory=list)

    def extend(self, other: LoadResult) -> None:
        self.resources.extend(other.resources)
        self.diagnostics.extend(other.diagnostics)
        self.files_read |= other.files_read
        self.skipped.update(other.skipped)
        self.directives.extend(other.directives)
