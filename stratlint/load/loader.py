"""The seam between reading files and loading them: sources in, loaded artifacts out.

A ``Source`` is one strategy file's bytes, wherever they came from (the working tree, a git
revision), or the promise of them: a file known unchanged is read only when its bytes are
asked for. A ``Loader`` turns sources into loaded artifacts, in order. The engine takes any
Loader and does not know which it got: ``SerialLoader`` here loads in this process; the
speed machinery (stratlint.speed) adds a cache of earlier results and worker processes
behind the same protocol.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from stratlint.load.artifact import LoadedArtifact, load_bytes
from stratlint.load.extra_schema import ExtraSchema


def content_key(relpath: str, data: bytes) -> bytes:
    """What identifies a source's load result: its path (a result names its file) and bytes."""
    key = hashlib.blake2b(relpath.encode("utf-8", "surrogateescape"), digest_size=16)
    key.update(b"\0")
    key.update(data)
    return key.digest()


class SourceChanged(Exception):
    """A file whose bytes were read late (nothing needed them sooner, see ``Source.unread``)
    no longer holds what its key says: it changed during the run. Nothing may be concluded
    from bytes the run did not check: the run starts again, reading every file."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path} changed while it was checked")
        self.path = path


class Source:
    """One strategy file to load: its bytes, or the artifact it already is (a file that could
    not be read has its problems instead of bytes; a file loaded earlier in the run is
    reused as it is). The bytes of a file known unchanged since an earlier run are read
    only when something asks for ``raw`` (``unread``)."""

    __slots__ = ("_raw", "_read", "key", "loaded", "path")

    path: str
    """Relative to the repository root, with forward slashes."""
    key: bytes
    """``content_key`` of the path and bytes (or, for an unreadable file, of why)."""
    loaded: LoadedArtifact | None

    def __init__(self, path: str, raw: bytes | None, key: bytes, loaded: LoadedArtifact | None = None) -> None:
        self.path = path
        self._raw = raw
        self.key = key
        self.loaded = loaded
        self._read: Callable[[], object] | None = None

    @classmethod
    def of_bytes(cls, path: str, raw: bytes) -> Source:
        return cls(path, raw, content_key(path, raw))

    @classmethod
    def of_artifact(cls, artifact: LoadedArtifact) -> Source:
        problems = "\0".join(f"{p.kind}:{p.message}" for p in artifact.problems)
        return cls(
            artifact.path, None, content_key(artifact.path, problems.encode("utf-8", "surrogateescape")), artifact
        )

    @classmethod
    def unread(cls, path: str, key: bytes, read: Callable[[], object]) -> Source:
        """A file whose content key is known and whose bytes ``read`` gives when asked for;
        ``raw`` raises SourceChanged when they are not the bytes of ``key`` (or not bytes)."""
        source = cls(path, None, key)
        source._read = read
        return source

    @property
    def raw(self) -> bytes | None:
        read = self._read
        if read is not None:
            data = read()
            if not isinstance(data, bytes) or content_key(self.path, data) != self.key:
                raise SourceChanged(self.path)
            self._raw, self._read = data, None
        return self._raw

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Source):
            return NotImplemented
        return (self.path, self.key, self.loaded, self.raw) == (other.path, other.key, other.loaded, other.raw)

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass it was

    def __repr__(self) -> str:
        state = "unread" if self._read is not None else "read" if self._raw is not None else "no bytes"
        return f"Source({self.path!r}, {state}, key={self.key.hex()}, loaded={self.loaded is not None})"


@dataclass(frozen=True, slots=True)
class StrategySources:
    """Every file of a strategy root, in load order, and where the root stands."""

    repo_root: Path
    """The repository root (or the current folder outside git): paths are relative to it."""
    root_path: str
    """The strategy root, relative to the repository root."""
    sources: tuple[Source, ...]

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(source.path for source in self.sources)


Ready = Callable[[Source, LoadedArtifact], object]
"""Told each source's artifact, in the sources' order, as soon as it and all before it are loaded."""


class Loader(Protocol):
    def load(self, sources: Sequence[Source], ready: Ready) -> None:
        """Load every source, telling ``ready`` each artifact in order."""
        ...


@dataclass(frozen=True, slots=True)
class SerialLoader:
    """Loads each source in this process, in order."""

    extra_schemas: Mapping[str, ExtraSchema] = field(default_factory=dict)

    def load(self, sources: Sequence[Source], ready: Ready) -> None:
        for source in sources:
            artifact = source.loaded
            if artifact is None:
                artifact = load_bytes(source.raw or b"", source.path, extra_schemas=self.extra_schemas)
            ready(source, artifact)
