"""The quick way through a well-formed file: plain data, positions later.

Nearly every strategy file is ordinary YAML: mappings, lists and untagged scalars, no
aliases, no duplicate keys. For those, building the data is all the loader has to do;
positions matter only when something is reported, which is rare. ``parse_simple``
builds the data alone, with the same YAML 1.2 resolution as ``parse_yaml``, and gives
the file a source map that is built from the same bytes, by ``parse_yaml``, the first
time a position is asked for.

It declines (returns None) on anything ``parse_yaml`` would report or treat specially:
a %YAML directive, a document deep enough to need the depth scan, a syntax error, more
than one document, an empty document, a tag, an alias, a merge key, a duplicate key, a
non-scalar key, or nesting past the limit. The caller then takes the full path, so the
results are the same either way; a test checks that on every fixture and corpus file.
Any check added to ``parse_yaml`` must decline here too.
"""

from __future__ import annotations

from typing import Any

from yaml.nodes import Node

from stratlint.load.source_map import RawSpan, SourceMap, escape_token
from stratlint.load.yaml import (
    MAX_DEPTH,
    MAX_PATH_CHARS,
    CoreComposer,
    ParsedYaml,
    has_cutting_hash,
    has_glued_hash,
    needs_prescan,
    text_lines,
    underindented_line,
)
from stratlint.load.yaml12 import MAP, MAYBE_NOT_STR, PLAIN, QUOTED, SEQ, resolve_plain


class _Decline(Exception):
    """Not a simple document: take the full path."""


_DECLINE = _Decline()

_TEXT_KEYS: set[str] = set()
"""Plain keys YAML reads as that very text (not null, a number, a bool, or '<<'). Keys
repeat across files, so this stays small; it is bounded all the same."""
_TEXT_KEYS_LIMIT = 4096


def _plain_key_is_text(text: str) -> bool:
    if text == "<<" or resolve_plain(text) is not text:
        return False
    if len(_TEXT_KEYS) < _TEXT_KEYS_LIMIT:
        _TEXT_KEYS.add(text)
    return True


class _Walk:
    """What the quick build carries through a document: the bytes, for the indentation checks
    on values over several lines (their lines are decoded only when one occurs), and what is
    left of the position budget (the full path's MAX_PATH_CHARS)."""

    __slots__ = ("budget", "data", "lines")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.lines: list[str] | None = None
        self.budget = MAX_PATH_CHARS

    def underindented(self, node: Node, indent: int | None) -> bool:
        """Whether the full builder would report this multi-line value's indentation."""
        if indent is None:
            return False
        if self.lines is None:
            self.lines = text_lines(self.data)
        return underindented_line(self.lines, node, indent) is not None


def _build(node: Node, depth: int, pointer_length: int, walk: _Walk, indent: int | None) -> Any:
    """``indent`` is the column of the block collection the value belongs to, or None inside
    [...] and {...}, as the full builder tracks it."""
    if depth > MAX_DEPTH:
        raise _DECLINE
    tag = node.tag
    if tag is PLAIN:
        text = node.value
        if text and text[0] not in MAYBE_NOT_STR:
            return text
        if text == "-":
            raise _DECLINE  # a lone '-' in a flow collection: the full path reports it
        return resolve_plain(text)
    if tag is QUOTED:
        value = node.value
        if node.start_mark.line != node.end_mark.line:
            style = getattr(node, "style", None)
            if style in ("|", ">"):
                if not value or value[0] == "\n":
                    raise _DECLINE  # leading empty lines: the full path checks their spaces
            elif style in ('"', "'") and walk.underindented(node, indent):
                raise _DECLINE
        return value
    flow = bool(getattr(node, "flow_style", False))
    if flow and node.start_mark.line != node.end_mark.line and walk.underindented(node, indent):
        raise _DECLINE
    # The full path bounds how much its positions would hold (MAX_PATH_CHARS); so does this.
    walk.budget -= pointer_length * len(node.value)
    if walk.budget < 0:
        raise _DECLINE
    depth += 1
    inner = None if flow else node.start_mark.column
    if tag is MAP:
        result: dict[str, Any] = {}
        pairs = node.value
        for key_node, value_node in pairs:
            key_tag = key_node.tag
            if key_tag is PLAIN:
                text = key_node.value
                if text not in _TEXT_KEYS and not _plain_key_is_text(text):
                    raise _DECLINE
            elif key_tag is QUOTED:
                text = key_node.value
            else:
                raise _DECLINE
            result[text] = _build(value_node, depth, pointer_length + 1 + len(escape_token(text)), walk, inner)
        if len(result) != len(pairs):
            raise _DECLINE  # a duplicate key
        return result
    if tag is SEQ:
        return [
            _build(item, depth, pointer_length + 1 + len(str(index)), walk, inner)
            for index, item in enumerate(node.value)
        ]
    raise _DECLINE


def parse_simple(data: bytes, text: str = "") -> ParsedYaml | None:
    """The document's data with a deferred source map, or None when the file needs the
    full path (see the module docstring). ``text``, when given, is ``data`` decoded, for
    the source map to keep instead of the bytes. Never raises."""
    if b"%YAML" in data or b"*" in data or has_glued_hash(data) or has_cutting_hash(data):
        return None
    if needs_prescan(data):
        return None
    try:
        root = CoreComposer(data).get_single_node()
        if root is None:
            return None
        value = _build(root, 0, 0, _Walk(data), None)
    except Exception:
        return None
    return ParsedYaml(value, SourceMap.deferred(data, text), [])


def positions(data: bytes) -> tuple[dict[str, RawSpan], dict[str, RawSpan]] | None:
    """The source map (values, keys) of a document ``parse_simple`` took, built by a walk
    that records positions and checks nothing: what a deferred source map needs, at a
    fraction of ``parse_yaml``'s cost. None for anything but plain mappings, lists and
    untagged scalars; the caller then asks ``parse_yaml``. Never raises."""
    values: dict[str, RawSpan] = {}
    keys: dict[str, RawSpan] = {}

    def walk(node: Node, pointer: str) -> None:
        start, end = node.start_mark, node.end_mark
        values[pointer] = (start.line + 1, start.column + 1, end.line + 1, end.column + 1)
        tag = node.tag
        if tag is PLAIN or tag is QUOTED:
            return
        if tag is MAP:
            for key_node, value_node in node.value:
                if key_node.tag is not PLAIN and key_node.tag is not QUOTED:
                    raise _DECLINE
                child = f"{pointer}/{escape_token(key_node.value)}"
                if child in keys:
                    raise _DECLINE  # a duplicate key: the full parser says which one counts
                ks, ke = key_node.start_mark, key_node.end_mark
                keys[child] = (ks.line + 1, ks.column + 1, ke.line + 1, ke.column + 1)
                walk(value_node, child)
        elif tag is SEQ:
            for index, item in enumerate(node.value):
                walk(item, f"{pointer}/{index}")
        else:
            raise _DECLINE

    try:
        root = CoreComposer(data).get_single_node()
        if root is None:
            return None
        walk(root, "")
    except Exception:
        return None
    return values, keys
