"""A run: read the strategy root, analyze it, apply the baseline, summarise.

``lint`` is what ``check`` and every command that reads the working tree run. Which
analyzer does the work (the engine with the fastest loader the settings allow, or the
incremental snapshot in front of it) is the speed package's choice (stratlint.speed);
the result is the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from stratlint import speed
from stratlint.analysis.alignment import Standing, score
from stratlint.analysis.engine import Analysis, Analyzer, Engine
from stratlint.analysis.result import Excerpts, Result, Summary, count_severities
from stratlint.analysis.settings import Settings
from stratlint.diagnostics import Diagnostic
from stratlint.drift.lockfile import LOCK_FILENAME, Lock, read_lock
from stratlint.drift.review import Review
from stratlint.fileio import finish_writes
from stratlint.load.loader import SerialLoader, StrategySources
from stratlint.load.strategy import read_strategy, relative_path
from stratlint.rules import STAGE_OF, CheckContext


def lock_path(root_path: str) -> str:
    """Where the strategy's lock file sits, relative to the repository root."""
    return LOCK_FILENAME if root_path in ("", ".") else f"{root_path}/{LOCK_FILENAME}"


def load_lock(settings: Settings, root_path: str) -> Lock:
    """The review stamps at the strategy root (an absent lock when there is no file)."""
    return read_lock(str(settings.root / LOCK_FILENAME), lock_path(root_path))


def context_for(settings: Settings, lock: Lock) -> CheckContext:
    return CheckContext(settings.effective_today(), Review(lock), settings.rule_options)


def lint(settings: Settings, *, incremental: bool = False) -> Result:
    """Load the strategy under ``settings.root`` and analyze it.

    With ``incremental`` (and the cache on), reuse what the last such run concluded about
    the files an edit cannot affect (stratlint.speed.incremental); the result is the same,
    but its ``graph`` then holds only the files checked again."""
    strategy = read_strategy(settings.root, settings.repo_root, settings.max_file_size)
    lock = load_lock(settings, strategy.root_path)
    parts = (str(strategy.repo_root), settings.policy, settings.rule_options, settings.effective_today(), lock)
    try:
        analyzer = speed.analyzer(settings, strategy.repo_root, parts, incremental=incremental)
        return run(analyzer, strategy, settings, lock)
    finally:
        finish_writes()


def lint_sources(strategy: StrategySources, settings: Settings, lock: Lock) -> Result:
    """The strategy of ``strategy``'s sources, from anywhere (a git revision), analyzed by the
    plain engine, as the working tree is."""
    return run(Engine(SerialLoader(settings.extra_schemas), settings.policy), strategy, settings, lock)


def run(analyzer: Analyzer, strategy: StrategySources, settings: Settings, lock: Lock) -> Result:
    result = result_of(analyzer.analyze(strategy, context_for(settings, lock)), settings, strategy.repo_root, lock)
    return replace(result, excerpts=excerpts(strategy, result.diagnostics))


def excerpts(strategy: StrategySources, diagnostics: Sequence[Diagnostic]) -> Excerpts:
    """The lines of each file a finding points into, for reporters that show them (a code frame)."""
    wanted = {diagnostic.path for diagnostic in diagnostics if diagnostic.span.positioned}
    return Excerpts(
        {source.path: source.raw for source in strategy.sources if source.path in wanted and source.raw is not None}
    )


def result_of(analysis: Analysis, settings: Settings, repo_root: Path, lock: Lock) -> Result:
    """The run's result: the analysis's findings less the baseline's, and the summary."""
    diagnostics, baselined = list(analysis.findings), list[Diagnostic]()
    if settings.baseline is not None:
        diagnostics, baselined = settings.baseline.split(diagnostics)
    scope = relative_path(settings.scope.resolve(), repo_root) if settings.scope is not None else None
    traces = [trace for found in analysis.traces.values() for trace in found]
    standing = Standing(diagnostics, analysis.waived, baselined)
    if scope is not None:
        diagnostics = [d for d in diagnostics if d.path == scope or d.path.startswith(scope + "/")]
    summary = Summary(
        files=len(analysis.files),
        scope=scope,
        counts=count_severities(diagnostics),
        alignment=score(traces, standing, STAGE_OF, incomplete=analysis.incomplete),
        waived=len(analysis.waived),
        baselined=len(baselined),
        notes=analysis.notes,
    )
    return Result(
        tuple(diagnostics),
        summary,
        repo_root,
        settings.fail_on,
        files=analysis.files,
        graph=analysis.graph,
        lock=lock,
    )
