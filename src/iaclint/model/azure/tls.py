"""What Azure TLS settings allow, classified by structure rather than by a fixed good-list, so a
name Azure adds later is read correctly or reported as unknown, never guessed.

Each classifier returns `(floor, offers_tls13)` ("ssl3", "1.0".."1.3"; None when not said) or None
for a value it does not understand.
"""

from __future__ import annotations

Classification = tuple[str, bool | None]

# Application Gateway with no sslPolicy: "If a TLS policy isn't selected, a default TLS policy is
# applied based on the API version used to create the resource": AppGwSslPolicy20220101 (TLS 1.2,
# with TLS 1.3) for API versions 2023-02-01 and later, AppGwSslPolicy20150501 (TLS 1.0) before.
# (learn.microsoft.com/azure/application-gateway/application-gateway-ssl-policy-overview and
# .../application-gateway-configure-ssl-policy-powershell, "The default TLS policy is set to
# AppGwSslPolicy20220101 for API versions 2023-02-01 or higher".)
APPGW_DEFAULT_SWITCH = "2023-02-01"
APPGW_NEW_DEFAULT = "AppGwSslPolicy20220101"
APPGW_OLD_DEFAULT = "AppGwSslPolicy20150501"


def appgw_default_policy(api_version: str | None) -> str | None:
    if not api_version:
        return None
    return APPGW_NEW_DEFAULT if api_version[:10] >= APPGW_DEFAULT_SWITCH else APPGW_OLD_DEFAULT


def appgw_predefined(name: str) -> Classification | None:
    """`AppGwSslPolicy<YYYYMMDD>[S]`. The documented table: 20150501 accepts TLS 1.0; 20170401
    TLS 1.1; 20170401S TLS 1.2; the 2022 policies TLS 1.2 and 1.3. A date the table does not have is
    placed by the families it falls between: before 2017-04 TLS 1.0, from 2022 on TLS 1.2 with 1.3."""
    # Azure compares enum values without case: `appgwsslpolicy20170401s` is AppGwSslPolicy20170401S.
    prefix = "appgwsslpolicy"
    if not name.lower().startswith(prefix):
        return None
    rest = name[len(prefix) :]
    strict = rest[-1:] in ("S", "s")
    date = rest[:-1] if strict else rest
    if len(date) != 8 or not date.isdigit():
        return None
    if date >= "20220101":
        return "1.2", True
    if date >= "20170401":
        return ("1.2" if strict else "1.1"), False
    if date >= "20150501":
        return "1.0", False
    return None


# `minProtocolVersion` / `min_protocol_version` and `disabledSslProtocols` names, compared without
# case as Azure does (`tlsv1_2` is TLSv1_2).
_APPGW_VERSIONS = {"tlsv1_0": "1.0", "tlsv1_1": "1.1", "tlsv1_2": "1.2", "tlsv1_3": "1.3"}


def appgw_protocol(name: str) -> str | None:
    return _APPGW_VERSIONS.get(name.strip().lower())


def appgw_floor_from_disabled(disabled: list[str]) -> str | None:
    """Legacy policies that only list disabled protocols: the lowest one not disabled (disabling
    only TLS 1.0 leaves TLS 1.1)."""
    off = {d.strip().lower() for d in disabled}
    for name, version in _APPGW_VERSIONS.items():
        if name not in off:
            return version
    return None


def frontdoor_minimum(text: str) -> str | None:
    """Front Door Standard/Premium `TLS10`/`TLS12`/`TLS13`, classic and azurerm `1.0`/`1.2`."""
    t = text.strip().upper().replace("TLS", "").replace("_", ".").replace("V", "")
    if t in ("10", "1.0"):
        return "1.0"
    if t in ("11", "1.1"):
        return "1.1"
    if t in ("12", "1.2"):
        return "1.2"
    if t in ("13", "1.3"):
        return "1.3"
    return None


def weak_cipher(suite: str) -> str | None:
    """Why a cipher suite is weak (S1.4), or None: 3DES anywhere, and RSA key exchange (no forward
    secrecy) with CBC. Accepts IANA names (`TLS_RSA_WITH_AES_128_CBC_SHA`), APIM's `TripleDes168`
    and azurerm attribute stems (`tls_rsa_with_aes128_cbc_sha`)."""
    s = suite.upper()
    if "3DES" in s or "TRIPLEDES" in s.replace("_", "") or "DES_EDE" in s:
        return "3DES"
    if s.startswith("TLS_RSA_") and "CBC" in s:
        return "RSA key exchange with CBC"
    return None
