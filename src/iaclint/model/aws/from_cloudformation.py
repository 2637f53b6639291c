"""AWS facts from CloudFormation and SAM templates: dispatch to the per-service adapters, then link
the entities once (with the same `links.py` as Terraform)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from iaclint.model.aws import (
    from_cloudformation_apigateway,
    from_cloudformation_edge,
    from_cloudformation_sam,
    links,
)
from iaclint.model.aws.from_cloudformation_apigateway import api_ref
from iaclint.model.entities import Model, Operation
from iaclint.resources import Resource
from iaclint.values import Value

# API type → the property that keeps its OpenAPI definition outside the template.
EXTERNAL_DEFINITION = {
    "AWS::ApiGateway::RestApi": "BodyS3Location",
    "AWS::ApiGatewayV2::Api": "BodyS3Location",
    "AWS::Serverless::Api": "DefinitionUri",
    "AWS::Serverless::HttpApi": "DefinitionUri",
}


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
    _external_definitions(model)


def _external_definitions(model: Model) -> None:
    """An API whose definition is in S3 (or in a file packaged to S3) has operations iaclint cannot
    see: when nothing else in the template gives it operations, one operation whose authentication
    is unknown stands for them, so the API is not silently taken as having none (IAC601 note)."""
    for api in model.apis:
        attribute = EXTERNAL_DEFINITION.get(api.resource.type)
        if attribute is None or api.operations or api.protocol == "WebSocket":
            continue
        where = api.resource.body.get(attribute)
        if where.is_null:
            continue
        text = where.as_str()
        if text is not None and not text.startswith("s3://"):
            # A local path: `sam package` / `aws cloudformation package` uploads it to S3.
            why = f"the API's operations are defined in {text!r}, a file iaclint does not read"
        else:
            why = "the API's operations are defined in S3, which iaclint cannot read"
        op = Operation(
            replace(api.resource, span=where.span) if where.span is not None else api.resource,
            api_ref(api.resource),
            Value.absent(where.span),
            "operations defined outside the template",
            Value.unknown(why, where.span),
            attribute,
        )
        op.api = api
        api.operations.append(op)
        model.operations.append(op)


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
