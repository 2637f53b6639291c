"""The guarded reader (`fileaccess`), the evaluation budget (`budget`) and the parse deadline
(`lang/parsing`): the pieces every loader uses against hostile input (issue 12)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deep_tree import make_deep_tree, remove_deep_tree
from iaclint.budget import LIMITS, Budget, BudgetExceeded, Limits, current, exceeded_note
from iaclint.fileaccess import ReadRefused, ScanRoots, git_top, read_bytes, read_head
from iaclint.realpath import PathResolver


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A checkout: `.git/config` holding a token, `infra/` with code, a secret beside the repo."""
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / ".git" / "config").write_text("token = s3cr3t\n")
    (tmp_path / "repo" / "infra" / "modules").mkdir(parents=True)
    (tmp_path / "repo" / "infra" / "main.tf").write_text("# code\n")
    (tmp_path / "secret.txt").write_text("s3cr3t\n")
    return tmp_path / "repo"


def test_roots_are_the_git_top_level_of_the_scanned_path(repo: Path) -> None:
    roots = ScanRoots.for_paths([repo / "infra"])
    assert roots.roots == (str(repo.resolve()),)
    assert git_top(str(repo / "infra" / "modules")) == str(repo)


def test_roots_without_git_are_the_scanned_path(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "main.tf").write_text("")
    assert ScanRoots.for_paths([tmp_path / "a"]).roots == (str((tmp_path / "a").resolve()),)
    # A file: its directory.
    assert ScanRoots.for_paths([tmp_path / "a" / "main.tf"]).roots == (str((tmp_path / "a").resolve()),)


def test_reads_inside_the_root_only_and_never_git(repo: Path, tmp_path: Path) -> None:
    roots = ScanRoots.for_paths([repo / "infra"])
    assert read_bytes(repo / "infra" / "main.tf", roots=roots) == b"# code\n"
    with pytest.raises(ReadRefused, match=r"inside a \.git directory"):
        read_bytes(repo / "infra" / ".." / ".git" / "config", roots=roots)
    with pytest.raises(ReadRefused, match="outside the scanned tree"):
        read_bytes(tmp_path / "secret.txt", roots=roots)
    with pytest.raises(ReadRefused, match="outside the scanned tree"):
        read_bytes("/etc/passwd", roots=roots)


def test_links_are_resolved_before_deciding(repo: Path, tmp_path: Path) -> None:
    roots = ScanRoots.for_paths([repo / "infra"])
    (repo / "infra" / "to-secret").symlink_to(tmp_path / "secret.txt")
    (repo / "infra" / "to-git").symlink_to(repo / ".git")
    with pytest.raises(ReadRefused, match="outside"):
        read_bytes(repo / "infra" / "to-secret", roots=roots)
    with pytest.raises(ReadRefused, match=r"\.git"):
        read_bytes(repo / "infra" / "to-git" / "config", roots=roots)
    # A path the user typed is read wherever it is (roots=None).
    assert read_bytes(repo / "infra" / "to-secret", roots=None) == b"s3cr3t\n"


def test_refusal_resolves_every_path_as_realpath_does(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Directories are resolved once per ScanRoots; what it decides must not differ from resolving
    each path in full: links to files and directories (in and out of the root), `..` after a
    link, relative paths, `.` and doubled slashes, missing files, a NUL."""
    infra = repo / "infra"
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.tf").write_text("")
    (infra / "to_secret.tf").symlink_to(tmp_path / "secret.txt")
    (infra / "out_dir").symlink_to(tmp_path / "outside")
    (infra / "in_dir").symlink_to(infra / "modules")
    (infra / "to_git").symlink_to(repo / ".git")
    monkeypatch.chdir(infra)
    roots = ScanRoots.for_paths([repo])
    paths = [
        "main.tf", "./main.tf", "modules//../main.tf", "to_secret.tf", "out_dir/x.tf", "in_dir/a.tf",
        "in_dir/../main.tf", "out_dir/../secret.txt", "to_git/config", "missing/x.tf", "../.git/config",
        str(infra / "main.tf"), str(infra / "out_dir" / "x.tf"), str(infra) + "/", "main\0.tf",
    ]  # fmt: skip
    for p in paths * 2:  # the second time from the cache
        try:
            expected: str | None = os.path.realpath(p)
        except ValueError:
            expected = None
        if expected is None:
            assert roots.refusal(p) == "path cannot be resolved"
        else:
            assert roots.real(p) == expected, p
    assert roots.allows("main.tf") and roots.allows("in_dir/a.tf")
    assert not roots.allows("to_secret.tf") and not roots.allows("out_dir/x.tf")
    assert roots.refusal("to_git/config") == "inside a .git directory, which iaclint never reads"
    assert not roots.allows("out_dir/../secret.txt")


def test_refusals_never_quote_content(repo: Path, tmp_path: Path) -> None:
    roots = ScanRoots.for_paths([repo / "infra"])
    for target in (tmp_path / "secret.txt", repo / ".git" / "config"):
        with pytest.raises(ReadRefused) as err:
            read_bytes(target, roots=roots)
        assert "s3cr3t" not in err.value.reason and "\n" not in err.value.reason


def test_special_files_are_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "main.tf"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(ReadRefused, match="named pipe"):
        read_bytes(fifo, roots=None)
    with pytest.raises(ReadRefused, match="device"):
        read_bytes("/dev/zero", roots=None)
    with pytest.raises(ReadRefused, match="directory"):
        read_bytes(tmp_path, roots=None)
    assert time.monotonic() - started < 5


def test_size_is_bounded_while_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"x" * 1000)
    with pytest.raises(ReadRefused) as err:
        read_bytes(big, roots=None, limit=999)
    assert err.value.too_large
    assert read_bytes(big, roots=None, limit=1000) == b"x" * 1000
    assert read_head(big, roots=None, size=10) == b"x" * 10
    # A proc file reports size 0 and is endless in principle: counted while reading.
    environ = Path("/proc/self/environ")
    if environ.exists() and os.environ:
        with pytest.raises(ReadRefused, match="larger than"):
            read_bytes(environ, roots=None, limit=1)


def test_sparse_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    sparse = tmp_path / "huge.json"
    with open(sparse, "wb") as fh:
        fh.truncate(LIMITS.file_bytes + 1)
    with pytest.raises(ReadRefused, match="larger than 20 MB") as err:
        read_bytes(sparse, roots=None)
    assert err.value.too_large


def test_unreadable_and_missing_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ReadRefused, match="No such file"):
        read_bytes(tmp_path / "missing.tf", roots=None)
    with pytest.raises(ReadRefused, match="invalid file name"):
        read_bytes("a\0b", roots=None)
    target = tmp_path / "locked.tf"
    target.write_text("")
    real_open = os.open

    def deny(path: object, *args: object, **kwargs: object) -> int:
        if str(path) == str(target):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(ReadRefused, match="Permission denied"):
        read_bytes(target, roots=None)


def test_resolver_handles_trees_deeper_than_the_stack(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    # Issue 12: a directory tree thousands of levels deep raised RecursionError.
    depth = sys.getrecursionlimit() + 200
    make_deep_tree(tmp_path, depth)
    request.addfinalizer(lambda: remove_deep_tree(tmp_path, depth))
    deep = os.path.join(str(tmp_path), *(["d"] * depth), "main.tf")
    assert PathResolver().real(deep) == os.path.join(os.path.realpath(tmp_path), *(["d"] * depth), "main.tf")


# -- budget -------------------------------------------------------------------------------------


def test_each_limit_raises_with_what_was_exceeded() -> None:
    limits = Limits(string_bytes=10, collection_items=5, expansion=3, depth=4, work=100,
                    built_bytes=25, built_items=12)  # fmt: skip
    b = Budget(limits, unit="main.tf")
    b.string(10)
    with pytest.raises(BudgetExceeded, match="a string of 11 characters"):
        b.string(11)
    b.collection(5)
    with pytest.raises(BudgetExceeded, match="a collection of 6 members"):
        b.collection(6)
    with pytest.raises(BudgetExceeded, match="4 instances"):
        b.expansion(4)
    with pytest.raises(BudgetExceeded, match="nested more than 4"):
        b.depth(5)
    assert b.exhausted is None  # per-value caps do not spend the unit's allowance
    b.step(100)
    with pytest.raises(BudgetExceeded, match="evaluation steps"):
        b.step()
    assert b.exhausted is not None and "evaluation steps" in b.exhausted
    with pytest.raises(BudgetExceeded, match="evaluation steps"):
        b.check()


def test_built_totals_bound_a_unit_memory() -> None:
    b = Budget(Limits(string_bytes=10, built_bytes=25, collection_items=10, built_items=12))
    b.string(10)
    b.string(10)
    with pytest.raises(BudgetExceeded, match="of strings built"):
        b.string(10)
    b2 = Budget(Limits(collection_items=10, built_items=12))
    b2.collection(10)
    with pytest.raises(BudgetExceeded, match="collection members built"):
        b2.collection(3)
    assert b2.exhausted is not None


def test_budgets_are_per_unit_and_the_active_one_is_current() -> None:
    outside = current()
    a, b = Budget(unit="a"), Budget(unit="b")
    with a.active():
        assert current() is a
        with b.active():
            assert current() is b
        assert current() is a
    assert current() is outside
    # Outside any unit the per-value caps still hold.
    with pytest.raises(BudgetExceeded):
        outside.string(LIMITS.string_bytes + 1)


def test_an_active_budget_is_given_back_when_its_evaluation_fails() -> None:
    outside = current()
    a = Budget(unit="a")
    with pytest.raises(BudgetExceeded, match="boom"), a.active() as entered:
        assert entered is a and current() is a
        raise BudgetExceeded("boom")
    assert current() is outside


def test_exceeded_note_names_the_value() -> None:
    err = BudgetExceeded("a string of 5,000,000 characters (limit 4 MB)")
    assert exceeded_note("local.x", err) == (
        "evaluation budget exceeded in local.x: a string of 5,000,000 characters (limit 4 MB)"
    )


# -- parse deadline --------------------------------------------------------------------------------


def test_parse_deadline_cancels_slow_error_recovery_and_the_parser_recovers() -> None:
    # The junk: `<a>` repeated makes tree-sitter-bicep's error recovery quadratic. Run in a
    # subprocess with a CPU limit, so a regression fails instead of hanging the suite.
    code = """
import time
import tree_sitter as ts, tree_sitter_bicep as tb
from iaclint.budget import Limits
from iaclint.lang.parsing import ParseDeadline, ParseTimeout
parser = ts.Parser(ts.Language(tb.language()))
limits = Limits(parse_seconds=0.2, parse_seconds_per_mb=0.0)
started = time.monotonic()
try:
    ParseDeadline(200000, limits).parse(parser, b"<a>" * 60000)
    print("parsed")
except ParseTimeout as err:
    print("timeout", round(time.monotonic() - started, 1), err.reason)
tree = ParseDeadline(10).parse(parser, b"param x string = 'a'\\n")
print("after", tree.root_node.has_error)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
        preexec_fn=_cpu_limit(30),
    )  # fmt: skip
    lines = out.stdout.splitlines()
    assert lines[0].startswith("timeout"), out.stdout + out.stderr
    assert float(lines[0].split()[1]) < 5
    assert "file not read" in lines[0]
    assert lines[1] == "after False"


def _cpu_limit(seconds: int):  # type: ignore[no-untyped-def]
    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))

    return apply


def test_once_an_allowance_is_spent_every_charge_fails() -> None:
    b = Budget(Limits(work=10))
    with pytest.raises(BudgetExceeded, match="evaluation steps"):
        b.step(11)
    # The memory and resource charges fail too, naming what was spent first.
    for charge in (lambda: b.string(1), lambda: b.collection(1), b.resource, b.step):
        with pytest.raises(BudgetExceeded, match="more than 10 evaluation steps"):
            charge()


def test_units_of_one_scan_share_an_allowance_of_what_they_build() -> None:
    from iaclint.budget import scan_allowance

    limits = Limits(scan_built_items=10, scan_built_bytes=100)
    with scan_allowance(limits):
        first = Budget(limits, unit="a")
        first.collection(8)
        second = Budget(limits, unit="b")
        with pytest.raises(BudgetExceeded, match="the scan's allowance"):
            second.collection(3)
        assert second.exhausted is not None and first.exhausted is None
        # A unit that starts once the allowance is spent is spent from its start.
        third = Budget(limits, unit="c")
        assert third.exhausted is not None
        with pytest.raises(BudgetExceeded, match="the scan's allowance"):
            third.step()
    # Outside a scan there is no shared allowance.
    assert Budget(limits).scan is None


def test_a_scan_reports_the_units_its_allowance_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Six units each building 400,000 members: the scan's 3,000,000 leave the later ones out, each
    # reported as partly read (exit 1), never silently passed; a violation in each is still seen
    # where it was evaluated.
    from iaclint.engine import ScanOptions, scan

    unit = (
        'resource "aws_api_gateway_domain_name" "d" {\n  security_policy = "TLS_1_0"\n}\n'
        'locals {\n  big = [for i in range(100000) : [i, i, i]]\n}\n'
        'resource "aws_api_gateway_rest_api" "r" {\n  count = 1\n  body = jsonencode(local.big)\n}\n'
    )
    for i in range(8):
        (tmp_path / f"u{i}").mkdir()
        (tmp_path / f"u{i}" / "main.tf").write_text(unit)
    monkeypatch.chdir(tmp_path)
    result = scan(ScanOptions(paths=["."]))
    spent = [f for f in result.findings if f.rule_id == "IAC001"]
    assert spent and all("the scan's allowance" in f.message for f in spent)
    assert all(f.message.endswith("(file partly read)") for f in spent)
