"""End-to-end tests of the Bicep loader on fixtures/bicep/loader, and hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.discover import Unit
from iaclint.lang.bicep import load
from iaclint.lang.bicep.prepass import prepass
from iaclint.resources import LoadResult
from iaclint.values import UNKNOWN

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "bicep" / "loader" / "apim"


def _load(*paths: Path) -> LoadResult:
    return load([Unit("bicep", p, (p,)) for p in paths], None)


@pytest.fixture(scope="module")
def apim() -> dict:
    result = _load(FIX / "main.bicep", FIX / "policy.bicep")
    assert result.diagnostics == []
    return {r.address.split("#", 1)[1]: r for r in result.resources}


def test_resources_addresses_types_names(apim: dict) -> None:
    assert {k: (r.type, r.name) for k, r in apim.items()} == {
        "apim": ("Microsoft.ApiManagement/service", "apim1"),
        "apim::api": ("Microsoft.ApiManagement/service/apis", "apim1/echo"),
        "loopApis[0]": ("Microsoft.ApiManagement/service/apis", "apim1/orders"),
        "loopApis[1]": ("Microsoft.ApiManagement/service/apis", "apim1/billing"),
        "module.pol.policy": ("Microsoft.ApiManagement/service/policies", "apim1/policy"),
    }


def test_bicepparam_value_with_span_and_provenance(apim: dict) -> None:
    custom = apim["apim"].body.path("properties", "customProperties")
    key = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10"
    tls10 = custom.get(key)
    assert tls10.data == "True"  # main.bicepparam overrides the default 'False'
    # The member spans from its key to the end of its value: line 20, `'${prefix}.Tls10': tls10`.
    assert (tls10.span.line, tls10.span.column, tls10.span.end_line, tls10.span.end_column) == (20, 7, 20, 31)
    assert [(s.path.rsplit("/", 1)[-1], s.line, s.column) for s in tls10.via] == [("main.bicepparam", 3, 15)]


def test_header_span_and_body_shape(apim: dict) -> None:
    r = apim["apim"]
    assert (r.span.line, r.span.column, r.span.end_line, r.span.end_column) == (9, 1, 9, 67)
    assert r.language == "bicep"
    assert r.body.get("apiVersion").data == "2023-05-01-preview"
    assert r.body.py()["sku"] == {"name": "Developer", "capacity": 1}


def test_loop_instances_and_ternary(apim: dict) -> None:
    assert apim["loopApis[0]"].body.py()["properties"] == {"path": "orders-0", "protocols": ["http", "https"]}
    assert apim["loopApis[1]"].body.py()["properties"] == {"path": "billing-1", "protocols": ["https"]}


def test_false_condition_drops_resource(apim: dict) -> None:
    assert not any("never" in k for k in apim)


def test_module_params_and_load_text_content(apim: dict) -> None:
    value = apim["module.pol.policy"].body.path("properties", "value")
    assert value.data == "<policies><inbound><base /></inbound></policies>"


def _one(tmp_path: Path, text: str) -> LoadResult:
    f = tmp_path / "t.bicep"
    f.write_text(text)
    return _load(f)


def test_symbolic_id_is_unknown_with_ref(tmp_path: Path) -> None:
    r = _one(
        tmp_path,
        "resource a 'Microsoft.Web/sites@2022-03-01' = {\n  name: 'a'\n}\n"
        "resource b 'Microsoft.Web/sites/config@2022-03-01' = {\n  name: 'b'\n  properties: {\n"
        "    target: a.id\n    n: a.name\n  }\n}\n",
    )
    b = next(x for x in r.resources if x.address.endswith("#b"))
    target = b.body.path("properties", "target")
    assert target.py() is UNKNOWN
    assert target.refs == (r.resources[0].address,)
    assert b.body.path("properties", "n").data == "a"


def test_grammar_precedence_fixed_and_safe_access(tmp_path: Path) -> None:
    r = _one(
        tmp_path,
        "var o = { a: { b: 'x', f: true } }\nvar c = false\n"
        "resource r 'A.B/c@1' = {\n  name: 'r'\n  properties: {\n"
        "    t: c ? 'y' : o.a.b\n    s: o.?missing ?? 'dflt'\n    n: !o.a.f\n  }\n}\n",
    )
    assert r.resources[0].body.py()["properties"] == {"t": "x", "s": "dflt", "n": False}


def test_unknown_condition_is_recorded(tmp_path: Path) -> None:
    r = _one(tmp_path, "param on bool\nresource r 'A.B/c@1' = if (on) {\n  name: 'r'\n}\n")
    assert r.resources[0].condition is not None and r.resources[0].condition.is_unknown


def test_prepass_keeps_offsets_and_records_spreads() -> None:
    src = b"var x = {\n  ...y\n  a: f(b!, c)\n}\nvar z string = 'q'\nextension foo\n"
    out = prepass(src)
    assert len(out.data) == len(src)
    assert out.data.count(b"\n") == src.count(b"\n")
    assert out.data == b"var x = {\n  __:y\n  a: f(b , c)\n}\nvar z        = 'q'\n             \n"
    assert out.spreads == frozenset({12})


def test_unreadable_region_is_partial_and_rest_is_read(tmp_path: Path) -> None:
    r = _one(
        tmp_path,
        "resource a 'A.B/c@1' = {\n  name: 'a'\n}\n@@@ ??? )(\nresource b 'A.B/c@1' = {\n  name: 'b'\n}\n",
    )
    assert [d.partial for d in r.diagnostics] and all(d.partial for d in r.diagnostics)
    assert r.diagnostics[0].line == 4
    assert {x.name for x in r.resources} >= {"a"}


def test_invalid_utf8_is_a_diagnostic(tmp_path: Path) -> None:
    f = tmp_path / "bad.bicep"
    f.write_bytes(b"param a string\n\xff\xfe\n")
    r = _load(f)
    assert [(d.line, d.partial) for d in r.diagnostics] == [(2, False)]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("resource param var '${}[]()?!.:=\n x1@/..."))))
def test_random_text_never_raises(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    f = tmp_path_factory.mktemp("h") / "r.bicep"
    f.write_text(text)
    _read_everything(_load(f))


def _read_everything(result: LoadResult) -> None:
    """Read every name and every value of every body: they are worked out when read, so an error
    in evaluating one would otherwise never show."""
    for r in result.resources:
        _ = (r.name, r.body.py(), r.condition.py() if r.condition is not None else None)


# Pieces of Bicep that make resources, modules, loops, conditions and references between them.
STATEMENTS = [
    "resource a 'Microsoft.ApiManagement/service@2023-05-01-preview' = {\n  name: 'apim'\n",
    "resource b 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {\n  parent: a\n  name: b.name\n",
    "resource c 'Microsoft.Web/sites@2022-03-01' = [for (x, i) in xs: {\n  name: 'c${i}'\n",
    "resource d 'Microsoft.Web/sites@2022-03-01' = if (a.properties.y == 'z') {\n",
    "module m './r.bicep' = {\n  name: 'm'\n  params: {\n",
    "module n './r.bicep' = [for x in xs: {\n  params: {\n    p: x\n",
    "param p string = a.properties.x\n", "param q object\n", "var xs = [for k in range(0, 3): { k: k }]\n",
    "var v = union(a.properties, { w: b.properties.w })\n", "output o string = a.properties.x\n",
    "  properties: {\n", "    x: d.properties.x ?? 'f'\n", "    y: a.properties.subnets[0].id\n",
    "    z: m.outputs.o\n", "    w: map(xs, e => e.k)\n", "    ...v\n", "  }\n", "}\n", "}]\n", "]\n",
    "\n",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(STATEMENTS), max_size=14))
def test_random_statements_never_raise_even_when_everything_is_read(
    tmp_path_factory: pytest.TempPathFactory, parts: list[str]
) -> None:
    f = tmp_path_factory.mktemp("s") / "r.bicep"
    f.write_text("".join(parts), encoding="utf-8")
    _read_everything(_load(f))
