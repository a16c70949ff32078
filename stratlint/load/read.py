"""Reading a file's bytes safely: at most a bound, only a regular file, never blocking.

Every file stratlint reads from a repository goes through ``read_bounded``: strategy
files, the review lock, the configuration file, the baseline, and what the configuration
names. A FIFO, a device or a file that grows while it is read cannot hang a run or fill
its memory.
"""

from __future__ import annotations

import os
import stat

from stratlint.problems import LoadProblem, ProblemKind

DEFAULT_MAX_BYTES = 1024 * 1024


def read_bounded(path: str, max_bytes: int) -> bytes | LoadProblem:
    """Read at most ``max_bytes + 1`` bytes of a regular file, without following it into a
    FIFO or device, and without hanging."""
    try:
        # Links were vetted by discovery (they stay inside the repository); O_NONBLOCK and the
        # S_ISREG check below keep a FIFO or device from blocking the run.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        return _unreadable(f"The file cannot be read: {error.strerror or error}.", "cannot be opened")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return _unreadable("This is not a regular file; it is not read.", "not a regular file")
        if info.st_size > max_bytes:
            return too_large(max_bytes)
        chunks = []
        remaining = max_bytes + 1
        # Ask for one byte more than the file's size: a regular file reads short only at its
        # end, so one read usually says it all (a second one just to see the end doubles the
        # system calls of a run). A file that grew meanwhile is read on, up to the limit.
        wanted = min(remaining, info.st_size + 1, 1 << 20)
        while remaining > 0:
            chunk = os.read(fd, wanted)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
            if len(chunk) < wanted:
                break
            wanted = min(remaining, 1 << 20)
        data = b"".join(chunks)
    except OSError as error:
        return _unreadable(f"The file cannot be read: {error.strerror or error}.", "cannot be read")
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        return too_large(max_bytes)
    return data


def unread_reason(problem: LoadProblem, max_bytes: int) -> str:
    """Why ``read_bounded`` read nothing, to follow "cannot be read: " in a message about a
    file that is not strategy (a configuration, a baseline, which max-file-size is not for)."""
    if problem.subject == "size":
        return f"it is larger than {max_bytes:,} bytes, so it is not read"
    if problem.subject == "not a regular file":
        return "it is not a regular file (a FIFO, a device or a folder), so it is not read"
    return problem.message.removeprefix("The file cannot be read: ").rstrip(".")


def _unreadable(message: str, subject: str) -> LoadProblem:
    return LoadProblem(ProblemKind.UNREADABLE_FILE, message, 1, 1, subject=subject)


def too_large(max_bytes: int) -> LoadProblem:
    return LoadProblem(
        ProblemKind.FILE_TOO_LARGE,
        f"The file is larger than {max_bytes:,} bytes, the size limit; it is not read. "
        "Split it, or raise max-file-size in the configuration.",
        1,
        1,
        subject="size",
    )
