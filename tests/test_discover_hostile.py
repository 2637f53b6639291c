"""Discovery and file accounting on hostile trees (issue 12, classes 2, 5 and 6): every file a user
would expect checked is scanned or failed, never silently skipped, and each is counted once under
the name the user's tree gives it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from pytest import MonkeyPatch

from deep_tree import make_deep_tree, remove_deep_tree
from iaclint.checks import CheckContext, run_checks
from iaclint.discover import FAILED, discover, sniff_json
from iaclint.engine import PARSE_RULE, ScanOptions, ScanResult, exit_code, scan
from iaclint.findings import Finding, Level
from iaclint.model.facts import Facts
from iaclint.rules import load_rules
from iaclint.source import Span

TLS10_TF = """\
resource "aws_api_gateway_domain_name" "legacy" {
  domain_name     = "legacy.example.com"
  security_policy = "TLS_1_0"
}
"""
ARM_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def _scan(root: Path, monkeypatch: MonkeyPatch, *paths: str) -> ScanResult:
    monkeypatch.chdir(root)
    return scan(ScanOptions(paths=list(paths) or ["."]))


def _records(result: ScanResult) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for r in result.files:
        out.setdefault(r.path, []).append((r.status, r.reason))
    return out


def test_dangling_link_is_failed_once_under_its_own_name(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    # Issue 12: a dangling `.bicep` link counted as scanned and failed at once, under the target's name.
    (tmp_path / "dangling.bicep").symlink_to("nowhere.bicep")
    (tmp_path / "gone.tf").symlink_to("missing/main.tf")
    result = _scan(tmp_path, monkeypatch)
    records = _records(result)
    assert records["dangling.bicep"] == [("failed", "symbolic link to a missing file")]
    assert records["gone.tf"] == [("failed", "symbolic link to a missing file")]
    assert not any("nowhere" in p for p in records)
    parse = [f for f in result.findings if f.rule_id == PARSE_RULE]
    assert sorted(f.span.path for f in parse) == ["dangling.bicep", "gone.tf"]
    assert exit_code(result, Level.WARNING) == 1


def test_linked_file_findings_are_shown_under_the_link(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    # Issue 12: a symlinked file was reported only under its target's name.
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "domain.tf.txt").write_text(TLS10_TF)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").symlink_to("../shared/domain.tf.txt")
    result = _scan(tmp_path, monkeypatch, ".")
    tls = [f for f in result.findings if f.rule_id == "IAC101"]
    assert [(f.span.path, f.span.line) for f in tls] == [("infra/main.tf", 3)]
    assert _records(result)["infra/main.tf"] == [("scanned", "")]


def test_link_out_of_the_scanned_directory_is_skipped_under_its_own_name(
    tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    (tmp_path / "outside.tf").write_text(TLS10_TF)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").symlink_to("../outside.tf")
    result = _scan(tmp_path, monkeypatch, "infra")
    assert _records(result)["infra/main.tf"] == [
        ("skipped", "symbolic link to a file outside the scanned directory")
    ]
    assert "outside.tf" not in _records(result)


@pytest.mark.parametrize("name", ["x.json", "template.json", "azuredeploy.json"])
def test_fifo_json_is_failed_without_blocking(tmp_path: Path, monkeypatch: MonkeyPatch, name: str) -> None:
    os.mkfifo(tmp_path / name)
    (tmp_path / "main.tf").write_text(TLS10_TF)
    result = _scan(tmp_path, monkeypatch)
    assert _records(result)[name] == [("failed", "a named pipe (FIFO), not a regular file; not read")]
    assert any(f.rule_id == "IAC101" for f in result.findings)


def test_unreadable_json_is_failed_not_skipped_as_invalid(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    # Issue 12: an unreadable JSON template was "skipped: not valid JSON".
    target = tmp_path / "azuredeploy.json"
    target.write_text(json.dumps({"$schema": ARM_SCHEMA, "resources": []}))
    real_open = os.open

    def deny(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith("azuredeploy.json"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", deny)
    result = _scan(tmp_path, monkeypatch)
    assert _records(result)["azuredeploy.json"] == [("failed", "cannot read file: Permission denied")]
    assert exit_code(result, Level.WARNING) == 1


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [
        ('{\n  "$schema": "' + ARM_SCHEMA + '",\n  "resources": [\n    {,}\n  ]\n}\n', "ARM", 4),
        ('{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {\n    "A": {"Type": }\n',
         "CloudFormation", 4),
        ('{\n  "Resources": {\n    "Api": {"Type": "AWS::ApiGateway::RestApi",,}\n  }\n}\n',
         "CloudFormation", 3),
        ('{"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {\n',
         "Terraform plan", 2),
    ],
)  # fmt: skip
def test_broken_template_json_is_failed_with_its_line(
    tmp_path: Path, monkeypatch: MonkeyPatch, text: str, kind: str, line: int
) -> None:
    (tmp_path / "t.json").write_text(text)
    sniffed = sniff_json(tmp_path / "t.json")
    assert sniffed.language == FAILED
    assert sniffed.reason.startswith(f"invalid JSON in {kind} template: ")
    assert sniffed.line == line


@pytest.mark.parametrize(
    "text",
    [
        '{\n  // editor settings\n  "compilerOptions": {}\n}\n',  # tsconfig-style JSON with comments
        '{"description": "\\"$schema\\": deploymentTemplate", oops}',  # the marker only inside a string
    ],
)
def test_other_broken_json_is_still_skipped(tmp_path: Path, text: str) -> None:
    (tmp_path / "t.json").write_text(text)
    sniffed = sniff_json(tmp_path / "t.json")
    assert (sniffed.language, sniffed.reason) == (None, "not valid JSON")


def test_template_too_large_to_read_is_failed_other_json_skipped(tmp_path: Path) -> None:
    # Issue 12: an ARM template over the size limit was skipped with exit 0, so its violations passed.
    arm = tmp_path / "azuredeploy.json"
    data = tmp_path / "data.json"
    for path, head in ((arm, '{"$schema": "' + ARM_SCHEMA + '", "resources": ['), (data, '{"rows": [')):
        with open(path, "wb") as fh:
            fh.write(head.encode())
            fh.truncate(21 * 1024 * 1024)  # sparse: over the 20 MB limit without writing it
    sniffed = sniff_json(arm)
    assert sniffed.language == FAILED and sniffed.reason.startswith("ARM template file is larger than 20 MB")
    skipped = sniff_json(data)
    assert skipped.language is None and skipped.reason.startswith("JSON is larger than 20 MB")


def test_deep_tree_is_scanned_without_a_traceback(
    tmp_path: Path, monkeypatch: MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    # Issue 12: very deep directory trees raised RecursionError while paths were resolved.
    depth = 1300
    make_deep_tree(tmp_path, depth, "main.tf", TLS10_TF)
    request.addfinalizer(lambda: remove_deep_tree(tmp_path, depth, "main.tf"))
    result = _scan(tmp_path, monkeypatch)
    assert [f.rule_id for f in result.findings] == ["IAC101"]
    assert result.findings[0].span.path.count("d/") == depth


def test_discovery_accepts_the_scan_roots(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"$schema": ARM_SCHEMA, "resources": []}))
    monkeypatch.chdir(tmp_path)
    found = discover(["."])
    assert [u.language for u in found.units] == ["arm"]


# -- findings per resource are capped -------------------------------------------------------------


def test_findings_per_resource_and_rule_are_capped(monkeypatch: MonkeyPatch) -> None:
    # Issue 12: a SAM DefinitionBody bomb gave 281,204 findings. One resource lists at most
    # `findings_per_resource_rule` findings per rule; one more finding counts the rest.
    import iaclint.checks as checks

    rule = load_rules()["IAC601"]

    def flood(facts: Facts, ctx: CheckContext):  # type: ignore[no-untyped-def]
        for i in range(5000):
            yield Finding(
                rule_id=rule.id, level=Level.NOTE if i < 4000 else Level.ERROR, message=f"operation {i}",
                span=Span("t.yaml", i + 1, 1, i + 1, 2), address="t.yaml#Api", attribute=f"paths.{i}",
                unknown=i < 4000,
            )  # fmt: skip
        yield Finding(rule_id=rule.id, level=Level.ERROR, message="other", span=Span("t.yaml", 1, 1, 1, 2),
                      address="t.yaml#Other", attribute="x")  # fmt: skip

    monkeypatch.setattr(checks, "registry", lambda: {rule.id: checks.Registered(flood, frozenset())})
    out = list(run_checks(Facts(), {rule.id: rule}, {}))
    on_api = [f for f in out if f.address == "t.yaml#Api"]
    assert len(on_api) == 51
    more = on_api[-1]
    assert more.message.startswith("4950 more findings of this rule on t.yaml#Api not listed (at most 50")
    assert more.level is Level.ERROR and not more.unknown  # the worst of those not listed
    assert more.attribute == "paths.50 (more)"
    assert [f.address for f in out].count("t.yaml#Other") == 1


def test_skips_that_may_hide_infrastructure_are_said_in_every_report(
    tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    # Issue 12: "a skip that can hide a violation says why in the summary".
    import jsonschema

    from iaclint.report import json as json_report
    from iaclint.report import sarif, text

    (tmp_path / "outside.tf").write_text(TLS10_TF)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").symlink_to("../outside.tf")
    (tmp_path / "infra" / "vars.txt").write_text("")
    with open(tmp_path / "infra" / "big.json", "wb") as fh:
        fh.write(b'{"rows": [')
        fh.truncate(21 * 1024 * 1024)
    result = _scan(tmp_path, monkeypatch, "infra")
    assert {r.path for r in result.files if r.unchecked} == {"infra/main.tf", "infra/big.json"}
    summary = text.render(result).splitlines()
    assert summary[-3] == (
        "2 skipped files may hold infrastructure that was not checked (JSON is larger than 20 MB; "
        "symbolic link to a file outside the scanned directory); -v lists them."
    )
    doc = json.loads(json_report.render(result))
    schema = json.loads((Path(__file__).parents[1] / "docs" / "iaclint-report.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert [f["path"] for f in doc["files"] if f.get("unchecked")] == ["infra/big.json", "infra/main.tf"]
    notes = json.loads(sarif.render(result))["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    warned = [n for n in notes if n["message"]["text"].startswith("skipped, may hold infrastructure")]
    assert [n["level"] for n in warned] == ["warning", "warning"]


@pytest.mark.parametrize(
    "schema",
    [
        "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
        "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#",
        "https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#",
        "https://schema.management.azure.com/schemas/2019-04-01/DEPLOYMENTTEMPLATE.json#",
    ],
)
def test_every_arm_template_schema_is_an_arm_template(tmp_path: Path, schema: str) -> None:
    # Subscription, management group and tenant templates were skipped as "not an infrastructure
    # template" (31 files and 11 findings of the Bicep registry, two of them TLS 1.0).
    (tmp_path / "main.json").write_text(json.dumps({"$schema": schema, "resources": []}))
    assert sniff_json(tmp_path / "main.json").language == "arm"
    (tmp_path / "broken.json").write_text('{"$schema": "' + schema + '", "resources": [,]}')
    assert sniff_json(tmp_path / "broken.json").language == FAILED


def test_arm_template_with_comments_is_read_not_failed(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    (tmp_path / "azuredeploy.json").write_text(
        '{\n  "$schema": "' + ARM_SCHEMA + '",\n'
        '  // the gateway\n'
        '  "resources": [\n'
        '    {\n'
        '      "type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim",\n'
        '      "properties": {\n'
        '        "customProperties": {\n'
        '          "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10": "[\n'
        "            concat('Tr', 'ue')]\"\n"
        '        }\n'
        '      }\n'
        '    }\n'
        '  ]\n'
        '}\n'
    )
    assert sniff_json(tmp_path / "azuredeploy.json").language == "arm"
    result = _scan(tmp_path, monkeypatch)
    assert [(f.rule_id, f.span.line) for f in result.findings if f.rule_id in ("IAC001", "IAC101")] == [
        ("IAC101", 9)
    ]
