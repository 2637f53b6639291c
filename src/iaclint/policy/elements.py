"""What an API Management policy document holds, as read by `read_policy`, and the effective policy
that `effective_policy` derives from the documents of all scopes (global → product → API → operation).

These are plain frozen dataclasses: the Azure model keeps them and checks read them; nothing here
refers back to template syntax except the spans.
"""

from __future__ import annotations

from dataclasses import field

from iaclint.records import record
from iaclint.source import Span

# The sections of a `<policies>` document, in execution order.
SECTIONS = ("inbound", "backend", "outbound", "on-error")


@record(frozen=True)
class PolicyElement:
    """One XML element of a policy. `attrs` hold decoded attribute values (policy expressions such as
    `@(...)` are kept verbatim). `span` is the start tag's position in the template when it could be
    mapped there, else the span of the template value holding the whole document."""

    name: str
    attrs: dict[str, str]
    children: tuple[PolicyElement, ...]
    span: Span | None
    # Character data directly inside the element (CDATA included), stripped; e.g. an ip-filter
    # `<address>` or an `issuer-signing-keys/<key>` body.
    text: str = ""
    # The start tag's position in the policy file the template reads the document from
    # (`file()`, `loadTextContent()`); None for a document written in the template.
    source: Span | None = None

    def child(self, name: str) -> PolicyElement | None:
        """The first direct child with that name."""
        for c in self.children:
            if c.name == name:
                return c
        return None

    def all(self, name: str) -> tuple[PolicyElement, ...]:
        """All direct children with that name."""
        return tuple(c for c in self.children if c.name == name)


@record(frozen=True)
class Section:
    """One section of a scope's policy. `elements` are its direct children in document order, the
    `<base/>` element included (it marks where the outer scopes' content goes); elements nested in
    `<choose>` and the like stay nested."""

    name: str  # inbound | backend | outbound | on-error
    has_base: bool
    elements: tuple[PolicyElement, ...]


@record(frozen=True)
class PolicyDocument:
    """A policy at one scope. Exactly one of three cases: readable (`sections` filled, a section the
    document lacks is missing from the dict), `unknown` (why the content cannot be known: a URL, an
    unknown template value) or `error` (unreadable XML: the message names the line in the policy)."""

    sections: dict[str, Section]
    unknown: str | None = None
    error: str | None = None
    # The template value holding the document (for findings about the document as a whole).
    span: Span | None = None
    # The `<policies>` root element, when readable.
    root: PolicyElement | None = None
    # Where in the policy file the template reads it from the document is: its root element there,
    # or the file's start when positions in it cannot be known (a rendered template, unreadable
    # XML); None for a document written in the template itself.
    source: Span | None = None

    @property
    def readable(self) -> bool:
        return self.unknown is None and self.error is None


@record(frozen=True)
class JwtValidation:
    """A `validate-jwt` or `validate-azure-ad-token` element in the effective inbound policy."""

    element: PolicyElement
    kind: str  # validate-jwt | validate-azure-ad-token
    # Keys come from an OpenID configuration document (validate-azure-ad-token always: Entra ID).
    openid_config: bool
    # `issuer-signing-keys/key` given as a raw base64 body: a shared HMAC secret (HS256).
    symmetric_keys: bool
    # At least one `audiences/audience` (or, for AAD tokens, `client-application-ids`).
    audiences: bool
    # At least one `issuers/issuer` (AAD tokens: `tenant-id` pins the issuer).
    issuers: bool
    # The `require-signed-tokens` attribute; None when absent (the platform default is true) or a
    # policy expression.
    require_signed_tokens: bool | None
    # Inside `<choose>`: applies to some requests only.
    conditional: bool


@record(frozen=True)
class RateLimit:
    """A rate limit or quota policy element, by kind."""

    element: PolicyElement
    kind: str  # rate-limit | rate-limit-by-key | quota | quota-by-key
    conditional: bool = False


@record(frozen=True)
class IpFilter:
    """An `ip-filter` policy element: allow or forbid."""

    element: PolicyElement
    action: str  # allow | forbid (lower case; as written when something else)
    conditional: bool = False


@record(frozen=True)
class ClientCertValidation:
    """A policy element that validates the client certificate."""

    element: PolicyElement
    conditional: bool = False


@record(frozen=True)
class EffectivePolicy:
    """The policy that runs for one (product, API, operation) path, `<base/>` resolved."""

    inbound: tuple[PolicyElement, ...]
    # Why some scope (or an included fragment) could not be read; when non-empty, the absence of a
    # fact below means "unknown", not "absent".
    unknown: tuple[str, ...]
    jwt: tuple[JwtValidation, ...]
    rate_limits: tuple[RateLimit, ...]
    ip_filters: tuple[IpFilter, ...]
    client_cert: tuple[ClientCertValidation, ...]
    backend: tuple[PolicyElement, ...] = ()
    outbound: tuple[PolicyElement, ...] = ()
    on_error: tuple[PolicyElement, ...] = ()
    # Scopes whose document is unreadable XML (their messages); also listed in `unknown`.
    errors: tuple[str, ...] = field(default=())
    # The documents whose inbound section is part of `inbound`, outermost first (a scope whose
    # `<inbound>` leaves out `<base/>` drops the ones before it; a document without `<inbound>`
    # inherits and stays; unreadable XML stays too), then the fragments it includes: the places
    # that could add what it lacks. Documents whose content cannot be known are not listed.
    documents: tuple[PolicyDocument, ...] = ()
