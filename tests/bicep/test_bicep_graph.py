"""`module_calls` for Bicep (lang/bicep/graph.py): which local files each entry file calls as
modules, read from its statements without evaluating anything; and the engine's grouping of entry
files with the modules they call, which lets Bicep scans stream part by part."""

from __future__ import annotations

import os
from pathlib import Path

from iaclint import engine
from iaclint.discover import Unit, discover
from iaclint.engine import ScanOptions
from iaclint.fileaccess import ScanRoots
from iaclint.lang.bicep import module_calls
from iaclint.lang.options import BicepOptions

FILES = {
    # Relative paths, a nested folder, a folder above; registry and template spec references,
    # interpolated paths and look-alikes in comments and strings are no calls.
    "main.bicep": (
        "module a 'modules/a.bicep' = {\n  name: 'a'\n}\n"
        "module s '../shared/s.bicep' = {\n  name: 's'\n}\n"
        "module r 'br/public:avm/res/api-management/service:0.9.0' = {\n  name: 'r'\n}\n"
        "module p 'br:contoso.azurecr.io/bicep/apim:1.0' = {\n  name: 'p'\n}\n"
        "module t 'ts:00000000-0000-0000-0000-000000000000/rg/spec:1.0' = {\n  name: 't'\n}\n"
        "param env string\n"
        "module d 'modules/${env}.bicep' = {\n  name: 'd'\n}\n"
        "// module c 'modules/commented.bicep' = {}\n"
        "var text = 'module q \\'modules/quoted.bicep\\' = {}'\n"
        "module arm 'modules/compiled.json' = {\n  name: 'arm'\n}\n"
    ),
    "modules/a.bicep": "module child './nested/child.bicep' = {\n  name: 'c'\n}\n",
    "modules/nested/child.bicep": "param x string = 'leaf'\n",
    # A cycle: each calls the other; and one calling itself.
    "loop/x.bicep": "module y 'y.bicep' = {\n  name: 'y'\n}\n",
    "loop/y.bicep": "module x './x.bicep' = {\n  name: 'x'\n}\n",
    "self.bicep": "module me 'self.bicep' = {\n  name: 'me'\n}\n",
    # A module file that is not there, and one outside the scan root.
    "missing.bicep": "module gone 'modules/gone.bicep' = {\n  name: 'g'\n}\n",
    "escape.bicep": "module out '../../outside.bicep' = {\n  name: 'o'\n}\n",
}


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo" / "infra"
    for name, text in FILES.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    (tmp_path / "repo" / "shared").mkdir()
    (tmp_path / "repo" / "shared" / "s.bicep").write_text("param y string = 's'\n", encoding="utf-8")
    (tmp_path / "outside.bicep").write_text("param z string = 'z'\n", encoding="utf-8")
    return root


def _relative(calls: dict[str, set[str]], base: Path) -> dict[str, list[str]]:
    real = os.path.realpath(base)
    return {
        os.path.relpath(k, real): sorted(os.path.relpath(t, real) for t in v) for k, v in calls.items()
    }


def test_module_calls_are_the_local_files_module_statements_name(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    units = [Unit("bicep", root / name, (root / name,)) for name in FILES]
    calls = module_calls(units, BicepOptions(ScanRoots((os.path.realpath(tmp_path / "repo"),))))
    assert _relative(calls, root) == {
        "main.bicep": ["../shared/s.bicep", "modules/a.bicep", "modules/compiled.json"],
        "modules/a.bicep": ["modules/nested/child.bicep"],
        "modules/nested/child.bicep": [],
        "loop/x.bicep": ["loop/y.bicep"],
        "loop/y.bicep": ["loop/x.bicep"],
        "self.bicep": ["self.bicep"],
        # Named, though not there: a change to it (a new file) reaches its caller.
        "missing.bicep": ["modules/gone.bicep"],
        # Outside the scan root: never read, by the loader or by anyone.
        "escape.bicep": [],
    }


def test_an_entry_file_that_cannot_be_read_calls_nothing(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "bad.bicep").write_bytes(b"module a 'modules/a.bicep' = {\n  name: '\xff'\n}\n")
    (root / "nul.bicep").write_bytes(b"module a 'modules/a.bicep' = {}\x00\n")
    (root / "deep.bicep").write_text("module a 'modules/a.bicep' = {\n x: " + "[" * 5000 + "\n}\n")
    os.symlink(tmp_path / "outside.bicep", root / "link.bicep")
    names = ["bad.bicep", "nul.bicep", "deep.bicep", "link.bicep", "gone.bicep"]
    units = [Unit("bicep", root / n, (root / n,)) for n in names]
    calls = module_calls(units, BicepOptions(ScanRoots((os.path.realpath(tmp_path / "repo"),))))
    # Not UTF-8, binary, nested past the parser's bound, linked out of the scan root, not there.
    assert list(calls.values()) == [set()] * 5
    assert len(calls) == 5


def test_entry_files_are_grouped_with_the_modules_they_call(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    units = discover([str(root)], []).units
    groups = engine._linked("bicep", units, ScanOptions(paths=[str(root)]))
    names = [[u.path.relative_to(root).as_posix() for u in g] for g in groups]
    # Each file nobody calls with what it calls, transitively; then, together, the files only a
    # cycle reaches (the loader evaluates the first of them as a root).
    assert names == [
        ["escape.bicep"],
        ["main.bicep", "modules/a.bicep", "modules/nested/child.bicep"],
        ["missing.bicep"],
        ["loop/x.bicep", "loop/y.bicep", "self.bicep"],
    ]
