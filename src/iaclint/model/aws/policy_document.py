"""IAM policy documents (API resource policies) reduced to statements with their effect and
condition keys. Works on a document given as JSON text or as a structured Value, whatever language
produced it; the JSON is parsed, never searched as text."""

from __future__ import annotations

import json

from iaclint.model.aws.apigateway.entities import PolicyStatement
from iaclint.values import Value


def statements(document: Value) -> tuple[list[PolicyStatement] | None, str]:
    """The statements of a policy document, or (None, why) when it cannot be known."""
    if document.is_unknown and isinstance(document.data, Value):
        # Unknown text whose structure the loader kept (jsonencode of an object with an ARN known
        # only after apply): the statements and condition keys may still be known.
        return _from_structure(document.data, document.reason)
    if document.is_unknown:
        return None, document.reason or "the policy document cannot be known"
    if document.is_null:
        return [], ""
    if isinstance(document.data, str):
        try:
            parsed = json.loads(document.data)
        except ValueError:
            return None, "the policy is not valid JSON"
        document = Value.of(parsed, document.span)
    return _from_structure(document, "")


def _from_structure(document: Value, why: str) -> tuple[list[PolicyStatement] | None, str]:
    """Statements of a structured document; `why` (the reason its text is unknown) is added to
    the reason when a part that decides the answer is unknown."""

    def unknown(what: str) -> tuple[None, str]:
        return None, f"{what} ({why})" if why else what

    if document.is_unknown:
        return unknown(document.reason or "the policy document cannot be known")
    stmts = document.get("Statement")
    if stmts.is_unknown:
        return unknown(stmts.reason or "the policy statements cannot be known")
    out: list[PolicyStatement] = []
    for st in stmts.elements():
        if not st.is_known or not isinstance(st.data, dict):
            return unknown("a policy statement cannot be known")
        effect_v = st.get("Effect")
        if effect_v.is_unknown:
            return unknown("a policy statement's Effect cannot be known")
        effect = effect_v.as_str()
        conds: list[tuple[str, str]] = []
        cond = st.get("Condition")
        if cond.is_unknown:
            return unknown("a policy condition cannot be known")
        for op, block in cond.items():
            # Keys of an unknown operator block would silently go missing.
            if block.is_unknown:
                return unknown("a policy condition cannot be known")
            for key, _ in block.items():
                conds.append((key.lower(), op))
        out.append(PolicyStatement(st, effect, tuple(conds)))
    return out, ""


def statements_from_blocks(blocks: Value) -> tuple[list[PolicyStatement] | None, str]:
    """Statements written as blocks (`statement { effect, condition { test, variable } }`), as an
    IAM policy document data source holds them."""
    if blocks.is_unknown:
        return None, blocks.reason or "the policy statements cannot be known"
    out: list[PolicyStatement] = []
    for st in blocks.elements():
        effect_v = st.get("effect")
        effect = "Allow" if effect_v.is_null else effect_v.as_str()
        conds: list[tuple[str, str]] = []
        for c in st.get("condition").elements():
            key, test = c.get("variable").as_str(), c.get("test").as_str()
            if key is None or test is None:
                return None, "a policy condition cannot be known"
            conds.append((key.lower(), test))
        if st.get("condition").is_unknown:
            return None, "a policy condition cannot be known"
        out.append(PolicyStatement(st, effect, tuple(conds)))
    return out, ""
