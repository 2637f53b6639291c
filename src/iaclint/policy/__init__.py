"""API Management policy documents: reading them from template values (`read_policy`) and resolving
`<base/>` across scopes into the policy that runs for an API or operation (`effective_policy`), with
the policy fragments it includes (`read_fragment`)."""

from iaclint.policy.effective import effective_policy
from iaclint.policy.elements import (
    SECTIONS,
    ClientCertValidation,
    EffectivePolicy,
    IpFilter,
    JwtValidation,
    PolicyDocument,
    PolicyElement,
    RateLimit,
    Section,
)
from iaclint.policy.read import LINK_REASON, element_span, read_fragment, read_policy

__all__ = [
    "LINK_REASON",
    "SECTIONS",
    "ClientCertValidation",
    "EffectivePolicy",
    "IpFilter",
    "JwtValidation",
    "PolicyDocument",
    "PolicyElement",
    "RateLimit",
    "Section",
    "effective_policy",
    "element_span",
    "read_fragment",
    "read_policy",
]
