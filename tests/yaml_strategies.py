"""Hypothesis strategies for YAML-shaped input: fragments of YAML syntax, dumped data, and
mutations of real strategy files (byte flips, truncation, duplicated lines, shifted indentation)."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import strategies as st

FRAGMENTS = [
    "\n", "\n", "\n  ", "\n    ", " ", "  ", "\t", "- ", "-", ": ", ":", "? ", "?", "[", "]", "{", "}", ",",
    "&a ", "*a", "&b ", "*b", "!Ref ", "!!str ", "!!int ", "!!python/object/apply:os.system ", "!<tag:x> ",
    "<<: ", "'", '"', "''", '\\"', "#", " # note", "|", ">", "|-", ">+", "|2", "---", "...", "%YAML 1.1\n",
    "%YAML 1.2\n", "%TAG ! tag:example.com,2000:\n", "stratlint: 1", "kind: roadmap", "id: roadmap-x",
    "items:", "title", "1", "true", "0x1", "~", "null", "NO", ".inf", "é", "\u2028", "\ufeff", "\x85",
    "\r\n", "\r", "\x00", "\x07", "\ud7ff", "\U0001f600",
]  # fmt: skip


def yaml_fragments() -> st.SearchStrategy[str]:
    """Text assembled from YAML's syntax: mostly broken, sometimes valid, always YAML-shaped."""
    piece = st.sampled_from(FRAGMENTS) | st.text(max_size=4)
    return st.lists(piece, max_size=60).map("".join)


# Line separators that YAML tools disagree about are reported by design (see the loader).
_TEXT = st.text(st.characters(exclude_characters="\r\x85\u2028\u2029", exclude_categories=["Cs"]), max_size=12)


def _json_like() -> st.SearchStrategy[Any]:
    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
        max_leaves=20,
    )


def dumped_yaml() -> st.SearchStrategy[str]:
    """Well-formed YAML of arbitrary data, in block and flow style."""
    return st.tuples(_json_like(), st.booleans()).map(
        lambda pair: yaml.safe_dump(pair[0], default_flow_style=pair[1], allow_unicode=True)
    )


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` after one to four mutations."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["flip", "truncate", "duplicate", "shift", "delete", "insert"]))
        lines = bytes(data).split(b"\n")
        if operation == "flip" and data:
            index = draw(st.integers(0, len(data) - 1))
            data[index] ^= 1 << draw(st.integers(0, 7))
        elif operation == "truncate":
            del data[draw(st.integers(0, len(data))) :]
        elif operation == "duplicate":
            index = draw(st.integers(0, len(lines) - 1))
            lines.insert(index, lines[index])
            data = bytearray(b"\n".join(lines))
        elif operation == "shift":
            index = draw(st.integers(0, len(lines) - 1))
            width = draw(st.integers(-4, 4))
            lines[index] = b" " * width + lines[index] if width > 0 else lines[index][-width:]
            data = bytearray(b"\n".join(lines))
        elif operation == "delete":
            index = draw(st.integers(0, len(lines) - 1))
            del lines[index]
            data = bytearray(b"\n".join(lines))
        else:
            index = draw(st.integers(0, len(data)))
            data[index:index] = draw(st.binary(min_size=1, max_size=4) | st.sampled_from(FRAGMENTS).map(str.encode))
    return bytes(data)
