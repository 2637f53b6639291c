"""Hostile end-to-end tests: each runs the real `iaclint` command on an attack from issue 12 (see
`hostile_kit.py` for the limits every run is held to). A `tree` is a fresh scan root per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_kit import HostileTree


@pytest.fixture
def tree(tmp_path: Path) -> HostileTree:
    return HostileTree(tmp_path)
