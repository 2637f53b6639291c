"""What a language loader hands to the model: resources with values, and what it could not read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from typing import TYPE_CHECKING, Any

from iaclint.records import record
from iaclint.source import Span
from iaclint.values import Value

if TYPE_CHECKING:
    from iaclint.budget import Budget


def base_address(address: str) -> str:
    """`module.a["x"].aws_api_gateway_stage.s["eu"]` → `module.a["x"].aws_api_gateway_stage.s`, and a
    template's `main.bicep#api[2]` → `main.bicep#api`: a reference to a resource declared with
    `count`/`for_each` (or in a loop) names all its instances."""
    if address.endswith("]"):
        depth = 0
        for i in range(len(address) - 1, -1, -1):
            c = address[i]
            if c == "]":
                depth += 1
            elif c == "[":
                depth -= 1
                if depth == 0:
                    return address[:i]
    return address


@record(frozen=True)
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


class LazyNameResource(Resource):
    """A Resource whose `name` is worked out the first time it is read (`name_from()`), for loaders
    that evaluate names lazily: the model reads names only of the resources it adapts. Otherwise
    a Resource in every way: equal to one with the same fields, and pickled as one."""

    __slots__ = ("_name_from",)

    def __init__(
        self,
        type: str,
        address: str,
        language: str,
        body: Value,
        span: Span,
        name_from: Callable[[], str],
        condition: Value | None = None,
        scope: str = "",
    ) -> None:
        # `name` stays unset until read: a slot not set raises AttributeError, which calls
        # __getattr__ below.
        # Through the slots' own descriptors (object.__setattr__ per field costs twice as much; a
        # Bicep load makes one of these per resource).
        _R_TYPE(self, type)
        _R_ADDRESS(self, address)
        _R_LANGUAGE(self, language)
        _R_BODY(self, body)
        _R_SPAN(self, span)
        _R_CONDITION(self, condition)
        _R_SCOPE(self, scope)
        _R_NAME_FROM(self, name_from)

    def __getattr__(self, attr: str) -> Any:
        if attr != "name":
            raise AttributeError(attr)
        name = self._name_from()
        object.__setattr__(self, "name", name)
        return name

    def _fields(self) -> tuple[Any, ...]:
        return (self.type, self.address, self.language, self.body, self.span, self.name, self.condition,
                self.scope)  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Resource):
            return self._fields() == _resource_fields(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._fields())

    def __reduce__(self) -> tuple[Any, ...]:
        return (Resource, self._fields())


_R_TYPE, _R_ADDRESS, _R_LANGUAGE, _R_BODY, _R_SPAN, _R_CONDITION, _R_SCOPE = (
    Resource.__dict__[n].__set__
    for n in ("type", "address", "language", "body", "span", "condition", "scope")
)
_R_NAME_FROM = LazyNameResource.__dict__["_name_from"].__set__


def _resource_fields(r: Resource) -> tuple[Any, ...]:
    return (r.type, r.address, r.language, r.body, r.span, r.name, r.condition, r.scope)


@record(frozen=True)
class Diagnostic:
    """A file, or part of one, that could not be read. Becomes a `parse` finding."""

    path: str
    line: int
    column: int
    message: str
    # True when the rest of the file was still read (a region skipped), False when nothing was.
    partial: bool = False
    # Not a reading error but something left unread that the user can provide (a remote module
    # not installed): reported as a note that does not fail the scan; this says what to do.
    note: str = ""


@record(frozen=True)
class Directive:
    """An `iaclint:ignore` directive found by a loader: a comment on `line` of `path` (it covers
    findings on that line, on the next line, and on a resource whose header is on the next line),
    or resource metadata (`address` set: it covers that resource's findings wherever they are)."""

    path: str
    line: int
    rules: tuple[str, ...]
    reason: str
    address: str = ""


@record
class LoadResult:
    """What a loader gives for its units: resources, diagnostics, files read or skipped, directives."""

    resources: list[Resource] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Files the loader actually read (including module files outside the unit's own list).
    files_read: set[str] = field(default_factory=set)
    # Files the loader decided were not for it, with the reason (e.g. a JSON that is no template).
    skipped: dict[str, str] = field(default_factory=dict)
    directives: list[Directive] = field(default_factory=list)
    # One evaluation budget per unit (`Budget.unit` names its file). Values may still be worked out
    # after the load (lazy Bicep bodies), so the engine reads them once the model is built: a unit
    # whose whole allowance was spent is reported as partly read.
    budgets: list[Budget] = field(default_factory=list)
    # Module instances by the prefix of their resources' addresses (`live/prod:module.api.`): the
    # file of the call that made each, so a change to a call reaches what the module declares.
    module_calls: dict[str, str] = field(default_factory=dict)
    # The `files_read` sets of results merged into this one: a lazy value read after the load (a
    # Bicep `loadTextContent()` in a body) still adds to its loader's set.
    merged_reads: list[set[str]] = field(default_factory=list)

    def extend(self, other: LoadResult) -> None:
        self.resources.extend(other.resources)
        self.diagnostics.extend(other.diagnostics)
        self.files_read |= other.files_read
        self.merged_reads.append(other.files_read)
        self.module_calls.update(other.module_calls)
        self.merged_reads.extend(other.merged_reads)
        self.skipped.update(other.skipped)
        self.directives.extend(other.directives)
        self.budgets.extend(other.budgets)

    def release(self) -> None:
        """Called by the engine once nothing reads the resources any more (the checks are done):
        a loader whose values are still worked out lazily frees what only they needed."""

    def all_files_read(self) -> set[str]:
        """Every file read so far, including by values worked out after the load."""
        return self.files_read.union(*self.merged_reads)
