"""Where adapters register: a reader per resource type and language, and link steps per cloud.

A service package (`model/aws/apigateway/`...) holds one small module per language
(`terraform.py`, `cloudformation.py`, `sam.py`) whose functions register with
`@adapter("aws_api_gateway_domain_name", language="terraform")`, and a `links.py` whose steps
register with `@link_step(order)`. The model stage finds them by walking the cloud's package, as
`derive.py` finds fact builders: adding a resource type is a function in one module, with no list to
edit elsewhere.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import field
from typing import Any

from iaclint.model import aws_index
from iaclint.model.scope_model import Model
from iaclint.records import record
from iaclint.resources import Resource


@record
class Scope:
    """What readers and link steps of one scope (a root module, a template) work with."""

    # The language family: "terraform" (also plans) or "cloudformation" (also SAM).
    language: str
    model: Model
    # Every resource of the scope by address, adapted or not (a data source a reader consults).
    resources: dict[str, Resource]
    # What the readers of one scope share (SAM's implicit APIs, declared by the first event).
    state: dict[str, Any] = field(default_factory=dict)


Reader = Callable[[Resource, Scope], None]
Step = Callable[[Scope], None]

_READERS: dict[tuple[str, str], Reader] = {}
# package → [(order, name, step)]
_STEPS: dict[str, list[tuple[int, str, Step]]] = {}
_LOADED: set[str] = set()


def adapter(*types: str, language: str) -> Callable[[Reader], Reader]:
    """Register `fn` as the reader of resources of `types` written in `language`."""

    def register(fn: Reader) -> Reader:
        for t in types:
            known = _READERS.get((language, t))
            if known is not None and known.__qualname__ != fn.__qualname__:
                raise ValueError(
                    f"{language} {t} has two readers: {known.__qualname__} and {fn.__qualname__}"
                )
            _READERS[(language, t)] = fn
        return fn

    return register


def link_step(order: int) -> Callable[[Step], Step]:
    """Register `fn` as a link step of the cloud package it is declared in. Steps run after every
    reader of the scope, lowest `order` first: 10 links a service's entities to one another, 20
    links across services (what fronts what), 30 works on linked entities."""

    def register(fn: Step) -> Step:
        package = ".".join(fn.__module__.split(".")[:3])  # iaclint.model.<cloud>
        steps = _STEPS.setdefault(package, [])
        name = f"{fn.__module__}.{fn.__qualname__}"
        if not any(n == name for _, n, _ in steps):
            steps.append((order, name, fn))
            steps.sort(key=lambda s: (s[0], s[1]))
        return fn

    return register


def _load(package: str) -> None:
    """Import every module of a cloud package once, so its readers and steps register."""
    if package in _LOADED:
        return
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        importlib.import_module(info.name)
    _LOADED.add(package)


def _load_for(package: str, language: str, types: set[str]) -> None:
    """Import what a scope of `language` with resources of `types` needs: the package's own modules,
    and of each service that reads one of the types, the readers of those types and the service's
    other modules (entities, links, facts), not its other languages' readers. A service none of
    whose readers is needed has no entities in the scope, so its link steps and builders, which
    work on its own entities only, would do nothing. Packages without an index load whole."""
    if package in _LOADED:
        return
    if package != aws_index.PACKAGE:
        _load(package)
        return
    needed = {aws_index.READERS[(language, t)] for t in types if (language, t) in aws_index.READERS}
    if needed <= _IMPORTED:
        return
    services = {_service(m) for m in needed}
    readers = _reader_modules()
    for name in aws_index.MODULES:
        if name in _IMPORTED:
            continue
        service = _service(name)
        if service is None or (service in services and (name not in readers or name in needed)):
            importlib.import_module(name)
            _IMPORTED.add(name)


_IMPORTED: set[str] = set()


def _service(module: str) -> str | None:
    """The service package `module` belongs to, None for the cloud package's own modules."""
    for service in aws_index.SERVICES:
        if module == service or module.startswith(service + "."):
            return service
    return None


def _reader_modules() -> set[str]:
    return set(aws_index.READERS.values())


def readers(package: str) -> dict[tuple[str, str], Reader]:
    _load(package)
    return _READERS


def adapt(package: str, language: str, resources: Iterable[Resource], model: Model) -> Scope:
    """Read every resource of one scope that a service of `package` registered for, then run the
    package's link steps."""
    resources = list(resources)
    _load_for(package, language, {r.type for r in resources})
    scope = Scope(language, model, {r.address: r for r in resources})
    for r in resources:
        reader = _READERS.get((language, r.type))
        if reader is not None and reader.__module__.startswith(package + "."):
            reader(r, scope)
    for _order, _name, step in _STEPS.get(package, []):
        step(scope)
    return scope
