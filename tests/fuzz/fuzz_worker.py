"""The fuzz worker: a long-lived process that scans one case at a time for `fuzzkit.Worker`.

Run as `python fuzz_worker.py BASE_DIR ADDRESS_SPACE_BYTES`. It reads requests from standard input
and answers on standard output, each a 4-byte big-endian length and a JSON document; everything
iaclint itself would print goes to /dev/null (its standard output is taken over before iaclint is
imported), and standard error is kept for crash reports (faulthandler prints there).

A request writes a small tree into a fresh directory under BASE_DIR (files, FIFOs, links), makes it
the working directory and either scans it in process with `iaclint.engine.scan` and renders every
report format (mode "scan"), or runs the command line in process (mode "cli", for the
configuration file and the baseline, which only the command line reads). The answer says whether
anything escaped: an exception out of the scan or a renderer, an internal error (exit 2 naming the
file), a report that is not JSON, a usage error where none was allowed, or the memory ceiling
passed. Before each case the CPU limit is set to what has been used plus the case's allowance, so a
spinning case dies of SIGXCPU even if the parent's wall-clock timeout did not fire.
"""

from __future__ import annotations

import base64
import faulthandler
import gc
import json
import os
import re
import resource
import shutil
import struct
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

FORMATS = ("text", "json", "sarif", "github")
# A Python exception turned into a finding: a catch-all in a loader that hides a bug (issue 12: an
# internal exception is an internal error naming the file, not an IAC001 "could not read").
_HIDDEN_BUG = re.compile(
    r"\b(?:ValueError|KeyError|TypeError|AttributeError|IndexError|RecursionError|ZeroDivisionError"
    r"|OverflowError|UnicodeDecodeError|UnicodeEncodeError|AssertionError|NameError|RuntimeError"
    r"|StopIteration|MemoryError|BudgetExceeded|EvaluationError)\b"
    r"|Exceeds the limit \(\d+ digits\)|object has no attribute|unhashable type|is not JSON serializable"
)


def _read_exact(stream: Any, n: int) -> bytes | None:
    chunks = []
    while n:
        chunk = stream.read(n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _materialise(case_dir: Path, req: dict[str, Any]) -> None:
    for rel, b64 in req.get("files", []):
        p = case_dir / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(base64.b64decode(b64))
    for rel in req.get("dirs", []):
        (case_dir / rel).mkdir(parents=True, exist_ok=True)
    for rel in req.get("fifos", []):
        p = case_dir / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if not os.path.lexists(p):
            os.mkfifo(p)
    for rel, target in req.get("links", []):
        p = case_dir / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if not os.path.lexists(p):
            os.symlink(target, p)


def _scan(req: dict[str, Any]) -> dict[str, Any]:
    from iaclint.config import ConfigError
    from iaclint.engine import InternalError, ScanOptions, exit_code, scan
    from iaclint.findings import Level
    from iaclint.rules import RuleError
    from iaclint.suppress import BaselineError

    options = ScanOptions(paths=list(req.get("paths") or ["."]), **req.get("options", {}))
    try:
        result = scan(options)
    except InternalError as err:
        return {"status": "fail", "why": f"internal error (exit 2): {err}"}
    except (BaselineError, ConfigError, RuleError) as err:
        if req.get("usage_ok"):
            return {"status": "ok", "exit": 2, "usage": str(err)}
        return {"status": "fail", "why": f"usage error where none was expected: {err}"}
    for f in result.findings:
        if _HIDDEN_BUG.search(f.message):
            where = f"{f.rule_id} {f.span.path}: {f.message[:500]}"
            return {"status": "fail", "why": f"a Python exception reported as a finding: {where}"}
    sizes = {}
    for fmt in FORMATS:
        module = __import__(f"iaclint.report.{fmt}", fromlist=["render"])
        kwargs = {"verbose": True} if fmt == "text" else {}
        text = module.render(result, color=False, **kwargs)
        if not isinstance(text, str):
            return {"status": "fail", "why": f"the {fmt} report is a {type(text).__name__}, not text"}
        text.encode("utf-8")  # every report must be writable as UTF-8
        if fmt in ("json", "sarif"):
            json.loads(text)
        sizes[fmt] = len(text)
    code = exit_code(result, Level.WARNING)
    return {"status": "ok", "exit": code, "findings": len(result.findings), "sizes": sizes}


def _cli(req: dict[str, Any]) -> dict[str, Any]:
    from click.testing import CliRunner

    from iaclint.cli import main

    runner = CliRunner()
    result = runner.invoke(main, list(req["args"]), catch_exceptions=True)
    gc.enable()  # `scan` turns the collector off for the rest of its process
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return {"status": "fail", "why": f"traceback out of the command line:\n{tb}"}
    stderr = result.stderr if hasattr(result, "stderr") else ""
    code = result.exit_code
    if "Traceback (most recent call last)" in result.output + stderr:
        return {"status": "fail", "why": f"a traceback in the output:\n{stderr[-3000:]}"}
    if code == 2:
        if "internal error" in stderr:
            return {"status": "fail", "why": f"internal error (exit 2): {stderr.strip()[-2000:]}"}
        if not req.get("usage_ok"):
            return {"status": "fail", "why": f"usage error where none was expected: {stderr.strip()[-2000:]}"}
        lines = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith(("Usage:", "Try "))]
        if len(lines) != 1:
            return {"status": "fail", "why": f"a usage error of {len(lines)} lines:\n{stderr[-2000:]}"}
    elif code not in (0, 1):
        return {"status": "fail", "why": f"exit {code}:\n{stderr[-2000:]}"}
    return {"status": "ok", "exit": code}


def _selftest(mode: str) -> None:
    """Misbehave on purpose, so the suite can check that the harness notices (test_fuzz_harness)."""
    if mode == "selftest-hang":
        time.sleep(3600)
    elif mode == "selftest-crash":
        os.kill(os.getpid(), 11)
    elif mode == "selftest-raise":
        raise RuntimeError("planted")
    elif mode == "selftest-memory":
        _ = bytearray(4 * 1024 * 1024 * 1024)
    elif mode == "selftest-spin":
        while True:
            pass


def _handle(req: dict[str, Any], base: Path, ceiling: int) -> dict[str, Any]:
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (spent + int(req.get("cpu", 30)), hard))
    case_dir = Path(tempfile.mkdtemp(prefix="case-", dir=base))
    start = time.monotonic()
    try:
        _materialise(case_dir, req)
        os.chdir(case_dir)
        mode = req.get("mode")
        if mode and mode.startswith("selftest-"):
            _selftest(mode)
        answer = _cli(req) if mode == "cli" else _scan(req)
    except MemoryError:
        answer = {"status": "fail", "why": "MemoryError: the case ran out of its address space"}
    except BaseException as err:  # anything escaping is the failure being looked for
        if isinstance(err, KeyboardInterrupt):
            raise
        tb = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        answer = {"status": "fail", "why": f"exception escaped:\n{tb[-6000:]}"}
    finally:
        os.chdir(base)
        shutil.rmtree(case_dir, ignore_errors=True)
    answer["seconds"] = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    answer["peak"] = peak
    if peak > ceiling and answer["status"] == "ok":
        answer = {
            **answer,
            "status": "fail",
            "why": f"peak memory {peak >> 20} MB over the {ceiling >> 20} MB ceiling",
        }
    return answer


def main() -> None:
    base = Path(sys.argv[1])
    address_space = int(sys.argv[2])
    ceiling = int(sys.argv[3])
    # The protocol owns the real standard streams; iaclint's prints go nowhere.
    proto_in = os.fdopen(os.dup(0), "rb", buffering=0)
    proto_out = os.fdopen(os.dup(1), "wb", buffering=0)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    sys.stdout = open(devnull, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 - for the process' life
    faulthandler.enable()
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Import every reader once, so a case's time is its own.
    import iaclint.cli
    import iaclint.engine
    import iaclint.report.github
    import iaclint.report.json
    import iaclint.report.sarif
    import iaclint.report.text

    for name in iaclint.engine.LOADERS.values():
        __import__(name)
    proto_out.write(struct.pack(">I", 5) + b"ready")
    while True:
        head = _read_exact(proto_in, 4)
        if head is None:
            return
        body = _read_exact(proto_in, struct.unpack(">I", head)[0])
        if body is None:
            return
        answer = _handle(json.loads(body), base, ceiling)
        data = json.dumps(answer).encode()
        proto_out.write(struct.pack(">I", len(data)) + data)


if __name__ == "__main__":
    main()
