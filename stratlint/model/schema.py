"""The published JSON Schemas (draft 2020-12), generated from the pydantic models.

``python -m stratlint.generate`` writes them to schemas/; a test fails when the committed
files and the models differ.
"""

from __future__ import annotations

import json
from typing import Any

from stratlint.model import KINDS

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:stratlint:schema:1:{kind}"


def schema_filename(kind: str) -> str:
    return f"{kind}.schema.json"


def build_schema(kind: str) -> dict[str, Any]:
    model = KINDS[kind]
    generated = model.model_json_schema(mode="validation")
    schema: dict[str, Any] = {"$schema": DIALECT, "$id": SCHEMA_ID.format(kind=kind)}
    schema.update(generated)
    return schema


def render_schema(kind: str) -> str:
    return json.dumps(build_schema(kind), indent=2, ensure_ascii=False) + "\n"
