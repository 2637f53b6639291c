"""AWS facts from Terraform (aws provider) resources: dispatch to the per-service adapters, then
link the entities once."""

from __future__ import annotations

from collections.abc import Iterable

from iaclint.model.aws import from_terraform_apigateway, from_terraform_edge, links
from iaclint.model.entities import Model
from iaclint.resources import Resource

# Data sources whose content other resources use (a policy document built from blocks).
_DOCUMENT_TYPES = ("aws_iam_policy_document",)


def adapt(resources: Iterable[Resource], model: Model) -> None:
    resources = list(resources)
    by_address = {r.address: r for r in resources}
    documents = {r.address: r for r in resources if r.type in _DOCUMENT_TYPES}
    for r in resources:
        api_adapter = from_terraform_apigateway.ADAPTERS.get(r.type)
        if api_adapter is not None:
            api_adapter(r, model, documents)
            continue
        edge_adapter = from_terraform_edge.ADAPTERS.get(r.type)
        if edge_adapter is not None:
            edge_adapter(r, model, by_address)
    links.link(model)
