"""Finding the '# stratlint:' comments of a file: the loader's index of suppressions.

    key: value   # stratlint: disable=SL203,orphan-node -- reason      (this line)
    # stratlint: disable=SL203 -- reason                               (the next content line)
    # stratlint: disable-file=SL304 -- reason                          (the whole file; in the
                                                                         comments at the top)
    # stratlint: disable=SL203 until=2027-03-31 owner=pmm-lead -- reason   (a waiver)

This module reads the comments: what they say, where they are and which line they cover.
Which rules the codes name, and what each comment silences, is the engine's suppression
step (stratlint.analysis.suppressions), after every rule has run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from stratlint.diagnostics import Span
from stratlint.load.source_map import RawSpan
from stratlint.pointers import parent_pointer

_COMMENT = re.compile(r"(?:^|(?<=\s))#\s*stratlint\s*:")
_DIRECTIVE = re.compile(
    r"\s*(?P<directive>disable-file|disable)\s*=\s*(?P<codes>[A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)(?P<rest>.*)$"
)
ANY_COMMENT = re.compile(r"#\s*stratlint\s*:")
"""Matches wherever a file may hold a suppression: most files hold none, and are skipped."""
_CODE = re.compile(r"[A-Za-z0-9_-]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_SYNTAX = "write '# stratlint: disable=CODE[,CODE] -- reason'"


@dataclass(frozen=True, slots=True)
class SuppressionComment:
    """One '# stratlint:' comment, as written."""

    span: Span
    """Where the comment is: the finding position for SL901-SL904."""
    text: str
    """The comment, from '#', trimmed: the subject of findings about it."""
    target: int | None = None
    """The line it silences; None for the whole file."""
    file_wide: bool = False
    tokens: tuple[tuple[str, int], ...] = ()
    """The codes or names it lists, each with its column."""
    until: date | None = None
    owner: str | None = None
    problem: str | None = None
    """Why the comment cannot be read; such a comment silences nothing."""
    reason: str = ""
    """What follows '--': why the finding is accepted (SARIF carries it as the justification)."""


def find_comments(text: str, values: Mapping[str, RawSpan] | None = None) -> list[SuppressionComment]:
    """Every '# stratlint:' comment in ``text``. Never raises.

    ``values`` (the source map's value spans) tells comments from text that only looks like
    one, inside a quoted or block scalar; without it every match counts."""
    if ANY_COMMENT.search(text) is None:
        return []
    lines = text.splitlines()
    scalars = _leaf_spans(values) if values else {}
    found: list[SuppressionComment] = []
    in_header = True
    for index, line in enumerate(lines):
        stripped = line.strip()
        is_content = bool(stripped) and not stripped.startswith(("#", "%")) and stripped != "---"
        for match in _COMMENT.finditer(line):
            if not _inside(scalars, index + 1, match.start() + 1):
                found.append(_parse_one(lines, index, match, in_header))
                break
        if is_content:
            in_header = False
    return found


def _leaf_spans(values: Mapping[str, RawSpan]) -> dict[int, list[RawSpan]]:
    """The spans of values that hold no other value (scalars, empty collections), by line."""
    parents = {parent_pointer(pointer) for pointer in values if pointer}
    by_line: dict[int, list[RawSpan]] = {}
    for pointer, span in values.items():
        if pointer not in parents:
            for line in range(span[0], span[2] + 1):
                by_line.setdefault(line, []).append(span)
    return by_line


def _inside(spans: Mapping[int, list[RawSpan]], line: int, column: int) -> bool:
    return any((start, first) <= (line, column) < (end, last) for start, first, end, last in spans.get(line, ()))


def _parse_one(lines: Sequence[str], index: int, match: re.Match[str], in_header: bool) -> SuppressionComment:
    line = lines[index]
    start = match.start()
    span = Span(index + 1, start + 1, index + 1, len(line.rstrip()) + 1)
    comment = line[start:].strip()
    standalone = not line[:start].strip()
    body = line[match.end() :]
    head, _, reason = body.partition("--")
    head = head.split("#", 1)[0]  # a second comment may follow, e.g. '# expect: SL201' in fixtures
    directive = _DIRECTIVE.match(head)
    if directive is None:
        return SuppressionComment(span, comment, problem=f"this '# stratlint:' comment is not understood; {_SYNTAX}")
    codes_offset = match.end() + directive.start("codes")
    tokens = tuple(
        (code_match.group(), codes_offset + code_match.start() + 1)
        for code_match in _CODE.finditer(directive.group("codes"))
    )
    until, owner = None, None
    for token in directive.group("rest").split():
        key, sep, value = token.partition("=")
        if key == "until" and sep and _DATE.match(value):
            try:
                until = date.fromisoformat(value)
            except ValueError:
                return SuppressionComment(span, comment, problem=f"'{value}' is not a date; write until=YYYY-MM-DD")
        elif key == "until":
            return SuppressionComment(span, comment, problem=f"'{token}' has no valid date; write until=YYYY-MM-DD")
        elif key == "owner" and sep and value:
            owner = value
        else:
            return SuppressionComment(
                span, comment, problem=f"'{token}' is not understood; after the codes, use until=YYYY-MM-DD owner=NAME"
            )
    if until is not None and owner is None:
        # A waiver is an agreed exception: someone must be asked when its date comes.
        return SuppressionComment(
            span, comment, problem="a waiver with until= needs owner=NAME, the person who agreed the exception"
        )
    file_wide = directive.group("directive") == "disable-file"
    if file_wide and not (standalone and in_header):
        return SuppressionComment(
            span,
            comment,
            problem="'disable-file' must be in the comments at the top of the file, before the first line of content",
        )
    target = None if file_wide else (index + 1 if not standalone else _next_content_line(lines, index))
    return SuppressionComment(
        span,
        comment,
        target=target,
        file_wide=file_wide,
        tokens=tokens,
        until=until,
        owner=owner,
        reason=" ".join(reason.split()),
    )


def _next_content_line(lines: Sequence[str], index: int) -> int | None:
    for later in range(index + 1, len(lines)):
        stripped = lines[later].strip()
        if stripped and not stripped.startswith("#"):
            return later + 1
    return None
