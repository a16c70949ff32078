"""Loading many files on several cores.

Parsing and validating are independent per file, so a cold run hands them to a pool of
worker processes. Workers send back the packed load result (the same plain form the
cache stores, see ``cache.pack``) in one ``marshal`` blob per chunk of files: plain data
crosses the process boundary several times faster than node trees or pydantic models.
The parent validates the plain data into models again, which is cheap, so the results
are the very objects a serial run builds.

Below ``PARALLEL_MIN_FILES`` files, starting the workers costs more than it saves, and
the files are loaded in this process.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
from collections.abc import Sequence

from stratlint.load.artifact import LoadedArtifact, load_bytes
from stratlint.load.cache import Entry, pack, unpack

PARALLEL_MIN_FILES = 1000
"""Measured on a 2-core machine with the benchmark generator's files: at 1,000 files two
workers already save a little; below that, serial wins."""

MAX_JOBS = 4
"""More workers than this only wait on the parent, which validates what they send."""

_CHUNKS_PER_JOB = 4
_OWN_SHARE = 0.85


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


def load_contents(items: Sequence[tuple[str, bytes]], jobs: int) -> list[tuple[LoadedArtifact, Entry | None]]:
    """Load each (relative path, bytes), in order, with ``jobs`` processes: this one and
    ``jobs - 1`` workers. Returns each artifact and, when it came from a worker, its packed
    form (which the cache can store as it is)."""
    if jobs <= 1 or len(items) < 2:
        return [(load_bytes(raw, relpath), None) for relpath, raw in items]
    # This process takes a slightly smaller share: it also unpacks what the workers send.
    own = int(len(items) / jobs * _OWN_SHARE)
    shared = items[: len(items) - own]
    size = max(16, -(-len(shared) // ((jobs - 1) * _CHUNKS_PER_JOB)))
    chunks = [shared[start : start + size] for start in range(0, len(shared), size)]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with context.Pool(jobs - 1) as pool:
        pending = pool.map_async(_load_chunk, chunks)
        mine = [(load_bytes(raw, relpath), None) for relpath, raw in items[len(shared) :]]
        blobs = pending.get()
    results: list[tuple[LoadedArtifact, Entry | None]] = []
    position = 0
    for blob in blobs:
        for entry in marshal.loads(blob):
            relpath, raw = shared[position]
            position += 1
            results.append((unpack(entry, relpath, raw), entry))
    results.extend(mine)
    return results


def _load_chunk(chunk: Sequence[tuple[str, bytes]]) -> bytes:
    return marshal.dumps([pack(load_bytes(raw, relpath)) for relpath, raw in chunk])
