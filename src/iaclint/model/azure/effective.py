"""Effective APIM policy per API and per operation: global → product(s) → API → operation.

An API in several products runs under each product's policy depending on the subscription used,
so each (product, API) path is evaluated; an operation with a policy of its own is a path too.
"""

from __future__ import annotations

from dataclasses import dataclass

from iaclint.model.azure.entities import ApimApi, ApimOperation, PolicyRef
from iaclint.policy import EffectivePolicy, PolicyDocument, effective_policy, read_policy
from iaclint.resources import Resource
from iaclint.values import Value


@dataclass(frozen=True, slots=True)
class PolicyPath:
    api: ApimApi
    operation: ApimOperation | None
    product: str  # product address, "" when the API is in no product
    policy: EffectivePolicy

    @property
    def resource(self) -> Resource:
        return self.operation.resource if self.operation else self.api.resource

    @property
    def label(self) -> str:
        where = f" operation {self.operation.resource.address}" if self.operation else ""
        via = f" (through product {self.product})" if self.product else ""
        return f"{self.api.label}{where}{via}"


def document(ref: PolicyRef) -> PolicyDocument:
    if ref.document is None:
        ref.document = read_policy(ref.text, ref.fmt or "xml")
        if not ref.fmt:
            ref.document = PolicyDocument({}, unknown="the policy format cannot be known", span=ref.text.span)
    return ref.document


def _scope(refs: list[PolicyRef]) -> PolicyDocument | None:
    return document(refs[0]) if refs else None


_UNDECLARED = PolicyDocument(
    {}, unknown="the API Management service is not declared here, so its global policy cannot be known"
)


def paths(api: ApimApi) -> list[PolicyPath]:
    glob = _scope(api.service.policies) if api.service is not None else _UNDECLARED
    products = api.products or [None]
    out: list[PolicyPath] = []
    for prod in products:
        pdoc = _scope(prod.policies) if prod is not None else None
        adoc = _scope(api.policies)
        name = prod.resource.address if prod is not None else ""
        out.append(PolicyPath(api, None, name, effective_policy([glob, pdoc, adoc, None])))
        for op in api.operations:
            if op.policies:
                out.append(
                    PolicyPath(api, op, name, effective_policy([glob, pdoc, adoc, _scope(op.policies)]))
                )
    return out


def policy_value(path: PolicyPath) -> Value:
    """Where to report a missing fact: the innermost policy text on the path, else nothing."""
    for refs in (path.operation.policies if path.operation else [], path.api.policies):
        if refs:
            return refs[0].text
    return Value.absent()
