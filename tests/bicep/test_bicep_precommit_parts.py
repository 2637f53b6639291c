"""Pre-commit (`scan --files x.bicep`) on a repository of many Bicep files: only the entry files
whose module closure holds a changed file are loaded (the others are read for their module calls
only), and what is reported is what the whole repository loaded at once reports for that change."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from iaclint import engine, report
from iaclint.engine import ScanOptions, scan

EDGE = """param name string
param tls string = 'TLS10'

resource profile 'Microsoft.Cdn/profiles@2024-02-01' = {
  name: name
  location: 'global'
  sku: {
    name: 'Premium_AzureFrontDoor'
  }
}

resource domain 'Microsoft.Cdn/profiles/customDomains@2024-02-01' = {
  parent: profile
  name: '${name}-domain'
  properties: {
    hostName: 'api.${name}.example.com'
    tlsSettings: {
      certificateType: 'ManagedCertificate'
      minimumTlsVersion: tls
    }
  }
}
"""


def _consumer(i: int) -> str:
    tls = "TLS12" if i % 2 else "TLS10"
    return (
        f"module edge '../shared/edge.bicep' = {{\n  name: 'e{i}'\n"
        f"  params: {{\n    name: 'c{i}'\n    tls: '{tls}'\n  }}\n}}\n"
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    files = {"shared/edge.bicep": EDGE}
    for i in range(6):
        files[f"consumers/c{i}.bicep"] = _consumer(i)
    # A two-level closure: the root calls a module that calls the shared one.
    files["nested/root.bicep"] = "module mid 'mid/mid.bicep' = {\n  name: 'mid'\n}\n"
    files["nested/mid/mid.bicep"] = (
        "module edge '../../shared/edge.bicep' = {\n  name: 'e'\n  params: {\n    name: 'n'\n  }\n}\n"
    )
    for i in range(30):
        files[f"other/o{i:02d}.bicep"] = EDGE.replace("param name string", f"param name string = 'o{i}'")
    root = tmp_path / "repo"
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root)
    return root


def _loaded(changed: str) -> tuple[list[str], str]:
    """The entry files the scan loaded (part by part) and its JSON report."""
    parts: list[Any] = []
    result = scan(ScanOptions(paths=[changed], files_mode=True), parts_out=parts)
    units = sorted({u for loaded, _ in parts for u in loaded.files_read if u.endswith(".bicep")})
    here = Path.cwd().resolve()
    return [Path(u).relative_to(here).as_posix() for u in units], report.render("json", result)


def _whole(changed: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The report when every Bicep file is loaded in one part (the loader then finds the entry files
    the change reaches by itself)."""
    with monkeypatch.context() as m:
        m.setattr(engine, "_PART_FILES", 10**9)
        return report.render("json", scan(ScanOptions(paths=[changed], files_mode=True)))


def _addresses(json_report: str) -> list[str]:
    import json

    return [f["address"] for f in json.loads(json_report)["findings"]]


def test_a_changed_module_loads_only_the_entry_files_that_reach_it(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded, out = _loaded("shared/edge.bicep")
    assert loaded == [
        "consumers/c0.bicep", "consumers/c1.bicep", "consumers/c2.bicep",
        "consumers/c3.bicep", "consumers/c4.bicep", "consumers/c5.bicep",
        "nested/mid/mid.bicep", "nested/root.bicep", "shared/edge.bicep",
    ]
    # Reported through every caller: the resource's file changed.
    assert _addresses(out) == _addresses(_whole("shared/edge.bicep", monkeypatch))
    assert "nested/root.bicep#module.mid.module.edge.domain" in _addresses(out)
    assert out == _whole("shared/edge.bicep", monkeypatch)


def test_a_changed_entry_file_loads_its_own_closure(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded, out = _loaded("consumers/c0.bicep")
    assert loaded == ["consumers/c0.bicep", "shared/edge.bicep"]
    # The entry file changed: its module's findings are reported, not those of other callers.
    assert sorted(set(_addresses(out))) == [
        "consumers/c0.bicep#module.edge.domain", "consumers/c0.bicep#module.edge.profile",
    ]
    assert out == _whole("consumers/c0.bicep", monkeypatch)


def test_a_changed_module_in_the_middle(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded, out = _loaded("nested/mid/mid.bicep")
    assert loaded == ["nested/mid/mid.bicep", "nested/root.bicep", "shared/edge.bicep"]
    assert out == _whole("nested/mid/mid.bicep", monkeypatch)
