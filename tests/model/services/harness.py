"""Facts of a small snippet, through the real loader and model stage, in a neutral shape that the
same expectation can be written against for every language.

`facts_of(tmp_path, name, text)` writes one file (a Terraform root, a template), scans it and
returns the facts; `summary(facts)` reduces them to tuples named by the resource's logical name
(Terraform resource name, CloudFormation logical id; lower-cased, without `_` and `-`), so a
Terraform case and its CloudFormation twin compare equal.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from iaclint.engine import ScanOptions, scan
from iaclint.model.facts import Decision, Facts, Origin


def facts_of(tmp_path: Path, name: str, text: str) -> Facts:
    (tmp_path / name).write_text(text, encoding="utf-8")
    parts: list[Any] = []
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = scan(ScanOptions(paths=[name]), parts_out=parts)
    finally:
        os.chdir(cwd)
    assert not [f for f in result.files if f.status == "failed"], f"{name} did not load"
    (_loaded, model), = parts  # one file: one part
    return model.facts


def name(origin: Origin) -> str:
    address = origin.address.split("#", 1)[1] if "#" in origin.address else origin.address
    address = re.sub(r"\[[^\]]*\]", "", address).split(".")[-1]
    return re.sub(r"[_\-]", "", address).lower()


def state(d: Decision) -> bool | None:
    return d.state


def summary(f: Facts) -> dict[str, list[tuple[Any, ...]]]:
    """Every fact list as sorted tuples of what the rules read."""
    out: dict[str, list[tuple[Any, ...]]] = {
        "endpoints": [
            (
                name(e.origin),
                e.tls.minimum if e.tls else None,
                tuple(h.serves_plain for h in e.http),
                tuple((c.truststore.state,) for c in e.client_auths),
            )
            for e in f.endpoints
        ],
        "operations": [(name(o.origin), o.auth.value) for o in f.operations],
        "backends": [
            (name(b.origin), state(b.tls), tuple(state(v) for v in b.verification)) for b in f.backends
        ],
        "legacy": [(name(p.origin), p.protocol, state(p.off)) for p in f.legacy_protocols],
        "wafs": [(name(w.origin), state(w.blocks), state(w.rate_limit), bool(w.retired)) for w in f.wafs],
        "waf_targets": [
            (
                name(t.origin),
                state(t.public),
                t.edge,
                t.fronts_api,
                tuple(sorted(name(a.waf.origin) if a.waf else "?" for a in t.attachments)),
            )
            for t in f.waf_targets
        ],
        "rate_targets": [
            (name(t.origin), tuple(sorted(name(a.waf.origin) if a.waf else "?" for a in t.attachments)))
            for t in f.rate_targets
        ],
        "throttling": [(name(r.origin), state(r.met)) for r in f.throttling],
        "network": [(name(r.origin), state(r.met)) for r in f.network],
        "default_endpoints": [(name(d.origin), state(d.disabled)) for d in f.default_endpoints],
        "token_validators": [(name(t.origin), t.problems) for t in f.token_validators],
    }
    return {k: sorted(v, key=repr) for k, v in out.items() if v}
