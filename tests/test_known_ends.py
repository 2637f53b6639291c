"""The known-prefix rule in every language: a string built around an unknown value keeps the text
known to start and end it (`https://` before an unknown host is HTTPS), through every operation
that builds strings: templates and interpolation, `format`, `join`/`Fn::Join`, `Fn::Sub`, `concat`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iaclint.discover import Unit
from iaclint.lang import arm, bicep, cloudformation, terraform
from iaclint.values import Value

ARM_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def _terraform(tmp_path: Path, expr: str, prelude: str = "") -> Value:
    (tmp_path / "main.tf").write_text(
        f'variable "host" {{}}\nvariable "name" {{}}\n{prelude}\nresource "t" "r" {{\n  a = {expr}\n}}\n',
        encoding="utf-8",
    )
    result = terraform.load([Unit("terraform", tmp_path, (tmp_path / "main.tf",))], None)
    assert not result.diagnostics
    (r,) = result.resources
    return r.body.get("a")


def _terraform_json(tmp_path: Path, expr: str) -> Value:
    doc = {"variable": {"host": {}}, "resource": {"t": {"r": {"a": expr}}}}
    (tmp_path / "main.tf.json").write_text(json.dumps(doc), encoding="utf-8")
    result = terraform.load([Unit("terraform", tmp_path, (tmp_path / "main.tf.json",))], None)
    (r,) = result.resources
    return r.body.get("a")


def _cloudformation(tmp_path: Path, prop: str) -> Value:
    path = tmp_path / "t.yaml"
    path.write_text(
        "Parameters:\n  Host: {Type: String}\n  Name: {Type: String}\n"
        f"Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties:\n      A: {prop}\n",
        encoding="utf-8",
    )
    (r,) = cloudformation.load([Unit("cloudformation", path, (path,))], None).resources
    return r.body.get("A")


def _bicep(tmp_path: Path, expr: str) -> Value:
    path = tmp_path / "main.bicep"
    path.write_text(
        f"param host string\nparam name string\nresource r 'A.B/c@1' = {{\n  name: 'r'\n"
        f"  properties: {{\n    a: {expr}\n  }}\n}}\n",
        encoding="utf-8",
    )
    (r,) = bicep.load([Unit("bicep", path, (path,))], None).resources
    return r.body.path("properties", "a")


def _arm(tmp_path: Path, expr: str) -> Value:
    path = tmp_path / "t.json"
    doc = {
        "$schema": ARM_SCHEMA,
        "parameters": {"host": {"type": "string"}, "name": {"type": "string"}},
        "resources": [{"type": "A.B/c", "apiVersion": "1", "name": "r", "properties": {"a": expr}}],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    (r,) = arm.load([Unit("arm", path, (path,))], None).resources
    return r.body.path("properties", "a")


CASES = [
    # Terraform: templates, heredocs, format(), join(), through a local, in JSON syntax.
    ("terraform", '"https://${var.host}"', "https://", ""),
    ("terraform", '"${var.name}.example.com"', "", ".example.com"),
    ("terraform", '"https://${var.name}.example.com/v1"', "https://", ".example.com/v1"),
    ("terraform", "<<EOT\nhttps://${var.host}/v1\nEOT", "https://", "/v1\n"),
    ("terraform", 'format("https://%s.example.com", var.host)', "https://", ".example.com"),
    ("terraform", 'format("%s://%s", "https", var.host)', "https://", ""),
    ("terraform", 'join("", ["https://", var.host, "/v1"])', "https://", "/v1"),
    ("terraform", 'join(".", [var.name, "example", "com"])', "", ".example.com"),
    ("terraform", '"${local.url}/v1"', "https://", "/v1"),
    # CloudFormation: Fn::Sub (both forms) and Fn::Join.
    ("cloudformation", "!Sub 'https://${Host}'", "https://", ""),
    ("cloudformation", "!Sub '${Name}.example.com'", "", ".example.com"),
    ("cloudformation", "!Sub ['https://${H}/v1', {H: !Ref Host}]", "https://", "/v1"),
    ("cloudformation", "!Join ['', ['https://', !Ref Host, '/v1']]", "https://", "/v1"),
    ("cloudformation", "!Join ['.', [!Ref Name, example, com]]", "", ".example.com"),
    # Bicep: interpolation, concat(), format().
    ("bicep", "'https://${host}'", "https://", ""),
    ("bicep", "'${name}.example.com'", "", ".example.com"),
    ("bicep", "concat('https://', host, '/v1')", "https://", "/v1"),
    ("bicep", "format('https://{0}.example.com', host)", "https://", ".example.com"),
    ("bicep", "'${'https://${host}'}/v1'", "https://", "/v1"),
    # ARM: concat(), format().
    ("arm", "[concat('https://', parameters('host'))]", "https://", ""),
    ("arm", "[concat(parameters('name'), '.example.com')]", "", ".example.com"),
    ("arm", "[format('https://{0}/v1', parameters('host'))]", "https://", "/v1"),
    ("arm", "[format('{0}.{1}', parameters('name'), 'example.com')]", "", ".example.com"),
]


@pytest.mark.parametrize(("language", "source", "prefix", "suffix"), CASES)
def test_a_string_around_an_unknown_keeps_its_known_ends(
    tmp_path: Path, language: str, source: str, prefix: str, suffix: str
) -> None:
    if language == "terraform":
        v = _terraform(tmp_path, source, prelude='locals {\n  url = "https://${var.host}"\n}\n')
    elif language == "cloudformation":
        v = _cloudformation(tmp_path, source)
    elif language == "bicep":
        v = _bicep(tmp_path, source)
    else:
        v = _arm(tmp_path, source)
    assert v.is_unknown, v
    assert (v.known_prefix(), v.known_suffix()) == (prefix, suffix)


def test_terraform_json_syntax_strings_keep_their_known_ends(tmp_path: Path) -> None:
    v = _terraform_json(tmp_path, "https://${var.host}/v1")
    assert v.is_unknown
    assert (v.known_prefix(), v.known_suffix()) == ("https://", "/v1")


@pytest.mark.parametrize(
    ("language", "source"),
    [
        ("terraform", '"http://${var.host}"'),
        ("cloudformation", "!Sub 'http://${Host}'"),
        ("bicep", "'http://${host}'"),
        ("arm", "[concat('http://', parameters('host'))]"),
    ],
)
def test_a_plain_http_scheme_is_known_too(tmp_path: Path, language: str, source: str) -> None:
    load = {"terraform": _terraform, "cloudformation": _cloudformation, "bicep": _bicep, "arm": _arm}
    v = load[language](tmp_path, source)  # type: ignore[operator]
    assert v.is_unknown
    assert v.known_prefix() == "http://"


def test_a_fully_known_string_is_its_own_prefix_and_suffix(tmp_path: Path) -> None:
    v = _terraform(tmp_path, '"https://example.com"')
    assert v.is_known
    assert (v.known_prefix(), v.known_suffix()) == ("https://example.com", "https://example.com")
