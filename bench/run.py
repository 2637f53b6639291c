"""Benchmarks: `python bench/run.py [--corpus bench/corpus/terraform]`.

Measures, and prints as a table:

1. the full corpus scan through the installed CLI in a subprocess
   (`iaclint scan <corpus> --format json --output /dev/null`): wall time, files/s, MB/s, peak RSS;
2. a one-file scan the way pre-commit runs it (`iaclint scan --files <one .tf>`): best of N and median;
3. start-up alone (`iaclint --version`);
4. an in-process breakdown by stage (discover / load / model / checks / report) using the engine's
   functions;
5. the slowest imports of `import iaclint.cli` (`python -X importtime`).

Benchmarks never run in the test suite and nothing here asserts on time: the targets in
`bench/README.md` are printed next to the figures for a human to read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE / "corpus" / "terraform"
TF_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")

# Targets from bench/README.md (500 files, 2 cores). Printed, never asserted.
TARGET_FULL_WALL_S = 0.9
TARGET_PEAK_RSS_MB = 250.0
TARGET_ONE_FILE_S = 0.12


@dataclass(slots=True)
class Run:
    wall: float
    rss_kb: int
    code: int
    stderr: str = ""


@dataclass(slots=True)
class Report:
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, value: str, target: str = "") -> None:
        self.rows.append((name, value, target))

    def section(self, title: str) -> None:
        self.rows.append((f"-- {title}", "", ""))

    def print(self) -> None:
        w0 = max(len(r[0]) for r in self.rows if not r[0].startswith("-- "))
        # Long values (platform, paths, per-rule counts) spill over rather than widen the column.
        w1 = max([len(r[1]) for r in self.rows if len(r[1]) <= 16] or [0])
        for name, value, target in self.rows:
            if name.startswith("-- "):
                print(f"\n{name[3:]}")
                continue
            print(f"  {name.ljust(w0)}  {value.rjust(w1)}  {target}".rstrip())


def iaclint_command() -> list[str]:
    """The installed console script beside this interpreter, else `python -m`-style via the entry."""
    script = Path(sys.executable).with_name("iaclint")
    if script.exists():
        return [str(script)]
    found = shutil.which("iaclint")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from iaclint.cli import main; sys.exit(main())"]


def run_measured(cmd: list[str], cwd: Path | None = None) -> Run:
    """Run `cmd` and return its wall time and its own peak RSS.

    `os.wait4` gives the rusage of exactly this child (RUSAGE_CHILDREN would be the maximum over
    every child so far, which mixes runs up).
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()  # the child may block on a full stderr pipe otherwise
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return Run(wall, rss, proc.returncode, err.decode("utf-8", "replace"))


def corpus_files(root: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (".terraform", ".git")]
        out += [Path(dirpath) / f for f in filenames]
    return sorted(out)


def pick_single_files(files: list[Path]) -> list[Path]:
    """Files pre-commit would typically pass: a root module's main.tf (its directory has tfvars, a
    WAF and a local module call) and the largest file of the corpus (the worst single file)."""
    mains = [f for f in files if f.name == "main.tf" and (f.parent / "terraform.tfvars").exists()]
    tfs = [f for f in files if f.name.endswith(".tf")] or files
    first = (mains or tfs)[0]
    largest = max(tfs, key=lambda f: (f.stat().st_size, str(f)))
    return [first] if largest == first else [first, largest]


def ensure_corpus(corpus: Path) -> None:
    if corpus.exists() and any(corpus.iterdir()):
        return
    if corpus.resolve() != DEFAULT_CORPUS.resolve():
        sys.exit(f"bench: corpus {corpus} does not exist")
    print(f"bench: generating the corpus in {corpus.parent} (python bench/make_corpus.py)")
    subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "--language", "terraform"], check=True)


def check_run(run: Run, what: str) -> None:
    # 0 = clean, 1 = findings: both are a successful scan. 2 is a usage or internal error.
    if run.code not in (0, 1):
        tail = run.stderr.strip().splitlines()[-5:]
        sys.exit(f"bench: {what} exited {run.code}:\n" + "\n".join(tail))


def full_scan(report: Report, corpus: Path, files: list[Path], repeat: int) -> None:
    cmd = [*iaclint_command(), "scan", str(corpus), "--format", "json"]
    size = sum(f.stat().st_size for f in files)
    # Warm-up run (page cache, .pyc) that also keeps the JSON report for a sanity summary.
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        warm = run_measured([*cmd, "--output", str(out)])
        check_run(warm, "the warm-up scan")
        summary = summarise_json(out)
    runs = [run_measured([*cmd, "--output", os.devnull]) for _ in range(repeat)]
    for r in runs:
        check_run(r, "the corpus scan")
    walls = [r.wall for r in runs]
    best, median = min(walls), statistics.median(walls)
    peak = max(r.rss_kb for r in runs) / 1024
    report.section(f"Full scan: {len(files)} files, {size / 1e6:.2f} MB ({corpus})")
    report.add("wall, best", f"{best:.2f} s", f"target <= {TARGET_FULL_WALL_S:g} s")
    report.add(f"wall, median of {repeat}", f"{median:.2f} s")
    report.add("files/s (median)", f"{len(files) / median:.0f}")
    report.add("MB/s (median)", f"{size / 1e6 / median:.2f}")
    report.add("peak RSS", f"{peak:.0f} MB", f"target <= {TARGET_PEAK_RSS_MB:g} MB")
    report.add("exit code", str(runs[0].code))
    for key, value in summary.items():
        report.add(key, value)
    report.data["full"] = {"files": len(files), "bytes": size, "walls": walls, "peak_rss_mb": peak,
                           "summary": summary}


def summarise_json(path: Path) -> dict[str, str]:
    """Findings per rule and file counts from the JSON report, whatever its exact layout."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"report": "not readable"}
    out: dict[str, str] = {}
    findings = doc.get("findings", []) if isinstance(doc, dict) else []
    per_rule: dict[str, int] = {}
    for f in findings:
        rule = f.get("rule_id") or f.get("ruleId") or f.get("rule") or "?"
        per_rule[str(rule)] = per_rule.get(str(rule), 0) + 1
    out["findings"] = str(len(findings))
    if per_rule:
        out["findings by rule"] = ", ".join(f"{k} {v}" for k, v in sorted(per_rule.items()))
    files = doc.get("files") if isinstance(doc, dict) else None
    if isinstance(files, dict):
        counts = {k: v for k, v in files.items() if isinstance(v, int)}
        if counts:
            out["files (report)"] = ", ".join(f"{k} {v}" for k, v in counts.items())
    elif isinstance(files, list):
        statuses: dict[str, int] = {}
        for f in files:
            s = str(f.get("status", "?")) if isinstance(f, dict) else "?"
            statuses[s] = statuses.get(s, 0) + 1
        out["files (report)"] = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
    return out


def single_file(report: Report, corpus: Path, files: list[Path], repeat: int) -> None:
    base = iaclint_command()
    help_text = subprocess.run([*base, "scan", "--help"], capture_output=True, text=True).stdout
    files_flag = ["--files"] if "--files" in help_text else []
    report.data["single"] = {}
    for target in pick_single_files(files):
        # Run from the corpus root with a relative name, as pre-commit does from the repository root.
        rel = target.relative_to(corpus)
        cmd = [*base, "scan", *files_flag, str(rel), "--format", "json", "--output", os.devnull]
        check_run(run_measured(cmd, cwd=corpus), "the one-file scan")  # warm-up
        runs = [run_measured(cmd, cwd=corpus) for _ in range(repeat)]
        walls = [r.wall for r in runs]
        beside = [f for f in files if f.parent == target.parent]
        report.section(f"One-file scan (pre-commit style{', --files' if files_flag else ''}): {rel}")
        report.add("file size", f"{target.stat().st_size / 1e3:.1f} kB")
        report.add("files in its directory", str(len(beside)))
        report.add(f"wall, best of {repeat}", f"{min(walls):.3f} s", f"target <= {TARGET_ONE_FILE_S:g} s")
        report.add(f"wall, median of {repeat}", f"{statistics.median(walls):.3f} s")
        report.add("peak RSS", f"{max(r.rss_kb for r in runs) / 1024:.0f} MB")
        report.data["single"][str(rel)] = walls
    version = [run_measured([*base, "--version"]).wall for _ in range(repeat)]
    report.add("`iaclint --version`, best", f"{min(version):.3f} s")
    report.data["version_walls"] = version


@contextmanager
def timed(into: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        into[name] = into.get(name, 0.0) + time.perf_counter() - start


def breakdown(report: Report, corpus: Path) -> None:
    """Time each stage in this process with the engine's own functions.

    The stages are called the way `engine.scan` calls them; the report stage renders the result of
    a complete `engine.scan` so it sees exactly what the CLI would. A stage whose function is
    missing or changed shape is shown as n/a rather than stopping the benchmark.
    """
    times: dict[str, float] = {}
    notes: list[str] = []
    cwd = Path.cwd()
    os.chdir(corpus)  # discover() takes the working directory as the scanned root, like the CLI
    try:
        with timed(times, "import iaclint.engine"):
            from iaclint import engine
        options = engine.ScanOptions(paths=["."])
        state: dict[str, Any] = {}

        def discover() -> None:
            state["found"] = engine.discover(options.paths, options.excludes, files_mode=False)

        def load() -> None:
            from iaclint.resources import LoadResult

            loaded = LoadResult()
            groups: dict[str, list[Any]] = {}
            for unit in state["found"].units:
                groups.setdefault(unit.language, []).append(unit)
            for language, units in groups.items():
                if language in engine.LOADERS:
                    loaded.extend(engine._load(language, units, options))
            state["loaded"] = loaded

        def model() -> None:
            state["model"] = engine.model_stage.build(state["loaded"].resources)

        def checks() -> None:
            rules = engine.select_rules(engine.load_rules(), options.select, options.ignore)
            state["findings"] = list(engine.run_checks(state["model"].facts, rules, options.rule_params))

        steps: list[tuple[str, Callable[[], Any]]] = [
            ("discover", discover), ("load", load), ("model", model), ("checks", checks),
        ]
        for name, fn in steps:
            try:
                with timed(times, name):
                    fn()
            except Exception as err:  # a benchmark reports a broken stage, it does not hide it
                notes.append(f"{name}: {type(err).__name__}: {err}")
                times.pop(name, None)
                break
        try:
            with timed(times, "engine.scan (all stages)"):
                result = engine.scan(options)
            from iaclint import report as report_stage

            with timed(times, "report (json)"):
                text = report_stage.render("json", result)
            state["report_bytes"] = len(text)
        except Exception as err:
            notes.append(f"scan/report: {type(err).__name__}: {err}")
    finally:
        os.chdir(cwd)

    report.section("In-process breakdown (one run, warm imports after the first stage)")
    for name in ["import iaclint.engine", "discover", "load", "model", "checks", "engine.scan (all stages)",
                 "report (json)"]:
        report.add(name, f"{times[name]:.3f} s" if name in times else "n/a")
    if "found" in state:
        report.add("units discovered", str(len(state["found"].units)))
    if "loaded" in state:
        report.add("resources loaded", str(len(state["loaded"].resources)))
    if "findings" in state:
        report.add("findings from checks", str(len(state["findings"])))
    for note in notes:
        report.add("error", note)
    report.data["breakdown"] = times


def import_times(report: Report, top: int) -> None:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import iaclint.cli"],
                          capture_output=True, text=True)
    entries: list[tuple[int, int, str]] = []
    for line in proc.stderr.splitlines():
        # "import time:       self [us] |  cumulative | imported package"
        if not line.startswith("import time:") or "imported package" in line:
            continue
        parts = line[len("import time:"):].split("|")
        if len(parts) != 3:
            continue
        try:
            entries.append((int(parts[1]), int(parts[0]), parts[2].rstrip()))
        except ValueError:
            continue
    total = next((c for c, _, name in entries if name.strip() == "iaclint.cli"), 0)
    report.section(f"python -X importtime -c 'import iaclint.cli': {total / 1000:.1f} ms cumulative")
    for cumulative, own, name in sorted(entries, reverse=True)[:top]:
        report.add(name.strip(), f"{cumulative / 1000:.1f} ms", f"(self {own / 1000:.1f} ms)")
    report.data["importtime_ms"] = total / 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="iaclint benchmarks (see bench/README.md)")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--repeat", type=int, default=3, help="timed full-corpus scans (default 3)")
    ap.add_argument("--single-repeat", type=int, default=5, help="timed one-file scans (default 5)")
    ap.add_argument("--skip", action="append", default=[],
                    choices=["full", "single", "breakdown", "imports"], help="leave a part out")
    ap.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = ap.parse_args(argv)

    corpus = args.corpus.resolve()
    ensure_corpus(corpus)
    files = [f for f in corpus_files(corpus) if f.name.endswith((*TF_SUFFIXES, ".yaml", ".yml", ".json"))]
    report = Report()
    report.section("Machine")
    report.add("python", platform.python_version())
    report.add("platform", platform.platform(terse=True))
    report.add("cpus", str(os.cpu_count()))
    report.add("iaclint", " ".join(iaclint_command()))
    if "full" not in args.skip:
        full_scan(report, corpus, files, args.repeat)
    if "single" not in args.skip:
        single_file(report, corpus, files, args.single_repeat)
    if "breakdown" not in args.skip:
        breakdown(report, corpus)
    if "imports" not in args.skip:
        import_times(report, top=12)
    report.print()
    if args.json:
        args.json.write_text(json.dumps(report.data, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
