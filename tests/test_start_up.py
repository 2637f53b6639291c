"""The one-file scan (what pre-commit runs on every commit) imports what the file's language needs and
nothing else: a Terraform file never imports PyYAML or the Azure model, a Bicep or ARM file never
imports the AWS model, and no scan imports what only a rarer path uses (a configuration file's
TOML reader, OpenSSL for hash functions, `importlib.resources`, `string` for the rule pack's
tests). A Terraform or ARM file does not import base64 either (only their base64 functions use it;
PyYAML and the Bicep evaluator import it for themselves).

Each case runs `iaclint scan --files` in a fresh interpreter and lists the modules it imported."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import iaclint

ROOT = Path(__file__).resolve().parent.parent

# Run the command line as pre-commit does, then list the modules the process imported.
_PROBE = """
import json, sys
from iaclint.cli import main
try:
    main.main(args=sys.argv[1:], prog_name="iaclint")
except SystemExit:
    pass
sys.stdout.flush()
sys.stderr.write(json.dumps(sorted(sys.modules)))
"""

# Never imported by a one-file scan of any language without a configuration file.
NEVER = {"tomllib", "hashlib", "importlib.resources", "zipfile", "tempfile", "multiprocessing", "string",
         "concurrent.futures", "pickle", "selectors", "traceback"}  # (the last four: only with workers)


def _options_of(modules: set[str]) -> set[str]:
    """The languages whose loader options class was imported (`iaclint.lang.options.<language>`)."""
    prefix = "iaclint.lang.options."
    return {m.removeprefix(prefix) for m in modules if m.startswith(prefix)}


def _imported(tmp_path: Path, fixture: str, name: str) -> set[str]:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "fixtures" / fixture, repo)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    # The package under test, wherever the test run found it (a relative PYTHONPATH would not
    # hold in the repository's directory).
    env = {**os.environ, "PYTHONPATH": str(Path(iaclint.__file__).resolve().parents[1])}
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, "scan", "--files", name],
        cwd=repo, capture_output=True, text=True, check=False, env=env,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return set(json.loads(proc.stderr.splitlines()[-1]))


pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def test_terraform_file(tmp_path: Path) -> None:
    modules = _imported(tmp_path, "terraform/aws/cloudfront-origins", "main.tf")
    assert "iaclint.lang.terraform.loader" in modules
    assert "iaclint.model.aws.model" in modules
    assert not {m for m in modules if m == "yaml" or m.startswith("yaml.")}
    assert not {m for m in modules if m.startswith(("iaclint.model.azure", "iaclint.lang.bicep"))}
    assert _options_of(modules) == {"terraform"}
    assert "base64" not in modules  # only Terraform's base64 functions need it
    assert not modules & NEVER


def test_cloudformation_template(tmp_path: Path) -> None:
    modules = _imported(tmp_path, "cloudformation/aws/cloudfront-origins", "template.yaml")
    assert "yaml" in modules  # its own language: the template is YAML
    assert "iaclint.model.aws.model" in modules
    assert not {m for m in modules if m.startswith(("iaclint.model.azure", "iaclint.lang.terraform"))}
    assert _options_of(modules) == {"cloudformation"}
    assert not modules & NEVER


def test_bicep_file(tmp_path: Path) -> None:
    modules = _imported(tmp_path, "bicep/azure/apim-compliant", "main.bicep")
    assert "iaclint.model.azure.entities" in modules
    assert not {m for m in modules if m.startswith(("iaclint.model.aws", "iaclint.lang.terraform"))}
    assert not {m for m in modules if m == "yaml" or m.startswith("yaml.")}
    assert _options_of(modules) == {"bicep", "arm"}  # a Bicep module may be a compiled ARM template
    assert not modules & NEVER


def test_arm_template(tmp_path: Path) -> None:
    modules = _imported(tmp_path, "arm/azure/apim-existing", "azuredeploy.json")
    assert "iaclint.lang.arm" in modules
    assert not {m for m in modules if m.startswith(("iaclint.model.aws", "iaclint.lang.bicep"))}
    assert not {m for m in modules if m == "yaml" or m.startswith("yaml.")}
    assert _options_of(modules) == {"arm"}
    assert "base64" not in modules  # only ARM's base64() needs it
    assert not modules & NEVER


# The entry point (`python -m iaclint`, the `iaclint` command) turns the collector off before it
# imports click or the command line; importing it imports neither.
_ENTRY_PROBE = """
import gc, sys
import iaclint.__main__ as entry
sys.stderr.write(f"imported: {sorted(m for m in ('click', 'iaclint.cli') if m in sys.modules)}\\n")

class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "click":
            sys.stderr.write(f"collector at click's import: {gc.isenabled()}\\n")
        return None

sys.meta_path.insert(0, Watch())
sys.argv = ["iaclint", "--version"]
entry.run()
"""


def test_entry_point_collector_off_before_imports() -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(iaclint.__file__).resolve().parents[1])}
    proc = subprocess.run([sys.executable, "-c", _ENTRY_PROBE], capture_output=True, text=True,
                          check=False, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == ["imported: []", "collector at click's import: False"]
    assert proc.stdout == f"iaclint, version {iaclint.__version__}\n"


def test_console_script_is_the_entry_point() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"] == {"iaclint": "iaclint.__main__:run"}


# Classes a one-file scan defines with `dataclasses.dataclass` (which compiles each method it
# generates while the module is imported) rather than `iaclint.records.record`: hashed and compared
# on hot paths (Span, Value), frozen as tests require (loader options), or not yet converted.
_DATACLASS_PROBE = """
import dataclasses, sys
from iaclint.cli import main
from iaclint import records
try:
    main.main(args=sys.argv[1:], prog_name="iaclint")
except SystemExit:
    pass
found = set()
for name, module in list(sys.modules.items()):
    if name.startswith("iaclint"):
        for value in vars(module).values():
            if (isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == name
                    and "__repr__" in value.__dict__ and value.__repr__ is not records._repr):
                found.add(f"{name}.{value.__qualname__}")
sys.stderr.write(" ".join(sorted(found)) + "\\n")
"""
COMPILED_DATACLASSES = {
    "iaclint.source.Span", "iaclint.values.Value", "iaclint.lang.options.terraform.TerraformOptions",
}


@pytest.mark.skipif(os.environ.get("IACLINT_STRICT_RECORDS") == "1", reason="records are dataclasses")
def test_one_file_scan_defines_records_not_dataclasses(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "fixtures" / "terraform/aws/cloudfront-origins", tmp_path / "repo")
    env = {**os.environ, "PYTHONPATH": str(Path(iaclint.__file__).resolve().parents[1])}
    proc = subprocess.run([sys.executable, "-c", _DATACLASS_PROBE, "scan", "--files", "main.tf"],
                          cwd=tmp_path / "repo", capture_output=True, text=True, check=False, env=env)
    assert set(proc.stderr.splitlines()[-1].split()) == COMPILED_DATACLASSES
