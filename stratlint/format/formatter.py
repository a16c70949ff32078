"""Format one YAML text: read it, put its keys in the model's order and its texts in their
styles, write it out with ruamel, put the comments back, and prove nothing changed.

The proof is the last step, on every file: the text written is read again with
stratlint's own parser, and it must hold the same data (the same values of the same
types; only the order of keys may differ) and the same comments as the text read. When it
does not, the file is left as it is and the caller is told why: formatting never changes
what a file says.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from stratlint.format import comments as comment_lines
from stratlint.format import order, scalars, yamlfmt
from stratlint.load.artifact import decode_text
from stratlint.load.yaml import ParsedYaml, parse_yaml
from stratlint.load.yaml12 import resolve_plain
from stratlint.pointers import escape_token
from stratlint.problems import LoadProblem

INDENT = yamlfmt.INDENT


class NotFormatted(Exception):
    """Why a text was left as it is, and where: ``line`` and ``column`` are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class Parsed:
    """A text that stratlint's parser read without a problem."""

    text: str
    parsed: ParsedYaml

    @property
    def data(self) -> Any:
        return self.parsed.data


def parse(text: str) -> Parsed:
    """``text`` read by stratlint's parser; NotFormatted, at the first problem, when the
    parser found any (a file stratlint cannot read whole is not rewritten)."""
    data = text.encode("utf-8")
    unreadable: list[LoadProblem] = []
    if decode_text(data, unreadable) is None:
        raise NotFormatted(unreadable[0].message, unreadable[0].line, unreadable[0].column)
    parsed = parse_yaml(data)
    if parsed.problems:
        problem = parsed.problems[0]
        raise NotFormatted(problem.message, problem.line, problem.column)
    if parsed.data is None and not text.strip(" \t\n#"):
        raise NotFormatted("the file holds nothing to format")
    return Parsed(text, parsed)


def format_text(text: str, *, model: type[BaseModel] | None = None) -> str:
    """``text`` formatted. ``model`` is the model of the file's kind (``order.model_of_file``):
    with it, keys follow the model's order; without (YAML that is not a strategy file),
    they keep theirs. Raise NotFormatted when the text is left as it is."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    crlf = "\r\n" in body and body.count("\r\n") == body.count("\n")
    if crlf:
        body = body.replace("\r\n", "\n")
    before = parse(body)
    try:
        result = _formatted(body, before, model)
    except NotFormatted:
        raise
    except Exception as error:  # a fault of the formatter's: this file is left, the run goes on
        message = (
            f"the formatter failed on it ({type(error).__name__}: {error}); it is left as it is (please report this)"
        )
        raise NotFormatted(message) from error
    if crlf:
        result = result.replace("\n", "\r\n")
    return bom + result


def _formatted(body: str, before: Parsed, model: type[BaseModel] | None) -> str:
    found = comment_lines.find(body, before.data, before.parsed.source_map)
    try:
        tree = yamlfmt.load(body)
    except (yamlfmt.YAMLError, NotImplementedError) as error:
        # ruamel.yaml is stricter than libyaml in places (a tab after '---'); such a
        # file is left as it is.
        mark = getattr(error, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = getattr(error, "problem", None) or str(error).split("\n")[0]
        raise NotFormatted(f"ruamel.yaml, which formats, cannot read it: {problem}", line, column) from None
    yamlfmt.strip_comments(tree)
    tree = yamlfmt.untagged(tree)
    if isinstance(tree, str):
        tree = _top_text(tree)
    _restyle(tree, before.data, "", model, 0, _Context(found, _Source(body, before.parsed)), top=True)
    written = yamlfmt.dump(tree)
    shape = parse_yaml(written.encode("utf-8"))
    if shape.problems:
        raise _changed(f"the text written does not read back ({shape.problems[0].message})")
    result = comment_lines.place(written, shape.source_map, found)
    _prove_unchanged(before, result)
    return result


def _top_text(value: str) -> Any:
    """A document that is one text: ruamel would write a block text there unindented, which
    libyaml does not read, so a text of several lines is written in double quotes."""
    if "\n" in value:
        return yamlfmt.DoubleQuotedScalarString(value)
    return scalars.styled(value, column=4, indent=0, flow=False, fold=False)


def _changed(why: str) -> NotFormatted:
    return NotFormatted(f"formatting it would change it: {why}; it is left as it is (please report this)")


def _prove_unchanged(before: Parsed, result: str) -> None:
    after = parse_yaml(result.encode("utf-8"))
    if after.problems:
        raise _changed(f"the text written does not read back ({after.problems[0].message})")
    if not same_data(before.data, after.data):
        raise _changed("the text written reads as other data")
    kept = Counter(comment_lines.comment_texts(before.text, before.data, before.parsed.source_map))
    now = Counter(comment_lines.comment_texts(result, after.data, after.source_map))
    if kept != now:
        lost = sorted((kept - now).elements()) or sorted((now - kept).elements())
        raise _changed(f"a comment would be lost or changed ({lost[0]!r})")


def same_data(left: Any, right: Any) -> bool:
    """Whether two documents hold the same values, of the same types (``1`` is not
    ``1.0`` nor ``true``; NaN is NaN); the order of keys does not count, of items does."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same_data(left[key], right[key]) for key in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(same_data(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, float) and math.isnan(left):
        return math.isnan(right)
    return bool(left == right)


# -- styles -----------------------------------------------------------------------------------


class _Source:
    """The text as read, for writing a number back exactly as it was written."""

    def __init__(self, text: str, parsed: ParsedYaml) -> None:
        self.lines = text.split("\n")
        self.values = parsed.source_map.values

    def number(self, pointer: str, read: Any, value: Any) -> Any:
        """``value`` (as ruamel read it), or, for a number, its text as written, when that
        text reads back as the number stratlint read (``read``)."""
        if isinstance(read, bool) or not isinstance(read, (int, float)):
            return value
        span = self.values.get(pointer)
        if span is None or span[0] != span[2] or not 0 < span[0] <= len(self.lines):
            return value
        text = self.lines[span[0] - 1][span[1] - 1 : span[3] - 1]
        again = resolve_plain(text)
        if type(again) is not type(read) or not same_data(again, read):
            return value
        return yamlfmt.Verbatim(text, "int" if isinstance(read, int) else "float")


@dataclass(frozen=True, slots=True)
class _Context:
    comments: comment_lines.Comments
    source: _Source


def _restyle(
    node: Any,
    data: Any,
    pointer: str,
    model: type[BaseModel] | None,
    indent: int,
    context: _Context,
    *,
    top: bool = False,
) -> None:
    """Set the style of every collection and text under ``node`` (what ruamel read), whose
    plain data is ``data`` (what stratlint read, in the same order), and put the keys of
    each mapping in order. ``indent`` is the column the collection's keys or dashes start at."""
    if isinstance(node, yamlfmt.CommentedMap) and isinstance(data, dict):
        _restyle_mapping(node, data, pointer, model, indent, context)
    elif isinstance(node, yamlfmt.CommentedSeq) and isinstance(data, list):
        _restyle_sequence(node, data, pointer, model, indent, indent, context, top=top)


def _restyle_mapping(
    node: yamlfmt.CommentedMap,
    data: dict[str, Any],
    pointer: str,
    model: type[BaseModel] | None,
    indent: int,
    context: _Context,
) -> None:
    yamlfmt.set_flow(node, flow=not node)
    keys = list(node.keys())
    if len(keys) != len(data):  # pragma: no cover - both readers read the same file
        raise NotFormatted("ruamel.yaml and stratlint read this file differently; it is left as it is")
    for key, text_key in zip(keys, data, strict=True):
        child = f"{pointer}/{escape_token(text_key)}"
        value = context.source.number(child, data[text_key], yamlfmt.untagged(node[key]))
        yamlfmt.replace(node, key, value)
        column = indent + len(text_key) + 2
        held = order.child_model(model, text_key)
        if isinstance(value, str) and not isinstance(value, yamlfmt.Verbatim):
            yamlfmt.replace(node, key, scalars.styled(value, column=column, indent=indent + INDENT, flow=False))
        elif isinstance(value, yamlfmt.CommentedSeq):
            _restyle_sequence(value, data[text_key], child, held, indent + INDENT, column, context)
        else:
            _restyle(value, data[text_key], child, held, indent + INDENT, context)
    for key in order.sorted_keys(keys, model):
        node.move_to_end(key)


def _restyle_sequence(
    node: yamlfmt.CommentedSeq,
    data: list[Any],
    pointer: str,
    model: type[BaseModel] | None,
    dash: int,
    column: int,
    context: _Context,
    *,
    top: bool = False,
) -> None:
    """``dash``: the column of the items' dashes when written a line each; ``column``: where
    ``[...]`` would start."""
    if len(node) != len(data):  # pragma: no cover - both readers read the same file
        raise NotFormatted("ruamel.yaml and stratlint read this file differently; it is left as it is")
    flow = not node or (not top and _fits_in_flow(node, column, pointer, context.comments))
    yamlfmt.set_flow(node, flow)
    for index, (tagged, item) in enumerate(zip(node, data, strict=True)):
        value = context.source.number(f"{pointer}/{index}", item, yamlfmt.untagged(tagged))
        yamlfmt.replace(node, index, value)
        if isinstance(value, str) and not isinstance(value, yamlfmt.Verbatim):
            yamlfmt.replace(node, index, scalars.styled(value, column=dash + INDENT, indent=dash + INDENT, flow=flow))
        else:
            _restyle(value, item, f"{pointer}/{index}", model, dash + INDENT, context)


def _fits_in_flow(node: yamlfmt.CommentedSeq, column: int, pointer: str, found: comment_lines.Comments) -> bool:
    """Whether a list is written as ``[a, b]``: when it holds only short one-line values
    that need no quotes there that they would not need one a line (a text with a comma),
    no comment stands beside an item, and it fits on its key's line."""
    if found.inside(pointer):
        return False
    length = column + 2
    for value in node:
        if isinstance(value, (dict, list)):
            return False
        if isinstance(value, str):
            if "\n" in value or scalars.quoted_only_in_flow(str(value)):
                return False
            length += scalars.flow_length(str(value)) + 2
        else:
            length += len(str(value)) + 2
    return length <= scalars.WIDTH
