"""Streaming parts and the worker pool: a parallel scan reports exactly what a serial one does, in
every format, and the parts a scan is cut into keep together what must be seen together.

Speed and memory are measured by `bench/`, never asserted here."""

from __future__ import annotations

import importlib
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from iaclint import report
from iaclint.discover import discover
from iaclint.engine import ScanOptions, plan_parts, scan

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FORMATS = ("text", "json", "sarif", "github")


def _bench(name: str) -> Any:  # a bench script, imported by path
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / "bench"))


def _write(files: dict[str, str], root: Path) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _reports(path: Path, jobs: int, **extra: object) -> dict[str, str]:
    result = scan(ScanOptions(paths=[str(path)], jobs=jobs, **extra))  # type: ignore[arg-type]
    out = {fmt: report.render(fmt, result) for fmt in FORMATS}
    out["text -v"] = report.render("text", result, verbose=True)
    return out


def _same(path: Path, **extra: object) -> dict[str, str]:
    serial = _reports(path, 1, **extra)
    parallel = _reports(path, 2, **extra)
    for fmt in serial:
        assert parallel[fmt] == serial[fmt], f"{fmt} differs between --jobs 1 and --jobs 2"
    return serial


def test_fixtures_same_in_every_format_serial_and_parallel() -> None:
    out = _same(FIXTURES)
    assert '"rule_id": "IAC101"' in out["json"]


def test_terraform_bench_corpus_same_serial_and_parallel(tmp_path: Path) -> None:
    files = _bench("tf_corpus").generate(120, 500_000, 3)
    out = _same(_write(files, tmp_path))
    assert out["json"].count('"rule_id"') > 50


def test_cloudformation_bench_corpus_same_serial_and_parallel(tmp_path: Path) -> None:
    files = _bench("cfn_corpus").generate(60, 250_000, 3)
    out = _same(_write(files, tmp_path))
    assert out["json"].count('"rule_id"') > 20


def test_azure_bench_corpus_same_serial_and_parallel(tmp_path: Path) -> None:
    azure = _bench("make_azure_corpus")
    files = azure.bicep_corpus(6, 3)
    files["arm/template.json"] = azure.arm_template(60_000, 3)
    out = _same(_write(files, tmp_path))
    assert out["json"].count('"rule_id"') > 10


# Bicep shapes a generated corpus does not have: a module shared by entry files of other folders
# (read with each caller), an entry file that is also called, a cycle, a module outside the scan's
# folders, and an unused directive in a shared module (noted once).
SHARED_EDGE = """param name string
param tls string = 'TLS10'

// iaclint:ignore IAC102 -- never matches
resource profile 'Microsoft.Cdn/profiles@2024-02-01' = {
  name: name
  location: 'global'
  sku: {
    name: 'Premium_AzureFrontDoor'
  }
}

resource domain 'Microsoft.Cdn/profiles/customDomains@2024-02-01' = {
  parent: profile
  name: '${name}-domain'
  properties: {
    hostName: 'api.${name}.example.com'
    tlsSettings: {
      certificateType: 'ManagedCertificate'
      minimumTlsVersion: tls
    }
  }
}
"""


def _consumer(i: int, extra: str = "") -> str:
    tls = "TLS12" if i % 2 else "TLS10"
    return (
        f"module edge '../shared/edge.bicep' = {{\n  name: 'edge-{i}'\n"
        f"  params: {{\n    name: 'consumer-{i}'\n    tls: '{tls}'\n  }}\n}}\n{extra}"
    )


def _bicep_corpus(root: Path) -> Path:
    azure = _bench("make_azure_corpus")
    files = azure.bicep_corpus(10, 5)
    files["shared/edge.bicep"] = SHARED_EDGE
    for i in range(8):
        files[f"consumers/c{i}.bicep"] = _consumer(i)
    files["consumers/caller.bicep"] = _consumer(9, "module c1 'c1.bicep' = {\n  name: 'c1'\n}\n")
    files["loop/a.bicep"] = "module b 'b.bicep' = {\n  name: 'b'\n}\n" + SHARED_EDGE.replace(
        "param name string", "param name string = 'loop'"
    )
    files["loop/b.bicep"] = "module a 'a.bicep' = {\n  name: 'a'\n}\n"
    return _write(files, root)


def test_bicep_in_parts_same_as_in_one_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import iaclint.engine as engine

    root = _bicep_corpus(tmp_path)
    options = ScanOptions(paths=[str(root)])
    bicep = [p for p in plan_parts(discover([str(root)], []).units, options) if p.language == "bicep"]
    assert len(bicep) > 1
    with monkeypatch.context() as m:
        m.setattr(engine, "_PART_FILES", 10**9)
        assert len(plan_parts(discover([str(root)], []).units, options)) == 1
        whole = _reports(root, 1)
    # Smaller parts: the shared module is read with each of its callers' parts. The module calls
    # are read by the workers too (8 entry files at a time), in a parallel scan.
    monkeypatch.setattr(engine, "_PART_FILES", 4)
    monkeypatch.setattr(engine, "_GRAPH_UNITS", 8)
    bicep = [p for p in plan_parts(discover([str(root)], []).units, options) if p.language == "bicep"]
    assert sum(u.path.name == "edge.bicep" for p in bicep for u in p.units) > 1
    split = _same(root)
    for fmt in whole:
        assert split[fmt] == whole[fmt], f"{fmt} differs between one part and parts"
    json_out = split["json"]
    # The unused directive of the shared module (and of loop/a.bicep, a copy), noted once each.
    assert json_out.count('"rule_id": "IAC002"') == 2
    # An entry file another one calls is evaluated through its caller only, in parts as whole.
    assert "consumers/caller.bicep#module.c1.module.edge.profile" in json_out
    assert "consumers/c1.bicep#" not in json_out
    assert "loop/a.bicep#domain" in json_out


def test_bicep_fixtures_in_parts_same_as_in_one_part(monkeypatch: pytest.MonkeyPatch) -> None:
    import iaclint.engine as engine

    with monkeypatch.context() as m:
        m.setattr(engine, "_PART_FILES", 10**9)
        whole = _reports(FIXTURES, 1)
    # Each Bicep entry file with its modules in a part of its own (unless it mostly shares them).
    monkeypatch.setattr(engine, "_PART_FILES", 1)
    bicep = [p for p in plan_parts(discover([str(FIXTURES)], []).units, ScanOptions(paths=[str(FIXTURES)]))
             if p.language == "bicep"]
    assert len(bicep) > 20
    split = _same(FIXTURES)
    for fmt in whole:
        assert split[fmt] == whole[fmt], f"{fmt} differs between one part and parts"


def test_parallel_same_with_suppressions_and_per_path_config() -> None:
    # Directives are marked part by part and their notes (IAC002) given once for the whole scan.
    _same(FIXTURES, unknown="warning", per_path_ignores={"fixtures/terraform/*": ["IAC101"]})


MODULE = (
    'variable "policy" {}\nresource "aws_api_gateway_domain_name" "d" {\n'
    '  domain_name = "a.example.com"\n  security_policy = var.policy\n}\n'
)


def _root(policy: str, source: str = "../../modules/domain") -> str:
    return f'module "m" {{\n  source = "{source}"\n  policy = "{policy}"\n}}\n'


def test_a_root_and_the_modules_it_calls_are_one_part(tmp_path: Path) -> None:
    _write({
        "live/a/main.tf": _root("TLS_1_0"),
        "live/b/main.tf": _root("TLS_1_2"),
        "modules/domain/main.tf": MODULE,
        "modules/unused/main.tf": 'resource "aws_api_gateway_domain_name" "x" {\n  domain_name = "x"\n}\n',
    }, tmp_path)
    found = discover([str(tmp_path)], [])
    import iaclint.engine as engine

    engine_parts = plan_parts(found.units, ScanOptions(paths=[str(tmp_path)]))
    # Small parts are batched; the grouping itself keeps each root with its module.
    groups = engine._linked("terraform", found.units, ScanOptions(paths=[str(tmp_path)]))
    names = sorted(sorted(str(u.path.relative_to(tmp_path)) for u in g) for g in groups)
    assert names == [["live/a", "modules/domain"], ["live/b", "modules/domain"], ["modules/unused"]]
    assert sum(len(p.units) for p in engine_parts) == 4  # one batch, the module once

    result = scan(ScanOptions(paths=[str(tmp_path)], jobs=1))
    tls = [(f.rule_id, Path(f.span.path).relative_to(tmp_path).as_posix(), f.span.line, f.address)
           for f in result.findings if f.rule_id == "IAC101"]
    # The module is evaluated through each caller (only live/a passes TLS 1.0), never on its own.
    assert tls == [("IAC101", "modules/domain/main.tf", 4, "live/a:module.m.aws_api_gateway_domain_name.d")]


def test_roots_in_separate_parts_keep_their_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import iaclint.engine as engine

    _write({
        "live/a/main.tf": _root("TLS_1_0"),
        "live/b/main.tf": _root("TLS_1_0"),
        "modules/domain/main.tf": MODULE + "# iaclint:ignore IAC102 -- never matches\n",
    }, tmp_path)
    one = scan(ScanOptions(paths=[str(tmp_path)], jobs=1))
    # One root per part: the shared module is read with each, its unused directive noted once.
    monkeypatch.setattr(engine, "_PART_FILES", 1)
    parts = plan_parts(discover([str(tmp_path)], []).units, ScanOptions(paths=[str(tmp_path)]))
    assert [len(p.units) for p in parts] == [2, 2]
    split = scan(ScanOptions(paths=[str(tmp_path)], jobs=1))
    assert [f.address for f in split.findings] == [f.address for f in one.findings]
    assert report.render("json", split) == report.render("json", one)
    assert [f.rule_id for f in split.findings].count("IAC101") == 2


def test_an_internal_error_in_a_worker_is_the_same_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iaclint.engine import InternalError
    from iaclint.model import aws

    real = aws.adapt

    def broken(language, resources, model):  # type: ignore[no-untyped-def]
        if any("b-" in r.span.path for r in resources):
            raise KeyError("boom")
        return real(language, resources, model)

    files = {
        f"{name}/template.yaml": (
            "Resources:\n  D:\n    Type: AWS::ApiGateway::DomainName\n"
            "    Properties:\n      DomainName: a.example.com\n      SecurityPolicy: TLS_1_0\n"
        )
        for name in ("a-1", "a-2", "b-1", "a-3")
    }
    _write(files, tmp_path)
    monkeypatch.setattr(aws, "adapt", broken)  # forked workers inherit it
    monkeypatch.setattr("iaclint.engine._PART_FILES", 1)
    errors = []
    for jobs in (1, 2):
        with pytest.raises(InternalError) as err:
            scan(ScanOptions(paths=[str(tmp_path)], jobs=jobs))
        errors.append(str(err.value))
    assert errors[0] == errors[1]
    assert errors[0].endswith("b-1/template.yaml: KeyError: 'boom'")


def test_workers_only_when_the_scan_pays_for_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import iaclint.engine as engine
    from iaclint import workers

    small = _write({f"t{i}/template.yaml": "Resources: {}\n" for i in range(40)}, tmp_path / "small")
    big = _write({f"t{i}/template.yaml": "Resources: {}\n" + "# padding\n" * 2000 for i in range(40)},
                 tmp_path / "big")
    monkeypatch.setattr(workers, "available_cores", lambda: 2)

    def jobs(root: Path, asked: int) -> int:
        options = ScanOptions(paths=[str(root)], jobs=asked)
        return engine._jobs(options, plan_parts(discover([str(root)], []).units, options))

    assert jobs(small, 0) == 1  # 40 small templates: not worth a worker
    assert jobs(big, 0) == 2  # 800 KB in two parts
    assert jobs(big, 1) == 1  # --jobs 1: never
    assert jobs(small, 3) == 3  # --jobs N: as asked
    monkeypatch.setattr(workers, "available_cores", lambda: 1)
    assert jobs(big, 0) == 1


def test_an_error_reading_module_calls_is_the_same_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import iaclint.engine as engine
    from iaclint.engine import InternalError
    from iaclint.lang.bicep import graph

    root = _bicep_corpus(tmp_path)

    def broken(units, options=None):  # type: ignore[no-untyped-def]
        raise KeyError("boom")

    monkeypatch.setattr(graph, "module_calls", broken)  # forked workers inherit it
    monkeypatch.setattr(engine, "_GRAPH_UNITS", 8)  # read by the workers with --jobs 2
    errors = []
    for jobs in (1, 2):
        with pytest.raises(InternalError) as err:
            scan(ScanOptions(paths=[str(root)], jobs=jobs))
        errors.append(str(err.value))
    assert errors[0] == errors[1]
    first = next(u for u in discover([str(root)], []).units if u.language == "bicep")
    assert errors[0] == f"{first.path}: KeyError: 'boom'"


def test_a_part_is_full_at_its_bytes_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import iaclint.engine as engine

    # Large templates: a few to a part, whatever _PART_FILES allows (memory follows the bytes).
    template = "Resources: {}\n" + "# padding\n" * 60  # 615 bytes
    root = _write({f"t{i}/template.yaml": template for i in range(5)}, tmp_path)
    monkeypatch.setattr(engine, "_PART_BYTES", 1000)
    parts = plan_parts(discover([str(root)], []).units, ScanOptions(paths=[str(root)]))
    assert [[u.path.parent.name for u in p.units] for p in parts] == [["t0", "t1"], ["t2", "t3"], ["t4"]]


def test_grouping_reads_module_calls_as_terraform_does(tmp_path: Path) -> None:
    import iaclint.engine as engine

    _write({
        # Only a comment and a reference mention modules: no call, a root of its own.
        "solo/main.tf": '# the module "x" lives elsewhere\noutput "o" { value = module.x.y }\n',
        # A source Terraform cannot know before init (a variable) links nothing.
        "dyn/main.tf": 'variable "s" {}\nmodule "m" {\n  source = var.s\n}\n',
        # Two modules calling each other and nobody else: read together, neither as a root.
        "loop/a/main.tf": 'module "b" {\n  source = "../b"\n}\n',
        "loop/b/main.tf": 'module "a" {\n  source = "../a"\n}\n',
        # A module calling itself is not its own caller.
        "self/main.tf": 'module "me" {\n  source = "./"\n}\n',
        "json/main.tf.json": '{"module": {"m": {"source": "../solo"}}}',
    }, tmp_path)
    units = discover([str(tmp_path)], []).units
    groups = engine._linked("terraform", units, ScanOptions(paths=[str(tmp_path)]))
    names = sorted(sorted(u.path.relative_to(tmp_path).as_posix() for u in g) for g in groups)
    assert names == [["dyn"], ["json", "solo"], ["loop/a", "loop/b"], ["self"]]


def _double(n: int, _more: bool) -> int:
    return 2 * n


def test_the_parent_works_meanwhile_only_beside_workers() -> None:
    from iaclint import workers

    for jobs, expected in ((2, ["meanwhile"]), (1, [])):
        calls: list[str] = []
        results = list(workers.run(_double, [1, 2, 3], jobs, meanwhile=partial(calls.append, "meanwhile")))
        assert (results, calls) == ([2, 4, 6], expected)


def test_the_module_call_pass_imports_what_the_parts_need(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Beside the workers reading module calls, the parent imports what the parts' workers will
    # need (it would otherwise be done after, with the workers idle).
    import iaclint.engine as engine

    root = _bicep_corpus(tmp_path)
    preloaded: list[set[str]] = []
    monkeypatch.setattr(engine, "_preload", lambda languages: preloaded.append(set(languages)))
    monkeypatch.setattr(engine, "_GRAPH_UNITS", 8)
    options = ScanOptions(paths=[str(root)], jobs=2)
    plan_parts(discover([str(root)], []).units, options)
    assert preloaded == [{"bicep"}]



def test_preload_imports_what_a_bicep_part_imports() -> None:
    # Workers are forked after `_preload`: what a part would import on first use, they would each
    # import again (the Bicep loader imports its implementation lazily, for the one-file path).
    code = (
        "import sys\n"
        "import iaclint.engine as engine\n"
        "engine._preload({'bicep'})\n"
        "wanted = ['iaclint.lang.bicep.files', 'iaclint.lang.bicep.expressions',\n"
        "          'iaclint.lang.bicep.parser', 'iaclint.lang.arm.functions', 'iaclint.model.azure.azapi']\n"
        "print(sorted(m for m in wanted if m not in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
