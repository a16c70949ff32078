"""The published JSON Schema of a YAML policy file (``schemas/policy/policy.schema.json``), from
the policy model: editors check a policy file as it is written, and it says what stratlint
says (``python -m stratlint_dev.generate`` writes it; a test fails when it drifts)."""

from __future__ import annotations

import functools
import json
from typing import Any

from pydantic import BaseModel

from stratlint.custom import model as policy_model
from stratlint.custom.model import PolicyFile
from stratlint.model.schema import DIALECT, field_docstrings, schema_id

POLICY_SCHEMA = "policy/policy.schema.json"
"""Where the schema is published, under ``schemas/``: in a folder of its own, beside the
strategy files' schemas (which are those of the kinds, and no other)."""


@functools.cache
def describe_fields() -> None:
    """Give every field of the policy's models the docstring under it as its description, and
    rebuild the models (those they hold first): what pydantic's use_attribute_docstrings does
    at import, done where it is needed (the schema and the README's reference)."""
    models = [
        value
        for value in vars(policy_model).values()
        if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == policy_model.__name__
    ]
    for model in models:
        written = field_docstrings(model)
        for name, info in model.model_fields.items():
            if info.description is None and name in written:
                info.description = written[name]
    for model in models:
        model.model_rebuild(force=True)
    for model in models:  # those that hold the others, once those carry their descriptions
        model.model_rebuild(force=True)


def policy_schema() -> dict[str, Any]:
    describe_fields()
    schema: dict[str, Any] = {"$schema": DIALECT, "$id": schema_id(POLICY_SCHEMA.removesuffix(".schema.json"))}
    schema.update(PolicyFile.model_json_schema(mode="validation", by_alias=True))
    return schema


def render_policy_schema() -> str:
    return json.dumps(policy_schema(), indent=2, ensure_ascii=False) + "\n"
