"""Endpoints any Azure reader served that need no linking: carried into the facts as they are."""

from __future__ import annotations

from iaclint.model.derive import Derivation, builder


@builder
def endpoints(d: Derivation) -> None:
    d.facts.endpoints.extend(ep.fact() for ep in d.model.azure.endpoints)
