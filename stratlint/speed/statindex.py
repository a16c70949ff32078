"""The stat index: each strategy file's stat signature when it was last read, and its
content key, so that a run need not read a file that has not changed (as git's index).

``stratlint check`` keeps one per strategy root, beside the load cache and the incremental
snapshot: per file (by its path relative to the repository root), its inode, device,
size, modification and change times in nanoseconds (``load.strategy.Signature``) and the
``content_key`` of the bytes read then. A file whose signature is the recorded one is not
read; its source reads it only if its bytes are asked for, and a file found changed then
makes the run start again, reading every file (``load.loader.SourceChanged``).

A signature can stay the same across an edit: timestamps are coarse on some file systems
(a second, two on FAT), so an edit soon after a read can keep the size and both times. As
git does with a "racily clean" entry, an entry is trusted only when the file's
modification and change times are ``RACY_MARGIN_NS`` older than when the run that wrote it
began, before it looked at any file: a file untouched since well before that run began
holds what that run read. An edit sets the change time (``touch`` and ``os.utime`` set it
to now too), so an edit that puts back the size and the modification time is seen.

Anything else is read as without the index: a link, a file that is not a regular file or
is over the size limit, a file that cannot be statted, another inode. An index written
for another repository root, or by another user or group list (a file's readability
depends on them), or when the clock read later than now, is not used; nor one that is
garbled or not signed with this user's key (``cache.read_signed``). It holds plain values
only (``marshal``), and is rewritten atomically when a run read a file or a file is gone.
On Windows there is none: there, a file's change time is its creation time.
"""

from __future__ import annotations

import marshal
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from stratlint.fileio import write_later
from stratlint.load.strategy import Signature
from stratlint.speed.cache import cache_file, cache_secret, read_signed, write_signed

RACY_MARGIN_NS = 2_000_000_000
"""How much older than the start of the run that recorded it a file's times must be for its
entry to be trusted: the coarsest timestamps (FAT's two seconds), and a little clock skew."""

_FORMAT = 1

Entry = tuple[Signature, bytes]


def _scope(repo_root: Path) -> tuple[str, int, int, tuple[int, ...]]:
    """What besides the files decides what a run reads: the repository root (paths are
    relative to it) and who reads (whether a file can be opened)."""
    return (str(repo_root), os.geteuid(), os.getegid(), tuple(sorted(os.getgroups())))


@dataclass
class StatIndex:
    """The index of one strategy root (a ``load.strategy.StatMemo``): read when first asked,
    and, with ``save``, written once at the end of a run that read a file or lost one."""

    path: Path
    scope: tuple[str, int, int, tuple[int, ...]]
    started: int
    """``time.time_ns()`` when the run began, before it looked at any file: the entries it
    writes are trusted only for files older than this by the margin."""
    _trusted: dict[str, Entry] | None = None
    _secret: bytes | None = None
    _recorded: int = 0
    """How many entries the index held, trusted or not."""
    kept: dict[str, Entry] = field(default_factory=dict)
    """The entries of this run's files: recalled, or remembered on reading."""
    read: int = 0

    @classmethod
    def open(cls, folder: Path, root: Path, repo_root: Path) -> StatIndex | None:
        """The index for ``root``; None where there can be none (Windows). Nothing is read
        or written before the run asks for an entry."""
        if sys.platform == "win32":  # pragma: no cover - st_ctime is the creation time there
            return None
        return cls(cache_file(folder, root, "stats"), _scope(repo_root.resolve()), time.time_ns())

    def _open(self) -> dict[str, Entry]:
        """Path -> entry, for the entries that can be trusted (see the module docstring)."""
        if self._trusted is None:
            self._secret = cache_secret()
            self._trusted = self._read() if self._secret is not None else {}
        return self._trusted

    def _read(self) -> dict[str, Entry]:
        payload = read_signed(self.path, self._secret or b"")
        if payload is None:
            return {}
        try:
            version, scope, stamp, entries = marshal.loads(payload)
            if version != _FORMAT or scope != self.scope or not isinstance(stamp, int) or stamp > self.started:
                return {}  # another format, root or reader; or the clock went back
            self._recorded = len(entries)
            limit = stamp - RACY_MARGIN_NS
            return {
                relpath: entry
                for relpath, entry in entries.items()
                if entry[0][3] < limit and entry[0][4] < limit and isinstance(entry[1], bytes)
            }
        except Exception:
            return {}

    def recall(self, relpath: str, signature: Signature) -> bytes | None:
        entry = self._open().get(relpath)
        if entry is None or entry[0] != signature:
            return None
        self.kept[relpath] = entry
        return entry[1]

    def remember(self, relpath: str, signature: Signature, key: bytes) -> None:
        self._open()  # save() compares with what the index held
        self.kept[relpath] = (signature, key)
        self.read += 1

    def save(self) -> None:
        """Write this run's entries (files gone are left out), in a thread
        (``stratlint.fileio.finish_writes`` waits for it), unless every entry was recalled
        and none is gone. Failures to write are ignored: the next run reads the files."""
        secret = self._secret
        if secret is None or (not self.read and len(self.kept) == self._recorded):
            return
        payload = marshal.dumps((_FORMAT, self.scope, self.started, self.kept))
        path = self.path
        write_later(lambda: write_signed(path, secret, payload))
