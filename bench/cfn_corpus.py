"""Synthetic CloudFormation/SAM corpus: one YAML template per API stack.

Templates use what real ones use: parameters with defaults and allowed values, conditions, mappings,
short-form intrinsics (`!Ref`, `!Sub`, `!GetAtt`, `!If`, `!FindInMap`), comments, REST APIs with
resources, methods and integrations, stages with method settings, custom domains, base path
mappings, WAFv2 web ACLs and associations, usage plans, CloudFront distributions, and SAM
`AWS::Serverless::Api` stacks. Values mix compliant, violating and unknown (parameters without a
default). Deterministic for a seed.
"""

from __future__ import annotations

import random

from tf_corpus import AUTHS, CF_MIN_TLS, METHODS, REGIONS, RESOURCES, SERVICES, TEAMS, VIEWER_POLICIES, _pick

CFN_POLICIES = [("TLS_1_2", 62), ("TLS_1_0", 15), ("SecurityPolicy_TLS13_1_2_2021_06", 10), ("param", 13)]


def _logical(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


class CloudFormationCorpus:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed ^ 0x5EED)

    def _methods(self, target: int, zone: str) -> tuple[list[str], list[str]]:
        """Resource/method/integration triples until about `target` characters (at least two
        resource); returns the text chunks and the method logical ids."""
        rng = self.rng
        out: list[str] = []
        ids: list[str] = []
        size = 0
        pool = rng.sample(RESOURCES, len(RESOURCES))
        while (size < target or not out) and pool:
            res = pool.pop()
            lid = _logical(res)
            chunk = [
                f"  {lid}Resource:",
                "    Type: AWS::ApiGateway::Resource",
                "    Properties:",
                "      RestApiId: !Ref Api",
                "      ParentId: !GetAtt Api.RootResourceId",
                f"      PathPart: {res}",
                "",
            ]
            for method in sorted(rng.sample(METHODS, rng.randint(1, 3)), key=METHODS.index):
                auth = str(_pick(rng, AUTHS))
                scheme = "http" if rng.random() < 0.08 else "https"
                ids.append(f"{lid}{method.capitalize()}")
                chunk += [
                    f"  {lid}{method.capitalize()}:",
                    "    Type: AWS::ApiGateway::Method",
                    "    Properties:",
                    "      RestApiId: !Ref Api",
                    f"      ResourceId: !Ref {lid}Resource",
                    f"      HttpMethod: {method}",
                    f"      AuthorizationType: {auth}",
                ]
                if auth == "COGNITO_USER_POOLS":
                    chunk.append("      AuthorizerId: !Ref CognitoAuthorizer")
                if rng.random() < 0.2:
                    chunk.append("      ApiKeyRequired: true")
                chunk += [
                    "      Integration:",
                    "        Type: HTTP",
                    f"        IntegrationHttpMethod: {method}",
                    f"        Uri: !Sub '{scheme}://{res}.internal.{zone}/${{Environment}}/{res}'",
                    "        PassthroughBehavior: WHEN_NO_MATCH",
                    "        IntegrationResponses:",
                    "          - StatusCode: '200'",
                    "      MethodResponses:",
                    "        - StatusCode: '200'",
                    "          ResponseModels:",
                    "            application/json: Empty",
                    "",
                ]
            text = "\n".join(chunk)
            out.append(text)
            size += len(text) + 1
        return out, ids

    def rest_template(self, name: str, target: int) -> str:
        rng = self.rng
        team = name.split("-")[0]
        zone = f"{team}.example.com"
        policy = _pick(rng, CFN_POLICIES)
        param_default = rng.random() < 0.6
        min_tls = _pick(rng, CF_MIN_TLS)
        viewer = _pick(rng, VIEWER_POLICIES)
        waf_mode = "Count" if rng.random() < 0.15 else "None"
        rate = rng.choice([None, 1000, 2000, 5000])
        cloudfront = rng.random() < 0.5
        lines = [
            "AWSTemplateFormatVersion: '2010-09-09'",
            "Description: >-",
            f"  {name}: public REST API with custom domain, WAF and usage plan.",
            "  Owned by the " + team + " team.",
            "",
            "Parameters:",
            "  Environment:",
            "    Type: String",
            f"    Default: {rng.choice(['dev', 'staging', 'prod'])}",
            "    AllowedValues: [dev, staging, prod]",
            "  DomainName:",
            "    Type: String",
            f"    Default: api.{zone}",
            "  CertificateArn:",
            "    Type: String",
            "    Description: Regional ACM certificate for the custom domain.",
            "  SecurityPolicy:",
            "    Type: String",
        ]
        if param_default:
            lines.append(f"    Default: {rng.choice(['TLS_1_2', 'TLS_1_2', 'TLS_1_0'])}")
        lines += [
            "    AllowedValues: [TLS_1_0, TLS_1_2]",
            "  BackendHost:",
            "    Type: String",
            f"    Default: backend.internal.{zone}",
            "  EnableMtls:",
            "    Type: String",
            f"    Default: '{str(rng.random() < 0.2).lower()}'",
            "    AllowedValues: ['true', 'false']",
            "",
            "Conditions:",
            "  IsProd: !Equals [!Ref Environment, prod]",
            "  UseMtls: !Equals [!Ref EnableMtls, 'true']",
            "",
            "Mappings:",
            "  StageSettings:",
            "    dev: {Burst: 50, Rate: 25}",
            "    staging: {Burst: 100, Rate: 50}",
            "    prod: {Burst: 500, Rate: 250}",
            "",
            "Resources:",
            "  Api:",
            "    Type: AWS::ApiGateway::RestApi",
            "    Properties:",
            f"      Name: !Sub '{name}-${{Environment}}'",
            f"      DisableExecuteApiEndpoint: {str(rng.random() < 0.5).lower()}",
            "      EndpointConfiguration:",
            "        Types: [REGIONAL]",
            "      Policy:",
            "        Version: '2012-10-17'",
            "        Statement:",
            "          - Effect: Allow",
            "            Principal: '*'",
            "            Action: execute-api:Invoke",
            "            Resource: execute-api:/*",
            "            Condition:",
            "              IpAddress:",
            "                aws:SourceIp: [10.0.0.0/8, 192.168.0.0/16]",
            "",
            "  CognitoAuthorizer:",
            "    Type: AWS::ApiGateway::Authorizer",
            "    Properties:",
            "      Name: cognito",
            "      RestApiId: !Ref Api",
            "      Type: COGNITO_USER_POOLS",
            "      IdentitySource: method.request.header.Authorization",
            "      ProviderARNs:",
            "        - !Sub 'arn:aws:cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/"
            f"{rng.choice(REGIONS)}_Xy12'",
            "",
        ]
        body, method_ids = self._methods(target - 5800, zone)
        lines += body
        lines += [
            "  Deployment:",
            "    Type: AWS::ApiGateway::Deployment",
            "    DependsOn:",
            *[f"      - {m}" for m in method_ids[:8]],
            "    Properties:",
            "      RestApiId: !Ref Api",
            "",
            "  Stage:",
            "    Type: AWS::ApiGateway::Stage",
            "    Properties:",
            "      RestApiId: !Ref Api",
            "      DeploymentId: !Ref Deployment",
            "      StageName: !If [IsProd, v1, !Ref Environment]",
            "      TracingEnabled: true",
        ]
        if rng.random() < 0.8:
            lines += [
                "      MethodSettings:",
                "        - ResourcePath: '/*'",
                "          HttpMethod: '*'",
                "          ThrottlingBurstLimit: !FindInMap [StageSettings, !Ref Environment, Burst]",
                "          ThrottlingRateLimit: !FindInMap [StageSettings, !Ref Environment, Rate]",
                "          MetricsEnabled: true",
            ]
        policy_line = "!Ref SecurityPolicy" if policy == "param" else str(policy)
        lines += [
            "",
            "  Domain:",
            "    Type: AWS::ApiGateway::DomainName",
            "    Properties:",
            "      DomainName: !Ref DomainName",
            "      RegionalCertificateArn: !Ref CertificateArn",
            f"      SecurityPolicy: {policy_line}"
            + ("  # legacy clients still on TLS 1.0" if policy == "TLS_1_0" else ""),
            "      EndpointConfiguration:",
            "        Types: [REGIONAL]",
            "      MutualTlsAuthentication: !If",
            "        - UseMtls",
            f"        - TruststoreUri: !Sub 's3://{name}-truststore/${{Environment}}/ca.pem'",
            "        - !Ref AWS::NoValue",
            "",
            "  Mapping:",
            "    Type: AWS::ApiGateway::BasePathMapping",
            "    Properties:",
            "      DomainName: !Ref Domain",
            "      RestApiId: !Ref Api",
            "      Stage: !Ref Stage",
            "",
            "  WebAcl:",
            "    Type: AWS::WAFv2::WebACL",
            "    Properties:",
            "      Scope: REGIONAL",
            "      DefaultAction: {Allow: {}}",
            "      VisibilityConfig:",
            "        CloudWatchMetricsEnabled: true",
            f"        MetricName: {name}",
            "        SampledRequestsEnabled: true",
            "      Rules:",
            "        - Name: aws-common",
            "          Priority: 10",
            f"          OverrideAction: {{{waf_mode}: {{}}}}",
            "          Statement:",
            "            ManagedRuleGroupStatement: {VendorName: AWS, Name: AWSManagedRulesCommonRuleSet}",
            "          VisibilityConfig:",
            "            {CloudWatchMetricsEnabled: true, MetricName: common, SampledRequestsEnabled: true}",
        ]
        if rate is not None:
            lines += [
                "        - Name: rate-limit",
                "          Priority: 20",
                "          Action: {Block: {}}",
                "          Statement:",
                f"            RateBasedStatement: {{Limit: {rate}, AggregateKeyType: IP}}",
                "          VisibilityConfig:",
                "            {CloudWatchMetricsEnabled: true, MetricName: rate,"
                " SampledRequestsEnabled: true}",
            ]
        lines += [
            "",
            "  WebAclAssociation:",
            "    Type: AWS::WAFv2::WebACLAssociation",
            "    Properties:",
            "      ResourceArn: !Sub 'arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/${Stage}'",
            "      WebACLArn: !GetAtt WebAcl.Arn",
            "",
            "  UsagePlan:",
            "    Type: AWS::ApiGateway::UsagePlan",
            "    Properties:",
            "      ApiStages:",
            "        - ApiId: !Ref Api",
            "          Stage: !Ref Stage",
            "      Throttle: {BurstLimit: 20, RateLimit: 10}",
            "      Quota: {Limit: 50000, Period: DAY}",
        ]
        if cloudfront:
            lines += [
                "",
                "  # Edge distribution for browser clients.",
                "  Distribution:",
                "    Type: AWS::CloudFront::Distribution",
                "    Properties:",
                "      DistributionConfig:",
                "        Enabled: true",
                "        Aliases: [!Sub 'edge.${DomainName}']",
                "        Origins:",
                "          - Id: api",
                "            DomainName: !GetAtt Domain.RegionalDomainName",
                "            CustomOriginConfig:",
                "              OriginProtocolPolicy: https-only",
                "              OriginSSLProtocols: [TLSv1.2]",
                "        DefaultCacheBehavior:",
                "          TargetOriginId: api",
                f"          ViewerProtocolPolicy: {viewer}",
                "          CachePolicyId: 4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
                "        ViewerCertificate:",
                "          AcmCertificateArn: !Sub 'arn:aws:acm:us-east-1:${AWS::AccountId}:certificate/"
                f"{rng.getrandbits(64):016x}'",
                "          SslSupportMethod: sni-only",
                f"          MinimumProtocolVersion: {min_tls}",
            ]
        lines += [
            "",
            "Outputs:",
            "  InvokeUrl:",
            "    Value: !Sub 'https://${Api}.execute-api.${AWS::Region}.amazonaws.com/${Stage}'",
            "  DomainTarget:",
            "    Value: !GetAtt Domain.RegionalDomainName",
        ]
        return "\n".join(lines) + "\n"

    def sam_template(self, name: str, target: int) -> str:
        rng = self.rng
        team = name.split("-")[0]
        policy = _pick(rng, CFN_POLICIES)
        policy_line = "!Ref SecurityPolicy" if policy == "param" else str(policy)
        lines = [
            "AWSTemplateFormatVersion: '2010-09-09'",
            "Transform: AWS::Serverless-2016-10-31",
            f"Description: {name} (SAM)",
            "",
            "Globals:",
            "  Function:",
            "    Runtime: python3.12",
            "    Timeout: 10",
            "    MemorySize: 256",
            "",
            "Parameters:",
            "  SecurityPolicy:",
            "    Type: String",
            "  CertificateArn:",
            "    Type: String",
            "",
            "Resources:",
            "  Api:",
            "    Type: AWS::Serverless::Api",
            "    Properties:",
            "      StageName: v1",
            "      DisableExecuteApiEndpoint: true",
            "      MethodSettings:",
            "        - ResourcePath: '/*'",
            "          HttpMethod: '*'",
            "          ThrottlingBurstLimit: 100",
            "          ThrottlingRateLimit: 50",
            "      Auth:",
            # Without a default authorizer every SAM route is open unless it names one itself.
            *(["        DefaultAuthorizer: Cognito"] if rng.random() < 0.8 else []),
            "        Authorizers:",
            "          Cognito:",
            "            UserPoolArn: !Sub 'arn:aws:cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/"
            f"{team}'",
            "        ResourcePolicy:",
            "          IpRangeWhitelist: [10.0.0.0/8]",
            "      Domain:",
            f"        DomainName: {team}-{rng.randint(1, 99)}.example.com",
            "        CertificateArn: !Ref CertificateArn",
            "        EndpointConfiguration: REGIONAL",
            f"        SecurityPolicy: {policy_line}",
            "",
        ]
        size = sum(len(x) + 1 for x in lines)
        pool = rng.sample(RESOURCES, len(RESOURCES))
        while size < target and pool:
            res = pool.pop()
            lid = _logical(res)
            chunk = [
                f"  {lid}Function:",
                "    Type: AWS::Serverless::Function",
                "    Properties:",
                f"      Handler: {res.replace('-', '_')}.handler",
                f"      CodeUri: src/{res}/",
                "      Environment:",
                "        Variables:",
                f"          TABLE_NAME: !Sub '{name}-{res}'",
                "      Events:",
            ]
            for method in sorted(rng.sample(METHODS, rng.randint(1, 3)), key=METHODS.index):
                chunk += [
                    f"        {method.capitalize()}{lid}:",
                    "          Type: Api",
                    "          Properties:",
                    "            RestApiId: !Ref Api",
                    f"            Path: /{res}",
                    f"            Method: {method.lower()}",
                ]
            chunk.append("")
            size += sum(len(x) + 1 for x in chunk)
            lines += chunk
        return "\n".join(lines) + "\n"


def generate(files: int = 500, total_bytes: int = 2_000_000, seed: int = 1) -> dict[str, str]:
    """Relative path → template text: `files` YAML templates of about `total_bytes` in all."""
    corpus = CloudFormationCorpus(seed)
    rng = corpus.rng
    per_file = total_bytes // files
    out: dict[str, str] = {}
    for i in range(files):
        name = f"{rng.choice(TEAMS)}-{rng.choice(SERVICES)}-{i + 1:03d}"
        target = int(per_file * rng.uniform(0.4, 1.3))
        if rng.random() < 0.2:
            out[f"{name.split('-')[0]}/{name}.sam.yaml"] = corpus.sam_template(name, target)
        else:
            out[f"{name.split('-')[0]}/{name}.yaml"] = corpus.rest_template(name, target)
    return out
