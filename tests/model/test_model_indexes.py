"""The model indexes (`model/aws_index.py`, `model/azure_index.py`) let a scan import only the
readers and services its resources need; they must say exactly what a full walk of the packages
registers, or a reader, link step or fact builder would be missed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import iaclint
from iaclint.model import aws_index, azure_index

SRC = Path(iaclint.__file__).resolve().parents[1]
INDEX = Path(aws_index.__file__)
AZURE_INDEX = Path(azure_index.__file__)


def _fresh(code: str) -> str:
    # A new interpreter: the builders' order is the order a first full walk imports their modules.
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(SRC)}
    )
    return done.stdout


def test_index_is_current() -> None:
    fresh = _fresh("from iaclint.model.index_source import index_source; print(index_source(), end='')")
    assert INDEX.read_text(encoding="utf-8") == fresh, (
        "src/iaclint/model/aws_index.py is stale: run `python -m iaclint.model.index_source`"
    )


def test_index_names_readers_and_builders() -> None:
    assert ("terraform", "aws_api_gateway_stage") in aws_index.READERS
    assert aws_index.READERS[("cloudformation", "AWS::ElasticLoadBalancingV2::LoadBalancer")].endswith(
        ".elb.cloudformation"
    )
    assert aws_index.HOLDERS["distributions"] == "iaclint.model.aws.cloudfront"
    assert len(aws_index.BUILDERS) == len(aws_index.SERVICES)


def test_a_scope_loads_only_the_services_it_reads() -> None:
    code = """
import sys
from iaclint.model import adapters
adapters._load_for("iaclint.model.aws", "terraform", {"aws_cloudfront_distribution", "null_resource"})
print(sorted(m for m in sys.modules if m.startswith("iaclint.model.aws.")))
print(adapters._READERS[("terraform", "aws_cloudfront_distribution")].__module__)
"""
    loaded, reader = _fresh(code).splitlines()
    assert reader == "iaclint.model.aws.cloudfront.terraform"
    assert "iaclint.model.aws.cloudfront.links" in loaded and "iaclint.model.aws.cloudfront.facts" in loaded
    assert "iaclint.model.aws.elb" not in loaded
    assert "iaclint.model.aws.cloudfront.cloudformation" not in loaded


def test_each_type_alone_finds_its_reader() -> None:
    code = """
from iaclint.model import adapters, aws_index
wrong = []
for (language, kind), module in aws_index.READERS.items():
    adapters._load_for(aws_index.PACKAGE, language, {kind})
    found = adapters._READERS.get((language, kind))
    if found is None or found.__module__ != module:
        wrong.append((language, kind))
print(wrong)
"""
    assert _fresh(code).strip() == "[]"


def test_azure_index_is_current() -> None:
    fresh = _fresh(
        "from iaclint.model.index_source import azure_index_source; print(azure_index_source(), end='')"
    )
    assert AZURE_INDEX.read_text(encoding="utf-8") == fresh, (
        "src/iaclint/model/azure_index.py is stale: run `python -m iaclint.model.index_source`"
    )


def test_a_bicep_reader_imports_no_azurerm_reader() -> None:
    code = """
import sys
from iaclint.model.azure import registry
read = registry.reader("arm", "Microsoft.ApiManagement/service")
print(read.__module__)
readers = (".arm", ".azurerm")
print(sorted(m for m in sys.modules if m.startswith("iaclint.model.azure.") and m.endswith(readers)))
print(registry.reader("arm", "Microsoft.Unknown/thing"))
"""
    module, readers, unknown = _fresh(code).splitlines()
    assert module == "iaclint.model.azure.apim.arm"
    assert readers == "['iaclint.model.azure.apim.arm']"
    assert unknown == "None"


def test_each_azure_type_alone_finds_its_reader() -> None:
    code = """
from iaclint.model import azure_index
from iaclint.model.azure import registry
wrong = [key for key, module in azure_index.READERS.items()
         if getattr(registry.reader(*key), "__module__", None) != module]
print(wrong, len(registry.linkers()) == len(registry._LINKERS) > 0)
"""
    assert _fresh(code).strip() == "[] True"
