"""Writes `model/aws_index.py` and `model/azure_index.py`, what a full walk of the AWS and Azure
model packages registers, so that a scan imports only the readers (and AWS services) its resources
need: `python -m iaclint.model.index_source` from the repository root. `tests/model/test_model_indexes.py`
compares the files with a fresh walk in a new interpreter, so they can never disagree with the
registrations."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

PACKAGE = "iaclint.model.aws"


def index_source() -> str:
    """The text of `aws_index.py` as a full walk sees the package now (run in a fresh interpreter:
    the builders' order is the order their modules are first imported)."""
    import importlib
    import pkgutil
    from dataclasses import fields

    from iaclint.model import adapters, derive

    root = importlib.import_module(PACKAGE)
    modules = [info.name for info in pkgutil.walk_packages(root.__path__, PACKAGE + ".")]
    services = [info.name for info in pkgutil.walk_packages(root.__path__, PACKAGE + ".") if info.ispkg]
    adapters.readers(PACKAGE)
    builders = [f"{b.__module__}.{b.__qualname__}" for b in derive.builders((PACKAGE,))]
    readers = {key: fn.__module__ for key, fn in sorted(adapters._READERS.items())}

    from iaclint.model.aws.model import AwsModel

    # The entity lists of the AWS model by the service whose entities they hold.
    model_module = sys.modules[AwsModel.__module__]
    holders: dict[str, str] = {}
    for f in fields(AwsModel):
        element = str(f.type).removeprefix("list[").removesuffix("]")
        owner = _entity_module(element, model_module, services)
        holders[f.name] = next(s for s in services if owner.startswith(s + "."))
    return "\n".join([
        *_header("AWS"),
        f"PACKAGE = {PACKAGE!a}",
        "",
        *_tuple("Every module of the package, in the order a full walk imports them.", "MODULES", modules),
        *_tuple("The service packages.", "SERVICES", services),
        *_mapping("(language, resource type) -> the module that registers its reader.", "READERS",
                  "tuple[str, str]", readers),
        *_tuple("The fact builders (module.name) in the order a full walk registers them.", "BUILDERS",
                builders),
        *_mapping("The AWS model's entity lists, by the service that fills them.", "HOLDERS", "str",
                  holders),
    ])


def azure_index_source() -> str:
    """The text of `azure_index.py`: each Azure reader's module, and the link modules."""
    from iaclint.model.azure import registry

    registry.load_all()
    readers = {key: fn.__module__ for key, fn in sorted(registry._READERS.items())}
    links = sorted({fn.__module__ for _order, _name, fn in registry._LINKERS})
    return "\n".join([
        *_header("Azure"),
        *_mapping("(language family, resource type in lower case) -> the module that registers its reader.",
                  "READERS", "tuple[str, str]", readers),
        *_tuple("The modules that register link steps.", "LINKS", links),
    ])


def _header(cloud: str) -> list[str]:
    """The generated file's docstring and lint settings."""
    return [
        f'"""What the {cloud} model package registers, written by `python -m iaclint.model.index_source`',
        "from a full walk and checked against one by tests/model/test_model_indexes.py: it never disagrees",
        'with the registrations."""',
        "",
        "# ruff: noqa: E501",
        "# fmt: off",
        "",
    ]


def _tuple(comment: str, name: str, items: list[str]) -> list[str]:
    """A commented tuple of strings, one per line."""
    return [f"# {comment}", f"{name}: tuple[str, ...] = (", *(f"    {x!a}," for x in items), ")", ""]


def _mapping(comment: str, name: str, key: str, items: dict[Any, str]) -> list[str]:
    """A commented dict of `key` to module names, one entry per line."""
    entries = (f"    {k!a}: {v!a}," for k, v in items.items())
    return [f"# {comment}", f"{name}: dict[{key}, str] = {{", *entries, "}", ""]


def _entity_module(name: str, model_module: object, services: list[str]) -> str:
    import importlib

    cls = getattr(model_module, name, None)
    if cls is None:  # imported for type checking only: look in each service's entities
        for service in services:
            cls = getattr(importlib.import_module(f"{service}.entities"), name, None)
            if cls is not None:
                break
    if cls is None:
        raise LookupError(f"no entity class {name} in the AWS services")
    return str(cls.__module__)


def main(argv: list[str]) -> int:
    folder = Path(argv[1] if len(argv) > 1 else "src/iaclint/model")
    if not folder.is_dir():
        print(f"no directory {folder}: run from the repository root or name the folder", file=sys.stderr)
        return 2
    (folder / "aws_index.py").write_text(index_source(), encoding="utf-8")
    (folder / "azure_index.py").write_text(azure_index_source(), encoding="utf-8")
    print(f"wrote the AWS and Azure model indexes to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
