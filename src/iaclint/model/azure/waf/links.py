"""WAF policies linked to the fronts that reference them."""

from __future__ import annotations

from iaclint.model.azure.common import Resolver, known
from iaclint.model.azure.entities import AzureModel
from iaclint.model.azure.registry import linker


@linker(20)
def link(az: AzureModel) -> None:
    wafs = Resolver(az.waf_policies, lambda w: w.resource.address, lambda w: known(w.name))
    for front in az.fronts:
        for ref in front.policy_refs:
            for w in wafs.resolve(ref):
                if not any(w is x for x in front.waf_policies):
                    front.waf_policies.append(w)
