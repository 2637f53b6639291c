"""S1.4: weak cipher suites (3DES, RSA key exchange with CBC) are not enabled where the platform
lets you turn them off: APIM cipher switches, Application Gateway custom cipher suites."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.azure.tls import weak_cipher
from iaclint.model.entities import Model


@check("IAC301")
def azure_weak_ciphers(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for svc in model.azure.services:
        for c in svc.ciphers:
            why = weak_cipher(c.suite)
            if why is None:
                continue
            flag = c.setting.flag()
            if flag is True or (flag is None and c.setting.value.is_unknown):
                yield ctx.finding(
                    svc.resource,
                    c.setting.value,
                    c.setting.attribute,
                    unknown=flag is None,
                    message=(
                        f"{svc.label} enables the weak cipher suite {c.suite} ({why}): "
                        f"{c.setting.attribute} is {c.setting.value.describe()}"
                        if flag
                        else f"{svc.label}: cannot tell whether the weak cipher suite {c.suite} is enabled: "
                        f"{c.setting.attribute} is {c.setting.value.describe()}"
                    ),
                )
    for gw in model.azure.app_gateways:
        for c in gw.ciphers:
            why = weak_cipher(c.suite)
            if why is None:
                continue
            yield ctx.finding(
                gw.resource,
                c.setting.value,
                c.setting.attribute,
                message=f"Azure Application Gateway {gw.resource.address} offers the weak cipher suite "
                f"{c.suite} ({why})",
            )
