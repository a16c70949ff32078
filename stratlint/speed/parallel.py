"""Loading many files on several cores.

Parsing and validating are independent per file, so a cold run forks worker processes
and loads files itself too. The files are dealt out in chunks of a few dozen from a
shared counter, so every process stays busy until the last chunk. Workers parse, and
send back the packed result (the plain form the cache stores, see ``cache.pack``) of
each chunk in one ``marshal`` blob: plain data crosses the process boundary several
times faster than node trees or pydantic models. This process validates the plain data
into models (the workers leave that to it, as it has to do it anyway), so the results
are the very objects a serial run builds. Where ``fork`` is not available, files are
loaded in this process.

Below ``PARALLEL_MIN_FILES`` files, starting the workers costs more than it saves, and
the files are loaded in this process.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stratlint.fileio import finish_writes
from stratlint.load.artifact import LoadedArtifact, load_bytes
from stratlint.load.extra_schema import ExtraSchema
from stratlint.load.loader import Ready, Source
from stratlint.speed.cache import packed, unpack

PARALLEL_MIN_FILES = 2000
"""Measured on a 2-core machine with the benchmark generator's files: below about 2,000
files, starting workers and sending results back costs what the second core saves."""

MAX_JOBS = 4
"""More workers than this only wait on this process, which validates what they send."""


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def choose_jobs(files: int, jobs: int | None) -> int:
    """How many processes load ``files`` files: this one and ``jobs - 1`` workers; 1 means
    this process alone. By default, one process per core: this one turns what the workers
    send into models and the graph first, and parses a chunk itself whenever nothing is
    waiting (measured at 10,000 files on 2 cores: one worker beside this process is as
    fast as two, and needs less memory)."""
    if jobs is not None:
        return max(1, jobs)
    if files < PARALLEL_MIN_FILES:
        return 1
    return max(1, min(available_cores(), MAX_JOBS))


Arrived = Callable[[int, LoadedArtifact, "bytes | None"], None]
"""Told each result as soon as it is there: (index in ``items``, artifact, packed form)."""

EntryReady = Callable[[Source, LoadedArtifact, "bytes | None"], object]
"""Told each source's artifact in order, with its packed form when a worker made one."""


@dataclass(frozen=True, slots=True)
class ForkedLoader:
    """A Loader that loads on ``jobs`` processes (this one and forked workers), in chunks."""

    jobs: int | None = None
    """None: one process per core from PARALLEL_MIN_FILES files (see ``choose_jobs``)."""
    extra_schemas: Mapping[str, ExtraSchema] = field(default_factory=dict)

    def load(self, sources: Sequence[Source], ready: Ready) -> None:
        self.load_entries(sources, lambda source, artifact, entry: ready(source, artifact))

    def load_entries(self, sources: Sequence[Source], ready: EntryReady) -> None:
        """As ``load``, also giving each artifact's packed form when a worker sent one (a
        cache can store it as it is)."""
        pending = [source for source in sources if source.loaded is None]
        done: dict[int, tuple[LoadedArtifact, bytes | None]] = {}
        position = 0

        def advance() -> None:
            nonlocal position
            while position < len(sources):
                source = sources[position]
                if source.loaded is not None:
                    ready(source, source.loaded, None)
                elif id(source) in done:
                    ready(source, *done.pop(id(source)))
                else:
                    return
                position += 1

        def arrived(index: int, artifact: LoadedArtifact, entry: bytes | None) -> None:
            done[id(pending[index])] = (artifact, entry)
            advance()

        advance()
        items = [(source.path, source.raw or b"") for source in pending]
        load_contents(items, choose_jobs(len(items), self.jobs), self.extra_schemas, arrived)
        advance()


def load_contents(
    items: Sequence[tuple[str, bytes]],
    jobs: int,
    extra_schemas: Mapping[str, ExtraSchema] | None = None,
    ready: Arrived | None = None,
) -> list[tuple[LoadedArtifact, bytes | None]]:
    """Load each (relative path, bytes), in order, with ``jobs`` processes: this one and
    ``jobs - 1`` forked workers. Returns each artifact and, when it came from a worker, its
    packed form (see ``cache.packed``), which the cache can store as it is. ``extra_schemas``
    are the organisation's schemas, checked on every file as ``load_bytes`` does. ``ready``,
    when given, is told each result as soon as it is there, in no particular order, so the
    caller can use the first files while later ones load."""
    global _EXTRA
    _EXTRA = extra_schemas
    tell = ready or _ignore
    finish_writes()  # a cache file still being written by a thread would keep us from forking
    if jobs <= 1 or len(items) < 2 or not _can_fork():
        serial: list[tuple[LoadedArtifact, bytes | None]] = []
        for index, (relpath, raw) in enumerate(items):
            artifact = _load(raw, relpath)
            tell(index, artifact, None)
            serial.append((artifact, None))
        return serial
    # Workers are forked, so they find the files' bytes in their own memory: only results
    # cross a pipe. The files are dealt out in chunks from a shared counter: each worker,
    # and this process between turning what workers send into models, takes the next
    # chunk when it is free, so nobody waits while others still have work.
    global _ITEMS, _NEXT
    _ITEMS = items
    # A forked child flushes its copy of these buffers when it ends: empty them first.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    import multiprocessing  # only a run that forks needs it
    from multiprocessing import connection

    context = multiprocessing.get_context("fork")
    _NEXT = context.Value("i", 0)
    chunks = (len(items) + _CHUNK - 1) // _CHUNK
    done: dict[int, list[tuple[LoadedArtifact, bytes | None]]] = {}
    readers: list[Any] = []
    workers = []
    try:
        for _ in range(jobs - 1):
            reader, sender = context.Pipe(duplex=False)
            _widen(reader)
            worker = context.Process(target=_work, args=(sender,), daemon=True)
            worker.start()
            sender.close()
            readers.append(reader)
            workers.append(worker)
        while readers:
            # Workers' results first: turning them into models and the graph is this
            # process's main job, and a backlog of it would be all that is left to do
            # once the last chunk is parsed. A chunk of its own only when none is waiting.
            arrived = connection.wait(readers, timeout=0)
            if not arrived:
                chunk = _claim(chunks)
                if chunk is not None:
                    done[chunk] = _load_chunk(items, chunk)
                    _tell(tell, chunk, done[chunk])
                    continue
                arrived = connection.wait(readers)
            for waiting in arrived:
                receiver: Any = waiting
                try:
                    blob = receiver.recv_bytes()
                except (EOFError, OSError):
                    blob = b""  # the worker died; what it did not send is loaded below
                if not blob:
                    readers.remove(receiver)
                    receiver.close()
                    continue
                number, entries = marshal.loads(blob)
                start = number * _CHUNK
                done[number] = [
                    _received(entry, relpath, raw)
                    for (relpath, raw), entry in zip(items[start : start + _CHUNK], entries, strict=True)
                ]
                _tell(tell, number, done[number])
    except BaseException:
        # Interrupted (Ctrl-C, SIGTERM) or failed: a worker may be blocked on a full pipe
        # that nobody reads any more, so it is stopped, not waited for.
        for worker in workers:
            worker.kill()
        raise
    finally:
        _ITEMS = ()
        for worker in workers:
            worker.join()
    results: list[tuple[LoadedArtifact, bytes | None]] = []
    for number in range(chunks):
        loaded = done.get(number)
        if loaded is None:  # claimed by a worker that died, or left when every worker had ended
            loaded = _load_chunk(items, number)
            _tell(tell, number, loaded)
        results.extend(loaded)
    return results


_PIPE_BYTES = 1 << 20
"""A worker's results for several dozen chunks. A default pipe holds about one chunk's,
and the worker waits whenever this process is busy loading a chunk of its own."""


def _widen(connection: Any) -> None:
    """Let the pipe hold ``_PIPE_BYTES`` where the system allows it (Linux); otherwise leave it."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        import fcntl

        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


def _load_chunk(items: Sequence[tuple[str, bytes]], number: int) -> list[tuple[LoadedArtifact, bytes | None]]:
    """Load chunk ``number`` of ``items`` in this process."""
    return [(_load(raw, relpath), None) for relpath, raw in items[number * _CHUNK : (number + 1) * _CHUNK]]


def _received(entry: bytes, relpath: str, raw: bytes) -> tuple[LoadedArtifact, bytes | None]:
    """A worker's result, validated here; its packed form when the cache can store it as
    it is (not when validation found problems the worker did not know of)."""
    plain = marshal.loads(entry)
    artifact = unpack(plain, relpath, raw, validated=False)
    # Validation in this process may reject the model, or keep part of it and report the
    # rest: either way the worker's data is not what a cache hit may take as valid.
    rejected = plain[1] is not None and (artifact.model is None or len(artifact.problems) > len(plain[2]))
    return artifact, (None if rejected else entry)


def _ignore(index: int, artifact: LoadedArtifact, entry: bytes | None) -> None:
    pass


def _tell(tell: Arrived, number: int, loaded: list[tuple[LoadedArtifact, bytes | None]]) -> None:
    for offset, (artifact, entry) in enumerate(loaded):
        tell(number * _CHUNK + offset, artifact, entry)


def _claim(chunks: int) -> int | None:
    """The next chunk nobody has taken yet, or None when all are taken."""
    assert _NEXT is not None
    with _NEXT.get_lock():
        number = int(_NEXT.value)
        if number >= chunks:
            return None
        _NEXT.value = number + 1
    return number


def _can_fork() -> bool:
    # Forking a process that runs other threads can leave a lock held forever in the child.
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


_CHUNK = 32
"""Files per chunk: small enough that the last chunks even out, large enough that claiming
one and sending its results back costs little."""


_ITEMS: Sequence[tuple[str, bytes]] = ()
"""The files a forked worker loads, set just before forking."""
_NEXT: Any = None
"""The shared counter of the next chunk to claim, set just before forking."""
_EXTRA: Mapping[str, ExtraSchema] | None = None
"""The organisation's schemas for this run; forked workers find them in their own memory."""


def _load(raw: bytes, relpath: str, *, validate: bool = True) -> LoadedArtifact:
    return load_bytes(raw, relpath, extra_schemas=_EXTRA, validate=validate)


def _work(sender: Any) -> None:
    """A worker: load chunks until none is left, send each chunk's packed results, then an
    empty message. Ctrl-C reaches the whole process group: the parent stops the workers,
    so a worker ignores it rather than print a traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        chunks = (len(_ITEMS) + _CHUNK - 1) // _CHUNK
        while (number := _claim(chunks)) is not None:
            batch = _ITEMS[number * _CHUNK : (number + 1) * _CHUNK]
            sender.send_bytes(
                marshal.dumps((number, [packed(_load(raw, relpath, validate=False), raw) for relpath, raw in batch]))
            )
        sender.send_bytes(b"")
    finally:
        sender.close()
