"""The model of one scope (a Terraform root, a template): the entities every adapter filled, per cloud,
and the facts derived from them once they are linked."""

from __future__ import annotations

from dataclasses import field, fields, is_dataclass
from typing import TYPE_CHECKING

from iaclint.model.entities import Endpoint
from iaclint.model.facts import Facts
from iaclint.records import is_frozen, record

if TYPE_CHECKING:
    from iaclint.model.aws.model import AwsModel
    from iaclint.model.azure.entities import AzureModel


@record
class Model:
    """What a scope's resources mean: endpoints, each cloud's entities, and the facts rules read."""

    # Client-facing endpoints of every cloud (their TLS facts are neutral already).
    endpoints: list[Endpoint] = field(default_factory=list)
    # AWS entities (API Gateway, Elastic Load Balancing, CloudFront, WAF), made on first use
    # (`aws`): a scan of Azure code only never imports them (pre-commit start-up).
    aws_part: AwsModel | None = None
    # Azure-specific entities (APIM, Application Gateway, Front Door, WAF policies), made on first
    # use (`azure`): a scan without Azure resources never imports them (pre-commit start-up).
    azure_part: AzureModel | None = None
    # What the rules read, derived from the linked entities (`model/derive.py`).
    facts: Facts = field(default_factory=Facts)

    @property
    def aws(self) -> AwsModel:
        if self.aws_part is None:
            from iaclint.model.aws.model import AwsModel

            self.aws_part = AwsModel()
        return self.aws_part

    @property
    def azure(self) -> AzureModel:
        if self.azure_part is None:
            from iaclint.model.azure.entities import AzureModel

            self.azure_part = AzureModel()
        return self.azure_part

    def extend(self, other: Model) -> None:
        """Add another model's entities (a model built for another scope)."""
        self.endpoints.extend(other.endpoints)
        if other.aws_part is not None:
            self.aws.extend(other.aws_part)
        if other.azure_part is not None:
            self.azure.extend(other.azure_part)
        self.facts.extend(other.facts)

    def release(self) -> None:
        """Called by the engine once the checks are done. Entities link both ways (a stage and its
        API, a service and its APIs): cycles, which hold every resource and value the entities
        read and which only the cyclic collector could free. Every entity of the clouds' lists
        lets go of what it holds (each field set to None), so reference counting frees the model
        when the engine drops it. What is not in those lists (an API's effective policies, the
        facts) links back to them only, never to one another (`tests/test_part_garbage.py`)."""
        for cloud in (self.aws_part, self.azure_part):
            if cloud is None:
                continue
            for name in _mutable_fields(type(cloud)):
                for entity in getattr(cloud, name):
                    for f in _mutable_fields(type(entity)):
                        setattr(entity, f, None)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _mutable_fields(cls: type) -> tuple[str, ...]:
    """The fields of a mutable dataclass or record; none for any other class."""
    names = _FIELDS.get(cls)
    if names is None:
        kept = not is_dataclass(cls) or is_frozen(cls)
        names = _FIELDS[cls] = () if kept else tuple(f.name for f in fields(cls))
    return names
