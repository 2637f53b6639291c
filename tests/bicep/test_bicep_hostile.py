"""Hostile Bicep (issue 12): what the code names is read only inside the scan roots and only from
regular files, every evaluation is bounded by its unit's budget, a module cycle hides nothing, and
a parse that the grammar's error recovery would drag on is cut off.

Cases that would hang or flood without the fix are bounded in the test itself: a timer for what
could block (FIFOs, slow parses) and a child process with memory and CPU limits for the examples
of the issue at full size.
"""

from __future__ import annotations

import functools
import json
import os
import resource
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from iaclint import budget as budgets
from iaclint.budget import LIMITS, Budget, BudgetExceeded, Limits
from iaclint.discover import Unit
from iaclint.engine import InternalError, ScanOptions, ScanResult, scan
from iaclint.fileaccess import ScanRoots
from iaclint.lang.arm import functions as fns
from iaclint.lang.bicep import files as bicep_files
from iaclint.lang.bicep import load, syntax
from iaclint.lang.bicep.evaluate import FileEvaluator
from iaclint.lang.bicep.prepass import prepass
from iaclint.lang.options import BicepOptions
from iaclint.lang.parsing import ParseDeadline
from iaclint.resources import LoadResult
from iaclint.values import State, Value

OUTSIDE = "outside the scanned tree, which iaclint never reads"
IN_GIT = "inside a .git directory, which iaclint never reads"
FIFO = "a named pipe (FIFO), not a regular file; not read"
SECRET = "TOPSECRET-canary"

TLS10 = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10"


def _apim(name: str, tls10: str = "'True'", publisher: str = "'ops'") -> str:
    """An API Management service; the `TLS 1.0` line is line 9 of the text."""
    return (
        f"resource {name} 'Microsoft.ApiManagement/service@2023-05-01-preview' = {{\n"
        f"  name: '{name}'\n"
        "  location: 'westeurope'\n"
        "  sku: { name: 'Developer', capacity: 1 }\n"
        "  properties: {\n"
        "    publisherEmail: 'ops@example.com'\n"
        f"    publisherName: {publisher}\n"
        "    customProperties: {\n"
        f"      '{TLS10}': {tls10}\n"
        "    }\n"
        "  }\n"
        "}\n"
    )


def _probe(expr: str) -> str:
    return f"resource r 'A.B/c@1' = {{\n  name: 'r'\n  properties: {{\n    x: {expr}\n  }}\n}}\n"


def _options(
    root: Path, *, roots: ScanRoots | None = None, param_files: tuple[str, ...] = ()
) -> BicepOptions:
    return BicepOptions(roots or ScanRoots.for_paths([root]), param_files)


def _load(
    root: Path, files: dict[str, str], *, options: BicepOptions | None = None, entries: tuple[str, ...] = ()
) -> LoadResult:
    """Write `files` under root and load the entry files (all `.bicep` files by default)."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    names = entries or tuple(n for n in files if n.endswith(".bicep"))
    units = [Unit("bicep", root / n, (root / n,)) for n in names]
    return load(units, options or _options(root))


def _x(result: LoadResult, address_end: str = "#r") -> Value:
    """`properties.x` of the resource whose address ends so, worked out now (after the load)."""
    found = [r for r in result.resources if r.address.endswith(address_end)]
    assert len(found) == 1, [r.address for r in result.resources]
    return found[0].body.path("properties", "x")


def _scan(root: Path, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> ScanResult:
    monkeypatch.chdir(root)
    return scan(ScanOptions(paths=["."], **kw))


@contextmanager
def _within(seconds: float) -> Iterator[None]:
    """Fail (instead of hanging the test session) when the block takes longer than `seconds`."""

    def late(*_args: object) -> None:
        raise TimeoutError(f"took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, late)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _bounded(
    seconds: int = 30, memory: int = 1024**3
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Run the test in a forked child with `memory` more bytes of address space than the session
    has now and `seconds` of CPU: without the fix these cases take gigabytes or minutes, and must
    fail rather than take the test session down."""

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(test)
        def run(*args: Any, **kwargs: Any) -> None:
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: run the test under the limits, report, and leave at once
                os.close(read_end)
                code = 0
                try:
                    with open("/proc/self/statm") as fh:
                        now = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
                    resource.setrlimit(resource.RLIMIT_AS, (now + memory, now + memory))
                    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
                    test(*args, **kwargs)
                except BaseException:
                    os.write(write_end, traceback.format_exc()[-16000:].encode())
                    code = 1
                os._exit(code)
            os.close(write_end)
            deadline = time.monotonic() + 2 * seconds
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                if time.monotonic() > deadline:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    pytest.fail(f"still running after {2 * seconds} s")
                time.sleep(0.01)
            with os.fdopen(read_end, "rb") as fh:
                report = fh.read().decode(errors="replace")
            if status != 0:
                pytest.fail(f"failed in its bounded child (status {status}):\n{report}")

        return run

    return decorate


@pytest.fixture
def small_budget(monkeypatch: pytest.MonkeyPatch) -> Limits:
    """Units get a small allowance, so that running it out takes milliseconds."""
    limits = Limits(work=20_000, built_items=50_000, expansion=100)
    monkeypatch.setattr(bicep_files, "Budget", partial(Budget, limits))
    return limits


# -- files the code names ----------------------------------------------------------------------

LOADERS = ["loadTextContent", "loadFileAsBase64", "loadJsonContent"]


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """A scanned repository (with a .git holding a secret) and a directory beside it."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "config").write_text(f'{{"token": "{SECRET}"}}\n')
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.json").write_text(f'{{"token": "{SECRET}"}}\n')
    return root, outside


@pytest.mark.parametrize("fn", LOADERS)
@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("../elsewhere/secret.json", OUTSIDE),
        ("/proc/self/environ", OUTSIDE),
        (".git/config", IN_GIT),
        ("link.json", OUTSIDE),  # a link inside the tree to a file outside it
        ("/dev/zero", OUTSIDE),
    ],
)
@_bounded()
def test_load_functions_read_nothing_outside_the_tree(
    tree: tuple[Path, Path], fn: str, path: str, why: str
) -> None:
    root, outside = tree
    (root / "link.json").symlink_to(outside / "secret.json")
    x = _x(_load(root, {"main.bicep": _probe(f"{fn}('{path}')")}))
    assert x.state is State.UNKNOWN
    assert x.reason == f"{fn}('{path}') not read: {why}"


@pytest.mark.parametrize("fn", LOADERS)
@_bounded()
def test_load_functions_refuse_a_fifo_and_a_device_without_blocking(tmp_path: Path, fn: str) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    # /dev as a scan root, so that the device itself is what refuses the read.
    options = _options(tmp_path, roots=ScanRoots((str(tmp_path), "/dev")))
    with _within(10):
        pipe = _x(_load(tmp_path, {"pipe.bicep": _probe(f"{fn}('pipe.json')")}, options=options))
        zero = _x(_load(tmp_path, {"zero.bicep": _probe(f"{fn}('/dev/zero')")}, options=options))
    assert pipe.reason == f"{fn}('pipe.json') not read: {FIFO}"
    assert zero.reason == f"{fn}('/dev/zero') not read: a device, not a regular file; not read"


def test_a_loaded_file_is_at_most_the_longest_string_the_budget_allows(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"a" * (LIMITS.string_bytes + 1))
    (tmp_path / "ok.txt").write_text("fine")
    x = _x(_load(tmp_path, {"main.bicep": _probe("loadTextContent('big.txt')")}))
    size = LIMITS.string_bytes + 1
    assert (
        x.reason == f"loadTextContent('big.txt') not read: file is larger than 4 MB ({size} bytes); not read"
    )
    assert _x(_load(tmp_path, {"ok.bicep": _probe("loadTextContent('ok.txt')")})).data == "fine"


@_bounded()
def test_a_base64_over_the_string_limit_is_cut_off_before_it_is_built(tmp_path: Path) -> None:
    # 3.5 MB read (under the 4 MB file limit) encodes to 4.7 MB: over the string limit.
    size = LIMITS.string_bytes * 7 // 8
    (tmp_path / "blob.bin").write_bytes(b"\x00" * size)
    x = _x(_load(tmp_path, {"main.bicep": _probe("loadFileAsBase64('blob.bin')")}))
    encoded = 4 * ((size + 2) // 3)
    assert (
        x.reason
        == f"evaluation budget exceeded in r.properties: a string of {encoded:,} characters (limit 4 MB)"
    )


@_bounded()
def test_load_json_content_nesting_and_size_are_charged(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text("[" * 150 + "]" * 150)
    (tmp_path / "wide.json").write_text(json.dumps(list(range(LIMITS.collection_items + 1))))
    text = "var deep = loadJsonContent('deep.json')\nvar wide = loadJsonContent('wide.json')\n" + _probe(
        "[deep, wide]"
    )
    deep, wide = _x(_load(tmp_path, {"main.bicep": text})).data
    assert deep.reason == "evaluation budget exceeded in var.deep: a value nested more than 100 levels deep"
    assert (
        wide.reason
        == "evaluation budget exceeded in var.wide: a collection of 100,001 members (limit 100,000)"
    )


def test_a_fifo_named_main_bicep_is_a_failed_file_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.mkfifo(tmp_path / "main.bicep")
    (tmp_path / "ok.bicep").write_text(_apim("apim"), encoding="utf-8")
    with _within(10):
        result = _scan(tmp_path, monkeypatch)
    parse = [(f.span.path, f.message) for f in result.findings if f.rule_id == "IAC001"]
    assert parse == [("main.bicep", f"{FIFO} (file could not be read)")]
    assert {r.path: r.status for r in result.files} == {"main.bicep": "failed", "ok.bicep": "scanned"}
    # The other file is read as ever.
    assert [(f.span.path, f.span.line) for f in result.findings if f.rule_id == "IAC101"] == [("ok.bicep", 9)]


def test_a_fifo_bicepparam_beside_the_template_is_a_failed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "main.bicep").write_text(
        "param tls string = 'True'\n" + _apim("apim", "tls"), encoding="utf-8"
    )
    os.mkfifo(tmp_path / "main.bicepparam")
    with _within(10):
        result = _scan(tmp_path, monkeypatch)
    parse = [(f.span.path, f.message) for f in result.findings if f.rule_id == "IAC001"]
    assert parse == [("main.bicepparam", f"{FIFO} (file could not be read)")]
    assert [(f.span.path, f.span.line) for f in result.findings if f.rule_id == "IAC101"] == [
        ("main.bicep", 10)
    ]


def test_a_bicepparam_linked_to_a_file_outside_is_not_read(tree: tuple[Path, Path]) -> None:
    root, outside = tree
    (outside / "x.bicepparam").write_text(f"using './main.bicep'\nparam tls = '{SECRET}'\n")
    (root / "main.bicepparam").symlink_to(outside / "x.bicepparam")
    result = _load(root, {"main.bicep": "param tls string = 'False'\n" + _probe("tls")})
    assert _x(result).data == "False"  # the default: the linked file is not read
    assert result.diagnostics == []
    assert SECRET not in repr(result.resources[0].body.py())


def test_a_parameter_file_named_on_the_command_line_is_read_wherever_it_is(tree: tuple[Path, Path]) -> None:
    root, outside = tree
    (outside / "x.bicepparam").write_text("using '../repo/main.bicep'\nparam tls = 'True'\n")
    os.mkfifo(outside / "pipe.bicepparam")
    options = _options(root, param_files=(str(outside / "pipe.bicepparam"), str(outside / "x.bicepparam")))
    with _within(10):
        result = _load(root, {"main.bicep": "param tls string = 'False'\n" + _probe("tls")}, options=options)
    assert _x(result).data == "True"
    # Still a regular file only: the user's FIFO is a failed file, not a hang.
    assert [(Path(d.path).name, d.message) for d in result.diagnostics] == [("pipe.bicepparam", FIFO)]


@pytest.mark.parametrize(("target", "why"), [("../elsewhere/mod.bicep", OUTSIDE), (".git/mod.bicep", IN_GIT)])
def test_a_module_outside_the_tree_is_not_available(tree: tuple[Path, Path], target: str, why: str) -> None:
    root, outside = tree
    module = f"output secret string = '{SECRET}'\n" + _apim("hidden")
    (outside / "mod.bicep").write_text(module)
    (root / ".git" / "mod.bicep").write_text(module)
    result = _load(
        root, {"main.bicep": f"module m '{target}' = {{\n  name: 'm'\n}}\n" + _probe("m.outputs.secret")}
    )
    x = _x(result)
    assert x.reason == f"module m.outputs: module '{target}' not available: {why}"
    assert [r.address.split("#")[1] for r in result.resources] == ["r"]  # nothing of the module
    assert result.diagnostics == []


def test_a_module_that_is_no_regular_file_is_not_available_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.mod")
    (tmp_path / "folder").mkdir()
    text = "".join(f"module m{i} '{t}' = {{\n  name: 'm'\n}}\n" for i, t in enumerate(["pipe.mod", "folder"]))
    with _within(10):
        result = _load(tmp_path, {"main.bicep": text + _probe("[m0.outputs.x, m1.outputs.x]")})
        pipe, folder = _x(result).data
    assert pipe.reason == f"module m0.outputs: module 'pipe.mod' not available: {FIFO}"
    assert (
        folder.reason
        == "module m1.outputs: module 'folder' not available: a directory, not a regular file; not read"
    )
    assert result.diagnostics == []  # what the code names is not a file of the scan


def test_a_missing_module_is_not_available_and_no_failed_file(tmp_path: Path) -> None:
    result = _load(
        tmp_path, {"main.bicep": "module m './nope.bicep' = {\n  name: 'm'\n}\n" + _probe("m.outputs.x")}
    )
    assert _x(result).reason.startswith(
        "module m.outputs: module './nope.bicep' not available: cannot read file:"
    )
    assert result.diagnostics == []


# -- the budget --------------------------------------------------------------------------------


@_bounded()
def test_string_doubling_through_variables_is_cut_off_where_it_passes_the_limit(tmp_path: Path) -> None:
    # 20 doublings of 10 characters would be 10 MB; the limit is 4 MB.
    text = "var a0 = 'xxxxxxxxxx'\n" + "".join(f"var a{i + 1} = '${{a{i}}}${{a{i}}}'\n" for i in range(20))
    result = _load(tmp_path, {"main.bicep": text + _probe("a20")})
    x = _x(result)
    assert x.state is State.UNKNOWN
    assert "evaluation budget exceeded in var.a19: a string of 5,242,880 characters (limit 4 MB)" in x.reason
    assert result.budgets[0].built_bytes < 2 * LIMITS.string_bytes


@_bounded()
def test_array_and_object_spread_doubling_is_cut_off(tmp_path: Path) -> None:
    arrays = "var l0 = [1, 2]\n" + "".join(f"var l{i + 1} = [...l{i}, ...l{i}]\n" for i in range(17))
    objects = "".join(f"var o{i} = {{ k{i}: l{i} }}\n" for i in range(3)) + "var oo = { ...o0, ...o1 }\n"
    l17, oo = _x(_load(tmp_path, {"main.bicep": arrays + objects + _probe("[l17, oo]")})).data
    assert l17.reason == (
        "array spread of an unknown value: "
        "evaluation budget exceeded in var.l16: a collection of 131,072 members (limit 100,000)"
    )
    assert sorted(oo.data) == ["k0", "k1"]


@_bounded()
def test_child_names_repeating_a_long_parent_name_are_charged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bicep_files, "Budget", partial(Budget, Limits(built_bytes=8 * 1024 * 1024)))
    # A parent named with 1 MB, and twenty children whose names repeat it.
    name = "var n0 = 'xxxxxxxxxxxxxxxx'\n" + "".join(
        f"var n{i + 1} = '${{n{i}}}${{n{i}}}'\n" for i in range(16)
    )
    parent = "resource p 'A.B/c@1' = {\n  name: n16\n}\n"
    children = "".join(
        f"resource c{i} 'A.B/c/d@1' = {{\n  parent: p\n  name: 'c{i}'\n}}\n" for i in range(20)
    )
    result = _load(tmp_path, {"main.bicep": name + parent + children})
    # Read in order, as the model reads them: each child's name is built when read.
    names = {r.address.split("#")[1]: r.body.get("name") for r in result.resources}
    assert [n.state for n in names.values()].count(State.KNOWN) == 7  # the parent and six children
    assert len(names["c0"].data) == 16 * 2**16 + 3
    assert (
        names["c19"].reason
        == "evaluation budget exceeded in c19.name: more than 8 MB of strings built in this unit"
    )


@_bounded()
def test_a_function_calling_itself_is_cut_off_at_the_depth_limit(tmp_path: Path) -> None:
    funcs = "func f(n int) int => f(n) + f(n)\nfunc g(n int) int => h(n)\nfunc h(n int) int => g(n)\n"
    with _within(20):  # f calls itself twice: 2^100 calls at the old depth cap
        result = _load(tmp_path, {"main.bicep": funcs + "var v = g(1)\n" + _probe("f(1)")})
        x = _x(result)
    assert x.reason == "evaluation budget exceeded in r.properties: nested more than 200 levels deep"
    v = _x(_load(tmp_path, {"v.bicep": funcs + "var v = g(1)\n" + _probe("v")}))
    assert v.reason == "evaluation budget exceeded in var.v: nested more than 200 levels deep"


@_bounded()
def test_a_lambda_bomb_runs_out_of_steps_and_the_unit_is_partly_read(
    tmp_path: Path, small_budget: Limits
) -> None:
    bomb = "map(range(0, 1000), i => map(range(0, 1000), j => map(range(0, 1000), k => k)))"
    with _within(20):
        result = _load(tmp_path, {"main.bicep": f"var bomb = {bomb}\n" + _probe("bomb")})
        x = _x(result)
    assert (
        x.reason == "evaluation budget exceeded in var.bomb: more than 20,000 evaluation steps in this unit"
    )
    assert result.budgets[0].exhausted == "more than 20,000 evaluation steps in this unit"


@_bounded()
def test_loops_over_more_instances_than_the_limit(tmp_path: Path, small_budget: Limits) -> None:
    text = (
        "var many = [for i in range(0, 101): i]\n"
        "resource loop 'A.B/c@1' = [for i in range(0, 101): {\n"
        "  name: 'n${i}'\n  properties: {\n    x: i\n  }\n}]\n" + _probe("many")
    )
    result = _load(tmp_path, {"main.bicep": text})
    assert _x(result).reason == "evaluation budget exceeded in var.many: 101 instances (limit 100)"
    # A resource loop over too many items is read once, with its item unknown: what does not
    # depend on the item is still checked.
    assert _x(result, "#loop[*]").reason == "evaluation budget exceeded in loop: 101 instances (limit 100)"
    nested = "var nested = [for i in range(0, 100): [for j in range(0, 100): j]]\n" + _probe("nested[99][99]")
    assert _x(_load(tmp_path, {"n.bicep": nested})).data == 99  # 10,000 items, each loop within its limit


def _fan_out(folder: str, levels: int, calls: int) -> dict[str, str]:
    """Files m0 ... m<levels - 1>, each calling the next `calls` times."""
    return {
        f"{folder}m{i}.bicep": "".join(
            f"module n{j} './m{i + 1}.bicep' = {{\n  name: 'n{j}'\n}}\n" for j in range(calls)
        )
        for i in range(levels)
    }


@_bounded()
def test_module_fan_out_without_loops_is_bounded(tmp_path: Path) -> None:
    # Each file calls the next one ten times, seven levels down: 10,000,000 deployments of the last.
    files = _fan_out("", 7, 10)
    files["m7.bicep"] = _probe("1")
    files["main.bicep"] = "module n './m0.bicep' = {\n  name: 'n'\n}\n"
    with _within(30):
        result = _load(tmp_path, files, entries=("main.bicep",))
    assert len(result.resources) == LIMITS.expansion
    # Reported once per declaration left out, not once per deployment of the file holding it.
    places = [(Path(d.path).name, d.line) for d in result.diagnostics]
    assert len(places) == len(set(places)) and all(d.partial for d in result.diagnostics)
    assert ("m6.bicep", 1) in places
    assert result.diagnostics[0].message.endswith("m7.bicep deployed more than 1,000 times in this unit")


@_bounded()
def test_looped_modules_calling_looped_modules_are_bounded(tmp_path: Path) -> None:
    files = {
        f"m{i}.bicep": f"module n './m{i + 1}.bicep' = [for i in range(0, 1000): {{\n  name: 'n${{i}}'\n}}]\n"
        for i in range(3)
    }
    files["m3.bicep"] = _probe("1")
    files["main.bicep"] = "module n './m0.bicep' = {\n  name: 'n'\n}\n"
    with _within(30):
        result = _load(tmp_path, files, entries=("main.bicep",))
    # 1,000 deployments of m1; its own loop would make 1,000,000 of m2: read once, item unknown.
    assert len(result.resources) == LIMITS.expansion
    addresses = {r.address.split("#")[1] for r in result.resources}
    assert addresses == {f"module.n.module.n[{i}].module.n[*].module.n[*].r" for i in range(1000)}


def test_a_budget_exceeded_in_the_function_table_is_a_named_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shared function table charges `budget.current()` and raises; the variable that called
    it is what becomes unknown."""

    def pad(args: list[Value], span: Any) -> Value:
        raise BudgetExceeded("a string of 1,000,000,000 characters (limit 4 MB)")

    monkeypatch.setitem(fns._TABLE, "padleft", pad)
    text = "var p = padLeft('x', 1000000000, 'y')\nvar q = 'kept'\n" + _probe("[p, q]")
    x = _x(_load(tmp_path, {"main.bicep": text}))
    assert (
        x.data[0].reason
        == "evaluation budget exceeded in var.p: a string of 1,000,000,000 characters (limit 4 MB)"
    )
    assert x.data[1].data == "kept"


def test_the_units_budget_is_current_during_the_load_and_when_a_value_is_worked_out_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Budget] = []
    original = fns._TABLE["tolower"]

    def recording(args: list[Value], span: Any) -> Value:
        seen.append(budgets.current())
        return original(args, span)

    monkeypatch.setitem(fns._TABLE, "tolower", recording)
    files = {
        "a.bicep": "module m './m.bicep' = {\n  name: toLower('M')\n"
        + "  params: {\n    p: toLower('P')\n  }\n}\n"
        + "resource l 'A.B/c@1' = [for i in range(0, toLower('2') == '2' ? 2 : 0): {\n  name: 'l${i}'\n}]\n"
        + _probe("toLower('X')"),
        "m.bicep": "param p string\n" + _probe("p"),
        "b.bicep": _probe("toLower('Y')"),
    }
    result = _load(tmp_path, files, entries=("a.bicep", "b.bicep"))
    a, b = result.budgets
    assert seen == [a]  # the loop's range, worked out during the load
    steps = a.steps
    seen.clear()
    # Worked out now, after the load: the bodies, the module parameter, a name.
    worked_out = [_x(result, "a.bicep#r"), _x(result, "a.bicep#module.m.r"), _x(result, "b.bicep#r")]
    assert [v.data for v in worked_out] == ["x", "p", "y"]
    assert seen[0] is a and seen[1] is a and seen[2] is b
    assert a.steps > steps  # charged the unit's budget
    assert budgets.current() is not a and budgets.current() is not b  # none current once read


@_bounded()
def test_padleft_and_replace_squaring_are_cut_off(tmp_path: Path) -> None:
    # 5 MB of padding; a 64-character string replaced into itself twice is 16 MB.
    squares = (
        "var s0 = '"
        + "a" * 64
        + "'\n"
        + "".join(f"var s{i + 1} = replace(s{i}, 'a', s{i})\n" for i in range(2))
    )
    text = "var p = padLeft('x', 5000000, 'y')\n" + squares + _probe("[p, s2]")
    p, s2 = _x(_load(tmp_path, {"main.bicep": text})).data
    assert p.reason.startswith("evaluation budget exceeded in var.p: a string of 5,000,000 characters")
    assert s2.reason.startswith("evaluation budget exceeded in var.s2: a string of 16,777,216 characters")


@_bounded()
def test_one_unit_running_out_does_not_starve_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_budget: Limits
) -> None:
    (tmp_path / "bomb.bicep").write_text(
        "var bomb = map(range(0, 1000), i => map(range(0, 1000), j => j))\n"
        + _apim("a", "string(length(bomb))")
    )
    (tmp_path / "tls.bicep").write_text(_apim("b"))
    result = _scan(tmp_path, monkeypatch)
    found = {
        (f.rule_id, f.span.path, f.span.line, f.level.value)
        for f in result.findings
        if f.rule_id in ("IAC001", "IAC101")
    }
    assert ("IAC101", "tls.bicep", 9, "error") in found
    assert ("IAC001", "bomb.bicep", 1, "error") in found  # the engine: partly read
    assert not any(
        f.span.path == "bomb.bicep" and f.rule_id == "IAC101" and not f.unknown for f in result.findings
    )


@_bounded()
def test_values_nested_through_kept_variables_are_cut_off(tmp_path: Path) -> None:
    """Each variable nests the one before one level deeper; read in order, none is deep to build,
    but together they would be 3,000 levels deep for whatever reads them."""
    chain = "var a0 = {}\n" + "".join(f"var a{i + 1} = {{ x: a{i} }}\n" for i in range(3000))
    readers = "".join(
        f"resource r{k} 'A.B/c@1' = {{\n  name: 'r{k}'\n  properties: {{\n    x: a{k * 30}\n  }}\n}}\n"
        for k in range(101)
    )
    result = _load(tmp_path, {"main.bicep": chain + readers})
    for r in result.resources:
        r.body.py()  # read in order: each reuses the last; without a bound this recursed 3,000 deep
    cut = _innermost(_x(result, "#r100"))
    assert cut.reason == "evaluation budget exceeded in var.a2928: a value nested more than 100 levels deep"


def _innermost(v: Value) -> Value:
    while v.state is State.KNOWN and isinstance(v.data, dict):
        v = v.data["x"]
    return v


@_bounded()
def test_resource_bodies_nested_through_each_other_are_cut_off(tmp_path: Path) -> None:
    text = _probe("1").replace("resource r ", "resource r0 ") + "".join(
        f"resource r{k + 1} 'A.B/c@1' = {{\n  name: 'r'\n  properties: {{\n    x: r{k}.properties\n  }}\n}}\n"
        for k in range(1000)
    )
    result = _load(tmp_path, {"main.bicep": text})
    for r in result.resources:
        r.body.py()
    # Cut off where the nesting passes the limit (r100, r201, ...), the rest read.
    [r908] = [r for r in result.resources if r.address.endswith("#r908")]
    properties = r908.body.get("properties")
    assert (
        properties.reason
        == "evaluation budget exceeded in r908.properties: a value nested more than 100 levels deep"
    )
    assert r908.body.get("type").data == "A.B/c"
    assert _x(result, "#r907").state is State.KNOWN


DEEPER = "nested more than 200 levels deep"
VALUE_DEEPER = "a value nested more than 100 levels deep"


@pytest.mark.parametrize(
    ("text", "where", "reason"),
    [
        # Each declares its parent after itself: declaring r0 declares the 1,500 others first.
        (
            "".join(
                f"resource r{i} 'A.B/c/d@1' = {{\n  parent: r{i + 1}\n  name: 'r{i}'\n}}\n"
                for i in range(1500)
            )
            + "resource r1500 'A.B/c@1' = {\n  name: 'top'\n}\n",
            "diagnostic",
            f"resource r0 not evaluated: evaluation budget exceeded in r0: {DEEPER}",
        ),
        (
            "".join(f"resource r{i} 'A.B/c{i}@1' = {{\n  name: 'r{i}'\n" for i in range(400)) + "}\n" * 400,
            "diagnostic",
            f"resource r0 not evaluated: evaluation budget exceeded in r0: {DEEPER}",
        ),
        (
            "var a0 = 1\n" + "".join(f"var a{i + 1} = a{i}\n" for i in range(2000)) + _probe("a2000"),
            "#r",
            DEEPER,
        ),
        (_probe("true ? " * 600 + "1" + " : 0" * 600), "#r", DEEPER),
        (_probe("{ a: " * 600 + "1" + " }" * 600), "#r", DEEPER),
        (_probe("reduce(range(0, 900), {}, (acc, i) => { a: acc })"), "#r", VALUE_DEEPER),
        # Each accumulator is a list of one value still to be worked out, holding the last.
        (_probe("reduce(range(0, 900), [], (acc, i) => [for x in [0]: acc])"), "#r", DEEPER),
    ],
    ids=[
        "parent-chain",
        "nested-declarations",
        "variable-chain",
        "ternaries",
        "objects",
        "reduce",
        "reduce-for",
    ],
)
@_bounded()
def test_deep_nesting_of_any_kind_is_cut_off_without_recursion_errors(
    tmp_path: Path, text: str, where: str, reason: str
) -> None:
    result = _load(tmp_path, {"main.bicep": text})
    for r in result.resources:
        _ = (r.name, r.body.py())
    if where == "diagnostic":
        # The declarations nested too deep to read are left out, each chain once, the file partly read.
        assert (result.diagnostics[0].line, result.diagnostics[0].message) == (1, reason)
        assert all(d.partial and d.message.endswith(DEEPER) for d in result.diagnostics)
        return
    v = _x(result, where)
    while v.state is State.KNOWN and isinstance(v.data, (dict, list)) and v.data:
        v = next(iter(v.data.values())) if isinstance(v.data, dict) else v.data[0]
    assert v.state is State.UNKNOWN
    assert v.reason.startswith("evaluation budget exceeded in ") and v.reason.endswith(reason), v.reason


@_bounded()
def test_a_module_chain_deeper_than_the_limit_is_partly_read(tmp_path: Path) -> None:
    files = {f"m{i}.bicep": f"module n './m{i + 1}.bicep' = {{\n  name: 'n'\n}}\noutput o int = n.outputs.o\n"
             for i in range(300)}  # fmt: skip
    files["m300.bicep"] = "output o int = 1\n" + _probe("1")
    files["main.bicep"] = "module n './m0.bicep' = {\n  name: 'n'\n}\n" + _probe("n.outputs.o")
    result = _load(tmp_path, files, entries=("main.bicep",))
    assert "nested more than 200 levels deep" in _x(result, "main.bicep#r").reason
    [left_out] = result.diagnostics
    assert left_out.partial and left_out.message.startswith(
        "module n not evaluated: evaluation budget exceeded in "
    )


# -- module cycles -----------------------------------------------------------------------------

CYCLE_A = "module b './b.bicep' = {\n  name: 'b'\n}\n" + _apim("apim", publisher="b.outputs.back")
CYCLE_B = "module a './a.bicep' = {\n  name: 'a'\n}\noutput back string = a.outputs.name\n"


def test_a_module_cycle_is_evaluated_and_its_tls_1_0_gateway_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.bicep").write_text(CYCLE_A + "output name string = 'apim'\n")
    (tmp_path / "b.bicep").write_text(CYCLE_B)
    result = _scan(tmp_path, monkeypatch)
    tls = [
        (f.rule_id, f.span.path, f.span.line, f.level.value) for f in result.findings if f.rule_id == "IAC101"
    ]
    assert tls == [("IAC101", "a.bicep", 12, "error")]
    assert {r.path: r.status for r in result.files} == {"a.bicep": "scanned", "b.bicep": "scanned"}


def test_the_call_back_into_a_file_being_evaluated_is_unknown_with_a_module_cycle_note(
    tmp_path: Path,
) -> None:
    result = _load(tmp_path, {"a.bicep": CYCLE_A + "output name string = 'apim'\n", "b.bicep": CYCLE_B})
    [apim] = [
        r
        for r in result.resources
        if r.address == f"{tmp_path / 'a.bicep'}#apim" or r.address.endswith("a.bicep#apim")
    ]
    publisher = apim.body.path("properties", "publisherName")
    assert publisher.state is State.UNKNOWN
    assert "module a.outputs: module cycle: './a.bicep' is being evaluated already" in publisher.reason


def test_a_cycle_called_from_outside_is_read_once_from_its_caller(tmp_path: Path) -> None:
    files = {"c.bicep": "module a './a.bicep' = {\n  name: 'a'\n}\n", "a.bicep": CYCLE_A, "b.bicep": CYCLE_B}
    result = _load(tmp_path, files)
    apims = sorted(
        r.address.split("#")[1] for r in result.resources if r.type == "Microsoft.ApiManagement/service"
    )
    assert apims == ["module.a.apim"]


# -- parsing -----------------------------------------------------------------------------------


class _Deadlines:
    """The parse deadline with a short allowance, counting the deadlines made."""

    def __init__(self, seconds: float, memory: int | None = None) -> None:
        self.made: list[ParseDeadline] = []
        self.limits = Limits(
            parse_seconds=seconds, parse_seconds_per_mb=0.0, parse_memory=memory or LIMITS.parse_memory
        )
        self.make = syntax.ParseDeadline  # taken before the test puts this object in its place

    def __call__(self, size: int) -> ParseDeadline:
        d = self.make(size, self.limits)
        self.made.append(d)
        return d


def test_junk_the_grammar_recovers_from_slowly_is_a_failed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(syntax, "PARSER", "tree-sitter")  # the grammar's bounds
    deadlines = _Deadlines(0.3)
    monkeypatch.setattr(syntax, "ParseDeadline", deadlines)
    (tmp_path / "junk.bicep").write_bytes(b"<a>" * 20_000)  # 60 KB: 8.5 s without a deadline
    (tmp_path / "ok.bicep").write_text(_apim("apim"))
    with _within(15):
        result = _scan(tmp_path, monkeypatch)
    parse = [(f.span.path, f.message) for f in result.findings if f.rule_id == "IAC001"]
    assert parse == [
        (
            "junk.bicep",
            "parsing gave up after 0 s (the grammar's error recovery is slow on this input); file not read "
            "(file could not be read)",
        )
    ]
    assert {r.path: r.status for r in result.files} == {"junk.bicep": "failed", "ok.bicep": "scanned"}
    assert len(deadlines.made) == 2  # one per file


def test_the_pieces_of_a_file_share_one_deadline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(syntax, "PARSER", "tree-sitter")  # the grammar's bounds
    deadlines = _Deadlines(0.5)
    monkeypatch.setattr(syntax, "ParseDeadline", deadlines)
    # Statements to cut before, junk in every piece: each piece fails, then the whole file.
    text = "".join(f"var v{i} = 1\n" + "<a>" * 700 + "\n" for i in range(40))
    (tmp_path / "junk.bicep").write_text(text)
    with _within(15):
        result = _load(tmp_path, {}, entries=("junk.bicep",))
    assert len(deadlines.made) == 1
    assert [(d.partial, d.message.split(" (")[0]) for d in result.diagnostics] == [
        (False, "parsing gave up after 0 s")
    ]


@_bounded()
def test_junk_whose_parse_takes_too_much_memory_is_a_failed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read through the deadline's callback, the grammar's recovery from this junk grows by about
    150 MB a second: 2 MB of it reached 1.8 GB within its deadline."""
    monkeypatch.setattr(syntax, "PARSER", "tree-sitter")  # the grammar's bounds
    monkeypatch.setattr(syntax, "ParseDeadline", _Deadlines(60.0, memory=32 * 1024 * 1024))
    with _within(20):
        result = _load(tmp_path, {"junk.bicep": "<a>" * 20_000})
    assert [(d.partial, d.message) for d in result.diagnostics] == [
        (
            False,
            "parsing gave up: the grammar's error recovery took too much memory on this input; file not read",
        )
    ]


@pytest.mark.parametrize(
    "unit",
    [b"resourceInput<", b"resourceOutput <", b"(", b"[", b"'", b"${", b"'${", b"/*", b"x!", b"...",
     b"\nimport {", b"\nextension {", b"\nvar x '", b"<a>"],
)  # fmt: skip
def test_the_pre_pass_is_linear_on_junk(unit: bytes) -> None:
    data = unit * (200_000 // len(unit))
    with _within(10):  # a line of `resourceInput<` took 2 minutes at this size
        out = prepass(data, params_file=True)
    assert len(out.data) == len(data)


# -- internal errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("error", [KeyError("boom"), RecursionError("boom")])
def test_a_bug_during_the_load_is_an_internal_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    (tmp_path / "main.bicep").write_text(_apim("apim"))

    def broken(*_args: Any) -> None:
        raise error

    monkeypatch.setattr(FileEvaluator, "emit_resources", broken)
    with pytest.raises(InternalError, match=rf"^main\.bicep: {type(error).__name__}: "):
        _scan(tmp_path, monkeypatch)


# -- the examples of the issue at full size, with the default limits ------------------------------

FULL_SIZE = {
    "double/main.bicep": "var a0 = 'xxxxxxxxxx'\n"
    + "".join(f"var a{i + 1} = '${{a{i}}}${{a{i}}}'\n" for i in range(30))
    + _apim("double", "a30"),
    "spread/main.bicep": "var l0 = [1, 2]\n"
    + "".join(f"var l{i + 1} = [...l{i}, ...l{i}]\n" for i in range(30))
    + _apim("spread", "string(length(l30))"),
    "recursion/main.bicep": "func f(n int) string => '${f(n)}${f(n)}'\n" + _apim("recursion", "f(1)"),
    "environ/main.bicep": _apim("environ", "loadTextContent('/proc/self/environ')"),
    "zero/main.bicep": _apim("zero", "loadFileAsBase64('/dev/zero')"),
    "fanout/main.bicep": "module n './m0.bicep' = {\n  name: 'n'\n}\n",
    **_fan_out("fanout/", 7, 10),
    "fanout/m7.bicep": _apim("leaf"),
    "cycle/a.bicep": CYCLE_A + "output name string = 'apim'\n",
    "cycle/b.bicep": CYCLE_B,
    "good/main.bicep": _apim("good"),
}


def test_the_issues_examples_at_full_size_stay_within_time_and_memory(tmp_path: Path) -> None:
    for name, text in FULL_SIZE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)

    def limits() -> None:
        cap = 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        resource.setrlimit(resource.RLIMIT_CPU, (60, 60))

    def tls_line(name: str) -> int:
        """The TLS 1.0 line, or for a value cut off right in the body, its `properties` member."""
        text = FULL_SIZE[name]
        at = text.index("  properties:") if "f(1)" in text else text.index(TLS10)
        return text[:at].count("\n") + 1

    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from iaclint.cli import main; sys.exit(main())", "scan", ".",
         "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, preexec_fn=limits,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    tls = {(f["path"], f["start_line"], f["level"]) for f in doc["findings"] if f["rule_id"] == "IAC101"}
    # Known TLS 1.0 gateways are reported whatever their neighbours do; the cut-off ones are notes.
    assert {
        ("good/main.bicep", 9, "error"),
        ("fanout/m7.bicep", 9, "error"),
        ("cycle/a.bicep", 12, "error"),
    } <= tls
    for unit in ("double", "spread", "recursion", "environ", "zero"):
        assert (f"{unit}/main.bicep", tls_line(f"{unit}/main.bicep"), "note") in tls, unit
    text = proc.stdout
    assert "SHELL=" not in text and "PATH=" not in text
