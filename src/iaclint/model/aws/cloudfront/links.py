"""CloudFront links, for every language: a distribution to its web ACL, and to the APIs its origins
are (an API, one of its stages, or a custom domain serving it)."""

from __future__ import annotations

from iaclint.model.adapters import Scope, link_step
from iaclint.model.aws.links import Index, add


@link_step(20)
def link(scope: Scope) -> None:
    m = scope.model.aws
    acls = Index(m.web_acls, lambda a: a.resource.address)
    classic = Index(m.classic_web_acls, lambda a: a.resource.address)
    apis = Index(m.apis, lambda a: a.resource.address)
    stages = Index(m.stages, lambda s: s.resource.address)
    domains = Index(m.domains, lambda d: d.resource.address)
    for dist in m.distributions:
        dist.acls = acls.resolve(dist.acl_ref)
        dist.classic_acls = classic.resolve(dist.acl_ref)
        for origin in dist.origin_refs:
            found = apis.resolve(origin)
            found += [s.api for s in stages.resolve(origin) if s.api]
            for dom in domains.resolve(origin):
                found += dom.apis
            for api in found:
                add(dist.apis, api)
