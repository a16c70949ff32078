"""The files of a strategy root in the working tree: found safely, read within bounds."""

from __future__ import annotations

import os
import stat
from functools import partial
from pathlib import Path
from typing import Protocol

from stratlint import StratlintError
from stratlint.load.artifact import LoadedArtifact
from stratlint.load.discover import discover, find_repository_root
from stratlint.load.loader import Source, StrategySources
from stratlint.load.read import read_bounded
from stratlint.problems import LoadProblem, ProblemKind


def relative_path(path: Path, repo_root: Path) -> str:
    try:
        return path.relative_to(repo_root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, repo_root)).as_posix()


def repository_root(root: Path, repo_root: Path | None = None) -> Path:
    """The enclosing git repository of ``root`` (or ``repo_root`` when given, or the current folder)."""
    return (repo_root or find_repository_root(root) or Path.cwd()).resolve()


Signature = tuple[int, int, int, int, int]
"""A regular file's stat signature, as git's index keeps it: inode, device, size, and the
modification and change times in nanoseconds."""


class StatMemo(Protocol):
    """What earlier runs saw of each file (kept by stratlint.speed.statindex): the content key
    of a file whose stat signature is what it was then, so that its bytes need not be read."""

    def recall(self, relpath: str, signature: Signature) -> bytes | None:
        """The content key of ``relpath`` when it had ``signature``, if that can be trusted."""
        ...

    def remember(self, relpath: str, signature: Signature, key: bytes) -> None:
        """``relpath`` had ``signature`` just before it was read, and its bytes had ``key``."""
        ...


def signature(path: str) -> Signature | None:
    """The stat signature of the regular file at ``path``; None for anything else (a link,
    which is not followed, a FIFO, a device) or when it cannot be had."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_ino, info.st_dev, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def read_strategy(root: Path, repo_root: Path | None, max_bytes: int, memo: StatMemo | None = None) -> StrategySources:
    """Find and read every strategy file under ``root``, in load order.

    With ``memo``, a regular file within the size limit whose signature it recalls is not
    read: its source has the recalled key, and reads the file only when its bytes are asked
    for (``Source.unread``; SourceChanged if they are no longer those of the key). Every
    other file is read as without, and ``memo`` told what it was."""
    if not root.exists():
        raise StratlintError(f"{root}: no such folder. Pass the folder that holds the strategy files.")
    if not root.is_dir():
        raise StratlintError(f"{root}: not a folder. Pass the folder that holds the strategy files.")
    if not os.access(root, os.R_OK | os.X_OK):
        raise StratlintError(f"{root}: the folder cannot be read.")
    # Paths are reported relative to the enclosing git repository, or to the current folder.
    repo = repository_root(root, repo_root)
    files, skipped = discover(root, repo)
    sources: list[Source] = []
    for name, relpath in files:
        seen = signature(name) if memo is not None else None
        if memo is not None and seen is not None and seen[2] <= max_bytes:
            key = memo.recall(relpath, seen)
            if key is not None:
                sources.append(Source.unread(relpath, key, partial(read_bounded, name, max_bytes)))
                continue
        raw = read_bounded(name, max_bytes)
        if isinstance(raw, LoadProblem):
            sources.append(Source.of_artifact(LoadedArtifact(relpath, problems=[raw])))
            continue
        source = Source.of_bytes(relpath, raw)
        if memo is not None and seen is not None:
            memo.remember(relpath, seen, source.key)
        sources.append(source)
    for skip in skipped:
        problem = LoadProblem(
            ProblemKind.UNREADABLE_FILE, f"This file is not read: {skip.reason}.", 1, 1, subject=skip.reason
        )
        sources.append(Source.of_artifact(LoadedArtifact(skip.relpath, problems=[problem])))
    return StrategySources(repo, relative_path(root.resolve(), repo), tuple(sources))
