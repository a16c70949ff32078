"""Rename: the same engine as ``stratlint mv`` (``stratlint.edit.rename``), over the strategy
held in memory, unsaved buffers included. ``prepareRename`` refuses, saying why, what is not
an id (or cannot be renamed safely); ``rename`` refuses an invalid or taken new id, and
otherwise returns one workspace edit over every file that writes the id, and the lock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lsprotocol import types

from stratlint.edit.rename import EditRefused, IdToken, RefusalKind, check_new_id, id_at, plan_rename
from stratlint.edit.text import FileEdit
from stratlint.load.read import read_bounded
from stratlint.lsp.session import Session


class Refused(Exception):
    """The rename may not be made; the message says why, in one sentence."""


@dataclass(frozen=True, slots=True)
class Renamed:
    edit: types.WorkspaceEdit
    notes: tuple[str, ...]
    """What was left as it was (the old id in prose or a comment)."""


def _token(session: Session, path: str, position: types.Position) -> IdToken:
    line, column = session.lines(path).at(position)
    token = id_at(session.live.graph, path, line, column)
    if token is None:
        raise Refused("This is not an id: put the cursor on an 'id:' or on a reference to rename it.")
    return token


def prepare_rename(session: Session, path: str, position: types.Position) -> types.PrepareRenamePlaceholder:
    """The id under the cursor and where it is written; Refused when there is none, or when it
    names nothing, or cannot be renamed (defined twice, declared in a file that is unread)."""
    token = _token(session, path, position)
    graph = session.live.graph
    refusal = check_new_id(graph, token.id, token.id)  # names nothing, or is declared in an unread file
    if refusal is not None and refusal.kind is not RefusalKind.SAME_ID:
        raise Refused(refusal.message)
    twice = [later for later, first in graph.duplicates if first.id == token.id]
    if twice:
        raise Refused(f"'{token.id}' is defined {len(twice) + 1} times; give each its own id first.")
    lines = session.lines(path)
    written = lines.line(token.range.line)[token.range.column - 1 : token.range.end_column - 1]
    at = written.find(token.id) if token.range.line == token.range.end_line else -1
    span = token.range
    if at >= 0:  # the id itself, inside its quotes
        start = span.column + at
        span = type(span)(span.line, start, span.line, start + len(token.id))
    return types.PrepareRenamePlaceholder(lines.range(span), token.id)


def rename(
    session: Session, path: str, position: types.Position, new: str, versions: Mapping[str, int] | None = None
) -> Renamed:
    """Every edit that renames the id under the cursor ``new``: its definition, each reference,
    and the lock's stamps; Refused (saying why) for an invalid or taken id, or an edit that
    would not read back as intended."""
    live = session.live
    token = _token(session, path, position)
    refusal = check_new_id(live.graph, token.id, new)
    if refusal is not None:
        raise Refused(refusal.message)
    lock_file = live.absolute(live.lock_path)
    lock_text = None
    if lock_file.exists():
        raw = read_bounded(str(lock_file), 16 * 1024 * 1024)
        lock_text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else None
    try:
        plan = plan_rename(live.graph, token.id, new, lock_text=lock_text, lock_path=live.lock_path)
    except EditRefused as error:
        raise Refused(error.refusal.message) from None
    changes = [_document_edit(session, item, (versions or {}).get(item.path)) for item in plan.files if item.changed]
    if session.client.document_changes:
        return Renamed(types.WorkspaceEdit(document_changes=list(changes)), plan.notes)
    return Renamed(
        types.WorkspaceEdit(changes={change.text_document.uri: list(_text_edits(change)) for change in changes}),
        plan.notes,
    )


def _text_edits(change: types.TextDocumentEdit) -> list[types.TextEdit]:
    return [edit for edit in change.edits if isinstance(edit, types.TextEdit)]


def _document_edit(session: Session, item: FileEdit, version: int | None) -> types.TextDocumentEdit:
    encoding = session.client.encoding
    edits = []
    for edit in item.edits:
        (start_line, start_character), (end_line, end_character) = edit.lsp_range(item.old_text, encoding)
        where = types.Range(types.Position(start_line, start_character), types.Position(end_line, end_character))
        edits.append(types.TextEdit(where, edit.new_text))
    document = types.OptionalVersionedTextDocumentIdentifier(session.uri(item.path), version)
    return types.TextDocumentEdit(document, edits)
