"""The order of keys in a strategy file, read off the model.

A file opens with ``stratlint``, ``kind`` and ``id``, then the header every kind shares
(title, owner, description, tags, links, updated), then the fields of its kind in the
order the model declares them. An entry opens with its ``id``, then the fields of its own
kind in the model's order (a roadmap item's title, summary, status, horizon, owner,
segments), then those it shares with entries of other kinds, nearest first: what it traces
to (value, narrative, priority, rationale) and its dates, its lifecycle (status, retired_on,
replaced_by), and the owner, tags, links and notes every entry may have; when it was
written and last reviewed (created, updated) close it, as ``updated`` closes the header.
What else an entry is called (short_name, aliases) stands right after its ``name``. This is
the model's order read from the entry outwards: pydantic lists inherited fields first, which
would put an entry's tags before its name. Keys the model does not know keep their order,
after the known ones.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from pydantic import BaseModel

from stratlint.model import KINDS, ArtifactBase, types_in

FIRST = ("stratlint", "kind", "id")
"""The keys that open a file (and ``id``, an entry)."""


@functools.cache
def key_order(model: type[BaseModel]) -> tuple[str, ...]:
    """The keys of ``model``'s mappings, in the order the formatter writes them."""
    fields = model.model_fields
    order = [name for name in FIRST if name in fields]
    if issubclass(model, ArtifactBase):
        classes = [ArtifactBase, *(cls for cls in reversed(model.__mro__) if cls is not ArtifactBase)]
    else:
        classes = list(model.__mro__)
    for cls in classes:
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            continue
        for name in inspect.get_annotations(cls):
            if name in fields and name not in order:
                order.append(name)
    order.extend(name for name in fields if name not in order)
    if "name" in order:
        # What else the entry is called stands by its name.
        others = [key for key in _NAMES if key in order]
        order = [key for key in order if key not in others]
        order[order.index("name") + 1 : order.index("name") + 1] = others
    if not issubclass(model, ArtifactBase):
        # When the entry was written and last reviewed close it, as 'updated' closes the header.
        order = [name for name in order if name not in _DATES] + [name for name in _DATES if name in order]
    return tuple(order)


_DATES = ("created", "updated")
_NAMES = ("short_name", "aliases")


@functools.cache
def _held_models(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """For each field of ``model`` that holds a model (or a list of them), that model."""
    held: dict[str, type[BaseModel]] = {}
    for name, info in model.model_fields.items():
        for candidate in types_in(info.annotation):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                held[name] = candidate
                break
    return held


def model_of_file(data: Any) -> type[BaseModel] | None:
    """The model of a strategy file's data: its kind's, or None when it names no kind."""
    kind = data.get("kind") if isinstance(data, dict) else None
    return KINDS.get(kind) if isinstance(kind, str) else None


def sorted_keys(keys: list[Any], model: type[BaseModel] | None) -> list[Any]:
    """``keys`` of one mapping in the order to write them: the model's, then the unknown
    ones as they were. Without a model (YAML that is not a strategy file), as they were."""
    if model is None:
        return list(keys)
    rank = {name: index for index, name in enumerate(key_order(model))}
    known = sorted((key for key in keys if isinstance(key, str) and key in rank), key=rank.__getitem__)
    return known + [key for key in keys if not (isinstance(key, str) and key in rank)]


def child_model(model: type[BaseModel] | None, key: Any) -> type[BaseModel] | None:
    """The model of the value under ``key`` of a mapping of ``model`` (of each item, when
    the value is a list), or None."""
    if model is None or not isinstance(key, str):
        return None
    return _held_models(model).get(key)
