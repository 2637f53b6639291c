"""From a linked model to the facts the rules read (`model/facts.py`).

Endpoints are neutral already and are carried over as they are. Every other fact comes from a
service's builder: a `facts.py` module in a service package (`model/aws/apigateway/facts.py`,
`model/azure/apim/facts.py`...) that registers its builders with `@builder`. The modules are found,
not listed: a new service is a new package with a `facts.py`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from iaclint.model.entities import Endpoint as PlatformEndpoint
from iaclint.model.facts import Attachment, Endpoint, Facts, Origin, Setting, Waf
from iaclint.model.scope_model import Model


class Derivation:
    """What a builder works with: the linked model, the facts so far, and the fact endpoint made
    for each of the model's endpoints (a builder adds ciphers or client certificates to them)."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.facts = Facts()
        self._endpoints: dict[int, Endpoint] = {}
        self._wafs: dict[int, Waf] = {}
        for ep in model.endpoints:
            fact = _endpoint(ep)
            self._endpoints[id(ep)] = fact
            self.facts.endpoints.append(fact)

    def endpoint(self, platform_endpoint: PlatformEndpoint) -> Endpoint:
        return self._endpoints[id(platform_endpoint)]

    def waf(self, entity: object, make: Callable[[Any], Waf]) -> Waf:
        """The WAF fact of a platform entity (a web ACL, a WAF policy), made once: every target it
        is attached to shares it, and it is listed once in `facts.wafs`."""
        got = self._wafs.get(id(entity))
        if got is None:
            got = self._wafs[id(entity)] = make(entity)
            self.facts.wafs.append(got)
        return got

    def attach(self, waf: Waf, target_label: str) -> Attachment:
        """`waf` in front of a target: the WAF's messages name what it protects."""
        if target_label not in waf.protects:
            waf.protects.append(target_label)
        return Attachment(waf, Setting.absent(""))


Builder = Callable[[Derivation], None]
_BUILDERS: list[Builder] = []
_PACKAGES = ("iaclint.model.aws", "iaclint.model.azure")


def builder(fn: Builder) -> Builder:
    if fn not in _BUILDERS:
        _BUILDERS.append(fn)
    return fn


_WALKED: set[str] = set()


def builders(packages: tuple[str, ...] = _PACKAGES) -> list[Builder]:
    """The registered builders of `packages` (and any registered from elsewhere), the `facts`
    modules of their service packages imported on first use, each package walked once per process
    (the scan derives facts once per part)."""
    for name in packages:
        if name in _WALKED:
            continue
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, name + "."):
            if info.name.endswith(".facts"):
                importlib.import_module(info.name)
        _WALKED.add(name)
    left_out = tuple(f"{p}." for p in _PACKAGES if p not in packages)
    return [b for b in _BUILDERS if not (left_out and b.__module__.startswith(left_out))]


def derive(model: Model) -> Facts:
    d = Derivation(model)
    # A model without Azure entities needs no Azure builder (nor their imports: APIM policy XML),
    # one without AWS entities no AWS builder (their only neutral input, an endpoint's mutual TLS,
    # is set by AWS readers alone).
    packages = tuple(
        p for p, part in zip(_PACKAGES, (model.aws_part, model.azure_part), strict=True) if part is not None
    )
    for build in _builders_for(model, packages):
        build(d)
    return d.facts


def _builders_for(model: Model, packages: tuple[str, ...]) -> list[Builder]:
    """The builders `model` needs. An AWS service's builder works on that service's entities only,
    so the `facts` modules of services with no entity in the model are not imported (a builder
    already registered runs, and finds nothing); builders run in the order a full walk registers
    them, whatever order their modules were imported in."""
    if _PACKAGES[0] not in packages:
        return builders(packages)
    from iaclint.model import aws_index  # not for a scan without AWS resources

    aws = model.aws
    for service in sorted({aws_index.HOLDERS[name] for name, held in _lists(aws) if held}):
        importlib.import_module(f"{service}.facts")
    builders(tuple(p for p in packages if p != aws_index.PACKAGE))  # walks the other packages
    left_out = tuple(f"{p}." for p in _PACKAGES if p not in packages)
    found = [b for b in _BUILDERS if not (left_out and b.__module__.startswith(left_out))]
    order = {name: i for i, name in enumerate(aws_index.BUILDERS)}
    late = len(order)
    return sorted(found, key=lambda b: order.get(f"{b.__module__}.{b.__qualname__}", late))


def _lists(aws: Any) -> list[tuple[str, list[Any]]]:
    from iaclint.model import aws_index

    return [(name, getattr(aws, name)) for name in aws_index.HOLDERS]


def _endpoint(ep: PlatformEndpoint) -> Endpoint:
    attr = ep.mtls_attribute
    return Endpoint(
        origin=Origin.of(ep.resource, ep.label),
        tls=ep.tls,
        http=list(ep.http),
        custom_domain=ep.custom_domain,
        # Where client authentication is written, or would be: an empty block is reported where it
        # is, a missing one at the resource.
        client_auth_setting=Setting(ep.resource.body.path(*attr.split(".")), attr),
        access_mode=Setting(ep.access_mode, ep.access_mode_attribute) if ep.access_mode is not None else None,
    )
