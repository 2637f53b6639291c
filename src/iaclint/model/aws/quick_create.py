"""HTTP API quick create (`Target` in CloudFormation, `target` in Terraform): the route,
integration and stage API Gateway makes from it, shared by both languages' adapters."""

from __future__ import annotations

from iaclint.model.entities import Integration, Model, Operation, Stage
from iaclint.resources import Resource
from iaclint.values import Value


def quick_create(model: Model, r: Resource, ref: Value, target: Value, attribute: str) -> None:
    """A `$default` route that cannot carry an authoriser, its integration (an HTTP URL is
    HTTP_PROXY, anything else a Lambda ARN), and an auto-deployed `$default` stage."""
    verb = Value.known("$default", target.span)
    # The route's authorisation is fixed: the finding points at what decides it, the target.
    auth = Value.known("NONE", target.span)
    head = target.known_prefix().lower()
    if head.startswith(("http://", "https://")):
        kind = Value.known("HTTP_PROXY", target.span)
    elif target.is_known or head:
        kind = Value.known("AWS_PROXY", target.span)
    else:
        kind = Value.unknown(f"{attribute} is {target.describe()}", target.span, target.refs)
    label = "route '$default' (quick create)"
    decider = f"authorization of the route {attribute} creates"
    model.operations.append(Operation(r, ref, verb, label, auth, decider))
    model.integrations.append(Integration(r, ref, kind, target, attribute))
    model.stages.append(Stage(r, ref, Value.known("$default", target.span)))
