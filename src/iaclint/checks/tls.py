"""S1.1/S1.2: client-facing endpoints accept TLS 1.2 or newer only, TLS 1.3 preferred."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.entities import TLS_ORDER, Model, tls_label


def _required(ctx: CheckContext) -> str:
    required = str(ctx.param("minimum") or "1.2")
    return required if required in TLS_ORDER else "1.2"


@check("IAC101")
def tls_minimum(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    required = _required(ctx)
    for ep in model.endpoints:
        tls = ep.tls
        if tls is None:
            continue
        if tls.minimum is None:
            yield ctx.finding(
                ep.resource,
                tls.setting,
                tls.attribute,
                unknown=True,
                message=(
                    f"{ep.label}: cannot tell the lowest TLS version accepted because "
                    f"{tls.attribute} is {tls.setting.describe()}"
                    + (f"; {tls.reason}" if tls.reason and tls.reason != tls.setting.reason else "")
                ),
            )
            continue
        if TLS_ORDER[tls.minimum] < TLS_ORDER[required]:
            setting = tls.setting.describe() if not tls.setting.is_absent else "not set"
            yield ctx.finding(
                ep.resource,
                tls.setting,
                tls.attribute,
                platform=ep.platform,
                kind=ep.kind,
                address=ep.address,
                accepted=tls_label(tls.minimum),
                required=tls_label(required),
                attr=tls.attribute,
                setting=setting + (f" ({tls.reason})" if tls.reason else ""),
            )


@check("IAC102")
def tls13_preferred(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    required = _required(ctx)
    for ep in model.endpoints:
        tls = ep.tls
        # Only endpoints that already meet the minimum: the others have IAC101.
        if tls is None or tls.minimum is None or TLS_ORDER[tls.minimum] < TLS_ORDER[required]:
            continue
        if tls.tls13_available and tls.offers_tls13 is False:
            yield ctx.finding(
                ep.resource,
                tls.setting,
                tls.attribute,
                label=ep.label,
                attr=tls.attribute,
                setting=tls.setting.describe(),
            )


@check("IAC103")
def enhanced_policy_access_mode(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for ep in model.endpoints:
        tls, mode = ep.tls, ep.access_mode
        if tls is None or not tls.enhanced or mode is None:
            continue
        text = mode.as_str()
        if text is not None and text.upper() == "STRICT":
            continue
        yield ctx.finding(
            ep.resource,
            mode,
            ep.access_mode_attribute,
            unknown=mode.is_unknown,
            label=ep.label,
            policy=tls.setting.describe(),
            attr=ep.access_mode_attribute,
            mode=mode.describe(),
        )
