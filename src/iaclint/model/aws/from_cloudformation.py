"""AWS facts from CloudFormation and SAM templates: dispatch to the per-service adapters, then link
the entities once (with the same `links.py` as Terraform)."""

from __future__ import annotations

from collections.abc import Iterable

from iaclint.model.aws import (
    from_cloudformation_apigateway,
    from_cloudformation_edge,
    from_cloudformation_sam,
    links,
)
from iaclint.model.entities import Model
from iaclint.resources import Resource


def adapt(resources: Iterable[Resource], model: Model) -> None:
    """`resources` are the resources of one template (one scope)."""
    resources = list(resources)
    by_address = {r.address: r for r in resources}
    for r in resources:
        api_adapter = from_cloudformation_apigateway.ADAPTERS.get(r.type)
        if api_adapter is not None:
            api_adapter(r, model, by_address)
            continue
        edge_adapter = from_cloudformation_edge.ADAPTERS.get(r.type)
        if edge_adapter is not None:
            edge_adapter(r, model, by_address)
    sam = [r for r in resources if r.type.startswith("AWS::Serverless::")]
    if sam:
        from_cloudformation_sam.adapt(sam, model, by_address)
    links.link(model)
    _associations_naming_an_api(model)


def _associations_naming_an_api(model: Model) -> None:
    """A web ACL association whose ARN is built from an API and a stage *name* (`${Api}/stages/prod`)
    refers to the API only: it may protect any stage of that API, so those stages are not reported
    as unprotected with certainty."""
    apis = {a.resource.address: a for a in model.apis}
    for assoc in model.waf_associations:
        target = assoc.target_ref
        if not target.is_unknown or any(assoc in st.associations for st in model.stages):
            continue
        for ref in target.refs:
            api = apis.get(ref)
            if api is None:
                continue
            for st in api.stages:
                if not any(a is assoc for a in st.possible_associations):
                    st.possible_associations.append(assoc)
