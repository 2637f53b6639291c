"""Azure adapters register themselves here, so adding a resource type needs no list elsewhere.

Each service package (`apim/`, `appgateway/`, `frontdoor/`, `cdn/`, `waf/`) holds a reader per
language family that registers the resource types it reads: `@reads("arm", "Microsoft.Cdn/profiles")`
in `arm.py` (ARM templates, Bicep and `azapi_resource` bodies: all have ARM's shape) and
`@reads("azurerm", "azurerm_cdn_frontdoor_profile")` in `azurerm.py`; and a `links.py` that
registers what it connects with `@linker(order)`. The modules are found by walking the Azure
packages, as `model/derive.py` finds fact builders.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from iaclint.resources import Resource

if TYPE_CHECKING:
    from iaclint.model.azure.entities import AzureModel

Reader = Callable[[Resource, "AzureModel"], None]
Linker = Callable[["AzureModel"], None]

FAMILIES = ("arm", "azurerm")
_MODULES = (*FAMILIES, "links")
_READERS: dict[tuple[str, str], Reader] = {}
_LINKERS: list[tuple[int, str, Linker]] = []
_loaded = False


def reads(family: str, *types: str) -> Callable[[Reader], Reader]:
    """Register a reader of `types` (compared without case, as Azure does) in a language family."""
    if family not in FAMILIES:
        raise ValueError(f"unknown language family {family!r}")

    def register(fn: Reader) -> Reader:
        for t in types:
            key = (family, t.lower())
            if _READERS.get(key, fn) is not fn:
                raise ValueError(f"{t} is read twice in {family}")
            _READERS[key] = fn
        _FOUND.clear()
        return fn

    return register


def linker(order: int) -> Callable[[Linker], Linker]:
    """Register a link step; steps run by `order` (a service whose links others build on first)."""

    def register(fn: Linker) -> Linker:
        name = f"{fn.__module__}.{fn.__qualname__}"
        if not any(n == name for _o, n, _f in _LINKERS):
            _LINKERS.append((order, name, fn))
            _LINKERS.sort(key=lambda x: (x[0], x[1]))
        return fn

    return register


def walked() -> list[str]:
    """The reader and link modules of every service package, in walk order."""
    package = importlib.import_module("iaclint.model.azure")
    return [
        info.name
        for info in pkgutil.walk_packages(package.__path__, "iaclint.model.azure.")
        if info.name.rsplit(".", 1)[-1] in _MODULES and info.name.count(".") == 4
    ]


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for name in walked():
        importlib.import_module(name)
    _loaded = True


_IMPORTED: set[str] = set()


def _import(names: Iterable[str]) -> None:
    for name in names:
        if name not in _IMPORTED:
            importlib.import_module(name)
            _IMPORTED.add(name)


# (family, type as written) -> its reader: asked for every resource of a scan (3,240 on the
# gateway-dense Bicep corpus), of a few dozen types. Emptied when a reader registers.
_FOUND: dict[tuple[str, str], Reader | None] = {}


def reader(family: str, rtype: str) -> Reader | None:
    """The reader of `rtype` in `family`: only its module is imported (a Bicep scan needs no
    azurerm reader, nor the readers of services it does not use), as `azure_index.py` names it."""
    try:
        return _FOUND[family, rtype]
    except KeyError:
        pass
    found = _FOUND[family, rtype] = _reader(family, rtype)
    return found


def _reader(family: str, rtype: str) -> Reader | None:
    key = (family, rtype.lower())
    if not _loaded:
        from iaclint.model import azure_index

        module = azure_index.READERS.get(key)
        if module is not None:
            _import((module,))
    return _READERS.get(key)


def types(family: str) -> set[str]:
    """Every resource type a family reads (lower case)."""
    _load()
    return {t for f, t in _READERS if f == family}


def linkers() -> list[Linker]:
    if not _loaded:
        from iaclint.model import azure_index

        _import(azure_index.LINKS)
    return [fn for _o, _n, fn in _LINKERS]


def load_all() -> None:
    """Import every reader and link module (before workers are forked)."""
    _load()
