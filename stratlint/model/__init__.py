"""The typed strategy model. ``schemas/`` is generated from these classes."""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from stratlint.model.common import ArtifactBase, Function, NodeType, Ref
from stratlint.model.functions import DEFAULT_FUNCTIONS, PLAN_KINDS, Functions, FunctionSpec
from stratlint.model.governance import Governance
from stratlint.model.market import Market
from stratlint.model.messaging import Messaging
from stratlint.model.narrative import Narrative
from stratlint.model.playbook import Playbook
from stratlint.model.priorities import Priorities
from stratlint.model.release import Release
from stratlint.model.roadmap import Roadmap
from stratlint.model.value import ValueDefinition

KINDS: dict[str, type[ArtifactBase]] = {
    model.kind_name: model
    for model in (ValueDefinition, Narrative, Priorities, Roadmap, Messaging, Playbook, Governance, Release, Market)
}
"""Every artifact kind, by the name written in ``kind:``."""


def plan_function(kind: str | None) -> Function | None:
    """The function whose plans files of ``kind`` are by default (roadmap: product), or None."""
    return PLAN_KINDS.get(kind) if kind is not None else None


def plan_owner(kind: str | None, model: BaseModel | None) -> str | None:
    """The organisation's function whose plan a file of ``kind`` is: the function its
    ``model`` names, else the kind's own (roadmap: product); None for a file that is no plan."""
    own = plan_function(kind)
    if own is None:
        return None
    declared = getattr(model, "function", None)
    return declared if isinstance(declared, str) else own.value


def types_in(annotation: Any) -> Iterator[Any]:
    """``annotation`` and every type inside it (``list[Claim] | None`` gives Claim too)."""
    yield annotation
    for argument in typing.get_args(annotation):
        yield from types_in(argument)


@functools.cache
def all_models() -> tuple[type[BaseModel], ...]:
    """Every model of every kind: the kinds' models and all the models their fields hold,
    each after the models it holds."""
    order: list[type[BaseModel]] = []

    def collect(model: type[BaseModel]) -> None:
        if model in order:
            return
        for info in model.model_fields.values():
            for held in types_in(info.annotation):
                if isinstance(held, type) and issubclass(held, BaseModel):
                    collect(held)
        order.append(model)

    for model in KINDS.values():
        collect(model)
    return tuple(order)


def owner_model(kind: str, loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model of the mapping the last key of ``loc`` (a path into a file of ``kind``,
    keys and list indexes) belongs to, or None when the path leaves the model."""
    current: type[BaseModel] | None = KINDS.get(kind)
    for step in loc[:-1]:
        if current is None or isinstance(step, int):
            continue
        info = current.model_fields.get(step)
        if info is None:
            return None
        held = [t for t in types_in(info.annotation) if isinstance(t, type) and issubclass(t, BaseModel)]
        if not held:
            return None
        current = held[0]
    return current


def reference_at(kind: str, loc: tuple[int | str, ...]) -> Ref | None:
    """The reference marker of the field that the value at ``loc`` is (or is an item of),
    or None when that field holds no references."""
    while loc and isinstance(loc[-1], int):
        loc = loc[:-1]
    model = owner_model(kind, loc) if loc else None
    info = model.model_fields.get(str(loc[-1])) if model is not None else None
    return next((item for item in info.metadata if isinstance(item, Ref)), None) if info is not None else None


__all__ = [
    "DEFAULT_FUNCTIONS",
    "KINDS",
    "PLAN_KINDS",
    "ArtifactBase",
    "Function",
    "FunctionSpec",
    "Functions",
    "NodeType",
    "all_models",
    "owner_model",
    "plan_function",
    "plan_owner",
    "reference_at",
    "types_in",
]
