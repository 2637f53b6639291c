"""How a full scan grows with the repository: `python bench/curve.py [--sizes 500,1000,2000,5000]`.

For each size it writes the Terraform corpus of that many files (`tf_corpus.py`, seed 1, about
4.3 KB a file as in the 500-file default: 2.15 MB, 23.5 MB at 5,000) under `bench/corpus/`,
then runs `iaclint scan <corpus> --format json --output /dev/null` (one warm-up, then `--repeat`
timed runs) and prints per size: wall time (best and median), MB/s, and peak memory two ways:

- **largest process**: the peak RSS of the biggest process of the scan (`os.wait4`: the scan
  process itself, or a worker it waited for);
- **all processes**: the largest sum of the RSS of the scan process and its workers, sampled every
  20 ms from `/proc` (Linux only; pages shared after the fork are counted in each process, so this
  over-counts).

With streaming units, memory must stay flat as the corpus grows; wall time should grow linearly.
`--jobs 1` measures the serial scan. `--language bicep` runs the same curve on gateway-dense Bicep
(`make_azure_corpus.py`, seed 1: four `.bicep` files a project, an entry file calling three local
modules, written to `bench/corpus/bicep-<N>/`): each entry file is loaded with its modules, part by
part, as Terraform roots are. Nothing here asserts: the figures are for a person to read
next to the targets in `bench/README.md`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import make_azure_corpus
import make_corpus
import tf_corpus
from run import corpus_files, iaclint_command

HERE = Path(__file__).resolve().parent
# The 500-file default of make_corpus.py writes 2.15 MB; larger corpora keep that density.
BYTES_PER_FILE = 4_300
DEFAULT_BYTES = {500: 2_000_000}
# Targets from bench/README.md (2 cores). Printed, never asserted.
TARGETS = {500: "≤ 0.9 s", 5000: "≤ 8 s"}
BICEP_TARGET = "≥ 4 MB/s"
TARGET_MEMORY_MB = 250


def _tree_rss_kb(pid: int) -> int:
    """The RSS of `pid` and all its descendants, in KB (0 when they are gone)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(cmd: list[str]) -> tuple[float, int, int, int]:
    """Wall seconds, largest process's peak RSS (KB), sampled peak of all processes (KB), exit code."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    if sys.platform.startswith("linux"):
        sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    if sampler.is_alive():
        sampler.join()
    rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return wall, rss, peak[0], os.waitstatus_to_exitcode(status)


def corpus_for(files: int, out: Path, language: str = "terraform") -> Path:
    if language == "bicep":
        return _bicep_corpus_for(files, out)
    root = out / f"terraform-{files}"
    total = DEFAULT_BYTES.get(files, files * BYTES_PER_FILE)
    marker = root / ".generated"
    wanted = f"{files} {total} 1"
    if not (marker.exists() and marker.read_text() == wanted):
        make_corpus.write(tf_corpus.generate(files, total, 1), root)
        marker.write_text(wanted)
    return root


def _bicep_corpus_for(files: int, out: Path) -> Path:
    """Gateway-dense Bicep of about `files` `.bicep` files (four a project; `.bicepparam` files and
    the policy XML the modules load come with them)."""
    root = out / f"bicep-{files}"
    marker = root / ".generated"
    wanted = f"bicep {files} 1"
    if not (marker.exists() and marker.read_text() == wanted):
        make_azure_corpus.write(make_azure_corpus.bicep_corpus(max(1, files // 4), 1), root)
        marker.write_text(wanted)
    return root


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="wall time and peak memory as the corpus grows")
    ap.add_argument("--sizes", default="500,1000,2000,5000", help="corpus sizes in files")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per size, after one warm-up")
    ap.add_argument("--jobs", default="", help="pass --jobs N to iaclint (default: its own choice)")
    ap.add_argument("--out", type=Path, default=HERE / "corpus", help="where the corpora are written")
    ap.add_argument("--language", choices=("terraform", "bicep"), default="terraform",
                    help="the generated corpus: Terraform (tf_corpus.py) or Bicep (make_azure_corpus.py)")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    extra = ["--jobs", args.jobs] if args.jobs else []

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{cores} cores; load average {os.getloadavg()[0]:.1f} at start; jobs: {args.jobs or 'auto'}; "
          f"{args.language}")
    header = (f"{'files':>6} {'MB':>6} {'best s':>7} {'median s':>8} {'MB/s':>6} "
              f"{'largest process MB':>18} {'all processes MB':>16}  target")
    print(header)
    for n in sizes:
        root = corpus_for(n, args.out, args.language)
        files = [f for f in corpus_files(root) if f.name != ".generated"]
        size = sum(f.stat().st_size for f in files) / 1e6
        if args.language == "bicep":  # counted as the sizes are: `.bicep` files
            files = [f for f in files if f.suffix == ".bicep"]
        cmd = [*iaclint_command(), "scan", str(root), "--format", "json", "--output", os.devnull, *extra]
        measure(cmd)  # warm-up: page cache and bytecode
        runs = [measure(cmd) for _ in range(args.repeat)]
        bad = [r for r in runs if r[3] not in (0, 1)]
        if bad:
            sys.exit(f"iaclint exited {bad[0][3]} on {root}")
        walls = [r[0] for r in runs]
        largest = max(r[1] for r in runs) / 1024
        everything = max(r[2] for r in runs) / 1024
        target = BICEP_TARGET if args.language == "bicep" else TARGETS.get(n, "")
        print(f"{len(files):>6} {size:>6.2f} {min(walls):>7.2f} {statistics.median(walls):>8.2f} "
              f"{size / statistics.median(walls):>6.2f} {largest:>18.0f} {everything:>16.0f}  "
              f"{target} (memory ≤ {TARGET_MEMORY_MB} MB)", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} at the end (the machine may be shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
