"""Positions: stratlint's (1-based lines and columns, counted in code points, ends
exclusive) and the protocol's (0-based lines, characters counted in the code units of the
encoding the client and server agreed on, UTF-16 unless both said otherwise)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lsprotocol import types

from stratlint.diagnostics import Span

_BREAK = re.compile(r"\r\n|\n|\r")
"""The protocol's line breaks (YAML's, less the ones the loader refuses)."""

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as the protocol counts them (a last, empty line after a final break)."""
    return _BREAK.split(text)


def units(text: str, encoding: str) -> int:
    """How many code units of ``encoding`` ``text`` takes."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def code_points(line: str, character: int, encoding: str) -> int:
    """The number of code points before the protocol's ``character`` on ``line``."""
    if encoding == UTF32 or line.isascii():
        return min(character, len(line))
    count = 0
    for index, char in enumerate(line):
        width = units(char, encoding)
        if count + width > character:
            return index
        count += width
    return len(line)


@dataclass(frozen=True, slots=True)
class Lines:
    """A document's lines, for moving between the two kinds of position."""

    lines: Sequence[str]
    encoding: str = UTF16

    @classmethod
    def of(cls, text: str, encoding: str = UTF16) -> Lines:
        return cls(split_lines(text), encoding)

    def line(self, number: int) -> str:
        """The 1-based line ``number``, or '' past the end."""
        return self.lines[number - 1] if 1 <= number <= len(self.lines) else ""

    def position(self, line: int, column: int) -> types.Position:
        """The protocol's position of a 1-based line and code-point column."""
        if line < 1:
            return types.Position(0, 0)
        if line > len(self.lines):
            last = len(self.lines)
            return types.Position(last - 1, units(self.line(last), self.encoding))
        text = self.line(line)
        return types.Position(line - 1, units(text[: max(column - 1, 0)], self.encoding))

    def range(self, span: Span) -> types.Range:
        """The protocol's range of a span; a finding with no line is at the top of the file."""
        if not span.positioned:
            return types.Range(types.Position(0, 0), types.Position(0, 0))
        start = self.position(span.line, span.column)
        end = self.position(span.end_line, span.end_column) if span.end_line >= span.line else start
        if (end.line, end.character) < (start.line, start.character):
            end = start
        return types.Range(start, end)

    def at(self, position: types.Position) -> tuple[int, int]:
        """The 1-based line and code-point column of the protocol's ``position``."""
        line = position.line + 1
        return line, code_points(self.line(line), position.character, self.encoding) + 1

    def offset(self, line: int, column: int) -> int:
        """Characters from the start of the text to a 1-based line and code-point column,
        counting each line break as one (the lines are joined with '\\n')."""
        before = sum(len(text) + 1 for text in self.lines[: max(line - 1, 0)])
        return before + column - 1


def contains(span: Span, line: int, column: int) -> bool:
    """The 1-based position is inside the span, or at its end (where a cursor after a word stands)."""
    return (span.line, span.column) <= (line, column) <= (span.end_line, span.end_column)
