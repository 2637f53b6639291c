"""Reading fields by attribute path, the same way in every AWS language.

A path is dotted (`mutual_tls_authentication.truststore_uri`, `MutualTlsAuthentication.TruststoreUri`);
each step but the last goes through a nested block, which Terraform gives as a list of blocks and
templates as one object (`Value.first` takes both); the last step is the member itself. The path is
also the attribute that messages and fingerprints name.
"""

from __future__ import annotations

from iaclint.model.facts import Setting
from iaclint.values import Value


def read(body: Value, path: str) -> Value:
    *blocks, last = path.split(".")
    v = body
    for key in blocks:
        v = v.first(key)
    return v.get(last)


def at(body: Value, path: str, prefix: str = "") -> Setting:
    """The member at `path` as a Setting named `prefix + path` (SAM's `Domain.` before the
    properties of the domain it generates)."""
    return Setting(read(body, path), prefix + path)


def block(body: Value, path: str) -> Value:
    """Where a finding about the block at `path` points: its (first) block when known, else what
    stands there (the attribute, unknown, or an empty list)."""
    whole = read(body, path)
    first = whole.data[0] if whole.is_known and isinstance(whole.data, list) and whole.data else whole
    return first if first.is_known else whole
