"""Expression evaluation: exact values and spans for each construct."""

from __future__ import annotations

import json

import pytest

from iaclint.source import Span
from iaclint.values import UNKNOWN


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('"plain"', "plain"),
        ("42", 42),
        ("1.5", 1.5),
        ("1.5e3", 1500),
        ("true", True),
        ("null", None),
        ('"a\\"b\\n\\\\c\\u00e9"', 'a"b\n\\c\u00e9'),
        ('"$${x} %%{y}"', "${x} %{y}"),
        ('"x${1 + 2}y"', "x3y"),
        ('"${true}-${1.5}"', "true-1.5"),
        ('"%{ if true }yes%{ else }no%{ endif }"', "yes"),
        ('"%{ if 1 > 2 }yes%{ else }no%{ endif }"', "no"),
        ('"%{ for x in ["a", "b"] }${x},%{ endfor }"', "a,b,"),
        ('"%{ for k, v in {b = 2, a = 1} }${k}=${v};%{ endfor }"', "a=1;b=2;"),
        ('"a ${~ "b" ~} c"', "abc"),
        ('[1, "two", [3]]', [1, "two", [3]]),
        ('{a = 1, "b" = 2, ("c") = 3}', {"a": 1, "b": 2, "c": 3}),
        ('[for s in ["a", "b", "c"] : upper(s) if s != "b"]', ["A", "C"]),
        ("{for k, v in {x = 1, y = 2} : v => k}", {"1": "x", "2": "y"}),
        ('{for s in ["a", "b", "a"] : s => s...}', {"a": ["a", "a"], "b": ["b"]}),
        ("[{id = 1}, {id = 2}][*].id", [1, 2]),
        ("[{id = 1}, {id = 2}].*.id", [1, 2]),
        ("{a = [10, 20]}.a[1]", 20),
        ('{a = {b = "c"}}["a"].b', "c"),
        ("-1 + 2 * 3", 5),
        ("7 / 2", 3.5),
        ("7 % 3", 1),
        ("1 == 1.0", True),
        ('1 == "1"', False),
        ("!true || false", False),
        ("true && 2 >= 2", True),
        ('1 < 2 ? "lt" : "ge"', "lt"),
        ("(1 + 2) * 3", 9),
    ],
)
def test_values(expr, source: str, expected: object) -> None:  # type: ignore[no-untyped-def]
    assert expr(source).py() == expected


def test_heredocs(expr) -> None:  # type: ignore[no-untyped-def]
    assert expr('<<EOT\n  one ${"x"}\n    two\nEOT').py() == "  one x\n    two\n"
    assert expr('<<-EOT\n    one ${"x"}\n      two\n    EOT').py() == "one x\n  two\n"
    assert expr("<<-EOT\n    %{ for i in [1, 2] }n${i}\n    %{ endfor }\n    EOT").py() == "n1\nn2\n\n"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            'jsonencode({b = 1, a = ["x", true, null], c = "<&>"})',
            '{"a":["x",true,null],"b":1,"c":"\\u003c\\u0026\\u003e"}',
        ),
        ('jsondecode("{\\"a\\": [1, 2.5]}")', {"a": [1, 2.5]}),
        ('format("%s-%d-%q-%v-%05.1f-%%", "a", 3, "q", true, 3.14159)', 'a-3-"q"-true-003.1-%'),
        ('formatlist("%s=%s", ["a", "b"], "v")', ["a=v", "b=v"]),
        ('join(",", ["a", "b"], ["c"])', "a,b,c"),
        ('split(",", "a,b,,c")', ["a", "b", "", "c"]),
        ("merge({a = 1, b = 2}, {b = 3}, null)", {"a": 1, "b": 3}),
        ('lookup({a = "x"}, "a", "d")', "x"),
        ('lookup({a = "x"}, "z", "d")', "d"),
        ('try({a = 1}.b, "fallback")', "fallback"),
        ("can({a = 1}.b)", False),
        ("can({a = 1}.a)", True),
        ('coalesce(null, "", "x")', "x"),
        ("coalescelist([], [1])", [1]),
        ("concat([1], [2, 3])", [1, 2, 3]),
        ('element(["a", "b"], 3)', "b"),
        ('length("héllo")', 5),
        ('lower("AbC")', "abc"),
        ('upper("abc")', "ABC"),
        ('title("hello big-world")', "Hello Big-World"),
        ('trimspace("  x \\n")', "x"),
        ('trim("--x--", "-")', "x"),
        ('trimprefix("TLS_1_2", "TLS_")', "1_2"),
        ('trimsuffix("a.json", ".json")', "a"),
        ('replace("a-b-c", "-", "_")', "a_b_c"),
        ('replace("v1.2.3", "/v(\\\\d+)\\\\..*/", "major-$1")', "major-1"),
        ('substr("abcdef", 1, 3)', "bcd"),
        ('substr("abcdef", -2, -1)', "ef"),
        ('contains(["a", "b"], "b")', True),
        ("keys({b = 1, a = 2})", ["a", "b"]),
        ("values({b = 1, a = 2})", [2, 1]),
        ("tostring(5)", "5"),
        ('tonumber("5.5")', 5.5),
        ('tobool("true")', True),
        ('toset(["b", "a", "b"])', ["a", "b"]),
        ("tolist([1])", [1]),
        ("tomap({a = 1})", {"a": 1}),
        ("flatten([[1, [2]], [], [3]])", [1, 2, 3]),
        ("distinct([1, 2, 1])", [1, 2]),
        ('compact(["a", "", null, "b"])', ["a", "b"]),
        ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
        ("range(3)", [0, 1, 2]),
        ("range(1, 10, 4)", [1, 5, 9]),
        ("min(3, 1, 2)", 1),
        ("max(3, 1, 2)", 3),
        ("abs(-4)", 4),
        ('startswith("TLS_1_2", "TLS")', True),
        ('endswith("TLS_1_2", "1_2")', True),
        ('strcontains("abc", "z")', False),
        ('one(["x"])', "x"),
        ("one([])", None),
        ('sort(["b", "a"])', ["a", "b"]),
        ("reverse([1, 2])", [2, 1]),
        ("slice([1, 2, 3, 4], 1, 3)", [2, 3]),
        ('base64encode("hi")', "aGk="),
        ('sha256("a")', "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"),
        ('md5("a")', "0cc175b9c0f1b6a831c399e269772661"),
        ('yamldecode("a: [1, x]")', {"a": [1, "x"]}),
        ("yamlencode({a = 1})", "a: 1\n"),
        ('regex("^TLS_(\\\\d)_(\\\\d)$", "TLS_1_2")', ["1", "2"]),
        ('regex("(?P<major>\\\\d)", "v3")', {"major": "3"}),
        ('regexall("\\\\d", "a1b2")', ["1", "2"]),
    ],
)
def test_functions(expr, source: str, expected: object) -> None:  # type: ignore[no-untyped-def]
    assert expr(source).py() == expected


@pytest.mark.parametrize("source", ['cidrsubnet("10.0.0.0/16", 8, 1)', "timestamp()", "uuid()", "nosuch(1)"])
def test_functions_not_evaluated(expr, source: str) -> None:  # type: ignore[no-untyped-def]
    v = expr(source)
    assert v.is_unknown
    assert v.reason == f"function {source.split('(')[0]}() not evaluated"


def test_jsonencode_matches_terraform_for_nested_policy(expr) -> None:  # type: ignore[no-untyped-def]
    v = expr(
        'jsonencode({Version = "2012-10-17", '
        'Statement = [{Effect = "Allow", Action = "x:Y", Resource = "*"}]})'
    )
    assert v.data == '{"Statement":[{"Action":"x:Y","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}'
    assert json.loads(v.data)["Version"] == "2012-10-17"


def test_unknown_arguments_make_unknown_results_with_refs(expr) -> None:  # type: ignore[no-untyped-def]
    prelude = 'resource "aws_x" "y" {\n  name = "n"\n}\n'
    v = expr('upper("${aws_x.y.id}")', prelude)
    assert v.is_unknown
    assert v.refs == ("aws_x.y",)
    assert "aws_x.y.id is known only after apply" in v.reason
    # try() returns the first argument that is not an error; unknown stays unknown.
    assert expr('try(aws_x.y.id, "d")', prelude).refs == ("aws_x.y",)
    # A configured argument of another resource is known, and says where it came from.
    n = expr("aws_x.y.name", prelude)
    assert (n.data, n.refs) == ("n", ("aws_x.y",))


def test_spans_of_attributes_and_members(tf) -> None:  # type: ignore[no-untyped-def]
    result = tf(
        {
            "main.tf": 'resource "t" "r" {\n  a = "x"\n  obj = { k = 1,\n    m = "é" }\n'
            "  blk {\n    x = 1\n  }\n}\n"
        }
    )
    (r,) = result.resources
    path = str(tf.dir / "main.tf")
    assert r.span == Span(path, 1, 1, 1, 19)
    assert r.name == "r" and r.type == "t" and r.language == "terraform"
    assert r.body.span == Span(path, 1, 1, 8, 2)
    assert r.body.get("a").span == Span(path, 2, 3, 2, 10)
    obj = r.body.get("obj")
    assert obj.span == Span(path, 3, 3, 4, 14)
    assert obj.get("k").span == Span(path, 3, 11, 3, 16)
    assert obj.get("m").span == Span(path, 4, 5, 4, 12)
    blk = r.body.get("blk")
    assert blk.data[0].span == Span(path, 5, 3, 7, 4)
    assert blk.data[0].get("x").span == Span(path, 6, 5, 6, 10)


def test_non_ascii_columns_are_characters(tf) -> None:  # type: ignore[no-untyped-def]
    result = tf({"main.tf": 'resource "t" "r" {\n  d = "ééé" ; b = 1\n}\n'.replace(" ; ", "\n  ")})
    (r,) = result.resources
    assert r.body.get("d").span.end_column == 12
    assert r.body.get("b").span.column == 3


def test_reference_cycle_is_unknown(expr) -> None:  # type: ignore[no-untyped-def]
    v = expr("local.a", "locals {\n  a = local.b\n  b = local.a\n}\n")
    assert v.is_unknown and v.reason == "reference cycle"


def test_deep_nesting_is_bounded(expr) -> None:  # type: ignore[no-untyped-def]
    # Past the budget's depth the argument being worked out is unknown, naming it.
    v = expr("[" * 400 + "1" + "]" * 400)
    assert v.is_unknown
    assert v.reason == "evaluation budget exceeded in t.r.a: nested more than 200 levels deep"
    assert expr("[" * 50 + "1" + "]" * 50).is_known  # three syntax levels a bracket


def test_path_and_workspace(expr, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert expr("path.module").py() == str(tmp_path)
    assert expr("terraform.workspace").py() == "default"


def test_file_and_templatefile(expr, tmp_path) -> None:  # type: ignore[no-untyped-def]
    files = {"policy.json": '{"a": 1}\n', "t.tpl": "name=${name}\n%{ for p in ports }${p};%{ endfor }"}
    assert expr('file("${path.module}/policy.json")', files=files).py() == '{"a": 1}\n'
    assert expr('templatefile("t.tpl", {name = "x", ports = [1, 2]})', files=files).py() == "name=x\n1;2;"
    missing = expr('templatefile("nope.tpl", {})', files=files)
    assert missing.is_unknown and "not found" in missing.reason


def test_py_of_unknown_member(expr) -> None:  # type: ignore[no-untyped-def]
    v = expr('{ a = aws_x.y.id, b = "k" }', 'resource "aws_x" "y" {}\n')
    assert v.py() == {"a": UNKNOWN, "b": "k"}
