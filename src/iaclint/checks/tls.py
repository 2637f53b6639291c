"""S1.1/S1.2: client-facing endpoints accept TLS 1.2 or newer only, TLS 1.3 preferred; an enhanced
policy runs with the STRICT endpoint access mode."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.facts import TLS_ORDER, Facts, Setting, tls_label


def _required(ctx: CheckContext) -> str:
    required = str(ctx.param("minimum") or "1.2")
    return required if required in TLS_ORDER else "1.2"


@check("IAC101", fields=("accepted", "required"))
def tls_minimum(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    required = _required(ctx)
    for ep in facts.endpoints:
        tls = ep.tls
        if tls is None:
            continue
        setting = Setting(tls.setting, tls.attribute)
        if tls.minimum is None:
            why = f"{tls.attribute} is {tls.setting.describe()}"
            if tls.reason and tls.reason != tls.setting.reason:
                why += f"; {tls.reason}"
            yield ctx.unknown(ep.origin, setting, why=why)
        elif TLS_ORDER[tls.minimum] < TLS_ORDER[required]:
            shown = tls.setting.describe() if not tls.setting.is_null else "not set"
            yield ctx.violation(
                ep.origin,
                setting,
                accepted=tls_label(tls.minimum),
                required=tls_label(required),
                setting=shown + (f" ({tls.reason})" if tls.reason else ""),
            )


@check("IAC102")
def tls13_preferred(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    required = _required(ctx)
    for ep in facts.endpoints:
        tls = ep.tls
        # Only endpoints that already meet the minimum: the others have IAC101.
        if tls is None or tls.minimum is None or TLS_ORDER[tls.minimum] < TLS_ORDER[required]:
            continue
        if tls.tls13_available and tls.offers_tls13 is False:
            yield ctx.violation(ep.origin, Setting(tls.setting, tls.attribute))


@check("IAC103", fields=("policy",))
def enhanced_policy_access_mode(facts: Facts, ctx: CheckContext) -> Iterator[Finding]:
    for ep in facts.endpoints:
        tls, mode = ep.tls, ep.access_mode
        if tls is None or not tls.enhanced or mode is None:
            continue
        text = mode.value.as_str()
        if text is not None and text.upper() == "STRICT":
            continue
        policy = tls.setting.describe()
        if mode.value.is_unknown:
            yield ctx.unknown(ep.origin, mode, policy=policy, why=f"{mode.attribute} is {mode.describe()}")
        else:
            yield ctx.violation(ep.origin, mode, policy=policy)
