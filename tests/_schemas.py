"""The official SARIF schema, read from `../shared/schemas/` beside the checkout (it is not
shipped in the repository). Tests that need it are marked `sarif_schema` and skip with a visible
reason when it is absent; `.ci/run` sets IACLINT_REQUIRE_SCHEMAS=1 when the folder exists, so
there a missing or unreadable schema fails instead of skipping."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]
SCHEMAS = CHECKOUT.parent / "shared" / "schemas"
SARIF_SCHEMA = SCHEMAS / "sarif-schema-2.1.0.json"


def sarif_schema() -> dict[str, Any]:
    """The schema as a dict; skips the calling test (or fails it, under .ci/run) when absent."""
    if not SARIF_SCHEMA.is_file():
        reason = f"SARIF schema not found at ../shared/schemas/{SARIF_SCHEMA.name} beside the checkout"
        if os.environ.get("IACLINT_REQUIRE_SCHEMAS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
