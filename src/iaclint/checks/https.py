"""S1.3: HTTPS only: no plain-HTTP listener or viewer policy unless it only redirects to HTTPS."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.entities import Model


@check("IAC201")
def https_only(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for ep in model.endpoints:
        for h in ep.http:
            if h.serves_plain is False:
                continue
            if h.serves_plain is None:
                yield ctx.finding(
                    ep.resource,
                    h.setting,
                    h.attribute,
                    unknown=True,
                    message=(
                        f"{ep.label}: cannot tell whether it serves plain HTTP: {h.attribute} is "
                        f"{h.setting.describe()}" + (f"; {h.reason}" if h.reason else "")
                    ),
                )
                continue
            yield ctx.finding(
                ep.resource,
                h.setting,
                h.attribute,
                label=ep.label,
                attr=h.attribute,
                setting=h.setting.describe(),
            )
