"""What AWS TLS policy names allow, classified by their structure rather than a fixed list, so a
policy AWS adds next year is read correctly or reported as unknown, never as a violation."""

from __future__ import annotations


def apigateway_policy_floor(name: str) -> str | None:
    """Lowest TLS version an API Gateway security policy accepts; None for a name not understood.

    Legacy names are `TLS_1_0` and `TLS_1_2`. Enhanced policies start with `SecurityPolicy_`:
    `SecurityPolicy_TLS13_1_3_*` accepts TLS 1.3 only, `SecurityPolicy_TLS13_1_2_*` TLS 1.2 and 1.3,
    `SecurityPolicy_TLS12_*` TLS 1.2 (edge), `SecurityPolicy_TLS13_<year>_EDGE` TLS 1.2 or newer.
    """
    legacy = {"TLS_1_0": "1.0", "TLS_1_1": "1.1", "TLS_1_2": "1.2", "TLS_1_3": "1.3"}
    if name in legacy:
        return legacy[name]
    prefix = "SecurityPolicy_"
    if not name.startswith(prefix):
        return None
    parts = name[len(prefix):].split("_")
    if not parts:
        return None
    family = parts[0]
    if family == "TLS13":
        if len(parts) >= 3 and parts[1] == "1" and parts[2] in ("2", "3"):
            return f"1.{parts[2]}"
        if len(parts) >= 2 and parts[1].isdigit() and len(parts[1]) == 4:
            # `SecurityPolicy_TLS13_2025_EDGE`: a TLS 1.3 family edge policy; AWS documents its
            # edge policies as TLS 1.2 or newer, so 1.2 is the floor we can vouch for.
            return "1.2"
        return None
    if family == "TLS12":
        return "1.2"
    return None


def apigateway_policy_is_enhanced(name: str) -> bool:
    return name.startswith("SecurityPolicy_")
