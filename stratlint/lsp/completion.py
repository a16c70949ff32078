"""Completion: ids for a reference field, of the kinds the field takes; enum values; field
names. What the cursor stands in is read from the text around it, by indentation, since
the file being typed seldom parses; the model says what each field takes (``Ref``)."""

from __future__ import annotations

import enum
import functools
import re
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

from lsprotocol import types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from stratlint.graph import Node
from stratlint.lsp.session import Session, describe, status_of
from stratlint.model import KINDS, ArtifactBase, NodeType, types_in
from stratlint.model.common import Ref
from stratlint.model.schema import field_docstrings

COMPLETION_LIMIT = 200
"""At most this many ids answer one request (the list says it is incomplete then): the
client asks again as the user types more of the id."""

_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?=[ \t]|$)")
_TOKEN = re.compile(r"[A-Za-z0-9._-]*$")
_KIND_LINE = re.compile(r"^kind:[ \t]*['\"]?([a-z]+)", re.MULTILINE)
_BLOCK = re.compile(r"[|>][0-9+-]*[ \t]*(#.*)?$")


@dataclass(slots=True)
class _Frame:
    column: int
    key: str | None
    """The key whose nested value follows (None: a list item)."""
    keys: set[str] = field(default_factory=set)
    """The keys seen so far in the mapping this frame holds."""


@dataclass(frozen=True, slots=True)
class Slot:
    """Where the cursor stands, in the model's terms."""

    path: tuple[str | None, ...]
    """The keys from the top of the file to the mapping the cursor is in (None: a list item)."""
    field: str | None
    """The field whose value is being written; None when a key is."""
    prefix: str
    """What is typed of the word so far."""
    start: int
    """The 0-based code-point column where that word starts."""
    present: frozenset[str] = frozenset()
    """Keys the mapping already has."""
    listed: frozenset[str] = frozenset()
    """Values already in the flow list being written."""


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#") and stripped not in ("---", "...")


def _dashes(line: str) -> tuple[list[int], int]:
    """The columns of the list markers a line starts with, and the column after them."""
    column = len(line) - len(line.lstrip(" "))
    found = []
    while line.startswith("-", column) and (column + 1 == len(line) or line[column + 1] in " \t"):
        found.append(column)
        column += 1
        while column < len(line) and line[column] in " \t":
            column += 1
    return found, column


def _close(stack: list[_Frame], column: int, item: bool) -> None:
    """Close the frames a line at ``column`` ends: a key at a column closes what is at it or
    deeper; a list marker closes deeper frames and its sibling items, but not the key whose
    list it continues at the same column."""
    while len(stack) > 1:
        top = stack[-1]
        if top.column > column or (top.column == column and (not item or top.key is None)):
            stack.pop()
        else:
            break


def slot_at(lines: list[str], line: int, column: int) -> Slot | None:
    """The slot at a 0-based line and code-point column; None within text, where nothing is offered."""
    stack = [_Frame(-1, None)]
    block: int | None = None
    for text in lines[:line]:
        if block is not None:
            if not text.strip() or len(text) - len(text.lstrip(" ")) > block:
                continue
            block = None
        if not _content(text):
            continue
        dashes, at = _dashes(text)
        for dash in dashes:
            _close(stack, dash, item=True)
            stack.append(_Frame(dash, None))
        match = _KEY.match(text, at)
        if match is None:
            continue
        _close(stack, at, item=False)
        stack[-1].keys.add(match.group(1))
        value = text[match.end() :].strip()
        if not value or value.startswith("#"):
            stack.append(_Frame(at, match.group(1)))
        elif _BLOCK.match(value):
            block = at
    current = lines[line] if line < len(lines) else ""
    head = current[:column]
    prefix = _TOKEN.search(head)
    word = prefix.group() if prefix else ""
    start = column - len(word)
    dashes, at = _dashes(head)
    for dash in dashes:
        _close(stack, dash, item=True)
        stack.append(_Frame(dash, None))
    match = _KEY.match(head, at)
    if match is not None:
        _close(stack, at, item=False)
        value = head[match.end() :]
        owner = _path(stack)
        flow = _flow_key(value)
        if flow is not None:
            owner, key, listed = (*owner, match.group(1)), flow[0], flow[1]
            if flow[2]:  # inside a flow list under the key written on this line
                return Slot(owner[:-1], match.group(1), word, start, listed=listed)
            return Slot((*owner, None) if flow[3] else owner, key, word, start, listed=listed)
        listed = frozenset(_listed(value))
        return Slot(owner, match.group(1), word, start, listed=listed)
    if head.startswith("{", at):
        # '- {id: x, narrative: [|' : a key of a flow mapping that is an item of the list.
        flow = _flow_key(head[at:])
        if flow is not None:
            return Slot(_path(stack), flow[0] or None, word, start, listed=flow[1])
    if head[at:].strip() not in ("", word):
        return None  # within text: nothing to offer
    if dashes and len(stack) >= 3 and stack[-1].key is None and stack[-2].key is not None:
        # '- |' : an item of the list under the key above: an id (when the list holds ids),
        # or the first key of an entry.
        return Slot(_path(stack[:-2]), stack[-2].key, word, start, _following_keys(lines, line, at, stack[-1]))
    _close(stack, start, item=False)
    top = stack[-1]
    if top.key is not None and top.column < start:
        # Under 'key:' with nothing after it: the key's value, or the first key of its mapping.
        return Slot(_path(stack[:-1]), top.key, word, start, _following_keys(lines, line, start, top))
    return Slot(_path(stack), None, word, start, _following_keys(lines, line, start, top))


def _flow_key(value: str) -> tuple[str, frozenset[str], bool, bool] | None:
    """In a flow collection still open at the end of ``value``: the key being written (in a
    flow mapping), the values already listed, whether that is a list right under the
    line's own key, and whether the mapping is an item of a list."""
    depth: list[tuple[str, int]] = []
    for index, char in enumerate(value):
        if char in "[{":
            depth.append((char, index))
        elif char in "]}" and depth:
            depth.pop()
    if not depth:
        return None
    if len(depth) == 1 and depth[0][0] == "[":
        return ("", frozenset(_listed(value[depth[0][1] + 1 :])), True, False)
    mapping = max((index for char, index in depth if char == "{"), default=None)
    if mapping is None:
        return None
    inner = value[mapping + 1 :]
    keys = list(_KEY.finditer(inner))
    if not keys:
        return None
    last = keys[-1]
    rest = inner[last.end() :]
    listed = frozenset(_listed(rest[rest.find("[") + 1 :])) if "[" in rest else frozenset()
    return (last.group(1), listed, False, any(char == "[" for char, index in depth if index < mapping))


def _listed(value: str) -> list[str]:
    return [item.strip().strip("'\"") for item in value.strip().lstrip("[").split(",")[:-1] if item.strip()]


def _path(stack: list[_Frame]) -> tuple[str | None, ...]:
    return tuple(frame.key for frame in stack[1:])


def _following_keys(lines: list[str], line: int, column: int, frame: _Frame) -> frozenset[str]:
    """The keys the mapping at ``column`` has, before the cursor's line and after it."""
    found = set(frame.keys)
    for text in lines[line + 1 :]:
        if not _content(text):
            continue
        dashes, at = _dashes(text)
        if (dashes and dashes[0] <= column - 2) or (not dashes and at < column):
            break
        if at == column and not dashes:
            match = _KEY.match(text, at)
            if match:
                found.add(match.group(1))
    return frozenset(found)


# -- the model's side ------------------------------------------------------------------------


def _held(annotation: Any) -> type[BaseModel] | None:
    """The model a field's value holds, or holds a list of."""
    for held in types_in(annotation):
        if isinstance(held, type) and issubclass(held, BaseModel):
            return held
    return None


def model_at(kind: str | None, path: tuple[str | None, ...]) -> type[BaseModel] | None:
    """The model of the mapping at ``path`` in a file of ``kind``."""
    model: type[BaseModel] | None = KINDS.get(kind) if kind is not None else ArtifactBase
    for key in path:
        if model is None:
            return None
        if key is None:
            continue  # a list item: the list's field already named the model
        info = model.model_fields.get(key)
        model = _held(info.annotation) if info is not None else None
    return model


def ref_of(info: FieldInfo) -> Ref | None:
    return next((item for item in info.metadata if isinstance(item, Ref)), None)


def choices(annotation: Any) -> list[str]:
    """The values an enum or Literal field takes (true and false for a flag)."""
    found: list[str] = []
    for held in types_in(annotation):
        if typing.get_origin(held) is Literal:
            found += [str(value) for value in typing.get_args(held)]
        elif isinstance(held, type) and issubclass(held, enum.Enum):
            found += [str(member.value) for member in held]
        elif held is bool:
            found += ["true", "false"]
    return list(dict.fromkeys(found))


@functools.cache
def field_doc(model: type[BaseModel], name: str) -> str:
    """The docstring written under a field, from the model's source (what the schema's
    descriptions are made of)."""
    for owner in model.__mro__:
        if isinstance(owner, type) and issubclass(owner, BaseModel) and owner is not BaseModel:
            try:
                written = field_docstrings(owner)
            except (OSError, TypeError, IndexError):
                continue
            if name in written:
                return written[name]
    return ""


# -- the items ------------------------------------------------------------------------------------


def _documentation(session: Session, text: str) -> types.MarkupContent | str | None:
    if not text:
        return None
    if session.client.markdown:
        return types.MarkupContent(types.MarkupKind.Markdown, text)
    return text


def _edit(lines: list[str], line: int, slot: Slot, column: int, text: str, encoding: str) -> types.TextEdit:
    from stratlint.lsp.positions import units

    current = lines[line] if line < len(lines) else ""
    start = types.Position(line, units(current[: slot.start], encoding))
    end = types.Position(line, units(current[:column], encoding))
    return types.TextEdit(types.Range(start, end), text)


def _id_item(session: Session, node: Node, edit: types.TextEdit, rank: int) -> types.CompletionItem:
    said = describe(node)
    status = status_of(node)
    retired = node.retired
    tags = [types.CompletionItemTag.Deprecated] if retired and session.client.deprecated else None
    detail = node.type.value + (f" ({status})" if status and status != "active" else "")
    return types.CompletionItem(
        label=node.id,
        kind=types.CompletionItemKind.Reference,
        detail=detail,
        documentation=_documentation(session, said + (f"\n\nIn {node.artifact.path}" if said else "")),
        text_edit=edit,
        filter_text=node.id,
        sort_text=f"{1 if retired else 0}{rank:06d}",
        tags=tags,
    )


def completion(session: Session, path: str, position: types.Position) -> types.CompletionList:
    """What may be written at ``position`` in the file at ``path``."""
    lines = session.lines(path)
    text_lines = list(lines.lines)
    line, column = lines.at(position)
    line, column = line - 1, column - 1
    text = session.text(path)
    kind_match = _KIND_LINE.search(text)
    kind = kind_match.group(1) if kind_match and kind_match.group(1) in KINDS else None
    slot = slot_at(text_lines, line, column)
    model = model_at(kind, slot.path) if slot is not None else None
    encoding = session.client.encoding
    if slot is None or model is None:
        return types.CompletionList(is_incomplete=False, items=[])
    if slot.field is None:
        return types.CompletionList(is_incomplete=False, items=_keys(session, model, slot, text_lines, line, column))
    if not slot.path and slot.field == "kind":
        values = list(KINDS)
        items = [
            types.CompletionItem(
                label=value,
                kind=types.CompletionItemKind.EnumMember,
                text_edit=_edit(text_lines, line, slot, column, value, encoding),
            )
            for value in values
        ]
        return types.CompletionList(is_incomplete=False, items=items)
    info = model.model_fields.get(slot.field)
    if info is None:
        return types.CompletionList(is_incomplete=False, items=[])
    ref = ref_of(info)
    if ref is not None:
        node_type = getattr(model, "node_type", None)
        accepts = frozenset({node_type}) if ref.same_kind and isinstance(node_type, NodeType) else ref.targets
        return _ids(session, accepts, slot, text_lines, line, column)
    if _held(info.annotation) is not None:
        # 'narrative:' with the cursor on the next line: a mapping's first key.
        held = _held(info.annotation)
        assert held is not None
        nested = Slot((*slot.path, slot.field), None, slot.prefix, slot.start, slot.present)
        return types.CompletionList(is_incomplete=False, items=_keys(session, held, nested, text_lines, line, column))
    values = choices(info.annotation)
    items = [
        types.CompletionItem(
            label=value,
            kind=types.CompletionItemKind.EnumMember,
            text_edit=_edit(text_lines, line, slot, column, value, encoding),
            documentation=_documentation(session, field_doc(model, slot.field)),
        )
        for value in values
        if value.startswith(slot.prefix)
    ]
    return types.CompletionList(is_incomplete=False, items=items)


def _ids(
    session: Session, accepts: frozenset[NodeType], slot: Slot, lines: list[str], line: int, column: int
) -> types.CompletionList:
    graph = session.live.graph
    prefix = slot.prefix.lower()
    items: list[types.CompletionItem] = []
    incomplete = False
    for rank, node_id in enumerate(graph.ids_of_types(accepts)):
        if prefix and prefix not in node_id.lower():
            continue
        if node_id in slot.listed:
            continue
        node = graph.node(node_id)
        if node is None:
            continue
        if len(items) >= COMPLETION_LIMIT:
            incomplete = True
            break
        edit = _edit(lines, line, slot, column, node_id, session.client.encoding)
        items.append(_id_item(session, node, edit, rank if node_id.lower().startswith(prefix) else rank + 500_000))
    return types.CompletionList(is_incomplete=incomplete, items=items)


def _keys(
    session: Session, model: type[BaseModel], slot: Slot, lines: list[str], line: int, column: int
) -> list[types.CompletionItem]:
    items = []
    for rank, (name, info) in enumerate(model.model_fields.items()):
        if name in slot.present or not name.startswith(slot.prefix):
            continue
        ref = ref_of(info)
        held = _held(info.annotation)
        if ref is not None:
            detail = f"{ref.describe()} {'ids' if typing.get_origin(info.annotation) is list else 'id'}"
        elif held is not None:
            detail = "entries" if any(typing.get_origin(t) is list for t in types_in(info.annotation)) else "mapping"
        else:
            detail = ", ".join(choices(info.annotation)) or "text"
        insert = f"{name}: " if held is None else f"{name}:"
        items.append(
            types.CompletionItem(
                label=name,
                kind=types.CompletionItemKind.Field,
                detail=("required · " if info.is_required() else "") + detail,
                documentation=_documentation(session, field_doc(model, name)),
                text_edit=_edit(lines, line, slot, column, insert, session.client.encoding),
                filter_text=name,
                sort_text=f"{0 if info.is_required() else 1}{rank:04d}",
            )
        )
    return items
