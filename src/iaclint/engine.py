"""The pipeline, one way: discover → load → model → checks → findings. Reports read the result."""

from __future__ import annotations

import gc
import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iaclint import model as model_stage
from iaclint import workers
from iaclint.budget import scan_allowance
from iaclint.checks import CheckError, run_checks
from iaclint.discover import READ_WITH_A_TEMPLATE, Discovery, Exclusions, Unit, discover
from iaclint.fileaccess import ScanRoots
from iaclint.findings import PARSE_RULE, Finding, Level, dedupe, identify
from iaclint.lang import gc_paused
from iaclint.records import record
from iaclint.resources import Diagnostic, Directive, LoadResult
from iaclint.result import FileRecord, ScanResult
from iaclint.rules import Rule, load_rules
from iaclint.source import Span
from iaclint.suppress import apply_baseline, directive_notes, mark_directives, read_baseline
from iaclint.values import EvaluationError

if TYPE_CHECKING:
    from iaclint.lang.options import LoaderOptions

# language → module exposing `load(units, options) -> LoadResult`; imported only when needed.
LOADERS = {
    "terraform": "iaclint.lang.terraform",
    "terraform-plan": "iaclint.lang.terraform.plan",
    "cloudformation": "iaclint.lang.cloudformation",
    "bicep": "iaclint.lang.bicep",
    "arm": "iaclint.lang.arm",
}


@record
class ScanOptions:
    """Everything a scan is told: paths, selection, inputs for the loaders, configuration, jobs."""

    paths: list[str] = field(default_factory=lambda: ["."])
    excludes: list[str] = field(default_factory=list)
    # The configuration's `exclude`, relative to the configuration file's directory.
    config_excludes: list[str] = field(default_factory=list)
    config_file: str | None = None
    # Pre-commit: the changed files, resolved (set by the scan; see TerraformOptions.focus and
    # BicepOptions.focus).
    focus: frozenset[str] | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    files_mode: bool = False
    # Variables files named on the command line (the user's choice: read wherever they are) and by
    # the configuration file (committed with the code: read only inside the scan roots).
    var_files: list[str] = field(default_factory=list)
    config_var_files: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    # Template parameters: CloudFormation values and files, ARM parameter files, .bicepparam files.
    cfn_parameters: dict[str, str] = field(default_factory=dict)
    cfn_parameter_files: list[str] = field(default_factory=list)
    arm_parameter_files: list[str] = field(default_factory=list)
    bicep_parameter_files: list[str] = field(default_factory=list)
    rule_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Worker processes; 0: the cores, when the scan is big enough to pay for starting them.
    jobs: int = 1
    # From the configuration file: level overrides, what to do with findings decided by unknown
    # values (note, warning or ignore), and rules not run on some paths.
    severity: dict[str, Level] = field(default_factory=dict)
    unknown: str = "note"
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    baseline: str | None = None
    # What scanned code may read (see fileaccess.py); worked out from `paths` when not given.
    roots: ScanRoots | None = None

    def scan_roots(self) -> ScanRoots:
        if self.roots is None:
            self.roots = ScanRoots.for_paths(self.paths or ["."])
        return self.roots


def _matches(rule: Rule, selectors: list[str]) -> bool:
    return any(rule.id.startswith(s) or s == rule.category or s == rule.name for s in selectors)


def select_rules(rules: dict[str, Rule], select: list[str], ignore: list[str]) -> dict[str, Rule]:
    """Rules to run: the enabled ones (or those selected, which may include opt-in rules); the parse
    rule always runs unless ignored, since an unreadable file must never pass unnoticed."""
    if select:
        chosen = {k: r for k, r in rules.items() if _matches(r, select) or k == PARSE_RULE}
    else:
        chosen = {k: r for k, r in rules.items() if r.enabled}
    return {k: r for k, r in chosen.items() if not (ignore and _matches(r, ignore))}


def _parse_finding(d: Diagnostic, rule: Rule | None) -> Finding:
    kind = "partly read" if d.partial else "could not be read"
    level = rule.severity if rule else Level.ERROR
    return Finding(
        rule_id=PARSE_RULE,
        level=Level.NOTE if d.note else level,
        message=d.message if d.note else f"{d.message} (file {kind})",
        span=Span(d.path, max(d.line, 1), max(d.column, 1), max(d.line, 1), max(d.column, 1)),
        address=f"{d.path}#parse",
        attribute=f"{d.line}:{d.message}",
        fix=d.note or (rule.fix if rule else ""),
    )


class InternalError(RuntimeError):
    """A loader raised: a bug in iaclint, reported in one line naming the file."""


def loader_options(language: str, options: ScanOptions) -> LoaderOptions:
    """What the `language` loader is told of the scan: its own typed options, nothing more."""
    # Each language's class is imported here, when its language is loaded (see lang/options).
    roots = options.scan_roots()
    if language == "terraform":
        from iaclint.lang.options.terraform import TerraformOptions

        return TerraformOptions(
            roots, dict(options.variables), tuple(options.var_files), tuple(options.config_var_files),
            None if options.focus is None else frozenset(os.path.dirname(p) for p in options.focus),
        )
    if language == "terraform-plan":
        from iaclint.lang.options.plan import PlanOptions

        return PlanOptions(roots)
    if language == "cloudformation":
        from iaclint.lang.options.cloudformation import CloudFormationOptions

        return CloudFormationOptions(roots, dict(options.cfn_parameters), tuple(options.cfn_parameter_files))
    if language == "bicep":
        from iaclint.lang.options.bicep import BicepOptions

        return BicepOptions(roots, tuple(options.bicep_parameter_files), options.focus)
    if language == "arm":
        from iaclint.lang.options.arm import ArmOptions

        return ArmOptions(roots, tuple(options.arm_parameter_files))
    raise ValueError(f"no loader for language {language!r}")


def _load_module(language: str) -> Any:
    return importlib.import_module(LOADERS[language])


def _load(language: str, units: list[Unit], options: ScanOptions) -> LoadResult:
    try:
        module = _load_module(language)
    except Exception as err:
        # A broken installation (a loader that cannot be imported) is still one line, not a traceback.
        raise InternalError(f"{units[0].path}: cannot load the {language} reader: {err}") from err
    given = loader_options(language, options)
    try:
        # In a worker process (--jobs) this is the worker's share of the scan's allowance.
        with scan_allowance():
            return module.load(units, given)
    except Exception as err:
        # Loaders turn bad input into diagnostics; reaching here is a bug. Find the unit that
        # triggers it so the message names a file the user can act on (or send us).
        culprit = units[0].path
        if len(units) > 1:
            for unit in units:
                try:
                    module.load([unit], given)
                except Exception:
                    culprit = unit.path
                    break
        raise InternalError(f"{culprit}: {type(err).__name__}: {err}") from err


def scan(
    options: ScanOptions,
    progress: Callable[[int, int], None] | None = None,
    retain: list[Any] | None = None,
    *,
    parts_out: list[tuple[LoadResult, Any]] | None = None,
) -> ScanResult:
    """Run the pipeline. Units stream: each part of the scan (a Terraform root with the modules it
    calls, a Bicep entry file with the module files it calls, a few templates) is loaded, modelled
    and checked, and only its findings are kept, so memory follows the largest part, not the
    repository. `retain`, when given, receives the discovery (what outlives the parts).
    `parts_out`, for tests, receives what each part loaded and the model built of it (the scan then
    runs in this process, and keeps them all)."""
    # Each part builds long-lived, acyclic data (Values, entities, findings): the cyclic collector
    # would only rescan it. What a part leaves in cycles is collected once it is done.
    with gc_paused(), scan_allowance():
        try:
            return _scan(options, progress, retain, parts_out)
        finally:
            gc.unfreeze()


@record(frozen=True)
class Part:
    """Units one loader reads together, needing nothing from any other part of the scan."""

    language: str
    units: tuple[Unit, ...]


@record
class PartResult:
    """What the scan keeps of a part: its findings (configured and marked by its directives), its
    directives and whether each covered a finding, and what the file accounting needs."""

    findings: list[Finding]
    uses: list[tuple[Directive, bool]]
    skipped: dict[str, str]
    failed: list[Diagnostic]
    units: int
    # Every file the part's loader read (resolved): a skipped variables file or policy read after all.
    read: set[str] = field(default_factory=set)
    # Module call address prefix -> the file of the call (pre-commit: what a changed call brings).
    module_calls: dict[str, str] = field(default_factory=dict)


# Loaders that read each unit on its own (a template needs nothing from another file).
_ALONE = frozenset({"cloudformation", "arm", "terraform-plan"})
# Units are handed to a loader at least this many files at a time (one call per template would
# cost more in calls than in reading); a part stays small enough for memory to follow it.
_PART_FILES = 24
# What a part evaluates at most, in files (a module read with two of its callers counts twice),
# when it takes more sets than `_PART_FILES` asks for.
_PART_WORK = 8 * _PART_FILES
# A part is full at this many bytes of files too, whatever their number: a large template holds
# ten times its size in memory once loaded (a 734 KB gateway-dense ARM template, about 7 MB).
_PART_BYTES = 2 * 1024 * 1024
# Units whose module calls one worker reads at a time (see `_module_calls`).
_GRAPH_UNITS = 64
# A scan of fewer bytes than this is not worth starting worker processes for.
_POOL_BYTES = 512 * 1024


def _scan(
    options: ScanOptions,
    progress: Callable[[int, int], None] | None,
    retain: list[Any] | None,
    parts_out: list[tuple[LoadResult, Any]] | None = None,
) -> ScanResult:
    roots = options.scan_roots()
    found: Discovery = discover(
        options.paths, _exclusions(options), files_mode=options.files_mode, roots=roots
    )
    rules = select_rules(load_rules(), options.select, options.ignore)
    if options.files_mode and found.only_files is not None and not found.read_anywhere:
        # Every Terraform directory and Bicep file was found for context; only the roots the
        # change can reach are evaluated. A changed policy XML may be read by any of them
        # (`file()`, `loadTextContent()`, through a path only evaluation tells): all are evaluated,
        # and the findings it causes have a related location in it.
        options = replace(options, focus=_with_templates(found.only_files, found.units, roots))
    parts = plan_parts(found.units, options)

    findings: list[Finding] = []
    uses: dict[Directive, bool] = {}
    skipped: dict[str, str] = {}
    failed: list[Diagnostic] = list(found.failed)
    read: set[str] = set()
    module_calls: dict[str, str] = {}
    done = 0
    work = partial(_scan_part, options=options, rules=rules, parts_out=parts_out)
    sizes = [sum(max(1, len(u.files)) for u in part.units) for part in parts]
    jobs = 1 if parts_out is not None else _jobs(options, parts)
    if jobs > 1:
        _preload({part.language for part in parts})
    for part in workers.run(work, parts, jobs, sizes):
        findings.extend(part.findings)
        for d, used in part.uses:
            uses[d] = uses.get(d, False) or used
        skipped.update(part.skipped)
        failed.extend(part.failed)
        read |= part.read
        module_calls.update(part.module_calls)
        done += part.units
        if progress:
            # A module read with two roots is counted in both parts.
            progress(min(done, len(found.units)), len(found.units))

    if options.files_mode:
        # The summary accounts for the files passed, not for the ones loaded to find callers
        # (every Terraform file of the repository): those are left out before being shown.
        given = {roots.real(p) for p in options.paths}

        def keep(path: str) -> bool:
            return roots.real(path) in given

        skipped = {p: reason for p, reason in skipped.items() if keep(p)}
        failed_given = [d for d in failed if keep(d.path)]
        records = _account_files(_kept(found, keep), skipped, failed_given, read, roots)
    else:
        records = _account_files(found, skipped, failed, read, roots)
    parse_rule = rules.get(PARSE_RULE)
    findings.extend(_configure([_parse_finding(d, parse_rule) for d in found.failed], options, rules))
    # A module loaded with two roots reports its unreadable regions in both parts: once is enough.
    findings = dedupe(findings)
    findings.extend(directive_notes(uses.items(), set(rules)))
    # The parts' findings are identified already: only the parse findings and notes made here.
    findings = identify(findings, options.paths or ["."])

    if found.only_files is not None:
        findings = _concerning(findings, found.only_files, module_calls)

    gone = 0
    if options.baseline:
        findings, gone = apply_baseline(findings, read_baseline(Path(options.baseline)), options.baseline)

    findings.sort(key=Finding.sort_key)
    if retain is not None:
        retain.append(found)
    files = sorted(records.values(), key=lambda r: r.path)
    return ScanResult(findings, files, rules, found.root, roots, gone)


def _exclusions(options: ScanOptions) -> Exclusions:
    groups = [(".", "--exclude", options.excludes)]
    if options.config_excludes:
        config = options.config_file or "."
        groups.append((os.path.dirname(config) or ".", f"exclude in {config}", options.config_excludes))
    return Exclusions(groups)


def _concerning(
    findings: list[Finding], files: frozenset[str], module_calls: dict[str, str]
) -> list[Finding]:
    """The findings a change to `files` (resolved paths) causes: located in one of them, about a
    resource of one of them, with a value that came from one (a variable's default, a tfvars line,
    a caller's module argument), or about a resource of a module called from one (a call added or
    changed there brings what the module declares)."""
    real: dict[str, str] = {}

    def inside(path: str) -> bool:
        r = real.get(path)
        if r is None:
            r = real[path] = os.path.realpath(path)
        return r in files

    called = tuple(prefix for prefix, path in module_calls.items() if inside(path))
    return [
        f for f in findings
        if inside(f.span.path)
        or (f.origin and inside(f.origin))
        or any(inside(r.span.path) for r in f.related)
        or (called and f.address.startswith(called))
        or _entry_file_changed(f.address, inside)
    ]


def _with_templates(changed: frozenset[str], units: list[Unit], roots: ScanRoots) -> frozenset[str]:
    """The changed files (resolved) and, for a changed `.bicepparam`, the Bicep files beside it:
    the loader reads a template's parameters from the `.bicepparam` files of its own folder (the
    one whose `using` names it), so a change there changes what one of them deploys. The files
    that the parameters file does not name are evaluated too, and report nothing it causes."""
    folders = {os.path.dirname(p) for p in changed if p.endswith(".bicepparam")}
    if not folders:
        return changed
    beside = (roots.real(u.path) for u in units if u.language == "bicep")
    return changed | {p for p in beside if os.path.dirname(p) in folders}


def _entry_file_changed(address: str, inside: Callable[[str], bool]) -> bool:
    """Whether the file an address starts with (`azure/main.bicep#module.gateway.apim`: the entry
    file whose module made the resource) is a changed one."""
    head, sep, _ = address.partition("#")
    return bool(sep and head) and os.path.isfile(head) and inside(head)


def plan_parts(units: list[Unit], options: ScanOptions) -> list[Part]:
    """The scan cut into parts, in the order of discovery per language: units a loader must see
    together (a Terraform root and the local modules it calls, a Bicep entry file and the module
    files it calls, transitively) stay in one part; a module called by two roots is read with each."""
    by_language: dict[str, list[Unit]] = {}
    for unit in units:
        by_language.setdefault(unit.language, []).append(unit)
    parts: list[Part] = []
    for language, group in by_language.items():
        calls: dict[str, set[str]] | None = None
        if language in _ALONE:
            sets = [[u] for u in group]
        elif sum(max(1, len(u.files)) for u in group) <= _PART_FILES:
            sets = [group]  # one part anyway: no need to find out what calls what
        else:
            calls = _module_calls(language, group, options)
            sets = [group] if calls is None else _grouped(group, calls, options.scan_roots().real)
        if options.focus is not None and language in _FOCUSED:
            sets = _reaching(language, sets, calls, options.focus, options.scan_roots().real)
        batch: dict[Unit, None] = {}
        size = work = data = 0
        for members in sets:
            new = [u for u in members if u not in batch]
            weight = sum(max(1, len(u.files)) for u in members)
            # A full part takes one more set only when the set is mostly read already (tests of
            # one Bicep module, each calling it: read once, not once per part), up to a bound on
            # what the part evaluates.
            full = size >= _PART_FILES or data >= _PART_BYTES
            if full and (2 * len(new) >= len(members) or work + weight > _PART_WORK):
                parts.append(Part(language, tuple(batch)))
                batch, size, work, data, new = {}, 0, 0, 0, members
            for u in new:
                batch[u] = None
                size += max(1, len(u.files))
                data += _bytes(u)
            work += weight
        if batch:
            parts.append(Part(language, tuple(batch)))
    return parts


def _bytes(unit: Unit) -> int:
    return sum(_size(f) for f in unit.files)


def _size(path: str | Path) -> int:
    """A file's size for planning (0 when it cannot be told: the loader reports why)."""
    try:
        return os.stat(path).st_size
    except (OSError, ValueError):
        return 0


# Languages whose loaders evaluate only what a change can reach (pre-commit, `--files`): the rest
# of their units are read only for the module calls that tell which units the change reaches.
_FOCUSED = frozenset({"terraform", "bicep"})


def _reaching(
    language: str,
    sets: list[list[Unit]],
    calls: dict[str, set[str]] | None,
    focus: frozenset[str],
    resolve: Callable[[str], str],
) -> list[list[Unit]]:
    """Pre-commit: the sets of units a change can reach; the others are not read at all (their
    module calls were all the scan needed of them). A set holds roots with every module they call:
    a Terraform set is reached when one of its directories holds a changed file, a Bicep set when
    one of its files, or a file one of them calls (a module outside the scan), is a changed file.
    Without `calls` (a scan too small to group) the Bicep loader finds the entry files itself.
    `resolve`: the scan's cached `os.path.realpath` (`ScanRoots.real`)."""
    if language == "terraform":
        places = {os.path.dirname(p) for p in focus}
        return [units for units in sets if any(resolve(u.path) in places for u in units)]
    if calls is None:
        return sets
    out = []
    for units in sets:
        reals = [resolve(u.path) for u in units]
        if any(r in focus or not focus.isdisjoint(calls.get(r, ())) for r in reals):
            out.append(units)
    return out


def _linked(language: str, units: list[Unit], options: ScanOptions) -> list[list[Unit]]:
    """Units that must be loaded together (see `_grouped`). A loader that cannot tell its calls
    (no `module_calls`) reads all its units at once."""
    calls = _module_calls(language, units, options)
    return [units] if calls is None else _grouped(units, calls)


def _module_calls(language: str, units: list[Unit], options: ScanOptions) -> dict[str, set[str]] | None:
    """What each unit calls (see `_grouped`), or None for a loader that cannot tell (no
    `module_calls`): it reads all its units at once. A scan big enough for workers reads the calls
    in them too (a few dozen units at a time): every file that may call a module is parsed."""
    try:
        module = _load_module(language)
        calls_of = getattr(module, "module_calls", None)
        if calls_of is None:
            return None
        given = loader_options(language, options)
        chunks = [units[i : i + _GRAPH_UNITS] for i in range(0, len(units), _GRAPH_UNITS)]
        jobs = _pool_size(options, len(chunks), (f for u in units for f in u.files))
        if jobs <= 1:
            found: dict[str, set[str]] = calls_of(units, given)
            return found
        found = {}
        # A scan big enough for workers here uses them for its parts too: what they will need is
        # imported while these run (see `_preload`), not after.
        preload = partial(_preload, {language})
        for calls in workers.run(partial(_calls_in, calls_of, given), chunks, jobs, meanwhile=preload):
            found.update(calls)
        return found
    except Exception as err:
        raise InternalError(f"{units[0].path}: {type(err).__name__}: {err}") from err


def _calls_in(
    calls_of: Callable[[list[Unit], LoaderOptions], dict[str, set[str]]],
    given: LoaderOptions,
    chunk: list[Unit],
    _more: bool,
) -> dict[str, set[str]]:
    return calls_of(chunk, given)


def _grouped(
    units: list[Unit], calls: dict[str, set[str]], resolve: Callable[[str], str] = os.path.realpath
) -> list[list[Unit]]:
    """Units that must be loaded together: each root with the units it calls, transitively, then
    (together) any left that no root reaches (modules calling each other). `calls`: by the real
    path of each unit, the real paths it calls; `resolve`: as `os.path.realpath`."""
    by_real: dict[str, Unit] = {}
    for u in units:
        by_real.setdefault(resolve(u.path), u)
    called = set().union(*calls.values()) if calls else set()
    out: list[list[Unit]] = []
    placed: set[Unit] = set()
    for real in by_real:
        if real in called:
            continue
        members = {real: None}
        todo = [real]
        while todo:
            for target in sorted(calls.get(todo.pop(), ())):
                if target in by_real and target not in members:
                    members[target] = None
                    todo.append(target)
        chosen = [by_real[m] for m in members]
        placed.update(chosen)
        out.append(chosen)
    left = [u for u in units if u not in placed]
    if left:
        out.append(left)
    return out


def _jobs(options: ScanOptions, parts: list[Part]) -> int:
    """Worker processes: as asked, or (`jobs` 0) the cores when the scan is big enough to pay for
    starting them."""
    return _pool_size(options, len(parts), (f for part in parts for unit in part.units for f in unit.files))


def _pool_size(options: ScanOptions, tasks: int, files: Iterable[Path]) -> int:
    """Worker processes for `tasks` pieces of work over `files`: as asked, or (`jobs` 0) the cores
    when the files are big enough to pay for starting them."""
    if options.jobs > 0 or tasks < 2:
        return max(1, options.jobs)
    cores = workers.available_cores()
    if cores < 2:
        return 1
    size = 0
    for f in files:
        size += _size(f)
        if size >= _POOL_BYTES:
            return min(cores, tasks)
    return 1


def _preload(languages: set[str]) -> None:
    """Import what every part will need before the workers are forked: imported once, shared by
    them all, instead of once in each worker."""
    import iaclint.checks
    from iaclint.model import adapters, derive

    iaclint.checks.registry()
    packages = ["iaclint.model.aws"]
    if languages & {"terraform", "terraform-plan", "cloudformation"}:
        adapters.readers("iaclint.model.aws")
    if languages & {"bicep", "arm"}:
        from iaclint.model.azure import registry

        registry.load_all()
        import iaclint.model.azure.azapi  # read by every Azure scope's adapter

        packages.append("iaclint.model.azure")
    derive.builders(tuple(packages))
    for language in languages:
        # A loader that imports its implementation on first use says how to import it now.
        preload = getattr(_load_module(language), "preload", None)
        if preload is not None:
            preload()


def _scan_part(
    part: Part,
    more: bool,
    options: ScanOptions,
    rules: dict[str, Rule],
    parts_out: list[tuple[LoadResult, Any]] | None = None,
) -> PartResult:
    result = _check_part(part, options, rules, parts_out)
    if more:
        # What the part built was freed by reference counting as `_check_part` returned (the
        # loader and the model release their cycles: tests/test_part_garbage.py). This collection
        # is the safety net for a cycle some input still makes: it walks only what survived the
        # part (findings, caches: a few hundred objects, under a millisecond), and what survives
        # is frozen so later collections skip it. After its last part a process exits.
        gc.collect()
        gc.freeze()
    return result


def _check_part(
    part: Part,
    options: ScanOptions,
    rules: dict[str, Rule],
    parts_out: list[tuple[LoadResult, Any]] | None = None,
) -> PartResult:
    loaded = _load(part.language, list(part.units), options)
    try:
        # Reading a value may evaluate it now (Bicep names, bodies and parameters are LazyValues).
        model = model_stage.build(loaded.resources)
        findings = list(run_checks(model.facts, rules, options.rule_params))
    except (EvaluationError, model_stage.AdaptError, CheckError) as err:
        raise InternalError(str(err)) from err
    except RecursionError as err:
        raise InternalError(f"model or checks nested too deeply: {err}") from err
    # After the model: values worked out while it was built (lazy Bicep bodies, modules bound
    # late) may have added diagnostics and spent budgets.
    diagnostics = [*loaded.diagnostics, *_spent_budgets(loaded)]
    parse_rule = rules.get(PARSE_RULE)
    findings.extend(_parse_finding(d, parse_rule) for d in diagnostics)
    findings = _configure(dedupe(findings), options, rules)
    real = options.scan_roots().real
    findings, uses = mark_directives(findings, loaded.directives, loaded.resources, real)
    # Identified here, in the worker, rather than in the scan process after every part is done
    # (serial time there): the scan identifies only the findings it makes itself.
    findings = identify(findings, options.paths or ["."])
    failed = [d for d in loaded.diagnostics if not d.partial]
    if parts_out is not None:
        parts_out.append((loaded, model))
    else:
        # Nothing reads the model or the resources now: the entities' links to one another and
        # unread lazy bodies (which refer to the loader's state) let go, so reference counting
        # frees the part when this returns (`tests/test_part_garbage.py`).
        model.release()
        loaded.release()
    read = {real(p) for p in loaded.all_files_read()}
    return PartResult(
        findings, uses, dict(loaded.skipped), failed, len(part.units), read, dict(loaded.module_calls)
    )


def _spent_budgets(loaded: LoadResult) -> list[Diagnostic]:
    """A unit whose whole evaluation allowance was spent is partly read: values past that point
    are unknown, so a violation in them could pass unseen. Said once per unit."""
    out = []
    for b in loaded.budgets:
        if b.exhausted is not None and b.unit:
            message = f"evaluation budget exceeded ({b.exhausted}); values evaluated after it are unknown"
            out.append(Diagnostic(b.unit, 1, 1, message, partial=True))
    return out


def _kept(found: Discovery, keep: Callable[[str], bool]) -> Discovery:
    """What `_account_files` needs of a discovery, for the files `keep` keeps only. Accounting
    matches a diagnostic with a unit file by the path shown (the directory resolved, the name kept),
    and two paths shown alike resolve alike, so `keep` keeps both or neither: the records of the
    files kept are the ones accounting everything would give them."""
    units = [replace(u, files=tuple(f for f in u.files if keep(str(f)))) for u in found.units]
    skipped = [s for s in found.skipped if keep(s[0])]
    return Discovery(found.root, units, skipped, unchecked=found.unchecked)


def _account_files(
    found: Discovery, skipped: dict[str, str], diagnostics: list[Diagnostic], read: set[str], roots: ScanRoots
) -> dict[str, FileRecord]:
    """Every file looked at, once: scanned, skipped with its reason, or failed. Loaders name files
    as they show them (`display_path`) and discovery as it found them, so both are compared as
    shown; a file that failed is never also counted as scanned. `read`: the files the loaders read,
    resolved (`roots.real`)."""
    from iaclint.source import display_path

    records = {
        path: FileRecord(path, "skipped", reason, path in found.unchecked) for path, reason in found.skipped
    }
    for path, entry in records.items():
        # A variables file given with --var-file, a policy a template loads, the parameters a
        # template reads: read after all.
        if entry.reason in READ_WITH_A_TEMPLATE and roots.real(path) in read:
            records[path] = FileRecord(path, "scanned")
    for path, reason in skipped.items():
        records[path] = FileRecord(path, "skipped", reason)
    failed: dict[str, str] = {}
    for d in diagnostics:
        if not d.partial:
            failed.setdefault(display_path(d.path), d.message)
    accounted: set[str] = set()
    for unit in found.units:
        for f in unit.files:
            p = str(f)
            if p in records:
                continue
            reason = None
            if failed:
                # Shown as the diagnostics name them; with no file failed, nothing to compare.
                shown = display_path(p)
                accounted.add(shown)
                reason = failed.get(shown)
            records[p] = FileRecord(p, "scanned" if reason is None else "failed", reason or "")
    for d in diagnostics:
        if not d.partial and display_path(d.path) not in accounted and d.path not in records:
            accounted.add(display_path(d.path))
            records[d.path] = FileRecord(d.path, "failed", d.message)
    return records


def _configure(findings: list[Finding], options: ScanOptions, rules: dict[str, Rule]) -> list[Finding]:
    """Apply the configuration's level overrides, unknown-value policy and per-path ignores."""
    import fnmatch

    from iaclint.source import display_path

    out = []
    for f in findings:
        if options.per_path_ignores:
            shown = display_path(f.span.path)
            rule = rules.get(f.rule_id)
            if any(
                fnmatch.fnmatch(shown, glob) and rule is not None and _matches(rule, ids)
                for glob, ids in options.per_path_ignores.items()
            ):
                continue
        if f.unknown:
            if options.unknown == "ignore":
                continue
            if options.unknown == "warning":
                f = f.with_level(Level.WARNING)
        elif f.rule_id in options.severity:
            f = f.with_level(options.severity[f.rule_id])
        out.append(f)
    return out


def exit_code(result: ScanResult, threshold: Level) -> int:
    for f in result.active:
        # A file that could not be read fails the scan whatever the threshold; a note of what was
        # left unread (a module not installed) does not.
        if (f.rule_id == PARSE_RULE and f.level is not Level.NOTE) or f.level.rank >= threshold.rank:
            return 1
    return 0
