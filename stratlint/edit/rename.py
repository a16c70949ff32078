"""Renaming an id everywhere it is written, and splitting one node into several.

The public API (the language server's rename calls the same functions as ``stratlint mv``):

``id_at(graph, path, line, column) -> IdToken | None``
    The id under a 1-based position (columns count code points) of a file of the graph: a
    definition (``id: ...``) or a reference. ``prepareRename`` answers with its
    ``name_range`` (the id without its quotes); None means "not an id".

``check_new_id(graph, old, new) -> Refusal | None``
    Whether ``old`` may be renamed ``new``: None when it may; else a ``Refusal`` whose
    ``kind`` is ``RefusalKind.NOT_AN_ID`` (``old`` names no node), ``INVALID_ID`` (``new`` is
    not lowercase letters, digits, dots and dashes) or ``TAKEN`` (``new`` names a node
    already), and whose ``message`` is one sentence for the user.

``plan_rename(graph, old, new, *, lock_text=None, lock_path="stratlint.lock") -> RenamePlan``
    Every edit the rename makes, verified, nothing written: the definition and every
    reference, in every file, and the lock (``lock_text`` is its current text, None when
    there is no lock; ``lock_path`` is where it is, relative to the repository root, as
    ``stratlint.analysis.check.lock_path`` gives it). Raises ``EditRefused`` (its
    ``refusal`` says why) when the rename may not or cannot be done safely.

``plan_split(graph, old, into, referrers, *, lock_text=None, lock_path=...) -> RenamePlan``
    ``old`` becomes the nodes ``into`` (copies of its entry, the first in its place), and
    each referrer (by id) is pointed at the new id ``referrers`` names. A referrer that
    ``referrers`` does not name is refused, with the list of them.

``write_plan(plan, repo_root) -> tuple[str, ...]`` (``stratlint.edit.write``)
    Writes the changed files, each atomically, after checking that none changed since the
    plan was made; on a failure, what was written is put back. Returns the paths written.

A ``RenamePlan`` holds ``files``: one ``FileEdit`` per changed file (the lock last), each
with its ``path`` (relative to the repository root), ``old_text``, ``new_text`` and
``edits``. A ``TextEdit`` has ``start``/``end`` (character offsets into ``old_text``),
``new_text``, ``range`` (a ``Span``: 1-based lines and columns, code points, end exclusive)
and ``lsp_range(old_text, encoding="utf-16")`` for an LSP ``TextEdit``. ``unified_diff(plan.files)``
(``stratlint.edit.text``) is what ``--dry-run`` prints. ``notes`` says what was left as it
was (the old id written in prose or a comment).

The texts edited are the graph's own (``LoadedArtifact.text`` of ``graph.loaded``), so a
graph built over unsaved editor buffers gives edits against those buffers.

How the edits are made and checked (``stratlint.edit.splice``): only the id tokens change,
at the positions the loader recorded; a quoted id stays quoted in its own quotes, and a
plain one is quoted only when the new id would not read as text unquoted ('123', 'true').
Every changed file is parsed again, and its data and model must equal the original's with
the ids renamed, before a plan is returned. The lock's stamps move with the ids
(``stratlint.edit.lock``), and stamps of what a rename rewords (a claim's proof points)
are re-stamped when they were current, so a rename makes nothing suspect.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from stratlint.diagnostics import Span
from stratlint.drift.lockfile import LOCK_FILENAME, parse_lock, render_lock
from stratlint.edit.lock import Retarget, moved_stamps
from stratlint.edit.splice import (
    Change,
    CopyEntry,
    SetId,
    SpliceError,
    covered,
    document_of,
    mentions,
    plan_edits,
    pointers_to,
    positions,
    verify,
)
from stratlint.edit.text import FileEdit, LineIndex, TextEdit, apply_edits, whole_text_edit
from stratlint.graph import Graph, Node
from stratlint.load.artifact import LoadedArtifact
from stratlint.model.common import ID_PATTERN, PATTERN_MEANINGS


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an edit is refused: its kind, and one sentence for the user."""

    kind: RefusalKind
    message: str

    def __str__(self) -> str:
        return self.message


class RefusalKind(enum.Enum):
    """What kind of refusal. The first three are what ``prepareRename`` says."""

    NOT_AN_ID = "not an id"
    """OLD names no node of the strategy."""
    INVALID_ID = "invalid new id"
    """NEW is not lowercase letters, digits, dots and dashes (or a split's ids are not two or more)."""
    TAKEN = "already taken"
    """NEW names a node already (or is declared in a file that could not be read)."""
    SAME_ID = "same id"
    DEFINED_TWICE = "defined twice"
    """OLD is defined more than once: which definition is meant cannot be told."""
    UNREAD_FILE = "a file could not be read"
    """A file that could not be read (in full) declares OLD, or may cite it."""
    UNSUPPORTED = "cannot be rewritten"
    """An id written in a way that cannot be rewritten in place (a block of text, an alias), or
    an entry that cannot be split."""
    UNMAPPED = "referrers not in the map"
    LOCK = "the lock cannot be read"
    CHANGED = "the result would differ"
    """An edited file would not read as intended: the check before writing failed."""
    STALE = "a file changed since"
    """A file changed between planning and writing (``write_plan``)."""
    WRITE = "cannot be written"


class EditRefused(Exception):
    """The edit may not, or cannot safely, be made; ``refusal`` says why. Nothing was written."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class IdToken:
    """An id written in a file: its definition (``id: ...``) or a reference to it."""

    id: str
    path: str
    range: Span
    """1-based, code points, end exclusive: the scalar as written (quotes included)."""
    definition: bool
    node: Node | None
    """The node it defines or names (None: a reference to an id that names nothing)."""

    @property
    def name_range(self) -> Span:
        """The id's own characters, without the quotes it may be written in."""
        span = self.range
        if span.line == span.end_line and span.end_column - span.column == len(self.id) + 2:
            return Span(span.line, span.column + 1, span.end_line, span.end_column - 1)
        return span


@dataclass(frozen=True, slots=True)
class RenamePlan:
    old: str
    new: tuple[str, ...]
    """The new id (one for a rename; several for a split)."""
    files: tuple[FileEdit, ...]
    """One per changed file, in load order; the lock last."""
    references: int = 0
    """How many references were rewritten (the definitions not counted)."""
    notes: tuple[str, ...] = field(default=())

    @property
    def edits(self) -> Mapping[str, tuple[TextEdit, ...]]:
        return {item.path: item.edits for item in self.files}


_ID = re.compile(ID_PATTERN)
_MOST_NOTES = 10


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _refuse(kind: RefusalKind, message: str) -> EditRefused:
    return EditRefused(Refusal(kind, message))


def _where(node: Node) -> str:
    span = node.id_span
    return f"{node.artifact.path}:{span.line}"


def _unread_with(graph: Graph, node_id: str) -> str | None:
    """The first file that could not be read and declares ``node_id``, if any."""
    return next((item.path for item in graph.loaded if node_id in item.declared_ids), None)


def id_at(graph: Graph, path: str, line: int, column: int) -> IdToken | None:
    """The id written at 1-based ``line`` and ``column`` of ``path`` (a definition or a
    reference; the position may be anywhere from its first character to just after its
    last), or None: not an id."""
    artifact = graph.by_path.get(path)
    if artifact is None:
        return None
    values = artifact.source_map.values
    here = (line, column)

    def within(raw: tuple[int, int, int, int] | None) -> bool:
        return raw is not None and (raw[0], raw[1]) <= here <= (raw[2], raw[3])

    for node in artifact.nodes:
        raw = values.get(node.pointer + "/id")
        if within(raw):
            assert raw is not None
            return IdToken(node.id, path, Span(*raw), True, node)
        for edge in node.refs:
            raw = values.get(edge.pointer)
            if within(raw):
                assert raw is not None
                return IdToken(edge.target_id, path, Span(*raw), False, edge.target)
    return None


def check_new_id(graph: Graph, old: str, new: str) -> Refusal | None:
    """None when ``old`` may be renamed ``new``; else why not (see the module's docstring)."""
    node = graph.node(old)
    if node is None:
        unread = _unread_with(graph, old)
        if unread is not None:
            return Refusal(
                RefusalKind.UNREAD_FILE,
                f"'{old}' is declared in {unread}, which could not be read; fix that file first.",
            )
        return Refusal(RefusalKind.NOT_AN_ID, f"'{old}' is not the id of anything in the strategy.")
    if new == old:
        return Refusal(RefusalKind.SAME_ID, f"'{old}' is already called '{new}'.")
    if not _ID.match(new):
        return Refusal(RefusalKind.INVALID_ID, f"'{new}' is not {PATTERN_MEANINGS[ID_PATTERN]}.")
    taken = graph.node(new)
    if taken is not None:
        return Refusal(RefusalKind.TAKEN, f"'{new}' is already taken: {taken.label} at {_where(taken)}.")
    unread = _unread_with(graph, new)
    if unread is not None:
        return Refusal(RefusalKind.TAKEN, f"'{new}' is already taken: it is declared in {unread}.")
    return None


def _definitions(graph: Graph, node_id: str) -> list[Node]:
    first = graph.node(node_id)
    found = [first] if first is not None else []
    found += [later for later, earlier in graph.duplicates if earlier is first]
    return found


def _single_definition(graph: Graph, old: str) -> Node:
    found = _definitions(graph, old)
    if len(found) > 1:
        places = ", ".join(_where(node) for node in found)
        raise _refuse(
            RefusalKind.DEFINED_TWICE,
            f"'{old}' is defined {len(found)} times ({places}); give each its own id first.",
        )
    return found[0]


def _loaded_by_path(graph: Graph) -> dict[str, LoadedArtifact]:
    return {item.path: item for item in graph.loaded}


def _file_edits(graph: Graph, changes: Iterable[tuple[str, Change]]) -> tuple[FileEdit, ...]:
    """The edits of each file, in load order, each verified (EditRefused otherwise)."""
    grouped: dict[str, list[Change]] = {}
    for path, change in changes:
        grouped.setdefault(path, []).append(change)
    files = []
    for loaded in graph.loaded:
        wanted = grouped.get(loaded.path)
        if not wanted:
            continue
        files.append(edit_file(loaded, wanted))
    return tuple(files)


def edit_file(loaded: LoadedArtifact, changes: Sequence[Change]) -> FileEdit:
    """``changes`` made to one loaded file, verified: EditRefused when they cannot be made
    in place or the file would not read as intended."""
    document, source_map = positions(loaded)
    try:
        edits = plan_edits(loaded.text, source_map, changes)
    except (SpliceError, ValueError) as error:
        raise _refuse(RefusalKind.UNSUPPORTED, f"{loaded.path}: {error}") from None
    new_text = apply_edits(loaded.text, edits)
    try:
        verify(loaded, new_text, changes, document)
    except SpliceError as error:
        raise _refuse(RefusalKind.CHANGED, f"{error}; nothing was changed.") from None
    return FileEdit(loaded.path, loaded.text, new_text, tuple(edits))


def lock_edit(
    graph: Graph,
    lock_text: str | None,
    lock_path: str,
    renamed: Mapping[str, tuple[str, ...]],
    retarget: Retarget,
) -> FileEdit | None:
    """The lock with its stamps moved (None: no lock, or nothing in it changes)."""
    if lock_text is None:
        return None
    lock = parse_lock(lock_text, lock_path)
    if lock.problems:
        first = lock.problems[0]
        raise _refuse(RefusalKind.LOCK, f"{lock_path}:{first.line}: {first.message}")
    edges, snapshots = moved_stamps(graph, lock, renamed, retarget)
    new_text = render_lock(edges, snapshots)
    if new_text == lock_text:
        return None
    edit = whole_text_edit(lock_path, lock_text, new_text)
    # What a reader of the new lock sees, from the lines the edit removes and writes (the rest
    # stays as it was), must be the stamps intended.
    removed = parse_lock("".join(edit.old_text[item.start : item.end] for item in edit.edits), lock_path)
    written = parse_lock("".join(item.new_text for item in edit.edits), lock_path)
    seen = {key: stamp for key, stamp in lock.edges.items() if key not in removed.edges}
    seen.update(written.edges)
    if written.problems or seen != edges:
        raise _refuse(RefusalKind.CHANGED, f"{lock_path}: the moved stamps would not read back; nothing was changed.")
    return edit


def _leftovers(graph: Graph, old: str, files: Sequence[FileEdit]) -> list[str]:
    """Where ``old`` is still written after the edits. In a file that could not be read, or
    as a value in an entry the model left out of a file read in part, it may be a reference
    nobody can see: that refuses the edit. Anywhere else it is text or a comment, left as
    it is, and a note says so."""
    edits = {item.path: item.edits for item in files}
    notes: list[str] = []
    for item in graph.loaded:
        found = [offset for offset in mentions(item.text, old) if not covered(offset, edits.get(item.path, ()))]
        if not found:
            continue
        index = LineIndex(item.text)
        hidden = found[:1] if item.model is None else []
        if item.partial:
            values = item.source_map.values
            for pointer in pointers_to(document_of(item.text), old):
                line, column, *_ = values[pointer]
                offset = index.offset(line, column)
                if not covered(offset, edits.get(item.path, ())) and not covered(offset + 1, edits.get(item.path, ())):
                    hidden.append(offset)
        if hidden:
            line, _ = index.position(hidden[0])
            raise _refuse(
                RefusalKind.UNREAD_FILE,
                f"{item.path} could not be read in full, and '{old}' is written in it (line {line}) where it may "
                "be a reference: fix the file first, or that reference would be left behind.",
            )
        for offset in found:
            line, column = index.position(offset)
            notes.append(f"{item.path}:{line}:{column}")
    if not notes:
        return []
    shown = ", ".join(notes[:_MOST_NOTES]) + (
        f" and {len(notes) - _MOST_NOTES} more" if len(notes) > _MOST_NOTES else ""
    )
    return [f"'{old}' is also written where no id is read ({shown}): in text or a comment. It is left as it is."]


def plan_rename(
    graph: Graph, old: str, new: str, *, lock_text: str | None = None, lock_path: str = LOCK_FILENAME
) -> RenamePlan:
    """Every edit that renames ``old`` to ``new``, verified (see the module's docstring)."""
    refusal = check_new_id(graph, old, new)
    if refusal is not None:
        raise EditRefused(refusal)
    node = _single_definition(graph, old)
    changes: list[tuple[str, Change]] = [(node.artifact.path, SetId(node.pointer + "/id", old, new))]
    references = graph.edges_to.get(old, ())
    changes += [(edge.source.artifact.path, SetId(edge.pointer, old, new)) for edge in references]
    files = _file_edits(graph, changes)
    notes = _leftovers(graph, old, files)
    lock = lock_edit(
        graph, lock_text, lock_path, {old: (new,)}, lambda source, field, target: new if target == old else target
    )
    return RenamePlan(old, (new,), files + ((lock,) if lock is not None else ()), len(references), tuple(notes))


def plan_split(
    graph: Graph,
    old: str,
    into: Sequence[str],
    referrers: Mapping[str, str],
    *,
    lock_text: str | None = None,
    lock_path: str = LOCK_FILENAME,
) -> RenamePlan:
    """Split ``old`` into the nodes ``into``: its entry keeps its place as ``into[0]`` and is
    copied, as written, once for each other new id (``old`` may be one of ``into``, to keep
    it); each referrer of ``old`` (by the id of the entry that references it) is pointed at
    ``referrers[referrer]``. A referrer the map does not name, or a map entry that is not a
    referrer of ``old`` or names an id not in ``into``, is refused."""
    into = tuple(into)
    if len(into) < 2 or len(set(into)) != len(into):
        raise _refuse(RefusalKind.INVALID_ID, f"split '{old}' into two or more different ids, not {', '.join(into)}.")
    for new in into:
        refusal = check_new_id(graph, old, new)  # OLD names nothing, or NEW is not an id or is taken
        if refusal is not None and refusal.kind is not RefusalKind.SAME_ID:
            raise EditRefused(refusal)
    node = _single_definition(graph, old)
    if not node.pointer:
        raise _refuse(
            RefusalKind.UNSUPPORTED,
            f"'{old}' is the id of the file {node.artifact.path}; a file is not split ('stratlint mv' renames it).",
        )
    inside = [other.id for other in node.artifact.nodes if any(parent is node for parent in other.ancestors())]
    if inside:
        raise _refuse(
            RefusalKind.UNSUPPORTED,
            f"{node.label} holds other entries ({', '.join(inside)}); copies would define their ids twice. "
            "Split an entry that holds none.",
        )
    edges = graph.edges_to.get(old, ())
    sources = sorted({edge.source.id for edge in edges})
    if old in sources:
        raise _refuse(RefusalKind.UNSUPPORTED, f"{node.label} references itself; remove that reference first.")
    unmapped = [source for source in sources if source not in referrers]
    if unmapped:
        raise _refuse(
            RefusalKind.UNMAPPED,
            f"{_count(len(unmapped), 'referrer')} of '{old}' {'are' if len(unmapped) != 1 else 'is'} not in the map: "
            f"{', '.join(unmapped)}. Say for each which of {', '.join(into)} it goes to.",
        )
    strangers = sorted(set(referrers) - set(sources))
    if strangers:
        raise _refuse(
            RefusalKind.UNMAPPED,
            f"the map names {', '.join(strangers)}, which {'do' if len(strangers) != 1 else 'does'} not "
            f"reference '{old}'.",
        )
    wrong = sorted({target for target in referrers.values() if target not in into})
    if wrong:
        raise _refuse(RefusalKind.UNMAPPED, f"the map points at {', '.join(wrong)}, not one of {', '.join(into)}.")
    path = node.artifact.path
    changes: list[tuple[str, Change]] = [(path, SetId(node.pointer + "/id", old, into[0]))]
    changes.append((path, CopyEntry(node.pointer, into[1:])))
    changes += [(edge.source.artifact.path, SetId(edge.pointer, old, referrers[edge.source.id])) for edge in edges]
    files = _file_edits(graph, changes)
    notes = _leftovers(graph, old, files) if old not in into else []
    lock = lock_edit(
        graph,
        lock_text,
        lock_path,
        {old: into},
        lambda source, field, target: referrers[source] if target == old and source in referrers else target,
    )
    notes.append(
        f"{', '.join(into[1:])} {'are copies' if len(into) > 2 else 'is a copy'} of {node.label} as it was "
        f"written: edit what each of {', '.join(into)} says."
    )
    return RenamePlan(old, into, files + ((lock,) if lock is not None else ()), len(edges), tuple(notes))
