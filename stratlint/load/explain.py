"""Validation errors in the words of the people who own the strategy.

pydantic says ``string_pattern_mismatch`` and jsonschema says ``'x' does not match '^...$'``;
a product marketer needs "is 'Q3', which is not a quarter such as '2027-Q1'". This module
is the one place that turns both into plain words, for strategy files (the loader) and for
the configuration file alike, with one vocabulary for the kinds of values.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from stratlint.load.yaml import shown
from stratlint.model import all_models, types_in
from stratlint.model.common import PATTERN_MEANINGS


def type_name(value: Any, *, mapping: str = "a mapping") -> str:
    """What kind of value ``value`` is, as a reader would say it: 'text', 'a number'."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return mapping
    return type(value).__name__


_EXPECTED = {
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "bool_type": "true or false",
    "int_type": "a whole number",
}


def explain(item: Mapping[str, Any], *, words: Mapping[str, str] | None = None) -> str:
    """One pydantic error as the end of a sentence about the value ("is empty; write
    something here."). ``words`` replaces the name of an expected kind of value where a
    file speaks of it differently (a TOML file has tables, not mappings)."""
    vocabulary = {**_EXPECTED, **(words or {})}
    error_type = item["type"]
    raw = item.get("input")
    # Literal and pattern errors are about single values; shown() keeps a long one short.
    given = shown(raw) if isinstance(raw, (str, int, float)) else ""
    ctx = item.get("ctx") or {}
    if error_type == "literal_error":
        return f"is '{given}', which is not one of {ctx.get('expected', 'the allowed values')}."
    if error_type == "string_pattern_mismatch":
        meaning = PATTERN_MEANINGS.get(str(ctx.get("pattern", "")), "in the expected form")
        return f"is '{given}', which is not {meaning}."
    if error_type == "string_too_short":
        return "is empty; write something here."
    if error_type in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"is {given}, which is {_bound(error_type, ctx)}."
    if error_type.endswith("_type"):
        expected = vocabulary.get(error_type, error_type.removesuffix("_type"))
        found = type_name(raw, mapping=vocabulary["dict_type"])
        if error_type == "string_type" and isinstance(raw, (int, float)):
            # A version '17.0' or a code 0042 written bare reads as a number (or true/false).
            return f"should be {expected}, not {found}; put it in quotes to keep it as written."
        return f"should be {expected}, not {found}."
    if error_type == "value_error" and "error" in ctx:
        return f"is invalid: {ctx['error']}."
    return f"is invalid: {item.get('msg', error_type)}."


def _bound(error_type: str, ctx: Mapping[str, Any]) -> str:
    words = {
        "greater_than": "not more than {}",
        "greater_than_equal": "less than {}",
        "less_than": "not less than {}",
        "less_than_equal": "more than {}",
    }
    limit = next((ctx[key] for key in ("gt", "ge", "lt", "le") if key in ctx), "the limit")
    return words[error_type].format(limit) + ", the limit"


@functools.cache
def field_names() -> list[str]:
    """Every field name of every model, for 'did you mean' on an unknown key."""
    return sorted({name for model in all_models() for name in model.model_fields})


@functools.cache
def entry_nouns() -> dict[str, str]:
    """List fields that hold entries, by name, with what an entry is called: 'items' -> 'roadmap item'."""
    nouns: dict[str, str] = {}
    for model in all_models():
        for name, info in model.model_fields.items():
            for arg in types_in(info.annotation):
                node_type = getattr(arg, "node_type", None) if isinstance(arg, type) else None
                if node_type is not None:
                    nouns[name] = str(node_type.value)
    nouns["conflicts"] = "metric conflict"
    nouns["links"] = "link"
    return nouns


def describe_owner(owner: Any, container: str | None, kind: str) -> str:
    """How a message names the entry a problem is in: "Roadmap item 'rm-sso'"."""
    ident = owner.get("id") if isinstance(owner, dict) else None
    noun = entry_nouns().get(container or "")
    if noun and isinstance(ident, str):
        return f"{noun.capitalize()} '{shown(ident)}'"
    if noun:
        return f"A {noun} in '{container}'"
    return f"This {kind} file"


def entry_label(data: Any, tokens: list[str | int]) -> str:
    """How a message about a JSON Schema error names where it is: the innermost entry with
    an id that holds the failing value, else the file."""
    label = "This file"
    current = data
    for token in tokens:
        if isinstance(current, dict) and isinstance(current.get("id"), str) and current is not data:
            label = f"Entry '{current['id']}'"
        try:
            current = current[token]
        except (KeyError, IndexError, TypeError):
            break
    if isinstance(current, dict) and isinstance(current.get("id"), str) and current is not data:
        label = f"Entry '{current['id']}'"
    return label
