"""One-file scans as pre-commit runs them, per language: `python bench/onefile.py [--repeat 7]`.

For each language a throwaway git repository holds one project of the benchmark corpora (a
Terraform root module with the module it calls, a CloudFormation template, a Bicep entry file with
its modules, an ARM template), and `iaclint scan --files <file>` runs in it the way the hook does.
Printed per case: wall time (best and median), CPU time of the process (user + system, from
`os.wait4`; steadier than wall time on a shared machine), peak RSS, and how many modules the scan
imports (all, and iaclint's own: each language should pay only for its own). `iaclint --version`
and a bare `python -c pass` give the start-up floor.

`--bytecode` also runs every case from a copy of the package without `__pycache__` and with
`PYTHONDONTWRITEBYTECODE` set (a fresh clone run as is) next to the same copy compiled with
`compileall` (what an installed wheel has): the price of running without bytecode.

The corpora come from `--corpus` (default `bench/corpus`): `terraform/` and `azure/` as
`make_corpus.py` and `make_azure_corpus.py` write them, `cloudformation/` too; a missing one is
generated there. Nothing here asserts on time: the target (0.12 s) is printed next to the figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_ONE_FILE_S = 0.12


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    # What the repository holds (a directory copied whole, or one file) and the file passed.
    source: Path
    changed: str


@dataclass(slots=True)
class Runs:
    walls: list[float]
    cpus: list[float]
    rss_kb: int


def _generate(corpus: Path, what: str) -> None:
    if what == "azure":
        cmd = [sys.executable, str(HERE / "make_azure_corpus.py"), "--out", str(corpus / "azure")]
    else:
        cmd = [sys.executable, str(HERE / "make_corpus.py"), "--language", what, "--out", str(corpus)]
    print(f"bench: generating {corpus / what} ({' '.join(Path(c).name for c in cmd[1:3])})")
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def _first(folder: Path, pattern: str) -> Path:
    found = sorted(folder.rglob(pattern))
    if not found:
        sys.exit(f"bench: no {pattern} under {folder}")
    return found[0]


def cases(corpus: Path) -> list[Case]:
    for what, probe in (("terraform", "terraform"), ("cloudformation", "cloudformation"),
                        ("azure", "azure/bicep")):
        if not (corpus / probe).is_dir():
            _generate(corpus, what)
    # A root module's directory (with the modules it calls below it), its main.tf changed.
    roots = sorted((corpus / "terraform").glob("*/main.tf"))
    tf_main = next(p for p in roots if (p.parent / "modules").is_dir())
    bicep = _first(corpus / "azure" / "bicep", "main.bicep")
    cfn = _first(corpus / "cloudformation", "*.yaml")
    arm_small = HERE.parent / "fixtures" / "arm" / "azure" / "apim-existing" / "azuredeploy.json"
    arm_large = corpus / "azure" / "arm" / "apim.json"
    out = [
        Case("terraform (root module main.tf)", tf_main.parent, "main.tf"),
        Case("terraform (the module it calls)", tf_main.parent, "modules/api/main.tf"),
        Case("cloudformation template", cfn, cfn.name),
        Case("bicep entry file (with modules)", bicep.parent, "main.bicep"),
        Case("arm template (2 KB fixture)", arm_small, arm_small.name),
    ]
    if arm_large.is_file():
        out.append(Case(f"arm template ({arm_large.stat().st_size // 1000} KB)", arm_large, arm_large.name))
    return out


def make_repo(case: Case, into: Path) -> Path:
    repo = into / case.name.split()[0] / str(abs(hash(case.name)))
    if case.source.is_dir():
        shutil.copytree(case.source, repo)
    else:
        repo.mkdir(parents=True)
        shutil.copy(case.source, repo / case.source.name)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def measure(cmd: list[str], cwd: Path, env: dict[str, str], repeat: int) -> Runs:
    runs = Runs([], [], 0)
    for i in range(repeat + 1):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.stderr.close()
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            sys.exit(f"bench: {' '.join(cmd)} exited {code}: {err.decode('utf-8', 'replace')[-500:]}")
        if i == 0:
            continue  # warm-up: the page cache, and bytecode when it may be written
        runs.walls.append(wall)
        runs.cpus.append(usage.ru_utime + usage.ru_stime)
        rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
        runs.rss_kb = max(runs.rss_kb, rss)
    return runs


def imported(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, int]:
    """Modules the command imports: all of them, and iaclint's."""
    proc = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False)
    names = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
             if line.startswith("import time:") and "imported package" not in line]
    return len(names), sum(1 for n in names if n == "iaclint" or n.startswith("iaclint."))


def _package(cwd: Path, env: dict[str, str]) -> str:
    """Where the measured interpreter imports iaclint from, as the scans run (same directory, same
    environment)."""
    proc = subprocess.run([sys.executable, "-c", "import iaclint; print(iaclint.__file__)"], cwd=cwd, env=env,
                          capture_output=True, text=True, check=True)
    return str(Path(proc.stdout.strip()).parent)


def package_copy(into: Path, compiled: bool) -> Path:
    """The iaclint package this interpreter imports, copied as a wheel lays it out (the rule pack and
    the standard beside its modules), with or without bytecode."""
    import iaclint

    package = Path(iaclint.__file__).resolve().parent
    target = into / ("compiled" if compiled else "source")
    shutil.copytree(package, target / "iaclint", ignore=shutil.ignore_patterns("__pycache__"))
    checkout = package.parents[1]
    if not (target / "iaclint" / "rules").is_dir():
        shutil.copytree(checkout / "rules", target / "iaclint" / "rules")
    if not (target / "iaclint" / "standard.md").is_file() and (checkout / "docs" / "standard.md").is_file():
        shutil.copy(checkout / "docs" / "standard.md", target / "iaclint" / "standard.md")
    if compiled:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(target)], check=True,
                       stdout=subprocess.DEVNULL)
    return target


def _row(name: str, runs: Runs, extra: str = "") -> str:
    best, median = min(runs.walls), statistics.median(runs.walls)
    cpu = min(runs.cpus)
    rss = runs.rss_kb / 1024
    return f"  {name:<34} {best:6.3f} s {median:6.3f} s   {cpu:6.3f} s   {rss:4.0f} MB  {extra}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="one-file scans per language (see bench/README.md)")
    ap.add_argument("--corpus", type=Path, default=HERE / "corpus", help="parent of the corpora")
    ap.add_argument("--repeat", type=int, default=7, help="timed runs per case (default 7)")
    ap.add_argument("--bytecode", action="store_true", help="also compare no bytecode with compiled")
    args = ap.parse_args(argv)

    env = dict(os.environ)
    # The scans run inside throwaway repositories: a relative PYTHONPATH (`PYTHONPATH=src`) would
    # name nothing there and the installed package would be measured instead.
    if env.get("PYTHONPATH"):
        paths = env["PYTHONPATH"].split(os.pathsep)
        env["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) for p in paths)
    scan = [sys.executable, "-m", "iaclint", "scan", "--files"]
    header = f"  {'case':<34} {'best':>8} {'median':>8}   {'cpu':>8}   {'rss':>7}  imports (iaclint)"
    with tempfile.TemporaryDirectory(prefix="iaclint-onefile-") as tmp:
        root = Path(tmp)
        repos = [(case, make_repo(case, root / "repos")) for case in cases(args.corpus.resolve())]
        print(f"One-file scans (`iaclint scan --files FILE` in a one-project git repository),"
              f" {args.repeat} runs after a warm-up; target <= {TARGET_ONE_FILE_S:g} s wall")
        print(f"iaclint measured: {_package(root, env)}")
        print(header)
        floor = measure([sys.executable, "-c", "pass"], root, env, args.repeat)
        print(_row("python -c pass", floor))
        version = measure([sys.executable, "-m", "iaclint", "--version"], root, env, args.repeat)
        print(_row("iaclint --version", version))
        for case, repo in repos:
            cmd = [*scan, case.changed]
            total, own = imported(cmd, repo, env)
            print(_row(case.name, measure(cmd, repo, env, args.repeat), f"{total} ({own})"))
        if args.bytecode:
            print("\nWithout bytecode (a fresh clone, PYTHONDONTWRITEBYTECODE=1), then compiled (a wheel)")
            source = package_copy(root, compiled=False)
            bare = {**env, "PYTHONPATH": str(source), "PYTHONDONTWRITEBYTECODE": "1"}
            built = {**env, "PYTHONPATH": str(package_copy(root, compiled=True))}
            for case, repo in repos[:1] + repos[2:]:
                cmd = [*scan, case.changed]
                print(_row(f"{case.name}, no bytecode", measure(cmd, repo, bare, args.repeat)))
                print(_row(f"{case.name}, compiled", measure(cmd, repo, built, args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
