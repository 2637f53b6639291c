"""Synthetic Terraform corpus: API gateway stacks shaped like the ones teams really keep.

Each project is a root module (versions, variables, tfvars, locals, a `for_each` module call, WAF,
CloudFront, an IAM policy document for the API resource policy, outputs) with a local REST API
module (`modules/api`) and sometimes an HTTP API module (`modules/http_api`). Some projects are
older flat directories of self-contained resources. Values are a mix of compliant and violating
(TLS 1.0 policies, `authorization = "NONE"`, `http://` backends, CloudFront `TLSv1`, WAF rules in
count mode, missing throttling) and unknown (variables without a default).

Everything comes from one `random.Random(seed)`, so a seed always gives the same bytes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from hcl_writer import Attr, Blank, Comment, Item, Raw, attrs, block, render

TEAMS = ["payments", "orders", "identity", "catalog", "shipping", "billing", "search", "loyalty",
         "ledger", "pricing", "inventory", "notify", "reports", "partners", "claims", "quotes"]
SERVICES = ["public-api", "partner-api", "mobile-bff", "webhooks", "internal-api", "edge", "gateway",
            "admin-api", "events", "graph"]
RESOURCES = ["accounts", "orders", "items", "customers", "invoices", "refunds", "sessions", "tokens",
             "carts", "prices", "stock", "shipments", "labels", "returns", "reviews", "coupons",
             "profiles", "addresses", "payments", "subscriptions", "webhooks", "exports", "reports",
             "devices", "documents", "claims", "quotes", "policies", "partners", "events"]
REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-2"]
ENVS = ["dev", "staging", "prod"]

# Weighted choices: mostly compliant, with the violations seen in real repositories.
REST_POLICIES = [("TLS_1_2", 60), ("TLS_1_0", 15), ("SecurityPolicy_TLS13_1_2_2021_06", 12),
                 ("SecurityPolicy_TLS13_1_3_2025_09", 5), (None, 8)]
CF_MIN_TLS = [("TLSv1.2_2021", 65), ("TLSv1.2_2019", 10), ("TLSv1", 12), ("TLSv1_2016", 5),
              ("TLSv1.1_2016", 8)]
VIEWER_POLICIES = [("redirect-to-https", 70), ("https-only", 20), ("allow-all", 10)]
AUTHS = [("COGNITO_USER_POOLS", 45), ("CUSTOM", 20), ("AWS_IAM", 20), ("NONE", 15)]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]

ROOT_FILES = 9  # versions, variables, terraform.tfvars, locals, main, waf, cdn, iam, outputs
API_MODULE_FILES = 6  # variables, main, stage, domain, usage_plan, outputs
HTTP_MODULE_FILES = 4  # variables, main, domain, outputs


def _pick(rng: random.Random, weighted: list[tuple[object, int]]) -> object:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


@dataclass(slots=True)
class ApiSpec:
    key: str
    domain: str
    security_policy: str | None
    endpoint_type: str
    disable_default_endpoint: bool
    mtls: bool
    throttled: bool
    authorization: str
    backend: str


@dataclass(slots=True)
class Project:
    name: str
    region: str
    env: str
    apis: list[ApiSpec]
    http_api: bool
    route_files: int
    cloudfront: bool
    waf_count_mode: bool
    rate_limit: int | None
    policy_default: str | None  # root variable default; None means no default (an unknown)


class TerraformCorpus:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.serial = 0

    # -- planning ------------------------------------------------------------------------------
    def _api(self, project: str, env: str) -> ApiSpec:
        rng = self.rng
        key = rng.choice(RESOURCES[:12]) + ("" if rng.random() < 0.7 else f"-v{rng.randint(2, 3)}")
        zone = f"{project.split('-')[0]}.example.com"
        host = f"{key}.{env}.{zone}" if env != "prod" else f"{key}.{zone}"
        scheme = "http" if rng.random() < 0.12 else "https"
        backend = f"{scheme}://{key}.internal.{zone}/{{proxy}}"
        return ApiSpec(
            key=key,
            domain=host,
            security_policy=_pick(rng, REST_POLICIES),  # type: ignore[arg-type]
            endpoint_type=rng.choice(["REGIONAL", "REGIONAL", "EDGE"]),
            disable_default_endpoint=rng.random() < 0.5,
            mtls=rng.random() < 0.2,
            throttled=rng.random() < 0.8,
            authorization=_pick(rng, AUTHS),  # type: ignore[arg-type]
            backend=backend,
        )

    def plan(self, files: int) -> Iterator[tuple[str, Project | None, int]]:
        """Projects until `files` files are planned; `None` is a flat project of that many files."""
        rng = self.rng
        left = files
        while left > 0:
            self.serial += 1
            base = f"{rng.choice(TEAMS)}-{rng.choice(SERVICES)}-{self.serial:03d}"
            minimum = ROOT_FILES + API_MODULE_FILES
            if left < minimum or rng.random() < 0.12:
                n = min(left, rng.randint(3, 8)) if left >= minimum else left
                left -= n
                yield base + "-legacy", None, n
                continue
            env = rng.choice(ENVS)
            http_api = rng.random() < 0.3 and left >= minimum + HTTP_MODULE_FILES
            size = minimum + (HTTP_MODULE_FILES if http_api else 0)
            extra = min(rng.randint(2, 8), left - size)
            # Never leave a remainder too small for anything but a flat project: that is fine too.
            left -= size + extra
            project = Project(
                name=base,
                region=rng.choice(REGIONS),
                env=env,
                apis=[self._api(base, env) for _ in range(rng.randint(1, 4))],
                http_api=http_api,
                route_files=extra,
                cloudfront=rng.random() < 0.6,
                waf_count_mode=rng.random() < 0.15,
                rate_limit=None if rng.random() < 0.2 else rng.choice([500, 1000, 2000, 5000]),
                policy_default=None if rng.random() < 0.1 else "TLS_1_2",
            )
            # Unique keys inside one for_each map.
            seen: set[str] = set()
            unique = []
            for a in project.apis:
                if a.key not in seen:
                    seen.add(a.key)
                    unique.append(a)
            project.apis = unique
            yield base, project, size + extra

    # -- root module ---------------------------------------------------------------------------
    def versions(self, p: Project) -> str:
        return render([
            Comment(f"{p.name}: API gateway stack ({p.env})"),
            Comment("Managed by the platform team; see README.md for the release process."),
            block("terraform", items=[
                Attr("required_version", ">= 1.5.0"),
                Blank(),
                block("required_providers", items=[
                    Attr("aws", {"source": "hashicorp/aws", "version": "~> 5.40"}),
                ]),
                Blank(),
                block("backend", "s3", items=attrs(
                    bucket=f"tfstate-{p.name.split('-')[0]}-{p.env}",
                    key=f"{p.name}/terraform.tfstate",
                    region=p.region,
                    dynamodb_table="terraform-locks",
                    encrypt=True,
                )),
            ]),
            Blank(),
            block("provider", "aws", items=[
                Attr("region", Raw("var.region")),
                Blank(),
                block("default_tags", items=[Attr("tags", Raw("local.common_tags"))]),
            ]),
            Blank(),
            Comment("CloudFront certificates and web ACLs live in us-east-1."),
            block("provider", "aws", items=[
                *attrs(alias="us_east_1", region="us-east-1"),
            ]),
        ])

    def variables(self, p: Project) -> str:
        items: list[Item] = [
            block("variable", "region", items=[
                *attrs(type=Raw("string"), description="AWS region of the regional endpoints.",
                       default=p.region),
            ]),
            Blank(),
            block("variable", "environment", items=[
                Attr("type", Raw("string")),
                Attr("default", p.env),
                Blank(),
                block("validation", items=attrs(
                    condition=Raw('contains(["dev", "staging", "prod"], var.environment)'),
                    error_message="environment must be dev, staging or prod.",
                )),
            ]),
            Blank(),
            Comment("One entry per public API; the key becomes the base path and the name suffix."),
            block("variable", "apis", items=[
                Attr("description", "APIs served by this stack."),
                Attr("type", Raw(
                    "map(object({\n"
                    "    domain_name              = string\n"
                    "    security_policy          = optional(string)\n"
                    "    endpoint_type            = optional(string, \"REGIONAL\")\n"
                    "    disable_default_endpoint = optional(bool, false)\n"
                    "    mtls                     = optional(bool, false)\n"
                    "    throttle                 = optional(bool, true)\n"
                    "    authorization            = optional(string, \"COGNITO_USER_POOLS\")\n"
                    "    backend_url              = string\n"
                    "  }))"
                )),
            ]),
            Blank(),
        ]
        policy_items: list[Item] = [
            Attr("type", Raw("string")),
            Attr("description", "TLS policy for custom domains that do not set their own."),
        ]
        if p.policy_default is not None:
            policy_items.append(Attr("default", p.policy_default))
        items += [
            block("variable", "default_security_policy", items=policy_items),
            Blank(),
            block("variable", "allowed_cidrs", items=[
                *attrs(type=Raw("list(string)"), description="Networks allowed to call the APIs.",
                       default=["10.0.0.0/8", "192.168.0.0/16"]),
            ]),
            Blank(),
            block("variable", "waf_rate_limit", items=[
                *attrs(type=Raw("number"), description="Requests per 5 minutes per client IP.",
                       default=p.rate_limit if p.rate_limit is not None else 2000),
            ]),
            Blank(),
            block("variable", "certificate_arn", items=[
                *attrs(type=Raw("string"), description="ACM certificate for the custom domains."),
            ]),
            Blank(),
            block("variable", "cloudfront_certificate_arn", items=[
                *attrs(type=Raw("string"), default=None),
            ]),
            Blank(),
            block("variable", "tags", items=[*attrs(type=Raw("map(string)"), default={})]),
        ]
        return render(items)

    def tfvars(self, p: Project) -> str:
        rng = self.rng
        apis: dict[str, object] = {}
        for a in p.apis:
            entry: dict[str, object] = {"domain_name": a.domain}
            if a.security_policy is not None:
                entry["security_policy"] = a.security_policy
            entry["endpoint_type"] = a.endpoint_type
            if a.disable_default_endpoint:
                entry["disable_default_endpoint"] = True
            if a.mtls:
                entry["mtls"] = True
            if not a.throttled:
                entry["throttle"] = False
            entry["authorization"] = a.authorization
            entry["backend_url"] = a.backend
            apis[a.key] = entry
        account = rng.randint(10**11, 10**12 - 1)
        cert = f"arn:aws:acm:{p.region}:{account}:certificate/{rng.getrandbits(128):032x}"
        items: list[Item] = [
            Comment(f"{p.env} settings for {p.name}"),
            Attr("environment", p.env),
            Attr("region", p.region),
            Blank(),
            Attr("certificate_arn", cert),
        ]
        if p.cloudfront:
            cf_cert = f"arn:aws:acm:us-east-1:{account}:certificate/{rng.getrandbits(128):032x}"
            items.append(Attr("cloudfront_certificate_arn", cf_cert))
        items += [
            Blank(),
            Comment("Keep in sync with the DNS zone; one entry per API."),
            Attr("apis", apis),
            Blank(),
            Attr("tags", {"team": p.name.split("-")[0], "cost-center": f"cc-{rng.randint(1000, 9999)}",
                          "data-classification": rng.choice(["internal", "confidential", "public"])}),
        ]
        return render(items)

    def locals(self, p: Project) -> str:
        return render([
            block("locals", items=[
                Attr("prefix", Raw(f'"{p.name}-${{var.environment}}"')),
                Blank(),
                Attr("common_tags", Raw(
                    "merge(var.tags, {\n"
                    "    service     = \"" + p.name + "\"\n"
                    "    environment = var.environment\n"
                    "    managed-by  = \"terraform\"\n"
                    "  })"
                )),
                Blank(),
                Comment("Fill in the stack-wide TLS policy where an API does not choose one."),
                Attr("apis", Raw(
                    "{\n"
                    "    for name, api in var.apis : name => merge(api, {\n"
                    "      security_policy = coalesce(api.security_policy, var.default_security_policy)\n"
                    "    })\n"
                    "  }"
                )),
                Blank(),
                Attr("stage_name", Raw('var.environment == "prod" ? "v1" : var.environment')),
            ]),
        ])

    def main(self, p: Project) -> str:
        items: list[Item] = [
            block("module", "api", items=[
                Attr("source", "./modules/api"),
                Attr("for_each", Raw("local.apis")),
                Blank(),
                *attrs(
                    name=Raw('"${local.prefix}-${each.key}"'),
                    stage_name=Raw("local.stage_name"),
                    domain_name=Raw("each.value.domain_name"),
                    certificate_arn=Raw("var.certificate_arn"),
                    security_policy=Raw("each.value.security_policy"),
                    endpoint_type=Raw("each.value.endpoint_type"),
                ),
                Attr("disable_execute_api_endpoint", Raw("each.value.disable_default_endpoint")),
                Attr("mtls_truststore_uri", Raw(
                    f'each.value.mtls ? "s3://{p.name}-truststore/${{each.key}}/ca.pem" : null'
                )),
                Attr("throttle_enabled", Raw("each.value.throttle")),
                Attr("authorization", Raw("each.value.authorization")),
                Attr("backend_url", Raw("each.value.backend_url")),
                Attr("resource_policy_json", Raw("data.aws_iam_policy_document.api_access.json")),
                Attr("tags", Raw("local.common_tags")),
            ]),
        ]
        if p.http_api:
            items += [
                Blank(),
                Comment("Webhook receiver: an HTTP API with a JWT authorizer."),
                block("module", "webhooks", items=[
                    *attrs(
                        source="./modules/http_api",
                        name=Raw('"${local.prefix}-webhooks"'),
                        domain_name=f"hooks.{p.env}.{p.name.split('-')[0]}.example.com",
                        certificate_arn=Raw("var.certificate_arn"),
                        issuer=f"https://cognito-idp.{p.region}.amazonaws.com/{p.region}_Ab12Cd34",
                        audience=["webhooks"],
                    ),
                ]),
            ]
        return render(items)

    def waf(self, p: Project) -> str:
        rules: list[Item] = [
            block("rule", items=[
                *attrs(name="aws-common", priority=10),
                Blank(),
                block("override_action", items=[block("count" if p.waf_count_mode else "none")]),
                Blank(),
                block("statement", items=[
                    block("managed_rule_group_statement", items=attrs(
                        name="AWSManagedRulesCommonRuleSet", vendor_name="AWS",
                    )),
                ]),
                Blank(),
                block("visibility_config", items=attrs(
                    cloudwatch_metrics_enabled=True, metric_name="aws-common", sampled_requests_enabled=True,
                )),
            ]),
        ]
        if p.rate_limit is not None:
            rules += [
                Blank(),
                block("rule", items=[
                    *attrs(name="rate-limit-per-ip", priority=20),
                    Blank(),
                    block("action", items=[block("block")]),
                    Blank(),
                    block("statement", items=[
                        block("rate_based_statement", items=attrs(
                            limit=Raw("var.waf_rate_limit"), aggregate_key_type="IP",
                            evaluation_window_sec=300,
                        )),
                    ]),
                    Blank(),
                    block("visibility_config", items=attrs(
                        cloudwatch_metrics_enabled=True, metric_name="rate-limit",
                        sampled_requests_enabled=True,
                    )),
                ]),
            ]
        return render([
            Comment("Regional web ACL in front of every REST API stage."),
            block("resource", "aws_wafv2_web_acl", "api", items=[
                *attrs(name=Raw('"${local.prefix}-api"'), scope="REGIONAL"),
                Blank(),
                block("default_action", items=[block("allow")]),
                Blank(),
                *rules,
                Blank(),
                block("visibility_config", items=attrs(
                    cloudwatch_metrics_enabled=True, metric_name=Raw('"${local.prefix}-api"'),
                    sampled_requests_enabled=True,
                )),
            ]),
            Blank(),
            block("resource", "aws_wafv2_web_acl_association", "api", items=[
                Attr("for_each", Raw("module.api")),
                Blank(),
                *attrs(resource_arn=Raw("each.value.stage_arn"),
                       web_acl_arn=Raw("aws_wafv2_web_acl.api.arn")),
            ]),
        ])

    def cdn(self, p: Project) -> str:
        if not p.cloudfront:
            return render([
                Comment("No CloudFront in this stack: the APIs are served from their regional domains."),
                Comment("Kept as a file so the layout matches the other stacks."),
            ])
        rng = self.rng
        first = p.apis[0]
        min_tls = _pick(rng, CF_MIN_TLS)
        viewer = _pick(rng, VIEWER_POLICIES)
        origin_policy = "https-only" if rng.random() < 0.9 else "match-viewer"
        return render([
            block("resource", "aws_cloudfront_distribution", "api", items=[
                *attrs(enabled=True, comment=Raw('"${local.prefix} edge"'), price_class="PriceClass_100",
                       aliases=[f"edge.{first.domain}"]),
                Attr("web_acl_id", Raw("aws_wafv2_web_acl.edge.arn")),
                Blank(),
                block("origin", items=[
                    *attrs(domain_name=first.domain, origin_id="api"),
                    Blank(),
                    block("custom_origin_config", items=attrs(
                        http_port=80, https_port=443, origin_protocol_policy=origin_policy,
                        origin_ssl_protocols=["TLSv1.2"],
                    )),
                ]),
                Blank(),
                block("default_cache_behavior", items=[
                    *attrs(
                        target_origin_id="api",
                        viewer_protocol_policy=viewer,
                        allowed_methods=["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
                        cached_methods=["GET", "HEAD"],
                        cache_policy_id="4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
                    ),
                ]),
                Blank(),
                block("restrictions", items=[
                    block("geo_restriction", items=attrs(restriction_type="none")),
                ]),
                Blank(),
                block("viewer_certificate", items=[
                    Attr("acm_certificate_arn", Raw("var.cloudfront_certificate_arn")),
                    Attr("ssl_support_method", "sni-only"),
                    Attr("minimum_protocol_version", min_tls,
                         comment="legacy clients" if not str(min_tls).startswith("TLSv1.2") else ""),
                ]),
            ]),
            Blank(),
            block("resource", "aws_wafv2_web_acl", "edge", items=[
                *attrs(provider=Raw("aws.us_east_1"), name=Raw('"${local.prefix}-edge"'), scope="CLOUDFRONT"),
                Blank(),
                block("default_action", items=[block("allow")]),
                Blank(),
                block("visibility_config", items=attrs(
                    cloudwatch_metrics_enabled=True, metric_name="edge", sampled_requests_enabled=False,
                )),
            ]),
        ])

    def iam(self, p: Project) -> str:
        return render([
            Comment("Resource policy: only our networks may invoke the APIs."),
            block("data", "aws_iam_policy_document", "api_access", items=[
                block("statement", items=[
                    *attrs(effect="Allow", actions=["execute-api:Invoke"], resources=["execute-api:/*"]),
                    Blank(),
                    block("principals", items=attrs(type="*", identifiers=["*"])),
                ]),
                Blank(),
                block("statement", items=[
                    *attrs(effect="Deny", actions=["execute-api:Invoke"], resources=["execute-api:/*"]),
                    Blank(),
                    block("principals", items=attrs(type="*", identifiers=["*"])),
                    Blank(),
                    block("condition", items=attrs(
                        test="NotIpAddress", variable="aws:SourceIp", values=Raw("var.allowed_cidrs"),
                    )),
                ]),
            ]),
        ])

    def outputs(self, p: Project) -> str:
        items: list[Item] = [
            block("output", "invoke_urls", items=[
                *attrs(description="Stage invoke URL per API.",
                       value=Raw("{ for k, m in module.api : k => m.invoke_url }")),
            ]),
            Blank(),
            block("output", "domain_targets", items=[
                *attrs(description="Regional domain names to point DNS at.",
                       value=Raw("{ for k, m in module.api : k => m.regional_domain_name }")),
            ]),
        ]
        if p.cloudfront:
            items += [Blank(), block("output", "edge_domain", items=attrs(
                value=Raw("aws_cloudfront_distribution.api.domain_name")))]
        return render(items)

    # -- modules/api ---------------------------------------------------------------------------
    def api_variables(self) -> str:
        def var(name: str, type_: str, desc: str, default: object = ...) -> list[Item]:
            items: list[Item] = [Attr("type", Raw(type_)), Attr("description", desc)]
            if default is not ...:
                items.append(Attr("default", default))
            return [block("variable", name, items=items), Blank()]

        return render([
            *var("name", "string", "Name of the REST API."),
            *var("stage_name", "string", "Deployment stage.", "v1"),
            *var("domain_name", "string", "Custom domain name."),
            *var("certificate_arn", "string", "Regional ACM certificate ARN."),
            *var("security_policy", "string", "TLS policy of the custom domain.", "TLS_1_2"),
            *var("endpoint_type", "string", "REGIONAL or EDGE.", "REGIONAL"),
            *var("disable_execute_api_endpoint", "bool", "Turn off the execute-api endpoint.", False),
            *var("mtls_truststore_uri", "string", "S3 URI of the client CA bundle (mutual TLS).", None),
            *var("throttle_enabled", "bool", "Apply stage-wide throttling.", True),
            *var("authorization", "string", "Authorization type of the proxy method.", "COGNITO_USER_POOLS"),
            *var("backend_url", "string", "Backend base URL."),
            *var("resource_policy_json", "string", "Resource policy document (JSON)."),
            *var("vpc_link_id", "string", "VPC link for private backends.", None),
            *var("tags", "map(string)", "Tags.", {}),
        ])

    def api_main(self, p: Project) -> str:
        return render([
            block("resource", "aws_api_gateway_rest_api", "this", items=[
                *attrs(name=Raw("var.name"), description=Raw('"Public API ${var.name}"')),
                Attr("disable_execute_api_endpoint", Raw("var.disable_execute_api_endpoint")),
                Blank(),
                block("endpoint_configuration", items=[Attr("types", Raw("[var.endpoint_type]"))]),
                Blank(),
                Attr("tags", Raw("var.tags")),
            ]),
            Blank(),
            block("resource", "aws_api_gateway_rest_api_policy", "this", items=attrs(
                rest_api_id=Raw("aws_api_gateway_rest_api.this.id"), policy=Raw("var.resource_policy_json"),
            )),
            Blank(),
            block("resource", "aws_api_gateway_resource", "proxy", items=attrs(
                rest_api_id=Raw("aws_api_gateway_rest_api.this.id"),
                parent_id=Raw("aws_api_gateway_rest_api.this.root_resource_id"),
                path_part="{proxy+}",
            )),
            Blank(),
            block("resource", "aws_api_gateway_authorizer", "cognito", items=[
                *attrs(
                    name=Raw('"${var.name}-cognito"'),
                    rest_api_id=Raw("aws_api_gateway_rest_api.this.id"),
                    type="COGNITO_USER_POOLS",
                    provider_arns=[f"arn:aws:cognito-idp:{p.region}:123456789012:userpool/{p.region}_Ab12Cd34"],
                ),
            ]),
            Blank(),
            block("resource", "aws_api_gateway_method", "proxy", items=[
                *attrs(
                    rest_api_id=Raw("aws_api_gateway_rest_api.this.id"),
                    resource_id=Raw("aws_api_gateway_resource.proxy.id"),
                    http_method="ANY",
                    authorization=Raw("var.authorization"),
                    authorizer_id=Raw(
                        'var.authorization == "COGNITO_USER_POOLS"'
                        " ? aws_api_gateway_authorizer.cognito.id : null"
                    ),
                ),
                Attr("request_parameters", {"method.request.path.proxy": True}),
            ]),
            Blank(),
            block("resource", "aws_api_gateway_integration", "proxy", items=[
                *attrs(
                    rest_api_id=Raw("aws_api_gateway_rest_api.this.id"),
                    resource_id=Raw("aws_api_gateway_resource.proxy.id"),
                    http_method=Raw("aws_api_gateway_method.proxy.http_method"),
                    type="HTTP_PROXY",
                    integration_http_method="ANY",
                    uri=Raw("var.backend_url"),
                    timeout_milliseconds=29000,
                ),
                Attr("request_parameters", {"integration.request.path.proxy": "method.request.path.proxy"}),
            ]),
            Blank(),
            Comment("CORS preflight stays open: browsers send it without credentials."),
            block("resource", "aws_api_gateway_method", "proxy_options", items=attrs(
                rest_api_id=Raw("aws_api_gateway_rest_api.this.id"),
                resource_id=Raw("aws_api_gateway_resource.proxy.id"),
                http_method="OPTIONS",
                authorization="NONE",
            )),
            Blank(),
            block("resource", "aws_api_gateway_integration", "proxy_options", items=[
                *attrs(
                    rest_api_id=Raw("aws_api_gateway_rest_api.this.id"),
                    resource_id=Raw("aws_api_gateway_resource.proxy.id"),
                    http_method=Raw("aws_api_gateway_method.proxy_options.http_method"),
                    type="MOCK",
                ),
                Attr("request_templates", {"application/json": '{"statusCode": 200}'}),
            ]),
        ])

    def api_stage(self, p: Project) -> str:
        return render([
            block("resource", "aws_api_gateway_deployment", "this", items=[
                Attr("rest_api_id", Raw("aws_api_gateway_rest_api.this.id")),
                Blank(),
                Attr("triggers", {
                    "redeployment": Raw(
                        "sha1(jsonencode([\n"
                        "      aws_api_gateway_resource.proxy.id,\n"
                        "      aws_api_gateway_method.proxy.id,\n"
                        "      aws_api_gateway_integration.proxy.id,\n"
                        "    ]))"
                    ),
                }),
                Blank(),
                block("lifecycle", items=[Attr("create_before_destroy", True)]),
            ]),
            Blank(),
            block("resource", "aws_cloudwatch_log_group", "access", items=attrs(
                name=Raw('"/aws/apigateway/${var.name}/access"'), retention_in_days=90,
            )),
            Blank(),
            block("resource", "aws_api_gateway_stage", "this", items=[
                *attrs(
                    deployment_id=Raw("aws_api_gateway_deployment.this.id"),
                    rest_api_id=Raw("aws_api_gateway_rest_api.this.id"),
                    stage_name=Raw("var.stage_name"),
                    xray_tracing_enabled=True,
                ),
                Blank(),
                block("access_log_settings", items=attrs(
                    destination_arn=Raw("aws_cloudwatch_log_group.access.arn"),
                    format=Raw('jsonencode({ requestId = "$context.requestId",'
                               ' ip = "$context.identity.sourceIp", status = "$context.status" })'),
                )),
                Blank(),
                Attr("tags", Raw("var.tags")),
            ]),
            Blank(),
            block("resource", "aws_api_gateway_method_settings", "all", items=[
                Attr("count", Raw("var.throttle_enabled ? 1 : 0")),
                Blank(),
                *attrs(
                    rest_api_id=Raw("aws_api_gateway_rest_api.this.id"),
                    stage_name=Raw("aws_api_gateway_stage.this.stage_name"),
                    method_path="*/*",
                ),
                Blank(),
                block("settings", items=attrs(
                    metrics_enabled=True, logging_level="ERROR",
                    throttling_burst_limit=self.rng.choice([50, 100, 200, 500]),
                    throttling_rate_limit=self.rng.choice([25, 50, 100, 250]),
                )),
            ]),
        ])

    def api_domain(self, p: Project) -> str:
        return render([
            block("resource", "aws_api_gateway_domain_name", "this", items=[
                *attrs(
                    domain_name=Raw("var.domain_name"),
                    regional_certificate_arn=Raw("var.certificate_arn"),
                    security_policy=Raw("var.security_policy"),
                ),
                Blank(),
                block("endpoint_configuration", items=[Attr("types", ["REGIONAL"])]),
                Blank(),
                block("dynamic", "mutual_tls_authentication", items=[
                    Attr("for_each", Raw("var.mtls_truststore_uri == null ? [] : [var.mtls_truststore_uri]")),
                    block("content", items=[Attr("truststore_uri", Raw("mutual_tls_authentication.value"))]),
                ]),
            ]),
            Blank(),
            block("resource", "aws_api_gateway_base_path_mapping", "this", items=attrs(
                api_id=Raw("aws_api_gateway_rest_api.this.id"),
                stage_name=Raw("aws_api_gateway_stage.this.stage_name"),
                domain_name=Raw("aws_api_gateway_domain_name.this.domain_name"),
            )),
        ])

    def api_usage_plan(self, p: Project) -> str:
        rng = self.rng
        return render([
            block("resource", "aws_api_gateway_usage_plan", "partners", items=[
                *attrs(name=Raw('"${var.name}-partners"'), description="Partner integrations"),
                Blank(),
                block("api_stages", items=attrs(
                    api_id=Raw("aws_api_gateway_rest_api.this.id"),
                    stage=Raw("aws_api_gateway_stage.this.stage_name"),
                )),
                Blank(),
                block("quota_settings", items=attrs(limit=rng.choice([10000, 50000, 100000]), period="DAY")),
                Blank(),
                block("throttle_settings", items=attrs(burst_limit=rng.choice([20, 50]),
                                                       rate_limit=rng.choice([10, 20]))),
            ]),
            Blank(),
            block("resource", "aws_api_gateway_api_key", "partner", items=[
                Attr("for_each", Raw('toset(["acme", "globex", "initech"])')),
                Attr("name", Raw('"${var.name}-${each.key}"')),
            ]),
            Blank(),
            block("resource", "aws_api_gateway_usage_plan_key", "partner", items=[
                Attr("for_each", Raw("aws_api_gateway_api_key.partner")),
                *attrs(key_id=Raw("each.value.id"), key_type="API_KEY",
                       usage_plan_id=Raw("aws_api_gateway_usage_plan.partners.id")),
            ]),
        ])

    def api_outputs(self) -> str:
        return render([
            block("output", "invoke_url", items=[
                Attr("value", Raw("aws_api_gateway_stage.this.invoke_url")),
            ]),
            Blank(),
            block("output", "stage_arn", items=[Attr("value", Raw("aws_api_gateway_stage.this.arn"))]),
            Blank(),
            block("output", "regional_domain_name", items=[
                Attr("value", Raw("aws_api_gateway_domain_name.this.regional_domain_name")),
            ]),
        ])

    def route(self, resource: str, methods: list[str], backend: str, authorizer: bool = True) -> list[Item]:
        """One explicit API resource with its methods, integrations and 200 responses."""
        rng = self.rng
        res_id = resource.replace("-", "_")
        items: list[Item] = [
            block("resource", "aws_api_gateway_resource", res_id, items=attrs(
                rest_api_id=Raw("aws_api_gateway_rest_api.this.id"),
                parent_id=Raw("aws_api_gateway_rest_api.this.root_resource_id"),
                path_part=resource,
            )),
            Blank(),
        ]
        for method in methods:
            rid = f"{res_id}_{method.lower()}"
            auth = str(_pick(rng, AUTHS))
            if auth == "COGNITO_USER_POOLS" and not authorizer:
                auth = "AWS_IAM"
            items += [
                block("resource", "aws_api_gateway_method", rid, items=[
                    *attrs(
                        rest_api_id=Raw("aws_api_gateway_rest_api.this.id"),
                        resource_id=Raw(f"aws_api_gateway_resource.{res_id}.id"),
                        http_method=method,
                        authorization=auth,
                    ),
                    *([Attr("authorizer_id", Raw("aws_api_gateway_authorizer.cognito.id"))]
                      if auth == "COGNITO_USER_POOLS" else []),
                    *([Attr("api_key_required", True)] if rng.random() < 0.2 else []),
                ]),
                Blank(),
                block("resource", "aws_api_gateway_integration", rid, items=[
                    *attrs(
                        rest_api_id=Raw("aws_api_gateway_rest_api.this.id"),
                        resource_id=Raw(f"aws_api_gateway_resource.{res_id}.id"),
                        http_method=Raw(f"aws_api_gateway_method.{rid}.http_method"),
                        type="HTTP",
                        integration_http_method=method,
                        uri=f"{backend}/{resource}",
                        passthrough_behavior="WHEN_NO_MATCH",
                    ),
                    *([Attr("connection_type", "VPC_LINK"), Attr("connection_id", Raw("var.vpc_link_id"))]
                      if rng.random() < 0.1 else []),
                ]),
                Blank(),
                block("resource", "aws_api_gateway_method_response", rid, items=[
                    *attrs(
                        rest_api_id=Raw("aws_api_gateway_rest_api.this.id"),
                        resource_id=Raw(f"aws_api_gateway_resource.{res_id}.id"),
                        http_method=Raw(f"aws_api_gateway_method.{rid}.http_method"),
                        status_code="200",
                    ),
                    Attr("response_models", {"application/json": "Empty"}),
                ]),
                Blank(),
            ]
        return items

    def _routes(self, prefix: str, zone: str, items: list[Item], size: int, target_bytes: int,
                authorizer: bool = True) -> str:
        rng = self.rng
        pool = rng.sample(RESOURCES, len(RESOURCES))
        while size < target_bytes and pool:
            res = pool.pop()
            methods = sorted(rng.sample(METHODS, rng.randint(1, 3)), key=METHODS.index)
            scheme = "http" if rng.random() < 0.08 else "https"
            route = self.route(f"{res}-{prefix}", methods, f"{scheme}://{res}.internal.{zone}", authorizer)
            items += route
            size += len(render(route))
        return render(items)

    def route_file(self, p: Project, index: int, target_bytes: int) -> str:
        zone = f"{p.name.split('-')[0]}.example.com"
        items: list[Item] = [
            Comment(f"Explicit routes, group {index + 1} (generated from the API catalogue)."),
            Blank(),
        ]
        return self._routes(f"g{index + 1}", zone, items, 0, target_bytes)

    # -- modules/http_api ----------------------------------------------------------------------
    def http_variables(self) -> str:
        items: list[Item] = []
        for name, type_ in [("name", "string"), ("domain_name", "string"), ("certificate_arn", "string"),
                            ("issuer", "string"), ("audience", "list(string)")]:
            items += [block("variable", name, items=[Attr("type", Raw(type_))]), Blank()]
        return render(items)

    def http_main(self, p: Project) -> str:
        rng = self.rng
        policy = "TLS_1_2" if rng.random() < 0.85 else "TLS_1_0"
        route_auth = "JWT" if rng.random() < 0.85 else "NONE"
        return render([
            block("resource", "aws_apigatewayv2_api", "this", items=[
                *attrs(name=Raw("var.name"), protocol_type="HTTP", disable_execute_api_endpoint=True),
            ]),
            Blank(),
            block("resource", "aws_apigatewayv2_authorizer", "jwt", items=[
                *attrs(api_id=Raw("aws_apigatewayv2_api.this.id"), authorizer_type="JWT",
                       identity_sources=["$request.header.Authorization"], name="jwt"),
                Blank(),
                block("jwt_configuration", items=attrs(audience=Raw("var.audience"),
                                                      issuer=Raw("var.issuer"))),
            ]),
            Blank(),
            block("resource", "aws_apigatewayv2_integration", "receiver", items=attrs(
                api_id=Raw("aws_apigatewayv2_api.this.id"),
                integration_type="HTTP_PROXY",
                integration_method="POST",
                integration_uri=f"https://hooks.internal.{p.name.split('-')[0]}.example.com/receive",
            )),
            Blank(),
            block("resource", "aws_apigatewayv2_route", "receive", items=attrs(
                api_id=Raw("aws_apigatewayv2_api.this.id"),
                route_key="POST /hooks/{source}",
                authorization_type=route_auth,
                authorizer_id=Raw("aws_apigatewayv2_authorizer.jwt.id") if route_auth == "JWT" else None,
                target=Raw('"integrations/${aws_apigatewayv2_integration.receiver.id}"'),
            )),
            Blank(),
            block("resource", "aws_apigatewayv2_stage", "default", items=[
                *attrs(api_id=Raw("aws_apigatewayv2_api.this.id"), name="$default", auto_deploy=True),
                Blank(),
                block("default_route_settings", items=attrs(throttling_burst_limit=100,
                                                            throttling_rate_limit=50)),
            ]),
            Blank(),
            Comment("Domain policy pinned here: HTTP APIs only offer TLS_1_2 today."),
            block("resource", "aws_apigatewayv2_domain_name", "this", items=[
                Attr("domain_name", Raw("var.domain_name")),
                Blank(),
                block("domain_name_configuration", items=attrs(
                    certificate_arn=Raw("var.certificate_arn"), endpoint_type="REGIONAL",
                    security_policy=policy,
                )),
            ]),
        ])

    def http_domain(self) -> str:
        return render([
            block("resource", "aws_apigatewayv2_api_mapping", "this", items=attrs(
                api_id=Raw("aws_apigatewayv2_api.this.id"),
                domain_name=Raw("aws_apigatewayv2_domain_name.this.id"),
                stage=Raw("aws_apigatewayv2_stage.default.id"),
            )),
        ])

    def http_outputs(self) -> str:
        return render([block("output", "endpoint", items=[
            Attr("value", Raw(
                "aws_apigatewayv2_domain_name.this.domain_name_configuration[0].target_domain_name"
            )),
        ])])

    # -- flat legacy stacks --------------------------------------------------------------------
    def flat_file(self, index: int, target_bytes: int) -> str:
        """A file of an older flat stack: a custom domain and some routes of the directory's one API."""
        rng = self.rng
        name = f"{rng.choice(RESOURCES)}-legacy-{index}"
        policy = _pick(rng, REST_POLICIES) or "TLS_1_0"
        items: list[Item] = [
            Comment("Legacy stack imported from CloudFormation in 2021; do not rename resources."),
        ]
        if index == 0:
            items += [
                block("resource", "aws_api_gateway_rest_api", "this", items=[
                    Attr("name", name),
                    Blank(),
                    block("endpoint_configuration", items=[Attr("types", ["EDGE"])]),
                ]),
                Blank(),
            ]
        items += [
            block("resource", "aws_api_gateway_domain_name", name.replace("-", "_"), items=attrs(
                domain_name=f"{name}.legacy.example.com",
                certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab",
                security_policy=policy,
            )),
            Blank(),
        ]
        return self._routes(f"p{index}", "legacy.example.com", items, len(render(items)), target_bytes,
                            authorizer=False)


def generate(files: int = 500, total_bytes: int = 2_000_000, seed: int = 1) -> dict[str, str]:
    """Relative path → content for a corpus of exactly `files` files of about `total_bytes`."""
    corpus = TerraformCorpus(seed)
    out: dict[str, str] = {}
    per_file = total_bytes / files
    for base, project, count in corpus.plan(files):
        if project is None:
            out[f"{base}/versions.tf"] = render([
                block("terraform", items=[Attr("required_version", ">= 1.3")]),
                Blank(),
                block("provider", "aws", items=[Attr("region", "us-east-1")]),
                Blank(),
                block("variable", "vpc_link_id", items=[Attr("type", Raw("string")), Attr("default", None)]),
            ])
            for i in range(count - 1):
                out[f"{base}/api_{i}.tf"] = corpus.flat_file(i, int(per_file * 1.5))
            continue
        d = project.name
        fixed = {
            f"{d}/versions.tf": corpus.versions(project),
            f"{d}/variables.tf": corpus.variables(project),
            f"{d}/terraform.tfvars": corpus.tfvars(project),
            f"{d}/locals.tf": corpus.locals(project),
            f"{d}/main.tf": corpus.main(project),
            f"{d}/waf.tf": corpus.waf(project),
            f"{d}/cdn.tf": corpus.cdn(project),
            f"{d}/iam.tf": corpus.iam(project),
            f"{d}/outputs.tf": corpus.outputs(project),
            f"{d}/modules/api/variables.tf": corpus.api_variables(),
            f"{d}/modules/api/main.tf": corpus.api_main(project),
            f"{d}/modules/api/stage.tf": corpus.api_stage(project),
            f"{d}/modules/api/domain.tf": corpus.api_domain(project),
            f"{d}/modules/api/usage_plan.tf": corpus.api_usage_plan(project),
            f"{d}/modules/api/outputs.tf": corpus.api_outputs(),
        }
        if project.http_api:
            fixed |= {
                f"{d}/modules/http_api/variables.tf": corpus.http_variables(),
                f"{d}/modules/http_api/main.tf": corpus.http_main(project),
                f"{d}/modules/http_api/domain.tf": corpus.http_domain(),
                f"{d}/modules/http_api/outputs.tf": corpus.http_outputs(),
            }
        out |= fixed
        if project.route_files:
            # The route files carry the rest of this project's share of the byte budget.
            budget = per_file * count - sum(len(t) for t in fixed.values())
            each = max(int(budget / project.route_files), 1500)
            for i in range(project.route_files):
                out[f"{d}/modules/api/routes_{i + 1}.tf"] = corpus.route_file(project, i, each)
    return out
