"""API Management policies read from files (Terraform `file()`/`templatefile()`, Bicep
`loadTextContent()`): the findings a policy causes stay at the template, where the file is read, and
point into the file (related locations: the element that decided, or the document of each scope that
could add what is missing), so pre-commit (`scan --files <the xml>`) reports what a change to the
file causes. End to end, in temporary git repositories made from `fixtures/*/azure/policy-files`."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from iaclint.cli import main
from iaclint.discover import UNREFERENCED_XML, discover, root_element
from iaclint.findings import Finding, Level, Related
from iaclint.source import Span

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ROOT = Path(__file__).resolve().parent.parent
# Per language: the template, and the lines where it reads the secure and the open API's policy.
CASES = {"terraform": ("infra/main.tf", 35, 51), "bicep": ("infra/main.bicep", 41, 59)}
MOST_SPECIFIC = "API policy, the most specific scope of the effective policy"
GLOBAL_PART = ("infra/policies/global.xml", 2, 3, "global policy, part of the effective policy")

Brief = tuple[str, str, int, list[tuple[str, int, int, str]]]


@pytest.fixture(params=sorted(CASES))
def repo(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A repository holding the language's `policy-files` fixture under `infra/`; the language."""
    language: str = request.param
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "fixtures" / language / "azure" / "policy-files", root / "infra")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root)
    return language


def scan(*args: str) -> tuple[int, list[dict[str, Any]], dict[str, tuple[str, str]]]:
    """Exit code, findings and file records of `iaclint scan --format json ARGS`."""
    result = CliRunner().invoke(main, ["scan", "--format", "json", *args], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    out = json.loads(result.stdout)
    return result.exit_code, out["findings"], {f["path"]: (f["status"], f["reason"]) for f in out["files"]}


def brief(f: dict[str, Any]) -> Brief:
    related = [(r["path"], r["start_line"], r["start_column"], r["message"]) for r in f["related"]]
    return f["rule_id"], f["path"], f["start_line"], related


def open_api(language: str) -> Brief:
    """The finding of the fixture: the open API's policy has no validate-jwt; its own policy (the
    most specific scope) and the global one are the files that could add it."""
    template, _, line = CASES[language]
    return "IAC601", template, line, [("infra/policies/open.xml", 2, 3, MOST_SPECIFIC), GLOBAL_PART]


def write(path: str, text: str) -> None:
    Path(path).write_text(text, encoding="utf-8")


def test_full_scan_points_into_the_policy_files(repo: str) -> None:
    code, found, files = scan("infra")
    assert (code, [brief(f) for f in found]) == (1, [open_api(repo)])
    # Every policy file is read with the template.
    for name in ("global", "secure", "open"):
        assert files[f"infra/policies/{name}.xml"] == ("scanned", "")


def test_changed_policy_file_fails_the_hook(repo: str) -> None:
    code, found, files = scan("--files", "infra/policies/open.xml")
    assert (code, [brief(f) for f in found]) == (1, [open_api(repo)])
    # The summary accounts for the file passed: read with the template.
    assert files == {"infra/policies/open.xml": ("scanned", "")}


def test_changed_global_policy_reports_the_apis_it_reaches(repo: str) -> None:
    # The global policy is part of the open API's effective policy (its <inbound> keeps <base/>).
    code, found, _ = scan("--files", "infra/policies/global.xml")
    assert (code, [brief(f) for f in found]) == (1, [open_api(repo)])


def test_hook_gives_what_the_full_scan_gives(repo: str) -> None:
    _, whole, _ = scan("infra")
    _, hooked, _ = scan("--files", "infra/policies/open.xml")
    # The same findings, byte for byte (fingerprints included): those with a place in the file.
    assert hooked == [f for f in whole if any(r["path"] == "infra/policies/open.xml" for r in f["related"])]
    assert hooked


def test_compliant_policy_change_reports_nothing(repo: str) -> None:
    write("infra/policies/secure.xml", Path("infra/policies/secure.xml").read_text() + "<!-- reviewed -->\n")
    assert scan("--files", "infra/policies/secure.xml") == (
        0, [], {"infra/policies/secure.xml": ("scanned", "")}
    )


def test_removing_validate_jwt_fails_the_hook(repo: str) -> None:
    template, line, _ = CASES[repo]
    write(
        "infra/policies/secure.xml",
        "<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>\n",
    )
    code, found, _ = scan("--files", "infra/policies/secure.xml")
    expected = ("IAC601", template, line, [("infra/policies/secure.xml", 2, 3, MOST_SPECIFIC), GLOBAL_PART])
    assert (code, [brief(f) for f in found]) == (1, [expected])


def test_weak_validate_jwt_points_at_the_element(repo: str) -> None:
    template, line, _ = CASES[repo]
    text = Path("infra/policies/secure.xml").read_text()
    write("infra/policies/secure.xml", text.replace("<audience>api://orders</audience>", ""))
    code, found, _ = scan("--files", "infra/policies/secure.xml")
    element = ("infra/policies/secure.xml", 4, 5, "<validate-jwt> in the policy file")
    expected = ("IAC602", template, line, [element])
    assert (code, [brief(f) for f in found]) == (1, [expected])


def test_conditional_rate_limit_points_at_the_element(repo: str) -> None:
    # The only rate limit runs for some requests: a note that points at it, in the global policy.
    write(
        "infra/policies/global.xml",
        "<policies>\n  <inbound>\n    <choose>\n      <when condition=\"@(true)\">\n"
        '        <rate-limit calls="100" renewal-period="60" />\n      </when>\n    </choose>\n'
        "  </inbound>\n</policies>\n",
    )
    _, found, _ = scan("--files", "infra/policies/global.xml", "--select", "IAC811")
    template, secure, open_line = CASES[repo]
    # The conditional element, then where an unconditional one could go.
    where = ("infra/policies/global.xml", 5, 9, "<rate-limit> in the policy file")
    def api(name: str) -> list[tuple[str, int, int, str]]:
        return [where, (f"infra/policies/{name}.xml", 2, 3, MOST_SPECIFIC), GLOBAL_PART]

    assert sorted(brief(f) for f in found) == [
        ("IAC811", template, secure, api("secure")), ("IAC811", template, open_line, api("open"))
    ]
    assert {f["level"] for f in found} == {"note"}


def test_policy_file_no_template_reads_is_skipped_and_said_so(repo: str) -> None:
    write("infra/policies/unused.xml", "<policies><inbound /></policies>\n")
    assert scan("--files", "infra/policies/unused.xml") == (
        0, [], {"infra/policies/unused.xml": ("skipped", UNREFERENCED_XML)}
    )


def test_other_xml_is_skipped_without_evaluating_the_repository(repo: str) -> None:
    # A build file changes: it is no policy, so no template is even loaded to find its readers.
    write("infra/pom.xml", '<?xml version="1.0"?>\n<!-- build -->\n<project><modelVersion/></project>\n')
    assert discover(["infra/pom.xml"], files_mode=True).units == []
    reason = "XML whose root element is <project>, not an API Management policy (<policies> or <fragment>)"
    assert scan("--files", "infra/pom.xml") == (0, [], {"infra/pom.xml": ("skipped", reason)})
    # With a template that changed too, only what that change reaches is evaluated, as before.
    assert not discover(["infra/pom.xml", CASES[repo][0]], files_mode=True).read_anywhere
    # A policy (or a fragment) brings every Terraform directory and Bicep file, all evaluated.
    found = discover(["infra/policies/open.xml"], files_mode=True)
    assert [u.path.name for u in found.units] == ["infra" if repo == "terraform" else "main.bicep"]
    assert found.read_anywhere


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ("<policies><inbound/></policies>", "policies"),
        ('\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n<!-- a <fragment> -->\n<fragment>', "fragment"),
        ("<!DOCTYPE project>\n<project xmlns='urn:x'>", "project"),
        ("  <policies/>", "policies"),
        # Cannot be told: followed as a policy, whose reader says what is wrong with it.
        ("", None),
        ("%{ if x }<policies>", None),
        ("<!-- not closed", None),
        ("<", None),
    ],
)
def test_root_element(text: str, root: str | None) -> None:
    assert root_element(text) == root


def test_a_long_root_element_is_named_in_part(tmp_path: Path) -> None:
    from iaclint.discover import not_a_policy

    path = tmp_path / "big.xml"
    path.write_text("<" + "x" * 5000 + " a='1'/>", encoding="utf-8")
    assert not_a_policy(path) == (
        f"XML whose root element is <{'x' * 64}…>, not an API Management policy (<policies> or <fragment>)"
    )


def test_templatefile_policy_points_at_the_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Rendered text: the file is known, positions in it are not, so the finding points at its start.
    shutil.copytree(ROOT / "fixtures" / "terraform" / "azure" / "policy-files", tmp_path / "infra")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)
    main_tf = Path("infra/main.tf")
    write(str(main_tf), main_tf.read_text().replace(
        'file("${path.module}/policies/open.xml")',
        'templatefile("${path.module}/policies/open.xml.tftpl", { header = "X-Api" })',
    ))
    template = Path("infra/policies/open.xml").read_text().replace("X-Api", "${header}")
    write("infra/policies/open.xml.tftpl", template)
    code, found, _ = scan("--files", "infra/policies/open.xml.tftpl", "infra/main.tf")
    related = [("infra/policies/open.xml.tftpl", 1, 1, MOST_SPECIFIC), GLOBAL_PART]
    assert (code, [brief(f) for f in found]) == (1, [("IAC601", "infra/main.tf", 51, related)])


def test_policy_made_from_a_file_points_at_its_start(repo: str) -> None:
    # replace() makes a new text of the file's: the file is known, positions in it are not.
    template, _, line = CASES[repo]
    read = {
        "terraform": 'file("${path.module}/policies/open.xml")',
        "bicep": "loadTextContent('policies/open.xml')",
    }
    made = {"terraform": 'replace({}, "X-Api", "X-Open")', "bicep": "replace({}, 'X-Api', 'X-Open')"}
    text = Path(template).read_text()
    write(template, text.replace(read[repo], made[repo].format(read[repo])))
    code, found, _ = scan("--files", "infra/policies/open.xml")
    related = [("infra/policies/open.xml", 1, 1, MOST_SPECIFIC), GLOBAL_PART]
    assert (code, [brief(f) for f in found]) == (1, [("IAC601", template, line, related)])


def test_related_locations_leave_fingerprints_alone() -> None:
    # A baseline written before policies gained related locations still matches.
    f = Finding("IAC601", Level.ERROR, "m", Span("main.tf", 51, 3, 51, 40), "azurerm_api_management_api.open",
                "azurerm_api_management_api", "policy")
    again = replace(f, related=(Related(Span("policies/open.xml", 2, 3, 2, 12), MOST_SPECIFIC),))
    assert again.fingerprint() == f.fingerprint()
