"""The YAML 1.2 rules, by table: what each plain value reads as, and how libyaml's own
YAML 1.1 resolver would have read it differently. Each row goes through the whole loader
(both builders: the quick path and the one with positions), not only ``resolve_plain``."""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml

from stratlint.load.yaml import parse_simple, parse_yaml
from stratlint.load.yaml12 import resolve_plain

NAN = object()
"""Stands for a NaN, which equals nothing."""

TABLE: list[tuple[str, Any]] = [
    # text that YAML 1.1 reads as booleans
    ("yes", "yes"),
    ("No", "No"),
    ("on", "on"),
    ("OFF", "OFF"),
    ("y", "y"),
    # the booleans, in their three spellings
    ("true", True),
    ("False", False),
    ("TRUE", True),
    ("tRUE", "tRUE"),
    # nulls
    ("~", None),
    ("null", None),
    ("NULL", None),
    ("nul", "nul"),
    # integers: decimal, 0o octal, 0x hexadecimal; YAML 1.1's forms are text or decimal
    ("42", 42),
    ("-7", -7),
    ("+3", 3),
    ("0777", 777),
    ("0o17", 15),
    ("0x1F", 31),
    ("1_000", "1_000"),
    ("0b101", "0b101"),
    ("1:30", "1:30"),
    # floats
    ("1.5", 1.5),
    (".5", 0.5),
    ("1.", 1.0),
    ("1e3", 1000.0),
    ("-.inf", -math.inf),
    (".Inf", math.inf),
    (".NaN", NAN),
    ("1,5", "1,5"),
    # dates and times stay text
    ("2026-01-15", "2026-01-15"),
    ("2026-01-15T10:00:00Z", "2026-01-15T10:00:00Z"),
    # ordinary text
    ("Close in days", "Close in days"),
    ("-x", "-x"),
]


def _same(found: Any, expected: Any) -> bool:
    if expected is NAN:
        return isinstance(found, float) and math.isnan(found)
    return type(found) is type(expected) and found == expected


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[text for text, _ in TABLE])
def test_each_plain_value_reads_the_yaml_1_2_way(text: str, expected: Any) -> None:
    assert _same(resolve_plain(text), expected)
    document = f"value: {text}\nquoted: '{text}'\n".encode()
    for parsed in (parse_yaml(document), parse_simple(document)):
        assert parsed is not None and not parsed.problems
        assert _same(parsed.data["value"], expected), parsed.data
        assert parsed.data["quoted"] == text, "a quoted value is always text"


def test_the_table_holds_the_cases_where_yaml_1_1_differs() -> None:
    # A sanity check on the table itself: it must contain values libyaml's YAML 1.1
    # resolver reads otherwise, or it would not test the rules at all.
    differing = [text for text, expected in TABLE if not _same(yaml.safe_load(f"v: {text}")["v"], expected)]
    assert {"yes", "No", "on", "OFF", "0777", "1_000", "2026-01-15", "1:30"} <= set(differing)
