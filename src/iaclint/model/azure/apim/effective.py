"""Effective APIM policy per API and per operation: global → workspace (for a workspace's APIs) →
product(s) → API → operation.

An API in several products runs under each product's policy depending on the subscription used,
so each (product, API) path is evaluated; an operation with a policy of its own is a path too.
"""

from __future__ import annotations

from iaclint.budget import LIMITS, Limits
from iaclint.fileaccess import megabytes
from iaclint.model.azure.apim.entities import ApimApi, ApimOperation, ApimService, PolicyRef
from iaclint.policy import EffectivePolicy, PolicyDocument, effective_policy, read_fragment, read_policy
from iaclint.records import record
from iaclint.resources import Resource
from iaclint.source import Span
from iaclint.values import Value


@record(frozen=True)
class PolicyPath:
    """One (product, API, operation) path of an APIM service and the policy in effect on it."""

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


def plan_reading(refs: list[PolicyRef], limits: Limits = LIMITS) -> None:
    """Before any policy of a scope is read: a document that several references hold at the same
    place (1,000 `for_each` policies sharing a 1 MB document) is read once, and the policy text
    read per scope is bounded (`Limits.policy_chars`); past it a document is unknown."""
    first: dict[tuple[str, str, Span | None, tuple[Span, ...]], PolicyRef] = {}
    spent = 0
    for ref in refs:
        text = ref.text
        if ref.document is not None or not text.is_known or not isinstance(text.data, str):
            continue
        key = (text.data, ref.fmt, text.span, text.via)
        same = first.get(key)
        if same is not None:
            ref.same_as = same
            continue
        first[key] = ref
        spent += len(text.data)
        if spent > limits.policy_chars:
            why = f"evaluation budget exceeded: more than {megabytes(limits.policy_chars)} of policy text"
            ref.document = PolicyDocument({}, unknown=why, span=text.span)


def document(ref: PolicyRef) -> PolicyDocument:
    if ref.document is None and ref.same_as is not None:
        ref.document = document(ref.same_as)
    if ref.document is None:
        read = read_fragment if ref.scope == "fragment" else read_policy
        ref.document = read(ref.text, ref.fmt or "xml")
        if not ref.fmt:
            ref.document = PolicyDocument({}, unknown="the policy format cannot be known", span=ref.text.span)
    return ref.document


def _scope(refs: list[PolicyRef]) -> PolicyDocument | None:
    return document(refs[0]) if refs else None


_UNDECLARED = PolicyDocument(
    {}, unknown="the API Management service is not declared here, so its global policy cannot be known"
)


def resolve_paths(apis: list[ApimApi], limits: Limits = LIMITS) -> None:
    """Every API's effective policies, worked out once per scope when it is linked. A combination
    of documents shared by many APIs is resolved once, and the policy elements gone through in the
    scope are bounded (`Limits.policy_elements`): a 1 MB global policy over a thousand APIs must not
    cost a thousand times its size. Past the bound an effective policy is unknown."""
    work = _Work(limits)
    for api in apis:
        api.policy_paths = _paths(api, work)


def paths(api: ApimApi) -> list[PolicyPath]:
    if api.policy_paths is None:
        api.policy_paths = _paths(api, _Work(LIMITS))
    return api.policy_paths


class _Work:
    """One scope's allowance of policy elements, and what it has already resolved."""

    __slots__ = ("allowance", "left", "memo", "sizes")

    def __init__(self, limits: Limits) -> None:
        self.allowance = self.left = limits.policy_elements
        self.memo: dict[tuple[int, ...], EffectivePolicy] = {}
        self.sizes: dict[int, int] = {}

    def size(self, doc: PolicyDocument) -> int:
        n = self.sizes.get(id(doc))
        if n is None:
            n = 0
            stack = [el for section in doc.sections.values() for el in section.elements]
            if doc.root is not None and not doc.sections:
                stack = list(doc.root.children)  # a fragment
            while stack:
                n += 1
                stack.extend(stack.pop().children)
            self.sizes[id(doc)] = n
        return n

    def effective(
        self, scopes: list[PolicyDocument | None], fragments: dict[str, PolicyDocument]
    ) -> EffectivePolicy:
        key = (*(0 if d is None else id(d) for d in scopes), *(id(d) for d in fragments.values()))
        got = self.memo.get(key)
        if got is None:
            docs = [*(d for d in scopes if d is not None), *fragments.values()]
            cost = sum(self.size(d) for d in docs)
            if cost > self.left:
                reason = f"evaluation budget exceeded: more than {self.allowance:,} policy elements"
                got = EffectivePolicy(inbound=(), unknown=(reason,), jwt=(), rate_limits=(), ip_filters=(),
                                      client_cert=())  # fmt: skip
            else:
                self.left -= cost
                got = effective_policy(scopes, fragments)
            self.memo[key] = got
        return got


def _paths(api: ApimApi, work: _Work) -> list[PolicyPath]:
    if api.service is not None:
        glob = _scope(api.service.policies)
    else:
        glob = _scope(api.undeclared_global) or _UNDECLARED
    products = api.products or [None]
    frags = fragments(api.service.fragments if api.service is not None else api.undeclared_fragments)
    wdoc = None
    if api.workspace is not None:
        # A workspace's own fragments first (an id it shares with the service names its own).
        frags = {**frags, **fragments(api.workspace.fragments)}
        wdoc = _scope(api.workspace.policies)
    out: list[PolicyPath] = []
    for prod in products:
        pdoc = _scope(prod.policies) if prod is not None else None
        adoc = _scope(api.policies)
        name = prod.resource.address if prod is not None else ""
        out.append(PolicyPath(api, None, name, work.effective([glob, wdoc, pdoc, adoc, None], frags)))
        for op in api.operations:
            if op.policies:
                scopes = [glob, wdoc, pdoc, adoc, _scope(op.policies)]
                out.append(PolicyPath(api, op, name, work.effective(scopes, frags)))
    return out


def service_policy(svc: ApimService) -> EffectivePolicy | None:
    """The service's global policy on its own; None when the scan declares none."""
    doc = _scope(svc.policies)
    return effective_policy([doc], fragments(svc.fragments)) if doc is not None else None


def fragments(refs: list[PolicyRef]) -> dict[str, PolicyDocument]:
    """A service's declared policy fragments by lower-case id (a fragment whose id cannot be
    known is left out: an include of it then says the fragment is not declared)."""
    out: dict[str, PolicyDocument] = {}
    for ref in refs:
        ident = ref.fragment_id.as_str()
        if ident:
            out.setdefault(ident.lower(), document(ref))
    return out


def policy_value(path: PolicyPath) -> Value:
    """Where to report a missing fact: the innermost policy text on the path, else nothing."""
    for refs in (path.operation.policies if path.operation else [], path.api.policies):
        if refs:
            return refs[0].text
    return Value.absent()
