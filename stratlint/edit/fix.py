"""Applying the fixes rules attach to their findings (``stratlint check --fix``). Pure:
the graph, the findings and the lock's text in, the files' new texts out.

A fix is data on a finding (``stratlint.diagnostics.Fix``): edits at positions of a file,
and stamps for the review lock. Fixes are applied with the splice engine, as a rename is:
an id is written in the quotes it had, a comment is rewritten in place, and every edited
file is parsed again and must read as the fixes say (the same data otherwise) before a
plan is returned. Fixes that would touch the same characters as one taken before them wait
for the next round (``check --fix`` checks again after writing, and applies what is left).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from stratlint.diagnostics import Diagnostic, Fix
from stratlint.drift.lockfile import EdgeKey, Lock, parse_lock, render_lock
from stratlint.drift.review import update_lock
from stratlint.edit.lock import stamped
from stratlint.edit.splice import Change, RawEdit, SetId, SetText, SpliceError, document_of, plan_edits, verify
from stratlint.edit.text import FileEdit, apply_edits, whole_text_edit
from stratlint.graph import Graph
from stratlint.load.artifact import LoadedArtifact
from stratlint.model.common import ID_PATTERN
from stratlint.pointers import split_pointer

_ID = re.compile(ID_PATTERN)


@dataclass(frozen=True, slots=True)
class FixPlan:
    files: tuple[FileEdit, ...]
    """The files the fixes change, in load order; the lock last."""
    applied: tuple[Diagnostic, ...]
    """The findings whose fixes the plan makes."""
    skipped: tuple[tuple[Diagnostic, str], ...] = ()
    """Fixes left for the next round, or left out, and why."""

    @property
    def changed(self) -> tuple[FileEdit, ...]:
        return tuple(item for item in self.files if item.changed)


def applicable(diagnostic: Diagnostic, *, unsafe: bool) -> Fix | None:
    """The finding's fix, when this run may apply it (a safe one; any, with ``unsafe``)."""
    fix = diagnostic.fix
    if fix is None or not (fix.safe or unsafe):
        return None
    return fix


def _changes(loaded: LoadedArtifact, fix: Fix, document: object) -> list[Change]:
    """The splice engine's changes for one fix's edits of ``loaded``; SpliceError when an
    edit does not fit the file as it is."""
    found: list[Change] = []
    for edit in fix.edits:
        if edit.path != loaded.path:
            continue
        span = edit.span
        if edit.pointer and edit.offset is not None and edit.replaces is not None:
            found.append(
                SetText(
                    edit.pointer,
                    edit.offset,
                    span.line,
                    span.column,
                    span.end_line,
                    span.end_column,
                    edit.text,
                    edit.replaces,
                )
            )
        elif edit.pointer:
            current = _value_at(document, edit.pointer)
            if not isinstance(current, str):
                raise SpliceError(f"the value at {edit.pointer} is not text")
            if not _ID.match(edit.text):
                raise SpliceError(f"'{edit.text}' is not an id")
            found.append(SetId(edit.pointer, current, edit.text))
        else:
            found.append(RawEdit(span.line, span.column, span.end_line, span.end_column, edit.text, edit.replaces))
    return found


def _value_at(document: object, pointer: str) -> object:
    current = document
    for token in split_pointer(pointer):
        if isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        elif isinstance(current, dict) and token in current:
            current = current[token]
        else:
            return None
    return current


def plan_fixes(
    graph: Graph,
    diagnostics: Iterable[Diagnostic],
    *,
    unsafe: bool = False,
    lock_text: str | None = None,
    lock_path: str = "stratlint.lock",
    lock: Lock | None = None,
) -> FixPlan:
    """The edits that apply the findings' fixes (safe ones; all, with ``unsafe``), each file
    verified. ``lock_text`` is the lock's text (None: there is none yet; a stamping fix then
    writes it at ``lock_path``); ``lock``, when given, is the lock as the run read it (a lock
    the run could not read is not stamped)."""
    chosen = [(d, fix) for d in diagnostics if (fix := applicable(d, unsafe=unsafe)) is not None]
    by_path = {item.path: item for item in graph.loaded}
    applied: list[Diagnostic] = []
    skipped: list[tuple[Diagnostic, str]] = []
    taken: dict[str, list[Change]] = {}
    owners: dict[str, list[Diagnostic]] = {}
    documents: dict[str, object] = {}
    stamps: set[EdgeKey] = set()
    stamp_all = False
    stampers: list[Diagnostic] = []
    for diagnostic, fix in chosen:
        paths = list(dict.fromkeys(edit.path for edit in fix.edits))
        trial: dict[str, list[Change]] = {}
        reason = None
        for path in paths:
            loaded = by_path.get(path)
            if loaded is None or loaded.model is None:
                reason = f"{path} did not load"
                break
            if path not in documents:
                documents[path] = document_of(loaded.text)
            try:
                changes = [*taken.get(path, ()), *_changes(loaded, fix, documents[path])]
                plan_edits(loaded.text, loaded.source_map, changes)
            except (SpliceError, ValueError) as error:
                reason = str(error)
                break
            trial[path] = changes
        if reason is not None:
            skipped.append((diagnostic, reason))
            continue
        taken.update(trial)
        for path in paths:
            owners.setdefault(path, []).append(diagnostic)
        if fix.stamps or fix.stamp_all:
            stamps.update(fix.stamps)
            stamp_all = stamp_all or fix.stamp_all
            stampers.append(diagnostic)
        if fix.edits:
            applied.append(diagnostic)
    files: list[FileEdit] = []
    for path, changes in taken.items():
        loaded = by_path[path]
        edits = plan_edits(loaded.text, loaded.source_map, changes)
        new_text = apply_edits(loaded.text, edits)
        try:
            verify(loaded, new_text, changes)
        except SpliceError as error:
            for diagnostic in owners[path]:
                applied.remove(diagnostic)
                skipped.append((diagnostic, str(error)))
            continue
        files.append(FileEdit(path, loaded.text, new_text, tuple(edits)))
    order = {item.path: number for number, item in enumerate(graph.loaded)}
    files.sort(key=lambda item: order[item.path])
    if stampers:
        lock_file = _stamped_lock(graph, lock, lock_text, lock_path, None if stamp_all else stamps)
        if isinstance(lock_file, str):
            skipped += [(diagnostic, lock_file) for diagnostic in stampers]
        else:
            if lock_file is not None:
                files.append(lock_file)
            applied += stampers
    return FixPlan(tuple(files), tuple(applied), tuple(skipped))


def _stamped_lock(
    graph: Graph, read: Lock | None, lock_text: str | None, lock_path: str, keys: set[EdgeKey] | None
) -> FileEdit | str | None:
    """The lock with the references stamped; why not, as text; None when nothing changes."""
    if read is not None and read.present and lock_text is None:
        return f"{lock_path} cannot be read"
    lock = parse_lock(lock_text, lock_path) if lock_text is not None else Lock(path=lock_path, present=False)
    if read is not None and read.problems:
        lock = read
    if lock.problems:
        return f"{lock_path}:{lock.problems[0].line}: {lock.problems[0].message}"
    if keys is None:
        update = update_lock(graph, lock)  # no lock yet: what 'stratlint lock' writes
        edges, snapshots, added = update.edges, update.snapshots, update.added
    else:
        edges, snapshots, added = stamped(graph, lock, keys)
    if not added:
        return None
    new_text = render_lock(edges, snapshots)
    if lock_text is None:
        return FileEdit(lock_path, "", new_text, (), created=True)
    return whole_text_edit(lock_path, lock_text, new_text)


def describe(diagnostics: Sequence[Diagnostic]) -> str:
    """'3 findings (2 SL201, 1 SL605)'."""
    counts: dict[str, int] = {}
    for diagnostic in diagnostics:
        counts[diagnostic.code] = counts.get(diagnostic.code, 0) + 1
    parts = ", ".join(f"{count} {code}" for code, count in sorted(counts.items()))
    return f"{len(diagnostics)} finding{'s' if len(diagnostics) != 1 else ''}" + (f" ({parts})" if parts else "")
