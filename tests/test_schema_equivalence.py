"""pydantic-core validates on the hot path; the published JSON Schemas are the reference.
Both must accept and reject exactly the same documents."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from stratlint.load.yaml import parse_yaml
from stratlint.model import KINDS

from conftest import PROJECT, STRATEGY

SCHEMAS = {kind: json.loads((PROJECT / "schemas" / f"{kind}.schema.json").read_text()) for kind in KINDS}
VALIDATORS = {kind: jsonschema.Draft202012Validator(schema) for kind, schema in SCHEMAS.items()}

# Values that probe type strictness: bools are not numbers, numbers are not text, etc.
PROBES: list[Any] = [None, True, 1, 1.0, 1.5, "", "text", "Not An Id", "2026-13-01", [], ["x"], [1], {}, {"x": 1}]


def _documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(STRATEGY.rglob("*.yaml")):
        data = parse_yaml(path.read_bytes()).data
        found.append((path.relative_to(STRATEGY).as_posix(), data))
    return found


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every location in the document, depth first, sampling lists at their first item."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list) and value:
        yield (*prefix, 0)
        yield from _paths(value[0], (*prefix, 0))


def _set(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


def _delete(document: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target = changed
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    return changed


def _variants(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "as written", document
    yield "unknown top-level key", {**document, "ownr": "x"}
    for path in _paths(document):
        where = "/".join(map(str, path))
        if isinstance(path[-1], str):
            yield f"delete {where}", _delete(document, path)
            parent = path[:-1]
            yield f"unknown key beside {where}", _set(document, (*parent, f"{path[-1]}x"), "typo")
        for probe in PROBES:
            yield f"{where} = {probe!r}", _set(document, path, probe)


def _cases() -> list[Any]:
    cases = []
    for name, document in _documents():
        for label, variant in _variants(document):
            cases.append((name, document["kind"], label, variant))
    return cases


@pytest.mark.slow
def test_pydantic_and_jsonschema_agree_on_every_variant() -> None:
    disagreements = []
    checked = 0
    for name, kind, label, variant in _cases():
        try:
            KINDS[kind].model_validate(variant)
            pydantic_ok = True
        except ValidationError:
            pydantic_ok = False
        schema_ok = VALIDATORS[kind].is_valid(variant)
        checked += 1
        if pydantic_ok != schema_ok:
            disagreements.append(f"{name}: {label}: pydantic={pydantic_ok} jsonschema={schema_ok}")
    assert checked > 1000
    assert disagreements == [], "\n".join(disagreements[:40])


@pytest.mark.parametrize("name_document", _documents(), ids=lambda item: item[0])
def test_bundled_files_are_valid_under_both(name_document: tuple[str, dict[str, Any]]) -> None:
    _, document = name_document
    kind = document["kind"]
    KINDS[kind].model_validate(document)
    assert VALIDATORS[kind].is_valid(document)


def test_schema_files_reference_their_kind(tmp_path: Path) -> None:
    for kind, schema in SCHEMAS.items():
        assert schema["properties"]["kind"].get("const") == kind
