"""The splice engine: byte-minimal edits at the positions the loader recorded, and the
check that each edited file reads as expected. Pure: texts in, edits out.

An edit names a value by its JSON pointer. Setting an id rewrites only the id's characters:
in ``id: 'claim-a'`` the quotes stay, in ``[a, b]`` the commas and spaces stay, and a
file's line endings, comments, key order and indentation are never touched, because
nothing outside the token is. A plain id is quoted only when the new id would not read as
text unquoted ('123', 'true', '1e3'). Copying an entry (a split) inserts its lines again,
verbatim but for the id, after it.

``verify`` parses the new text, exactly as the loader does, and requires its data to equal
the old data with the same changes made, and its model to equal the model of that data;
anything else raises ``SpliceError`` and nothing may be written.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stratlint.edit.text import LineIndex, TextEdit
from stratlint.load.artifact import LoadedArtifact, load_bytes, validate_model
from stratlint.load.source_map import SourceMap
from stratlint.load.yaml import parse_simple, parse_yaml
from stratlint.load.yaml12 import resolve_plain
from stratlint.pointers import escape_token, parent_pointer, split_pointer


class SpliceError(Exception):
    """An edit cannot be made safely; the message says where and why."""


@dataclass(frozen=True, slots=True)
class SetId:
    """The id at ``pointer`` (a scalar that reads as ``old``) becomes ``new``."""

    pointer: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class CopyEntry:
    """Insert copies of the list item at ``pointer`` right after it, one per id of ``ids``
    (each copy's own 'id' is that id; the rest is the item as written)."""

    pointer: str
    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RawEdit:
    """Replace the characters of ``start``..``end`` (1-based line, column; end exclusive)
    with ``text``, outside any value (a comment): the data must not change."""

    line: int
    column: int
    end_line: int
    end_column: int
    text: str
    replaces: str | None = None
    """The text there now, when known: anything else refuses the edit."""


@dataclass(frozen=True, slots=True)
class SetText:
    """Replace ``replaces``, ``offset`` characters into the text at ``pointer``, with
    ``text``; in the file, those characters are at ``start``..``end`` (1-based line, column;
    end exclusive). The file must read as the value so changed."""

    pointer: str
    offset: int
    line: int
    column: int
    end_line: int
    end_column: int
    text: str
    replaces: str


Change = SetId | CopyEntry | RawEdit | SetText


_PROPERTIES = re.compile(r"(?:[!&][^\s]*\s+)*")
"""A scalar's tag and anchor, written before it ('!!str ', '&anchor ')."""


def needs_quotes(new_id: str) -> bool:
    """Whether ``new_id`` written plain would read as something other than that text."""
    value = resolve_plain(new_id)
    return not (isinstance(value, str) and value == new_id)


def _located(source_map: SourceMap, pointer: str) -> tuple[int, int, int, int]:
    found = source_map.values.get(pointer)
    if found is None:
        raise SpliceError(f"the file has no value at {pointer or '/'}")
    return found


def _id_edit(text: str, index: LineIndex, source_map: SourceMap, change: SetId) -> TextEdit:
    """The edit that writes ``change.new`` in place of the id at ``change.pointer``."""
    line, column, end_line, end_column = _located(source_map, change.pointer)
    start, end = index.offset(line, column), index.offset(end_line, end_column)
    token = text[start:end]
    where = f"line {line}, column {column}"
    prefix = _PROPERTIES.match(token)
    skip = prefix.end() if prefix is not None else 0
    body = token[skip:]
    if body.startswith("*"):
        raise SpliceError(f"the id at {where} is written as an alias ({body.split()[0]}); write it out first")
    if body[:1] in ("'", '"'):
        quote = body[0]
        if len(body) < 2 or not body.endswith(quote):
            raise SpliceError(f"the quoted id at {where} does not end on its line; write it on one line first")
        inner_start, inner_end = start + skip + 1, end - 1
        # With escapes inside the quotes, the whole text between them is the id; over lines, it is refused.
        if text[inner_start:inner_end] != change.old and "\n" in text[inner_start:inner_end]:
            raise SpliceError(f"the quoted id at {where} runs over several lines; write it on one line first")
        return TextEdit(inner_start, inner_end, change.new, index.span(inner_start, inner_end))
    if body[:1] in ("|", ">"):
        raise SpliceError(f"the id at {where} is written as a block of text ('{body[0]}'); write it on one line first")
    if body.rstrip() != change.old:
        raise SpliceError(f"the text at {where} is {body!r}, not the id '{change.old}'")
    token_start = start + skip
    new = f"'{change.new}'" if needs_quotes(change.new) else change.new
    return TextEdit(
        token_start, token_start + len(change.old), new, index.span(token_start, token_start + len(change.old))
    )


def _entry_lines(text: str, index: LineIndex, source_map: SourceMap, pointer: str) -> tuple[int, int]:
    """The offsets of the lines that hold the list item at ``pointer``: from the start of the
    line of its '- ' to after the line break of its last value's line (comments after that
    belong to what follows)."""
    line, column, _, _ = _located(source_map, pointer)
    head = index.line_text(line)[: column - 1]
    if not re.fullmatch(r"[ \t]*-[ \t]+", head):
        raise SpliceError(
            f"the entry at line {line} is not an item of a block list ('- ' at the start of its line); "
            "it cannot be copied in place"
        )
    last = line
    prefix = pointer + "/"
    for table in (source_map.values, source_map.keys):
        for child, (_, _, child_end_line, child_end_column) in table.items():
            if child.startswith(prefix):
                last = max(last, child_end_line if child_end_column > 1 else child_end_line - 1)
    start = index.offset(line, 1)
    end = index.offset(last + 1, 1) if last < index.lines else len(text)
    return start, end


def _copy_edits(text: str, index: LineIndex, source_map: SourceMap, change: CopyEntry, old_id: str) -> TextEdit:
    start, end = _entry_lines(text, index, source_map, change.pointer)
    block = text[start:end]
    id_edit = _id_edit(text, index, source_map, SetId(change.pointer + "/id", old_id, old_id))
    if not start <= id_edit.start <= id_edit.end <= end:
        raise SpliceError(f"the id of the entry at {change.pointer} is not within its lines")
    newline = "\r\n" if block.endswith("\r\n") or (not block.endswith("\n") and "\r\n" in text) else "\n"
    copies = []
    for new_id in change.ids:
        edit = _id_edit(text, index, source_map, SetId(change.pointer + "/id", old_id, new_id))
        copy_text = block[: edit.start - start] + edit.new_text + block[edit.end - start :]
        copies.append(copy_text if copy_text.endswith("\n") else copy_text + newline)
    inserted = "".join(copies)
    if not block.endswith("\n"):
        inserted = newline + inserted.removesuffix(newline)
    return TextEdit(end, end, inserted, index.span(end, end))


def plan_edits(text: str, source_map: SourceMap, changes: Sequence[Change]) -> list[TextEdit]:
    """The text edits that make ``changes`` in ``text`` (whose positions ``source_map``
    holds). Two changes of the same place must agree (an id written once under an anchor
    and read again through an alias); SpliceError otherwise, or when a place cannot be
    rewritten in place."""
    index = LineIndex(text)
    edits: dict[tuple[int, int], TextEdit] = {}
    ids: dict[str, str] = {change.pointer: change.old for change in changes if isinstance(change, SetId)}

    def add(edit: TextEdit) -> None:
        key = (edit.start, edit.end)
        if key in edits and edits[key].new_text != edit.new_text:
            raise SpliceError(f"two edits disagree at line {edit.range.line}, column {edit.range.column}")
        edits[key] = edit

    for change in changes:
        if isinstance(change, SetId):
            add(_id_edit(text, index, source_map, change))
        elif isinstance(change, CopyEntry):
            old_id = ids.get(change.pointer + "/id")
            if old_id is None:
                raise SpliceError(f"the entry at {change.pointer} is copied without its id being set")
            add(_copy_edits(text, index, source_map, change, old_id))
        else:
            start, end = index.offset(change.line, change.column), index.offset(change.end_line, change.end_column)
            if change.replaces is not None and text[start:end] != change.replaces:
                raise SpliceError(
                    f"the text at line {change.line}, column {change.column} is {text[start:end]!r}, "
                    f"not {change.replaces!r}"
                )
            add(TextEdit(start, end, change.text, index.span(start, end)))
    ordered = sorted(edits.values(), key=lambda edit: (edit.start, edit.end))
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            raise SpliceError(f"edits overlap at line {after.range.line}, column {after.range.column}")
    return ordered


# -- checking the result ---------------------------------------------------------------------------


_UNPARSED: Any = object()


def _document(data: bytes) -> Any:
    parsed = parse_simple(data) or parse_yaml(data)
    return parsed.data


def _at(data: Any, pointer: str) -> tuple[Any, str | int]:
    """The container of ``pointer``'s value in ``data``, and its key or index there."""
    tokens = split_pointer(pointer)
    if not tokens:
        raise SpliceError("the whole document cannot be an id")
    current = data
    for token in tokens[:-1]:
        current = current[int(token)] if isinstance(current, list) else current[token]
    last = tokens[-1]
    return current, (int(last) if isinstance(current, list) else last)


def _copied_path(data: Any, pointer: str, copies: dict[int, Any]) -> Any:
    """``data`` with every container on the way to ``pointer``'s value copied (once: ``copies``
    maps each original container's id to its copy), so a change there leaves ``data`` as it
    was while everything else is shared."""
    root = copies.get(id(data))
    if root is None:
        root = copies[id(data)] = copy.copy(data)
    current = root
    for token in split_pointer(pointer)[:-1]:
        key: str | int = int(token) if isinstance(current, list) else token
        child = current[key]
        if isinstance(child, (dict, list)):
            copied = copies.get(id(child))
            if copied is None:
                copied = copies[id(child)] = copy.copy(child)
                current[key] = copied
            child = copied
        current = child
    return root


def _order(token: str) -> tuple[int, int, str]:
    """A pointer token's place: list indices by number."""
    return (0, int(token), "") if token.isdigit() else (1, 0, token)


def expected_data(data: Any, changes: Iterable[Change]) -> Any:
    """``data`` (not changed) with ``changes`` made: what the edited file must read as.
    Only the containers on the way to a change are copied; the rest is shared with ``data``."""
    changes = list(changes)
    copies: dict[int, Any] = {}
    result = data
    for change in changes:
        if isinstance(change, (SetId, CopyEntry, SetText)):
            result = _copied_path(data, change.pointer + ("/id" if isinstance(change, CopyEntry) else ""), copies)
    for change in changes:
        if isinstance(change, SetId):
            container, key = _at(result, change.pointer)
            if container[key] != change.old:
                raise SpliceError(f"the value at {change.pointer} is not '{change.old}'")
            container[key] = change.new
    # The last piece of a text first, so each replacement leaves the offsets of the others as they are.
    pieces = [change for change in changes if isinstance(change, SetText)]
    for piece in sorted(pieces, key=lambda item: item.offset, reverse=True):
        container, key = _at(result, piece.pointer)
        value = container[key]
        end = piece.offset + len(piece.replaces)
        if not isinstance(value, str) or value[piece.offset : end] != piece.replaces:
            raise SpliceError(f"the text at {piece.pointer} does not say '{piece.replaces}' there")
        container[key] = value[: piece.offset] + piece.text + value[end:]
    entries = [change for change in changes if isinstance(change, CopyEntry)]
    # Later items first, so each insertion leaves the indices of the others as they are.
    for entry in sorted(entries, key=lambda item: [_order(t) for t in split_pointer(item.pointer)], reverse=True):
        container, key = _at(result, entry.pointer)
        if not isinstance(container, list) or not isinstance(key, int) or not isinstance(container[key], dict):
            raise SpliceError(f"the value at {entry.pointer} is not an entry of a list")
        for offset, new_id in enumerate(entry.ids, start=1):
            item = copy.deepcopy(container[key])
            item["id"] = new_id
            container.insert(key + offset, item)
    return result


def first_difference(left: Any, right: Any, pointer: str = "") -> str | None:
    """The pointer of the first place ``left`` and ``right`` differ (types, key order and
    values all count), or None when they are the same."""
    if type(left) is not type(right):
        return pointer or "/"
    if isinstance(left, dict):
        if list(left) != list(right):
            return pointer or "/"
        for key in left:
            found = first_difference(left[key], right[key], f"{pointer}/{key}")
            if found is not None:
                return found
        return None
    if isinstance(left, list):
        if len(left) != len(right):
            return pointer or "/"
        for number, (a, b) in enumerate(zip(left, right, strict=True)):
            found = first_difference(a, b, f"{pointer}/{number}")
            if found is not None:
                return found
        return None
    return None if left == right else (pointer or "/")


def positions(loaded: LoadedArtifact) -> tuple[Any, SourceMap]:
    """A loaded file's document and source map. A deferred map would parse the file to be
    built; parsing it here gives the document too, from the same parse."""
    if loaded.source_map.is_deferred:
        parsed = parse_yaml(loaded.text.encode("utf-8"))
        return parsed.data, parsed.source_map
    return _document(loaded.text.encode("utf-8")), loaded.source_map


def verify(
    loaded: LoadedArtifact, new_text: str, changes: Sequence[Change], old_document: Any = _UNPARSED
) -> LoadedArtifact:
    """Parse ``new_text`` as the loader would, and require it to read as ``loaded`` (the file
    as it is; ``old_document``, when given, its document) with ``changes`` made: the same
    data but for them, the model of that data, and no problem of a kind the file did not
    have. Returns the file as it will load; raises SpliceError otherwise."""
    path = loaded.path
    if old_document is _UNPARSED:
        old_document = _document(loaded.text.encode("utf-8"))
    new_data = new_text.encode("utf-8")
    wanted = expected_data(old_document, changes)
    after = load_bytes(new_data, path)
    if after.kind != loaded.kind or after.kind is None:
        raise SpliceError(f"{path}: after the edit, the file would not load as a {loaded.kind} file")
    # A file without problems keeps the very document it was validated from; one that needed
    # repairs keeps the repaired copy, so its document is parsed again.
    document = after.data if after.model is not None and not after.problems else _document(new_data)
    found = first_difference(wanted, document)
    if found is not None:
        raise SpliceError(f"{path}: after the edit, the value at {found} would read differently than intended")
    expected = LoadedArtifact(path, kind=after.kind, source_map=after.source_map, data=wanted)
    validate_model(expected)  # validation reads the data; a repair works on a copy
    if after.model is None or after.model != expected.model:
        raise SpliceError(f"{path}: after the edit, the file's model would differ from the one intended")
    new_kinds = Counter(problem.kind for problem in after.problems)
    old_kinds = Counter(problem.kind for problem in loaded.problems)
    if not set(new_kinds) <= set(old_kinds):
        extra = sorted(str(kind) for kind in set(new_kinds) - set(old_kinds))
        raise SpliceError(f"{path}: after the edit, the file would have problems it has not now ({', '.join(extra)})")
    return after


def mentions(text: str, node_id: str) -> Iterable[int]:
    """Offsets where ``node_id`` is written as a whole id in ``text`` (not inside a longer one)."""
    if node_id not in text:
        return ()
    pattern = re.compile(rf"(?<![a-z0-9.-]){re.escape(node_id)}(?![a-z0-9-]|\.[a-z0-9])")
    return [match.start() for match in pattern.finditer(text)]


def pointers_to(data: Any, value: str) -> list[str]:
    """The pointers of every string in ``data`` equal to ``value``, in document order."""
    found: list[str] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, item = stack.pop()
        if isinstance(item, dict):
            stack.extend((f"{pointer}/{escape_token(str(key))}", child) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((f"{pointer}/{number}", child) for number, child in reversed(list(enumerate(item))))
        elif item == value and isinstance(item, str):
            found.append(pointer)
    return found


def document_of(text: str) -> Any:
    """The plain data of a file's text, as the loader parses it (None when it does not parse)."""
    return _document(text.encode("utf-8"))


def covered(offset: int, edits: Iterable[TextEdit]) -> bool:
    return any(edit.start <= offset < max(edit.end, edit.start + 1) for edit in edits)


def parent_of(pointer: str) -> str:
    return parent_pointer(pointer)


def changes_by_path(changes: Iterable[tuple[str, Change]]) -> Mapping[str, list[Change]]:
    grouped: dict[str, list[Change]] = {}
    for path, change in changes:
        grouped.setdefault(path, []).append(change)
    return grouped
