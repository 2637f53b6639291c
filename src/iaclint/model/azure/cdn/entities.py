"""Classic Azure CDN as the platform has it: an endpoint with its HTTP switch and the delivery rules
that may redirect plain HTTP, and a custom domain with its HTTPS minimum TLS version."""

from __future__ import annotations

from iaclint.model.facts import Setting
from iaclint.records import record
from iaclint.values import Value


@record(frozen=True)
class Redirect:
    """A delivery rule that redirects: whether it matches every request (a global rule, or no
    condition) or only plain HTTP requests (a request-scheme condition on HTTP), and the protocol it
    redirects to. `unknown`: why what it matches or where it redirects cannot be known."""

    protocol: Value
    matches_http: bool | None
    unknown: str = ""


@record(frozen=True)
class EndpointFields:
    """A CDN endpoint as read: `isHttpAllowed` (true when absent), its redirecting delivery rules, and
    the delivery rules as written (unknown: they cannot all be known)."""

    http_allowed: Setting
    redirects: tuple[Redirect, ...]
    rules: Value
