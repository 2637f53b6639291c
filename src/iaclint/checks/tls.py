"""S1.1/S1.2: client-facing endpoints accept TLS 1.2 or newer only."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.entities import TLS_ORDER, Model, tls_label


@check("IAC101")
def tls_minimum(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    required = str(ctx.param("minimum") or "1.2")
    if required not in TLS_ORDER:
        required = "1.2"
    for ep in model.endpoints:
        tls = ep.tls
        if tls.minimum is None:
            yield ctx.finding(
                ep.resource,
                tls.setting,
                tls.attribute,
                unknown=True,
                message=(
                    f"{ep.platform} {ep.kind} {ep.address}: cannot tell the lowest TLS version "
                    f"accepted because {tls.attribute} is {tls.setting.describe()}"
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
                attribute=tls.attribute,
                setting=setting + (f" ({tls.reason})" if tls.reason else ""),
            )
