"""AWS WAF fields as the Terraform aws provider names them. Reads only; `build.py` decides what
they mean."""

from __future__ import annotations

from iaclint.model.adapters import Scope, adapter
from iaclint.model.aws.wafv2 import build
from iaclint.model.aws.wafv2.entities import ClassicAssociation, ClassicWebAcl, WafAssociation
from iaclint.resources import Resource

TF = "terraform"

NAMES = build.Names(
    default_action="default_action",
    rules="rule",
    name="name",
    action="action",
    override_action="override_action",
    actions=build.ACTIONS,
    count="count",
    none="none",
    statement="statement",
    rate_based="rate_based_statement",
    ip_set="ip_set_reference_statement",
    rule_group="rule_group_reference_statement",
    not_statement="not_statement",
)


@adapter("aws_wafv2_web_acl", language=TF)
def _web_acl(r: Resource, scope: Scope) -> None:
    # `rule_json` holds the rules as JSON text the provider passes through: not read here.
    rule_json = r.body.get("rule_json")
    scope.model.aws.web_acls.append(build.web_acl(r, NAMES, None if rule_json.is_null else rule_json))


@adapter("aws_wafv2_web_acl_association", language=TF)
def _association(r: Resource, scope: Scope) -> None:
    b = r.body
    scope.model.aws.waf_associations.append(WafAssociation(r, b.get("web_acl_arn"), b.get("resource_arn")))


@adapter("aws_waf_web_acl", "aws_wafregional_web_acl", language=TF)
def _classic_web_acl(r: Resource, scope: Scope) -> None:
    scope.model.aws.classic_web_acls.append(ClassicWebAcl(r))


@adapter("aws_wafregional_web_acl_association", language=TF)
def _classic_association(r: Resource, scope: Scope) -> None:
    b = r.body
    scope.model.aws.classic_associations.append(
        ClassicAssociation(r, b.get("web_acl_id"), b.get("resource_arn"))
    )
