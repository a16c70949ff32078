"""Generated configurations and extra schemas never make stratlint fail with an internal error.

A pull request may change stratlint.toml and the schemas it names. Whatever they hold, a
run ends with a report (0 or 1) or one line saying what is wrong with the configuration
(2), never a traceback or an "internal error". The search is bounded: a fixed number of
examples, each run in-process, with a deadline per run that a hang would exceed.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from stratlint.config import KEYS
from stratlint.model import KINDS

from conftest import invoke
from strategy_trees import make_repo

EXAMPLES = int(os.environ.get("STRATLINT_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
RUN_SECONDS = 20
"""Far more than any one run takes; a run that hangs on its input exceeds it."""

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["/", "..", "../..", "/dev/zero", "strategy", "SL201", "ALL", "error", "x.json", "#"]),
)
_values = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
)


def _toml_value(value: Any) -> str | None:
    """``value`` written as TOML, or None where TOML has no way to write it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if -(2**63) <= value < 2**63 else None
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(value), repr(value))
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        items = [_toml_value(item) for item in value]
        return None if None in items else "[" + ", ".join(item for item in items if item is not None) + "]"
    if isinstance(value, dict):
        pairs = [(json.dumps(key), _toml_value(item)) for key, item in value.items()]
        if any(item is None for _, item in pairs):
            return None
        return "{" + ", ".join(f"{key} = {item}" for key, item in pairs) + "}"
    return None


_keywords = st.sampled_from(
    ["type", "pattern", "maxLength", "minimum", "required", "properties", "items", "$ref", "enum", "anyOf", "not"]
)
_schemas = st.recursive(
    st.one_of(_scalars, st.sampled_from(["#", "#/nope", "#/$defs/a", "http://127.0.0.1:9/x.json", "(a+)+$"])),
    lambda inner: st.dictionaries(_keywords | st.text(max_size=6), inner, max_size=4) | st.lists(inner, max_size=3),
    max_leaves=12,
)


def _run(repo: Path) -> None:
    started = time.monotonic()
    result = invoke("check", "strategy", "--no-cache", cwd=repo)
    assert time.monotonic() - started < RUN_SECONDS, "the run took as long as a hang"
    assert result.exit_code in (0, 1, 2), result.output
    assert "internal error" not in result.output, result.output
    assert "Traceback" not in result.output, result.output
    if result.exit_code == 2:
        assert result.output.startswith("stratlint: "), result.output


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo, _ = make_repo(tmp_path_factory.mktemp("fuzz-config"))
    return repo


@FUZZ
@given(table=st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), _values, max_size=4))
# Values known to have broken runs, always tried first.
@example(table={"max-file-size": 2**63 - 1, "max-proof-age-months": 2**62})
@example(table={"root": "/dev/zero", "baseline": "/dev/zero"})
@example(table={"rules": {"stale-proof-point": {"max-age-months": 2**62}}})
def test_generated_configuration(repo: Path, table: dict[str, Any]) -> None:
    lines = [f"{json.dumps(key)} = {text}" for key, value in table.items() if (text := _toml_value(value)) is not None]
    (repo / "stratlint.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _run(repo)


@FUZZ
@given(kind=st.sampled_from(sorted(KINDS)), schema=_schemas, as_json=st.booleans())
# Shapes known to have broken runs, always tried first: a $ref cycle, a missing target.
@example(kind="roadmap", schema={"$ref": "#"}, as_json=True)
@example(kind="roadmap", schema={"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}, as_json=True)
@example(kind="roadmap", schema={"properties": {"title": {"$ref": "#/nope"}}}, as_json=True)
def test_generated_extra_schema(repo: Path, kind: str, schema: Any, as_json: bool) -> None:
    text = json.dumps(schema) if as_json else str(schema)
    (repo / "fuzz.schema.json").write_text(text, encoding="utf-8")
    (repo / "stratlint.toml").write_text(f'[extra-schemas]\n{kind} = "fuzz.schema.json"\n', encoding="utf-8")
    _run(repo)
