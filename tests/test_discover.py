import json
import os
from pathlib import Path

import pytest

from iaclint.discover import discover


@pytest.fixture()
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "infra" / "modules" / "api").mkdir(parents=True)
    (tmp_path / "infra" / "main.tf").write_text('module "api" { source = "./modules/api" }\n')
    (tmp_path / "infra" / "terraform.tfvars").write_text('x = 1\n')
    (tmp_path / "infra" / "prod.auto.tfvars").write_text('x = 2\n')
    (tmp_path / "infra" / "modules" / "api" / "main.tf").write_text("")
    (tmp_path / "infra" / ".terraform").mkdir()
    (tmp_path / "infra" / ".terraform" / "x.tf").write_text("")
    (tmp_path / "lonely").mkdir()
    (tmp_path / "lonely" / "terraform.tfvars").write_text("")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "api.json").write_text(json.dumps(
        {"Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi"}}}))
    (tmp_path / "templates" / "arm.json").write_text(json.dumps(
        {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"}))
    (tmp_path / "templates" / "plan.json").write_text(json.dumps(
        {"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {}}))
    (tmp_path / "templates" / "package.json").write_text('{"name": "x"}')
    (tmp_path / "templates" / "broken.json").write_text('{"name": ')
    (tmp_path / "templates" / "app.yaml").write_text("a: 1\n")
    (tmp_path / "templates" / "main.bicep").write_text("param x string\n")
    (tmp_path / "templates" / "main.bicepparam").write_text("using 'main.bicep'\n")
    (tmp_path / "templates" / "notes.txt").write_text("")
    return tmp_path


def test_units_by_language(tree: Path) -> None:
    d = discover(["."])
    units = {(u.language, u.path.as_posix()) for u in d.units}
    assert units == {
        ("terraform", "infra"),
        ("terraform", "infra/modules/api"),
        ("cloudformation", "templates/api.json"),
        ("cloudformation", "templates/app.yaml"),
        ("arm", "templates/arm.json"),
        ("terraform-plan", "templates/plan.json"),
        ("bicep", "templates/main.bicep"),
    }
    infra = next(u for u in d.units if u.path.as_posix() == "infra")
    assert [f.name for f in infra.files] == ["main.tf", "prod.auto.tfvars", "terraform.tfvars"]
    skipped = dict(d.skipped)
    assert skipped["templates/package.json"] == "JSON that is not an infrastructure template"
    assert skipped["templates/broken.json"] == "not valid JSON"
    assert "variables file" in skipped["lonely/terraform.tfvars"]
    assert "Bicep parameters" in skipped["templates/main.bicepparam"]
    # .terraform is never scanned, and unrelated files are not mentioned.
    assert not any(".terraform" in str(u.path) for u in d.units)
    assert "templates/notes.txt" not in skipped


def test_excludes(tree: Path) -> None:
    d = discover(["."], excludes=["templates", "modules"])
    assert {u.path.as_posix() for u in d.units} == {"infra"}


def test_missing_path_fails_with_message(tree: Path) -> None:
    d = discover(["nope"])
    assert [(f.path, f.message) for f in d.failed] == [("nope", "path does not exist")]


def test_files_mode_brings_whole_unit(tree: Path) -> None:
    d = discover(["infra/terraform.tfvars"], files_mode=True)
    # With every Terraform directory of the tree, so a module is evaluated through its callers.
    assert [u.path.as_posix() for u in d.units] == ["infra", "infra/modules/api"]
    assert d.only_files == frozenset({str((tree / "infra" / "terraform.tfvars").resolve())})


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_symlinks_are_not_followed_out_of_root(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "evil.tf").write_text("")
    (tree / "infra" / "escape").symlink_to(outside, target_is_directory=True)
    (tree / "infra" / "loop").symlink_to(tree / "infra", target_is_directory=True)
    (tree / "infra" / "evil.tf").symlink_to(outside / "evil.tf")
    d = discover(["."])
    skipped = dict(d.skipped)
    assert "symbolic link to a directory" in skipped["infra/escape"]
    assert "symbolic link to a directory" in skipped["infra/loop"]
    assert skipped["infra/evil.tf"] == "symbolic link to a file outside the scanned directory"
    assert all("outside" not in str(f) for u in d.units for f in u.files)


def _os_walk_reference(top: Path) -> list[str]:
    """Files os.walk finds under `top` (sorted, links to directories not followed, skipped
    directories left out): the order and set the scandir walk must give."""
    from iaclint.discover import SKIP_DIRS

    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        dirnames[:] = [
            d for d in sorted(dirnames) if d not in SKIP_DIRS and not os.path.islink(os.path.join(dirpath, d))
        ]
        out += [os.path.join(dirpath, f) for f in sorted(filenames)]
    return out


def test_walk_visits_what_os_walk_visits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for d in ["b/z", "a/y", "a/.terraform", "a/node_modules/m", "c"]:
        (tmp_path / d).mkdir(parents=True)
    for f in ["b/z/main.tf", "a/y/t.bicep", "a/.terraform/x.tf", "a/node_modules/m/n.tf", "a/1.tf",
              "c/template.yaml", "c/other.txt", "a/y/p.bicepparam"]:  # fmt: skip
        (tmp_path / f).write_text("", encoding="utf-8")
    os.symlink(tmp_path / "b", tmp_path / "c" / "link-to-dir")
    os.symlink(tmp_path / "a" / "1.tf", tmp_path / "c" / "link.tf")
    found = discover(["."])
    files = [str(f) for u in found.units for f in u.files]
    readable = (".tf", ".bicep", ".yaml")
    expected_tf = [os.path.normpath(p) for p in _os_walk_reference(Path(".")) if p.endswith(readable)]
    assert sorted(files) == sorted(expected_tf)
    skipped = dict(found.skipped)
    assert skipped["c/link-to-dir"] == "symbolic link to a directory (not followed)"
    assert skipped["a/y/p.bicepparam"] == "Bicep parameters file (read with its template)"
