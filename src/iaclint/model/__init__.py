"""Model stage: resources of every language in, one cloud-neutral model out."""

from __future__ import annotations

from collections.abc import Iterable

from iaclint.model.entities import Model
from iaclint.resources import Resource


def build(resources: Iterable[Resource]) -> Model:
    by_language: dict[str, list[Resource]] = {}
    for r in resources:
        by_language.setdefault(r.language, []).append(r)
    model = Model()
    tf = by_language.get("terraform", []) + by_language.get("terraform-plan", [])
    if tf:
        from iaclint.model.aws import from_terraform

        from_terraform.adapt(tf, model)
    return model
