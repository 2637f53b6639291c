"""Side by side with checkov on the same corpus: `python bench/checkov_compare.py`.

checkov is not a dependency of iaclint (its pins clash with python-hcl2 and cfn-lint), so it lives
in a virtual environment of its own:

    python -m venv .checkov-venv && .checkov-venv/bin/pip install checkov

Without it this script says how to install it and exits 0. Both tools run as subprocesses on the
same files, with the same measurement (wall time, peak RSS of the child), each writing JSON; the
figures are printed, never asserted. The finding counts are shown for orientation only: the two
tools check different things, so the numbers are not a score.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from run import (
    DEFAULT_CORPUS,
    Report,
    Run,
    corpus_files,
    ensure_corpus,
    iaclint_command,
    pick_single_files,
    run_measured,
)

DEFAULT_CHECKOV = Path(".checkov-venv/bin/checkov")
# Resource types the API payload encryption standard is about; checkov's results are counted for these.
RELEVANT_PREFIXES = ("aws_api_gateway", "aws_apigatewayv2", "aws_cloudfront", "aws_wafv2",
                     "AWS::ApiGateway", "AWS::ApiGatewayV2", "AWS::CloudFront", "AWS::WAFv2",
                     "AWS::Serverless::Api")


def find_checkov(given: Path | None) -> Path | None:
    for candidate in (given, DEFAULT_CHECKOV):
        if candidate is not None and candidate.exists():
            return candidate
    found = shutil.which("checkov")
    return Path(found) if found else None


def checkov_counts(path: Path) -> dict[str, int]:
    """Failed checks per check id on gateway-related resources, from checkov's JSON output."""
    try:
        doc: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    reports = doc if isinstance(doc, list) else [doc]
    counts: dict[str, int] = {}
    for rep in reports:
        failed = rep.get("results", {}).get("failed_checks", []) if isinstance(rep, dict) else []
        for check in failed:
            # "aws_api_gateway_domain_name.this", "module.api.aws_...", "AWS::ApiGateway::Stage.Stage"
            resource = str(check.get("resource", ""))
            if any(p in resource for p in RELEVANT_PREFIXES):
                cid = str(check.get("check_id", "?"))
                counts[cid] = counts.get(cid, 0) + 1
    return counts


def iaclint_counts(path: Path) -> dict[str, int]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    counts: dict[str, int] = {}
    for f in doc.get("findings", []):
        counts[f["rule_id"]] = counts.get(f["rule_id"], 0) + 1
    return counts


def measure(cmd: list[str], repeat: int, what: str, cwd: Path | None = None) -> list[Run]:
    runs = [run_measured(cmd, cwd=cwd) for _ in range(repeat)]
    for r in runs:
        # Both tools exit 1 when they find something; anything else is a failed run.
        if r.code not in (0, 1):
            sys.exit(f"{what} exited {r.code}:\n" + "\n".join(r.stderr.strip().splitlines()[-5:]))
    return runs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="iaclint vs checkov on the benchmark corpus")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--checkov", type=Path, help=f"checkov executable (default {DEFAULT_CHECKOV} or PATH)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--framework", default="terraform", help="checkov --framework (terraform, ...)")
    args = ap.parse_args(argv)

    checkov = find_checkov(args.checkov)
    if checkov is None:
        print("checkov is not installed; skipping the comparison. Install it in its own environment:\n"
              "  python -m venv .checkov-venv && .checkov-venv/bin/pip install checkov")
        return 0
    corpus = args.corpus.resolve()
    ensure_corpus(corpus)
    files = corpus_files(corpus)
    size = sum(f.stat().st_size for f in files)

    with tempfile.TemporaryDirectory() as tmp:
        ours_json = Path(tmp) / "iaclint.json"
        theirs_dir = Path(tmp) / "checkov"
        ours_cmd = [*iaclint_command(), "scan", str(corpus), "--format", "json", "--output", str(ours_json)]
        # --skip-download: no policy metadata from the network, so both tools run offline.
        theirs_cmd = [str(checkov), "-d", str(corpus), "--framework", args.framework, "--quiet", "--compact",
                      "--skip-download", "-o", "json", "--output-file-path", str(theirs_dir)]
        measure(ours_cmd, 1, "iaclint")  # warm-up: page cache and .pyc, for both tools alike
        measure(theirs_cmd, 1, "checkov")
        ours = measure(ours_cmd, args.repeat, "iaclint")
        theirs = measure(theirs_cmd, args.repeat, "checkov")
        ours_counts = iaclint_counts(ours_json)
        out_files = sorted(theirs_dir.glob("*.json")) if theirs_dir.is_dir() else []
        theirs_counts = checkov_counts(out_files[0]) if out_files else {}
        # One file as pre-commit passes it, from the corpus root: iaclint reads the file's unit
        # (`--files`), checkov the file (`-f`).
        single = pick_single_files(files)[0].relative_to(corpus)
        ours_one = measure([*iaclint_command(), "scan", "--files", str(single)], args.repeat, "iaclint",
                           corpus)
        theirs_one = measure([str(checkov), "-f", str(single), "--framework", args.framework, "--quiet",
                              "--compact", "--skip-download"], args.repeat, "checkov", corpus)

    report = Report()
    report.section(f"{len(files)} files, {size / 1e6:.2f} MB ({corpus}); {os.cpu_count()} cpus")
    for name, runs in (("iaclint", ours), ("checkov", theirs)):
        walls = [r.wall for r in runs]
        report.add(f"{name} wall, best of {len(walls)}", f"{min(walls):.2f} s")
        report.add(f"{name} wall, median", f"{statistics.median(walls):.2f} s")
        report.add(f"{name} peak RSS", f"{max(r.rss_kb for r in runs) / 1024:.0f} MB")
    ratio = statistics.median(r.wall for r in theirs) / statistics.median(r.wall for r in ours)
    report.add("checkov / iaclint (median wall)", f"{ratio:.1f}x", "target >= 25x")
    report.section(f"One file as pre-commit passes it ({single})")
    for name, runs in (("iaclint", ours_one), ("checkov", theirs_one)):
        walls = [r.wall for r in runs]
        report.add(f"{name} wall, best of {len(walls)}", f"{min(walls):.3f} s")
        report.add(f"{name} wall, median", f"{statistics.median(walls):.3f} s")
        report.add(f"{name} peak RSS", f"{max(r.rss_kb for r in runs) / 1024:.0f} MB")
    one_ratio = statistics.median(r.wall for r in theirs_one) / statistics.median(r.wall for r in ours_one)
    report.add("checkov / iaclint, one file (median wall)", f"{one_ratio:.1f}x")
    report.add("load average at the end", f"{os.getloadavg()[0]:.1f}", "(a shared machine slows both)")
    report.section("Findings (different checks: orientation, not a score)")
    report.add("iaclint findings", str(sum(ours_counts.values())),
               ", ".join(f"{k} {v}" for k, v in sorted(ours_counts.items())))
    report.add("checkov failed checks on gateway resources", str(sum(theirs_counts.values())),
               ", ".join(f"{k} {v}" for k, v in sorted(theirs_counts.items())))
    report.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
