"""Writes `model/aws_index.py` and `model/azure_index.py`, what a full walk of the AWS and Azure
model packages registers, so that a scan imports only the readers (and AWS services) its resources
need: `python -m iaclint.model.index_source` from the repository root. `tests/model/test_model_indexes.py`
compares the files with a fresh walk in a new interpreter, so they can never disagree with the
registrations."""

from __future__ import annotations

import sys
from pathlib import Path

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
    lines = [
        '"""What the AWS model package registers, written by `python -m iaclint.model.index_source`',
        "from a full walk and checked against one by tests/model/test_model_indexes.py: it never disagrees",
        'with the registrations."""',
        "",
        "# ruff: noqa: E501",
        "# fmt: off",
        "",
        f"PACKAGE = {PACKAGE!a}",
        "",
        "# Every module of the package, in the order a full walk imports them.",
        "MODULES: tuple[str, ...] = (",
        *(f"    {m!a}," for m in modules),
        ")",
        "",
        "# The service packages.",
        "SERVICES: tuple[str, ...] = (",
        *(f"    {s!a}," for s in services),
        ")",
        "",
        "# (language, resource type) -> the module that registers its reader.",
        "READERS: dict[tuple[str, str], str] = {",
        *(f"    {k!a}: {v!a}," for k, v in readers.items()),
        "}",
        "",
        "# The fact builders (module.name) in the order a full walk registers them.",
        "BUILDERS: tuple[str, ...] = (",
        *(f"    {b!a}," for b in builders),
        ")",
        "",
        "# The AWS model's entity lists, by the service that fills them.",
        "HOLDERS: dict[str, str] = {",
        *(f"    {k!a}: {v!a}," for k, v in holders.items()),
        "}",
        "",
    ]
    return "\n".join(lines)


def azure_index_source() -> str:
    """The text of `azure_index.py`: each Azure reader's module, and the link modules."""
    from iaclint.model.azure import registry

    registry.load_all()
    readers = {key: fn.__module__ for key, fn in sorted(registry._READERS.items())}
    links = sorted({fn.__module__ for _order, _name, fn in registry._LINKERS})
    lines = [
        '"""What the Azure model package registers, written by `python -m iaclint.model.index_source`',
        "from a full walk and checked against one by tests/model/test_model_indexes.py: it never disagrees",
        'with the registrations."""',
        "",
        "# ruff: noqa: E501",
        "# fmt: off",
        "",
        "# (language family, resource type in lower case) -> the module that registers its reader.",
        "READERS: dict[tuple[str, str], str] = {",
        *(f"    {k!a}: {v!a}," for k, v in readers.items()),
        "}",
        "",
        "# The modules that register link steps.",
        "LINKS: tuple[str, ...] = (",
        *(f"    {m!a}," for m in links),
        ")",
        "",
    ]
    return "\n".join(lines)


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
