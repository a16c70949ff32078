"""The YAML 1.2 rules stratlint reads by, in one place.

libyaml (through PyYAML) implements YAML 1.1. Its resolver would read ``no`` as false,
``2026-01-15`` as a date, ``0777`` as octal and ``1_000`` as a number. Strategy text is
full of such values (a segment called ``NO``, a date kept as text), so the builders ask
libyaml to resolve nothing (every node gets one of the tags below) and resolve plain
scalars here, by the YAML 1.2 core schema:

- null: ``~``, ``null``, ``Null``, ``NULL`` and the empty value;
- booleans: ``true``/``false`` in three spellings only (``yes``, ``on``, ``y`` are text);
- integers: decimal, ``0o`` octal and ``0x`` hexadecimal (``0777`` is decimal 777, and
  ``1_000`` and ``0b1`` are text);
- floats: decimal with a point or an exponent, ``.inf`` and ``.nan`` spellings;
- everything else, dates and times included, is text.

Quoted scalars are always text. A tag outside the core schema is never constructed (the
builders report it). ``tests/test_yaml12.py`` holds the table these rules are tested by.
"""

from __future__ import annotations

import re
from typing import Any

PLAIN = "?plain"
"""The tag the builders give a plain (unquoted) scalar: resolved by ``resolve_plain``."""
QUOTED = "?quoted"
"""The tag of a quoted scalar or block text: always a string."""
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
CORE = "tag:yaml.org,2002:"
CORE_SCALARS = frozenset({"str", "int", "float", "bool", "null"})
"""The core schema's scalar tags: an explicit ``!!str`` and the like are allowed."""

MAYBE_NOT_STR = frozenset("0123456789-+.~nNtTfF")
"""The first characters a plain scalar that is not text can start with: any other plain
scalar is text without a closer look (most of them are)."""

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_OCT = re.compile(r"0o[0-7]+\Z")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")


def resolve_plain(text: str) -> Any:
    """Resolve a plain scalar by the YAML 1.2 core schema."""
    if text and text[0] not in MAYBE_NOT_STR:
        return text
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _INT.match(text):
        return int(text, 10)
    if _INT_OCT.match(text):
        return int(text[2:], 8)
    if _INT_HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return float("-inf") if text[0] == "-" else float("inf")
    if _NAN.match(text):
        return float("nan")
    return text
