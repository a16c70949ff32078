"""The effective configuration (``stratlint config``), as TOML or JSON. Pure."""

from __future__ import annotations

import json
from typing import Any

from stratlint.config import BARE_KEY, EffectiveConfig


def render_text(effective: EffectiveConfig) -> str:
    """The effective configuration as TOML, each line commented with where it came from; a
    table of tables (``[functions]``, ``[rules]``) follows the keys, one table each."""
    where = effective.config_file.display if effective.config_file else "none found; defaults apply"
    lines = [f"# Configuration file: {where}"]
    rows = []
    tables: list[str] = []
    for key, item in effective.values.items():
        if item.value is None:
            rows.append((f"# {key} is not set", item.source))
        elif _is_table_of_tables(item.value):
            for name, table in item.value.items():
                tables += ["", f"[{_key(key)}.{_key(name)}]  # {item.source}"]
                tables += [f"{_key(option)} = {_toml(value)}" for option, value in table.items()]
        else:
            rows.append((f"{key} = {_toml(item.value)}", item.source))
    width = max(len(text) for text, _ in rows)
    lines += [f"{text:<{width}}  # {source}" for text, source in rows]
    return "\n".join([*lines, *tables]) + "\n"


def _is_table_of_tables(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(isinstance(item, dict) for item in value.values())


def _key(key: str) -> str:
    return key if BARE_KEY.match(key) else json.dumps(key)


def render_json(effective: EffectiveConfig) -> str:
    document = {
        "config_file": effective.config_file.display if effective.config_file else None,
        "options": {key: {"value": item.value, "source": item.source} for key, item in effective.values.items()},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{_key(key)} = {_toml(item)}" for key, item in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)
