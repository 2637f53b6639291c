"""Bicep speed, parser against parser: `python bench/bicep_parsers.py [DIR ...] [--repeat 3]`.

For each directory (default: the synthetic gateway-dense corpus of `make_azure_corpus.py`,
generated when missing) and each Bicep parser (`tree-sitter`: the grammar after the pre-pass;
`own`: `lang/bicep/parser.py`), prints MB/s, best and median of `--repeat` runs taken in turn so
that a busy machine slows both alike:

- `parse`: every `.bicep` file read into syntax nodes;
- `load + bodies`: the loader (one unit per file, the collector paused as a scan keeps it) with
  every resource body worked out;
- `scan`: `engine.scan` of the directory in this process (discovery, load, model, checks).

Prints, for a person to read; nothing is asserted.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT = HERE / "corpus" / "azure" / "bicep"
PARSERS = ("tree-sitter", "own")


def _jobs(root: Path) -> dict[str, Any]:
    from iaclint.discover import Unit
    from iaclint.engine import ScanOptions, loader_options, scan
    from iaclint.lang import gc_paused
    from iaclint.lang.bicep import load
    from iaclint.lang.bicep.syntax import parse
    from iaclint.source import SourceText

    paths = sorted(root.rglob("*.bicep"))
    texts = [SourceText.decode(str(p), p.read_bytes()) for p in paths]
    units = [Unit("bicep", str(p), (str(p),)) for p in paths]
    options = loader_options("bicep", ScanOptions(paths=[str(root)]))

    def parse_all() -> None:
        for t in texts:
            parse(t)

    def load_all() -> None:
        with gc_paused():
            for r in load(units, options).resources:
                _ = r.body.state

    return {
        "parse": parse_all,
        "load + bodies": load_all,
        "scan": lambda: scan(ScanOptions(paths=[str(root)])),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    dirs = args.dirs or [DEFAULT]
    if not args.dirs and not DEFAULT.is_dir():
        subprocess.run([sys.executable, str(HERE / "make_azure_corpus.py")], check=True)
    from iaclint.lang.bicep import syntax

    for root in dirs:
        size = sum(p.stat().st_size for p in root.rglob("*.bicep"))
        print(f"{root}: {size / 1e6:.2f} MB of .bicep")
        jobs = _jobs(root)
        for what, fn in jobs.items():
            times: dict[str, list[float]] = {p: [] for p in PARSERS}
            for parser in PARSERS:  # warm-up
                syntax.PARSER = parser
                fn()
            for _ in range(args.repeat):
                for parser in PARSERS:
                    syntax.PARSER = parser
                    gc.collect()
                    t = time.perf_counter()
                    fn()
                    times[parser].append(time.perf_counter() - t)
            for parser, ts in times.items():
                best, median = min(ts), statistics.median(ts)
                print(
                    f"  {what:<14} {parser:<12} best {size / best / 1e6:5.2f} MB/s ({best:.2f} s)"
                    f"   median {size / median / 1e6:5.2f} MB/s ({median:.2f} s)"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
