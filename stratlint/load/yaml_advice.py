"""YAML mistakes in plain words, with the fix shown on the user's own line.

The YAML parser says where it gave up and why, in its own terms ("mapping values are not
allowed in this context"). A product marketer needs to hear what they did and how the line
should read. ``advise`` recognises the mistakes people make when they write strategy by
hand, from the parser's error and the text around it:

- text holding ': ' (or ' #') that is not in quotes;
- a tab in the indentation;
- a key indented more, or less, than the keys beside it;
- a quote that is never closed;
- a list entry written without its '- ';
- a value put on the line after its key.

Each advice names the line to change and shows it as it should read. When the mistake is
none of these, there is no advice, and the parser's words are all the finding says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ParserError:
    """What the parser said, with 1-based marks: where it stopped and what it was reading."""

    problem: str
    line: int
    column: int
    context: str | None = None
    context_line: int | None = None
    context_column: int | None = None


@dataclass(frozen=True, slots=True)
class Advice:
    line: int
    column: int
    message: str


def advise(lines: Sequence[str], error: ParserError) -> Advice | None:
    """The plain-words advice for ``error`` in a file of ``lines``, when the mistake is one
    people often make; None otherwise."""
    for diagnose in (_tab, _unclosed_quote, _value_on_next_line, _missing_dash, _colon_or_indent, _shallower):
        found = diagnose(lines, error)
        if found is not None:
            return found
    return None


def _line(lines: Sequence[str], number: int | None) -> str | None:
    if number is None or not 1 <= number <= len(lines):
        return None
    return lines[number - 1].rstrip("\r\n")


def _reading(lines: Sequence[str], error: ParserError, context: str) -> tuple[int, str] | None:
    """The line where the parser began what it stopped inside, and its text, when what it was
    reading there is ``context`` (as the parser says it: 'while scanning a quoted scalar')."""
    if error.context != context or error.context_line is None:
        return None
    text = _line(lines, error.context_line)
    return None if text is None else (error.context_line, text)


def _previous_content(lines: Sequence[str], number: int) -> tuple[int, str] | None:
    """The nearest line above ``number`` that holds more than blanks and comments."""
    for above in range(number - 1, 0, -1):
        text = lines[above - 1].rstrip("\r\n")
        if text.strip() and not text.lstrip().startswith("#"):
            return above, text
    return None


_KEY_LINE = re.compile(r"^(?P<indent> *)(?P<dash>- +)?(?P<key>[^\s#'\"\-?:,\[\]{}][^:#]*?):(?: +(?P<value>.*?))? *$")
"""``key: value`` (or ``- key: value``) with a plain key; the value may be absent."""


def _key_column(text: str) -> int | None:
    """The 0-based column where the key of a ``key:`` line starts (after any '- ')."""
    match = _KEY_LINE.match(text)
    if match is None:
        return None
    return len(match["indent"]) + len(match["dash"] or "")


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _without_comment(text: str) -> str:
    """``text`` without a trailing ``# comment`` (one outside quotes)."""
    for match in re.finditer(r"\s#", text):
        before = text[: match.start()]
        if before.count('"') % 2 == 0 and before.count("'") % 2 == 0:
            return before.rstrip()
    return text


def _shown(text: str) -> str:
    text = _without_comment(text)
    return f"'{text}'" if text.strip() == text else f"'{text.strip()}' (indented by {_indent(text)} spaces)"


def quoted(text: str) -> str:
    """``text`` as a YAML quoted scalar that reads back as the same text."""
    if '"' not in text and "\\" not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "''") + "'"


def _tab(lines: Sequence[str], error: ParserError) -> Advice | None:
    if "tab" not in error.problem and "'\\t'" not in error.problem:
        return None
    text = _line(lines, error.line)
    if text is None or "\t" not in text[: len(text) - len(text.lstrip(" \t"))]:
        return None
    previous = _previous_content(lines, error.line)
    stripped = text.lstrip(" \t")
    width = _indent(previous[1]) if previous is not None else 0
    if previous is not None and (column := _key_column(previous[1])) is not None:
        width = column
    fixed = " " * width + stripped
    return Advice(
        error.line,
        text.index("\t") + 1,
        f"Line {error.line} is indented with a tab; YAML indents with spaces only. Replace the tab with "
        f"spaces, lined up with the line above: {_shown(fixed)}.",
    )


def _unclosed_quote(lines: Sequence[str], error: ParserError) -> Advice | None:
    reading = _reading(lines, error, "while scanning a quoted scalar")
    if reading is None or error.context_column is None or error.context_column > len(reading[1]):
        return None
    line, text = reading
    quote = text[error.context_column - 1]
    if quote not in "'\"":
        return None
    return Advice(
        line,
        error.context_column,
        f"The quote ({quote}) that opens this text is never closed, so YAML reads everything after it as "
        f"part of the text. Close it where the text ends: {_shown(text.rstrip() + quote)}.",
    )


def _value_on_next_line(lines: Sequence[str], error: ParserError) -> Advice | None:
    reading = _reading(lines, error, "while scanning a simple key")
    if reading is None:
        return None
    line, text = reading
    previous = _previous_content(lines, line)
    if previous is None:
        return None
    match = _KEY_LINE.match(previous[1])
    if match is None or match["value"] or _indent(text) > len(match["indent"]) + len(match["dash"] or ""):
        return None
    fixed = f"{previous[1].rstrip()} {text.strip()}"
    return Advice(
        line,
        (error.context_column or 1),
        f"This text has no key of its own: it looks like the value of '{match['key']}:' on line "
        f"{previous[0]}, which is empty. Put it on the same line: {_shown(fixed)}.",
    )


def _missing_dash(lines: Sequence[str], error: ParserError) -> Advice | None:
    """A list under a key whose first entry has no '- ': the parser stops at the second."""
    text = _line(lines, error.line)
    if text is None or not text.lstrip(" ").startswith("- ") or "expected key" not in error.problem:
        return None
    dash_column = _indent(text)
    # Walk up to the key that holds the list; the entry just below it is the one without '- '.
    first = None
    for above in range(error.line - 1, 0, -1):
        line = lines[above - 1].rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if _indent(line) <= dash_column:
            match = _KEY_LINE.match(line)
            if match is None or match["value"] or first is None:
                return None
            entry_line, entry = first
            fixed = " " * dash_column + "- " + entry.strip()
            return Advice(
                entry_line,
                _indent(entry) + 1,
                f"The entries under '{match['key']}:' are a list, but this first one has no '- ' in front, "
                f"unlike the entry on line {error.line}. Start it with '- ': {_shown(fixed)}.",
            )
        if line.lstrip(" ").startswith("- "):
            return None
        first = (above, line)
    return None


def _colon_or_indent(lines: Sequence[str], error: ParserError) -> Advice | None:
    if "mapping values are not allowed" not in error.problem:
        return None
    text = _line(lines, error.line)
    match = _KEY_LINE.match(text) if text is not None else None
    if text is None or match is None:
        return None
    value = match["value"] or ""
    value_column = len(text) - len(text[text.index(":") + 1 :].lstrip(" "))
    if value and error.column - 1 >= value_column and value[:1] not in "'\"[{|>&*!":
        fixed = text[:value_column] + quoted(value)
        return Advice(
            error.line,
            value_column + 1,
            f"The text after '{match['key']}:' holds ': ', which YAML reads as the start of another key. "
            f"Put the whole text in quotes: {_shown(fixed)}.",
        )
    previous = _previous_content(lines, error.line)
    if previous is None or _indent(text) <= _indent(previous[1]):
        return None
    sibling = _key_column(previous[1])
    if sibling is None or sibling >= _indent(text):
        return None
    fixed = " " * sibling + text.strip()
    return Advice(
        error.line,
        _indent(text) + 1,
        f"This line is indented by {_indent(text)} spaces, more than the key on line {previous[0]} "
        f"({sibling} spaces), so YAML reads it as more of that line's text. Line it up with the keys beside it: "
        f"{_shown(fixed)}.",
    )


def _shallower(lines: Sequence[str], error: ParserError) -> Advice | None:
    if "did not find expected" not in error.problem:
        return None
    text = _line(lines, error.line)
    previous = _previous_content(lines, error.line)
    if text is None or previous is None or text.lstrip(" ").startswith("- "):
        return None
    if _KEY_LINE.match(text) is None:
        return None
    # The level it was meant for: the shallowest key above that is still deeper than it,
    # up to the key that holds them all.
    indent, levels = _indent(text), set()
    for above in range(error.line - 1, 0, -1):
        column = _key_column(lines[above - 1].rstrip("\r\n"))
        if column is None:
            continue
        if column <= indent:
            break
        levels.add(column)
    if not levels:
        return None
    sibling = min(levels)
    fixed = " " * sibling + text.strip()
    return Advice(
        error.line,
        indent + 1,
        f"This line is indented by {indent} spaces, less than the keys beside it ({sibling} spaces). Line it up "
        f"with them: {_shown(fixed)}.",
    )
