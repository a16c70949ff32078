"""How each text is written: plain where that is safe, quoted where it is needed, folded
when it is long. Never so that it reads as anything else.

stratlint reads YAML 1.2 (``stratlint.load.yaml12``): there ``no``, ``on`` and
``2026-01-15`` are text, so they may stand without quotes. A YAML 1.1 reader (PyYAML,
older tools) reads them as false, true and a date, so the formatter never takes the quotes
off such a text, and never puts quotes on one written without: what the author wrote is
kept. Every other text:

- is plain when YAML's syntax allows it and it reads back as that same text under both
  rules (``'1'``, ``'true'`` and ``'null'`` keep their quotes, ``'pillar-speed'`` loses them);
- is quoted with single quotes when it must be, and with double quotes only when it holds
  a character that needs an escape;
- is folded (``>-``) when, written on its key's line, the line would pass ``WIDTH``
  characters, and the text can be folded: one line, no leading or trailing space, no
  control character. A text already folded keeps the places its author broke it; a new
  fold breaks at the last space before the width;
- is written as a ``|`` block when it holds line breaks (a ``>`` block stays one).
"""

from __future__ import annotations

import bisect
import functools
from typing import Any

import yaml

from stratlint.format import yamlfmt
from stratlint.load.yaml12 import resolve_plain

WIDTH = 100
"""The line width texts are folded to fit within."""

_PLAIN, _SINGLE, _DOUBLE, _LITERAL, _FOLDED = "plain", "single", "double", "literal", "folded"


def written_style(value: Any) -> str:
    """How ruamel says a text was written in the file."""
    if isinstance(value, yamlfmt.SingleQuotedScalarString):
        return _SINGLE
    if isinstance(value, yamlfmt.DoubleQuotedScalarString):
        return _DOUBLE
    if isinstance(value, yamlfmt.LiteralScalarString):
        return _LITERAL
    if isinstance(value, yamlfmt.FoldedScalarString):
        return _FOLDED
    return _PLAIN


@functools.cache
def _yaml11() -> yaml.resolver.Resolver:
    return yaml.resolver.Resolver()


def read_otherwise_by_yaml11(text: str) -> bool:
    """Whether a YAML 1.1 reader takes ``text``, written plain, for something other than
    text (``no``, ``on``, ``2026-01-15``, ``1_000``, ``1:20``)."""
    tag: str = _yaml11().resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag != "tag:yaml.org,2002:str"


def reads_as_text(text: str) -> bool:
    """Whether ``text`` written plain reads back, to stratlint, as that same text."""
    return isinstance(resolve_plain(text), str)


def _needs_escape(text: str) -> bool:
    return any(not character.isprintable() and character not in "\t\n" for character in text)


def _quoted(text: str) -> Any:
    if _needs_escape(text) or "\n" in text:
        return yamlfmt.DoubleQuotedScalarString(text)
    return yamlfmt.SingleQuotedScalarString(text)


def flow_length(text: str) -> int:
    """About how many characters ``text`` takes as an item of ``[...]``."""
    if reads_as_text(text) and yamlfmt.plain_allowed(text, flow=True):
        return len(text)
    return len(text) + 2 + text.count("'")


def quoted_only_in_flow(text: str) -> bool:
    """Whether ``text`` could stand plain as an item of a list written one a line, but not
    inside ``[...]`` (a comma, a bracket)."""
    return (
        reads_as_text(text) and yamlfmt.plain_allowed(text, flow=False) and not yamlfmt.plain_allowed(text, flow=True)
    )


def fold_positions(text: str, width: int) -> list[int]:
    """Where to break ``text`` so each line fits ``width`` characters where it can: at a
    single space between two other characters, as late as the width allows (a word longer
    than the width has a line of its own)."""
    candidates = [
        index
        for index in range(1, len(text) - 1)
        if text[index] == " " and not text[index - 1].isspace() and not text[index + 1].isspace()
    ]
    positions: list[int] = []
    start = 0
    while len(text) - start > width:
        first = bisect.bisect_right(candidates, start)
        if first == len(candidates):
            break
        fits = bisect.bisect_right(candidates, start + width) - 1
        cut = candidates[fits] if fits >= first else candidates[first]
        positions.append(cut)
        start = cut + 1
    return positions


def _foldable(text: str) -> bool:
    return (
        "\n" not in text
        and text == text.strip(" \t")
        and not _needs_escape(text)
        and " " in text
        and yamlfmt.block_allowed(text)
    )


def styled(value: Any, *, column: int, indent: int, flow: bool, fold: bool = True) -> Any:
    """``value`` (a text as ruamel read it) as it is to be written: ``column`` is where it
    starts on its line, ``indent`` where the lines of a block text would, and ``flow``
    whether it is an item of ``[...]``."""
    text = str(value)
    style = written_style(value)
    if "\n" in text:
        if flow:
            return _quoted(text)
        if style in (_LITERAL, _FOLDED):
            return value
        if yamlfmt.block_allowed(text) and not _needs_escape(text) and text.strip(" \t\n") == text.strip("\n"):
            return yamlfmt.LiteralScalarString(text)
        return yamlfmt.DoubleQuotedScalarString(text)
    if fold and not flow and column + len(text) > WIDTH and _foldable(text):
        if style == _FOLDED and getattr(value, "fold_pos", None):
            return value
        return yamlfmt.fold(text, fold_positions(text, max(WIDTH - indent, 20)))
    plain = reads_as_text(text) and yamlfmt.plain_allowed(text, flow=flow)
    if plain and read_otherwise_by_yaml11(text):
        plain = style in (_PLAIN, _LITERAL, _FOLDED)
    return text if plain else _quoted(text)
