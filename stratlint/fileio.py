"""Writing files without ever leaving them half-written."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stratlint.paths import inside, leads_outside


def atomic_write(path: Path, content: str | bytes, *, sync: bool = True, mode: int | None = None) -> None:
    """Write ``content`` to ``path`` atomically: a temporary file in the same folder, flushed
    and synced, then ``os.replace``. Readers see the old file or the new one, never a mix;
    a crash mid-write leaves the old file intact. An existing file's permissions are kept,
    unless ``mode`` sets them; a new file gets what the umask allows (``new_file_mode``), as
    ``open`` would give it. Without ``sync``, the data is not forced to disk first: for
    files that are only rebuilt when a crash loses them (the cache).

    Only a regular file or a new path is replaced: a link (/dev/stdout is one), a folder, a
    device, a FIFO or a socket raises OSError and is left as it is (``write_file`` writes
    into a device or FIFO instead).

    The temporary file is hidden and named after the target and the writing process
    (``.<name>.<pid>.<random>.tmp``). A process killed mid-write cannot remove it; the next
    write to the same target removes those whose process is gone."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    kept = _replaceable_mode(path)
    folder = path.parent if str(path.parent) else Path(".")
    _remove_orphans(folder, path.name)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.chmod(temporary, mode if mode is not None else kept if kept is not None else new_file_mode())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _replaceable_mode(path: Path) -> int | None:
    """The permissions of the regular file at ``path`` (None: no file there); OSError when
    something else is there, which is never replaced."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISREG(info.st_mode):
        return info.st_mode & 0o7777
    if stat.S_ISLNK(info.st_mode):
        raise OSError(errno.ELOOP, "it is a link, so it is not replaced", str(path))
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "it is a folder; name a file", str(path))
    raise OSError(
        errno.EINVAL, "it is not a regular file (a device, a FIFO or a socket), so it is not replaced", str(path)
    )


_UMASK_LOCK = threading.Lock()


def new_file_mode() -> int:
    """The permissions ``open`` gives a new file: 0o666 less the process's umask. Read from
    /proc where there is one; elsewhere set and restored at once (under a lock), since the
    umask can only be read by setting it."""
    with (
        contextlib.suppress(OSError, ValueError),
        open("/proc/self/status", encoding="ascii", errors="replace") as status,
    ):
        for line in status:
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    with _UMASK_LOCK:
        umask = os.umask(0o077)
        os.umask(umask)
    return 0o666 & ~umask


# -- writing a report where the user asked for it ------------------------------------------


class RefusedPath(Exception):
    """A path stratlint will not write to; the message says why, in plain words."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where a report goes, once vetted (``output_target``)."""

    path: Path
    stream: bool
    """Written into (a device, a FIFO, a /dev/stdout alias) rather than replaced."""


_STREAM_ALIAS = re.compile(r"/dev/(stdout|stderr|fd/\d+)|/proc/(self|thread-self|\d+)/fd/\d+")
"""Paths that name an open stream (/dev/stdout, /dev/fd/3, /proc/self/fd/1): whatever they
lead to, even a regular file (a shell's redirection), they are written into, never replaced."""


def linked_outside(path: Path, boundary: Path) -> Path | None:
    """Where ``path`` leads when, written inside ``boundary`` (the repository), a link on the
    way takes it outside: what stratlint refuses to write to. None when no link does."""
    escape = leads_outside(path, boundary)
    return escape.resolved if escape is not None and escape.through_link else None


def output_target(path: Path, *, protected: Path, boundary: Path) -> Target:
    """Vet ``path`` for a report: never inside ``protected`` (the strategy root, which the
    run reads), never through a link inside ``boundary`` (the repository, whose files in CI
    are a pull request's) that leads outside it; a device or FIFO is written into, a regular
    file or a new path is replaced atomically, anything else is refused. Raise RefusedPath."""
    lexical = Path(os.path.abspath(path))
    real = Path(os.path.realpath(path))
    for folder in {Path(os.path.abspath(protected)), Path(os.path.realpath(protected))}:
        if inside(lexical, folder) or inside(real, folder):
            raise RefusedPath(
                f"it is inside the strategy folder {protected}, which stratlint reads; write the report outside it"
            )
    if linked_outside(path, boundary) is not None:
        raise RefusedPath(
            f"it leads through a link to {real}, outside the repository {boundary}; "
            "name the file itself, or a path that is not a link"
        )
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return Target(real, stream=False)
    except OSError as error:
        raise RefusedPath(error.strerror or str(error)) from None
    if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
        return Target(path, stream=True)
    if stat.S_ISREG(info.st_mode):
        alias = _STREAM_ALIAS.fullmatch(lexical.as_posix()) is not None
        return Target(path, stream=True) if alias else Target(real, stream=False)
    if stat.S_ISDIR(info.st_mode):
        raise RefusedPath("it is a folder; name a file")
    raise RefusedPath("it is not a regular file, a character device or a FIFO")


def write_file(path: Path, content: str | bytes) -> None:
    """Write a file the user named (a baseline): into it when it is a device or a FIFO, or a
    /dev/stdout alias; otherwise atomically (``atomic_write``, which refuses links)."""
    try:
        kind = stat.S_IFMT(os.lstat(path).st_mode)
    except FileNotFoundError:
        kind = 0
    stream = (
        kind in (stat.S_IFCHR, stat.S_IFIFO)
        or _STREAM_ALIAS.fullmatch(Path(os.path.abspath(path)).as_posix()) is not None
    )
    write_target(Target(path, stream=stream), content)


def write_target(target: Target, content: str | bytes) -> None:
    """Write a report to a vetted target: into the stream, or atomically (``atomic_write``)."""
    if target.stream:
        write_into(target.path, content)
    else:
        atomic_write(target.path, content)


def write_into(path: Path, content: str | bytes) -> None:
    """Write ``content`` into what is open at ``path`` (a terminal, /dev/null, a FIFO, the
    file /dev/stdout leads to), appended, without creating, truncating or replacing it. A
    FIFO waits for its reader, as a shell's redirection does."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


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
