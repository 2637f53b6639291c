"""WAF links, for every language: each association to its web ACL and to what it protects."""

from __future__ import annotations

from iaclint.model.adapters import Scope, link_step
from iaclint.model.aws.links import Index, add, module_path


@link_step(20)
def link(scope: Scope) -> None:
    m = scope.model.aws
    acls = Index(m.web_acls, lambda a: a.resource.address)
    stages = Index(m.stages, lambda s: s.resource.address)
    lbs = Index(m.load_balancers, lambda lb: lb.resource.address)
    for assoc in m.waf_associations:
        assoc.acls = acls.resolve(assoc.acl_ref)
        for target in [*stages.resolve(assoc.target_ref), *lbs.resolve(assoc.target_ref)]:
            add(assoc.targets, target)
        if not assoc.targets and assoc.target_ref.is_unknown and not assoc.target_ref.refs:
            # Cannot tell what it protects: it may be any stage or load balancer of the same module.
            where = module_path(assoc.resource.address)
            for target in [*m.stages, *m.load_balancers]:
                if module_path(target.resource.address) == where:
                    add(assoc.possible, target)
    classic = Index(m.classic_web_acls, lambda a: a.resource.address)
    for ca in m.classic_associations:
        ca.acls = classic.resolve(ca.acl_ref)
        for target in [*stages.resolve(ca.target_ref), *lbs.resolve(ca.target_ref)]:
            add(ca.targets, target)


@link_step(21)
def associations_naming_an_api(scope: Scope) -> None:
    """A web ACL association whose ARN is built from an API and a stage *name* (`${Api}/stages/prod`)
    refers to the API only: it may protect any stage of that API, so those stages are not reported
    as unprotected with certainty."""
    if scope.language != "cloudformation":
        return
    m = scope.model.aws
    apis = {a.resource.address: a for a in m.apis}
    for assoc in m.waf_associations:
        if not assoc.target_ref.is_unknown or assoc.targets:
            continue
        for ref in assoc.target_ref.refs:
            api = apis.get(ref)
            if api is None:
                continue
            for st in api.stages:
                add(assoc.possible, st)
