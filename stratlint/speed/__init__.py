"""The speed machinery, behind one seam: ``analyzer`` gives what analyzes a run's strategy.

The engine (stratlint.analysis.engine) takes any Loader and gives an Analysis; what this
package adds gives the same analysis sooner, and nothing else changes:

- ``cache``: a signed cache of load results per file content (CachedLoader);
- ``parallel``: loading on every core, in chunks, from forked workers (ForkedLoader);
- ``incremental``: the last run's conclusions per file, so an edit is checked again only
  where it can change a finding (IncrementalAnalyzer, on the facts in ``facts``);
- ``statindex``: each file's stat signature when it was last read, so an unchanged file is
  not read at all unless its bytes are needed (StatIndex, for ``stat_index``).

Tests compare each with the plain serial engine.
"""

from __future__ import annotations

from pathlib import Path

from stratlint.analysis.engine import Analyzer, Engine
from stratlint.analysis.settings import Settings
from stratlint.load.loader import Loader, SerialLoader
from stratlint.load.strategy import repository_root
from stratlint.speed.cache import CachedLoader, LoadCache, cache_folder, settings_key
from stratlint.speed.incremental import IncrementalAnalyzer, SnapshotStore, analysis_key
from stratlint.speed.parallel import ForkedLoader
from stratlint.speed.statindex import StatIndex


def analyzer(settings: Settings, repo_root: Path, parts: tuple[object, ...], *, incremental: bool) -> Analyzer:
    """What analyzes a run with these settings: the engine with the fastest loader they
    allow, and with ``incremental``, the last run's snapshot in front of it. ``parts`` is
    everything besides the files and the load settings that decides a finding (the
    snapshot's key)."""
    loader: Loader = ForkedLoader(settings.jobs, settings.extra_schemas)
    key = settings_key(settings)
    folder = cache_folder(repo_root) if settings.cache else None  # None: no cache (see cache_folder)
    if folder is not None:
        cache = LoadCache.open(folder, settings.root, key)
        if cache is not None:
            loader = CachedLoader(cache, ForkedLoader(settings.jobs, settings.extra_schemas))
    engine = Engine(loader, settings.policy, settings.rule_set)
    if incremental and folder is not None:
        store = SnapshotStore.open(folder, settings.root, analysis_key(key, parts))
        if store is not None:
            return IncrementalAnalyzer(engine, store, SerialLoader(settings.extra_schemas))
    return engine


def stat_index(settings: Settings) -> StatIndex | None:
    """What the last runs saw of the strategy's files, for ``load.strategy.read_strategy`` to
    skip reading those unchanged since; ``save()`` it after a run that succeeded. None with
    the cache off or without a cache folder: every file is read."""
    if not settings.cache:
        return None
    repo_root = repository_root(settings.root, settings.repo_root)
    folder = cache_folder(repo_root)
    return None if folder is None else StatIndex.open(folder, settings.root, repo_root)


__all__ = ["analyzer", "stat_index"]
