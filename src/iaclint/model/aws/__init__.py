"""AWS: one package per service (`apigateway`, `cloudfront`, `elb`, `wafv2`), each with its platform
entities, the builders every language shares, one small reader per language that registers itself
(`terraform.py`, `cloudformation.py`, `sam.py`), its link steps and its fact builder (`facts.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from iaclint.resources import Resource

if TYPE_CHECKING:  # importing it here would import this package's own model module first
    from iaclint.model.scope_model import Model


def adapt(language: str, resources: Iterable[Resource], model: Model) -> None:
    """Adapt and link the AWS resources of one scope written in `language` ("terraform" or
    "cloudformation")."""
    from iaclint.model import adapters
    from iaclint.model.aws.model import AwsModel

    if model.aws_part is None:
        # A scope the AWS readers read gets its facts from the AWS builders, entities or not.
        model.aws_part = AwsModel()
    adapters.adapt(__name__, language, resources, model)
