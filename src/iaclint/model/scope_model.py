"""The model of one scope (a Terraform root, a template): the entities every adapter filled, per cloud,
and the facts derived from them once they are linked."""

from __future__ import annotations

from dataclasses import dataclass, field

from iaclint.model.aws.model import AwsModel
from iaclint.model.azure.entities import AzureModel
from iaclint.model.entities import Endpoint
from iaclint.model.facts import Facts


@dataclass(slots=True)
class Model:
    # Client-facing endpoints of every cloud (their TLS facts are neutral already).
    endpoints: list[Endpoint] = field(default_factory=list)
    # AWS entities (API Gateway, Elastic Load Balancing, CloudFront, WAF).
    aws: AwsModel = field(default_factory=AwsModel)
    # Azure-specific entities (APIM, Application Gateway, Front Door, WAF policies).
    azure: AzureModel = field(default_factory=AzureModel)
    # What the rules read, derived from the linked entities (`model/derive.py`).
    facts: Facts = field(default_factory=Facts)

    def extend(self, other: Model) -> None:
        """Add another model's entities (a model built for another scope)."""
        self.endpoints.extend(other.endpoints)
        self.aws.extend(other.aws)
        self.azure.extend(other.azure)
        self.facts.extend(other.facts)
