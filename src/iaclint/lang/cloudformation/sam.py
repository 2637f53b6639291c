"""SAM templates: the `Globals` section merged into each serverless resource's properties.

The SAM specification (Globals section of the AWS SAM template) says a resource inherits the
Globals of its type: maps merge key by key (the resource wins on a shared key), lists are additive
(the Globals entries first, then the resource's), and any other value of the resource overrides
the global one. Mapping `AWS::Serverless::*` resources onto the AWS model is a later stage.

Function events of type `Api`/`HttpApi` that name no API make SAM create an implicit API
(`ServerlessRestApi`, `ServerlessHttpApi`); the Globals of `Api`/`HttpApi` apply to it too, so the
loader emits it as a resource of its own, with those Globals as its properties.
"""

from __future__ import annotations

from iaclint.budget import Budget
from iaclint.lang.cloudformation.evaluate import is_intrinsic
from iaclint.source import Span
from iaclint.values import State, Value

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"

# Globals section → the resource type it applies to.
GLOBAL_SECTIONS = {
    "Function": "AWS::Serverless::Function",
    "Api": "AWS::Serverless::Api",
    "HttpApi": "AWS::Serverless::HttpApi",
    "SimpleTable": "AWS::Serverless::SimpleTable",
    "StateMachine": "AWS::Serverless::StateMachine",
    "CapacityProvider": "AWS::Serverless::CapacityProvider",
    "LayerVersion": "AWS::Serverless::LayerVersion",
}


def is_sam(root: Value) -> bool:
    transform = root.get("Transform")
    names = (
        [v.as_str() for v in transform.elements()]
        if isinstance(transform.data, list)
        else [transform.as_str()]
    )
    return SAM_TRANSFORM in names


def globals_by_type(root: Value) -> dict[str, Value]:
    """Resource type → its Globals section (a known object), for the sections present."""
    out: dict[str, Value] = {}
    for section, value in root.get("Globals").items():
        rtype = GLOBAL_SECTIONS.get(section)
        if rtype is not None and value.is_known and isinstance(value.data, dict):
            out[rtype] = value
    return out


def merge(global_value: Value, local: Value, budget: Budget, depth: int = 0) -> Value:
    """The resource's value with the global one merged in (raw values, before evaluation). Each
    merged map or list is charged to `budget` before it is built (a Globals section of many keys
    merged into many functions). Raises BudgetExceeded."""
    if local.state is State.ABSENT:
        return global_value
    g, r = global_value.data, local.data
    if (
        global_value.is_known
        and local.is_known
        and not is_intrinsic(global_value)
        and not is_intrinsic(local)
    ):
        if isinstance(g, dict) and isinstance(r, dict):
            budget.step(len(g) + len(r))
            budget.depth(depth)
            budget.collection(len(g) + len(r))
            out = dict(g)
            for k, v in r.items():
                out[k] = merge(g[k], v, budget, depth + 1) if k in g else v
            return Value(State.KNOWN, out, local.span)
        if isinstance(g, list) and isinstance(r, list):
            budget.step(len(g) + len(r))
            budget.collection(len(g) + len(r))
            return Value(State.KNOWN, [*g, *r], local.span)
    return local


# Function event type → (the implicit API's type, its logical id, the event property naming an
# explicit API instead). SAM creates the implicit API from every such event that names no API.
IMPLICIT_APIS = {
    "Api": ("AWS::Serverless::Api", "ServerlessRestApi", "RestApiId"),
    "HttpApi": ("AWS::Serverless::HttpApi", "ServerlessHttpApi", "ApiId"),
}
# The implicit REST API always deploys to this stage; it cannot be configured (not even in Globals).
IMPLICIT_REST_STAGE = "Prod"


def implicit_api_events(function_body: Value) -> list[tuple[str, str, Value]]:
    """(implicit API type, its logical id, event) for each `Api`/`HttpApi` event of an evaluated function body
    that names no API, i.e. that SAM attaches to the implicit API."""
    out: list[tuple[str, str, Value]] = []
    for _, event in function_body.get("Events").items():
        implicit = IMPLICIT_APIS.get(event.get("Type").as_str() or "")
        if implicit is not None and event.path("Properties", implicit[2]).is_null:
            out.append((implicit[0], implicit[1], event))
    return out


def implicit_api_body(rtype: str, global_props: Value, span: Span) -> Value:
    """Properties of the implicit API: the (evaluated) Globals of its type, which SAM applies to
    implicit APIs as well, plus the fixed stage of the REST one. Global entries keep their spans."""
    data: dict[str, Value] = (
        dict(global_props.data) if global_props.is_known and isinstance(global_props.data, dict) else {}
    )
    if rtype == IMPLICIT_APIS["Api"][0]:
        data["StageName"] = Value.known(IMPLICIT_REST_STAGE, span)
    return Value(State.KNOWN, data, span)
