"""Model stage: resources of every language in, one cloud-neutral model out."""

from __future__ import annotations

from collections.abc import Iterable

from iaclint.model.entities import Model
from iaclint.resources import Resource


def build(resources: Iterable[Resource]) -> Model:
    """Adapt and link each scope (a root module, a template) on its own: addresses and refs are
    unique only within one, so links never cross from one configuration into another."""
    scopes: dict[tuple[str, str], list[Resource]] = {}
    for r in resources:
        family = "terraform" if r.language in ("terraform", "terraform-plan") else r.language
        scopes.setdefault((family, r.scope), []).append(r)
    model = Model()
    for (family, _scope), group in scopes.items():
        if family == "terraform":
            from iaclint.model.aws import from_terraform

            part = Model()
            from_terraform.adapt(group, part)
            model.extend(part)
        elif family == "cloudformation":
            from iaclint.model.aws import from_cloudformation

            part = Model()
            from_cloudformation.adapt(group, part)
            model.extend(part)
    return model
