"""`data "aws_iam_policy_document"`: the policy JSON the AWS provider would render.

Output shape: `{"Version":"2012-10-17","Statement":[...]}` (plus `"Id"` from `policy_id`), compact,
keys in the provider's order (Sid, Effect, Action, NotAction, Resource, NotResource, Principal,
NotPrincipal, Condition). Like the provider, a list with one element is written as a plain string
(`"Action":"execute-api:Invoke"`), and principals `type = "*"` with identifiers `["*"]` become
`"Principal":"*"`. `json` and `minified_json` are both returned compact (consumers parse it).
`source_policy_documents`/`override_policy_documents` are not merged: a document that uses them is
unknown. If any part is unknown (an ARN known only after apply), the JSON text is unknown, with the
`refs` of every unknown part, and carries the document as a Value in `data` (unknown leaves).
"""

from __future__ import annotations

import json
from typing import Any

from iaclint.lang.terraform.functions import unknown_encoding
from iaclint.lang.terraform.hclvalues import error, first_unknown, is_error
from iaclint.lang.unknowns import merge_refs
from iaclint.source import Span
from iaclint.values import State, Value

_KNOWN = State.KNOWN


def _one_or_list(items: list[Value], span: Span | None) -> Value:
    return items[0] if len(items) == 1 else Value.known(items, span)


def _strings(v: Value) -> list[Value] | None:
    if v.is_null:
        return None
    return list(v.data) if v.is_known and isinstance(v.data, list) else [v]


def _principals(blocks: list[Value], span: Span | None) -> Value:
    out: dict[str, list[Value]] = {}
    for b in blocks:
        t = b.get("type")
        if not t.is_known:
            return Value.unknown(f"principal type is {t.describe()}", t.span, t.refs)
        ids = _strings(b.get("identifiers")) or []
        if t.py() == "*" and [i.py() for i in ids] == ["*"]:
            return Value.known("*", b.span)
        out.setdefault(str(t.py()), []).extend(ids)
    return Value.known({k: _one_or_list(v, span) for k, v in out.items()}, span)


def _conditions(blocks: list[Value], span: Span | None) -> Value:
    out: dict[str, dict[str, Value]] = {}
    for b in blocks:
        test, var = b.get("test"), b.get("variable")
        # An unknown operator or key makes the whole Condition unknown: a reader must not take
        # "UNKNOWN" for a condition key. Both are required: the provider rejects a condition
        # without them, so the document is invalid, not merely unknown.
        for name, part in (("test", test), ("variable", var)):
            if part.is_absent or part.is_null:
                return error(f"a condition block has no {name}", b.span)
            if not part.is_known:
                return Value.unknown(f"a condition is {part.describe()}", part.span, part.refs)
        vals = _strings(b.get("values")) or []
        out.setdefault(str(test.py()), {})[str(var.py())] = _one_or_list(vals, b.span)
    return Value.known({k: Value.known(v, span) for k, v in out.items()}, span)


def _or_default(v: Value, default: str, span: Span | None) -> Value:
    """The provider's default for an empty setting; an unknown stays unknown (an unknown effect
    must not read as Allow)."""
    if v.is_unknown or (v.is_known and v.data):
        return v
    return Value.known(default, span)


def policy_value(body: Value, span: Span | None = None) -> Value:
    """The document the provider renders, as a Value: members keep their spans, unknown parts
    stay unknown Values."""
    doc: dict[str, Value] = {"Version": _or_default(body.get("version"), "2012-10-17", span)}
    pid = body.get("policy_id")
    if pid.is_unknown or (pid.is_known and pid.data):
        doc["Id"] = pid
    statements: list[Value] = []
    for st in body.get("statement").elements():
        s: dict[str, Value] = {}
        sid = st.get("sid")
        if sid.is_unknown or (sid.is_known and sid.data):
            s["Sid"] = sid
        s["Effect"] = _or_default(st.get("effect"), "Allow", st.span)
        for attr, key in (
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ):
            items = _strings(st.get(attr))
            if items:
                s[key] = _one_or_list(items, st.span)
        for attr, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            blocks = st.get(attr).elements()
            if blocks:
                s[key] = _principals(blocks, st.span)
        conds = st.get("condition").elements()
        if conds:
            s["Condition"] = _conditions(conds, st.span)
        statements.append(Value.known(s, st.span))
    doc["Statement"] = Value.known(statements, span)
    return Value.known(doc, span)


def policy_document(body: Value) -> dict[str, Any]:
    return policy_value(body).py()  # type: ignore[no-any-return]


def policy_json(body: Value, span: Span | None, address: str) -> Value:
    """The `json` attribute of the data source at `address` whose arguments are `body` (`span`: its
    header)."""
    refs = (address,)
    for merged in ("source_policy_documents", "override_policy_documents", "source_json", "override_json"):
        if not body.get(merged).is_null:
            return Value.unknown(f"{address}: {merged} is not merged by iaclint", span, refs)
    doc = policy_value(body, span)
    # The rendered document, not the body: a part the provider would reject (a condition without
    # its variable) is unknown there although every argument given is known.
    unknown = first_unknown(doc)
    if unknown is not None and is_error(unknown):
        return Value.unknown(unknown.reason, span, merge_refs([unknown, Value.unknown("", None, refs)]))
    if unknown is not None:
        # Unknown text, but the document's structure rides along (see functions.unknown_encoding).
        return unknown_encoding(
            Value.unknown(
                f"policy document has values known only after apply: {unknown.reason}",
                span,
                merge_refs([unknown, Value.unknown("", None, refs)]),
            ),
            doc,
        )
    text = json.dumps(doc.py(), separators=(",", ":"), ensure_ascii=False)
    return Value.known(text, span, refs)
