"""Loading many files on several cores.

Parsing and validating are independent per file, so a cold run forks worker processes,
each with a contiguous share of the files, and loads a share itself. Workers send back
the packed load result (the plain form the cache stores, see ``cache.pack``) in
``marshal`` blobs of a few dozen files: plain data crosses the process boundary several
times faster than node trees or pydantic models. This process validates the plain data
into models again, which is cheap, so the results are the very objects a serial run
builds. Where ``fork`` is not available, files are loaded in this process.

Below ``PARALLEL_MIN_FILES`` files, starting the workers costs more than it saves, and
the files are loaded in this process.
"""

from __future__ import annotations

import contextlib
import marshal
import multiprocessing
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from multiprocessing import connection
from typing import Any

from stratlint.load.artifact import LoadedArtifact, load_bytes
from stratlint.load.cache import packed, unpack
from stratlint.load.extra_schema import ExtraSchema

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
    """How many worker processes to load ``files`` files with; 1 means in this process."""
    if jobs is not None:
        return max(1, jobs)
    if files < PARALLEL_MIN_FILES:
        return 1
    return max(1, min(available_cores(), MAX_JOBS))


def load_contents(
    items: Sequence[tuple[str, bytes]], jobs: int, extra_schemas: Mapping[str, ExtraSchema] | None = None
) -> list[tuple[LoadedArtifact, bytes | None]]:
    """Load each (relative path, bytes), in order, with ``jobs`` processes: this one and
    ``jobs - 1`` forked workers. Returns each artifact and, when it came from a worker, its
    packed form (see ``cache.packed``), which the cache can store as it is. ``extra_schemas``
    are the organisation's schemas, checked on every file as ``load_bytes`` does."""
    global _EXTRA
    _EXTRA = extra_schemas
    if jobs <= 1 or len(items) < 2 or not _can_fork():
        return [(_load(raw, relpath), None) for relpath, raw in items]
    # Workers are forked, so they find the files' bytes in their own memory: only results
    # cross a pipe. This process turns what they send into models, which costs about a
    # third of loading a file, and loads a share of the files itself in between.
    global _ITEMS
    _ITEMS = items
    # A forked child flushes its copy of these buffers when it ends: empty them first.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    workers_count = jobs - 1
    own = max(0, int(len(items) * _own_share(workers_count)))
    shared = len(items) - own
    bounds = [shared * part // workers_count for part in range(workers_count + 1)]
    parts: list[list[tuple[LoadedArtifact, bytes | None]]] = [[] for _ in range(workers_count)]
    mine: list[tuple[LoadedArtifact, bytes | None]] = []
    readers: dict[Any, int] = {}
    workers = []
    context = multiprocessing.get_context("fork")
    try:
        for part in range(workers_count):
            reader, sender = context.Pipe(duplex=False)
            worker = context.Process(target=_work, args=(bounds[part], bounds[part + 1], sender), daemon=True)
            worker.start()
            sender.close()
            readers[reader] = part
            workers.append(worker)
        position = shared
        while readers or position < len(items):
            busy = position < len(items)
            for ready in connection.wait(list(readers), timeout=0 if busy else None):
                receiver: Any = ready
                part = readers[receiver]
                try:
                    blob = receiver.recv_bytes()
                except (EOFError, OSError):
                    blob = b""  # the worker died; what it did not send is loaded below
                if not blob:
                    del readers[receiver]
                    receiver.close()
                    continue
                start = bounds[part] + len(parts[part])
                for (relpath, raw), entry in zip(items[start:], marshal.loads(blob), strict=False):
                    parts[part].append((unpack(marshal.loads(entry), relpath, raw), entry))
            if busy:
                for relpath, raw in items[position : position + _OWN_STEP]:
                    mine.append((_load(raw, relpath), None))
                position += _OWN_STEP
    finally:
        _ITEMS = ()
        for worker in workers:
            worker.join()
    results: list[tuple[LoadedArtifact, bytes | None]] = []
    for part, loaded in enumerate(parts):
        results.extend(loaded)
        missing = items[bounds[part] + len(loaded) : bounds[part + 1]]
        results.extend((_load(raw, relpath), None) for relpath, raw in missing)
    results.extend(mine)
    return results


def _can_fork() -> bool:
    # Forking a process that runs other threads can leave a lock held forever in the child.
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


_UNPACK_COST = 0.35
"""Turning a worker's result into models costs about this share of loading the file."""
_OWN_STEP = 8


def _own_share(workers: int) -> float:
    """The share of files this process loads itself so that it finishes with its workers:
    its own files plus unpacking theirs take as long as each worker's files."""
    per_worker = 1 / workers
    return max(0.0, (per_worker - _UNPACK_COST) / (1 - _UNPACK_COST + per_worker))


_ITEMS: Sequence[tuple[str, bytes]] = ()
"""The files a forked worker loads, set just before forking."""
_EXTRA: Mapping[str, ExtraSchema] | None = None
"""The organisation's schemas for this run; forked workers find them in their own memory."""


def _load(raw: bytes, relpath: str) -> LoadedArtifact:
    return load_bytes(raw, relpath, extra_schemas=_EXTRA)


_BATCH = 64


def _work(start: int, stop: int, sender: Any) -> None:
    """A worker: load ``_ITEMS[start:stop]`` and send the packed results in batches, then
    an empty message."""
    try:
        for first in range(start, stop, _BATCH):
            batch = _ITEMS[first : min(first + _BATCH, stop)]
            sender.send_bytes(marshal.dumps([packed(_load(raw, relpath)) for relpath, raw in batch]))
        sender.send_bytes(b"")
    finally:
        sender.close()
