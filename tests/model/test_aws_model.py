"""The AWS model from hand-built Terraform resources: entities, defaults and links."""

from __future__ import annotations

from iaclint.model.aws.links import base_address, module_path
from iaclint.model.aws.tls import apigateway_policy, cloudfront_protocol, elb_policy
from model.aws_builders import At, Blk, Unk, build, ref, res


def test_policy_names_are_classified_by_structure() -> None:
    assert apigateway_policy("TLS_1_0") == ("1.0", True)
    assert apigateway_policy("SecurityPolicy_TLS13_1_3_2025_09") == ("1.3", True)
    assert apigateway_policy("SecurityPolicy_TLS13_1_2_PQ_2027_01") == ("1.2", True)
    assert apigateway_policy("SecurityPolicy_TLS13_2025_EDGE") == ("1.2", True)
    assert apigateway_policy("SomethingElse") is None
    assert cloudfront_protocol("TLSv1") == ("1.0", True)
    assert cloudfront_protocol("TLSv1.1_2016") == ("1.1", True)
    assert cloudfront_protocol("TLSv1.2_2021") == ("1.2", True)
    assert cloudfront_protocol("TLSv1.3_2025") == ("1.3", True)
    assert cloudfront_protocol("SSLv3") == ("ssl3", False)
    assert cloudfront_protocol("TLSv9_2030") is None
    assert elb_policy("ELBSecurityPolicy-2016-08") == ("1.0", False)
    assert elb_policy("ELBSecurityPolicy-TLS13-1-0-2021-06") == ("1.0", True)
    assert elb_policy("ELBSecurityPolicy-TLS13-1-2-2021-06") == ("1.2", True)
    assert elb_policy("ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04") == ("1.3", True)
    assert elb_policy("ELBSecurityPolicy-TLS-1-2-Ext-2018-06") == ("1.2", False)
    assert elb_policy("ELBSecurityPolicy-FS-1-1-2019-08") == ("1.1", False)
    assert elb_policy("ELBSecurityPolicy-FS-2018-06") == ("1.0", False)
    assert elb_policy("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2030-01") == ("1.2", True)
    assert elb_policy("MyCustomPolicy") is None


def test_addresses() -> None:
    assert (
        base_address('module.a["x"].aws_api_gateway_stage.s["eu"]') == 'module.a["x"].aws_api_gateway_stage.s'
    )
    assert base_address("aws_api_gateway_stage.s") == "aws_api_gateway_stage.s"
    assert module_path('module.a["x"].module.b.aws_x.y') == 'module.a["x"].module.b'
    assert module_path("aws_x.y") == ""


def test_rest_api_default_endpoint_floor() -> None:
    m = build(
        res("aws_api_gateway_rest_api", "open", 1, {"name": At("a", 2)}),
        res("aws_api_gateway_rest_api", "off", 10, {"disable_execute_api_endpoint": At(True, 11)}),
        res(
            "aws_api_gateway_rest_api",
            "private",
            20,
            {"endpoint_configuration": [Blk(21, {"types": At(["PRIVATE"], 22)})]},
        ),
        res("aws_api_gateway_rest_api", "maybe", 30, {"disable_execute_api_endpoint": Unk(31)}),
    )
    eps = {e.resource.name: e for e in m.endpoints}
    assert set(eps) == {"open", "private", "maybe"}
    assert eps["open"].tls.minimum == "1.0"
    assert eps["private"].tls.minimum == "1.2"
    assert eps["maybe"].tls.minimum is None
    assert [a.private for a in m.aws.apis] == [False, False, True, False]


def test_domain_mapping_links_through_refs_and_names() -> None:
    m = build(
        res(
            "aws_api_gateway_domain_name",
            "d",
            1,
            {
                "domain_name": At("api.example.com", 2),
                "mutual_tls_authentication": [Blk(3, {"truststore_uri": At("s3://b/k", 4)})],
            },
        ),
        res("aws_api_gateway_rest_api", "a", 10, {"name": At("a", 11)}),
        res("aws_api_gateway_rest_api", "b", 20, {"name": At("b", 21)}),
        res(
            "aws_api_gateway_base_path_mapping",
            "m1",
            30,
            {
                "api_id": ref("aws_api_gateway_rest_api.a", 31),
                "domain_name": ref("aws_api_gateway_domain_name.d", 32),
            },
        ),
        res(
            "aws_api_gateway_base_path_mapping",
            "m2",
            40,
            {
                "api_id": ref("aws_api_gateway_rest_api.b", 41),
                "domain_name": At("api.example.com", 42),
            },
        ),
    )
    (domain,) = m.aws.domains
    assert [a.resource.name for a in domain.apis] == ["a", "b"]
    assert domain.endpoint.mtls is not None and domain.endpoint.mtls.truststore.data == "s3://b/k"
    assert [d.resource.name for d in m.aws.apis[0].domains] == ["d"]


def test_waf_association_links_for_each_instances_and_module_acl() -> None:
    m = build(
        res("aws_api_gateway_rest_api", "a", 1, {}),
        res(
            "aws_api_gateway_stage",
            's["eu"]',
            5,
            {"rest_api_id": ref("aws_api_gateway_rest_api.a", 6), "stage_name": At("eu", 7)},
        ),
        res(
            "aws_api_gateway_stage",
            's["us"]',
            10,
            {"rest_api_id": ref("aws_api_gateway_rest_api.a", 11), "stage_name": At("us", 12)},
        ),
        res(
            "aws_wafv2_web_acl",
            "this",
            20,
            {"default_action": [Blk(21, {"block": [Blk(22)]})]},
            module="module.waf.",
        ),
        res(
            "aws_wafv2_web_acl_association",
            "x",
            30,
            {
                "resource_arn": Unk(31, ("aws_api_gateway_stage.s",)),
                "web_acl_arn": Unk(32, ("module.waf.aws_wafv2_web_acl.this",)),
            },
        ),
    )
    (assoc,) = m.aws.waf_associations
    assert assoc.targets == m.aws.stages and len(assoc.targets) == 2
    assert assoc.acls[0].resource.address == "module.waf.aws_wafv2_web_acl.this"
    assert m.aws.stages[0].api is m.aws.apis[0]


def test_throttling_links_method_settings_by_stage_name_and_usage_plan() -> None:
    m = build(
        res("aws_api_gateway_rest_api", "a", 1, {}),
        res(
            "aws_api_gateway_stage",
            "prod",
            5,
            {"rest_api_id": ref("aws_api_gateway_rest_api.a", 6), "stage_name": At("prod", 7)},
        ),
        res(
            "aws_api_gateway_method_settings",
            "all",
            10,
            {
                "rest_api_id": ref("aws_api_gateway_rest_api.a", 11),
                "stage_name": At("prod", 12),
                "settings": [Blk(13, {"throttling_rate_limit": At(-1, 14)})],
            },
        ),
        res(
            "aws_api_gateway_usage_plan",
            "p",
            20,
            {
                "api_stages": [
                    Blk(
                        21,
                        {
                            "api_id": ref("aws_api_gateway_rest_api.a", 22),
                            "stage": ref("aws_api_gateway_stage.prod", 23),
                        },
                    )
                ],
                "throttle_settings": [Blk(24, {"rate_limit": At(10, 25)})],
            },
        ),
    )
    st = m.aws.stages[0]
    assert [(t.source, t.limited) for t in st.throttles] == [("method settings", False), ("usage plan", True)]


def test_policy_document_data_source_and_json_policy() -> None:
    doc = res(
        "aws_iam_policy_document",
        "p",
        1,
        {
            "statement": [
                Blk(
                    2,
                    {
                        "effect": At("Allow", 3),
                        "condition": [
                            Blk(4, {"test": At("IpAddress", 5), "variable": At("aws:SourceIp", 6)})
                        ],
                    },
                )
            ]
        },
    )
    doc = doc.__class__(doc.type, "data.aws_iam_policy_document.p", "terraform", doc.body, doc.span, "p")
    m = build(
        doc,
        res(
            "aws_api_gateway_rest_api",
            "a",
            10,
            {
                "policy": At(
                    '{"Statement":[{"Effect":"Deny","Condition":{"NotIpAddress":{"aws:SourceIp":["1.2.3.4/32"]}}}]}',
                    11,
                )
            },
        ),
        res("aws_api_gateway_rest_api", "b", 20, {}),
        res(
            "aws_api_gateway_rest_api_policy",
            "b",
            30,
            {
                "rest_api_id": ref("aws_api_gateway_rest_api.b", 31),
                "policy": Unk(32, ("data.aws_iam_policy_document.p",)),
            },
        ),
    )
    assert [any(p.restricts_network() for p in a.policies) for a in m.aws.apis] == [True, True]


def test_client_certificate_is_not_mtls() -> None:
    m = build(
        res("aws_api_gateway_rest_api", "a", 1, {}),
        res(
            "aws_api_gateway_stage",
            "s",
            5,
            {"rest_api_id": ref("aws_api_gateway_rest_api.a", 6), "client_certificate_id": At("abc", 7)},
        ),
    )
    assert all(e.mtls is None for e in m.endpoints)
