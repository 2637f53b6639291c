"""AWS: one package per service (`apigateway`, `cloudfront`, `elb`, `wafv2`), each with its platform
entities, the builders every language shares, one small reader per language that registers itself
(`terraform.py`, `cloudformation.py`, `sam.py`), its link steps and its fact builder (`facts.py`)."""

from __future__ import annotations

from collections.abc import Iterable

from iaclint.model.entities import Model
from iaclint.resources import Resource


def adapt(language: str, resources: Iterable[Resource], model: Model) -> None:
    """Adapt and link the AWS resources of one scope written in `language` ("terraform" or
    "cloudformation")."""
    from iaclint.model import adapters

    adapters.adapt(__name__, language, resources, model)
