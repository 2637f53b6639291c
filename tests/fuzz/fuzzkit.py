"""The parent side of the fuzz suite: a worker process per test, cases sent over a pipe, limits.

`Worker.check(case)` sends one generated tree to the worker (`fuzz_worker.py`), which scans it in a
fresh directory and renders every report format. The parent enforces the per-case wall-clock
timeout (`IACLINT_FUZZ_TIMEOUT`, default 10 s): on a hang it kills the worker, starts a new one for
the next case, and fails. A worker that dies (a segfault in a parser, SIGXCPU from its CPU limit, the
kernel's OOM killer) fails the case the same way, with the tail of the worker's standard error. The
worker runs with `RLIMIT_AS` of 1.5 GB and fails a case that takes its peak resident memory over the
1 GB ceiling.

Every failure writes the case to a directory under the test's tmp dir (`case.json` with the request,
plus the tree itself with its FIFOs and links) and names it in the message, with the command that
reproduces it; hypothesis prints the generated example and a `@reproduce_failure` blob too.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import signal
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase, settings

MB = 1024 * 1024
ADDRESS_SPACE = 1536 * MB
MEMORY_CEILING = 1024 * MB
TIMEOUT = float(os.environ.get("IACLINT_FUZZ_TIMEOUT", "10"))
_EXAMPLES = os.environ.get("IACLINT_FUZZ_EXAMPLES", "")
LONG_RUN = bool(_EXAMPLES)
SHRINK = os.environ.get("IACLINT_FUZZ_SHRINK", "") not in ("", "0")
WORKER = Path(__file__).with_name("fuzz_worker.py")


def fuzz_settings(examples: int) -> settings:
    """Hypothesis settings for a fuzz test that runs `examples` cases in CI.

    In CI (no IACLINT_FUZZ_EXAMPLES) the examples are derandomized, so a run is repeatable and its
    time fixed; a developer's long run (IACLINT_FUZZ_EXAMPLES=5000) draws fresh examples and keeps
    hypothesis' example database. Shrinking is off unless IACLINT_FUZZ_SHRINK=1: a hang costs a
    timeout per shrink step.
    """
    phases = [Phase.explicit, Phase.reuse, Phase.generate]
    if LONG_RUN:
        # Steer toward slower cases (each test reports its seconds with `target`); in CI that
        # would spend the fixed budget on the slowest inputs found so far.
        phases.append(Phase.target)
    if SHRINK:
        phases.append(Phase.shrink)
    return settings(
        max_examples=int(_EXAMPLES) if LONG_RUN else examples,
        deadline=timedelta(seconds=TIMEOUT * 2 + 10),
        derandomize=not LONG_RUN,
        database=settings.default.database if LONG_RUN else None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
        report_multiple_bugs=False,
    )


def observe(answer: dict[str, Any]) -> None:
    """In a long run, tell hypothesis how slow the case was, so its target phase can look for
    slower ones. Not in CI: target observations steer generation, and the timing of a shared
    machine would make the examples differ from run to run."""
    if LONG_RUN:
        hypothesis.target(float(answer.get("seconds", 0.0)), label="seconds per case")


@dataclass
class Case:
    """One generated input: a tree of files and how to run iaclint on it."""

    files: dict[str, bytes | str] = field(default_factory=dict)
    fifos: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)
    dirs: list[str] = field(default_factory=list)
    # mode "scan": `iaclint.engine.scan(ScanOptions(paths=..., **options))`;
    # mode "cli": the command line with `args`.
    mode: str = "scan"
    paths: list[str] = field(default_factory=lambda: ["."])
    options: dict[str, Any] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    # A usage error (exit 2, one line) is a correct answer (configuration and baseline input).
    usage_ok: bool = False

    def request(self, cpu: int = int(TIMEOUT) + 5) -> dict[str, Any]:
        return {
            "files": [
                [
                    rel,
                    base64.b64encode(
                        c.encode("utf-8", "surrogateescape") if isinstance(c, str) else c
                    ).decode(),
                ]
                for rel, c in self.files.items()
            ],
            "fifos": list(self.fifos),
            "links": [[k, v] for k, v in self.links.items()],
            "dirs": list(self.dirs),
            "mode": self.mode,
            "paths": list(self.paths),
            "options": dict(self.options),
            "args": list(self.args),
            "usage_ok": self.usage_ok,
            "cpu": cpu,
        }

    def command(self) -> str:
        if self.mode == "cli":
            return "python -m iaclint " + " ".join(self.args)
        extra = []
        for key, values in self.options.items():
            flag = {
                "var_files": "--var-file",
                "cfn_parameter_files": "--parameter-file",
                "arm_parameter_files": "--parameter-file",
                "bicep_parameter_files": "--parameter-file",
            }.get(key)
            if flag and isinstance(values, list):
                for v in values:
                    extra += [flag, v]
        return "python -m iaclint scan " + " ".join([*self.paths, *extra]) + " --format json"


class Worker:
    """One worker process, restarted after a hang or a death."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.base = tmp / "cases"
        self.base.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen[bytes] | None = None
        self.stderr_path = tmp / "worker-stderr.log"
        self.failures = 0
        self.cases = 0
        self.slowest = 0.0
        self.slowest_case = ""
        self.peak = 0
        self.seconds: list[float] = []

    def _start(self) -> None:
        err = open(self.stderr_path, "ab")  # noqa: SIM115 - the worker owns it until it ends
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER), str(self.base), str(ADDRESS_SPACE), str(MEMORY_CEILING)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            start_new_session=True,
        )
        err.close()
        ready = self._read(timeout=60)
        if ready != b"ready":
            self.stop()
            raise RuntimeError(f"the fuzz worker did not start:\n{self._stderr_tail()}")

    def _read(self, timeout: float) -> bytes | None:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        buf = b""
        want = 4
        length = None
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, max(want - len(buf), 1))
            if not chunk:
                # The worker closed its end: it died. Give it a moment to be reaped.
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=5)
                return None
            buf += chunk
            if length is None and len(buf) >= 4:
                length = struct.unpack(">I", buf[:4])[0]
                buf = buf[4:]
                want = length
            if length is not None and len(buf) >= length:
                return buf[:length]

    def stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()
        self.proc = None

    def _stderr_tail(self) -> str:
        try:
            return self.stderr_path.read_bytes()[-4000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def check(self, case: Case, timeout: float = TIMEOUT, cpu: int | None = None) -> dict[str, Any]:
        """Run `case`; raise AssertionError (naming a saved copy of the input) when anything
        escaped, the case hung or the worker died. Returns the worker's answer."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = None
            self._start()
        assert self.proc is not None and self.proc.stdin is not None
        self.cases += 1
        data = json.dumps(case.request(cpu=cpu or int(timeout) + 5)).encode()
        start = time.monotonic()
        try:
            self.proc.stdin.write(struct.pack(">I", len(data)) + data)
            self.proc.stdin.flush()
            raw = self._read(timeout)
        except BrokenPipeError:
            raw = None
        elapsed = time.monotonic() - start
        if raw is None:
            status = self.proc.poll()
            self.stop()
            if status is None:
                why = f"hang: no answer within {timeout:g} s (worker killed)"
            elif status < 0:
                name = (
                    signal.Signals(-status).name if -status in signal.Signals._value2member_map_ else -status
                )
                why = f"the worker died of signal {name}"
                if name == "SIGXCPU":
                    why += " (its CPU limit)"
            else:
                why = f"the worker exited with status {status}"
            self._fail(case, f"{why}\nworker stderr (tail):\n{self._stderr_tail()}")
        answer = json.loads(raw)
        self.seconds.append(elapsed)
        if elapsed > self.slowest:
            self.slowest = elapsed
            self.slowest_case = ", ".join(f"{k} ({len(v)})" for k, v in case.files.items())
        self.peak = max(self.peak, answer.get("peak", 0))
        if answer.get("status") != "ok":
            self.stop()  # a fresh worker after any failure: its state may be damaged
            self._fail(case, answer.get("why", "failed"))
        return answer

    def _fail(self, case: Case, why: str) -> None:
        self.failures += 1
        where = save_case(case, self.tmp / f"failing-case-{self.failures}")
        raise AssertionError(
            f"{why}\n\nThe input is saved in {where} (case.json has the request).\n"
            f"Reproduce: cd {where}/tree && {case.command()}"
        )


def save_case(case: Case, where: Path) -> Path:
    tree = where / "tree"
    tree.mkdir(parents=True, exist_ok=True)
    (where / "case.json").write_text(json.dumps(case.request(), indent=1), encoding="utf-8")
    for rel, content in case.files.items():
        p = tree / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content.encode("utf-8", "surrogateescape") if isinstance(content, str) else content)
    for rel in case.dirs:
        (tree / rel).mkdir(parents=True, exist_ok=True)
    for rel in case.fifos:
        p = tree / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if not os.path.lexists(p):
            os.mkfifo(p)
    for rel, target in case.links.items():
        p = tree / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if not os.path.lexists(p):
            os.symlink(target, p)
    return where
