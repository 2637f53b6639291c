"""The pipeline, one way: discover → load → model → checks → findings. Reports read the result."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from iaclint import model as model_stage
from iaclint.budget import scan_allowance
from iaclint.checks import CheckError, run_checks
from iaclint.discover import NOT_AUTOMATIC_TFVARS, UNREFERENCED_XML, Discovery, Exclusions, Unit, discover
from iaclint.fileaccess import ScanRoots
from iaclint.findings import PARSE_RULE, Finding, Level, dedupe, identify
from iaclint.lang import gc_paused
from iaclint.lang.options import (
    ArmOptions,
    BicepOptions,
    CloudFormationOptions,
    LoaderOptions,
    PlanOptions,
    TerraformOptions,
)
from iaclint.resources import Diagnostic, LoadResult
from iaclint.result import FileRecord, ScanResult
from iaclint.rules import Rule, load_rules
from iaclint.source import Span
from iaclint.suppress import apply_baseline, apply_directives, read_baseline
from iaclint.values import EvaluationError

# language → module exposing `load(units, options) -> LoadResult`; imported only when needed.
LOADERS = {
    "terraform": "iaclint.lang.terraform",
    "terraform-plan": "iaclint.lang.terraform.plan",
    "cloudformation": "iaclint.lang.cloudformation",
    "bicep": "iaclint.lang.bicep",
    "arm": "iaclint.lang.arm",
}


@dataclass(slots=True)
class ScanOptions:
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
    roots = options.scan_roots()
    if language == "terraform":
        return TerraformOptions(
            roots, dict(options.variables), tuple(options.var_files), tuple(options.config_var_files),
            None if options.focus is None else frozenset(os.path.dirname(p) for p in options.focus),
        )
    if language == "terraform-plan":
        return PlanOptions(roots)
    if language == "cloudformation":
        return CloudFormationOptions(roots, dict(options.cfn_parameters), tuple(options.cfn_parameter_files))
    if language == "bicep":
        return BicepOptions(roots, tuple(options.bicep_parameter_files), options.focus)
    if language == "arm":
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
) -> ScanResult:
    """Run the pipeline. `retain`, when given, receives what the stages built on the way (the
    resources, the model) instead of their being freed as the scan returns: a caller about to exit
    saves freeing them one by one (0.9 s after 11 MB of Bicep)."""
    # The whole pipeline builds long-lived, acyclic data (Values, entities, findings): the cyclic
    # collector would only rescan it.
    with gc_paused(), scan_allowance():
        return _scan(options, progress, retain)


def _scan(
    options: ScanOptions, progress: Callable[[int, int], None] | None, retain: list[Any] | None
) -> ScanResult:
    roots = options.scan_roots()
    found: Discovery = discover(
        options.paths, _exclusions(options), files_mode=options.files_mode, roots=roots
    )
    rules = select_rules(load_rules(), options.select, options.ignore)
    if options.files_mode and found.only_files is not None:
        # Every Terraform directory and Bicep file was found for context; only the roots the
        # change can reach are evaluated.
        options = replace(options, focus=found.only_files)

    loaded = _load_all(found.units, options, progress)

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
    diagnostics = [*found.failed, *loaded.diagnostics]
    records = _account_files(found, loaded, diagnostics)
    if options.files_mode:
        # The summary accounts for the files passed, not for the ones loaded to find callers.
        given = {os.path.realpath(p) for p in options.paths}
        records = {p: r for p, r in records.items() if os.path.realpath(p) in given}
    diagnostics.extend(_spent_budgets(loaded))
    parse_rule = rules.get(PARSE_RULE)
    findings.extend(_parse_finding(d, parse_rule) for d in diagnostics)
    findings = _configure(dedupe(findings), options, rules)
    findings = apply_directives(findings, loaded.directives, loaded.resources, set(rules))
    findings = identify(findings, options.paths or ["."])

    if found.only_files is not None:
        findings = _concerning(findings, found.only_files, loaded.module_calls)

    gone = 0
    if options.baseline:
        findings, gone = apply_baseline(findings, read_baseline(Path(options.baseline)), options.baseline)

    findings.sort(key=Finding.sort_key)
    if retain is not None:
        retain.extend((found, loaded, model))
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


def _entry_file_changed(address: str, inside: Callable[[str], bool]) -> bool:
    """Whether the file an address starts with (`azure/main.bicep#module.gateway.apim`: the entry
    file whose module made the resource) is a changed one."""
    head, sep, _ = address.partition("#")
    return bool(sep and head) and os.path.isfile(head) and inside(head)


def _load_all(
    units: list[Unit], options: ScanOptions, progress: Callable[[int, int], None] | None
) -> LoadResult:
    """Every unit through its language's loader; languages in parallel when --jobs allows."""
    groups: dict[str, list[Unit]] = {}
    for unit in units:
        groups.setdefault(unit.language, []).append(unit)
    loaded = LoadResult()
    done = 0

    def add(result: LoadResult, count: int) -> None:
        nonlocal done
        loaded.extend(result)
        done += count
        if progress:
            progress(done, len(units))

    if options.jobs > 1 and len(groups) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(options.jobs, len(groups))) as pool:
            futures = [(g, pool.submit(_load, language, g, options)) for language, g in groups.items()]
            for group, future in futures:
                add(future.result(), len(group))
    else:
        for language, group in groups.items():
            add(_load(language, group, options), len(group))
    return loaded


def _spent_budgets(loaded: LoadResult) -> list[Diagnostic]:
    """A unit whose whole evaluation allowance was spent is partly read: values past that point
    are unknown, so a violation in them could pass unseen. Said once per unit."""
    out = []
    for b in loaded.budgets:
        if b.exhausted is not None and b.unit:
            message = f"evaluation budget exceeded ({b.exhausted}); values evaluated after it are unknown"
            out.append(Diagnostic(b.unit, 1, 1, message, partial=True))
    return out


def _account_files(
    found: Discovery, loaded: LoadResult, diagnostics: list[Diagnostic]
) -> dict[str, FileRecord]:
    """Every file looked at, once: scanned, skipped with its reason, or failed. Loaders name files
    as they show them (`display_path`) and discovery as it found them, so both are compared as
    shown; a file that failed is never also counted as scanned."""
    from iaclint.source import display_path

    read = {os.path.realpath(p) for p in loaded.all_files_read()}
    records = {
        path: FileRecord(path, "skipped", reason, path in found.unchecked) for path, reason in found.skipped
    }
    for path, record in records.items():
        # A variables file given with --var-file, a policy a template loads: read after all.
        if record.reason in (NOT_AUTOMATIC_TFVARS, UNREFERENCED_XML) and os.path.realpath(path) in read:
            records[path] = FileRecord(path, "scanned")
    for path, reason in loaded.skipped.items():
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
