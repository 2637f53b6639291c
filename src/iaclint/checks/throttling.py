"""S5.3: every deployed API stage is throttled (method settings, default route settings or a
usage plan)."""

from __future__ import annotations

from collections.abc import Iterator

from iaclint.checks import CheckContext, check
from iaclint.findings import Finding
from iaclint.model.entities import Model
from iaclint.values import Value


@check("IAC821")
def throttling_missing(model: Model, ctx: CheckContext) -> Iterator[Finding]:
    for st in model.stages:
        if any(t.limited for t in st.throttles):
            continue
        api = st.api.label if st.api else "AWS API Gateway API"
        label = f"{api} stage {st.resource.address}"
        undecided = [t for t in st.throttles if t.limited is None]
        if undecided:
            t = undecided[0]
            yield ctx.finding(
                st.resource,
                Value.absent(),
                "throttling",
                unknown=True,
                message=f"{label}: cannot tell whether it is throttled: the {t.source} of "
                f"{t.resource.address} set limits that cannot be known",
            )
            continue
        found = (
            "; ".join(f"{t.source} of {t.resource.address} set no limit" for t in st.throttles)
            if st.throttles
            else "no method settings, route settings or usage plan apply to it"
        )
        yield ctx.finding(st.resource, Value.absent(), "throttling", label=label, found=found)
