"""Azure benchmarks: `python bench/azure_bench.py [--registry DIR] [--arm FILE] [--repeat 3]`.

Prints, for a person to read (nothing is asserted, and none of this runs in the tests):

1. Bicep speed (MB/s, best of `--repeat` after a warm-up) and the share of files that parse with
   no unreadable region, on the synthetic corpus of `make_azure_corpus.py` (generated when
   missing) and, with `--registry`, on a local copy of real Bicep such as
   Azure/bicep-registry-modules. Four figures:
   - `load`: the loader called the way the engine calls it (one unit per `.bicep` file, all in
     one `load()`), with the cyclic collector off as `iaclint scan` has it: the command turns it
     off before its imports and never turns it back on. Resource bodies and module parameters are
     worked out when first read, so this is what a scan pays for loading;
   - `load, collector paused`: from a library caller whose collector is on, which `load()` pauses:
     when the pause ends, the next allocation collects everything the load made (young objects);
   - `load, collector on`: the same from a library caller that keeps the collector running;
   - `load + all bodies`: every resource body read as well, collector off (what evaluating
     everything costs);
   - `scan`: the `iaclint scan DIR --format json` process, start to exit, with its peak memory.
2. The load time of a ~700 KB ARM template: the generated one, and `--arm` if given (e.g. the
   compiled `avm/res/api-management/service/main.json` of the registry modules, 688 KB).
3. Import cost: `import iaclint.engine` must not import the tree-sitter grammar; the time the
   grammar takes to load on the first Bicep file.

Targets: at least 4 MB/s of gateway-dense Bicep (issue 11; issue 5 asked 3 MB/s of real modules);
a 700 KB ARM template in under 1 s; the grammar imported only when a Bicep file is present.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE / "corpus" / "azure"
TARGET_BICEP_MBS = 4.0
TARGET_ARM_S = 1.0


def _units(root: Path, suffix: str, language: str) -> list[Any]:
    from iaclint.discover import Unit

    return [Unit(language, str(p), (str(p),)) for p in sorted(root.rglob(f"*{suffix}"))]


def _best(fn: Any, repeat: int, collector_off: bool = False) -> tuple[float, Any]:
    """Best wall time of `fn()`; `collector_off`: with the cyclic collector off while it runs, as
    in `iaclint scan` (turned back on after the clock stops: what it then collects is not timed)."""
    import gc

    result = fn()  # warm-up: imports, the grammar, the OS file cache
    best = float("inf")
    for _ in range(repeat):
        # The loader's output holds reference cycles (bodies still to work out refer to their
        # evaluator); collect the previous run's before timing the next.
        result = None
        gc.collect()
        if collector_off:
            gc.disable()
        try:
            t = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - t)
        finally:
            gc.enable()
    return best, result


def bicep(root: Path, repeat: int, label: str) -> None:
    from iaclint.engine import ScanOptions, loader_options
    from iaclint.lang import gc_paused
    from iaclint.lang.bicep import load

    units = _units(root, ".bicep", "bicep")
    if not units:
        print(f"{label}: no .bicep files under {root}")
        return
    # As a scan of `root` reads them: modules anywhere under it, nothing outside.
    options = loader_options("bicep", ScanOptions(paths=[str(root)]))
    size = sum(Path(u.path).stat().st_size for u in units)

    def paused() -> Any:
        with gc_paused():
            return load(units, options)

    def everything() -> Any:
        result = load(units, options)
        for r in result.resources:
            _ = r.body.state
        return result

    secs, result = _best(lambda: load(units, options), repeat, collector_off=True)
    paused_secs, _ = _best(paused, repeat)
    on_secs, _ = _best(lambda: load(units, options), repeat)
    all_secs, _ = _best(everything, repeat, collector_off=True)
    scan_secs, rss = SCANS[root]
    unclean = {d.path for d in result.diagnostics}
    clean = 1 - len(unclean) / len(units)
    print(f"{label}: {len(units)} files, {size / 1e6:.2f} MB (target >= {TARGET_BICEP_MBS} MB/s)")
    for what, t in (("load", secs), ("load, collector paused", paused_secs), ("load, collector on", on_secs),
                    ("load + all bodies", all_secs), ("scan (process)", scan_secs)):  # fmt: skip
        print(f"  {what:<24} {t:6.2f} s   {size / t / 1e6:5.2f} MB/s")
    print(f"  scan peak memory         {rss / 1e3:6.0f} MB")
    print(f"  resources {len(result.resources)}, diagnostics {len(result.diagnostics)}, "
          f"clean parse {clean:.2%} ({len(units) - len(unclean)}/{len(units)})")


SCANS: dict[Path, tuple[float, int]] = {}


def _scan(root: Path, repeat: int) -> tuple[float, int]:
    """Best wall time of `iaclint scan root` in its own process, and its peak RSS in KB (read in
    the child itself: the parent's view of its children keeps the largest of all of them)."""
    code = (
        "import resource, sys, atexit, os\n"
        "from iaclint import cli\n"
        "real_exit = os._exit\n"
        "def report(code):\n"
        "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        "    sys.stderr.flush()\n"
        "    real_exit(code)\n"
        "os._exit = report\n"
        f"sys.argv = ['iaclint', 'scan', {str(root)!r}, '--format', 'json', '--output', {os.devnull!r}]\n"
        "cli.run()\n"
    )
    best = float("inf")
    rss = 0
    for _ in range(repeat + 1):  # the first run warms the OS file cache
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        best = min(best, time.perf_counter() - t)
        rss = max(rss, int(proc.stderr.strip().splitlines()[-1]))
    return best, rss


def arm(path: Path, repeat: int) -> None:
    from iaclint.lang.arm import load

    units = _units(path.parent, path.name, "arm")
    secs, result = _best(lambda: load(units, None), repeat)
    print(f"ARM {path} ({path.stat().st_size / 1e3:.0f} KB)")
    print(f"  load      {secs:6.3f} s   (target < {TARGET_ARM_S} s)   resources {len(result.resources)}, "
          f"diagnostics {len(result.diagnostics)}")


def imports(sample: Path) -> None:
    code = (
        "import sys, time\n"
        "t = time.perf_counter()\n"
        "import iaclint.engine\n"
        "t1 = time.perf_counter()\n"
        "assert 'tree_sitter_bicep' not in sys.modules, 'grammar imported by the engine'\n"
        "from iaclint.discover import Unit\n"
        "from iaclint.lang.bicep import load\n"
        "t2 = time.perf_counter()\n"
        "from iaclint.lang.bicep.syntax import _parser\n"
        "_parser()\n"
        "t3 = time.perf_counter()\n"
        f"load([Unit('bicep', {str(sample)!r}, ({str(sample)!r},))], None)\n"
        "t4 = time.perf_counter()\n"
        "print(f'{t1 - t:.3f} {t2 - t1:.3f} {t3 - t2:.3f} {t4 - t3:.3f}')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"imports: FAILED\n{proc.stderr.strip()}")
        return
    engine, loader, grammar, first = (float(x) for x in proc.stdout.split())
    print("imports (fresh interpreter)")
    print(f"  import iaclint.engine      {engine:.3f} s   (tree_sitter_bicep not imported: yes)")
    print(f"  import iaclint.lang.bicep  {loader:.3f} s")
    print(f"  grammar load, first file   {grammar:.3f} s")
    print(f"  first file ({sample.name})   {first:.3f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="output of make_azure_corpus.py")
    ap.add_argument("--registry", type=Path, help="a local copy of real Bicep (bicep-registry-modules)")
    ap.add_argument("--arm", type=Path, help="an ARM template to time as well as the generated one")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    if not (args.corpus / "bicep").is_dir():
        subprocess.run([sys.executable, str(HERE / "make_azure_corpus.py"), "--out", str(args.corpus)],
                       check=True)
    # Scan processes first, one corpus at a time, while this process is small: a child's peak
    # memory as the OS reports it includes what it shared with this process when it was forked.
    for root in (args.corpus / "bicep", args.registry):
        if root is not None:
            SCANS[root] = _scan(root, args.repeat)
    bicep(args.corpus / "bicep", args.repeat, "Bicep, synthetic corpus")
    if args.registry is not None:
        bicep(args.registry, args.repeat, f"Bicep, {args.registry}")
    arm(args.corpus / "arm" / "apim.json", args.repeat)
    if args.arm is not None:
        arm(args.arm, args.repeat)
    sample = next(iter(sorted((args.corpus / "bicep").rglob("main.bicep"))))
    imports(sample)
    return 0


if __name__ == "__main__":
    sys.exit(main())
