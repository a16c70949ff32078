"""Writing files without ever leaving them half-written."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: Path, content: str | bytes, *, sync: bool = True, mode: int | None = None) -> None:
    """Write ``content`` to ``path`` atomically: a temporary file in the same folder, flushed
    and synced, then ``os.replace``. Readers see the old file or the new one, never a mix;
    a crash mid-write leaves the old file intact. An existing file's permissions are kept,
    unless ``mode`` sets them. Without ``sync``, the data is not forced to disk first: for
    files that are only rebuilt when a crash loses them (the cache).

    The temporary file is hidden and named after the target and the writing process
    (``.<name>.<pid>.<random>.tmp``). A process killed mid-write cannot remove it; the next
    write to the same target removes those whose process is gone."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    folder = path.parent if str(path.parent) else Path(".")
    _remove_orphans(folder, path.name)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.chmod(temporary, os.stat(path).st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _remove_orphans(folder: Path, name: str) -> None:
    """Remove temporary files left for ``name`` by writers that were killed mid-write."""
    prefix = f".{name}."
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in entries:
        parts = entry[len(prefix) :].split(".") if entry.startswith(prefix) else []
        # Exactly <pid>.<random>.tmp, so another target's temporary file never matches.
        if len(parts) != 3 or not parts[0].isdigit() or parts[2] != "tmp" or _alive(int(parts[0])):
            continue
        with contextlib.suppress(OSError):
            os.unlink(folder / entry)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # another user's process, or a number we cannot check: leave it
    return True


_PENDING: list[threading.Thread] = []


def write_later(write: Callable[[], None]) -> None:
    """Run ``write`` in a thread while the run goes on (a cache file that only a later run
    reads); ``finish_writes`` waits for it. The process does not end before it is done."""
    writer = threading.Thread(target=write)
    writer.start()
    _PENDING.append(writer)


def finish_writes() -> None:
    """Wait for every write started with ``write_later``."""
    while _PENDING:
        _PENDING.pop().join()
