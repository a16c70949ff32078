"""The typed strategy model. ``schemas/`` is generated from these classes."""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from stratlint.model.common import ArtifactBase, Function, NodeType
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
    """The function whose plan a file of ``kind`` is (roadmap: product), or None."""
    model = KINDS.get(kind) if kind is not None else None
    return model.function if model is not None else None


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


__all__ = ["KINDS", "ArtifactBase", "Function", "NodeType", "all_models", "plan_function", "types_in"]
