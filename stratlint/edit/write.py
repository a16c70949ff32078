"""Writing a planned edit: every file or none.

Each file is replaced atomically (``stratlint.fileio.atomic_write``: a reader sees the old
file or the new one). Before the first write, every file is read again and must still be
what the plan was made from; a failure part-way puts back the files already written.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

from stratlint.edit.rename import EditRefused, Refusal, RefusalKind, RenamePlan
from stratlint.edit.text import FileEdit
from stratlint.fileio import atomic_write

_MOST_BYTES = 64 * 1024 * 1024


def _current(path: Path) -> bytes | None:
    """The file's bytes, or None when there is no file."""
    if not os.path.lexists(path):
        return None
    with open(path, "rb") as handle:
        return handle.read(_MOST_BYTES + 1)


def write_edits(files: Iterable[FileEdit], repo_root: Path) -> tuple[str, ...]:
    """Write each changed file (``path`` relative to ``repo_root``); the paths written.
    EditRefused, with nothing written, when a file changed since the edit was planned or
    cannot be written."""
    targets = [(repo_root / item.path, item) for item in files if item.changed]
    for target, item in targets:
        try:
            found = _current(target)
        except OSError as error:
            raise EditRefused(
                Refusal(RefusalKind.WRITE, f"cannot read {item.path}: {error.strerror or error}; nothing was changed.")
            ) from None
        expected = None if item.created else item.old_text.encode("utf-8")
        if found != expected:
            raise EditRefused(
                Refusal(
                    RefusalKind.STALE,
                    f"{item.path} changed since the edit was planned; nothing was changed. Run the command again.",
                )
            )
    written: list[tuple[Path, FileEdit]] = []
    try:
        for target, item in targets:
            atomic_write(target, item.new_text.encode("utf-8"))
            written.append((target, item))
    except OSError as error:
        failed = item.path
        for target, item in reversed(written):
            with contextlib.suppress(OSError):
                if item.created:
                    target.unlink()
                else:
                    atomic_write(target, item.old_text.encode("utf-8"))
        raise EditRefused(
            Refusal(RefusalKind.WRITE, f"cannot write {failed}: {error.strerror or error}; nothing was changed.")
        ) from None
    return tuple(item.path for _, item in written)


def write_plan(plan: RenamePlan, repo_root: Path) -> tuple[str, ...]:
    """Write a RenamePlan's files; see ``write_edits``."""
    return write_edits(plan.files, repo_root)
