"""Grammar-aware CloudFormation and SAM input: templates as a tree of intrinsic functions (Ref,
Fn::Sub, Fn::Join, Fn::If, Fn::Select, Fn::Split, Fn::FindInMap, Fn::GetAtt, ...), conditions and
mappings, written as YAML (short and long forms, anchors and aliases over shared subtrees, merge keys,
odd tags and scalars) or JSON; SAM APIs whose DefinitionBody repeats aliased operations."""

from __future__ import annotations

import json
from typing import Any

from fuzz_atoms import identifiers, numbers, odd_files, short_text
from fuzzkit import Case
from hypothesis import strategies as st

RESOURCE_TYPES = [
    "AWS::ApiGateway::DomainName",
    "AWS::ApiGatewayV2::DomainName",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGatewayV2::Api",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::CloudFront::Distribution",
    "AWS::WAFv2::WebACL",
    "AWS::WAFv2::WebACLAssociation",
    "AWS::Serverless::Api",
    "AWS::Serverless::HttpApi",
    "AWS::Serverless::Function",
    "AWS::SNS::Topic",
    "Custom::Thing",
]
PROPERTIES = [
    "SecurityPolicy",
    "DomainName",
    "Body",
    "DefinitionBody",
    "Policy",
    "SslPolicy",
    "Protocol",
    "EndpointConfiguration",
    "DomainNameConfigurations",
    "AuthorizationType",
    "Auth",
    "Events",
    "MethodSettings",
    "DisableExecuteApiEndpoint",
    "WebACLArn",
    "ResourceArn",
    "Port",
    "X",
]
PSEUDO = [
    "AWS::Region",
    "AWS::AccountId",
    "AWS::NoValue",
    "AWS::StackName",
    "AWS::URLSuffix",
    "AWS::Partition",
]


class Node:
    """A YAML node: `kind` is map/seq/scalar/tag/alias; anchors are set by the emitter."""

    __slots__ = ("anchor", "kind", "tag", "value")

    def __init__(self, kind: str, value: Any, tag: str = "") -> None:
        self.kind, self.value, self.tag, self.anchor = kind, value, tag, ""


def scalar(v: Any) -> Node:
    return Node("scalar", v)


def fn(name: str, arg: Node) -> Node:
    """An intrinsic in long form; the emitter may write it as a short-form tag."""
    return Node("map", [(name, arg)])


@st.composite
def value(draw: st.DrawFn, names: tuple[str, ...], depth: int = 0) -> Node:
    if depth >= 4 or draw(st.integers(0, 3)) == 0:
        kind = draw(st.integers(0, 5))
        if kind == 0:
            return scalar(draw(short_text))
        if kind == 1:
            return scalar(draw(st.sampled_from(["TLS_1_0", "TLS_1_2", "REGIONAL", "NONE", "HTTPS", "true"])))
        if kind == 2:
            return scalar(draw(numbers))
        if kind == 3:
            return fn("Ref", scalar(draw(st.sampled_from([*names, *PSEUDO, "Missing"]))))
        if kind == 4:
            return scalar(draw(st.sampled_from([True, False, None, 0, -1, 10**30, 1.5])))
        return Node("seq", [])
    sub = value(names, depth + 1)
    kind = draw(st.integers(0, 13))
    if kind == 0:
        template = draw(
            st.sampled_from(
                ["${a}${a}", "${P}-${AWS::Region}", "${R.Arn}", "${!Literal}", "${", "$${a}", "${a}" * 8, "x"]
            )
        )
        if draw(st.booleans()):
            return fn("Fn::Sub", scalar(template))
        return fn("Fn::Sub", Node("seq", [scalar(template), Node("map", [("a", draw(sub))])]))
    if kind == 1:
        return fn(
            "Fn::Join",
            Node(
                "seq",
                [scalar(draw(st.sampled_from(["", ",", "-"]))), Node("seq", draw(st.lists(sub, max_size=4)))],
            ),
        )
    if kind == 2:
        return fn(
            "Fn::If",
            Node("seq", [scalar(draw(st.sampled_from(["C", "D", "Missing"]))), draw(sub), draw(sub)]),
        )
    if kind == 3:
        return fn("Fn::Select", Node("seq", [scalar(draw(numbers)), draw(sub)]))
    if kind == 4:
        return fn("Fn::Split", Node("seq", [scalar(draw(st.sampled_from([",", "", "-"]))), draw(sub)]))
    if kind == 5:
        return fn("Fn::FindInMap", Node("seq", [scalar("M"), draw(sub), draw(sub)]))
    if kind == 6:
        return fn(
            "Fn::GetAtt", Node("seq", [scalar(draw(st.sampled_from(["R", "Api", "Missing"]))), scalar("Arn")])
        )
    if kind == 7:
        return fn(
            draw(
                st.sampled_from(
                    [
                        "Fn::Base64",
                        "Fn::Length",
                        "Fn::ToJsonString",
                        "Fn::GetAZs",
                        "Fn::Cidr",
                        "Fn::ImportValue",
                        "Fn::Transform",
                        "Fn::Unknown",
                    ]
                )
            ),
            draw(sub),
        )
    if kind == 8:
        return fn(
            draw(st.sampled_from(["Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not"])),
            Node("seq", draw(st.lists(sub, max_size=3))),
        )
    if kind == 9:
        return fn("Condition", scalar(draw(st.sampled_from(["C", "D", "Missing"]))))
    if kind == 10:
        return Node("seq", draw(st.lists(sub, max_size=4)))
    if kind == 11:
        keys = draw(st.lists(st.sampled_from(PROPERTIES), max_size=3, unique=True))
        return Node("map", [(k, draw(sub)) for k in keys])
    if kind == 12:
        return Node(
            "tag",
            draw(sub),
            draw(
                st.sampled_from(
                    [
                        "!!binary",
                        "!!str",
                        "!!int",
                        "!!python/object",
                        "!Custom",
                        "!!set",
                        "!!omap",
                        "!!timestamp",
                    ]
                )
            ),
        )
    return Node(
        "map", [("Fn::ForEach::x", Node("seq", [scalar("I"), Node("seq", [scalar("a")]), draw(sub)]))]
    )


@st.composite
def definition_body(draw: st.DrawFn) -> Node:
    """An OpenAPI body whose paths share aliased operation sets (the SAM DefinitionBody bomb)."""
    ops = Node(
        "map",
        [
            (
                m,
                Node(
                    "map",
                    [("responses", Node("map", [("200", Node("map", [("description", scalar("ok"))]))]))],
                ),
            )
            for m in draw(
                st.lists(
                    st.sampled_from(["get", "post", "put", "delete", "x-amazon-apigateway-any-method"]),
                    min_size=1,
                    max_size=5,
                    unique=True,
                )
            )
        ],
    )
    paths = [(f"/p{i}", ops) for i in range(draw(st.sampled_from([1, 5, 50, 500, 3000])))]
    return Node(
        "map",
        [
            ("openapi", scalar("3.0.1")),
            ("info", Node("map", [("title", scalar("t")), ("version", scalar("1"))])),
            ("paths", Node("map", paths)),
        ],
    )


@st.composite
def template_tree(draw: st.DrawFn) -> tuple[Node, list[Node], int]:
    """The template, the nodes that appear more than once (anchored by the YAML emitter), and the
    length of its doubling chain."""
    names = ("P", "Q", "R", "Api")
    v = value(names)
    shared: list[Node] = []
    resources = []
    for i in range(draw(st.integers(1, 4))):
        rtype = draw(st.sampled_from(RESOURCE_TYPES))
        props = [(k, draw(v)) for k in draw(st.lists(st.sampled_from(PROPERTIES), max_size=4, unique=True))]
        if rtype.startswith("AWS::Serverless::Api") and draw(st.booleans()):
            body = draw(definition_body())
            shared.append(body.value[2][1].value[0][1])  # the operations map, repeated under every path
            props.append(("DefinitionBody", body))
        entry = [("Type", scalar(rtype)), ("Properties", Node("map", props))]
        if draw(st.booleans()):
            entry.append(("Condition", scalar(draw(st.sampled_from(["C", "D", "Missing"])))))
        if draw(st.integers(0, 4)) == 0:
            entry.append(
                ("Metadata", Node("map", [("iaclint", Node("map", [("ignore", scalar("IAC101"))]))]))
            )
        resources.append((["R", "Api", f"R{i}", "Q"][i % 4] if i < 4 else f"R{i}", Node("map", entry)))
    # Doubling through aliases: each level joins the previous one twice.
    chain: list[Node] = []
    if draw(st.integers(0, 2)) == 0:
        node: Node = scalar(draw(st.sampled_from(["TLS_1_0", "x" * 40_000, "ab"])))
        chain.append(node)
        for _ in range(draw(st.integers(1, 40))):
            how = draw(st.sampled_from(["join", "sub", "list"]))
            if how == "join":
                node = fn("Fn::Join", Node("seq", [scalar(""), Node("seq", [node, node])]))
            elif how == "sub":
                node = fn("Fn::Sub", Node("seq", [scalar("${a}${a}"), Node("map", [("a", node)])]))
            else:
                node = Node("seq", [node, node])
            chain.append(node)
        shared.extend(chain)
        resources.append(
            (
                "Chain",
                Node(
                    "map",
                    [
                        ("Type", scalar("AWS::ApiGateway::DomainName")),
                        ("Properties", Node("map", [("SecurityPolicy", node)])),
                    ],
                ),
            )
        )
    top = [
        ("AWSTemplateFormatVersion", scalar("2010-09-09")),
        (
            "Parameters",
            Node(
                "map",
                [
                    ("P", Node("map", [("Type", scalar("String")), ("Default", draw(v))])),
                    (
                        "Q",
                        Node(
                            "map",
                            [
                                (
                                    "Type",
                                    scalar(
                                        draw(
                                            st.sampled_from(
                                                [
                                                    "String",
                                                    "Number",
                                                    "CommaDelimitedList",
                                                    "List<Number>",
                                                    "AWS::SSM::Parameter::Value<String>",
                                                ]
                                            )
                                        )
                                    ),
                                )
                            ],
                        ),
                    ),
                ],
            ),
        ),
        ("Mappings", Node("map", [("M", Node("map", [("a", Node("map", [("b", draw(v))]))]))])),
        (
            "Conditions",
            Node(
                "map",
                [
                    ("C", fn("Fn::Equals", Node("seq", [draw(v), draw(v)]))),
                    (
                        "D",
                        draw(
                            st.sampled_from(
                                [
                                    fn("Condition", scalar("D")),
                                    fn("Condition", scalar("C")),
                                    fn("Fn::Not", Node("seq", [fn("Condition", scalar("C"))])),
                                ]
                            )
                        ),
                    ),
                ],
            ),
        ),
        ("Resources", Node("map", resources)),
        ("Outputs", Node("map", [("O", Node("map", [("Value", draw(v))]))])),
    ]
    if draw(st.booleans()):
        top.insert(
            1,
            (
                "Transform",
                scalar(draw(st.sampled_from(["AWS::Serverless-2016-10-31", "AWS::LanguageExtensions", "X"]))),
            ),
        )
    if draw(st.integers(0, 3)) == 0:
        top.insert(1, ("Globals", Node("map", [("Api", Node("map", [("Auth", draw(v))]))])))
    return Node("map", top), shared, len(chain)


SHORT = {
    "Ref": "!Ref",
    "Fn::Sub": "!Sub",
    "Fn::Join": "!Join",
    "Fn::If": "!If",
    "Fn::Select": "!Select",
    "Fn::Split": "!Split",
    "Fn::FindInMap": "!FindInMap",
    "Fn::GetAtt": "!GetAtt",
    "Fn::Base64": "!Base64",
    "Fn::Equals": "!Equals",
    "Fn::And": "!And",
    "Fn::Or": "!Or",
    "Fn::Not": "!Not",
    "Condition": "!Condition",
    "Fn::Length": "!Length",
    "Fn::ToJsonString": "!ToJsonString",
    "Fn::GetAZs": "!GetAZs",
    "Fn::Cidr": "!Cidr",
}


class YamlWriter:
    """Flow-style YAML (valid for any nesting) with anchors on shared nodes, aliases on repeats,
    short-form intrinsic tags, and a few odd scalars."""

    def __init__(self, shared: list[Node], short: bool) -> None:
        self.short = short
        self.shared = {id(n) for n in shared}
        self.emitted: set[int] = set()
        self.count = 0

    def key(self, k: str) -> str:
        return json.dumps(k)

    def scalar(self, v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if v is None:
            return "null"
        if isinstance(v, (int, float)):
            return repr(v)
        s = str(v)
        if s and s.lstrip("-").replace(".", "", 1).replace("e", "", 1).isdigit():
            return s  # a number, written bare (5,000 digits included)
        # YAML double-quoted strings take JSON's escapes; C1 control characters must be escaped.
        return json.dumps(s, ensure_ascii=True)

    def write(self, node: Node) -> str:
        if id(node) in self.emitted:
            return f"*{node.anchor}"
        prefix = ""
        if id(node) in self.shared:
            self.count += 1
            node.anchor = f"a{self.count}"
            self.emitted.add(id(node))
            prefix = f"&{node.anchor} "
        if node.kind == "scalar":
            return prefix + self.scalar(node.value)
        if node.kind == "tag":
            return f"{prefix}{node.tag} {self.write(node.value)}"
        if node.kind == "seq":
            return prefix + "[" + ", ".join(self.write(x) for x in node.value) + "]"
        items = node.value
        if self.short and len(items) == 1 and items[0][0] in SHORT:
            name, arg = items[0]
            return f"{prefix}{SHORT[name]} {self.write(arg)}"
        return prefix + "{" + ", ".join(f"{self.key(k)}: {self.write(v)}" for k, v in items) + "}"

    def document(self, root: Node) -> str:
        lines = []
        for k, v in root.value:
            lines.append(f"{k}: {self.write(v)}")
        return "\n".join(lines) + "\n"


def to_json(node: Node, depth: int = 0) -> Any:
    if node.kind == "scalar":
        return node.value
    if node.kind == "tag":
        return to_json(node.value, depth)
    if node.kind == "seq":
        return [to_json(x, depth + 1) for x in node.value]
    return {k: to_json(v, depth + 1) for k, v in node.value}


DOMAIN = "Resources:\n  R:\n    Type: AWS::ApiGateway::DomainName\n    Properties:\n"
RAW_YAML = [
    "Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties: {X: 1" + "0" * 5000 + "}\n",
    "Resources: &r\n  R:\n    Type: AWS::SNS::Topic\n    Properties: *r\n",
    "Resources:\n  <<: {R: {Type: AWS::SNS::Topic}}\n  <<: [*x]\n",
    "Resources:\n  ? [a, b]\n  : {Type: AWS::SNS::Topic}\n",
    "--- \nResources: {}\n---\nResources: {R: {Type: AWS::SNS::Topic}}\n",
    "Resources:\n  R:\n    Type: !!binary aGVsbG8=\n",
    DOMAIN + "      SecurityPolicy: 2001-12-14t21:59:43.10-05:00\n",
    "AWSTemplateFormatVersion: 2010-09-09\n" + DOMAIN + "      SecurityPolicy: 0x1F\n",
    DOMAIN + "      SecurityPolicy: !Sub\n        - ${a}\n        - a: !Sub\n          - ${a}\n",
    "Resources:\n" + "  " * 1 + "R: " + "[" * 150 + "]" * 150 + "\n",
    "%TAG ! tag:example.com,2000:\n---\nResources: !x {}\n",
    "Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties: {X: .inf, Y: .nan, Z: ~}\n",
]


@st.composite
def cloudformation_case(draw: st.DrawFn) -> Case:
    root, shared, chain = draw(template_tree())
    fmt = draw(st.sampled_from(["yaml-short", "yaml-long", "json", "raw"]))
    if fmt == "json" and chain > 5:
        fmt = "yaml-short"  # JSON has no aliases: a doubling chain would be written out in full
    name = draw(st.sampled_from(["template.yaml", "template.yml", "x.template", "sam.yaml"]))
    if fmt == "json":
        text = json.dumps(to_json(root))
        name = "template.json"
    elif fmt == "raw":
        text = draw(st.sampled_from(RAW_YAML))
    else:
        text = YamlWriter(shared, short=fmt == "yaml-short").document(root)
    if draw(st.integers(0, 5)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    files: dict[str, str | bytes] = {name: text}
    odd = draw(odd_files())
    files.update(odd["files"])  # type: ignore[arg-type]
    case = Case(files=files, fifos=odd["fifos"], links=odd["links"], dirs=odd["dirs"])  # type: ignore[arg-type]
    if draw(st.integers(0, 3)) == 0:
        params = draw(
            st.sampled_from(
                [
                    json.dumps([{"ParameterKey": "P", "ParameterValue": draw(short_text)}]),
                    json.dumps({"Parameters": {"P": draw(short_text)}}),
                    json.dumps({"P": [1, {"a": None}]}),
                    "[" * 3000 + "]" * 3000,
                    "not json",
                ]
            )
        )
        case.files["params.json"] = params
        case.options["cfn_parameter_files"] = ["params.json"]
    if draw(st.integers(0, 4)) == 0:
        case.options["cfn_parameters"] = {draw(identifiers): draw(short_text), "P": draw(numbers)}
    return case
