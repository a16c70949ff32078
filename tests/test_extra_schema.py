"""The organisation's extra schemas: every error, at the line and column of the offending value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stratlint.load.artifact import load_bytes
from stratlint.load.extra_schema import ExtraSchema

from conftest import invoke
from strategy_trees import edit, line_of, make_repo

PERSONA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "messages": {
            "type": "array",
            "items": {
                "type": "object",
                "description": "A message as our brand guide defines it.",
                "required": ["tags"],
                "properties": {
                    "tags": {
                        "type": "array",
                        "contains": {"type": "string", "pattern": "^persona:"},
                        "description": "Every message names its persona with a tag such as 'persona:controller'.",
                    },
                    "headline": {"type": "string", "maxLength": 30},
                },
            },
        }
    },
}

MESSAGING = b"""stratlint: 1
kind: messaging
id: messaging
messages:
  - id: msg-one
    headline: Close in days
    tags: [launch, persona:controller]
  - id: msg-two
    headline: Close in days, not weeks, across every entity
    tags: [launch]
  - id: msg-three
    headline: Short
"""


def test_every_error_is_reported_at_its_value() -> None:
    schema = ExtraSchema.build("messaging", "org.json", PERSONA)
    artifact = load_bytes(MESSAGING, "messaging.yaml", extra_schemas={"messaging": schema})
    problems = [(p.kind, p.line, p.column) for p in artifact.problems]
    assert problems == [
        ("extra-schema-violation", 9, 15),  # msg-two's headline is too long
        ("extra-schema-violation", 10, 11),  # msg-two's tags name no persona
        ("extra-schema-violation", 11, 5),  # msg-three has no tags: at the entry
    ]
    messages = [p.message for p in artifact.problems]
    assert messages[1] == (
        "Entry 'msg-two' breaks your organisation's rule for messaging files (org.json): "
        "Every message names its persona with a tag such as 'persona:controller'."
    )
    # For a missing field, the field's name says more than the entry's description.
    assert "msg-three" in messages[2] and "'tags' is a required property" in messages[2]
    assert "brand guide" not in messages[2]
    assert artifact.model is not None  # the built-in schema is still satisfied


def test_other_kinds_and_no_schema_are_untouched() -> None:
    schema = ExtraSchema.build("roadmap", "org.json", {"required": ["nothing-has-this"]})
    assert load_bytes(MESSAGING, "m.yaml", extra_schemas={"roadmap": schema}).problems == []
    assert load_bytes(MESSAGING, "m.yaml").problems == []


def test_an_invalid_schema_is_refused() -> None:
    with pytest.raises(ValueError, match="not a valid JSON Schema"):
        ExtraSchema.build("messaging", "org.json", {"type": 12})
    with pytest.raises(ValueError, match="does not hold a JSON Schema object"):
        ExtraSchema.build("messaging", "org.json", ["type"])


def test_extra_schema_from_the_configuration_in_a_run(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    (repo / "policy").mkdir()
    (repo / "policy" / "messaging.json").write_text(json.dumps(PERSONA))
    (repo / "pyproject.toml").write_text(
        '[tool.stratlint.extra-schemas]\nmessaging = "policy/messaging.json"\n', encoding="utf-8"
    )
    result = invoke("check", strategy, "--format", "json", cwd=repo)
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)["diagnostics"]
    assert (finding["code"], finding["name"], finding["path"]) == (
        "SL016",
        "extra-schema-violation",
        "strategy/marketing/messaging.yaml",
    )
    assert finding["line"] == line_of(strategy / "marketing" / "messaging.yaml", "- id: msg-close-in-days")
    edit(strategy / "marketing" / "messaging.yaml", "    segments:", "    tags: [persona:controller]\n    segments:")
    assert invoke("check", strategy, cwd=repo).exit_code == 0
    # Ignored like any other rule.
    edit(strategy / "marketing" / "messaging.yaml", "[persona:controller]", "[launch]")
    assert invoke("check", strategy, "--ignore", "SL016", cwd=repo).exit_code == 0
