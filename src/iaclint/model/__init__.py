"""Model stage: resources of every language in, one cloud-neutral model out."""

from __future__ import annotations

from collections.abc import Iterable

from iaclint.model.scope_model import Model
from iaclint.resources import Resource
from iaclint.values import EvaluationError


def _template_file(r: Resource) -> str:
    # ARM/Bicep addresses are `<entry file>#<symbol>`: module resources stay with their entry file.
    return r.address.split("#", 1)[0]


class AdaptError(Exception):
    """An adapter raised while modelling one scope: a bug, named by the scope's file."""


def build(resources: Iterable[Resource]) -> Model:
    """Adapt and link each scope (a root module, a template) on its own: addresses and refs are
    unique only within one, so links never cross from one configuration into another."""
    scopes: dict[tuple[str, str], list[Resource]] = {}
    for r in resources:
        family = "terraform" if r.language in ("terraform", "terraform-plan") else r.language
        scope = r.scope or (_template_file(r) if family in ("arm", "bicep") else "")
        scopes.setdefault((family, scope), []).append(r)
    model = Model()
    for (family, scope), group in scopes.items():
        try:
            _build_scope(family, group, model)
        except EvaluationError:
            raise  # already names its file
        except Exception as err:
            where = scope or group[0].span.path
            raise AdaptError(f"{where}: {type(err).__name__}: {err}") from err
    return model


def _build_scope(family: str, group: list[Resource], model: Model) -> None:
    part = _adapt(family, group)
    if part is not None:
        from iaclint.model.derive import derive

        part.facts = derive(part)
        model.extend(part)


def _adapt(family: str, group: list[Resource]) -> Model | None:
    if family == "terraform":
        from iaclint.model import aws

        part = Model()
        aws.adapt("terraform", [r for r in group if not r.type.startswith(("azurerm_", "azapi_"))], part)
        azurerm = [r for r in group if r.type.startswith(("azurerm_", "azapi_"))]
        if azurerm:
            from iaclint.model import azure

            azure.adapt(azurerm, part.azure)
        return part
    elif family == "cloudformation":
        from iaclint.model import aws

        part = Model()
        aws.adapt("cloudformation", group, part)
        return part
    elif family in ("arm", "bicep"):
        from iaclint.model import azure

        part = Model()
        azure.adapt(group, part.azure)
        return part
    return None
