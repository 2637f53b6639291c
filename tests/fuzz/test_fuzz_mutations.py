"""Fuzz every reader with real templates made hostile: a fixture from `fixtures/` (Terraform,
CloudFormation/SAM, Bicep, ARM, policy XML, tfvars, .bicepparam), with its directory's neighbours,
mutated by splicing hostile tokens in, repeating a slice, truncating, flipping bytes or changing
its encoding. Real files reach deep into the evaluators where random text stops at the parser.

`IACLINT_FUZZ_CORPUS=DIR` mutates the infrastructure files under DIR instead (a checkout of real
code), for a long run: `IACLINT_FUZZ_CORPUS=~/src/infra IACLINT_FUZZ_EXAMPLES=5000 pytest tests/fuzz`.
"""

from __future__ import annotations

import os
from pathlib import Path

from fuzz_atoms import HOSTILE_TEXT
from fuzzkit import Case, Worker, fuzz_settings, observe
from hypothesis import given
from hypothesis import strategies as st

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CORPUS = Path(os.environ.get("IACLINT_FUZZ_CORPUS") or FIXTURES).expanduser()
SUFFIXES = (".tf", ".tfvars", ".yaml", ".yml", ".json", ".bicep", ".bicepparam", ".xml", ".template")
SOURCES = sorted(
    p
    for p in CORPUS.rglob("*")
    if p.is_file() and p.name.endswith(SUFFIXES) and ".git" not in p.parts and p.stat().st_size < 2_000_000
)
TOKENS = [t.encode("utf-8", "surrogatepass") for t in HOSTILE_TEXT] + [
    b"${",
    b"%{",
    b"[",
    b"{",
    b"(",
    b"'",
    b'"',
    b"*a",
    b"&a ",
    b"!Sub ",
    b"[concat(",
    b"\x00",
    b"\xff",
    b'format("%0999999999d", 1)',
    b"padLeft('x', 999999999)",
    b"[padLeft('x', 999999999)]",
    b"range(0, 100000000)",
    b"loadTextContent('/proc/self/environ')",
    b'file("/proc/self/environ")',
    b"\n" + b" " * 200,
    b"\r",
    b"\t",
    b"\xef\xbb\xbf",
]


@st.composite
def mutated(draw: st.DrawFn) -> Case:
    source = draw(st.sampled_from(SOURCES))
    files: dict[str, str | bytes] = {}
    for sibling in sorted(source.parent.iterdir()):
        if sibling.is_file() and sibling.stat().st_size < 200_000:
            files[sibling.name] = sibling.read_bytes()
    data = bytearray(source.read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.integers(0, 5))
        if kind == 0:
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif kind == 1 and data:
            end = min(len(data), at + draw(st.integers(1, 200)))
            data[at:at] = bytes(data[at:end]) * draw(st.sampled_from([2, 10, 1000]))
        elif kind == 2:
            del data[at:]
        elif kind == 3 and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == 4 and data:
            end = min(len(data), at + draw(st.integers(1, 50)))
            del data[at:end]
        else:
            data[at:at] = draw(st.binary(max_size=20))
    if draw(st.integers(0, 9)) == 0:
        data = bytearray(bytes(data).decode("utf-8", "replace").encode("utf-16"))
    files[source.name] = bytes(data)
    return Case(files=files)


@fuzz_settings(examples=200)
@given(case=mutated())
def test_mutated_fixture_never_escapes(worker: Worker, case: Case) -> None:
    observe(worker.check(case))


def test_fixtures_are_there() -> None:
    # The mutation fuzz reads the repository's fixtures; with none it would test nothing.
    assert len(SOURCES) > 50, CORPUS
