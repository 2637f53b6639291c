"""Profile the Terraform loader alone: `python bench/profile_terraform.py [--corpus DIR] [--cprofile N]`.

Runs discover, then the Terraform loader in this process (the cyclic GC paused, as `engine.scan` does),
and prints load wall and CPU time, the number of resources, the peak RSS of this process, the time of
one full collection afterwards (what the loader leaves to the GC), and (with `--cprofile N`) the N
most expensive functions. Like the other benchmarks it prints figures for a person; it never asserts.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import resource
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE / "corpus" / "terraform"


def _dump(v: Any) -> str:
    d = v.data
    if isinstance(d, dict):
        inner = "{" + ", ".join(f"{k}: {_dump(m)}" for k, m in d.items()) + "}"
    elif isinstance(d, list):
        inner = "[" + ", ".join(_dump(m) for m in d) + "]"
    else:
        inner = repr(d)
    return f"<{v.state.value} {inner} {_span(v.span)} {v.reason!r} {v.refs} {[_span(s) for s in v.via]}>"


def _span(s: Any) -> str:
    return "-" if s is None else f"{s.path}:{s.line}:{s.column}-{s.end_line}:{s.end_column}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--cprofile", type=int, default=0, metavar="N", help="print the N slowest functions")
    ap.add_argument("--sort", default="tottime", help="pstats sort key (tottime, cumulative)")
    ap.add_argument("--dump", type=Path, help="write every resource (values, spans, via, refs) to FILE")
    args = ap.parse_args()

    os.chdir(args.corpus)  # discover() takes the working directory as the scanned root, like the CLI
    from iaclint import engine
    from iaclint.lang.terraform import load

    options = engine.ScanOptions(paths=["."])
    found = engine.discover(options.paths, options.excludes, files_mode=False)
    units = [u for u in found.units if u.language == "terraform"]

    prof = cProfile.Profile() if args.cprofile else None
    # engine.scan keeps the cyclic collector paused for the whole scan, so the loader never pays for
    # a collection there; pause it here too, and time the collection that follows on its own.
    gc.disable()
    t0 = time.perf_counter()
    c0 = time.process_time()
    if prof is not None:
        prof.enable()
    result = load(units, engine.loader_options("terraform", options))
    if prof is not None:
        prof.disable()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    t1 = time.perf_counter()
    unreachable = gc.collect()
    gc_wall = time.perf_counter() - t1
    gc.enable()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"units {len(units)}  resources {len(result.resources)}  diagnostics {len(result.diagnostics)}")
    print(f"load wall {wall:.3f} s  cpu {cpu:.3f} s  peak RSS {rss_mb:.0f} MB")
    print(f"then a full collection: {gc_wall:.3f} s, {unreachable} unreachable objects")
    if args.dump:
        # A full textual dump, to diff two versions of the loader: the output must not change.
        with open(args.dump, "w", encoding="utf-8") as fh:
            for r in result.resources:
                cond = r.condition and _dump(r.condition)
                fh.write(f"{r.address} {r.type} {_span(r.span)} {cond}\n  {_dump(r.body)}\n")
            for d in result.diagnostics:
                fh.write(f"{d}\n")
    if prof is not None:
        pstats.Stats(prof).sort_stats(args.sort).print_stats(args.cprofile)


if __name__ == "__main__":
    main()
