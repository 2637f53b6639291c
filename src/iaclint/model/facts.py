"""Neutral facts: what every rule reads, whatever the cloud, the service or the language.

The model stage has two layers. Adapters (`model/<cloud>/<service>/`) turn resources into platform
entities (an API Gateway stage, an API Management product) and link them; then each service's fact
builder reduces its linked entities to the facts below, once. A check reads only these facts: no
cloud or language name, no attribute path, no resource body, no policy XML. What a setting means
for the standard (a TLS policy's lowest version, a usage plan that throttles only keyed calls, an
APIM policy section without `<base/>`) is decided by the builder, and a fact carries the result as
a `Decision` with the setting that decided it and the words that say why.

Every fact has an `Origin`: the resource a finding is about (address, type, header span) and the
label messages name it by ("AWS API Gateway REST API stage aws_api_gateway_stage.prod").
"""

from __future__ import annotations

from dataclasses import field, fields
from enum import Enum

from iaclint.records import record
from iaclint.resources import Resource
from iaclint.source import Span
from iaclint.values import Value

# Protocol versions in order; a floor is the lowest one an endpoint accepts.
TLS_ORDER = {"ssl3": 0, "1.0": 1, "1.1": 2, "1.2": 3, "1.3": 4}


def tls_label(version: str) -> str:
    return "SSL 3.0" if version == "ssl3" else f"TLS {version}"


@record(frozen=True)
class Origin:
    """The resource a fact is about, and the words that name it."""

    address: str
    type: str
    span: Span
    label: str

    @staticmethod
    def of(resource: Resource, label: str) -> Origin:
        return Origin(resource.address, resource.type, resource.span, label)


# Places that explain a fact, with what each is: (where, what it is).
Places = tuple[tuple[Span, str], ...]


@record(frozen=True)
class Setting:
    """A value and the attribute path it came from, in the source language's terms."""

    value: Value
    attribute: str
    # Other places that explain it, with what each is: where in a policy file read by the template
    # the element that decided it sits, or the policy that lacks one.
    related: Places = ()

    @staticmethod
    def absent(attribute: str) -> Setting:
        return Setting(Value.absent(), attribute)

    def describe(self) -> str:
        return self.value.describe()


@record(frozen=True)
class Decision:
    """A yes/no fact about what the standard asks, True when it is met: `state` True or False, or
    None when the code does not tell. `setting` is what decided it (where a finding points: an absent
    setting points at the resource), `why` the words that say what decided it, or why it cannot be
    known."""

    state: bool | None
    setting: Setting
    why: str = ""
    # Other places that explain it, with what each is (a rule that only counts).
    related: Places = ()

    @staticmethod
    def yes(setting: Setting, why: str = "") -> Decision:
        return Decision(True, setting, why)

    @staticmethod
    def no(setting: Setting, why: str = "") -> Decision:
        return Decision(False, setting, why)

    @staticmethod
    def unknown(setting: Setting, why: str = "") -> Decision:
        return Decision(None, setting, why)


# -- endpoints: TLS, plain HTTP, ciphers, client certificates (S1, S2) ------------------------------


@record(frozen=True)
class TlsFloor:
    """The lowest protocol version an endpoint accepts, and the setting that decides it."""

    setting: Value
    # Lowest accepted version ("ssl3", "1.0".."1.3"); None when it cannot be known.
    minimum: str | None
    # The attribute path of the setting, for messages and fingerprints (`security_policy`).
    attribute: str
    # Why the floor is what it is ("platform default when security_policy is not set"), or why
    # it is unknown.
    reason: str = ""
    # Whether this endpoint type could be given a TLS 1.3 policy (for the S1.2 note).
    tls13_available: bool = False
    # Whether the policy in force offers TLS 1.3 to clients; None when unknown.
    offers_tls13: bool | None = None
    # Whether the policy is one of the platform's "enhanced" family that needs an access mode
    # (API Gateway `SecurityPolicy_*`).
    enhanced: bool = False


@record(frozen=True)
class PlainHttp:
    """An endpoint's exposure over plain HTTP (S1.3), and the setting that decides it."""

    setting: Value
    attribute: str
    # True: serves content over plain HTTP; False: HTTPS only or redirects; None: unknown.
    serves_plain: bool | None
    reason: str = ""


@record(frozen=True)
class Cipher:
    """A cipher suite an endpoint may offer (S1.4): `off` whether it is turned off; `weak` why the
    suite is weak (empty for a suite that is not)."""

    suite: str
    off: Decision
    weak: str = ""


@record(frozen=True)
class Validation:
    """Whether client certificates are validated where an API is served (an API Management API's
    effective policy has `validate-client-certificate`)."""

    origin: Origin
    validated: Decision


@record(frozen=True)
class ClientAuth:
    """Client certificates (mutual TLS) asked for on an endpoint (S2.1)."""

    # The setting that asks for client certificates.
    on: Setting
    # A truststore / set of CA certificates to validate them against; False says what is wrong.
    truststore: Decision
    # Whether the truststore is pinned to a version (API Gateway); None where it does not apply.
    version_pinned: Decision | None = None
    # Per API served through the endpoint, whether the certificates are validated.
    validations: tuple[Validation, ...] = ()


@record(eq=False)
class Endpoint:
    """A client-facing TLS endpoint: a custom domain, a default API endpoint, a gateway, a listener, a
    distribution, a Front Door or CDN endpoint."""

    origin: Origin
    tls: TlsFloor | None = None
    http: list[PlainHttp] = field(default_factory=list)
    ciphers: list[Cipher] = field(default_factory=list)
    # Client certificates asked for (an Application Gateway may have one per SSL profile).
    client_auths: list[ClientAuth] = field(default_factory=list)
    # A custom domain of an API gateway, where an organisation may require mutual TLS (S2.3), and
    # where client authentication is (or would be) written.
    custom_domain: bool = False
    client_auth_setting: Setting = field(default_factory=lambda: Setting.absent(""))
    # Endpoint access mode of an enhanced TLS policy; None when it does not apply.
    access_mode: Setting | None = None


@record(frozen=True)
class DefaultEndpoint:
    """An API's default endpoint, which skips the mutual TLS of its custom domains (S2.2)."""

    origin: Origin
    # Addresses of the mutual-TLS custom domains that serve the API.
    mtls_domains: tuple[str, ...]
    disabled: Decision


# -- authentication (S3) ------------------------------------------------------------------------


class Auth(str, Enum):
    """How an operation's callers authenticate."""

    NONE = "none"
    API_KEY = "api key only"
    TOKEN = "token"  # JWT / OAuth2, IAM signatures, a custom or Cognito authorizer
    EXEMPT = "exempt"  # CORS preflight, routes that take no authorization
    UNKNOWN = "unknown"


@record(frozen=True)
class OperationAuth:
    """One API operation (a method, a route, an APIM API on one product path) and how its callers
    authenticate (S3.1, S3.3). `why` says what decided it, or why it cannot be told."""

    origin: Origin
    auth: Auth
    setting: Setting
    why: str = ""


@record(frozen=True)
class TokenValidator:
    """A token check: a JWT authorizer, a `validate-jwt` policy (S3.2). `problems` name what makes it
    weak (no audience, no issuer, a symmetric key, unsigned tokens accepted); `unknown` why it cannot
    be told when no problem is known."""

    origin: Origin
    setting: Setting
    problems: tuple[str, ...] = ()
    unknown: str = ""


# -- backends (S4) -----------------------------------------------------------------------------------


@record(frozen=True)
class Backend:
    """A backend the gateway or edge calls (S4.1): an integration, an APIM backend or service URL, a
    policy's `set-backend-service`, a CloudFront origin, a classic ELB's instances."""

    origin: Origin
    # Reached over TLS: False for plain HTTP, None when the URL or the protocol cannot be known.
    tls: Decision
    # Each: the backend's certificate is verified (False: verification off).
    verification: tuple[Decision, ...] = ()


@record(frozen=True)
class LegacyProtocol:
    """A legacy protocol (SSL 3.0, TLS 1.0, TLS 1.1) a gateway or edge may use towards its backends,
    and whether it is off (S4.1)."""

    origin: Origin
    protocol: str
    off: Decision


# -- network protection: WAF, rate limits, throttling, network restriction (S5) -----------------------


@record(eq=False)
class Waf:
    """A web application firewall: an AWS web ACL, an Azure WAF policy, an Application Gateway's
    inline WAF configuration."""

    origin: Origin
    # It blocks something (False: detection or count only, or switched off).
    blocks: Decision
    # It has a blocking rate-based rule (False: none, only counting, or the kind cannot hold one).
    rate_limit: Decision
    # Why it protects nothing although attached (a WAF Classic web ACL: the platform retired it);
    # empty for a WAF that counts.
    retired: str = ""
    # Labels of what it is attached to, filled when targets are linked (for messages).
    protects: list[str] = field(default_factory=list)


@record(frozen=True)
class Attachment:
    """A WAF in front of a target; `waf` is None when the reference cannot be resolved."""

    waf: Waf | None
    ref: Setting


@record(eq=False)
class WafTarget:
    """Something internet-facing that a WAF must front (S5.1): a public API's stage or service, or an
    edge (load balancer, CloudFront, Application Gateway, Front Door)."""

    origin: Origin
    # Reachable from the internet: False exempts it (private API, internal VNet or load balancer).
    public: Decision
    attachments: list[Attachment] = field(default_factory=list)
    # Why a WAF may be attached but the code cannot tell (an association whose target is unknown).
    possible: list[str] = field(default_factory=list)
    # An edge rather than an API; whether the edge fronts an API (None: cannot tell).
    edge: bool = False
    fronts_api: bool | None = None
    # False: the platform cannot put a WAF in front of it (a WebSocket API).
    capable: bool = True
    # How to put a WAF in front, in the platform's terms.
    how: str = ""


@record(frozen=True)
class Limiter:
    """A rate limit other than a WAF rule: an APIM `rate-limit`/`quota` policy."""

    setting: Setting
    kind: str
    # Runs for some requests only (inside `<choose>`).
    conditional: bool = False


@record(eq=False)
class RateTarget:
    """An API that must be rate limited (S5.2), by a rate-based rule of a WAF in front or by a
    rate-limit policy of its own. Unlike a WAF (S5.1), the standard exempts no API from it: a private
    API can be flooded from inside its network too."""

    origin: Origin
    # Where to point when nothing limits it, and what is missing, in the platform's terms.
    setting: Setting
    missing: str
    attachments: list[Attachment] = field(default_factory=list)
    limiters: list[Limiter] = field(default_factory=list)
    # Why the limits may be incomplete (a policy that cannot be read).
    unknown: list[str] = field(default_factory=list)


@record(frozen=True)
class Requirement:
    """A target and whether it meets one requirement: throttled (S5.3), restricted by network
    (S5.4)."""

    origin: Origin
    met: Decision


@record
class Facts:
    """Everything the rules read."""

    endpoints: list[Endpoint] = field(default_factory=list)
    default_endpoints: list[DefaultEndpoint] = field(default_factory=list)
    operations: list[OperationAuth] = field(default_factory=list)
    token_validators: list[TokenValidator] = field(default_factory=list)
    backends: list[Backend] = field(default_factory=list)
    legacy_protocols: list[LegacyProtocol] = field(default_factory=list)
    wafs: list[Waf] = field(default_factory=list)
    waf_targets: list[WafTarget] = field(default_factory=list)
    rate_targets: list[RateTarget] = field(default_factory=list)
    throttling: list[Requirement] = field(default_factory=list)
    network: list[Requirement] = field(default_factory=list)

    def extend(self, other: Facts) -> None:
        for f in fields(self):
            getattr(self, f.name).extend(getattr(other, f.name))
