"""Front Door Standard/Premium children joined to their profile's front: security policies give it
their WAF policy, origins (through their origin group in azurerm) the hosts behind it."""

from __future__ import annotations

from iaclint.model.azure.common import Resolver, known
from iaclint.model.azure.entities import AzureModel
from iaclint.model.azure.registry import linker


@linker(10)
def link(az: AzureModel) -> None:
    fronts = Resolver(az.fronts, lambda f: f.resource.address, lambda f: known(f.name))
    groups = Resolver(
        [p for p in az.fd_parts if p.role == "group"], lambda p: p.resource.address, lambda p: []
    )
    for part in az.fd_parts:
        if part.role == "group":
            continue
        name, ref = part.profile_name, part.profile_ref
        # An azurerm origin names its origin group, which names the profile.
        group = next(iter(groups.resolve(ref) if ref.refs else []), None)
        if group is not None:
            name, ref = group.profile_name, group.profile_ref
        # Every profile it resolves to: instances of one loop or module share the profile's name.
        for front in fronts.resolve(ref, name):
            (front.policy_refs if part.role == "waf" else front.targets).append(part.value)
            part.placed = True
