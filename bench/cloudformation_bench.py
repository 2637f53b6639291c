"""CloudFormation benchmark: `python bench/cloudformation_bench.py [--corpus bench/corpus/cloudformation]`.

Prints, for the generated template corpus (`python bench/make_corpus.py --language cloudformation`,
written here when missing):

1. in this process, best of N: YAML decoding alone (text to raw Values) and the whole loader
   (`iaclint.lang.cloudformation.load`: decoding, parameters, conditions, intrinsics, resources,
   directives) as MB/s of YAML and templates/s;
2. through the installed CLI in a subprocess, like `bench/run.py` does for Terraform: the wall time
   of a full `iaclint scan <corpus>` and of a one-template scan (`iaclint scan --files <template>`
   from the corpus root, as pre-commit runs it).

Nothing here asserts: the targets (issue 4) are printed beside the figures. The machine may be
shared, so in-process figures are the best of several runs of CPU time, and wall times show best
and median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from run import Report, check_run, iaclint_command, run_measured

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE / "corpus" / "cloudformation"
SUFFIXES = (".yaml", ".yml", ".json", ".template")

TARGET_YAML_MB_S = 4.0
TARGET_FULL_WALL_S = 2.0
TARGET_ONE_FILE_S = 0.3


def ensure_corpus(corpus: Path) -> None:
    if corpus.exists() and any(corpus.iterdir()):
        return
    if corpus.resolve() != DEFAULT_CORPUS.resolve():
        sys.exit(f"bench: corpus {corpus} does not exist")
    print(f"bench: generating the corpus in {corpus.parent} (python bench/make_corpus.py)")
    subprocess.run(
        [sys.executable, str(HERE / "make_corpus.py"), "--language", "cloudformation"], check=True
    )


def templates(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))


def best_cpu(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Least CPU time of `repeat` runs (CPU time, not wall: other work on the machine adds less),
    and the last result. The previous result is freed before the clock starts: a scan keeps its
    Values to the end, so freeing them is no part of loading."""
    best = float("inf")
    result: object = None
    for _ in range(repeat):
        result = None
        start = time.process_time()
        result = fn()
        best = min(best, time.process_time() - start)
    return best, result


def in_process(report: Report, files: list[Path], repeat: int) -> None:
    from iaclint.discover import Unit
    from iaclint.lang import gc_paused
    from iaclint.lang.cloudformation import load
    from iaclint.lang.cloudformation.decode import decode
    from iaclint.source import SourceText

    sources = [SourceText.decode(str(f), f.read_bytes()) for f in files]
    yaml_bytes = sum(len(s.data) for s in sources if not s.path.endswith(".json"))
    size = sum(len(s.data) for s in sources)
    units = [Unit("cloudformation", f.parent, (f,)) for f in files]

    # Both as a scan runs them: inside the engine's gc_paused(), so the collector's pass over what
    # was built (which a scan never pays) stays out of the figure; it runs between repetitions.
    def decode_all() -> list[object]:
        with gc_paused():
            return [decode(s) for s in sources]

    def load_all() -> Any:
        with gc_paused():
            return load(units, None)

    load_all()  # warm-up: imports, regex compilation
    t_decode, _ = best_cpu(decode_all, repeat)
    t_load, result = best_cpu(load_all, repeat)
    report.section(f"In process, best of {repeat} (CPU time): {len(files)} templates, {size / 1e6:.2f} MB")
    report.add("decode only (text to raw Values)", f"{yaml_bytes / 1e6 / t_decode:.2f} MB/s",
               f"({t_decode:.3f} s)")
    report.add(
        "load (decode, evaluate, resources)",
        f"{yaml_bytes / 1e6 / t_load:.2f} MB/s",
        f"target >= {TARGET_YAML_MB_S:g} MB/s of YAML loaded ({t_load:.3f} s)",
    )
    report.add("templates/s (load)", f"{len(files) / t_load:.0f}")
    report.add("resources", str(len(result.resources)))
    report.add("diagnostics", str(len(result.diagnostics)))
    report.add("directives", str(len(result.directives)))
    report.data["in_process"] = {"bytes": size, "yaml_bytes": yaml_bytes, "decode_s": t_decode,
                                 "load_s": t_load}


def full_scan(report: Report, corpus: Path, files: list[Path], repeat: int) -> None:
    cmd = [*iaclint_command(), "scan", str(corpus), "--format", "json", "--output", os.devnull]
    check_run(run_measured(cmd), "the warm-up scan")
    runs = [run_measured(cmd) for _ in range(repeat)]
    for r in runs:
        check_run(r, "the corpus scan")
    walls = [r.wall for r in runs]
    size = sum(f.stat().st_size for f in files)
    report.section(f"Full scan (subprocess): {len(files)} templates, {size / 1e6:.2f} MB")
    report.add("wall, best", f"{min(walls):.2f} s", f"target <= {TARGET_FULL_WALL_S:g} s for 500 templates")
    report.add(f"wall, median of {repeat}", f"{statistics.median(walls):.2f} s")
    report.add("templates/s (median)", f"{len(files) / statistics.median(walls):.0f}")
    report.add("peak RSS", f"{max(r.rss_kb for r in runs) / 1024:.0f} MB")
    report.data["full"] = {"files": len(files), "walls": walls}


def one_template(report: Report, corpus: Path, files: list[Path], repeat: int) -> None:
    # The largest template: the worst single file pre-commit can hand over.
    target = max(files, key=lambda f: (f.stat().st_size, str(f)))
    rel = target.relative_to(corpus)
    cmd = [*iaclint_command(), "scan", "--files", str(rel), "--format", "json", "--output", os.devnull]
    check_run(run_measured(cmd, cwd=corpus), "the one-template scan")  # warm-up
    walls = [run_measured(cmd, cwd=corpus).wall for _ in range(repeat)]
    report.section(f"One-template scan (subprocess, --files): {rel}, {target.stat().st_size / 1e3:.1f} kB")
    report.add(f"wall, best of {repeat}", f"{min(walls):.3f} s", f"target <= {TARGET_ONE_FILE_S:g} s")
    report.add(f"wall, median of {repeat}", f"{statistics.median(walls):.3f} s")
    report.data["one"] = {"file": str(rel), "walls": walls}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="iaclint CloudFormation benchmark (see bench/README.md)")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--repeat", type=int, default=5, help="timed runs of each measurement (default 5)")
    ap.add_argument("--skip", action="append", default=[], choices=["load", "full", "single"])
    args = ap.parse_args(argv)
    corpus = args.corpus.resolve()
    ensure_corpus(corpus)
    files = templates(corpus)
    if not files:
        sys.exit(f"bench: no templates in {corpus}")
    report = Report()
    report.section("Machine")
    report.add("python", sys.version.split()[0])
    report.add("cpus", str(os.cpu_count()))
    if "load" not in args.skip:
        in_process(report, files, args.repeat)
    if "full" not in args.skip:
        full_scan(report, corpus, files, args.repeat)
    if "single" not in args.skip:
        one_template(report, corpus, files, args.repeat)
    report.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
