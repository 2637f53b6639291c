"""`data "aws_iam_policy_document"`: the policy JSON the AWS provider would render.

Output shape: `{"Version":"2012-10-17","Statement":[...]}` (plus `"Id"` from `policy_id`), compact,
keys in the provider's order (Sid, Effect, Action, NotAction, Resource, NotResource, Principal,
NotPrincipal, Condition). Like the provider, a list with one element is written as a plain string
(`"Action":"execute-api:Invoke"`), and principals `type = "*"` with identifiers `["*"]` become
`"Principal":"*"`. `json` and `minified_json` are both returned compact (consumers parse it).
`source_policy_documents`/`override_policy_documents` are not merged: a document that uses them is
unknown. If any part is unknown (an ARN known only after apply), the whole JSON is unknown, with the
`refs` of every unknown part.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from iaclint.lang.terraform.evaluate import first_unknown, merge_refs
from iaclint.values import State, Value

if TYPE_CHECKING:
    from iaclint.lang.terraform.loader import ResourceInstance

_KNOWN = State.KNOWN


def _one_or_list(items: list[Any]) -> Any:
    return items[0] if len(items) == 1 else items


def _strings(v: Value) -> list[Any] | None:
    d = v.py()
    if d is None:
        return None
    return d if isinstance(d, list) else [d]


def _principals(blocks: list[Value]) -> Any:
    out: dict[str, list[Any]] = {}
    for b in blocks:
        t = b.get("type").py()
        ids = _strings(b.get("identifiers")) or []
        if t == "*" and ids == ["*"]:
            return "*"
        out.setdefault(str(t), []).extend(ids)
    return {k: _one_or_list(v) for k, v in out.items()}


def _conditions(blocks: list[Value]) -> dict[str, Any]:
    out: dict[str, dict[str, Any]] = {}
    for b in blocks:
        test = str(b.get("test").py())
        var = str(b.get("variable").py())
        vals = _strings(b.get("values")) or []
        out.setdefault(test, {})[var] = _one_or_list(vals)
    return out


def policy_document(body: Value) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    version = body.get("version")
    doc["Version"] = version.data if version.is_known and version.data else "2012-10-17"
    pid = body.get("policy_id")
    if pid.is_known and pid.data:
        doc["Id"] = pid.data
    statements = []
    for st in body.get("statement").elements():
        s: dict[str, Any] = {}
        sid = st.get("sid")
        if sid.is_known and sid.data:
            s["Sid"] = sid.data
        effect = st.get("effect")
        s["Effect"] = effect.data if effect.is_known and effect.data else "Allow"
        for attr, key in (
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ):
            items = _strings(st.get(attr))
            if items:
                s[key] = _one_or_list(items)
        for attr, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            blocks = st.get(attr).elements()
            if blocks:
                s[key] = _principals(blocks)
        conds = st.get("condition").elements()
        if conds:
            s["Condition"] = _conditions(conds)
        statements.append(s)
    doc["Statement"] = statements
    return doc


def policy_json(inst: ResourceInstance) -> Value:
    body = inst.body()
    span = inst.cfg.block.header
    refs = (inst.address,)
    for merged in ("source_policy_documents", "override_policy_documents", "source_json", "override_json"):
        if not body.get(merged).is_null:
            return Value.unknown(f"{inst.address}: {merged} is not merged by iaclint", span, refs)
    unknown = first_unknown(body)
    if unknown is not None:
        return Value.unknown(
            f"policy document has values known only after apply: {unknown.reason}",
            span,
            merge_refs([unknown, Value.unknown("", None, refs)]),
        )
    text = json.dumps(policy_document(body), separators=(",", ":"), ensure_ascii=False)
    return Value.known(text, span, refs)
