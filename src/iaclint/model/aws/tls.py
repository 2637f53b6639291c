"""What AWS TLS policy names allow, classified by their structure rather than a fixed list, so a
policy AWS adds next year is read correctly or reported as unknown, never as a violation.

Each classifier returns `(floor, offers_tls13)`: the lowest version accepted ("ssl3", "1.0".."1.3")
and whether TLS 1.3 is offered (None when the name does not say), or None for a name not understood.
"""

from __future__ import annotations

from collections.abc import Callable

from iaclint.model.entities import TlsFloor
from iaclint.values import Value

Classification = tuple[str, bool | None]


def apigateway_policy(name: str) -> Classification | None:
    """API Gateway security policies (custom domains and REST API endpoints).

    Legacy names are `TLS_1_0` and `TLS_1_2`; AWS documents both as accepting TLS 1.3 too. Enhanced
    policies start with `SecurityPolicy_`: `SecurityPolicy_TLS13_1_3_*` accepts TLS 1.3 only,
    `SecurityPolicy_TLS13_1_2_*` TLS 1.2 and 1.3, `SecurityPolicy_TLS13_<year>_EDGE` TLS 1.2 or
    newer with 1.3, `SecurityPolicy_TLS12_*` TLS 1.2 (edge).
    """
    legacy = {"TLS_1_0": "1.0", "TLS_1_1": "1.1", "TLS_1_2": "1.2", "TLS_1_3": "1.3"}
    if name in legacy:
        return legacy[name], True
    prefix = "SecurityPolicy_"
    if not name.startswith(prefix):
        return None
    parts = name[len(prefix) :].split("_")
    family = parts[0]
    if family == "TLS13":
        if len(parts) >= 3 and parts[1] == "1" and parts[2] in ("2", "3"):
            return f"1.{parts[2]}", True
        if len(parts) >= 2 and parts[1].isdigit() and len(parts[1]) == 4:
            # `SecurityPolicy_TLS13_2025_EDGE`: AWS documents its edge policies as TLS 1.2 or
            # newer, so 1.2 is the floor we can vouch for.
            return "1.2", True
        return None
    if family == "TLS12":
        return "1.2", None
    return None


def apigateway_policy_floor(name: str) -> str | None:
    c = apigateway_policy(name)
    return c[0] if c else None


def apigateway_policy_is_enhanced(name: str) -> bool:
    return name.startswith("SecurityPolicy_")


def cloudfront_protocol(name: str) -> Classification | None:
    """CloudFront viewer `MinimumProtocolVersion`: `SSLv3`, `TLSv1`, `TLSv1_2016`, `TLSv1.1_2016`,
    `TLSv1.2_<year>`, `TLSv1.3_<year>`: the version sits between `TLSv` and the first `_`."""
    if name == "SSLv3":
        return "ssl3", False
    if not name.startswith("TLSv"):
        return None
    version = name[len("TLSv") :].split("_", 1)[0]
    floors = {"1": "1.0", "1.0": "1.0", "1.1": "1.1", "1.2": "1.2", "1.3": "1.3"}
    floor = floors.get(version)
    if floor is None:
        return None
    # CloudFront negotiates TLS 1.3 with viewers under every TLS policy.
    return floor, True


def elb_policy(name: str) -> Classification | None:
    """Elastic Load Balancing security policies (ALB HTTPS / NLB TLS listeners).

    `ELBSecurityPolicy-TLS13-1-<n>-*` accept TLS 1.<n> and newer, with 1.3 (so `TLS13-1-0` still
    accepts TLS 1.0 despite its name); `ELBSecurityPolicy-TLS-1-<n>-*` and `-FS-1-<n>-*` accept
    TLS 1.<n>..1.2; `-FS-<year>-*` and the dated family (`ELBSecurityPolicy-2016-08`) accept TLS 1.0.
    """
    prefix = "ELBSecurityPolicy-"
    if not name.startswith(prefix):
        return None
    tokens = name[len(prefix) :].split("-")
    head = tokens[0]

    def minor(i: int) -> str | None:
        if len(tokens) > i + 1 and tokens[i] == "1" and tokens[i + 1] in ("0", "1", "2", "3"):
            return f"1.{tokens[i + 1]}"
        return None

    if head == "TLS13":
        floor = minor(1)
        return (floor, True) if floor else None
    if head == "TLS":
        floor = minor(1)
        return (floor, False) if floor else None
    if head == "FS":
        floor = minor(1)
        if floor:
            return floor, False
        if len(tokens) > 1 and tokens[1].isdigit() and len(tokens[1]) == 4:
            return "1.0", False
        return None
    if head.isdigit() and len(head) == 4:
        return "1.0", False
    return None


def named_floor(
    value: Value,
    attribute: str,
    classify: Callable[[str], Classification | None],
    *,
    noun: str = "policy name",
    tls13_available: bool = True,
    enhanced: Callable[[str], bool] | None = None,
) -> TlsFloor:
    """The TLS floor a set policy or protocol name gives (`classify` knows the platform's names); an
    unknown or unclassified name is an unknown floor that says why. A name that is not set is the
    caller's to decide (each platform has its own default)."""
    name = value.as_str()
    if name is None:
        return TlsFloor(value, None, attribute, value.reason or "not a string", tls13_available)
    c = classify(name)
    if c is None:
        why = f'{noun} "{name}" is not one iaclint knows'
        return TlsFloor(value, None, attribute, why, tls13_available)
    return TlsFloor(value, c[0], attribute, "", tls13_available, c[1], bool(enhanced and enhanced(name)))

