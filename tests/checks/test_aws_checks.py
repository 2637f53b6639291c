"""AWS checks on hand-built models: rule ids, levels, locations (line and column) and messages."""

from __future__ import annotations

from iaclint.checks import CheckContext, registry
from iaclint.findings import Finding, Level
from iaclint.model.derive import derive
from iaclint.model.scope_model import Model
from iaclint.rules import load_rules
from model.aws_builders import At, Blk, Unk, build, ref, res


def run(rule_id: str, model: Model, **params: object) -> list[Finding]:
    reg = registry()[rule_id]
    ctx = CheckContext(load_rules()[rule_id], dict(params), reg.fields)
    return list(reg.fn(derive(model), ctx))


def where(findings: list[Finding]) -> list[tuple[str, int, int, str]]:
    return [(f.rule_id, f.span.line, f.span.column, f.level.value) for f in findings]


def rest_api(name: str, line: int, **attrs: object) -> object:
    return res("aws_api_gateway_rest_api", name, line, attrs)


def stage(name: str, line: int, api: str) -> object:
    return res(
        "aws_api_gateway_stage",
        name,
        line,
        {"rest_api_id": ref(f"aws_api_gateway_rest_api.{api}", line + 1), "stage_name": At(name, line + 2)},
    )


def test_iac101_rest_default_endpoint_cloudfront_and_listener() -> None:
    m = build(
        rest_api("a", 1),
        res(
            "aws_cloudfront_distribution",
            "cf",
            10,
            {
                "viewer_certificate": [Blk(11, {"cloudfront_default_certificate": At(True, 12)})],
                "default_cache_behavior": [Blk(13, {"viewer_protocol_policy": At("https-only", 14)})],
            },
        ),
        res(
            "aws_lb_listener",
            "l",
            20,
            {"protocol": At("HTTPS", 21), "ssl_policy": At("ELBSecurityPolicy-TLS13-1-0-2021-06", 22)},
        ),
        res(
            "aws_lb_listener",
            "ok",
            30,
            {"protocol": At("HTTPS", 31), "ssl_policy": At("ELBSecurityPolicy-TLS13-1-2-2021-06", 32)},
        ),
        res("aws_lb_listener", "unset", 40, {"protocol": At("TLS", 41)}),
    )
    got = run("IAC101", m)
    assert where(got) == [
        ("IAC101", 1, 1, "error"),
        ("IAC101", 12, 3, "error"),
        ("IAC101", 22, 3, "error"),
        # No ssl_policy: the documented default of API-created listeners, ELBSecurityPolicy-2016-08.
        ("IAC101", 40, 1, "error"),
    ]
    assert "accepts TLS 1.0" in got[0].message and "default endpoint (REST)" in got[0].message
    assert "ELBSecurityPolicy-2016-08" in got[3].message


def test_iac102_and_iac103() -> None:
    m = build(
        res(
            "aws_lb_listener",
            "old",
            1,
            {"protocol": At("HTTPS", 2), "ssl_policy": At("ELBSecurityPolicy-TLS-1-2-2017-01", 3)},
        ),
        res(
            "aws_api_gateway_domain_name",
            "basic",
            10,
            {
                "security_policy": At("SecurityPolicy_TLS13_1_3_2025_09", 11),
                "endpoint_access_mode": At("BASIC", 12),
            },
        ),
        res(
            "aws_api_gateway_domain_name",
            "unset",
            20,
            {"security_policy": At("SecurityPolicy_TLS13_1_2_2021_06", 21)},
        ),
        res(
            "aws_api_gateway_domain_name",
            "strict",
            30,
            {
                "security_policy": At("SecurityPolicy_TLS13_1_3_2025_09", 31),
                "endpoint_access_mode": At("STRICT", 32),
            },
        ),
        res("aws_api_gateway_domain_name", "legacy", 40, {"security_policy": At("TLS_1_2", 41)}),
    )
    assert where(run("IAC102", m)) == [("IAC102", 3, 3, "note")]
    assert where(run("IAC103", m)) == [("IAC103", 12, 3, "note"), ("IAC103", 20, 1, "note")]


def test_iac201_http_listener_and_viewer_policy() -> None:
    redirect = [Blk(4, {"type": At("redirect", 5), "redirect": [Blk(6, {"protocol": At("HTTPS", 7)})]})]
    keep = [Blk(14, {"type": At("redirect", 15), "redirect": [Blk(16, {"port": At("8080", 17)})]})]
    m = build(
        res("aws_lb_listener", "r", 1, {"protocol": At("HTTP", 2), "default_action": redirect}),
        res("aws_lb_listener", "k", 11, {"protocol": At("HTTP", 12), "default_action": keep}),
        res(
            "aws_cloudfront_distribution",
            "cf",
            20,
            {
                "viewer_certificate": [Blk(21, {"minimum_protocol_version": At("TLSv1.2_2021", 22)})],
                "default_cache_behavior": [Blk(23, {"viewer_protocol_policy": At("redirect-to-https", 24)})],
                "ordered_cache_behavior": [Blk(25, {"viewer_protocol_policy": At("allow-all", 26)})],
            },
        ),
    )
    # Sorted: listeners become endpoints when linked, after distributions.
    assert sorted(where(run("IAC201", m))) == [("IAC201", 12, 3, "error"), ("IAC201", 26, 3, "error")]


def mtls_domain(name: str, line: int, **mtls: object) -> object:
    return res(
        "aws_api_gateway_domain_name",
        name,
        line,
        {
            "domain_name": At(f"{name}.example.com", line + 1),
            "mutual_tls_authentication": [Blk(line + 2, dict(mtls))],
        },
    )


def test_iac401_iac402_iac403_iac501() -> None:
    m = build(
        mtls_domain("good", 1, truststore_uri=At("s3://b/k", 4), truststore_version=At("v1", 5)),
        mtls_domain("bad", 10, truststore_uri=At("https://b/k", 13)),
        mtls_domain("unpinned", 20, truststore_uri=At("s3://b/k", 23)),
        res("aws_api_gateway_domain_name", "plain", 30, {"domain_name": At("plain.example.com", 31)}),
        rest_api("open", 40),
        rest_api("closed", 50, disable_execute_api_endpoint=At(True, 51)),
        res(
            "aws_api_gateway_base_path_mapping",
            "m1",
            60,
            {
                "api_id": ref("aws_api_gateway_rest_api.open", 61),
                "domain_name": ref("aws_api_gateway_domain_name.good", 62),
            },
        ),
        res(
            "aws_api_gateway_base_path_mapping",
            "m2",
            70,
            {"api_id": ref("aws_api_gateway_rest_api.closed", 71), "domain_name": At("good.example.com", 72)},
        ),
        res(
            "aws_api_gateway_base_path_mapping",
            "m3",
            80,
            {
                "api_id": ref("aws_api_gateway_rest_api.open", 81),
                "domain_name": ref("aws_api_gateway_domain_name.plain", 82),
            },
        ),
    )
    assert where(run("IAC401", m)) == [("IAC401", 13, 3, "error")]
    assert where(run("IAC402", m)) == [("IAC402", 20, 1, "note")]
    assert where(run("IAC403", m)) == [("IAC403", 30, 1, "error")]
    got = run("IAC501", m)
    assert where(got) == [("IAC501", 40, 1, "error")]
    assert "aws_api_gateway_domain_name.good" in got[0].message


def test_iac601_iac603_iac602() -> None:
    m = build(
        rest_api("a", 1),
        res(
            "aws_api_gateway_method",
            "open",
            5,
            {
                "rest_api_id": ref("aws_api_gateway_rest_api.a", 6),
                "http_method": At("GET", 7),
                "authorization": At("NONE", 8),
            },
        ),
        res(
            "aws_api_gateway_method",
            "cors",
            10,
            {
                "rest_api_id": ref("aws_api_gateway_rest_api.a", 11),
                "http_method": At("OPTIONS", 12),
                "authorization": At("NONE", 13),
            },
        ),
        res(
            "aws_api_gateway_method",
            "key",
            15,
            {
                "rest_api_id": ref("aws_api_gateway_rest_api.a", 16),
                "http_method": At("GET", 17),
                "authorization": At("NONE", 18),
                "api_key_required": At(True, 19),
            },
        ),
        res(
            "aws_api_gateway_method",
            "iam",
            20,
            {"http_method": At("GET", 21), "authorization": At("AWS_IAM", 22)},
        ),
        res("aws_apigatewayv2_route", "r", 30, {"route_key": At("GET /x", 31)}),
        res(
            "aws_apigatewayv2_route", "u", 35, {"route_key": At("GET /y", 36), "authorization_type": Unk(37)}
        ),
        res(
            "aws_apigatewayv2_authorizer",
            "jwt",
            40,
            {
                "authorizer_type": At("JWT", 41),
                "jwt_configuration": [Blk(42, {"audience": At([], 43)})],
            },
        ),
        res(
            "aws_apigatewayv2_authorizer",
            "fine",
            50,
            {
                "authorizer_type": At("JWT", 51),
                "jwt_configuration": [Blk(52, {"audience": At(["x"], 53), "issuer": At("https://i", 54)})],
            },
        ),
    )
    assert where(run("IAC601", m)) == [
        ("IAC601", 8, 3, "error"),
        ("IAC601", 30, 1, "error"),
        ("IAC601", 37, 3, "note"),
    ]
    assert where(run("IAC603", m)) == [("IAC603", 18, 3, "error")]
    got = run("IAC602", m)
    assert where(got) == [("IAC602", 43, 3, "error")]
    assert "no jwt_configuration.audience, no jwt_configuration.issuer" in got[0].message


def test_iac701_iac702() -> None:
    m = build(
        res(
            "aws_api_gateway_integration",
            "plain",
            1,
            {"type": At("HTTP_PROXY", 2), "uri": At("http://x/", 3)},
        ),
        res(
            "aws_api_gateway_integration",
            "skip",
            10,
            {
                "type": At("HTTP", 11),
                "uri": At("https://x/", 12),
                "tls_config": [Blk(13, {"insecure_skip_verification": At(True, 14)})],
            },
        ),
        res("aws_api_gateway_integration", "lambda", 20, {"type": At("AWS_PROXY", 21), "uri": Unk(22)}),
        res(
            "aws_apigatewayv2_integration",
            "v2",
            30,
            {"integration_type": At("HTTP_PROXY", 31), "integration_uri": Unk(32)},
        ),
    )
    assert where(run("IAC701", m)) == [("IAC701", 3, 3, "error"), ("IAC701", 32, 3, "note")]
    assert where(run("IAC702", m)) == [("IAC702", 14, 3, "error")]


def acl(name: str, line: int, default: str, rules: list) -> object:
    return res(
        "aws_wafv2_web_acl",
        name,
        line,
        {"default_action": [Blk(line + 1, {default: [Blk(line + 2)]})], "rule": rules},
    )


def rule(line: int, name: str, action: str, statement: str, override: bool = False) -> Blk:
    key = "override_action" if override else "action"
    return Blk(
        line,
        {
            "name": At(name, line + 1),
            key: [Blk(line + 2, {action: [Blk(line + 3)]})],
            "statement": [Blk(line + 4, {statement: [Blk(line + 5)]})],
        },
    )


def test_waf_rules() -> None:
    m = build(
        rest_api("a", 1),
        stage("p", 3, "a"),
        rest_api("b", 10),
        stage("q", 12, "b"),
        rest_api("priv", 20, endpoint_configuration=[Blk(21, {"types": At(["PRIVATE"], 22)})]),
        stage("r", 23, "priv"),
        acl(
            "counting",
            30,
            "allow",
            [rule(33, "common", "count", "managed_rule_group_statement", override=True)],
        ),
        acl("good", 50, "allow", [rule(53, "rate", "block", "rate_based_statement")]),
        acl("unused", 70, "allow", []),
        res(
            "aws_wafv2_web_acl_association",
            "x",
            90,
            {
                "resource_arn": ref("aws_api_gateway_stage.p", 91),
                "web_acl_arn": ref("aws_wafv2_web_acl.counting", 92),
            },
        ),
        res("aws_apigatewayv2_api", "h", 100, {"protocol_type": At("HTTP", 101)}),
        res(
            "aws_apigatewayv2_stage",
            "hs",
            105,
            {
                "api_id": ref("aws_apigatewayv2_api.h", 106),
                "default_route_settings": [Blk(107, {"throttling_rate_limit": At(5, 108)})],
            },
        ),
    )
    assert where(run("IAC801", m)) == [("IAC801", 12, 1, "error"), ("IAC801", 105, 1, "error")]
    assert "CloudFront" in run("IAC801", m)[1].message
    got = run("IAC802", m)
    assert where(got) == [("IAC802", 30, 1, "error"), ("IAC802", 70, 1, "error")]
    assert [r.span.line for r in got[0].related] == [36]
    # Every web ACL without a rate-based rule, attached or not, and every API stage with no WAF in
    # front (private ones too: the standard exempts none from rate limiting).
    assert sorted(where(run("IAC811", m))) == [
        ("IAC811", line, 1, "warning") for line in (12, 23, 30, 70, 105)
    ]
    assert where(run("IAC821", m)) == [
        ("IAC821", 3, 1, "warning"),
        ("IAC821", 12, 1, "warning"),
        ("IAC821", 23, 1, "warning"),
    ]


def test_cloudfront_in_front_counts_as_waf() -> None:
    m = build(
        rest_api("a", 1),
        stage("p", 3, "a"),
        acl("edge", 30, "allow", [rule(33, "rate", "block", "rate_based_statement")]),
        res(
            "aws_cloudfront_distribution",
            "cf",
            50,
            {
                "origin": [Blk(51, {"domain_name": Unk(52, ("aws_api_gateway_rest_api.a",))})],
                "web_acl_id": ref("aws_wafv2_web_acl.edge", 53),
                "viewer_certificate": [Blk(54, {"minimum_protocol_version": At("TLSv1.2_2021", 55)})],
            },
        ),
    )
    assert run("IAC801", m) == []
    assert run("IAC811", m) == []


def test_iac831_ip_restriction_and_level_parameter() -> None:
    allow_ip = '{"Statement":[{"Effect":"Allow","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8"]}}}]}'
    allow_all = '{"Statement":[{"Effect":"Allow","Principal":"*"}]}'
    m = build(
        rest_api("ok", 1, policy=At(allow_ip, 2)),
        rest_api("open", 10, policy=At(allow_all, 11)),
        rest_api("none", 20),
        rest_api("unknown", 30, policy=Unk(31)),
        rest_api("priv", 40, endpoint_configuration=[Blk(41, {"types": At(["PRIVATE"], 42)})]),
    )
    assert where(run("IAC831", m)) == [
        ("IAC831", 11, 3, "warning"),
        ("IAC831", 20, 1, "warning"),
        ("IAC831", 31, 3, "note"),
    ]
    assert [f.level for f in run("IAC831", m, level="note")] == [Level.NOTE] * 3
