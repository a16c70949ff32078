"""Generated files never drift: schemas/ from the models, the README rules table from the registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from stratlint.model import KINDS
from stratlint.model.schema import build_schema, schema_id
from stratlint_dev.generate import expected_files

from conftest import PROJECT


@pytest.mark.parametrize("path_content", expected_files(PROJECT).items(), ids=lambda item: item[0].name)
def test_generated_file_is_current(path_content: tuple[Path, str]) -> None:
    path, content = path_content
    assert path.read_text(encoding="utf-8") == content, f"{path.name} is stale: run python -m stratlint.generate"


def _properties(schema: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            found.append((f"{where}/{name}", sub))
        for key, sub in schema.items():
            if isinstance(sub, (dict, list)):
                found.extend(_properties(sub, f"{where}/{key}"))
    elif isinstance(schema, list):
        for index, sub in enumerate(schema):
            found.extend(_properties(sub, f"{where}/{index}"))
    return found


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_schema_is_a_valid_2020_12_schema_with_id_and_descriptions(kind: str) -> None:
    schema = json.loads((PROJECT / "schemas" / f"{kind}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == schema_id(kind)
    properties = _properties(schema)
    assert properties
    missing = [where for where, sub in properties if not sub.get("description")]
    assert missing == [], f"properties without a description: {missing}"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_object_is_closed(kind: str) -> None:
    schema = build_schema(kind)
    objects = [schema, *schema.get("$defs", {}).values()]
    open_objects = [
        o.get("title") for o in objects if o.get("type") == "object" and o.get("additionalProperties") is not False
    ]
    assert open_objects == []
