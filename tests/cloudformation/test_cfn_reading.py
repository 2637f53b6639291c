"""Hostile input at the door (issue 12): what the CloudFormation loader reads, and how.

A template is read through the guarded reader (inside the scan roots, regular files only, bounded
while reading); a parameter file named on the command line is read wherever it is, but only as a
regular file and bounded; a bug in the loader reaches the engine as an internal error naming the
file instead of hiding as "could not read".
"""

from __future__ import annotations

import json
import os
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from iaclint import engine
from iaclint.budget import LIMITS, Limits
from iaclint.discover import Unit
from iaclint.fileaccess import ScanRoots
from iaclint.lang import cloudformation
from iaclint.lang.cloudformation import load, load_template
from iaclint.lang.options import CloudFormationOptions
from iaclint.resources import LoadResult

TEMPLATE = (
    "AWSTemplateFormatVersion: '2010-09-09'\n"
    "Parameters:\n  Stage: {Type: String, Default: dev}\n"
    "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Stage\n"
)
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")


def within(seconds: float, fn: Callable[[], LoadResult]) -> LoadResult:
    """`fn()`, failing the test (rather than hanging it) when it blocks: a reader stuck on a FIFO
    stays stuck in a daemon thread, which does not keep the test process alive."""
    out: list[LoadResult] = []
    worker = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still reading after {seconds} s (blocked on a special file?)"
    assert out, "the loader raised"
    return out[0]


def load_one(path: Path, options: object = None) -> LoadResult:
    return load([Unit("cloudformation", path, (path,))], options)


def only_diagnostic(result: LoadResult, path: Path) -> tuple[int, int, str, bool]:
    [d] = [d for d in result.diagnostics if d.path == str(path)]
    return d.line, d.column, d.message, d.partial


# -- the template itself ---------------------------------------------------------------------


@needs_fifo
@pytest.mark.parametrize("name", ["template.yaml", "x.json", "stack.template"])
def test_fifo_template_fails_at_once(tmp_path: Path, name: str) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    result = within(10, lambda: load_one(fifo))
    assert only_diagnostic(result, fifo) == (1, 1, "a named pipe (FIFO), not a regular file; not read", False)
    assert not result.resources and str(fifo) not in result.files_read


def test_oversized_template_is_refused_without_being_read(tmp_path: Path) -> None:
    """The size is checked on the open descriptor before reading: a 200 MB (sparse) template costs
    nothing. The old loader read it whole, then compared its length."""
    big = tmp_path / "template.yaml"
    with big.open("wb") as fh:
        fh.write(TEMPLATE.encode())
        fh.truncate(200 * 1024 * 1024)
    tracemalloc.start()
    try:
        result = load_one(big)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 1024 * 1024, peak
    message = f"file is larger than 20 MB ({200 * 1024 * 1024} bytes); not read"
    assert LIMITS.file_bytes == 20 * 1024 * 1024
    assert only_diagnostic(result, big) == (1, 1, message, False)


def test_template_size_limit_comes_from_limits(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    result = LoadResult()
    load_template(path, result, limits=Limits(file_bytes=100))
    size = len(TEMPLATE)
    message = f"file is larger than {100 / 1048576:g} MB ({size} bytes); not read"
    assert only_diagnostic(result, path) == (1, 1, message, False)
    result = LoadResult()
    load_template(path, result, limits=Limits(file_bytes=size))
    assert [r.name for r in result.resources] == ["Topic"]


def test_template_linked_from_outside_the_scan_roots_is_not_read(tmp_path: Path) -> None:
    scanned, outside = tmp_path / "scanned", tmp_path / "outside"
    scanned.mkdir()
    outside.mkdir()
    (outside / "secret.yaml").write_text(TEMPLATE)
    link = scanned / "template.yaml"
    link.symlink_to(outside / "secret.yaml")
    result = load_one(link, CloudFormationOptions(ScanRoots((str(scanned.resolve()),))))
    message = "outside the scanned tree, which iaclint never reads"
    assert only_diagnostic(result, link) == (1, 1, message, False)
    assert not result.resources


def test_template_inside_the_roots_is_read(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    result = load_one(path, CloudFormationOptions(ScanRoots((str(tmp_path.resolve()),))))
    assert [(r.name, r.body.get("TopicName").data) for r in result.resources] == [("Topic", "dev")]
    assert not result.diagnostics


# -- parameter files (named on the command line) ---------------------------------------------


def test_parameter_file_outside_the_scan_roots_is_read(tmp_path: Path) -> None:
    """The user's choice: read wherever it is."""
    scanned, elsewhere = tmp_path / "scanned", tmp_path / "elsewhere"
    scanned.mkdir()
    elsewhere.mkdir()
    (scanned / "template.yaml").write_text(TEMPLATE)
    params = elsewhere / "prod.json"
    params.write_text(json.dumps([{"ParameterKey": "Stage", "ParameterValue": "prod"}]))
    opts = CloudFormationOptions(ScanRoots((str(scanned.resolve()),)), parameter_files=(str(params),))
    result = load_one(scanned / "template.yaml", opts)
    assert [r.body.get("TopicName").data for r in result.resources] == ["prod"]
    assert str(params) in result.files_read


@needs_fifo
def test_fifo_parameter_file_fails_at_once(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    fifo = tmp_path / "params.json"
    os.mkfifo(fifo)
    opts = CloudFormationOptions(ScanRoots((str(tmp_path),)), parameter_files=(str(fifo),))
    result = within(10, lambda: load_one(tmp_path / "template.yaml", opts))
    message = "parameter file not read: a named pipe (FIFO), not a regular file; not read"
    assert only_diagnostic(result, fifo) == (1, 1, message, False)
    # The template is read with its defaults.
    assert [r.body.get("TopicName").data for r in result.resources] == ["dev"]


def test_missing_parameter_file(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    missing = tmp_path / "nope.json"
    opts = CloudFormationOptions(ScanRoots((str(tmp_path),)), parameter_files=(str(missing),))
    result = load_one(tmp_path / "template.yaml", opts)
    message = "parameter file not read: cannot read file: No such file or directory"
    assert only_diagnostic(result, missing) == (1, 1, message, False)


def test_oversized_parameter_file(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    big = tmp_path / "params.json"
    with big.open("wb") as fh:
        fh.truncate(LIMITS.file_bytes + 1)
    opts = CloudFormationOptions(ScanRoots((str(tmp_path),)), parameter_files=(str(big),))
    result = load_one(tmp_path / "template.yaml", opts)
    message = f"parameter file not read: file is larger than 20 MB ({LIMITS.file_bytes + 1} bytes); not read"
    assert only_diagnostic(result, big) == (1, 1, message, False)


@pytest.mark.parametrize("opener", ["[", '{"Parameters": {"Stage": '])
def test_deeply_nested_parameter_file(tmp_path: Path, opener: str) -> None:
    """100,000 levels of nesting: a diagnostic at the level where reading stopped, no exception."""
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    deep = tmp_path / "params.json"
    deep.write_text(opener + "[" * 100_000 + "]" * 100_000 + ("}}" if opener != "[" else "]"))
    opts = CloudFormationOptions(ScanRoots((str(tmp_path),)), parameter_files=(str(deep),))
    result = load_one(tmp_path / "template.yaml", opts)
    line, column, message, partial = only_diagnostic(result, deep)
    assert (line, column, message, partial) == (
        1,
        len(opener) + LIMITS.depth + 1 - opener.count("[") - opener.count("{"),
        f"invalid JSON: nesting deeper than {LIMITS.depth} levels",
        False,
    )
    assert [r.body.get("TopicName").data for r in result.resources] == ["dev"]


# -- bugs are not bad input ------------------------------------------------------------------


def test_a_bug_in_the_loader_is_an_internal_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loader used to turn any exception into an IAC001 "internal error reading template"
    finding (exit 1, as if the file were bad); a bug must reach the engine, which exits 2."""
    good = tmp_path / "good.yaml"
    good.write_text(TEMPLATE)
    bad = tmp_path / "bad.yaml"
    bad.write_text(TEMPLATE.replace("Topic:", "Boom:"))

    real = cloudformation._emit_resources

    def buggy(source: object, root: object, *args: object) -> None:
        if str(getattr(source, "path", "")).endswith("bad.yaml"):
            raise KeyError("a bug")
        real(source, root, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cloudformation, "_emit_resources", buggy)
    with pytest.raises(KeyError):
        load_one(bad)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(engine.InternalError) as err:
        engine.scan(engine.ScanOptions(paths=["."]))
    assert str(err.value) == "bad.yaml: KeyError: 'a bug'"
