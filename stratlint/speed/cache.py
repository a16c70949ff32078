"""The load cache: what loading a file produced, keyed by the file's path and content.

Loading (parsing, building, validating) is most of a run's cost, and between two runs
almost every file is unchanged. The cache keeps, per file and content, the load result in a
compact, plain form: the kind, the data the model was validated from, the problems, the
text (when it is not simply the bytes decoded), and the source map when one was built.
A cached file costs a read, a hash and a validation of plain data; only changed files
are parsed again.

Where: ``$XDG_CACHE_HOME/stratlint`` when that is set to an absolute path (a relative one
is ignored, as the XDG specification says); otherwise ``.stratlint_cache/`` at the root of
the git repository that holds the strategy (with a ``.gitignore`` inside, so git never
shows it); and when the strategy is in no git repository, the user's cache folder
(``~/.cache/stratlint``), so nothing is ever written into the strategy folder. One file per
strategy root holds every entry: one read and one write per run.

A repository's files are not stratlint's: a ``.stratlint_cache`` that is a link (committed,
say, to lead elsewhere) means no cache for the run, and no file in a cache folder is read
or written through a link.

It never changes results. The key covers the stratlint version, the loader's own source,
the Python and pydantic versions, and every setting that changes what loading produces
(``LOAD_SETTINGS``). Entries are stored with ``marshal``, which holds plain values only
(no objects, no code is run to read them), each entry in a blob of its own that is decoded
only when its file is asked for; and the whole file carries a keyed checksum: a
file that is truncated, garbled, or written by anyone but this user's stratlint is
ignored and rewritten. Writes go to a temporary file renamed over the old one, so two
runs at once each see a whole file, and the last to finish wins.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import marshal
import os
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol

from stratlint import __version__
from stratlint.fileio import atomic_write, write_later
from stratlint.load.artifact import LoadedArtifact, validate_model
from stratlint.load.loader import Ready, Source
from stratlint.load.source_map import SourceMap
from stratlint.model import KINDS
from stratlint.problems import LoadProblem, ProblemKind

LOAD_SETTINGS = ("max_file_size", "extra_schemas")
"""The Settings attributes that change what loading produces. A setting that changes load
results (an extra schema, a different size limit) goes here, and the cache keys on it."""

CACHE_FOLDER = ".stratlint_cache"
_MAGIC = b"stratlint-load-cache 3\n"
_DIGEST = 32

_PROBLEM_FIELDS = tuple(item.name for item in fields(LoadProblem))

# Packed entry: (kind, data, problems, text, source map or None when built on demand).
Entry = tuple[Any, Any, tuple[tuple[Any, ...], ...], str | int, Any, tuple[str, ...], bool, dict[str, Any]]


def settings_key(settings: object) -> str:
    """Everything besides a file's content that decides its load result."""
    import pydantic

    parts = [
        f"stratlint={__version__}",
        f"python={sys.version_info[0]}.{sys.version_info[1]}",
        f"pydantic={pydantic.VERSION}",
        f"source={source_stamp()}",
    ]
    parts += [f"{name}={getattr(settings, name)!r}" for name in LOAD_SETTINGS]
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


def source_stamp(folders: tuple[str, ...] = ("load", "model")) -> str:
    """Size and modification time of the named folders' source files (the loader's and the
    model's by default), so a changed checkout of stratlint never reads entries an older
    version wrote. ``""`` names the package's own folder."""
    package = Path(__file__).resolve().parent.parent
    stamp = hashlib.blake2b(digest_size=16)
    for folder in folders:
        for path in sorted((package / folder).glob("*.py")):
            with contextlib.suppress(OSError):
                info = path.stat()
                stamp.update(f"{folder}/{path.name}:{info.st_size}:{info.st_mtime_ns};".encode())
    return stamp.hexdigest()


def package_stamp() -> str:
    """``source_stamp`` over every source file of stratlint."""
    package = Path(__file__).resolve().parent.parent
    folders = ("", *sorted(item.name for item in package.iterdir() if item.is_dir() and item.name != "__pycache__"))
    return source_stamp(folders)


# -- packing ----------------------------------------------------------------------------


_DECODED = 1
"""Stored in place of the text when the text is the file's bytes decoded as UTF-8, as it
is for every readable file: the text is half of an entry, and decoding is cheap."""


def pack(artifact: LoadedArtifact, raw: bytes) -> Entry:
    """The load result of ``raw`` in plain values; the path is left out (it is part of the key)."""
    source_map = artifact.source_map
    positions = None if source_map.is_deferred else (source_map.values, source_map.keys)
    # marshal holds plain values only: the kind as its text.
    problems = tuple(
        (str(problem.kind), *(getattr(problem, name) for name in _PROBLEM_FIELDS[1:])) for problem in artifact.problems
    )
    text: str | int = artifact.text
    if text and text == raw.decode("utf-8", "replace"):
        text = _DECODED
    declared = tuple(sorted(artifact.declared_ids))
    renumbered = {pointer: list(indices) for pointer, indices in artifact.renumbered.items()}
    return (artifact.kind, artifact.data, problems, text, positions, declared, artifact.partial, renumbered)


def packed(artifact: LoadedArtifact, raw: bytes) -> bytes:
    """``pack``, marshalled: what the cache stores and what workers send."""
    return marshal.dumps(pack(artifact, raw))


def unpack(entry: Entry, relpath: str, raw: bytes, *, validated: bool = True) -> LoadedArtifact:
    """The load result of ``raw`` at ``relpath`` from its packed entry. The data of an entry
    from the cache was valid when stored; an entry a loading worker sends (``validated``
    False) has not been validated yet, and is validated here (``validate_model``)."""
    kind, data, problems, text, positions, declared_ids, partial, renumbered = entry
    if text == _DECODED:
        text = raw.decode("utf-8", "replace")
    if not isinstance(text, str):
        raise TypeError("an entry's text is a string or the decoded mark")
    source_map = SourceMap.deferred(raw, text) if positions is None else SourceMap(positions[0], positions[1])
    artifact = LoadedArtifact(
        relpath,
        kind=kind,
        source_map=source_map,
        problems=[LoadProblem(ProblemKind(kind), *rest) for kind, *rest in problems],
        text=text,
        declared_ids=frozenset(declared_ids),
        partial=partial,
        renumbered={pointer: tuple(indices) for pointer, indices in renumbered.items()},
    )
    if data is not None:
        if validated:
            artifact.model = KINDS[kind].model_validate(data)
        else:
            artifact.data = data
            validate_model(artifact)
    return artifact


# -- the cache file ---------------------------------------------------------------------


def cache_folder(repo_root: Path) -> Path | None:
    """Where the cache lives for a strategy in ``repo_root`` (see the module docstring);
    None when the repository's cache folder is a link or not a folder: the run goes without."""
    if _xdg_cache_home() is None and (repo_root / ".git").exists():
        folder = repo_root / CACHE_FOLDER
        try:
            if not stat.S_ISDIR(os.lstat(folder).st_mode):
                return None
        except FileNotFoundError:
            pass
        except OSError:
            return None
        return folder
    return _user_cache()


def _xdg_cache_home() -> str | None:
    """$XDG_CACHE_HOME when it is an absolute path; the XDG specification says to ignore a
    relative one (it would put the cache, and its key, in whatever folder a run starts in)."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    return xdg if xdg and os.path.isabs(xdg) else None


def _user_cache() -> Path:
    xdg = _xdg_cache_home()
    return Path(xdg) / "stratlint" if xdg else Path.home() / ".cache" / "stratlint"


def _read_regular(path: Path) -> bytes:
    """The bytes of the regular file at ``path``, never through a link, a FIFO or a device
    (OSError then)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        chunks = []
        while chunk := os.read(fd, max(info.st_size + 1, 1 << 16)):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def cache_secret() -> bytes | None:
    """This user's key for the cache checksum, kept outside any repository. A cache file
    someone else wrote (committed to a repository, say) does not verify and is ignored."""
    path = _user_cache() / "secret"
    try:
        secret = _read_regular(path)
        if len(secret) == _DIGEST:
            return secret
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, os.urandom(_DIGEST), sync=False, mode=0o600)
        return _read_regular(path)
    except OSError:
        return None


@dataclass
class LoadCache:
    """The entries for one strategy root, read once when first needed and written once at
    the end (only when something changed)."""

    path: Path
    key: str
    secret: bytes
    _entries: dict[bytes, bytes] | None = None
    used: set[bytes] = field(default_factory=set)
    added: int = 0

    @classmethod
    def open(cls, folder: Path, root: Path, key: str) -> LoadCache | None:
        """The cache for ``root``; None when there can be none (no key to sign it)."""
        secret = cache_secret()
        if secret is None:
            return None
        return cls(cache_file(folder, root, "cache"), key, secret)

    @property
    def entries(self) -> dict[bytes, bytes]:
        """Content key -> the packed entry, marshalled; read from the file when first needed
        (a run answered by the incremental snapshot never needs it)."""
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    @entries.setter
    def entries(self, entries: dict[bytes, bytes]) -> None:
        self._entries = entries

    def _read(self) -> dict[bytes, bytes]:
        payload = read_signed(self.path, self.secret)
        if payload is None:
            return {}
        try:
            key, entries = marshal.loads(payload)
        except Exception:
            return {}
        if key != self.key or not isinstance(entries, dict):
            return {}
        return entries

    def get(self, content: bytes, relpath: str, raw: bytes) -> LoadedArtifact | None:
        blob = self.entries.get(content)
        if blob is None:
            return None
        try:
            artifact = unpack(marshal.loads(blob), relpath, raw)
        except Exception:
            # A well-signed entry that does not unpack is a bug, not an attack: load anew.
            del self.entries[content]
            return None
        self.used.add(content)
        return artifact

    def put(self, content: bytes, blob: bytes) -> None:
        """Store a packed, marshalled entry (see ``packed``)."""
        self.entries[content] = blob
        self.used.add(content)
        self.added += 1

    def save(self, *, background: bool = False) -> None:
        """Write the entries this run used, when enough changed. With ``background``, the
        signing and writing (which let other threads run) go on in a thread while the run
        goes on; ``stratlint.fileio.finish_writes`` waits for it. Rewriting the whole file for
        a handful of new entries costs more than loading those files again next time, so a
        run that added under 1% of the entries, and found under a quarter of them stale,
        leaves the file as it is. Failures to write are ignored: the next run loads anew."""
        if self._entries is None:
            return  # nothing was asked of the cache
        stale = len(self.entries) - len(self.used)
        if not self.added and not stale:
            return
        if self.entries and self.added * 100 < len(self.used) and stale * 4 < len(self.entries):
            return
        kept = {content: self.entries[content] for content in self.used if content in self.entries}
        with contextlib.suppress(ValueError):
            payload = marshal.dumps((self.key, kept))
            if background:
                write_later(lambda: write_signed(self.path, self.secret, payload))
            else:
                write_signed(self.path, self.secret, payload)


def cache_file(folder: Path, root: Path, suffix: str) -> Path:
    """The file in ``folder`` that holds one kind of cached data for the strategy at ``root``."""
    name = hashlib.blake2b(str(root.resolve()).encode(), digest_size=12).hexdigest()
    return folder / f"{name}.{suffix}"


def _sign(secret: bytes, payload: bytes | memoryview) -> bytes:
    return hashlib.blake2b(payload, key=secret, digest_size=_DIGEST).digest()


def read_signed(path: Path, secret: bytes) -> memoryview | None:
    """The payload of a cache file this user's stratlint wrote; None when the file is
    missing, truncated, garbled or signed by anyone else."""
    try:
        blob = _read_regular(path)
    except OSError:
        return None
    head = len(_MAGIC)
    if not blob.startswith(_MAGIC) or len(blob) < head + _DIGEST:
        return None
    digest, payload = blob[head : head + _DIGEST], memoryview(blob)[head + _DIGEST :]
    if not hmac.compare_digest(digest, _sign(secret, payload)):
        return None
    return payload


def write_signed(path: Path, secret: bytes, payload: bytes) -> None:
    """Write a signed cache file atomically. Failures are ignored: the cache is only rebuilt.
    Nothing is written when the folder or the file is a link."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if _is_link(path.parent) or _is_link(path):
            return
        _mark_folder(path.parent)
        # Not synced: a cache lost in a crash is only rebuilt.
        atomic_write(path, b"".join((_MAGIC, _sign(secret, payload), payload)), sync=False, mode=0o644)
    except OSError:
        pass


def _mark_folder(folder: Path) -> None:
    """Tell git and backup tools to leave the cache folder alone."""
    for name, content in (
        (".gitignore", "# Created by stratlint.\n*\n"),
        (
            "CACHEDIR.TAG",
            "Signature: 8a477f597d28d172789f06886806bc55\n# This folder is a cache created by stratlint.\n",
        ),
    ):
        path = folder / name
        if not os.path.lexists(path):
            with contextlib.suppress(OSError):
                atomic_write(path, content, sync=False, mode=0o644)


class EntryLoader(Protocol):
    """A loader that can also give each result's packed form (what the cache stores)."""

    def load_entries(
        self, sources: Sequence[Source], ready: Callable[[Source, LoadedArtifact, bytes | None], object]
    ) -> None: ...


@dataclass(slots=True)
class CachedLoader:
    """A Loader that takes unchanged files from the cache and loads the rest with ``inner``,
    storing what it loaded. The cache file is written once, in a thread, at the end."""

    cache: LoadCache
    inner: EntryLoader

    def load(self, sources: Sequence[Source], ready: Ready) -> None:
        cache = self.cache
        resolved: list[Source] = []
        for source in sources:
            if source.loaded is None and source.raw is not None:
                hit = cache.get(source.key, source.path, source.raw)
                resolved.append(source if hit is None else Source(source.path, source.raw, source.key, hit))
            else:
                resolved.append(source)

        def store(source: Source, artifact: LoadedArtifact, entry: bytes | None) -> None:
            if source.loaded is None:  # loaded now, not taken from the cache
                cache.put(source.key, entry if entry is not None else packed(artifact, source.raw or b""))
                artifact.data = None
            ready(source, artifact)

        try:
            self.inner.load_entries(resolved, store)
        finally:
            cache.save(background=True)
