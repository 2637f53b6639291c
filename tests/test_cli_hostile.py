"""The command line, configuration, baseline and reports against hostile input (issue 12, classes
1, 2 and 5): files named on the command line must be regular files and are read bounded; a
committed configuration reads nothing outside the scan roots; reports quote no file that was not
scanned; and what used to be a traceback is one line on stderr with exit code 2.

Cases that could hang (FIFOs) or exhaust memory (`/dev/zero`) run `python -m iaclint` in a
subprocess with a timeout and an address-space limit, so a regression fails instead of hanging.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from _schemas import sarif_schema
from iaclint.cli import main

VIOLATING = (
    'variable "policy" {\n  default = "TLS_1_0"\n}\n'
    'resource "aws_api_gateway_domain_name" "d" {\n'
    '  domain_name     = "api.example.com"\n'
    "  security_policy = var.policy\n"
    "}\n"
)
FORMATS = ("text", "json", "sarif", "github")
CANARY = "IACLINT_CANARY_8d1f0c"


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git checkout (`repo/`, the scan root) holding `infra/main.tf`; the working directory.
    `tmp_path` itself, next to it, is outside the scan roots."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "infra").mkdir()
    (root / "infra" / "main.tf").write_text(VIOLATING, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _one_error_line(result: Result | subprocess.CompletedProcess[str]) -> str:
    """The error a failed run printed: exactly one line, exit code 2, no traceback."""
    if isinstance(result, Result):
        code, err = result.exit_code, result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    else:
        code, err = result.returncode, result.stderr
    lines = err.splitlines()
    assert code == 2, (code, err)
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _limited() -> None:
    import resource

    # Enough for a scan (the interpreter and the grammars reserve ~300 MB), far below what an
    # endless read of /dev/zero would take before failing.
    limit = 1536 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _iaclint(*args: str, cwd: Path, env: dict[str, str] | None = None,
             stdout: int | object = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    """`python -m iaclint ARGS` bounded in time and memory: a hang or a flood fails the test."""
    src = str(Path(__file__).resolve().parents[1] / "src")
    # The given variables first: /proc/self/environ lists them in this order, and the text report
    # would show only the first 200 columns of its line.
    full_env = {**(env or {}), **{k: v for k, v in os.environ.items() if k not in (env or {})}}
    full_env["PYTHONPATH"] = src
    try:
        return subprocess.run(
            [sys.executable, "-m", "iaclint", *args], cwd=cwd, env=full_env, stdout=stdout,
            stderr=subprocess.PIPE, text=True, timeout=30, preexec_fn=_limited,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"iaclint {' '.join(args)} hung")


# -- files named on the command line ------------------------------------------------------------

OPTIONS = ("--var-file", "--parameter-file", "--config", "--baseline")


_BATCH = """
import json, sys
from click.testing import CliRunner
from iaclint.cli import main
for args in json.loads(sys.argv[1]):
    result = CliRunner().invoke(main, args)
    print(json.dumps([result.exit_code, result.stderr, repr(result.exception)]), flush=True)
"""


def _cli_batch(cases: list[list[str]], cwd: Path) -> list[tuple[int, str]]:
    """Each case through `main` in one subprocess bounded in time and memory (one interpreter
    start for all); a case that hangs fails the test naming it."""
    src = str(Path(__file__).resolve().parents[1] / "src")
    try:
        done = subprocess.run(
            [sys.executable, "-c", _BATCH, json.dumps(cases)], cwd=cwd, capture_output=True, text=True,
            timeout=30, preexec_fn=_limited, env={**os.environ, "PYTHONPATH": src},
        )
    except subprocess.TimeoutExpired as err:
        finished = (err.stdout or b"").count(b"\n")
        pytest.fail(f"iaclint {' '.join(cases[finished])} hung")
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(cases)
    for (code, err, exc), args in zip(results, cases, strict=True):
        assert exc in ("None", "SystemExit(2)"), (args, exc)
        assert code == 2 and len(err.splitlines()) == 1, (args, code, err)
    return [(code, err.rstrip("\n")) for code, err, _ in results]


def test_fifo_or_dev_zero_given_as_an_option_is_refused_not_read(repo: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    zero = "/dev/zero" if os.path.exists("/dev/zero") else None
    cases = [["scan", "infra", option, str(fifo)] for option in OPTIONS]
    cases += [["scan", "infra", option, zero] for option in OPTIONS if zero]
    lines = [err for _, err in _cli_batch(cases, repo)]
    said = {"--config": ": cannot read", "--baseline": ": cannot read"}
    assert lines[:4] == [
        f"Error: {option} {fifo}{said.get(option, '')}: a named pipe (FIFO), not a regular file; not read"
        for option in OPTIONS
    ]
    assert lines[4:] == [
        f"Error: {option} /dev/zero{said.get(option, '')}: a device, not a regular file; not read"
        for option in OPTIONS if zero
    ]


@pytest.mark.parametrize("option", OPTIONS)
def test_directory_or_missing_file_given_as_an_option(repo: Path, option: str) -> None:
    directory = _one_error_line(_invoke("scan", "infra", option, "infra"))
    assert directory.startswith(f"Error: {option} infra: ")
    assert directory.endswith("a directory, not a regular file; not read")
    missing = _one_error_line(_invoke("scan", "infra", option, "missing.json"))
    assert missing.startswith(f"Error: {option} missing.json: ")
    assert missing.endswith("cannot read file: No such file or directory")


def test_var_file_outside_the_roots_is_read_but_never_quoted(repo: Path, tmp_path: Path) -> None:
    # The user's --var-file is read wherever it is; a finding located in it (here its syntax
    # error) names the file and line, but the report quotes no line of it: it lies outside the
    # scan roots. Before, the text report printed the line (and /dev/zero exhausted memory).
    outside = tmp_path / "secret.tfvars"
    outside.write_text(f'policy = "TLS_1_0"\nunused = "{CANARY}" {{\n', encoding="utf-8")
    for fmt in FORMATS:
        result = _invoke("scan", "infra", "--var-file", str(outside), "--format", fmt)
        assert result.exit_code == 1, result.output
        assert CANARY not in result.output
        assert "secret.tfvars" in result.output  # the finding is there, pointing at the file
    text = _invoke("scan", "infra", "--var-file", str(outside)).output
    assert "secret.tfvars:2:" in text and "IAC001" in text
    # The same file inside the roots is quoted as usual: the excerpt is withheld for the place.
    inside = repo / "infra" / "local.tfvars"
    inside.write_text(outside.read_text(encoding="utf-8"), encoding="utf-8")
    assert CANARY in _invoke("scan", "infra", "--var-file", str(inside)).output


def _every_report(*args: str, cwd: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], str]:
    """One run writing all four reports (text on stdout); returns the run and everything written."""
    outputs = ("--format", "json", "--output", "r.json", "--format", "sarif", "--output", "r.sarif",
               "--format", "github", "--output", "r.github", "--format", "text")
    done = _iaclint(*args, *outputs, cwd=cwd, env=env)
    written = "".join((cwd / name).read_text(encoding="utf-8") for name in ("r.json", "r.sarif", "r.github"))
    return done, done.stdout + done.stderr + written


def test_proc_environ_as_var_file_never_reaches_any_report(repo: Path) -> None:
    if not os.path.exists("/proc/self/environ"):
        pytest.skip("no /proc")
    done, everything = _every_report("scan", "infra", "--var-file", "/proc/self/environ",
                                     cwd=repo, env={CANARY: "leaked"})
    assert done.returncode == 1, done.stderr
    assert "IAC001" in done.stdout and "/proc/self/environ" in done.stdout
    assert CANARY not in everything


# -- configuration ------------------------------------------------------------------------------

def test_committed_config_var_file_in_proc_never_reaches_any_report(repo: Path) -> None:
    if not os.path.exists("/proc/self/environ"):
        pytest.skip("no /proc")
    (repo / ".iaclint.toml").write_text('var-files = ["/proc/self/environ"]\n', encoding="utf-8")
    done, everything = _every_report("scan", "infra", cwd=repo, env={CANARY: "leaked"})
    assert done.returncode in (0, 1), done.stderr
    assert "IAC101" in done.stdout  # the scan itself went on
    assert CANARY not in everything


def test_committed_config_var_file_outside_the_roots_is_not_read(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.tfvars").write_text(f'policy = "{CANARY}"\n', encoding="utf-8")
    (repo / ".iaclint.toml").write_text('var-files = ["../outside.tfvars"]\n', encoding="utf-8")
    for fmt in FORMATS:
        result = _invoke("scan", "infra", "--format", fmt)
        assert CANARY not in result.output


def test_committed_config_that_is_a_fifo_or_links_outside_is_refused(repo: Path, tmp_path: Path) -> None:
    config = repo / ".iaclint.toml"
    os.mkfifo(config)
    line = _one_error_line(_iaclint("scan", "infra", cwd=repo))
    assert line == f"Error: {config}: cannot read: a named pipe (FIFO), not a regular file; not read"
    config.unlink()
    outside = tmp_path / "elsewhere.toml"
    outside.write_text("select = ['IAC101']\n", encoding="utf-8")
    config.symlink_to(outside)
    line = _one_error_line(_invoke("scan", "infra"))
    assert line == f"Error: {config}: cannot read: outside the scanned tree, which iaclint never reads"
    # The same file named with --config is the user's choice.
    assert _invoke("scan", "infra", "--config", str(outside)).exit_code == 1


def test_pyproject_above_the_repository_is_still_found(tmp_path: Path, repo: Path) -> None:
    # Found by walking up, outside the scan roots, but where it lies (not through a link): read.
    (tmp_path / "pyproject.toml").write_text("[tool.iaclint]\nignore = ['IAC101']\n", encoding="utf-8")
    result = _invoke("scan", "infra")
    assert result.exit_code == 0, result.output


def _nested_toml(depth: int) -> str:
    return "a = " + "[" * depth + "]" * depth + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_nested_toml(5000), "not valid TOML: nested too deeply"),
        ("a = " + "{b = " * 5000 + "1" + "}" * 5000 + "\n", "not valid TOML: nested too deeply"),
        ("a" + ".a" * 5000 + " = 1\n", "not read: a dotted key of 5,001 parts (limit 32)"),
        ("[a" + ".a" * 40 + "]\n", "not read: a dotted key of 41 parts (limit 32)"),
        ("x = 1\n" + "y = " + "9" * 5000 + "\n", "not valid TOML: Exceeds the limit"),
        ("tool = 3\n", "[tool] must be a table"),
        ("[tool]\niaclint = 3\n", "[tool.iaclint] must be a table"),
        ("[tool.iaclint.severity]\nIAC101 = ['error']\n", "severity.IAC101: must be error, warning or note"),
        ("[parameters.IAC101]\nminimum = {a = 1}\n",
         "parameters.IAC101.minimum: must be a string, a number or a boolean"),
        ("[parameters.IAC101]\nminimum = 1979-05-27\n",
         "parameters.IAC101.minimum: must be a string, a number or a boolean"),
        ('"bad\\nkey" = 1\n', "bad\\nkey: unknown key"),
        (b"select = '\xff'\n", "not valid TOML: not UTF-8 (byte 10)"),
    ],
)
def test_hostile_config_is_one_line_exit_2(repo: Path, text: str | bytes, message: str) -> None:
    path = repo / ".iaclint.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    found = _one_error_line(_invoke("scan", "infra"))
    assert found.startswith(f"Error: {path}: ") and message in found, found
    given = _one_error_line(_invoke("scan", "infra", "--config", str(path)))
    assert given.startswith(f"Error: --config {path}: ") and message in given, given
    assert _one_error_line(_invoke("config")) == found


def test_config_over_the_size_limit_is_refused(repo: Path) -> None:
    path = repo / ".iaclint.toml"
    path.write_text("# padding\n" * 110_000, encoding="utf-8")
    assert _one_error_line(_invoke("scan", "infra")) == (
        f"Error: {path}: cannot read: file is larger than 1 MB ({path.stat().st_size} bytes); not read"
    )


@pytest.mark.parametrize("text", [_nested_toml(5000), "tool = 3\n", "[tool]\n'iaclint' = 3\n[tool.x\n"])
def test_parent_pyproject_that_cannot_be_ours_is_passed_over(tmp_path: Path, repo: Path, text: str) -> None:
    # A pyproject.toml found by walking up that iaclint cannot parse may belong to other tools
    # only: it is passed over (as invalid TOML always was), without a traceback.
    (repo / "pyproject.toml").write_text(text, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.iaclint]\nignore = ['IAC101']\n", encoding="utf-8")
    result = _invoke("scan", "infra")
    assert result.exit_code == 0, result.output


def test_parent_pyproject_with_a_dotted_key_bomb_is_passed_over_at_once(tmp_path: Path, repo: Path) -> None:
    # 100,000 parts: Python's TOML reader would take minutes (it is quadratic in a key's parts).
    (repo / "pyproject.toml").write_text("a" + ".a" * 100_000 + " = 1\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.iaclint]\nignore = ['IAC101']\n", encoding="utf-8")
    done = _iaclint("scan", "infra", cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr


def test_longest_key_counts_parts_outside_strings_and_comments() -> None:
    from iaclint.config import longest_key

    assert longest_key("[tool.iaclint.parameters.IAC101]\nminimum = '1.3'\n") == 4
    assert longest_key('a = "x.y.z.w"\nb.c = 1.5\n') == 2
    assert longest_key("x = '''\n" + "." * 100 + "\n'''\n") == 1
    assert longest_key('x = """a\\"""' + "." * 100 + '"""\n') == 1
    assert longest_key("# " + "a." * 100 + "\nk = 1\n") == 1
    assert longest_key("t = {a.b.c.d = 1}\n") == 4
    assert longest_key("a.'b.c'.d = 1\n") == 3
    assert longest_key("v = [1.5, 2.5, 3.5]\n") == 2


# -- baseline -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ('{"version": 2, "findings": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"version": 2, "findings": [{"fingerprint": ["a"]}]}',
         "findings[0]: must be an object with a string fingerprint"),
        ('{"version": 2, "findings": [{"fingerprint": "x"}, {"fingerprint": {"a": 1}}]}',
         "findings[1]: must be an object with a string fingerprint"),
        ('{"version": 2, "findings": [{"fingerprint": 3}]}', "findings[0]: must be an object"),
        ('{"version": 2, "findings": ["abc"]}', "findings[0]: must be an object"),
        ('{"version": 2, "findings": [{"rule": "IAC101"}]}', "findings[0]: must be an object"),
        ('{"version": 2, "findings": {"a": 1}}', "not a version 2 iaclint baseline"),
        ('{"version": true, "findings": []}', "not a version 2 iaclint baseline"),
        ('["version", 1]', "not a version 2 iaclint baseline"),
        ('{"version": 2, "findings": [' + "1" * 5000 + "]}", "not a baseline file: Exceeds the limit"),
        (b'{"version": 2, "findings": ["\xff"]}', "not a baseline file: not UTF-8"),
    ],
)
def test_hostile_baseline_is_one_line_exit_2(repo: Path, doc: str | bytes, message: str) -> None:
    path = repo / "baseline.json"
    path.write_bytes(doc if isinstance(doc, bytes) else doc.encode("utf-8"))
    line = _one_error_line(_invoke("scan", "infra", "--baseline", "baseline.json"))
    assert line.startswith("Error: --baseline baseline.json: ") and message in line, line


def test_written_baseline_reads_back(repo: Path) -> None:
    assert _invoke("baseline", "create", "b.json", "infra").exit_code == 0
    assert _invoke("scan", "infra", "--baseline", "b.json").exit_code == 0


# -- parameter files ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "not a JSON parameter file (nested too deeply)"),
        ('{"a": ' * 50_000 + "1" + "}" * 50_000, "not a JSON parameter file (nested too deeply)"),
        ('[' + "1" * 5000 + "]", "not a JSON parameter file (Exceeds the limit"),
        (b'["\xff"]', "not a JSON parameter file ('utf-8' codec can't decode byte 0xff"),
    ],
)
def test_hostile_parameter_file_is_one_line_exit_2(repo: Path, doc: str | bytes, message: str) -> None:
    path = repo / "params.json"
    path.write_bytes(doc if isinstance(doc, bytes) else doc.encode("utf-8"))
    line = _one_error_line(_invoke("scan", "infra", "--parameter-file", "params.json"))
    assert line.startswith("Error: --parameter-file params.json: ") and message in line, line


# -- paths and names the system or the reports find hard -------------------------------------------

def _deep_tree(base: Path, depth: int, name: str = "d") -> Path:
    """`base/d/d/.../d/main.tf`, `depth` directories deep, made through directory descriptors so
    depth beyond the system's path length limit works; returns `base`."""
    base.mkdir()
    fd = os.open(base, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        out = os.open("main.tf", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, VIOLATING.encode())
        os.close(out)
    finally:
        os.close(fd)
    return base


def _remove_deep_tree(base: Path, name: str = "d") -> None:
    """Remove what `_deep_tree` made without recursion (shutil.rmtree recurses per level)."""
    fds = [os.open(base, os.O_RDONLY)]
    while name in os.listdir(fds[-1]):
        fds.append(os.open(name, os.O_RDONLY, dir_fd=fds[-1]))
    os.unlink("main.tf", dir_fd=fds[-1])
    for parent, child in zip(reversed(fds[:-1]), reversed(fds[1:]), strict=True):
        os.close(child)
        os.rmdir(name, dir_fd=parent)
    os.close(fds[0])
    base.rmdir()


@pytest.fixture()
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory for trees of thousands of directories: in memory when the system has a
    tmpfs (removing a directory on a disk can take milliseconds), else under `tmp_path`."""
    import tempfile

    shm = Path("/dev/shm")
    base = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() and os.access(shm, os.W_OK) else tmp_path
    monkeypatch.chdir(base)
    yield base
    if base != tmp_path:
        base.rmdir()


def test_very_deep_directory_tree_in_every_format(scratch: Path) -> None:
    # 1,100 levels, past Python's recursion limit: the path resolver behind discovery and every
    # report recursed once per directory and ended in a RecursionError.
    tree = _deep_tree(scratch / "deep", 1100)
    try:
        for fmt in FORMATS:
            result = _invoke("scan", "deep", "--format", fmt)
            assert result.exit_code == 1, result.output
            assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
            assert "IAC101" in result.stdout
            if fmt == "json":
                report = json.loads(result.stdout)
                assert [(f["rule_id"], f["path"]) for f in report["findings"]] == [
                    ("IAC101", "deep/" + "d/" * 1100 + "main.tf")
                ]
    finally:
        _remove_deep_tree(tree)


def test_deep_path_that_does_not_exist_in_every_format(repo: Path) -> None:
    # A missing path of 1,100 parts is a usage error whose one line shows the path by its two ends.
    path = "a/" * 1100
    for fmt in FORMATS:
        result = _invoke("scan", path, "--format", fmt)
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        error = result.output.strip().splitlines()[-1]
        assert error.startswith("Error: Invalid value for '[PATHS]...': a/a/a/")
        assert error.endswith("/a/: no such file or directory") and "…" in error
        assert len(error) < 400


def test_directory_tree_deeper_than_the_system_allows(scratch: Path) -> None:
    # Past PATH_MAX a directory cannot be listed: reported as a file that could not be read.
    name = "d" * 60
    tree = _deep_tree(scratch / "deeper", 80, name)
    try:
        result = _invoke("scan", "deeper", "--format", "json")
        assert result.exit_code == 1, result.output
        report = json.loads(result.stdout)
        assert [f["rule_id"] for f in report["findings"]] == ["IAC001"]
        assert report["findings"][0]["message"].startswith("cannot read directory: File name too long")
        assert _invoke("scan", "deeper").exit_code == 1
    finally:
        _remove_deep_tree(tree, name)


@pytest.fixture()
def odd_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """A scan root holding `d\\xff\\xfe/m\\xe9in\\x1b[31m.tf`: not UTF-8, with an escape sequence."""
    root = tmp_path / "odd"
    (root / ".git").mkdir(parents=True)
    name = b"d\xff\xfe/m\xe9in\x1b[31m.tf"
    try:
        os.mkdir(os.path.join(os.fsencode(root), b"d\xff\xfe"))
        Path(os.fsdecode(os.path.join(os.fsencode(root), name))).write_text(VIOLATING, encoding="utf-8")
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses names that are not UTF-8")
    monkeypatch.chdir(root)
    return name


def test_file_names_not_utf8_render_in_text_json_and_github(odd_names: bytes) -> None:
    text = _invoke("scan", ".")
    assert text.exit_code == 1, text.output
    assert "d\ufffd\ufffd/m\ufffdin\ufffd[31m.tf:6:3: IAC101" in text.output
    assert "\x1b" not in text.output
    report = json.loads(_invoke("scan", ".", "--format", "json").stdout)
    assert [(f["rule_id"], f["path"], f["start_line"]) for f in report["findings"]] == [
        ("IAC101", "d\ufffd\ufffd/m\ufffdin\x1b[31m.tf", 6)
    ]
    github = _invoke("scan", ".", "--format", "github")
    assert github.exit_code == 1
    assert github.output.startswith("::error file=d\ufffd\ufffd/m\ufffdin")
    assert github.output.count("\n") == 1


def _odd_names_sarif() -> tuple[Result, dict]:
    result = _invoke("scan", ".", "--format", "sarif")
    assert result.exit_code == 1, result.output
    return result, json.loads(result.stdout)


@pytest.mark.sarif_schema
def test_file_names_not_utf8_validate_against_the_sarif_schema(odd_names: bytes) -> None:
    import jsonschema

    jsonschema.Draft4Validator(sarif_schema()).validate(_odd_names_sarif()[1])


def test_file_names_not_utf8_keep_sarif_valid(odd_names: bytes) -> None:
    result, log = _odd_names_sarif()
    run = log["runs"][0]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    # The URI names the file by its bytes on disk, percent-encoded: valid, and exact.
    assert location == {"uri": "d%FF%FE/m%E9in%1B%5B31m.tf", "uriBaseId": "%SRCROOT%"}
    uris = re.findall(r'"uri":"([^"]*)"', result.output)
    assert uris and all(re.fullmatch(r"([A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-F]{2})*", u) for u in uris)


def test_over_long_arguments_are_one_line_errors(repo: Path) -> None:
    long_name = "a" * 5000
    # Shown by its two ends; the word cut includes the colon after it.
    shown = f"{'a' * 119}…{'a' * 118}"
    assert _one_error_line(_invoke("scan", long_name)) == f"Error: {shown}: File name too long"
    assert _one_error_line(_invoke("scan", "x/" * 3000)).endswith(": File name too long")
    for option in OPTIONS:
        line = _one_error_line(_invoke("scan", "infra", option, long_name))
        assert line.startswith(f"Error: {option} {'a' * 119}…") and "File name too long" in line, line
    line = _one_error_line(_invoke("scan", "infra", "--output", long_name))
    assert line == f"Error: --output {shown}: cannot write: File name too long"


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("missing-dir/report.json", "No such file or directory"),
        ("infra/main.tf/report.json", "Not a directory"),
        ("/dev/full", "No space left on device"),
    ],
)
def test_output_that_cannot_be_written_is_one_line_exit_2(repo: Path, target: str, reason: str) -> None:
    if target.startswith("/dev/") and not os.path.exists(target):
        pytest.skip(f"no {target}")
    line = _one_error_line(_invoke("scan", "infra", "--format", "json", "--output", target))
    assert line == f"Error: --output {target}: cannot write: {reason}"


def test_output_into_a_directory_is_a_usage_error(repo: Path) -> None:
    result = _invoke("scan", "infra", "--output", "infra")
    assert result.exit_code == 2 and "is a directory" in result.stderr


def test_stdout_on_a_full_disk_is_one_line_exit_2(repo: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    for fmt in ("text", "sarif"):
        with open("/dev/full", "w") as full:
            done = _iaclint("scan", "infra", "--format", fmt, cwd=repo, stdout=full)
        assert _one_error_line(done) == "Error: cannot write to standard output: No space left on device"
    with open("/dev/full", "w") as full:
        done = _iaclint("rules", cwd=repo, stdout=full)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr


def test_one_line_escapes_what_would_break_the_line() -> None:
    from iaclint.cli import one_line

    assert one_line("a\nb\rc\x1b[1m\u202e") == "a\\nb\\rc\\x1b[1m\\u202e"
    assert one_line("d\udcff/x") == "d\\xff/x"
    assert one_line("x " + "b" * 300) == f"x {'b' * 119}…{'b' * 119}"


def test_fifo_in_the_excerpt_reader_is_not_waited_on(tmp_path: Path) -> None:
    # A finding whose file became a FIFO after the scan (or a FIFO the engine reported): no excerpt.
    from iaclint.fileaccess import ScanRoots
    from iaclint.report.snippets import SourceLines

    pipe = tmp_path / "main.tf"
    os.mkfifo(pipe)
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)
    code = (
        "import sys\nfrom pathlib import Path\nfrom iaclint.fileaccess import ScanRoots\n"
        "from iaclint.report.snippets import SourceLines\n"
        "lines = SourceLines(ScanRoots.for_paths([sys.argv[1]]))\n"
        "print(lines.line(Path(sys.argv[1]) / 'main.tf', 1), lines.line(Path('/dev/zero'), 1))\n"
        "print(SourceLines(ScanRoots(('/',))).line(Path('/dev/zero'), 1))\n"
    )
    src = str(Path(__file__).resolve().parents[1] / "src")
    try:
        done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                              timeout=30, preexec_fn=_limited, env={**os.environ, "PYTHONPATH": src})
    except subprocess.TimeoutExpired:
        pytest.fail("the excerpt reader waited on a FIFO")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "None None\nNone\n"
    assert SourceLines(ScanRoots.for_paths([tmp_path])).line(tmp_path / "absent.tf", 1) is None
