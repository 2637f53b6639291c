"""CloudFormation and SAM templates (YAML or JSON, including CDK's `cdk.out/*.template.json`).

`load(units, options)` reads each template file, decides by content whether it is a template at all
(discovery sends every YAML file here), evaluates parameters, conditions and intrinsic functions, and
emits one `Resource` per resource whose condition is not known to be false. Raw decoding lives in
`decode`, evaluation in `evaluate`, SAM Globals in `sam`.

Templates are untrusted: each is read through `fileaccess.read_bytes` (inside the scan roots, a
regular file, bounded while reading) and evaluated under a `Budget` of its own; a parameter, a
resource property or a condition the budget cannot afford is unknown with the note, and the rest
of the template goes on. Parameter files named on the command line are the user's choice (read
wherever they are), still regular files and bounded. Nothing else is read: a SAM `CodeUri` or
`DefinitionUri` naming a local file stays a name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from iaclint.budget import LIMITS, Budget, BudgetExceeded, Limits, exceeded_note
from iaclint.fileaccess import ReadRefused, ScanRoots, read_bytes
from iaclint.lang import gc_paused
from iaclint.lang.cloudformation.decode import DecodeError, decode
from iaclint.lang.cloudformation.directives import comment_directives, metadata_directives
from iaclint.lang.cloudformation.evaluate import Evaluator, is_intrinsic, members_before
from iaclint.lang.cloudformation.sam import (
    IMPLICIT_APIS,
    globals_by_type,
    implicit_api_body,
    implicit_api_events,
    is_sam,
    merge,
)
from iaclint.lang.jsonpos import JsonError, parse_json
from iaclint.lang.options import CloudFormationOptions, roots_for
from iaclint.resources import Diagnostic, LoadResult, Resource
from iaclint.source import SourceText, Span, display_path
from iaclint.values import State, Value

__all__ = ["LANGUAGE", "AddressBases", "is_template", "load", "load_template", "parameter_overrides"]

LANGUAGE = "cloudformation"
_RESOURCE_PREFIXES = ("AWS::", "Custom::", "Alexa::")
NOT_A_TEMPLATE = "YAML that is not a CloudFormation template"


def load(units: Iterable[Any], options: CloudFormationOptions | None = None) -> LoadResult:
    """Load every template file of the given units. Bad input becomes diagnostics, skips or
    unknown values; an exception out of here is a bug, which the engine reports naming the file."""
    options = options or CloudFormationOptions()
    result = LoadResult()
    overrides = parameter_overrides(options, result)
    addresses = AddressBases()
    with gc_paused():
        for unit in units:
            unit_roots = roots_for(options.roots, [unit.path])
            for path in unit.files:
                load_template(Path(path), result, overrides, addresses=addresses, roots=unit_roots)
    return result


def parameter_overrides(options: CloudFormationOptions, result: LoadResult) -> dict[str, Value]:
    """Parameter values given by the user: parameter files, then `parameters` (which win)."""
    values: dict[str, Value] = {}
    for file in options.parameter_files:
        values.update(_read_parameter_file(str(file), result))
    for name, text in options.parameters.items():
        values[str(name)] = Value.known(str(text))
    return values


def _read_parameter_file(path: str, result: LoadResult) -> dict[str, Value]:
    """CloudFormation CLI format `[{"ParameterKey": k, "ParameterValue": v}]` or `{"Parameters": {k: v}}`.

    The user named the file on the command line: it is read wherever it is (`roots=None`), but
    only a regular file, bounded, and parsed with the limits of a template."""
    try:
        data = read_bytes(path, roots=None, limit=LIMITS.file_bytes)
        root = parse_json(
            SourceText.decode(path, data), max_depth=LIMITS.depth, max_values=LIMITS.document_nodes
        )
    except ReadRefused as exc:
        result.diagnostics.append(Diagnostic(path, 1, 1, f"parameter file not read: {exc.reason}"))
        return {}
    except UnicodeDecodeError:
        result.diagnostics.append(Diagnostic(path, 1, 1, "parameter file is not valid UTF-8"))
        return {}
    except JsonError as exc:
        result.diagnostics.append(Diagnostic(path, exc.line, exc.column, f"invalid JSON: {exc.message}"))
        return {}
    result.files_read.add(path)
    out: dict[str, Value] = {}
    if isinstance(root.data, list):
        for entry in root.data:
            key = entry.get("ParameterKey").as_str()
            value = entry.get("ParameterValue")
            if key is not None and value.is_known:
                out[key] = value
    elif isinstance(root.data, dict) and isinstance(root.get("Parameters").data, dict):
        for key, value in root.get("Parameters").items():
            out[key] = value
    else:
        result.diagnostics.append(
            Diagnostic(
                path,
                1,
                1,
                'parameter file is neither a ParameterKey/ParameterValue list nor {"Parameters": {...}}',
            )
        )
    return out


def is_template(root: Value) -> bool:
    """A CloudFormation or SAM template: a format version, the SAM transform, or AWS resources."""
    if not (root.is_known and isinstance(root.data, dict)):
        return False
    if "AWSTemplateFormatVersion" in root.data or is_sam(root):
        return True
    for _, decl in root.get("Resources").items():
        rtype = decl.get("Type").as_str()
        if rtype is not None and rtype.startswith(_RESOURCE_PREFIXES):
            return True
    return False


def _looks_like_template(text: str) -> bool:
    # Only used to decide whether a YAML file that failed to parse deserves a parse error or is
    # some other YAML (a Helm chart, a CI file); not used to read any value.
    return "AWSTemplateFormatVersion" in text or "AWS::" in text


def _fail(result: LoadResult, path: str, line: int, column: int, message: str) -> None:
    result.diagnostics.append(Diagnostic(path, line, column, message))


class AddressBases:
    """`display_path` of many files, resolving each directory (and the working directory) once.

    Resolving a path costs a system call per component, twice per file (the file and the working
    directory): a tenth of the loading time on a corpus of small templates. A file that is itself a
    symbolic link goes through `display_path` unchanged, so addresses are exactly the same.
    """

    def __init__(self) -> None:
        try:
            self._cwd: str | None = str(Path.cwd().resolve())
        except OSError:
            self._cwd = None
        self._dirs: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        cwd = self._cwd
        try:
            folder, name = os.path.split(path)
            if cwd is None or not name or os.path.islink(path):
                return display_path(path)
            real = self._dirs.get(folder)
            if real is None:
                real = self._dirs[folder] = str(Path(folder or ".").resolve())
            full = os.path.join(real, name)
            prefix = cwd if cwd.endswith("/") else cwd + "/"
            if full.startswith(prefix):
                return full[len(prefix):]
            if full == cwd:
                return "."
        except (ValueError, OSError):
            pass
        return Path(path).as_posix()


def load_template(
    path: Path,
    result: LoadResult,
    overrides: dict[str, Value] | None = None,
    *,
    addresses: AddressBases | None = None,
    roots: ScanRoots | None = None,
    limits: Limits = LIMITS,
) -> None:
    """Read one template file into `result` (resources, diagnostics, or a skip reason). `roots`:
    where the scanned code may be read (by default, the template's own tree)."""
    p = str(path)
    try:
        data = read_bytes(
            path, roots=roots if roots is not None else ScanRoots.for_paths([path]), limit=limits.file_bytes
        )
    except ReadRefused as exc:
        _fail(result, p, 1, 1, exc.reason)
        return
    result.files_read.add(p)
    try:
        source = SourceText.decode(p, data)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        if not p.endswith((".json", ".template")) and b"AWS::" not in data:
            result.skipped[p] = "not UTF-8 text (not a CloudFormation template)"
            return
        _fail(result, p, line, column, "not valid UTF-8 text")
        return
    try:
        decoded = decode(source, limits)
    except DecodeError as exc:
        if p.endswith((".yaml", ".yml")) and not _looks_like_template(source.text):
            result.skipped[p] = (
                "YAML that could not be parsed and does not look like a CloudFormation template"
            )
            return
        _fail(result, p, exc.line, exc.column, exc.message)
        return
    root = decoded.root
    if not is_template(root):
        kind = "JSON" if source.text.lstrip()[:1] in ("{", "[") and p.endswith(".json") else "YAML"
        result.skipped[p] = (
            f"{kind} that is not a CloudFormation template" if kind == "JSON" else NOT_A_TEMPLATE
        )
        return
    result.diagnostics.extend(decoded.diagnostics)
    if not p.endswith(".json"):
        # JSON has no comments; a YAML file always may (even one written in JSON style).
        result.directives.extend(comment_directives(source))
    # One budget per template, made current while it is evaluated (see `budget.Budget.active`).
    budget = Budget(limits, unit=p)
    result.budgets.append(budget)
    readable = roots if roots is not None else ScanRoots.for_paths([path])
    include = _include_reader(path, readable, limits, result)
    with budget.active():
        _emit_resources(source, root, overrides or {}, result, addresses or AddressBases(), budget, include)


def _include_reader(
    template: Path, roots: ScanRoots, limits: Limits, result: LoadResult
) -> Callable[[str], Value | str]:
    """Reads the snippet a local `AWS::Include` location names (relative to the template), through
    the guarded reader: its raw content, or why it cannot be read. Each file is read once per
    template, and all of them together are held to the size limit of one file."""
    seen: dict[str, Value | str] = {}
    left = [limits.file_bytes]

    def read(location: str) -> Value | str:
        target = os.path.normpath(str(template.parent / location))
        if target in seen:
            return seen[target]
        seen[target] = got = _read_include(location, target)
        return got

    def _read_include(location: str, target: str) -> Value | str:
        try:
            data = read_bytes(target, roots=roots, limit=left[0])
        except ReadRefused as exc:
            return f"AWS::Include of {location}: {exc.reason}"
        left[0] -= len(data)
        try:
            source = SourceText.decode(target, data)
            decoded = decode(source, limits)
        except UnicodeDecodeError:
            return f"AWS::Include of {location}: not valid UTF-8 text"
        except DecodeError as exc:
            return f"AWS::Include of {location} cannot be read: {exc.message} (line {exc.line})"
        result.files_read.add(target)
        return decoded.root

    return read


def _parameters(root: Value, overrides: dict[str, Value], budget: Budget) -> dict[str, Value]:
    params: dict[str, Value] = {}
    for name, decl in root.get("Parameters").items():
        try:
            params[name] = _parameter(name, decl, overrides, budget)
        except BudgetExceeded as err:
            params[name] = Value.unknown(exceeded_note(f"parameter {name}", err), decl.span)
    return params


def _parameter(name: str, decl: Value, overrides: dict[str, Value], budget: Budget) -> Value:
    """A parameter's value: given, else its default. Raises BudgetExceeded."""
    ptype = decl.get("Type").as_str() or "String"
    given = overrides.get(name)
    value = given if given is not None else decl.get("Default")
    if value.is_absent:
        return Value.unknown(f"parameter {name} has no default and no value was given", decl.span)
    if ptype.startswith("AWS::SSM::Parameter::Value<"):
        return Value.unknown(
            f"parameter {name} is read from SSM parameter {value.describe()} at deploy time", value.span
        )
    if (ptype == "CommaDelimitedList" or ptype.startswith("List<")) and isinstance(value.data, str):
        budget.collection(value.data.count(",") + 1)
        value = Value(State.KNOWN, [Value.known(s, value.span) for s in value.data.split(",")], value.span)
    return value


def _key_span(source: SourceText, member: Value, key: str) -> Span:
    """The span of a mapping key, from its member span's start (JSON keys include their quotes)."""
    s = member.span
    assert s is not None
    text = source.line_text(s.line)
    width = len(key)
    quote = text[s.column - 1 : s.column]
    if quote in ('"', "'"):
        width += 2
    return Span(s.path, s.line, s.column, s.line, s.column + width)


def _properties(
    evaluator: Evaluator, logical_id: str, raw: Value, sam_global: Value | None, span: Span
) -> Value:
    """A resource's evaluated properties (`raw`, with the SAM Globals of its type merged in): an
    object, each property worked out on its own, so that one the budget cannot afford is unknown
    with the note and the others are read. Unknown as a whole (with the note) only when the
    template's budget is spent before even the object could be built."""
    try:
        return _properties_of(evaluator, logical_id, raw, sam_global, span)
    except BudgetExceeded as err:
        # Unknown, not empty: an empty object would read as every property left to its default.
        return Value.unknown(exceeded_note(f"properties of {logical_id}", err), raw.span or span)


def _properties_of(
    evaluator: Evaluator, logical_id: str, raw: Value, sam_global: Value | None, span: Span
) -> Value:
    budget = evaluator.budget
    if raw.is_absent and sam_global is None:
        return Value.known({}, raw.span or span)
    local = raw.data if raw.is_known and isinstance(raw.data, dict) and not is_intrinsic(raw) else None
    glob = sam_global.data if sam_global is not None and not is_intrinsic(sam_global) else None
    if (local is None and not raw.is_absent) or (sam_global is not None and glob is None):
        # Properties (or Globals) given whole by a function, such as `Fn::If`: one value.
        body = evaluator.value(merge(sam_global, raw, budget) if sam_global is not None else raw)
        return body if body.is_known and isinstance(body.data, dict) else Value.known({}, raw.span or span)
    if glob is None:
        assert local is not None
        return _members(evaluator, logical_id, raw, local)
    # As `merge` orders them: the Globals' keys first, then the resource's own.
    keys = list(glob)
    if local is not None:
        keys += [k for k in local if k not in glob]
    budget.collection(len(keys))
    out: dict[str, Value] = {}
    for key in keys:
        g = glob.get(key)
        own = local.get(key) if local is not None else None
        member = own if own is not None else g
        assert member is not None
        try:
            value = evaluator.value(member if g is None or own is None else merge(g, own, budget, 1))
        except BudgetExceeded as err:
            value = Value.unknown(exceeded_note(f"property {key} of {logical_id}", err), member.span)
        if not value.is_absent:
            out[key] = value
    return Value.known(out, raw.span if local is not None else sam_global.span)  # type: ignore[union-attr]


def _members(evaluator: Evaluator, logical_id: str, raw: Value, members: dict[str, Value]) -> Value:
    """`_properties` without Globals: as `Evaluator.value` evaluates an object (a copy made only
    when a member changes), each member under its own catch."""
    out: dict[str, Value] | None = None
    for key, m in members.items():
        if isinstance(m.data, (dict, list)):
            try:
                r = evaluator.value(m)
            except BudgetExceeded as err:
                r = Value.unknown(exceeded_note(f"property {key} of {logical_id}", err), m.span)
            if out is None:
                if r is m:
                    continue
                evaluator.budget.collection(len(members))
                out = members_before(members, key)
            if not r.is_absent:
                out[key] = r
        elif out is not None:
            out[key] = m
    return raw if out is None else Value.known(out, raw.span)


def _emit_resources(
    source: SourceText,
    root: Value,
    overrides: dict[str, Value],
    result: LoadResult,
    addresses: AddressBases,
    budget: Budget,
    include: Callable[[str], Value | str] | None = None,
) -> None:
    path = source.path
    resources = root.get("Resources")
    if not (resources.is_known and isinstance(resources.data, dict)):
        span = resources.span or Span.point(path, 1)
        result.diagnostics.append(
            Diagnostic(path, span.line, span.column, "Resources is not a mapping", partial=True)
        )
        return
    address_base = addresses(path)
    sam = is_sam(root)
    # `!Ref ServerlessRestApi` (an output, a web ACL association) names the implicit API.
    implicit_ids = [v[1] for v in IMPLICIT_APIS.values()] if sam else []
    evaluator = Evaluator(
        address_base,
        _parameters(root, overrides, budget),
        root.get("Mappings"),
        root.get("Conditions"),
        [*resources.data.keys(), *implicit_ids],
        budget,
        include,
    )
    sam_globals = globals_by_type(root) if sam else {}
    # Implicit API type → (the first event creating it, the conditions of the functions creating it;
    # None for a function that always exists).
    implicit: dict[tuple[str, str], tuple[Value, list[Value | None]]] = {}
    for logical_id, decl in resources.data.items():
        span = decl.span or Span.point(path, 1)
        if logical_id.startswith("Fn::ForEach"):
            result.diagnostics.append(
                Diagnostic(
                    path, span.line, span.column, f"{logical_id}: Fn::ForEach loops are not expanded", True
                )
            )
            continue
        # The declaration's members are read from its dict directly: `Value.get` builds an absent
        # Value for each missing one (most resources have no Condition), thousands per corpus.
        members = decl.data if decl.state is State.KNOWN and isinstance(decl.data, dict) else None
        type_decl = members.get("Type") if members is not None else None
        rtype = type_decl.as_str() if type_decl is not None else None
        if members is None or rtype is None:
            result.diagnostics.append(
                Diagnostic(path, span.line, span.column, f"resource {logical_id} has no Type", partial=True)
            )
            continue
        condition: Value | None = None
        cond_decl = members.get("Condition")
        cond_name = cond_decl.as_str() if cond_decl is not None else None
        if cond_decl is not None and cond_name is not None:
            try:
                decided = evaluator.condition(cond_name)
            except BudgetExceeded:
                decided = None  # its note is in `condition_note`
            if decided is False:
                continue
            if decided is None:
                condition = Value.unknown(evaluator.condition_note(cond_name), cond_decl.span)
        properties = members.get("Properties")
        if properties is None:
            properties = Value.absent(decl.span)
        body = _properties(evaluator, logical_id, properties, sam_globals.get(rtype), span)
        address = f"{address_base}#{logical_id}"
        if sam and rtype == "AWS::Serverless::Function":
            for api_type, api_id, event in implicit_api_events(body):
                implicit.setdefault((api_type, api_id), (event, []))[1].append(condition)
        if "Metadata" in members:
            result.directives.extend(metadata_directives(path, address, decl, result.diagnostics))
        result.resources.append(
            Resource(
                type=rtype,
                address=address,
                language=LANGUAGE,
                body=body,
                span=_key_span(source, decl, logical_id) if decl.span else span,
                name=logical_id,
                condition=condition,
                scope=path,
            )
        )
    for (api_type, api_id), (event, conditions) in implicit.items():
        if api_id in resources.data:
            continue  # the template declares a resource of that logical id itself
        _emit_implicit_api(
            api_type, api_id, event, conditions, sam_globals, evaluator, address_base, path, result
        )


def _emit_implicit_api(
    api_type: str,
    logical_id: str,
    event: Value,
    conditions: list[Value | None],
    sam_globals: dict[str, Value],
    evaluator: Evaluator,
    address_base: str,
    path: str,
    result: LoadResult,
) -> None:
    """The implicit SAM API as a resource of its own, declared at the first event creating it, with
    the Globals of its type as properties (SAM applies them to implicit APIs as well)."""
    span = event.span or Span.point(path, 1)
    props = _properties(evaluator, logical_id, Value.absent(span), sam_globals.get(api_type), span)
    condition: Value | None = None
    if None not in conditions:
        # The API exists when any of the functions does; one unknown condition is enough to say so.
        condition = Value.unknown(
            "the functions whose events create the implicit API exist only under conditions", span
        )
    result.resources.append(
        Resource(
            type=api_type,
            address=f"{address_base}#{logical_id}",
            language=LANGUAGE,
            body=implicit_api_body(api_type, props, span),
            span=span,
            name=logical_id,
            condition=condition,
            scope=path,
        )
    )
