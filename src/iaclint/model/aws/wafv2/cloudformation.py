"""AWS WAF fields as CloudFormation names them. Reads only; `build.py` decides what they mean."""

from __future__ import annotations

from iaclint.model.adapters import Scope, adapter
from iaclint.model.aws.wafv2 import build
from iaclint.model.aws.wafv2.entities import ClassicAssociation, ClassicWebAcl, WafAssociation
from iaclint.resources import Resource

CFN = "cloudformation"

NAMES = build.Names(
    default_action="DefaultAction",
    rules="Rules",
    name="Name",
    action="Action",
    override_action="OverrideAction",
    actions=("Allow", "Block", "Count", "Captcha", "Challenge"),
    count="Count",
    none="None",
    statement="Statement",
    rate_based="RateBasedStatement",
    ip_set="IPSetReferenceStatement",
    rule_group="RuleGroupReferenceStatement",
    not_statement="NotStatement",
)


@adapter("AWS::WAFv2::WebACL", language=CFN)
def _web_acl(r: Resource, scope: Scope) -> None:
    scope.model.aws.web_acls.append(build.web_acl(r, NAMES))


@adapter("AWS::WAFv2::WebACLAssociation", language=CFN)
def _association(r: Resource, scope: Scope) -> None:
    b = r.body
    scope.model.aws.waf_associations.append(WafAssociation(r, b.get("WebACLArn"), b.get("ResourceArn")))


@adapter("AWS::WAF::WebACL", "AWS::WAFRegional::WebACL", language=CFN)
def _classic_web_acl(r: Resource, scope: Scope) -> None:
    scope.model.aws.classic_web_acls.append(ClassicWebAcl(r))


@adapter("AWS::WAFRegional::WebACLAssociation", language=CFN)
def _classic_association(r: Resource, scope: Scope) -> None:
    b = r.body
    scope.model.aws.classic_associations.append(
        ClassicAssociation(r, b.get("WebACLId"), b.get("ResourceArn"))
    )
