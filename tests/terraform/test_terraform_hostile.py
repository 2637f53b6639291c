"""Hostile Terraform (issue 12): code from a stranger's pull request must not read the runner's
files, hang the job, exhaust its memory, or turn iaclint's own bugs into "could not read" notes.

Each example the issue names has a test here, and so does the class it stands for: every file
function and every kind of file the loader reads, every function that can grow what it builds.
Cases that would hang or take gigabytes without the fix run in a subprocess with CPU and memory
limits (`_bounded`), so a regression fails instead of stalling the suite.
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import by_address, write

from iaclint import budget as budget_mod
from iaclint.budget import Budget, Limits
from iaclint.discover import Unit
from iaclint.engine import PARSE_RULE, InternalError, ScanOptions, scan
from iaclint.fileaccess import ScanRoots
from iaclint.lang.options import TerraformOptions
from iaclint.lang.parsing import ParseDeadline
from iaclint.lang.terraform import load
from iaclint.lang.terraform import loader as tf_loader
from iaclint.lang.terraform import syntax as tf_syntax
from iaclint.lang.terraform.hclvalues import LazyObject
from iaclint.lang.terraform.plan import load as load_plan
from iaclint.resources import Diagnostic, LoadResult
from iaclint.values import State, Value

SECRET = "SECRET-TOKEN-3f9a"
GIT = "inside a .git directory, which iaclint never reads"
OUTSIDE = "outside the scanned tree, which iaclint never reads"
FIFO = "a named pipe (FIFO), not a regular file; not read"
DEVICE = "a device, not a regular file; not read"

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")


@pytest.fixture
def no_hang() -> Any:
    """For tests reading named pipes: a read that blocks (the bug) fails the test after a few
    seconds instead of stalling the suite (the alarm interrupts the blocked open or read)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def late(signum: int, frame: Any) -> None:
        raise TimeoutError("blocked reading a special file")

    old = signal.signal(signal.SIGALRM, late)
    signal.alarm(10)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# -- helpers ----------------------------------------------------------------------------------


def _options(*roots: Path, **kw: Any) -> TerraformOptions:
    return TerraformOptions(
        ScanRoots.for_paths([str(r) for r in roots]),
        var_files=tuple(kw.get("var_files", ())),
        config_var_files=tuple(kw.get("config_var_files", ())),
    )


def _unit(d: Path) -> Unit:
    """The unit of `d` as discovery gives it: every entry that is not a directory (unlike
    conftest's `unit_for`, which keeps regular files only)."""
    files = sorted(
        p
        for p in d.iterdir()
        if not p.is_dir()
        and (p.name.endswith((".tf", ".tf.json", ".auto.tfvars")) or p.name == "terraform.tfvars")
    )
    return Unit("terraform", d, tuple(files))


def _load(d: Path, **kw: Any) -> LoadResult:
    return load([_unit(d)], _options(d, **kw))


def _attrs(result: LoadResult, address: str = "t.r") -> dict[str, Value]:
    return dict(by_address(result)[address].body.data)


def _repo(tmp_path: Path) -> tuple[Path, Path]:
    """A checkout (repo/, with .git/config holding a token), its infra/ directory, and a sibling
    directory outside it holding another secret."""
    repo = tmp_path / "repo"
    write(repo, {".git/config": f"[http]\n  extraheader = {SECRET}\n"})
    write(tmp_path, {"outside/secret.txt": SECRET, "outside/mod/main.tf": _TLS10})
    infra = repo / "infra"
    infra.mkdir()
    return repo, infra


_TLS10 = (
    'resource "aws_api_gateway_domain_name" "d" {\n  domain_name = "a.example.com"\n'
    '  security_policy = "TLS_1_0"\n}\n'
)


def _no_secret(result: LoadResult) -> None:
    for r in result.resources:
        assert SECRET not in repr(r.body)
    for d in result.diagnostics:
        assert SECRET not in d.message


def _bounded(tmp_path: Path, files: dict[str, str], cpu: int = 20, mem_mb: int = 1024) -> dict[str, Any]:
    """Load `files` as one root module in a subprocess limited to `cpu` seconds and `mem_mb` of
    address space: {"address.attr": [state, reason]} and the load's wall time."""
    d = tmp_path / "unit"
    write(d, files)
    script = textwrap.dedent(
        f"""
        import json, resource, sys, time
        resource.setrlimit(resource.RLIMIT_AS, ({mem_mb} << 20, {mem_mb} << 20))
        resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu}))
        from pathlib import Path
        from iaclint.discover import Unit
        from iaclint.lang.terraform import load
        d = Path({str(d)!r})
        files = tuple(sorted(p for p in d.iterdir() if p.name.endswith(".tf")))
        start = time.monotonic()
        result = load([Unit("terraform", d, files)], None)
        out = {{}}
        for r in result.resources:
            for name, v in r.body.data.items():
                out[r.address + "." + name] = [v.state.name, v.reason]
        print(json.dumps({{"attrs": out, "seconds": time.monotonic() - start}}))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=cpu + 30, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


# -- 1. files: only inside the scan roots, never .git, regular files only ---------------------------


def test_module_call_search_never_reads_outside_the_roots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before a part is loaded, the engine asks which directories each one calls, skipping files
    # with no `module` block: that look is a read like any other, refused outside the roots.
    repo, infra = _repo(tmp_path)
    os.symlink(tmp_path / "outside" / "secret.txt", infra / "link.tf")
    opened: list[str] = []
    real_open = os.open

    def watch(path: Any, *args: Any, **kwargs: Any) -> int:
        opened.append(os.path.realpath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", watch)
    roots = ScanRoots((str(repo),))
    assert tf_loader._may_call(str(infra / "link.tf"), roots)  # left to the loader, not looked at
    assert str(tmp_path / "outside" / "secret.txt") not in opened


@pytest.mark.parametrize("fn", ["file", "filebase64", "fileexists", "templatefile"])
def test_file_functions_never_read_outside_the_roots(tmp_path: Path, fn: str) -> None:
    _, infra = _repo(tmp_path)
    os.symlink(tmp_path / "outside" / "secret.txt", infra / "link.txt")
    cases = {
        # The issue's example: CI scans the repository root, the module reads its git config.
        "git": (f"{infra}/../.git/config", GIT),
        "sibling": (f"{infra}/../../outside/secret.txt", OUTSIDE),
        "absolute": (str(tmp_path / "outside" / "secret.txt"), OUTSIDE),
        "link": (f"{infra}/link.txt", OUTSIDE),
    }
    call = (lambda p: f'templatefile("{p}", {{}})') if fn == "templatefile" else (lambda p: f'{fn}("{p}")')
    body = "".join(
        f"  {name} = {call(p.replace(str(infra), '${path.module}'))}\n" for name, (p, _) in cases.items()
    )
    write(infra, {"main.tf": f'resource "t" "r" {{\n{body}}}\n'})
    result = load([_unit(infra)], _options(infra))
    assert result.diagnostics == []
    got = _attrs(result)
    for name, (p, why) in cases.items():
        v = got[name]
        # Unknown (existence too, for fileexists), naming the function and the path, no content.
        assert v.is_unknown and v.reason == f"{fn}(): {p}: {why}", name
    _no_secret(result)
    assert not any(".git" in f or "outside" in f for f in result.files_read)


def test_file_functions_read_inside_the_roots(tmp_path: Path) -> None:
    _, infra = _repo(tmp_path)
    write(tmp_path / "repo", {"shared/policy.json": '{"a": 1}', "infra/t.tpl": "v=${x}"})
    write(
        infra,
        {
            "main.tf": 'resource "t" "r" {\n'
            '  f = file("${path.module}/../shared/policy.json")\n'
            '  b = filebase64("${path.module}/../shared/policy.json")\n'
            '  e = fileexists("${path.module}/../shared/policy.json")\n'
            '  n = fileexists("${path.module}/../shared/none.json")\n'
            '  t = templatefile("${path.module}/t.tpl", {x = 1})\n}\n'
        },
    )
    got = _attrs(load([_unit(infra)], _options(infra)))
    assert {k: v.py() for k, v in got.items()} == {
        "f": '{"a": 1}',
        "b": "eyJhIjogMX0=",
        "e": True,
        "n": False,
        "t": "v=1",
    }


@needs_fifo
def test_file_functions_refuse_special_files_without_blocking(tmp_path: Path, no_hang: None) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    write(
        tmp_path,
        {
            "main.tf": 'resource "t" "r" {\n'
            '  f = file("${path.module}/pipe.txt")\n'
            '  t = templatefile("${path.module}/pipe.txt", {})\n'
            '  b = filebase64("${path.module}/pipe.txt")\n'
            '  e = fileexists("${path.module}/pipe.txt")\n}\n'
        },
    )
    got = _attrs(_load(tmp_path))
    p = f"{tmp_path}/pipe.txt"
    assert got["f"].reason == f"file(): {p}: {FIFO}"
    assert got["t"].reason == f"templatefile(): {p}: {FIFO}"
    assert got["b"].reason == f"filebase64(): {p}: {FIFO}"
    # Terraform fails on a path that exists but is not a regular file.
    assert got["e"].reason == f"invalid expression: fileexists(): {p} is not a regular file"


def test_file_loaded_content_is_charged_as_a_string(tmp_path: Path) -> None:
    big = "x" * (budget_mod.LIMITS.string_bytes + 1)
    write(
        tmp_path, {"big.txt": big, "main.tf": 'resource "t" "r" {\n  f = file("${path.module}/big.txt")\n}\n'}
    )
    f = _attrs(_load(tmp_path))["f"]
    assert f.is_unknown and f.reason.startswith(f"file(): {tmp_path}/big.txt: file is larger than 4 MB")


def _module_json(root: Path, dir_: str) -> None:
    entries = [{"Key": "", "Source": "", "Dir": "."}, {"Key": "gw", "Source": "x", "Dir": dir_}]
    write(root, {".terraform/modules/modules.json": json.dumps({"Modules": entries})})


_CALLER = 'module "gw" {\n  source = "x"\n}\nresource "t" "r" {\n  v = module.gw.anything\n}\n'


@pytest.mark.parametrize("where", ["absolute", "relative"])
def test_modules_json_dir_outside_the_roots_is_not_read(tmp_path: Path, where: str) -> None:
    _, infra = _repo(tmp_path)
    outside = tmp_path / "outside" / "mod"
    _module_json(infra, str(outside) if where == "absolute" else "../../outside/mod")
    write(infra, {"main.tf": _CALLER})
    result = load([_unit(infra)], _options(infra))
    assert sorted(by_address(result)) == ["t.r"]  # the outside module's TLS 1.0 domain is not read
    why = (
        "its directory in .terraform/modules/modules.json is an absolute path; not read"
        if where == "absolute"
        else f"its directory in .terraform/modules/modules.json is {OUTSIDE}"
    )
    assert _attrs(result)["v"].reason == f'module source "x" is not available locally ({why})'
    assert str(outside / "main.tf") not in result.files_read


@needs_fifo
def test_modules_json_fifo_is_refused(tmp_path: Path, no_hang: None) -> None:
    (tmp_path / ".terraform" / "modules").mkdir(parents=True)
    os.mkfifo(tmp_path / ".terraform" / "modules" / "modules.json")
    write(tmp_path, {"main.tf": _CALLER})
    v = _attrs(_load(tmp_path))["v"]
    assert v.reason == f'module source "x" is not available locally (.terraform/modules/modules.json: {FIFO})'


@needs_fifo
@pytest.mark.parametrize("name", ["main.tf", "terraform.tfvars", "x.auto.tfvars", "extra.tf.json"])
def test_unit_file_fifo_is_a_failed_file(tmp_path: Path, no_hang: None, name: str) -> None:
    write(tmp_path, {"ok.tf": 'resource "t" "r" {\n  a = 1\n}\n'})
    os.mkfifo(tmp_path / name)
    result = _load(tmp_path)
    assert result.diagnostics == [Diagnostic(str(tmp_path / name), 1, 1, FIFO, False)]
    assert _attrs(result)["a"].py() == 1


@needs_fifo
def test_module_directory_fifo_and_escapes(tmp_path: Path, no_hang: None) -> None:
    _, infra = _repo(tmp_path)
    (infra / "mod").mkdir()
    os.mkfifo(infra / "mod" / "main.tf")
    os.symlink(tmp_path / "outside" / "mod", infra / "linked")
    write(
        infra,
        {
            "mod/other.tf": 'output "o" {\n  value = "fine"\n}\n',
            "main.tf": 'module "m" {\n  source = "./mod"\n}\nmodule "l" {\n  source = "./linked"\n}\n'
            'module "up" {\n  source = "../../outside/mod"\n}\n'
            'resource "t" "r" {\n  m = module.m.o\n  l = module.l.x\n  up = module.up.x\n}\n',
        },
    )
    result = load([_unit(infra)], _options(infra))
    assert result.diagnostics == [Diagnostic(str(infra / "mod" / "main.tf"), 1, 1, FIFO, False)]
    got = _attrs(result)
    assert got["m"].py() == "fine"
    assert got["l"].reason == f'module source "./linked" is not available locally ({infra}/linked: {OUTSIDE})'
    up = os.path.normpath(infra / "../../outside/mod")
    assert got["up"].reason == f'module source "../../outside/mod" is not available locally ({up}: {OUTSIDE})'
    assert sorted(by_address(result)) == ["t.r"]


def test_config_var_files_are_read_inside_the_roots_only(tmp_path: Path) -> None:
    _, infra = _repo(tmp_path)
    write(
        infra,
        {
            "vars/ok.tfvars": 'policy = "TLS_1_2"\n',
            "main.tf": 'variable "policy" {}\nresource "t" "r" {\n  p = var.policy\n}\n',
        },
    )
    # A committed configuration naming the runner's environment, and a file beside the checkout.
    evil = ["/proc/self/environ", str(tmp_path / "outside" / "secret.txt")]
    result = load([_unit(infra)], _options(infra, config_var_files=[*evil, str(infra / "vars/ok.tfvars")]))
    assert result.diagnostics == [Diagnostic(p, 1, 1, OUTSIDE, False) for p in evil]
    assert _attrs(result)["p"].py() == "TLS_1_2"
    _no_secret(result)


@needs_fifo
def test_var_file_option_special_files_are_refused(tmp_path: Path, no_hang: None) -> None:
    os.mkfifo(tmp_path / "pipe.tfvars")
    write(tmp_path, {"main.tf": 'variable "v" {\n  default = "d"\n}\nresource "t" "r" {\n  v = var.v\n}\n'})
    start = time.monotonic()
    result = _load(tmp_path, var_files=["/dev/zero", str(tmp_path / "pipe.tfvars")])
    assert time.monotonic() - start < 5
    assert result.diagnostics == [
        Diagnostic("/dev/zero", 1, 1, DEVICE, False),
        Diagnostic(str(tmp_path / "pipe.tfvars"), 1, 1, FIFO, False),
    ]
    assert _attrs(result)["v"].py() == "d"


def test_var_file_option_is_read_anywhere_but_never_quoted(tmp_path: Path) -> None:
    unit, elsewhere = tmp_path / "unit", tmp_path / "elsewhere"
    write(unit, {"main.tf": 'variable "v" {}\nresource "t" "r" {\n  v = var.v\n}\n'})
    write(
        elsewhere,
        {
            "good.tfvars": 'v = "given"\n',
            "bad.tfvars": f"token = {SECRET} {SECRET}\n",
            "bad.tfvars.json": f'{{"token": {SECRET}}}',
        },
    )
    given = [str(elsewhere / n) for n in ("good.tfvars", "bad.tfvars", "bad.tfvars.json")]
    result = _load(unit, var_files=given)
    assert _attrs(result)["v"].py() == "given"  # the user's own choice of file: read
    assert [(d.path, d.message) for d in result.diagnostics] == [
        (given[1], "syntax error: not valid HCL here"),
        (given[2], "invalid JSON"),
    ]
    _no_secret(result)


@needs_fifo
def test_plan_loader_reads_through_the_guarded_reader(tmp_path: Path, no_hang: None) -> None:
    os.mkfifo(tmp_path / "plan.json")
    result = load_plan([Unit("terraform-plan", tmp_path / "plan.json", (tmp_path / "plan.json",))], None)
    assert result.diagnostics == [Diagnostic(str(tmp_path / "plan.json"), 1, 1, FIFO, False)]


# -- 2. regular expressions: RE2, Terraform's shapes, linear time --------------------------------


def test_regex_result_shapes_follow_terraform(expr) -> None:  # type: ignore[no-untyped-def]
    assert expr('regex("[a-z]+", "12ab3cd")').py() == "ab"
    assert expr('regex("(\\\\d+)-(x)?", "12-")').py() == ["12", None]
    assert expr('regex("(?P<num>\\\\d+)(?P<tail>x)?", "12")').py() == {"num": "12", "tail": None}
    assert expr('regexall("[a-z]+", "1234abcd5678efgh9")').py() == ["abcd", "efgh"]
    assert expr('regexall("(\\\\d)(\\\\w)", "1a2b")').py() == [["1", "a"], ["2", "b"]]
    assert expr('regexall("[a-z]+", "123")').py() == []
    mixed = expr('regex("(?P<a>x)(y)", "xy")')
    assert mixed.reason == (
        "invalid expression: regex(): invalid regular expression: cannot mix named and unnamed capture groups"
    )
    assert expr('regex("z", "xy")').reason == (
        "invalid expression: regex(): pattern did not match any part of the given string"
    )


def test_replace_with_a_pattern_follows_go(expr) -> None:  # type: ignore[no-untyped-def]
    # An empty match right after a match is skipped, as Go's ReplaceAllString does.
    assert expr('replace("abxxd", "/x*/", "-")').py() == "-a-b-d-"
    assert expr('replace("a-b", "/(?P<l>\\\\w)-(\\\\w)/", "$2.$${l}.$$.$1x.$9")').py() == "b.a.$.."
    assert expr('replace("hello", "l", "L")').py() == "heLLo"


def test_invalid_pattern_is_unknown_and_silent(expr, capfd) -> None:  # type: ignore[no-untyped-def]
    for call in ('regex("(", "x")', 'regexall("a{2,1}", "x")', 'replace("x", "/[/", "y")'):
        v = expr(call)
        assert v.is_unknown and "invalid regular expression" in v.reason, call
    assert expr('can(regex("(", "x"))').py() is False
    assert capfd.readouterr().err == ""  # RE2 logs nothing


def test_catastrophic_patterns_finish_in_linear_time(tmp_path: Path) -> None:
    s = "a" * 30_000 + "!"
    out = _bounded(
        tmp_path,
        {
            "main.tf": f'locals {{\n  s = "{s}"\n}}\nresource "t" "r" {{\n'
            '  nested = regexall("(a+)+$", local.s)\n'
            '  alt = length(regexall("(a|aa)+b", local.s))\n'
            '  rep = replace(local.s, "/(a*)*$/", "x")\n}\n'
        },
        cpu=10,
    )
    assert out["attrs"]["t.r.nested"] == ["KNOWN", ""]
    assert out["attrs"]["t.r.alt"] == ["KNOWN", ""]
    assert out["attrs"]["t.r.rep"] == ["KNOWN", ""]
    assert out["seconds"] < 5


def test_regex_error_evaluated_again_after_the_load(tmp_path: Path) -> None:
    """The issue's traceback: a lazy member (`t.a` read whole) worked out again by the model."""
    write(
        tmp_path,
        {"main.tf": 'resource "t" "a" {\n  pol = regex("(", "x")\n}\nresource "t" "b" {\n  whole = t.a\n}\n'},
    )
    result = _load(tmp_path)
    whole = _attrs(result, "t.b")["whole"].data
    assert isinstance(whole, LazyObject)
    pol = whole.get("pol")  # after the load: the instance's memo is released, so it evaluates again
    assert pol.reason.startswith("invalid expression: regex(): invalid regular expression: missing )")
    write(tmp_path, {"gw.tf": _TLS10})
    res = scan(ScanOptions(paths=[str(tmp_path)]))
    assert [f.rule_id for f in res.findings if f.rule_id != "IAC901"].count("IAC101") == 1


def test_lazy_members_are_charged_to_their_units_budget(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"main.tf": 'resource "t" "a" {\n  x = upper("a")\n}\nresource "t" "b" {\n  whole = t.a\n}\n'},
    )
    result = _load(tmp_path)
    # t.b's argument is read now (arguments are worked out when first read); t.a's members, later.
    whole = _attrs(result, "t.b")["whole"]
    assert whole.state is State.KNOWN
    (b,) = result.budgets
    b.steps = b.limits.work  # spend it all: a member worked out later must not run unbounded
    x = whole.data.get("x")
    spent = f"more than {b.limits.work:,} evaluation steps in this unit"
    assert x.reason == f"evaluation budget exceeded in t.a.x: {spent}"


# -- 3. the budget: sizes worked out before anything is built ----------------------------------------


def _note(where: str, what: str) -> str:
    return f"evaluation budget exceeded in {where}: {what}"


def _string_of(n: int) -> str:
    return f"a string of {n:,} characters (limit 4 MB)"


def _members(n: int) -> str:
    return f"a collection of {n:,} members (limit 100,000)"


def test_growth_functions_charge_before_building(tmp_path: Path) -> None:
    # Without the budget these allocate gigabytes: run bounded.
    cases = {
        'format("%0999999999d", 1)': _string_of(999_999_999),
        'format("%.999999999f", 1)': _string_of(999_999_999),
        'format("%-999999999s", "x")': _string_of(999_999_999),
        'formatlist("%099999999d", range(50))': _string_of(99_999_999),
        'indent(999999999, "a\\nb")': _string_of(1_000_000_002),
        "range(100000000)": _members(100_000_000),
        "range(0, 1000000000000, 0.5)": _members(2_000_000_000_000),
        'split("", format("%05000000s", "x"))': _string_of(5_000_000),
        'join("", [format("%03000000s", "x"), format("%03000000s", "y")])': _string_of(6_000_000),
    }
    names = {f"a{i}": source for i, source in enumerate(cases)}
    body = "".join(f"  {name} = {source}\n" for name, source in names.items())
    out = _bounded(tmp_path, {"main.tf": f'resource "t" "r" {{\n{body}}}\n'})
    for name, source in names.items():
        assert out["attrs"][f"t.r.{name}"] == ["UNKNOWN", _note(f"t.r.{name}", cases[source])], source
    assert out["seconds"] < 5


def _doubling(step: str, levels: int, start: str = '"xxxxxxxxxx"', name: str = "a") -> str:
    lines = [f"  {name}0 = {start}"]
    lines += [f"  {name}{i + 1} = {step.format(p=f'local.{name}{i}')}" for i in range(levels)]
    return "locals {\n" + "\n".join(lines) + "\n}\n"


@pytest.mark.parametrize(
    "step",
    [
        '"${{{p}}}${{{p}}}"',  # a template
        'join("", [{p}, {p}])',
        'format("%s%s", {p}, {p})',
        'replace({p}, "x", "xx")',  # strrep-style
        'replace({p}, "/x+/", "$0$0")',
        'indent(1, join("\\n", [{p}, {p}]))',
    ],
)
def test_string_doubling_through_locals(expr, step: str) -> None:  # type: ignore[no-untyped-def]
    # 10 characters doubled 19 times pass 4 MB; 21 levels would build 20 MB without the budget.
    v = expr("local.a21", _doubling(step, 21))
    assert v.is_unknown
    assert re.search(
        r"evaluation budget exceeded in local\.a1[89]: a string of [\d,]+ characters \(limit 4 MB\)$",
        v.reason,
    )


def test_string_squaring_through_replace(expr) -> None:  # type: ignore[no-untyped-def]
    v = expr("local.a3", _doubling('replace({p}, "x", {p})', 3))
    assert v.is_unknown and v.reason == _note("local.a3", _string_of(100_000_000))


def test_expansion_is_bounded(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'resource "t" "c" {\n  count = 100000000\n}\n'
            'resource "t" "f" {\n  for_each = {for i in range(5000) : tostring(i) => i}\n}\n'
            'resource "t" "r" {\n  dynamic "rule" {\n    for_each = range(5000)\n'
            "    content {\n      n = rule.value\n    }\n  }\n}\n"
        },
    )
    res = by_address(_load(tmp_path))
    assert res["t.c"].condition.reason == _note("count of t.c", "100,000,000 instances (limit 1,000)")
    assert res["t.f"].condition.reason == _note("for_each of t.f", "5,000 instances (limit 1,000)")
    assert res["t.r"].body.get("rule").reason == _note("t.r.rule", "5,000 instances (limit 1,000)")


_MANY = "a value of more than 100,000 members in all (shared members counted each time)"


def test_collections_that_share_members(expr) -> None:  # type: ignore[no-untyped-def]
    """`[local.x, local.x]` doubled: forty members to build, a million to read through."""
    dag = _doubling("[{p}, {p}]", 20, start='["x"]')
    assert expr("flatten(local.a20)", dag).reason == _note("t.r.a", _MANY)
    assert expr("local.a20", dag).reason == _note("t.r.a", _MANY)  # what the model would read
    assert expr("length(jsonencode(local.a20))", dag).reason == _note("t.r.a", _MANY)
    assert expr("toset(local.a20)", dag).reason == _note("t.r.a", _MANY)
    assert expr("local.a20 == local.a20", dag).reason == _note("t.r.a", _MANY)
    cat = _doubling("concat({p}, {p})", 17, start='["x"]')
    assert expr("local.a17", cat).reason == _note("local.a17", _members(131_072))


def test_encoders_check_their_output_size(expr) -> None:  # type: ignore[no-untyped-def]
    prelude = 'locals {\n  s = format("%01000000s", "x")\n  l = [for i in range(10) : local.s]\n}\n'
    for fn in ("jsonencode", "yamlencode"):
        v = expr(f"{fn}(local.l)", prelude)
        assert v.is_unknown and v.reason.startswith(_note("t.r.a", "a string of")), fn
    v = expr('format("%v", local.l)', prelude)
    assert v.is_unknown and v.reason.startswith(_note("t.r.a", "a string of"))
    assert expr("length(jsonencode(slice(local.l, 0, 2)))", prelude).py() == 2_000_007


def test_decoders_bound_what_they_build(expr) -> None:  # type: ignore[no-untyped-def]
    big = "[" + "0," * 120_000 + "0]"
    assert expr(f'jsondecode("{big}")').reason == _note("t.r.a", _MANY)
    deep = "[" * 300 + "]" * 300
    assert expr(f'jsondecode("{deep}")').reason == _note("t.r.a", "a value nested more than 200 levels deep")
    assert expr('yamldecode("a: &a [*a]")').reason == _note(
        "t.r.a", "a value nested more than 200 levels deep"
    )
    assert expr('yamldecode("a: [1, 2")').reason.startswith(
        "invalid expression: yamldecode(): invalid YAML at line"
    )


def test_yaml_alias_bomb(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    doc = "\n".join(lines)
    out = _bounded(
        tmp_path,
        {
            "main.tf": f"locals {{\n  doc = <<EOT\n{doc}\nEOT\n}}\n"
            'resource "t" "r" {\n  a = yamldecode(local.doc)\n}\n'
        },
    )
    assert out["attrs"]["t.r.a"] == ["UNKNOWN", _note("t.r.a", _MANY)]
    assert out["seconds"] < 5


def test_distinct_and_toset_are_linear(tmp_path: Path) -> None:
    out = _bounded(
        tmp_path,
        {
            "main.tf": 'locals {\n  l = [for i in range(20000) : "k${i}"]\n}\nresource "t" "r" {\n'
            "  s = length(toset(local.l))\n  d = length(distinct(concat(local.l, local.l)))\n}\n"
        },
    )
    assert out["attrs"]["t.r.s"] == ["KNOWN", ""]
    assert out["attrs"]["t.r.d"] == ["KNOWN", ""]
    assert out["seconds"] < 5


def test_doubling_to_gigabytes_stays_bounded(tmp_path: Path) -> None:
    # Thirty levels of doubling: 10 GB of text and a billion list members without the budget.
    text = _doubling('"${{{p}}}${{{p}}}"', 30)
    lists = _doubling("[{p}, {p}]", 30, start='["x"]', name="b")
    out = _bounded(
        tmp_path,
        {
            "main.tf": text + lists + 'resource "t" "r" {\n  s = local.a30\n  l = local.b30\n'
            "  j = jsonencode(local.b30)\n  f = flatten(local.b30)\n}\n"
        },
        mem_mb=1024,
    )
    for name in ("s", "l", "j", "f"):
        state, reason = out["attrs"][f"t.r.{name}"]
        assert state == "UNKNOWN" and "evaluation budget exceeded" in reason, name
    assert out["seconds"] < 10


def test_templatefile_cannot_grow_or_recurse(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "self.tpl": '${templatefile("self.tpl", {})}',
            "rep.tpl": "%{ for i in range(1000) }${x}%{ endfor }",
            "main.tf": 'resource "t" "r" {\n'
            '  self = templatefile("self.tpl", {})\n'
            '  rep = templatefile("rep.tpl", {x = format("%05000s", "x")})\n'
            '  doc = <<EOT\n%{ for i in range(1000) }${format("%05000s", i)}%{ endfor }\nEOT\n}\n',
        },
    )
    got = _attrs(_load(tmp_path))
    assert got["self"].reason == "invalid expression: templatefile() cannot be called from inside a template"
    assert got["rep"].is_unknown and got["rep"].reason.startswith(_note("t.r.rep", "a string of"))
    assert got["doc"].is_unknown and got["doc"].reason.startswith(_note("t.r.doc", "a string of"))


def test_deep_call_chains_and_numbers(expr) -> None:  # type: ignore[no-untyped-def]
    chain = "{}"
    for _ in range(120):
        chain = f'lookup({chain}, "k", {{}})'
    assert expr(chain).reason == _note("t.r.a", "nested more than 200 levels deep")
    squares = _doubling("{p} * {p}", 40, start="10")
    assert expr("local.a40", squares).reason == "invalid expression: number out of range"
    assert expr("1" + "0" * 4000 + " / 3").reason.startswith("invalid expression: number ")


def _small_budget(monkeypatch: pytest.MonkeyPatch, **limits: int) -> Limits:
    small = Limits(**limits)
    monkeypatch.setattr(tf_loader, "Budget", lambda unit="": Budget(small, unit=unit))
    return small


_OVER = "a collection of 60 members (limit 50)"


@pytest.mark.parametrize(
    ("source", "what"),
    [
        ("[" + ", ".join(["1"] * 60) + "]", _OVER),
        ("{" + ", ".join(f"k{i} = {i}" for i in range(60)) + "}", _OVER),
        ("[for i in range(60) : i]", _OVER),
        ("concat(range(30), range(30))", _OVER),
        ('merge({for i in range(30) : "a${i}" => i}, {for i in range(30) : "b${i}" => i})', _OVER),
        ('split(",", join(",", range(60)))', _OVER),
        ('regexall("[0-9]", join("", range(40)))', "a collection of 51 members (limit 50)"),
        ('formatlist("%d", range(60))', _OVER),
        ("range(60)", _OVER),
        ("jsondecode(jsonencode(range(60)))", _OVER),
        # Counted through every level: the members of a nested result, together.
        (
            "flatten([range(30), [range(30)]])",
            "a value of more than 50 members in all (shared members counted each time)",
        ),
    ],
)
def test_each_collection_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, what: str
) -> None:
    _small_budget(monkeypatch, collection_items=50)
    write(tmp_path, {"main.tf": f'resource "t" "r" {{\n  a = {source}\n}}\n'})
    v = _attrs(_load(tmp_path))["a"]
    assert v.is_unknown and "evaluation budget exceeded in " in v.reason and v.reason.endswith(what), v.reason


def test_each_expansion_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _small_budget(monkeypatch, expansion=5)
    write(
        tmp_path,
        {
            "main.tf": 'resource "t" "c" {\n  count = 6\n}\nresource "t" "ok" {\n  count = 5\n}\n'
            'resource "t" "f" {\n  for_each = toset(["a", "b", "c", "d", "e", "f"])\n}\n'
            'module "m" {\n  source = "./m"\n  count = 6\n}\n'
            'resource "t" "r" {\n  dynamic "b" {\n    for_each = range(6)\n    content {}\n  }\n'
            "  m = module.m\n}\n",
            "m/main.tf": 'output "o" {\n  value = 1\n}\n',
        },
    )
    res = by_address(_load(tmp_path))
    assert res["t.c"].condition.reason == _note("count of t.c", "6 instances (limit 5)")
    assert res["t.f"].condition.reason == _note("for_each of t.f", "6 instances (limit 5)")
    assert sum(a.startswith("t.ok[") for a in res) == 5
    assert res["t.r"].body.get("b").reason == _note("t.r.b", "6 instances (limit 5)")
    m = res["t.r"].body.get("m")
    assert m.reason == "module.m instances are unknown: " + _note(
        "count of module.m", "6 instances (limit 5)"
    )


def test_spent_unit_never_raises_out_of_the_loader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """However small the budget, every kind of value becomes unknown; nothing escapes the load,
    and values worked out later (a lazy member) do not raise either."""
    write(
        tmp_path,
        {
            "main.tf": 'variable "v" {\n  default = {a = [1, 2]}\n}\n'
            'locals {\n  l = [for x in range(20) : "${x}"]\n}\n'
            'module "m" {\n  source = "./m"\n  for_each = toset(local.l)\n  in = each.key\n}\n'
            'resource "t" "r" {\n  count = length(local.l)\n  a = var.v.a\n  b = local.l\n'
            '  dynamic "d" {\n    for_each = local.l\n    content {\n      x = d.value\n    }\n  }\n}\n'
            'resource "t" "w" {\n  whole = t.r\n  m = module.m\n  j = jsonencode(local.l)\n}\n',
            "m/main.tf": 'variable "in" {}\noutput "o" {\n  value = upper(var.in)\n}\n'
            'resource "t" "inner" {\n  v = var.in\n}\n',
            "terraform.tfvars": "v = {a = [3]}\n",
        },
    )
    for work in (0, 10, 50, 200, 1000):
        _small_budget(monkeypatch, work=work, built_items=200, built_bytes=200)
        result = _load(tmp_path)
        for r in result.resources:
            r.body.py()
            for v in r.body.data.values():
                if isinstance(v.data, LazyObject):
                    dict(v.data.items())  # worked out now, under the spent budget


# -- 4. parsing under a deadline ---------------------------------------------------------------------


def test_slow_parse_is_a_failed_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 40 KB of `x = ` takes the grammar's error recovery seconds (313 KB: minutes); a short
    # deadline shows the file failing fast, with its reason, while the other files load.
    fast = Limits(parse_seconds=0.2, parse_seconds_per_mb=0.0)
    monkeypatch.setattr(tf_syntax, "ParseDeadline", lambda size: ParseDeadline(size, fast))
    write(tmp_path, {"junk.tf": "x = " * 10_000, "ok.tf": 'resource "t" "r" {\n  a = 1\n}\n'})
    start = time.monotonic()
    result = _load(tmp_path)
    assert time.monotonic() - start < 3
    (d,) = result.diagnostics
    assert (d.path, d.partial) == (str(tmp_path / "junk.tf"), False)
    assert d.message.startswith("parsing gave up after")
    assert _attrs(result)["a"].py() == 1


# -- 5. one budget per unit ----------------------------------------------------------------------------


def test_a_unit_that_spends_its_budget_does_not_hide_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue: a module burning the shared step budget turned a TLS 1.0 endpoint in another
    module into a note, and the scan exited 0."""
    small = Limits(work=30_000)
    monkeypatch.setattr(tf_loader, "Budget", lambda unit="": Budget(small, unit=unit))
    write(
        tmp_path,
        {
            "a-burner/main.tf": "locals {\n  x = [for i in range(20000) : [for j in range(2) : j]]\n}\n"
            # Read where the model reads (an argument of a REST API it reads): a budget spent only
            # in what no rule reads is never spent (arguments are worked out when read), and hides
            # nothing.
            'resource "aws_api_gateway_rest_api" "r" {\n'
            "  disable_execute_api_endpoint = length(local.x) > 0\n}\n",
            "b-gateway/main.tf": _TLS10,
        },
    )
    monkeypatch.chdir(tmp_path)
    res = scan(ScanOptions(paths=["."]))
    got = [(f.rule_id, f.span.path, f.span.line) for f in res.findings if f.rule_id in ("IAC101", PARSE_RULE)]
    assert ("IAC101", "b-gateway/main.tf", 3) in got
    spent = [f for f in res.findings if f.rule_id == PARSE_RULE]
    assert [f.span.path for f in spent] == ["a-burner/main.tf"]
    assert "more than 30,000 evaluation steps in this unit" in spent[0].message


# -- 6. internal errors are not parse errors --------------------------------------------------------------


def test_iam_condition_without_variable_is_an_invalid_document(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'data "aws_iam_policy_document" "p" {\n  statement {\n    actions = ["x:Y"]\n'
            '    condition {\n      test = "StringEquals"\n      values = ["v"]\n    }\n  }\n}\n'
            'resource "t" "r" {\n  policy = data.aws_iam_policy_document.p.json\n}\n'
        },
    )
    result = _load(tmp_path)
    assert result.diagnostics == []
    assert _attrs(result)["policy"].reason == "invalid expression: a condition block has no variable"


def test_a_loader_bug_is_an_internal_error_naming_the_unit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"main.tf": 'resource "t" "r" {\n  a = upper("x")\n}\n'})

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(tf_loader.ResourceInstance, "resource", broken)
    with pytest.raises(RuntimeError):
        _load(tmp_path)
    with pytest.raises(InternalError, match=f"^{tmp_path}: RuntimeError: boom$"):
        scan(ScanOptions(paths=[str(tmp_path)]))


def test_resource_limits_in_subprocess_helper_work(tmp_path: Path) -> None:
    # The bounded runner itself: a load that is fine stays fine under the limits.
    out = _bounded(tmp_path, {"main.tf": 'resource "t" "r" {\n  a = upper("x")\n}\n'}, cpu=10)
    assert out["attrs"] == {"t.r.a": ["KNOWN", ""]}
    assert resource.getrlimit(resource.RLIMIT_CPU)  # the parent is not limited
