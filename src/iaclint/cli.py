"""Command line: `iaclint scan`, `iaclint rules`, `iaclint explain`.

Exit codes: 0 no finding at or above the threshold; 1 findings at or above it, or files that could not
be read; 2 usage or configuration error, or an internal error (one line naming the file; the
traceback only with --debug).

Files named on the command line (`--var-file`, `--parameter-file`, `--config`, `--baseline`) are the
user's choice and read wherever they are, but through the guarded reader: a FIFO, a directory or
`/dev/zero` is a one-line error naming the option and the file, never a hang or a flood. Every error
is one line: file names and messages from the input are shown with control characters escaped.
"""

from __future__ import annotations

import errno
import gc
import importlib
import os
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from iaclint import __version__

if TYPE_CHECKING:
    from iaclint.config import Config
    from iaclint.engine import ScanOptions
    from iaclint.findings import Level
    from iaclint.result import ScanResult

FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab")
COLORS = ("auto", "always", "never")
LEVELS = ("error", "warning", "note")
# A longer word in an error message (a path, usually) is shown by its two ends.
_LONGEST_WORD = 240
# The parameter types of every path argument and option, made once: each click.Path looks its name
# up with gettext, which searches the locale directories for a catalogue on every call.
_PATH = click.Path()
_FILE = click.Path(dir_okay=False)


def one_line(text: str) -> str:
    """`text` fit for a one-line message: line breaks and other control characters escaped, bytes
    that were not UTF-8 in a file name (surrogate escapes) shown as `\\xNN`, long words cut."""
    out: list[str] = []
    for ch in text:
        if "\udc80" <= ch <= "\udcff":
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cs", "Cf", "Zl", "Zp"):
            out.append(ascii(ch)[1:-1])
        else:
            out.append(ch)
    words = "".join(out).split(" ")
    half = _LONGEST_WORD // 2 - 1
    return " ".join(w if len(w) <= _LONGEST_WORD else f"{w[:half]}…{w[-half:]}" for w in words)


class Failure(click.ClickException):
    """A usage, configuration or environment error: `Error: <one line>` on stderr, exit code 2."""

    exit_code = 2

    def format_message(self) -> str:
        return one_line(self.message)


def _user_file(path: str, option: str) -> bytes:
    """The bytes of a file named with `option`: the user's choice, so read wherever it is, but only
    a regular file and at most the size limit."""
    from iaclint.fileaccess import ReadRefused, read_bytes

    try:
        return read_bytes(path, roots=None)
    except ReadRefused as err:
        raise Failure(f"{option} {path}: {err.reason}") from None


def _check_paths(paths: tuple[str, ...]) -> None:
    """PATHS the system cannot look up (longer than it allows) or that do not exist are usage
    errors, said with the usage line; a link to a missing file is left to the scan, which reports
    it as a file that could not be read."""
    for path in paths:
        try:
            os.stat(path)
        except OSError as err:
            if err.errno == errno.ENAMETOOLONG:
                raise Failure(f"{path}: {err.strerror}") from None
            if err.errno == errno.ENOENT and not os.path.islink(path):
                raise click.BadParameter(
                    f"{one_line(path)}: no such file or directory", param_hint="'[PATHS]...'"
                ) from None
        except ValueError as err:
            raise Failure(f"{path}: {err}") from None


def _say_if_nothing_found(result: ScanResult, paths: tuple[str, ...], files_mode: bool) -> None:
    """A scan that found no infrastructure file at all says so on stderr (the exit code stays 0:
    nothing is wrong, but nothing was checked either)."""
    counts = result.counts()
    if files_mode or counts["scanned"] or counts["failed"]:
        return
    where = ", ".join(one_line(p) for p in paths) or "."
    click.echo(
        f"iaclint: no infrastructure files (Terraform, CloudFormation/SAM, Bicep, ARM) found in {where};"
        " nothing was checked",
        err=True,
    )


def _echo(text: str) -> None:
    """Write to standard output; a stream that cannot take it (a full disk) is one line on stderr
    and exit code 2. A closed pipe (`| head`) is left to click, which ends quietly."""
    try:
        click.echo(text, nl=False)
    except OSError as err:
        if err.errno == errno.EPIPE:
            raise
        raise Failure(f"cannot write to standard output: {err.strerror or err}") from None


def _split(values: tuple[str, ...]) -> list[str]:
    """Options given repeatedly or comma-separated: `--select IAC101,IAC2 --select waf`."""
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _parse_assignments(values: tuple[str, ...], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint=option)
        out[name.strip()] = value
    return out


def _rule_params(values: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """`--rule-param RULE.NAME=VALUE` options, each checked against the rule pack: an unknown rule,
    parameter or value is a usage error naming it (as it is in the configuration file)."""
    from iaclint.config import ParameterError, check_parameter, suggestion
    from iaclint.rules import load_rules

    pack = load_rules()
    params: dict[str, dict[str, str]] = {}
    for key, value in _parse_assignments(values, "--rule-param").items():
        rule_id, dot, name = key.partition(".")
        if not dot or not name:
            raise click.BadParameter(f"expected RULE.PARAMETER=VALUE, got {key!r}", param_hint="--rule-param")
        rule = pack.get(rule_id.strip().upper())
        if rule is None:
            raise Failure(f"--rule-param {key}={value}: no such rule {rule_id!r}{suggestion(rule_id, pack)}")
        try:
            checked = check_parameter(rule, name.strip(), value)
        except ParameterError as err:
            raise Failure(f"--rule-param {key}={value}: {err}") from None
        params.setdefault(rule.id, {})[name.strip()] = checked
    return params


def _selection(option: str, values: tuple[str, ...]) -> list[str]:
    """`--select`/`--ignore` values resolved against the rule pack; a selector that names no rule
    is a usage error with the nearest spelling."""
    from iaclint.config import SelectorError, resolve_selectors
    from iaclint.rules import load_rules

    try:
        return resolve_selectors(_split(values), load_rules())
    except SelectorError as err:
        raise Failure(f"{option}: {err}") from None


def _check_selection(select: list[str], ignore: list[str]) -> None:
    """A selection that leaves no rule to run is a mistake, not a clean scan. The parse rules,
    which run with any selection, count only when they were asked for by name."""
    from iaclint.engine import select_rules
    from iaclint.rules import load_rules

    def named(rule_id: str, rule_name: str, category: str) -> bool:
        return any(rule_id.startswith(s) or s in (rule_name, category) for s in select)

    chosen = select_rules(load_rules(), select, ignore)
    if not [r for r in chosen.values() if r.category != "parse" or named(r.id, r.name, r.category)]:
        given = (("select", select), ("ignore", ignore))
        shown = "; ".join(f"{name} {', '.join(values)}" for name, values in given if values)
        raise Failure(f"no rule left to run ({shown}); `iaclint rules --all` lists them")


def _options(
    paths: tuple[str, ...],
    config_file: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    severity_threshold: str | None,
    exclude: tuple[str, ...],
    var_files: tuple[str, ...],
    variables: tuple[str, ...],
    rule_params: tuple[str, ...],
    files_mode: bool,
    jobs: int,
) -> tuple[ScanOptions, str, Config]:
    """Scan options from the configuration file and the command line (which wins), the severity
    threshold, and the configuration (read once: the reports take their settings from it too)."""
    from iaclint.engine import ScanOptions

    _check_paths(paths)
    for var_file in var_files:
        _user_file(var_file, "--var-file")
    cfg = _config(config_file, paths)
    params = {rule: dict(values) for rule, values in cfg.parameters.items()}
    for rule, values in _rule_params(rule_params).items():
        params.setdefault(rule, {}).update(values)
    options = ScanOptions(
        paths=list(paths) or ["."],
        excludes=list(exclude),
        config_excludes=cfg.exclude,
        config_file=_shown(cfg.path),
        select=_selection("--select", select) or cfg.select,
        ignore=_selection("--ignore", ignore) or cfg.ignore,
        files_mode=files_mode,
        var_files=list(var_files),
        config_var_files=cfg.var_files,
        variables=_parse_assignments(variables, "--var"),
        rule_params=params,
        jobs=jobs,
        severity=cfg.severity,
        unknown=cfg.unknown,
        per_path_ignores=cfg.per_path_ignores,
    )
    _check_selection(options.select, options.ignore)
    return options, severity_threshold or cfg.severity_threshold or "warning", cfg


def _shown(path: Path | None) -> str | None:
    """A configuration file's path as reports show it (relative to the working directory)."""
    from iaclint.source import display_path

    return display_path(path) if path is not None else None


def _route_parameter_files(options: ScanOptions, files: tuple[str, ...]) -> None:
    """Each parameter file goes to the loader of its format, told by content where the name is silent."""
    import json

    for name in files:
        data = _user_file(name, "--parameter-file")
        if Path(name).suffix == ".bicepparam":
            options.bicep_parameter_files.append(name)
            continue
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except RecursionError:
            raise Failure(f"--parameter-file {name}: not a JSON parameter file (nested too deeply)") from None
        except ValueError as err:  # not UTF-8, not JSON, or a number past Python's digit limit
            raise Failure(f"--parameter-file {name}: not a JSON parameter file ({err})") from None
        schema = doc.get("$schema", "") if isinstance(doc, dict) else ""
        if isinstance(schema, str) and "deploymentparameters" in schema.lower():
            options.arm_parameter_files.append(name)
        else:
            options.cfn_parameter_files.append(name)


def _run(options: ScanOptions, debug: bool) -> ScanResult:
    """Run a scan; internal errors become one line and exit code 2."""
    from iaclint.discover import PatternError
    from iaclint.engine import InternalError
    from iaclint.engine import scan as run_scan
    from iaclint.rules import RuleError
    from iaclint.suppress import BaselineError

    progress = _Progress()
    try:
        # Under `run` the process ends with os._exit: what the scan built is kept, not freed.
        return run_scan(options, progress=progress, retain=_KEPT if _HARD_EXIT else None)
    except RuleError as err:
        raise Failure(f"invalid rule pack: {err}") from None
    except PatternError as err:
        raise click.UsageError(str(err)) from None
    except BaselineError as err:
        raise Failure(f"--baseline {err}") from None
    except InternalError as err:
        progress.close()
        if debug:
            raise
        click.echo(f"iaclint: internal error: {one_line(str(err))}", err=True)
        sys.exit(2)
    finally:
        progress.close()


def _config(config_file: str | None, paths: tuple[str, ...]) -> Config:
    """The configuration in force: the file given (read wherever it is), or the nearest one above
    the first path (committed with the code: read only inside the scan roots or where it lies)."""
    from iaclint.config import Config, ConfigError, committed_roots, find_config, load_config
    from iaclint.fileaccess import ScanRoots
    from iaclint.rules import load_rules

    try:
        if config_file:
            return load_config(Path(config_file), load_rules(), roots=None)
        roots = ScanRoots.for_paths(paths or ["."])
        path = find_config(Path(paths[0] if paths else "."), roots)
        if path is None:
            return Config()
        return load_config(path, load_rules(), roots=committed_roots(path, roots))
    except ConfigError as err:
        raise Failure(f"--config {err}" if config_file else str(err)) from None


def _use_color(stream: object, choice: str = "auto") -> bool:
    """Colour for the text report: `--color always|never` decides; else NO_COLOR (any value) turns
    it off and FORCE_COLOR (any value but empty or 0) on; else only on a terminal that is not dumb."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class _Progress:
    """A one-line counter on stderr, only on a terminal and only for scans worth watching."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < 50:
            return
        self.shown = True
        sys.stderr.write(f"\riaclint: {done}/{total} units loaded")
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


# Set by `run`: the process will end with os._exit, so a scan's intermediate data is kept in `_KEPT`.
_HARD_EXIT = False
_KEPT: list[object] = []


def run() -> None:
    """The `iaclint` command and `python -m iaclint`: `main`, then an exit that frees nothing.

    A large scan leaves hundreds of MB of small objects; freeing them one by one as the interpreter
    shuts down took as long as a fifth of the scan (0.9 s after 11 MB of Bicep). Once the output is
    flushed nothing is left to do, so the process ends at once (as mypy's does). Callers in the
    same process (tests, CliRunner) use `main` and get ordinary exits.
    """
    global _HARD_EXIT
    _HARD_EXIT = True
    try:
        main.main(prog_name="iaclint")
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    except OSError as err:
        # An error message that could not be written either (stderr on a full disk too).
        if "--debug" in sys.argv:
            raise
        _last_word(f"iaclint: error: {one_line(err.strerror or str(err))}")
        code = 2
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            code = code or 1  # standard output closed early (a pipe to `head`): nothing more to say
        except (OSError, ValueError) as err:
            # Output that did not fit (a full disk) is an environment error.
            _last_word(f"iaclint: error: cannot write output: {getattr(err, 'strerror', None) or err}")
            code = 2
    os._exit(code)


def _last_word(text: str) -> None:
    """One line on stderr if stderr can still take it."""
    try:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="iaclint")
def main() -> None:
    """Check API gateways in Terraform, CloudFormation, Bicep and ARM against the API payload
    encryption standard."""


@main.command()
@click.argument("paths", nargs=-1, type=_PATH)
@click.option("-f", "--format", "formats", multiple=True, type=click.Choice(FORMATS),
              help="Output format; repeat with one --output each to write several reports.")
@click.option("-o", "--output", "outputs", multiple=True, type=_FILE,
              help="Write the report to FILE (one per --format, in order).")
@click.option("--select", multiple=True, help="Run only these rules (ids, id prefixes, names or categories).")
@click.option("--ignore", multiple=True, help="Skip these rules (ids, id prefixes, names or categories).")
@click.option("--severity-threshold", type=click.Choice(LEVELS), default=None,
              help="Lowest finding level that makes the exit code 1 (default: warning).")
@click.option("--config", "config_file", type=_PATH,
              help="Configuration file (default: nearest .iaclint.toml or pyproject.toml [tool.iaclint]).")
@click.option("--baseline", type=_PATH,
              help="Report only findings not recorded in this baseline (see `iaclint baseline`).")
@click.option("--exclude", multiple=True,
              help="Paths to skip, as .gitignore patterns from the working directory (repeatable).")
@click.option("--var-file", "var_files", multiple=True, type=_PATH,
              help="Terraform variables file for the root modules (repeatable).")
@click.option("--var", "variables", multiple=True, help="Terraform variable NAME=VALUE (repeatable).")
@click.option("--parameter", "parameters", multiple=True,
              help="CloudFormation parameter KEY=VALUE (repeatable; wins over files and defaults).")
@click.option("--parameter-file", "parameter_files", multiple=True, type=_PATH,
              help="Template parameter file: CloudFormation JSON, ARM *.parameters.json or .bicepparam.")
@click.option("--rule-param", "rule_params", multiple=True,
              help="Rule parameter RULE.NAME=VALUE, e.g. IAC101.minimum=1.3 (repeatable).")
@click.option("--files", "files_mode", is_flag=True,
              help="PATHS are files (pre-commit): load each file's unit, report only findings in them.")
@click.option("--jobs", type=click.IntRange(min=0), default=0,
              help="Worker processes (default 0: one per core when the scan is big enough; 1: none).")
@click.option("-v", "--verbose", is_flag=True, help="Also list skipped files and why.")
@click.option("-q", "--quiet", is_flag=True,
              help="Text report: findings only, no summary; nothing at all when there are none.")
@click.option("--exit-zero", is_flag=True,
              help="Exit 0 even when findings are reported (2 still means a usage error).")
@click.option("--color", "color", type=click.Choice(COLORS), default="auto", show_default=True,
              help="Colour in the text report (auto: on a terminal; NO_COLOR and FORCE_COLOR are honoured).")
@click.option("--sarif-category", metavar="NAME",
              help="SARIF automationDetails.id (code scanning category); left out unless given.")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
def scan(
    paths: tuple[str, ...],
    formats: tuple[str, ...],
    outputs: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    severity_threshold: str | None,
    config_file: str | None,
    baseline: str | None,
    exclude: tuple[str, ...],
    var_files: tuple[str, ...],
    variables: tuple[str, ...],
    parameters: tuple[str, ...],
    parameter_files: tuple[str, ...],
    rule_params: tuple[str, ...],
    files_mode: bool,
    jobs: int,
    verbose: bool,
    quiet: bool,
    exit_zero: bool,
    color: str,
    sarif_category: str | None,
    debug: bool,
) -> None:
    """Scan PATHS (default: the current directory)."""
    if _HARD_EXIT:
        # A process that ends with os._exit frees nothing: the collector would only walk the
        # modules this command imports (0.7% of a one-file scan), so it is off from the start.
        # The entry point (`iaclint.__main__.run`) turned it off before any import already; this
        # is for `run` called by an older console script.
        gc.disable()
    from iaclint.engine import exit_code
    from iaclint.findings import Level

    fmts = list(formats) or ["text"]
    if len(outputs) > len(fmts) or len(fmts) - len(outputs) > 1:
        raise click.UsageError("give one --output per --format (one format may go to standard output)")
    targets: list[str | None] = [*outputs, *([None] * (len(fmts) - len(outputs)))]

    if baseline:
        from iaclint.suppress import BaselineError, read_baseline

        try:
            read_baseline(Path(baseline))  # read again by the scan; a bad file fails before it
        except BaselineError as err:
            raise Failure(f"--baseline {err}") from None
    options, threshold, cfg = _options(
        paths, config_file, select, ignore, severity_threshold, exclude, var_files, variables,
        rule_params, files_mode, jobs,
    )
    options.baseline = baseline
    options.cfn_parameters = _parse_assignments(parameters, "--parameter")
    _route_parameter_files(options, parameter_files)
    # The process ends after the reports: the collector would only walk what the scan built (the
    # model's back-references make it look cyclic), so it stays off for this command.
    gc.disable()
    result = _run(options, debug)
    _say_if_nothing_found(result, paths, files_mode)

    report = {
        "verbose": verbose,
        "quiet": quiet,
        "color": color,
        "category": sarif_category or cfg.sarif_category,
        "levels": _configured_levels(options),
    }
    for fmt, target in zip(fmts, targets, strict=True):
        _write_report(fmt, target, result, report)
    sys.exit(0 if exit_zero else exit_code(result, Level(threshold)))


def _configured_levels(options: ScanOptions) -> dict[str, Level]:
    """Rule levels the configuration changes: `severity` overrides, and a rule's `level` parameter."""
    from iaclint.findings import Level

    levels = {rule_id: Level(v["level"]) for rule_id, v in options.rule_params.items() if "level" in v}
    levels.update(options.severity)
    return levels


def _write_report(fmt: str, target: str | None, result: ScanResult, extras: dict[str, object]) -> None:
    """One report: to standard output (`target` None) or to a file; each format takes the extras
    its `render` accepts (`verbose` for text, `category` and `levels` for SARIF)."""
    import inspect

    from iaclint.report.jsontext import Unsupported

    module = importlib.import_module(f"iaclint.report.{fmt}")
    accepted = inspect.signature(module.render).parameters
    kwargs = {k: v for k, v in extras.items() if k in accepted and k != "color"}
    if target is None:
        color = fmt == "text" and _use_color(sys.stdout, str(extras.get("color", "auto")))
        _echo(module.render(result, color=color, **kwargs))
        return
    try:
        streamed = getattr(module, "write", None)
        if streamed is None:
            Path(target).write_text(module.render(result, color=False, **kwargs), encoding="utf-8")
            return
        with open(target, "wb") as fh:
            try:
                streamed(result, lambda text: fh.write(text.encode("utf-8")), **kwargs)
            except (UnicodeEncodeError, Unsupported):
                # Something `render` writes another way (a lone surrogate, an unusual value): the
                # file is started again with what `render` gives.
                fh.seek(0)
                fh.truncate()
                fh.write(module.render(result, color=False, **kwargs).encode("utf-8"))
    except OSError as err:
        raise Failure(f"--output {target}: cannot write: {err.strerror or err}") from None


@main.group()
def baseline() -> None:
    """Record current findings so later scans (`scan --baseline FILE`) report only new ones."""


def _scan_inputs(command: Callable[..., None]) -> Callable[..., None]:
    """The options that decide what a scan finds, for commands other than `scan` that scan
    (`baseline create`): the same selection and inputs, so a baseline records what `scan` reports."""
    options = [
        click.option("--config", "config_file", type=_PATH,
                     help="Configuration file (default: the nearest one, as for scan)."),
        click.option("--select", multiple=True, help="Run only these rules (as for scan)."),
        click.option("--ignore", multiple=True, help="Skip these rules (as for scan)."),
        click.option("--exclude", multiple=True, help="Glob of paths to skip (repeatable)."),
        click.option("--var-file", "var_files", multiple=True, type=_PATH,
                     help="Terraform variables file for the root modules (repeatable)."),
        click.option("--var", "variables", multiple=True, help="Terraform variable NAME=VALUE (repeatable)."),
        click.option("--parameter", "parameters", multiple=True,
                     help="CloudFormation parameter KEY=VALUE (repeatable; wins over files and defaults)."),
        click.option("--parameter-file", "parameter_files", multiple=True, type=_PATH,
                     help="Template parameter file (CloudFormation, ARM or .bicepparam)."),
        click.option("--rule-param", "rule_params", multiple=True,
                     help="Rule parameter RULE.NAME=VALUE, e.g. IAC101.minimum=1.3 (repeatable)."),
        click.option("--files", "files_mode", is_flag=True,
                     help="PATHS are files: load each file's unit, record only findings in them."),
        click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Worker processes for loading: languages present load in parallel."),
        click.option("--debug", is_flag=True, help="Show a traceback on internal errors."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@baseline.command("create")
@click.argument("file", type=_FILE)
@click.argument("paths", nargs=-1, type=_PATH)
@_scan_inputs
def baseline_create(
    file: str,
    paths: tuple[str, ...],
    config_file: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    var_files: tuple[str, ...],
    variables: tuple[str, ...],
    parameters: tuple[str, ...],
    parameter_files: tuple[str, ...],
    rule_params: tuple[str, ...],
    files_mode: bool,
    jobs: int,
    debug: bool,
) -> None:
    """Scan PATHS (default: the current directory) as `scan` does and write their findings to FILE."""
    from iaclint.report.summary import plural
    from iaclint.suppress import write_baseline

    options, _, _ = _options(
        paths, config_file, select, ignore, None, exclude, var_files, variables, rule_params, files_mode, jobs
    )
    options.cfn_parameters = _parse_assignments(parameters, "--parameter")
    _route_parameter_files(options, parameter_files)
    result = _run(options, debug=debug)
    try:
        count = write_baseline(result.findings, Path(file))
    except OSError as err:
        raise Failure(f"cannot write {file}: {err.strerror or err}") from None
    _echo(f"Recorded {plural(count, 'finding')} in {one_line(file)}.\n")


@main.command("config")
@click.argument("path", required=False, type=_PATH)
@click.option("--config", "config_file", type=_PATH, help="Configuration file to read.")
def show_config(path: str | None, config_file: str | None) -> None:
    """Print the effective configuration for PATH (default: the current directory)."""
    import json

    cfg = _config(config_file, (path,) if path else ())
    _echo(json.dumps(cfg.as_dict(), indent=2) + "\n")


@main.command()
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Include opt-in rules that are disabled by default.")
def rules(fmt: str, show_all: bool) -> None:
    """List the rule pack: id, category, severity and title."""
    import json

    from iaclint.rules import load_rules

    pack = [r for r in load_rules().values() if show_all or r.enabled]
    if fmt == "json":
        click.echo(json.dumps([
            {"id": r.id, "name": r.name, "category": r.category, "severity": r.severity.value,
             "security-severity": r.security_severity, "standard": list(r.standard), "enabled": r.enabled,
             "title": r.title}
            for r in pack
        ], indent=2))
        return
    width = max((len(r.name) for r in pack), default=4)
    click.echo(f"{'ID':<7} {'CATEGORY':<17} {'SEVERITY':<8} {'NAME':<{width}}  TITLE")
    for r in pack:
        opt = " (opt-in)" if not r.enabled else ""
        click.echo(f"{r.id:<7} {r.category:<17} {r.severity.value:<8} {r.name:<{width}}  {r.title}{opt}")


@main.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Print a rule's documentation: the clauses of the standard it enforces, why it matters and
    how to fix it in each language (RULE_ID: an id or a rule name)."""
    from iaclint.rules import load_rules

    pack = load_rules()
    rule = pack.get(rule_id.upper()) or next((r for r in pack.values() if r.name == rule_id), None)
    if rule is None:
        from iaclint.config import suggestion

        raise click.UsageError(f"no rule {rule_id!r}{suggestion(rule_id, pack)}")
    from iaclint.helptext import explain as render_explain

    _echo(render_explain(rule))
