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
from stratlint.load.cache import packed, unpack

PARALLEL_MIN_FILES = 2000
"""Measured on a 2-core machine with the benchmark generator's files: below about 2,000
files, starting workers and sending results back costs what the second core saves."""

MAX_JOBS = 4
"""More workers than this only wait on this process, which validates what they send."""

_CHUNKS_PER_JOB = 16


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


def load_contents(items: Sequence[tuple[str, bytes]], jobs: int) -> list[tuple[LoadedArtifact, bytes | None]]:
    """Load each (relative path, bytes), in order, in this process (``jobs`` 1) or in
    ``jobs`` worker processes. Returns each artifact and, when it came from a worker, its
    packed form (see ``cache.packed``), which the cache can store as it is."""
    if jobs <= 1 or len(items) < 2:
        return [(load_bytes(raw, relpath), None) for relpath, raw in items]
    # The workers parse; this process only turns their plain data into models. Parsing
    # leaves much short-lived garbage between the values that stay, and in a worker that
    # memory goes back to the system when the worker ends.
    size = max(16, -(-len(items) // (jobs * _CHUNKS_PER_JOB)))
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    results: list[tuple[LoadedArtifact, bytes | None]] = []
    with context.Pool(jobs) as pool:
        for chunk, blob in zip(chunks, pool.imap(_load_chunk, chunks), strict=True):
            for (relpath, raw), entry in zip(chunk, marshal.loads(blob), strict=True):
                results.append((unpack(marshal.loads(entry), relpath, raw), entry))
    return results


def _load_chunk(chunk: Sequence[tuple[str, bytes]]) -> bytes:
    return marshal.dumps([packed(load_bytes(raw, relpath)) for relpath, raw in chunk])
