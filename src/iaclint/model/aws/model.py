"""The AWS entities of one scope (or of a whole scan, once scopes are merged), by service."""

from __future__ import annotations

from dataclasses import field, fields
from typing import TYPE_CHECKING

from iaclint.records import record

if TYPE_CHECKING:  # annotations only: a scan imports the entities of the services it reads
    from iaclint.model.aws.apigateway.entities import (
        Api,
        Authorizer,
        CustomDomain,
        DomainMapping,
        Integration,
        MethodSettings,
        Operation,
        ResourcePolicy,
        Stage,
        UsagePlan,
    )
    from iaclint.model.aws.cloudfront.entities import Distribution
    from iaclint.model.aws.elb.entities import (
        ClassicLoadBalancer,
        ClassicPolicy,
        Listener,
        ListenerPolicies,
        ListenerRule,
        LoadBalancer,
    )
    from iaclint.model.aws.wafv2.entities import ClassicAssociation, ClassicWebAcl, WafAssociation, WebAcl


@record
class AwsModel:
    """The AWS entities of a scope, by service, linked by each service's `links.py`."""

    # API Gateway
    apis: list[Api] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    authorizers: list[Authorizer] = field(default_factory=list)
    integrations: list[Integration] = field(default_factory=list)
    domains: list[CustomDomain] = field(default_factory=list)
    mappings: list[DomainMapping] = field(default_factory=list)
    policies: list[ResourcePolicy] = field(default_factory=list)
    usage_plans: list[UsagePlan] = field(default_factory=list)
    method_settings: list[MethodSettings] = field(default_factory=list)
    # WAF
    web_acls: list[WebAcl] = field(default_factory=list)
    waf_associations: list[WafAssociation] = field(default_factory=list)
    # WAF Classic (v1): retired by AWS, kept to name it in messages.
    classic_web_acls: list[ClassicWebAcl] = field(default_factory=list)
    classic_associations: list[ClassicAssociation] = field(default_factory=list)
    # CloudFront
    distributions: list[Distribution] = field(default_factory=list)
    # Elastic Load Balancing
    load_balancers: list[LoadBalancer] = field(default_factory=list)
    listeners: list[Listener] = field(default_factory=list)
    listener_rules: list[ListenerRule] = field(default_factory=list)
    classic_lbs: list[ClassicLoadBalancer] = field(default_factory=list)
    # Policies and listener policies of Classic Load Balancers declared as resources of their own.
    classic_policies: list[ClassicPolicy] = field(default_factory=list)
    classic_listener_policies: list[ListenerPolicies] = field(default_factory=list)

    def extend(self, other: AwsModel) -> None:
        for f in fields(self):
            getattr(self, f.name).extend(getattr(other, f.name))
