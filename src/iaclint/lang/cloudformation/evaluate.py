"""Evaluating CloudFormation intrinsic functions over raw template Values.

What can be known from the template (parameter defaults or given parameter values, mappings,
conditions, string functions) is computed; what exists only at deploy time (pseudo parameters,
resource attributes, imports, macros) becomes `Value.unknown` with the reason and, for resources,
`refs` naming the resource's address so the model can link resources.

Every evaluation charges the template's `Budget` before it builds: a step per value walked or
compared and per function, the nesting (of containers, functions and condition references, so
that no chain of them outruns Python's stack), and the size of each string (`Fn::Sub`,
`Fn::Join`, `Fn::Base64`) and list (`Fn::Split`, a container rebuilt) worked out from its inputs
first. `BudgetExceeded` goes up
to where the loader works out a named value (a resource property, a parameter), which becomes
unknown with the note; a condition cut off is remembered as undecided, with its note.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from iaclint.budget import Budget, BudgetExceeded, exceeded_note
from iaclint.lang.unknowns import known_ends, merge_refs
from iaclint.source import Span
from iaclint.values import State, Value

PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)
_KNOWN = State.KNOWN
# Nested `AWS::Include` snippets followed at most.
_INCLUDE_DEPTH = 8
_UNKNOWN = State.UNKNOWN
_ABSENT = State.ABSENT


def is_intrinsic(value: Value) -> bool:
    """A one-member object whose key names an intrinsic function (`Ref`, `Fn::*`)."""
    d = value.data
    if value.state is not _KNOWN or not isinstance(d, dict) or len(d) != 1:
        return False
    key = next(iter(d))
    return key == "Ref" or key.startswith("Fn::")


def _via(values: Iterable[Value]) -> tuple[Span, ...]:
    """Where the parts of a computed string came from (parameter defaults and the like)."""
    out: dict[Span, None] = {}
    for v in values:
        for s in v.via:
            out[s] = None
    return tuple(out)


def _scalar_text(v: Value) -> str | None:
    """The text a known scalar contributes to Fn::Join / Fn::Sub (None for containers and null)."""
    if v.state is not _KNOWN or v.data is None or isinstance(v.data, (dict, list)):
        return None
    return v.as_str()


def _partly_known(
    reason: str, span: Span | None, refs: tuple[str, ...], pieces: list[str | Value], budget: Budget
) -> Value:
    """An unknown string built from `pieces`, with the text known around the unknown ones: the
    `http://` of `http://${Alb.DNSName}/x`, enough to tell a URL's scheme."""
    prefix, suffix = known_ends(pieces, _scalar_text)
    budget.string(len(prefix) + len(suffix))
    return Value.unknown(reason, span, refs, prefix, suffix)


def _fully_known(v: Value, budget: Budget) -> bool:
    """`Value.is_fully_known` without recursion, a step per value."""
    stack = [v]
    while stack:
        x = stack.pop()
        if x.state is not _KNOWN:
            return False
        d = x.data
        if isinstance(d, dict):
            budget.step(len(d) + 1)
            stack.extend(d.values())
        elif isinstance(d, list):
            budget.step(len(d) + 1)
            stack.extend(d)
    return True


def _same(a: Value, b: Value, budget: Budget) -> bool | None:
    """Whether two values are equal (`a.py() == b.py()`), None unless both are fully known; without
    copying them or recursing, a step per value."""
    if not (_fully_known(a, budget) and _fully_known(b, budget)):
        return None
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        dx, dy = x.data, y.data
        if isinstance(dx, dict):
            if not isinstance(dy, dict) or dx.keys() != dy.keys():
                return False
            budget.step(len(dx) + 1)
            stack.extend((m, dy[k]) for k, m in dx.items())
        elif isinstance(dx, list):
            if not isinstance(dy, list) or len(dx) != len(dy):
                return False
            budget.step(len(dx) + 1)
            stack.extend(zip(dx, dy, strict=True))
        elif isinstance(dy, (dict, list)) or dx != dy:
            return False
    return True


def members_before(d: dict[str, Value], key: str) -> dict[str, Value]:
    """The members of `d` before `key`, without absent ones: the start of an evaluated copy."""
    out: dict[str, Value] = {}
    for k, m in d.items():
        if k == key:
            break
        if m.state is not _ABSENT:
            out[k] = m
    return out


class Evaluator:
    """Evaluates one template's values. `parameters` maps names to their resolved values;
    `budget` is the template's."""

    def __init__(
        self,
        address_base: str,
        parameters: dict[str, Value],
        mappings: Value,
        conditions: Value,
        resources: Iterable[str],
        budget: Budget,
        include: Callable[[str], Value | str] | None = None,
    ) -> None:
        self.address_base = address_base
        # Reads the raw content of a local `AWS::Include` location, or says why it cannot.
        self.include = include
        self._including: list[str] = []
        self.parameters = parameters
        self.mappings = mappings
        self.conditions = conditions
        self.resources = frozenset(resources)
        self.budget = budget
        # Nesting of the evaluation under way: containers, functions and conditions.
        self.depth = 0
        self.max_depth = budget.limits.depth
        self._condition_memo: dict[str, bool | None] = {}
        # Why a condition was left undecided by the budget (its note), for the values it decides.
        self.condition_notes: dict[str, str] = {}
        self._condition_active: set[str] = set()
        # `refs` of each resource referred to, one tuple shared by every reference (a template
        # refers to its few resources thousands of times).
        self._resource_refs: dict[str, tuple[str, ...]] = {}

    def address(self, logical_id: str) -> str:
        return f"{self.address_base}#{logical_id}"

    def _refs_to(self, logical_id: str) -> tuple[str, ...]:
        refs = self._resource_refs.get(logical_id)
        if refs is None:
            refs = self._resource_refs[logical_id] = (self.address(logical_id),)
        return refs

    # -- values ----------------------------------------------------------------------------------
    def value(self, v: Value) -> Value:
        """Evaluate every intrinsic inside `v`. `AWS::NoValue` members and elements disappear.
        Raises BudgetExceeded."""
        if v.state is not _KNOWN:
            return v
        d = v.data
        # Scalars (most members) are returned as they are without a call: this walk visits every
        # value of every resource.
        if not isinstance(d, (dict, list)):
            return v
        budget = self.budget
        budget.step(len(d) + 1)  # a step per value walked
        # Nesting counts containers, functions and condition references, so that at most two
        # Python frames go to each level (Limits.depth of 200: some 400 frames, well within
        # Python's 1,000). Compared here rather than through `budget.depth`: this runs for every
        # container of every resource.
        depth = self.depth = self.depth + 1
        try:
            if depth > self.max_depth:
                budget.depth(depth)
            if isinstance(d, dict):
                if len(d) == 1:
                    key = next(iter(d))
                    if key == "Ref":
                        arg = d[key]
                        if arg.state is _KNOWN and type(arg.data) is str:
                            return self.ref(arg.data, v)  # `!Ref Name`, as `intrinsic` reads it
                        return self.intrinsic(key, arg, v)
                    if key.startswith("Fn::"):
                        return self.intrinsic(key, d[key], v)
                # The copy starts at the first member that changes: most nested blocks (tags,
                # rules, settings) hold no intrinsic and are returned as they are, not rebuilt.
                out: dict[str, Value] | None = None
                for k, m in d.items():
                    if isinstance(m.data, (dict, list)):
                        r = self.value(m)
                        if out is None:
                            if r is m:
                                continue
                            budget.collection(len(d))
                            out = members_before(d, k)
                        if r.state is not _ABSENT:
                            out[k] = r
                    elif out is not None and m.state is not _ABSENT:
                        out[k] = m
                return v if out is None else Value(_KNOWN, out, v.span, "", (), ())
            else:
                items: list[Value] | None = None
                for i, m in enumerate(d):
                    if isinstance(m.data, (dict, list)):
                        r = self.value(m)
                        if items is None:
                            if r is m:
                                continue
                            budget.collection(len(d))
                            items = [x for x in d[:i] if x.state is not _ABSENT]
                        if r.state is not _ABSENT:
                            items.append(r)
                    elif items is not None and m.state is not _ABSENT:
                        items.append(m)
                return v if items is None else Value(_KNOWN, items, v.span, "", (), ())
        finally:
            self.depth = depth - 1

    def intrinsic(self, name: str, arg: Value, node: Value) -> Value:
        span = node.span
        if name == "Ref":
            target = self.value(arg)
            ref = target.as_str()
            if ref is None:
                return Value.unknown("Ref to a name that is not known", span, target.refs)
            return self.ref(ref, node)
        handler = _FUNCTIONS.get(name)
        if handler is None:
            return Value.unknown(f"unsupported function {name}", span)
        budget = self.budget
        budget.step()
        depth = self.depth = self.depth + 1
        try:
            if depth > self.max_depth:
                budget.depth(depth)
            return handler(self, self.value(arg) if name not in _LAZY else arg, node)
        finally:
            self.depth = depth - 1

    def ref(self, name: str, node: Value) -> Value:
        span = node.span
        param = self.parameters.get(name)
        if param is not None:
            return param.at(span)
        if name == "AWS::NoValue":
            return Value.absent(span)
        if name in PSEUDO_PARAMETERS:
            return Value(_UNKNOWN, None, span, f"{name} is known only at deploy time", (), ())
        if name in self.resources:
            return Value(_UNKNOWN, None, span, f"Ref to resource {name}", self._refs_to(name), ())
        return Value.unknown(f"Ref to {name}, which this template does not define", span)

    def get_att(self, resource: str, attribute: str, node: Value) -> Value:
        if resource in self.resources:
            return Value(
                _UNKNOWN,
                None,
                node.span,
                f"attribute {attribute} of resource {resource} is known only after deployment",
                self._refs_to(resource),
                (),
            )
        return Value.unknown(f"Fn::GetAtt of {resource}, which this template does not define", node.span)

    # -- conditions ------------------------------------------------------------------------------
    def condition(self, name: str) -> bool | None:
        """True/False when the named condition can be decided from the template, else None (and,
        when the budget left it undecided, the note in `condition_notes`). Raises BudgetExceeded
        the first time only."""
        if name in self._condition_memo:
            return self._condition_memo[name]
        if name in self._condition_active:
            return None  # a cycle: an invalid template
        self._condition_active.add(name)
        depth = self.depth = self.depth + 1
        try:
            self.budget.depth(depth)
            result = self.condition_value(self.conditions.get(name))
        except BudgetExceeded as err:
            # Undecided for good (the same evaluation would only exceed again), and said so where
            # it is used; this time the caller is cut off too, as any evaluation over budget.
            self._condition_memo[name] = None
            self.condition_notes[name] = exceeded_note(f"condition {name}", err)
            raise
        finally:
            self._condition_active.discard(name)
            self.depth = depth - 1
        self._condition_memo[name] = result
        return result

    def condition_note(self, name: str) -> str:
        """Why condition `name` is undecided: its budget note, or that it is known only at deploy
        time."""
        return self.condition_notes.get(name) or f"condition {name} is not known before deployment"

    def condition_value(self, v: Value) -> bool | None:
        """Raises BudgetExceeded."""
        if v.state is not _KNOWN:
            return None
        budget = self.budget
        budget.step()
        depth = self.depth = self.depth + 1
        try:
            budget.depth(depth)
            return self._condition_value(v)
        finally:
            self.depth = depth - 1

    def _condition_value(self, v: Value) -> bool | None:
        if isinstance(v.data, bool):
            return v.data
        if not isinstance(v.data, dict) or len(v.data) != 1:
            return v.as_bool() if isinstance(v.data, str) else None
        key, arg = next(iter(v.data.items()))
        if key == "Condition":
            ref = arg.as_str()
            return self.condition(ref) if ref is not None else None
        args = arg.data if arg.state is _KNOWN and isinstance(arg.data, list) else None
        if args is None:
            return None
        if key == "Fn::Equals" and len(args) == 2:
            a, b = self.value(args[0]), self.value(args[1])
            sa, sb = _scalar_text(a), _scalar_text(b)
            if sa is not None and sb is not None:
                return sa == sb
            return _same(a, b, self.budget)
        if key == "Fn::Not" and len(args) == 1:
            r = self.condition_value(args[0])
            return None if r is None else not r
        if key in ("Fn::And", "Fn::Or"):
            results = [self.condition_value(a) for a in args]
            decisive = key == "Fn::Or"  # the value that decides the result on its own
            if decisive in results:
                return decisive
            if None in results:
                return None
            return not decisive
        return None

    # -- functions -------------------------------------------------------------------------------
    def _fn_get_att(self, arg: Value, node: Value) -> Value:
        parts: list[Value]
        if arg.is_known and isinstance(arg.data, str):
            parts = [Value.known(p, arg.span) for p in arg.data.split(".", 1)]
        elif arg.is_known and isinstance(arg.data, list):
            parts = arg.data
        else:
            return Value.unknown("Fn::GetAtt with an argument that is not known", node.span, arg.refs)
        resource = parts[0].as_str() if parts else None
        if resource is None or len(parts) != 2:
            return Value.unknown("Fn::GetAtt needs a resource and an attribute", node.span)
        attribute = parts[1].as_str() or "(unknown attribute)"
        return self.get_att(resource, attribute, node)

    def _fn_sub(self, arg: Value, node: Value) -> Value:
        span = node.span
        variables: dict[str, Value] = {}
        template = arg
        if arg.is_known and isinstance(arg.data, list):
            if len(arg.data) != 2:
                return Value.unknown("Fn::Sub takes a string and a map of variables", span)
            template = self.value(arg.data[0])
            var_map = arg.data[1]
            if var_map.is_known and isinstance(var_map.data, dict):
                variables = var_map.data
            else:
                return Value.unknown("Fn::Sub variables are not known", span, var_map.refs)
        else:
            template = self.value(arg)
        text = template.as_str() if template.is_known and isinstance(template.data, str) else None
        if text is None:
            return Value.unknown("Fn::Sub with a template string that is not known", span, template.refs)
        budget = self.budget
        pieces: list[str | Value] = []
        # Each variable is worked out once however often the string uses it: `${a}${a}` at every
        # level of nested Fn::Sub would otherwise evaluate the innermost one 2^levels times.
        seen: dict[str, Value] = {}
        uses: dict[str, int] = {}
        size = 0  # of the literal text
        i = 0
        while True:
            j = text.find("${", i)
            if j < 0:
                pieces.append(text[i:])
                break
            k = text.find("}", j + 2)
            if k < 0:
                pieces.append(text[i:])
                break
            pieces.append(text[i:j])
            size += j - i
            inner = text[j + 2 : k]
            if inner.startswith("!"):
                # `${!Literal}` is written out as `${Literal}`.
                pieces.append("${" + inner[1:] + "}")
                size += len(inner) + 2
            else:
                name = inner.strip()
                var = seen.get(name)
                if var is None:
                    budget.step()
                    var = seen[name] = self._sub_variable(name, variables, node)
                    uses[name] = 1
                else:
                    uses[name] += 1
                pieces.append(var)
            i = k + 1
        size += len(pieces[-1])  # the text after the last variable
        budget.step(len(pieces))
        values = list(seen.values())
        texts = {name: _scalar_text(v) for name, v in seen.items()}
        if None in texts.values():
            first = next(v for v in values if _scalar_text(v) is None)
            why = first.reason if first.is_unknown else "a value that is not a string"
            return _partly_known(f"Fn::Sub uses {why}", span, merge_refs(values), pieces, budget)
        budget.string(size + sum(len(t or "") * uses[name] for name, t in texts.items()))
        out = "".join(p if isinstance(p, str) else (_scalar_text(p) or "") for p in pieces)
        return Value(_KNOWN, out, span, "", (), _via(values))

    def _sub_variable(self, name: str, variables: dict[str, Value], node: Value) -> Value:
        if name in variables:
            return self.value(variables[name]).at(node.span)
        if name in self.parameters or name in PSEUDO_PARAMETERS or name in self.resources:
            return self.ref(name, node)
        if "." in name:
            resource, attribute = name.split(".", 1)
            return self.get_att(resource, attribute, node)
        return Value.unknown(f"${{{name}}}, which this template does not define", node.span)

    def _fn_join(self, arg: Value, node: Value) -> Value:
        span = node.span
        if not (arg.is_known and isinstance(arg.data, list) and len(arg.data) == 2):
            return Value.unknown("Fn::Join takes a delimiter and a list", span, arg.refs)
        delim, items = arg.data
        sep = _scalar_text(delim)
        if sep is None or not (items.is_known and isinstance(items.data, list)):
            return Value.unknown("Fn::Join over values that are not known", span, merge_refs((delim, items)))
        budget = self.budget
        budget.step(len(items.data))
        texts = [_scalar_text(v) for v in items.data]
        if any(t is None for t in texts):
            pieces: list[str | Value] = []
            for i, v in enumerate(items.data):
                pieces += [sep, v] if i else [v]
            return _partly_known(
                "Fn::Join over values that are not known", span, merge_refs(items.data), pieces, budget
            )
        size = sum(len(t) for t in texts if t is not None) + len(sep) * max(0, len(texts) - 1)
        budget.string(size)
        return Value(_KNOWN, sep.join(t for t in texts if t is not None), span, "", (), _via(items.data))

    def _fn_select(self, arg: Value, node: Value) -> Value:
        span = node.span
        if not (arg.is_known and isinstance(arg.data, list) and len(arg.data) == 2):
            return Value.unknown("Fn::Select takes an index and a list", span, arg.refs)
        index, items = arg.data
        n = index.as_number()
        if n is None or not (items.is_known and isinstance(items.data, list)):
            why = "Fn::Select over values that are not known"
            return Value.unknown(why, span, merge_refs((index, items)))
        if not math.isfinite(n) or n != int(n) or not 0 <= int(n) < len(items.data):
            return Value.unknown(f"Fn::Select index {index.describe()} is out of range", span)
        return items.data[int(n)].at(span)

    def _fn_split(self, arg: Value, node: Value) -> Value:
        span = node.span
        if not (arg.is_known and isinstance(arg.data, list) and len(arg.data) == 2):
            return Value.unknown("Fn::Split takes a delimiter and a string", span, arg.refs)
        delim, source = (_scalar_text(v) for v in arg.data)
        if delim is None or source is None or not delim:
            return Value.unknown("Fn::Split of a string that is not known", span, merge_refs(arg.data))
        self.budget.collection(source.count(delim) + 1)
        return Value.known([Value.known(p, span) for p in source.split(delim)], span)

    def _fn_find_in_map(self, arg: Value, node: Value) -> Value:
        span = node.span
        if not (arg.is_known and isinstance(arg.data, list) and len(arg.data) in (3, 4)):
            return Value.unknown("Fn::FindInMap takes a map name and two keys", span, arg.refs)
        names = [_scalar_text(v) for v in arg.data[:3]]
        default = arg.data[3].get("DefaultValue") if len(arg.data) == 4 else Value.absent()
        if names[0] is None:
            why = "Fn::FindInMap with a map name that is not known"
            return Value.unknown(why, span, merge_refs(arg.data))
        table = self.mappings.get(names[0])
        if not table.is_known:
            return self._map_default(default, span, f"mapping {names[0]} is not defined")
        # An unknown key (often AWS::Region) still gives a known result when every entry it could
        # select holds the same value.
        budget = self.budget
        tops = [table.get(names[1])] if names[1] is not None else [v for _, v in table.items()]
        budget.step(len(tops))
        candidates: list[Value] = []
        for top in tops:
            if not top.is_known:
                continue
            if names[2] is not None:
                candidates.append(top.get(names[2]))
            else:
                budget.step(len(top.data) if isinstance(top.data, dict) else 1)
                candidates.extend(v for _, v in top.items())
        if names[1] is not None and names[2] is not None:
            found = candidates[0] if candidates else Value.absent()
            if found.is_absent:
                return self._map_default(default, span, f"{names[1]}/{names[2]} is not in mapping {names[0]}")
            return found.at(span)
        known = [c for c in candidates if not c.is_absent]
        if known and default.is_absent and all(_same(c, known[0], budget) for c in known):
            return known[0].at(span)
        return Value.unknown("Fn::FindInMap with a key that is not known", span, merge_refs(arg.data))

    def _map_default(self, default: Value, span: object, why: str) -> Value:
        if default.is_absent:
            return Value.unknown(f"Fn::FindInMap: {why}", span)  # type: ignore[arg-type]
        return default.at(span)  # type: ignore[arg-type]

    def _fn_if(self, arg: Value, node: Value) -> Value:
        span = node.span
        if not (arg.is_known and isinstance(arg.data, list) and len(arg.data) == 3):
            return Value.unknown("Fn::If takes a condition name and two values", span)
        name = arg.data[0].as_str()
        decided = self.condition(name) if name is not None else None
        if decided is not None:
            # The chosen branch, seen at the property (the branch's own place joins `via`).
            return self.value(arg.data[1] if decided else arg.data[2]).at(span)
        a, b = self.value(arg.data[1]), self.value(arg.data[2])
        if _same(a, b, self.budget):
            return a
        why = f"depends on condition {name}, which is not known"
        note = self.condition_notes.get(name) if name is not None else None
        if note is not None:
            why = f"{why} ({note})"
        return Value.unknown(why, span, merge_refs((a, b)))

    def _fn_base64(self, arg: Value, node: Value) -> Value:
        text = _scalar_text(arg)
        if text is None:
            return Value.unknown("Fn::Base64 of a value that is not known", node.span, arg.refs)
        # The encoded text is charged before it is built (nested Fn::Base64 grow by a third at
        # each level); its UTF-8 bytes, at most four times a string already within its cap, once
        # they are known.
        budget = self.budget
        data = text.encode("utf-8")
        budget.string(len(data))
        budget.string(4 * ((len(data) + 2) // 3))
        import base64  # Fn::Base64 only: most templates never use it (start-up)

        return Value.known(base64.b64encode(data).decode("ascii"), node.span)

    def _fn_length(self, arg: Value, node: Value) -> Value:
        if arg.is_known and isinstance(arg.data, list):
            return Value.known(len(arg.data), node.span)
        return Value.unknown("Fn::Length of a list that is not known", node.span, arg.refs)

    def _fn_deploy_time(self, arg: Value, node: Value) -> Value:
        name = next(iter(node.data)) if isinstance(node.data, dict) and node.data else "function"
        return Value.unknown(f"{name} is evaluated only at deploy time", node.span, arg.refs)

    def _fn_transform(self, arg: Value, node: Value) -> Value:
        """`Fn::Transform` runs a macro at deploy time, except `AWS::Include` of a local file, which
        `aws cloudformation package` uploads: its snippet is read in place and evaluated in this
        template. An S3 location (or one that cannot be known) is named in the reason."""
        name = arg.get("Name").as_str()
        if name != "AWS::Include":
            return self._fn_deploy_time(arg, node)
        location = arg.path("Parameters", "Location")
        text = location.as_str()
        remote = ("s3://", "http://", "https://")
        if text is None:
            prefix = location.known_prefix()
            why = (
                f"AWS::Include of {prefix}... is read only at deploy time"
                if prefix.lower().startswith(remote)
                else f"AWS::Include of a location that cannot be known ({location.reason})"
            )
            return Value.unknown(why, node.span, location.refs)
        if text.lower().startswith(remote) or self.include is None:
            return Value.unknown(f"AWS::Include of {text} is read only at deploy time", node.span)
        if text in self._including or len(self._including) >= _INCLUDE_DEPTH:
            return Value.unknown(f"AWS::Include of {text} includes itself", node.span)
        raw = self.include(text)
        if isinstance(raw, str):
            return Value.unknown(raw, node.span)
        self._including.append(text)
        try:
            return self.value(raw)
        finally:
            self._including.pop()

    def _fn_condition_in_value(self, arg: Value, node: Value) -> Value:
        # Fn::Equals/Not/And/Or outside Conditions: evaluate as a condition to a boolean.
        result = self.condition_value(node)
        if result is None:
            return Value.unknown("a condition that is not known", node.span)
        return Value.known(result, node.span)


_FUNCTIONS = {
    "Fn::GetAtt": Evaluator._fn_get_att,
    "Fn::Sub": Evaluator._fn_sub,
    "Fn::Join": Evaluator._fn_join,
    "Fn::Select": Evaluator._fn_select,
    "Fn::Split": Evaluator._fn_split,
    "Fn::FindInMap": Evaluator._fn_find_in_map,
    "Fn::If": Evaluator._fn_if,
    "Fn::Base64": Evaluator._fn_base64,
    "Fn::Length": Evaluator._fn_length,
    "Fn::GetAZs": Evaluator._fn_deploy_time,
    "Fn::ImportValue": Evaluator._fn_deploy_time,
    "Fn::Cidr": Evaluator._fn_deploy_time,
    "Fn::Transform": Evaluator._fn_transform,
    "Fn::ToJsonString": Evaluator._fn_deploy_time,
    "Fn::Equals": Evaluator._fn_condition_in_value,
    "Fn::Not": Evaluator._fn_condition_in_value,
    "Fn::And": Evaluator._fn_condition_in_value,
    "Fn::Or": Evaluator._fn_condition_in_value,
}
# Functions that evaluate their own arguments (Fn::If must not evaluate the branch not taken; Sub
# evaluates only the variables it uses; conditions evaluate their operands themselves).
_LAZY = frozenset({"Fn::If", "Fn::Sub", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"})
