"""Comments and blank lines: found in the text, tied to the key or item they stand beside,
and put back beside it once the file is written anew.

A comment on a line of its own, and a blank line, belongs to what follows it: the next
key or list item, the outermost when several start on that line (a comment above
``- id: x`` goes with the whole item). A comment at the end of a line belongs to the last
key or value on that line. Comments above the first key stay at the top of the file;
those below the last key stay at the bottom. So when keys are reordered, their comments go
with them.

What is a comment is read off the source map of stratlint's own parser: a ``#`` that starts
a line or follows a space, outside every key and value (a ``#`` inside a quoted text or a
``|`` block is text).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from stratlint.load.source_map import SourceMap
from stratlint.pointers import join_pointer

BLANK = ""

_BLOCK_HEADER = re.compile(r"[|>][0-9+-]*")
"""A blank line, among the lines kept before a key."""


@dataclass(slots=True)
class Comments:
    """Every comment and blank line of a file, by where it goes."""

    head: list[str] = field(default_factory=list)
    """Lines above the first key or item: comments, and blank lines (``BLANK``)."""
    before: dict[str, list[str]] = field(default_factory=dict)
    """For each key or item (by JSON pointer), the lines above it."""
    after_key: dict[str, list[str]] = field(default_factory=dict)
    """Comments at the end of a key's line."""
    after_value: dict[str, list[str]] = field(default_factory=dict)
    """Comments at the end of a value's line."""
    tail: list[str] = field(default_factory=list)
    """Lines below the last key or item."""
    _holders: set[str] | None = None
    """Every value that holds a key or item with a comment beside it (built when first asked)."""

    def inside(self, pointer: str) -> bool:
        """Whether a comment stands beside anything inside the value at ``pointer``."""
        if self._holders is None:
            holders: set[str] = set()
            for table in (self.before, self.after_key, self.after_value):
                for key, lines in table.items():
                    if any(lines):
                        while key:
                            key = key[: key.rfind("/")]
                            holders.add(key)
            self._holders = holders
        return pointer in self._holders


def comment_texts(text: str, data: Any, source_map: SourceMap) -> list[str]:
    """Every comment in ``text``, from its ``#`` to the end of its line, in order."""
    covered = _Coverage(text, data, source_map)
    return [comment for _, _, comment in _found(text.split("\n"), covered) if comment]


def find(text: str, data: Any, source_map: SourceMap) -> Comments:
    """Where each comment and blank line of ``text`` (parsed as ``data``) belongs."""
    lines = text.split("\n")
    covered = _Coverage(text, data, source_map)
    starts = sorted(
        ((line, order, pointer) for order, (pointer, line) in enumerate(_entries(data, source_map))),
    )
    start_lines = [line for line, _, _ in starts]
    ends = _line_ends(data, source_map, text)
    found = Comments()
    for number, column, comment in _found(lines, covered):
        if column and comment:
            owner = _last_on_line(ends.get(number, ()), column)
            if owner is not None:
                pointer, is_key = owner
                (found.after_key if is_key else found.after_value).setdefault(pointer, []).append(comment)
                continue
        at = bisect.bisect_right(start_lines, number)
        if at == len(starts):
            found.tail.append(comment)
        elif at == 0:
            found.head.append(comment)
        else:
            found.before.setdefault(starts[at][2], []).append(comment)
    return found


def place(text: str, source_map: SourceMap, comments: Comments) -> str:
    """``text`` (written without comments, and read back into ``source_map``) with the
    comments put back beside their keys and items. Runs of blank lines become one, and
    none is left at the top or the bottom."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    above: dict[int, list[tuple[int, int, list[str]]]] = {}
    for order, (pointer, kept) in enumerate(comments.before.items()):
        line = _start_line(source_map, pointer)
        if line is not None:
            above.setdefault(line, []).append((pointer.count("/"), order, kept))
        else:  # pragma: no cover - every pointer of the data is in the map
            comments.tail.extend(kept)
    trailing: dict[int, list[str]] = {}
    for pointer, kept in comments.after_key.items():
        line = _key_line(source_map, pointer)
        trailing.setdefault(line or len(lines), []).extend(kept)
    for pointer, kept in comments.after_value.items():
        line = _value_line(source_map, pointer)
        trailing.setdefault(line or len(lines), []).extend(kept)
    # None stands for a blank line put back; a blank line of the text written (inside a
    # block text) is kept as it is.
    out: list[str | None] = [line or None for line in comments.head]
    for number, content in enumerate(lines, start=1):
        indent = " " * (len(content) - len(content.lstrip(" ")))
        for _, _, kept in sorted(above.get(number, ()), key=lambda item: (item[0], item[1])):
            out.extend(indent + line if line else None for line in kept)
        at_end = trailing.get(number, [])
        if at_end:  # the text written holds no comment yet
            content = f"{content}  {at_end[0]}"
            at_end = at_end[1:]
        # More than one comment for one line: the others go above it.
        out.extend(indent + line for line in at_end)
        out.append(content)
    out.extend(line or None for line in comments.tail)
    return _tidy(out)


def _tidy(lines: list[str | None]) -> str:
    """The lines as text, with each run of blank lines put back made one, and none at the
    top or the bottom."""
    kept: list[str | None] = []
    for line in lines:
        if line is None and (not kept or kept[-1] is None):
            continue
        kept.append(line)
    while kept and kept[-1] is None:
        kept.pop()
    return "".join(f"{line or ''}\n" for line in kept)


# -- reading positions ------------------------------------------------------------------------


def _entries(data: Any, source_map: SourceMap) -> Iterator[tuple[str, int]]:
    """Each key (with its value) and each list item, by pointer, with the line it starts
    on, in the order of the file."""
    keys, values = source_map.keys, source_map.values
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, value = stack.pop()
        if pointer:
            span = keys.get(pointer) or values.get(pointer)
            if span is not None:
                yield pointer, span[0]
        if isinstance(value, dict):
            children = [(join_pointer_from(pointer, key), item) for key, item in value.items()]
        elif isinstance(value, list):
            children = [(f"{pointer}/{index}", item) for index, item in enumerate(value)]
        else:
            continue
        stack.extend(reversed(children))


def join_pointer_from(pointer: str, key: Any) -> str:
    return pointer + join_pointer(str(key))


def _leaves(data: Any) -> Iterator[tuple[str, Any]]:
    """Every value that is not a collection (and every empty collection), by pointer."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, dict) and value:
            stack.extend((join_pointer_from(pointer, key), item) for key, item in value.items())
        elif isinstance(value, list) and value:
            stack.extend((f"{pointer}/{index}", item) for index, item in enumerate(value))
        else:
            yield pointer, value


def _collections(data: Any) -> Iterator[str]:
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, dict):
            yield pointer
            stack.extend((join_pointer_from(pointer, key), item) for key, item in value.items())
        elif isinstance(value, list):
            yield pointer
            stack.extend((f"{pointer}/{index}", item) for index, item in enumerate(value))


def _line_ends(data: Any, source_map: SourceMap, text: str) -> dict[int, list[tuple[int, str, bool]]]:
    """For each line, where the keys and values on it end (or, for a block text or a list
    in brackets that goes on below, where it starts): (column, pointer, is a key)."""
    lines = text.split("\n")
    ends: dict[int, list[tuple[int, str, bool]]] = {}
    for pointer, key_span in source_map.keys.items():
        ends.setdefault(key_span[2], []).append((key_span[3], pointer, True))
    for pointer, _ in _leaves(data):
        span = source_map.values.get(pointer)
        if span is None:
            continue
        if span[0] == span[2] or span[3] > 1:  # a block text that ends at column 1 ended on the line before
            ends.setdefault(span[2], []).append((span[3], pointer, False))
        if span[0] != span[2]:
            ends.setdefault(span[0], []).append((span[1], pointer, False))
    for pointer in _collections(data):
        found = source_map.values.get(pointer)
        if found is None or not 0 < found[0] <= len(lines):
            continue
        opening = lines[found[0] - 1][found[1] - 1 : found[1]]
        if opening in ("[", "{"):  # a flow collection ends on its closing bracket
            ends.setdefault(found[2], []).append((found[3], pointer, False))
    return ends


def _last_on_line(ends: Any, column: int) -> tuple[str, bool] | None:
    best: tuple[int, str, bool] | None = None
    for end, pointer, is_key in ends:
        if end <= column and (best is None or end > best[0] or (end == best[0] and not is_key)):
            best = (end, pointer, is_key)
    return None if best is None else (best[1], best[2])


class _Coverage:
    """Which characters of the file are inside a key or a value (and so are not a comment),
    line by line."""

    def __init__(self, text: str, data: Any, source_map: SourceMap) -> None:
        lines = text.split("\n")
        self.whole: set[int] = set()
        """Lines inside a value, from end to end."""
        self.parts: dict[int, list[tuple[int, int]]] = {}
        """Columns (1-based, end exclusive) inside a key or value, on the other lines."""
        self.blank_ok: set[int] = set()
        """Blank lines at the end of a block text that are not part of it (YAML drops them)."""
        spans = [span for pointer, _ in _leaves(data) if (span := source_map.values.get(pointer)) is not None]
        spans.extend(source_map.keys.values())
        for line, column, end_line, end_column in spans:
            if line == end_line:
                self.parts.setdefault(line, []).append((column, end_column))
                continue
            header = lines[line - 1][column - 1 :] if line <= len(lines) else ""
            block = _BLOCK_HEADER.match(header)
            # A block text's first line is its header ('|', '>-', '>2'), which a comment may follow.
            self.parts.setdefault(line, []).append((column, column + block.end() if block else 1 << 30))
            self.whole.update(range(line + 1, end_line))
            self.parts.setdefault(end_line, []).append((1, end_column))
            if block and "+" not in block.group():
                # A block text that keeps no trailing blank lines: they belong to no value.
                last = end_line - 1
                while last > line and last <= len(lines) and not lines[last - 1].strip():
                    self.blank_ok.add(last)
                    last -= 1

    def covers(self, line: int, column: int) -> bool:
        if line in self.whole:
            return True
        return any(start <= column < end for start, end in self.parts.get(line, ()))

    def blank(self, line: int) -> bool:
        """Whether a blank line here stands between keys, not inside a text."""
        return line in self.blank_ok or not (line in self.whole or self.parts.get(line))


def _found(lines: list[str], covered: _Coverage) -> Iterator[tuple[int, int, str]]:
    """Each comment and blank line: (line, column of the '#' less one, or 0 for a line of
    its own, the comment or BLANK)."""
    for number, content in enumerate(lines, start=1):
        stripped = content.strip(" \t")
        if not stripped:
            if covered.blank(number) and number < len(lines):
                yield number, 0, BLANK
            continue
        at = content.find("#")
        while at >= 0:
            if (at == 0 or content[at - 1] in " \t") and not covered.covers(number, at + 1):
                comment = content[at:].rstrip(" \t\r")
                own_line = not content[:at].strip(" \t")
                yield number, 0 if own_line else at + 1, comment
                break
            at = content.find("#", at + 1)


def _start_line(source_map: SourceMap, pointer: str) -> int | None:
    """The line a key (or a list item) starts on."""
    span = source_map.keys.get(pointer) or source_map.values.get(pointer)
    return span[0] if span is not None else None


_key_line = _start_line


def _value_line(source_map: SourceMap, pointer: str) -> int | None:
    """The line a value starts on; for a list or mapping written below its key, the key's."""
    span = source_map.values.get(pointer)
    key = source_map.keys.get(pointer)
    if span is None or (key is not None and span[0] != key[0]):
        return key[0] if key is not None else None
    return span[0]
