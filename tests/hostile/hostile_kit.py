"""Running the real `iaclint` command on hostile input, bounded, and reading what it wrote.

Every hostile test runs `python -m iaclint scan ...` in a subprocess (the interpreter running the
tests, with the caller's PYTHONPATH, so the suite can be pointed at another checkout) under limits
that turn a regression into a failure instead of a hung or swapped-out CI job:

- address space (`RLIMIT_AS`, 1.5 GB) and CPU time (`RLIMIT_CPU`) set in the child before it starts;
- the size of any file it writes (`RLIMIT_FSIZE`), so a flood of findings cannot fill the disk;
- a wall-clock timeout enforced here (the child's process group is killed), default 20 s,
  `IACLINT_HOSTILE_TIMEOUT` to change it;
- its peak resident memory, read from `wait4`, must stay under the stated ceiling (1 GB).

One run writes every report format at once (json, sarif and github to files, text to standard
output), so a test checks all four for the same scan.

The layout each test builds (see `HostileTree`): `repo/` is the scan root and a git repository whose
`.git/config` holds a planted secret; `outside/` beside it holds another; `out/` receives the reports
(outside the scan, so they are never scanned). The child's environment holds a third secret, which
`/proc/self/environ` would show.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MB = 1024 * 1024
TIMEOUT = float(os.environ.get("IACLINT_HOSTILE_TIMEOUT", "20"))
ADDRESS_SPACE = 1536 * MB
# The promise: a scan stays under 1 GB of memory whatever its input.
MEMORY_CEILING = 1024 * MB
FILE_SIZE_LIMIT = 256 * MB

# Planted secrets: none may ever appear in any output.
GIT_SECRET = "IACLINT-PLANTED-GITCONFIG-5f1e"
OUTSIDE_SECRET = "IACLINT-PLANTED-OUTSIDE-93ab"
ENV_SECRET = "IACLINT-PLANTED-ENVIRON-c4d2"
SECRET_ENV_VAR = "IACLINT_PLANTED_TOKEN"
SECRETS = (GIT_SECRET, OUTSIDE_SECRET, ENV_SECRET)
# What every secret starts with: a message that quotes the first characters of one is a leak too.
SECRET_PREFIX = "IACLINT-PLANTED"

FORMATS = ("json", "sarif", "github", "text")
BUDGET_NOTE = "evaluation budget exceeded"

# -- one real violation per language, for "the rest of the scan goes on" ------------------------

TF_VIOLATION = """\
resource "aws_api_gateway_domain_name" "legacy" {
  domain_name              = "legacy.example.com"
  regional_certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
  security_policy          = "TLS_1_0"
}
"""

CFN_VIOLATION = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Legacy:
    Type: AWS::ApiGateway::DomainName
    Properties:
      DomainName: legacy.api.example.com
      RegionalCertificateArn: arn:aws:acm:eu-west-1:111122223333:certificate/legacy
      SecurityPolicy: TLS_1_0
"""


def tf_domain(expr: str, *, name: str = "hostile", extra: str = "") -> str:
    """A Terraform REST custom domain whose TLS policy is the expression `expr` (IAC101 reads it)."""
    return f"""{extra}
resource "aws_api_gateway_domain_name" "{name}" {{
  domain_name              = "{name}.example.com"
  regional_certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
  security_policy          = {expr}
}}
"""


def cfn_domain(policy: str, *, head: str = "", name: str = "Hostile") -> str:
    """A CloudFormation template (YAML) whose custom domain's SecurityPolicy is the YAML `policy`."""
    return f"""AWSTemplateFormatVersion: "2010-09-09"
{head}
Resources:
  {name}:
    Type: AWS::ApiGateway::DomainName
    Properties:
      DomainName: hostile.api.example.com
      RegionalCertificateArn: arn:aws:acm:eu-west-1:111122223333:certificate/hostile
      SecurityPolicy: {policy}
"""


TLS10 = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10"


def bicep_apim(tls10: str, *, name: str = "apim", extra: str = "") -> str:
    """A Bicep APIM service whose TLS 1.0 switch is the expression `tls10` (IAC101 reads it)."""
    return f"""{extra}
resource {name} 'Microsoft.ApiManagement/service@2023-05-01-preview' = {{
  name: '{name}-svc'
  location: 'westeurope'
  sku: {{
    name: 'Developer'
    capacity: 1
  }}
  properties: {{
    publisherEmail: 'ops@example.com'
    publisherName: 'Ops'
    customProperties: {{
      '{TLS10}': {tls10}
    }}
  }}
}}
"""


BICEP_VIOLATION = bicep_apim("'True'", name="legacy")


def arm_template(
    tls10: str,
    *,
    variables: dict[str, Any] | None = None,
    parameters: dict[str, Any] | None = None,
    functions: list[Any] | None = None,
    resources: list[Any] | None = None,
) -> str:
    """An ARM template with one APIM service whose TLS 1.0 switch is `tls10` (IAC101 reads it)."""
    doc: dict[str, Any] = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
    }
    if parameters:
        doc["parameters"] = parameters
    if functions:
        doc["functions"] = functions
    if variables:
        doc["variables"] = variables
    doc["resources"] = [
        {
            "type": "Microsoft.ApiManagement/service",
            "apiVersion": "2023-05-01-preview",
            "name": "apim-svc",
            "location": "westeurope",
            "sku": {"name": "Developer", "capacity": 1},
            "properties": {
                "publisherEmail": "ops@example.com",
                "publisherName": "Ops",
                "customProperties": {TLS10: tls10},
            },
        },
        *(resources or []),
    ]
    return json.dumps(doc, indent=2) + "\n"


ARM_VIOLATION = arm_template("True")

# Where each language's violation goes, relative to the scan root, and its line.
VIOLATIONS = {
    "terraform": ("elsewhere/tf/main.tf", TF_VIOLATION),
    "cloudformation": ("elsewhere/cfn/template.yaml", CFN_VIOLATION),
    "bicep": ("elsewhere/bicep/main.bicep", BICEP_VIOLATION),
    "arm": ("elsewhere/arm/azuredeploy.json", ARM_VIOLATION),
}


# -- a finished run ------------------------------------------------------------------------------


@dataclass
class Run:
    """What one `iaclint` process did: exit status, every output, time and peak memory."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    reports: dict[str, str]
    seconds: float
    peak_rss: int  # bytes
    timed_out: bool
    _json: Any = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"Run(iaclint {' '.join(self.args[:3])} ... exit {self.returncode})"

    def describe(self) -> str:
        head = f"iaclint {' '.join(self.args)}\n  exit {self.returncode}"
        head += f", {self.seconds:.1f} s, peak {self.peak_rss / MB:.0f} MB"
        if self.timed_out:
            head += f", KILLED after the {TIMEOUT:g} s timeout"
        err = self.stderr.strip()
        out = self.stdout.strip()
        return f"{head}\n  stderr: {err[-1500:]!s}\n  stdout: {out[:1500]!s}"

    @property
    def outputs(self) -> dict[str, str]:
        """Everything the run wrote, by name (text on stdout, stderr, and each report file)."""
        return {"stdout": self.stdout, "stderr": self.stderr, **self.reports}

    def json(self) -> dict[str, Any]:
        if self._json is None:
            text = self.reports.get("json", "")
            try:
                self._json = json.loads(text)
            except ValueError as err:
                raise AssertionError(f"the JSON report is not JSON ({err}):\n{self.describe()}") from None
        return self._json

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.json()["findings"])

    @property
    def files(self) -> list[dict[str, Any]]:
        return list(self.json()["files"])


def _limits(cpu_seconds: int) -> None:
    # Runs in the child between fork and exec.
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IACLINT_")}
    env.update({"NO_COLOR": "1", "PYTHONUNBUFFERED": "1", SECRET_ENV_VAR: ENV_SECRET})
    env.pop("PYTHONSTARTUP", None)
    if extra:
        env.update(extra)
    return env


def run_iaclint(
    args: Sequence[str],
    *,
    cwd: Path,
    out_dir: Path,
    timeout: float = TIMEOUT,
    stdout_path: str | None = None,
    env: dict[str, str] | None = None,
) -> Run:
    """Run `python -m iaclint ARGS` in `cwd` under the limits; stdout/stderr go to files in
    `out_dir` (or stdout to `stdout_path`, e.g. /dev/full)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    n = len(list(out_dir.glob("stderr-*")))
    err_path = out_dir / f"stderr-{n}"
    out_path = Path(stdout_path) if stdout_path else out_dir / f"stdout-{n}"
    cmd = [sys.executable, "-m", "iaclint", *args]
    start = time.monotonic()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=child_env(env),
            preexec_fn=lambda: _limits(int(timeout) + 5),
            start_new_session=True,
        )
        timed_out = False
        status = 0
        usage = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                timed_out = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen quiet
    seconds = time.monotonic() - start
    stdout = "" if stdout_path else _read(out_path)
    reports = {}
    for fmt in FORMATS:
        p = out_dir / f"report-{n}.{fmt}"
        if p.exists():
            reports[fmt] = _read(p)
    if "text" not in reports and not stdout_path:
        reports["text"] = stdout
    return Run(
        args=list(args),
        returncode=proc.returncode,
        stdout=stdout,
        stderr=_read(err_path),
        reports=reports,
        seconds=seconds,
        peak_rss=(usage.ru_maxrss * 1024) if usage is not None else 0,
        timed_out=timed_out,
    )


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""


def report_args(out_dir: Path) -> list[str]:
    """`--format`/`--output` for every report format: json, sarif, github to files, text to stdout."""
    n = len(list(out_dir.glob("stderr-*"))) if out_dir.exists() else 0
    args: list[str] = []
    for fmt in FORMATS[:-1]:
        args += ["--format", fmt, "--output", str(out_dir / f"report-{n}.{fmt}")]
    return [*args, "--format", "text"]


# -- the tree a hostile test scans ---------------------------------------------------------------


class HostileTree:
    """`base/repo` (the scan root, a git repository with a secret in `.git/config`),
    `base/outside` (a secret beside the repository) and `base/out` (reports)."""

    def __init__(self, base: Path, *, git: bool = True) -> None:
        self.base = base
        self.repo = base / "repo"
        self.outside = base / "outside"
        self.out = base / "out"
        self.repo.mkdir(parents=True, exist_ok=True)
        self.outside.mkdir(exist_ok=True)
        if git:
            self.make_git(self.repo)
        self.write_outside("secret.txt", f"token = {OUTSIDE_SECRET}\n")

    @staticmethod
    def make_git(top: Path) -> None:
        """What iaclint sees of a git repository: a `.git` directory with a token in its config
        (as `actions/checkout` leaves it). No git command is needed."""
        git = top / ".git"
        git.mkdir(exist_ok=True)
        (git / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
        # The secret is on the first line too, so even a parser error quoting it would show.
        (git / "config").write_text(
            f"; {GIT_SECRET}\n"
            f'[remote "https://x-access-token:{GIT_SECRET}@github.com/acme/infra"]\n'
            f"\textraheader = AUTHORIZATION: basic {GIT_SECRET}\n"
            "[core]\n\trepositoryformatversion = 0\n",
            encoding="utf-8",
        )

    def write(self, files: dict[str, str | bytes], under: Path | None = None) -> None:
        root = under or self.repo
        for rel, content in files.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_text(content, encoding="utf-8")

    def write_outside(self, rel: str, content: str | bytes) -> Path:
        self.write({rel: content}, under=self.outside)
        return self.outside / rel

    def add_violation(self, language: str) -> str:
        """A real TLS 1.0 endpoint in a unit of its own; returns its path relative to the root."""
        rel, text = VIOLATIONS[language]
        self.write({rel: text})
        return rel

    def scan(self, *args: str, timeout: float = TIMEOUT, env: dict[str, str] | None = None) -> Run:
        """`iaclint scan ARGS` from the scan root, with every report format."""
        full = ["scan", *args, *report_args(self.out)]
        return run_iaclint(full, cwd=self.repo, out_dir=self.out, timeout=timeout, env=env)

    def command(self, *args: str, stdout_path: str | None = None, timeout: float = TIMEOUT) -> Run:
        """Any `iaclint` command line, as given (no report options added)."""
        return run_iaclint(
            list(args), cwd=self.repo, out_dir=self.out, timeout=timeout, stdout_path=stdout_path
        )


# -- assertions ----------------------------------------------------------------------------------

TRACEBACK = "Traceback (most recent call last)"


def assert_bounded(run: Run) -> None:
    """The run ended by itself, inside the time and memory limits, without a traceback."""
    assert not run.timed_out, f"did not finish within {TIMEOUT:g} s:\n{run.describe()}"
    assert run.returncode >= 0, f"killed by signal {-run.returncode}:\n{run.describe()}"
    assert run.peak_rss < MEMORY_CEILING, (
        f"peak memory {run.peak_rss / MB:.0f} MB is over the {MEMORY_CEILING / MB:.0f} MB ceiling:\n"
        + run.describe()
    )
    for name, text in run.outputs.items():
        assert TRACEBACK not in text, f"a traceback in {name}:\n{run.describe()}"
    assert "MemoryError" not in run.stderr, f"out of memory (MemoryError):\n{run.describe()}"


def assert_exit(run: Run, *codes: int) -> None:
    assert run.returncode in codes, f"exit {run.returncode}, expected {codes}:\n{run.describe()}"


def assert_one_line_error(run: Run, *names: str) -> None:
    """Exit 2 with a one-line message on stderr naming each of `names`."""
    assert_exit(run, 2)
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert lines, f"exit 2 without a message:\n{run.describe()}"
    message = "\n".join(lines)
    # click prints "Usage: ..." and a hint before its "Error:" line; the error itself is one line.
    errors = [line for line in lines if not line.startswith(("Usage:", "Try ", "  "))]
    assert len(errors) == 1, f"expected one error line:\n{run.describe()}"
    for name in names:
        assert name in message, f"the error does not name {name!r}:\n{run.describe()}"
    assert "internal error" not in message, f"an internal error, not a usage error:\n{run.describe()}"


def secret_forms(secret: str) -> list[str]:
    """A secret as it could appear: itself, and inside base64 at each of the three alignments."""
    forms = [secret]
    for pad in ("", "x", "xy"):
        enc = base64.b64encode((pad + secret).encode()).decode()
        # Drop the characters that depend on the neighbouring bytes.
        start = {0: 0, 1: 2, 2: 3}[len(pad)]
        forms.append(enc[start : len(enc) - 4])
    return forms


def assert_no_secret(run: Run, secrets: Iterable[str] = SECRETS) -> None:
    for secret in secrets:
        for form in secret_forms(secret):
            for name, text in run.outputs.items():
                assert form not in text, (
                    f"planted secret {secret!r} (as {form!r}) is in {name}:\n{run.describe()}"
                )
    for name, text in run.outputs.items():
        assert SECRET_PREFIX not in text, f"the start of a planted secret is in {name}:\n{run.describe()}"


def norm(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/")


def findings_in(
    run: Run, path: str, rule: str | None = None, *, unknown: bool | None = None
) -> list[dict[str, Any]]:
    want = norm(path)
    return [
        f
        for f in run.findings
        if norm(f["path"]) == want
        and (rule is None or f["rule_id"] == rule)
        and (unknown is None or f["unknown"] == unknown)
    ]


def assert_violation_reported(run: Run, rel: str) -> None:
    """The TLS 1.0 endpoint in `rel` is a real IAC101 error (not a note), and the exit code is 1."""
    hits = [f for f in findings_in(run, rel, "IAC101") if not f["unknown"] and f["level"] == "error"]
    assert hits, (
        f"the TLS 1.0 violation in {rel} was not reported as an error:\n{summary(run)}\n{run.describe()}"
    )
    assert_exit(run, 1)


def assert_note(run: Run, rel: str, *needles: str, rule: str | None = None) -> dict[str, Any]:
    """A finding in `rel` (of `rule`, when given) whose message contains every one of `needles`
    (case-insensitive)."""
    lowered = [n.lower() for n in needles]
    want = norm(rel)
    # A unit-wide diagnostic may name the unit's directory (a Terraform module) instead of the file.
    mine = [f for f in run.findings if want == norm(f["path"]) or want.startswith(norm(f["path"]) + "/")]
    for f in mine:
        if rule is not None and f["rule_id"] != rule:
            continue
        if all(n in f["message"].lower() for n in lowered):
            return f
    raise AssertionError(
        f"no {rule or ''} finding in {rel} mentions {needles}:\n{summary(run)}\n{run.describe()}"
    )


def file_record(run: Run, rel: str) -> dict[str, Any] | None:
    want = norm(rel)
    for r in run.files:
        if norm(r["path"]) == want:
            return r
    return None


def summary(run: Run) -> str:
    try:
        found = run.findings
    except AssertionError:
        return "(no JSON report)"
    lines = [
        f"  {f['rule_id']} {f['level']} {f['path']}:{f['start_line']} {f['message'][:240]}"
        for f in found[:40]
    ]
    if len(found) > 40:
        lines.append(f"  ... {len(found) - 40} more")
    files = [f"  [{r['status']}] {r['path']} {r['reason'][:120]}" for r in run.files[:40]]
    return "findings:\n" + "\n".join(lines) + "\nfiles:\n" + "\n".join(files)


# -- table-driven cases ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One hostile input. Text may use `{outside}` and `{repo}` for the absolute directories."""

    id: str
    # The language whose real violation is put in a unit of its own (None: none).
    language: str | None
    files: dict[str, str | bytes] = field(default_factory=dict)
    outside: dict[str, str] = field(default_factory=dict)
    # Symbolic links: path -> target (absolute after expansion, or relative to the link).
    links: dict[str, str] = field(default_factory=dict)
    fifos: tuple[str, ...] = ()
    # Sparse files: path -> (first bytes, total size, last bytes).
    sparse: dict[str, tuple[bytes, int, bytes]] = field(default_factory=dict)
    args: tuple[str, ...] = (".",)
    # A finding in this file must mention all of `note` (case-insensitive).
    note_in: str | None = None
    note: tuple[str, ...] = ()
    # Words that must appear in some output (a name the run must report).
    named: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.id


def expand(text: str, tree: HostileTree) -> str:
    return text.replace("{outside}", str(tree.outside)).replace("{repo}", str(tree.repo))


def build(tree: HostileTree, case: Case) -> str | None:
    """Write `case` into `tree`; returns the violation's path (relative to the root) or None."""
    for rel, content in case.files.items():
        tree.write({rel: expand(content, tree) if isinstance(content, str) else content})
    for rel, content in case.outside.items():
        tree.write_outside(rel, expand(content, tree))
    for rel, target in case.links.items():
        link = tree.repo / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(expand(target, tree), link)
    for rel in case.fifos:
        p = tree.repo / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(p)
    for rel, (head, size, tail) in case.sparse.items():
        p = tree.repo / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "wb") as fh:
            fh.write(head)
            fh.truncate(size - len(tail))
            fh.seek(size - len(tail))
            fh.write(tail)
    return tree.add_violation(case.language) if case.language else None


def all_output(run: Run) -> str:
    return "\n".join(run.outputs.values())


def assert_named(run: Run, *names: str) -> None:
    text = all_output(run)
    for name in names:
        assert name in text, f"no output names {name!r}:\n{summary(run)}\n{run.describe()}"


def assert_error_or_finding(run: Run, name: str) -> None:
    """The problem is reported in one of the two ways the contract allows: exit 2 with one line on
    stderr naming `name`, or exit 1 with an IAC001 finding whose path or message names it."""
    assert_exit(run, 1, 2)
    if run.returncode == 2:
        assert_one_line_error(run, name)
    else:
        named = [
            f
            for f in run.findings
            if f["rule_id"] == "IAC001" and (name in f["path"] or name in f["message"])
        ]
        assert named, f"no IAC001 names {name[:80]}:\n{summary(run)}\n{run.describe()}"
