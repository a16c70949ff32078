"""ruamel.yaml, configured once: the round-trip loader and the emitter ``stratlint format``
uses. No other module imports ruamel.

The loader is ruamel's round-trip mode, which keeps what a plain loader forgets: the order
of keys, how each text was written (plain, quoted, or as a ``|`` or ``>`` block, with the
places a folded text breaks) and anchors. It reads plain scalars exactly as stratlint does
(``stratlint.load.yaml12``): ruamel's own YAML 1.2 rules still read ``2026-01-15`` as a
date and ``1_000`` as a number, which stratlint reads as text, so it is given stratlint's.

The emitter writes two-space indentation, sequences indented under their key
(``items:`` then ``  - id: ...``), never wraps a line by itself (the formatter decides
where a long text folds, ``FOLD``), and writes Unicode as it is.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    ScalarString,
    SingleQuotedScalarString,
)
from ruamel.yaml.tag import Tag

from stratlint.load.yaml12 import resolve_plain

INDENT = 2
"""Spaces per level of nesting."""

_NO_WRAP = 1 << 30
"""The emitter's line width: wide enough that it never breaks a line of its own accord."""

_CORE = "tag:yaml.org,2002:"

__all__ = [
    "CommentedMap",
    "CommentedSeq",
    "DoubleQuotedScalarString",
    "FoldedScalarString",
    "LiteralScalarString",
    "ScalarString",
    "SingleQuotedScalarString",
    "Verbatim",
    "YAMLError",
    "block_allowed",
    "dump",
    "fold",
    "load",
    "plain_allowed",
    "replace",
    "set_flow",
    "strip_comments",
    "untagged",
]


class _StratlintResolver(VersionedResolver):
    """Reads a plain scalar as ``stratlint.load.yaml12`` does, whatever the file's %YAML
    directive says: stratlint reads every file as YAML 1.2."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            resolved = resolve_plain(value)
            if resolved is None:
                name = "null"
            elif isinstance(resolved, bool):
                name = "bool"
            elif isinstance(resolved, int):
                name = "int"
            elif isinstance(resolved, float):
                name = "float"
            else:
                name = "str"
            return Tag(suffix=_CORE + name)
        return super().resolve(kind, value, implicit)

    @property
    def processing_version(self) -> Any:
        return (1, 2)


class Verbatim(str):
    """A number written out exactly as its author wrote it (``1.50``, ``1e3``, ``0o17``):
    ruamel would write some floats back with other digits."""

    tag: str

    def __new__(cls, text: str, tag: str) -> Verbatim:
        made = super().__new__(cls, text)
        made.tag = tag
        return made


class _Representer(RoundTripRepresenter):
    pass


def _represent_verbatim(representer: RoundTripRepresenter, data: Verbatim) -> Any:
    return representer.represent_scalar(_CORE + data.tag, str(data))


_Representer.add_representer(Verbatim, _represent_verbatim)


def _yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.Resolver = _StratlintResolver
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.indent(mapping=INDENT, sequence=2 * INDENT, offset=INDENT)
    yaml.width = _NO_WRAP
    yaml.allow_unicode = True
    yaml.line_break = "\n"  # type: ignore[assignment]
    return yaml


def load(text: str) -> Any:
    """The document in ``text``, as ruamel's round-trip loader reads it (YAMLError when it
    cannot: the caller has already read it with stratlint's parser, which is stricter)."""
    return _yaml().load(text)


def dump(data: Any) -> str:
    """``data`` written out as YAML, with no comments (the formatter places those). A
    document that is one value, not a mapping or a list, opens with ``---``, which a block
    text at the top needs."""
    stream = io.StringIO()
    yaml = _yaml()
    yaml.explicit_start = not isinstance(data, (dict, list))
    yaml.dump(data, stream)
    return stream.getvalue()


def strip_comments(node: Any) -> None:
    """Forget every comment ruamel attached to ``node`` and what it holds: the formatter
    finds comments in the text itself and puts each back beside the key it belongs to."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CommentedBase):
            comments = item.ca
            comments.comment = None
            comments.items.clear()
            comments.end = []
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def replace(node: CommentedMap | CommentedSeq, key: Any, value: Any) -> None:
    """Put ``value`` at ``key`` (an index, in a list) as it is: ruamel's own assignment
    would keep the quotes of the text it replaces."""
    if isinstance(node, CommentedSeq):
        list.__setitem__(node, key, value)
    else:
        OrderedDict.__setitem__(node, key, value)


def untagged(value: Any) -> Any:
    """A text written with an explicit ``!!str`` as the text itself: the formatter quotes it
    where it must be (``!!str 123`` becomes ``'123'``). Anything else as it is."""
    if isinstance(value, TaggedScalar) and str(value.tag) == _CORE + "str" and isinstance(value.value, str):
        return SingleQuotedScalarString(value.value)  # as written with quotes: kept where YAML 1.1 needs them
    return value


def set_flow(node: CommentedMap | CommentedSeq, flow: bool) -> None:
    """Write ``node`` as ``[a, b]`` (flow) or one item a line (block)."""
    if flow:
        node.fa.set_flow_style()
    else:
        node.fa.set_block_style()


class _Analyser(Emitter):
    """The emitter's own judgement of what a text may be written as, by its stricter YAML
    1.1 rules (``?x`` and ``:x`` quoted): stratlint's parser, libyaml, reads by those."""

    use_version = (1, 1)

    def __init__(self) -> None:
        super().__init__(io.StringIO(), allow_unicode=True)

    @property
    def serializer(self) -> Any:
        return self


_ANALYSER = _Analyser()


def plain_allowed(text: str, *, flow: bool) -> bool:
    """Whether YAML's syntax lets ``text`` be written without quotes, inside ``[...]`` or
    not (whether it would read back as the same text is the resolver's question)."""
    analysis = _ANALYSER.analyze_scalar(text)
    return bool(analysis.allow_flow_plain if flow else analysis.allow_block_plain) and not analysis.multiline


def block_allowed(text: str) -> bool:
    """Whether ``text`` can be written as a ``|`` or ``>`` block and read back the same."""
    return bool(_ANALYSER.analyze_scalar(text).allow_block)


def fold(text: str, positions: list[int]) -> FoldedScalarString:
    """``text`` as a folded block (``>``), its lines broken at the spaces at ``positions``."""
    folded: FoldedScalarString = FoldedScalarString(text)
    folded.fold_pos = list(positions)  # type: ignore[attr-defined]
    return folded
