"""Helpers: write a Terraform configuration into a temporary directory and load it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from iaclint.discover import Unit
from iaclint.lang.options import TerraformOptions
from iaclint.lang.terraform import load
from iaclint.resources import LoadResult, Resource


def unit_for(d: Path) -> Unit:
    files = sorted(
        p
        for p in d.iterdir()
        if p.is_file()
        and (
            p.name.endswith((".tf", ".tf.json", ".auto.tfvars", ".auto.tfvars.json"))
            or p.name in ("terraform.tfvars", "terraform.tfvars.json")
        )
    )
    return Unit("terraform", d, tuple(files))


def write(d: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        p = d / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return d


def load_dirs(*dirs: Path, **options: Any) -> LoadResult:
    opts = TerraformOptions(
        var_files=tuple(options.get("var_files", ())), variables=dict(options.get("variables", {}))
    )
    return load([unit_for(d) for d in dirs], opts)


def by_address(result: LoadResult) -> dict[str, Resource]:
    return {r.address: r for r in result.resources}


@pytest.fixture
def tf(tmp_path: Path):  # type: ignore[no-untyped-def]
    """tf({"main.tf": "..."}) -> LoadResult for that directory as a root module."""

    def run(files: dict[str, str | bytes], **options: Any) -> LoadResult:
        write(tmp_path, files)
        return load_dirs(tmp_path, **options)

    run.dir = tmp_path  # type: ignore[attr-defined]
    return run


@pytest.fixture
def expr(tmp_path: Path):  # type: ignore[no-untyped-def]
    """expr('upper("a")', prelude='locals {...}') -> the Value of `a = <expr>` in a resource."""

    def run(source: str, prelude: str = "", files: dict[str, str] | None = None) -> Any:
        write(tmp_path, {"main.tf": f'{prelude}\nresource "t" "r" {{\n  a = {source}\n}}\n', **(files or {})})
        result = load_dirs(tmp_path)
        assert result.diagnostics == []
        (res,) = [r for r in result.resources if r.address == "t.r"]
        return res.body.get("a")

    return run
