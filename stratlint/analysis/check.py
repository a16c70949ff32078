"""A run: read the strategy root, analyze it, apply the baseline, summarise.

``lint`` is what ``check`` and every command that reads the working tree run. Which
analyzer does the work (the engine with the fastest loader the settings allow, or the
incremental snapshot in front of it) is the speed package's choice (stratlint.speed);
the result is the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from stratlint import speed
from stratlint.analysis.alignment import Standing, score
from stratlint.analysis.engine import Analysis, Analyzer, Engine
from stratlint.analysis.result import Excerpts, Result, Summary, count_severities
from stratlint.analysis.settings import Settings
from stratlint.analysis.suppressions import Silenced
from stratlint.diagnostics import Diagnostic
from stratlint.drift.lockfile import LOCK_FILENAME, Lock, read_lock
from stratlint.drift.review import Review
from stratlint.fileio import finish_writes
from stratlint.load.loader import SerialLoader, SourceChanged, StrategySources
from stratlint.load.read import read_bounded
from stratlint.load.strategy import StatMemo, read_strategy, relative_path
from stratlint.rules import CheckContext

if TYPE_CHECKING:
    from stratlint.edit.text import FileEdit


def lock_path(root_path: str) -> str:
    """Where the strategy's lock file sits, relative to the repository root."""
    return LOCK_FILENAME if root_path in ("", ".") else f"{root_path}/{LOCK_FILENAME}"


def load_lock(settings: Settings, root_path: str) -> Lock:
    """The review stamps at the strategy root (an absent lock when there is no file)."""
    return read_lock(str(settings.root / LOCK_FILENAME), lock_path(root_path))


def context_for(settings: Settings, lock: Lock) -> CheckContext:
    return CheckContext(settings.effective_today(), Review(lock), settings.rule_options, settings.functions)


def run_key(settings: Settings, strategy: StrategySources, lock: Lock) -> tuple[object, ...]:
    """What besides the files decides a run's findings: a cached analysis is reused only
    under the same key (stratlint.speed)."""
    return (
        str(strategy.repo_root),
        settings.policy,
        settings.rule_options,
        settings.functions,
        settings.effective_today(),
        lock,
        settings.rule_set,  # its repr is the organisation's policy's digest
    )


def lint(settings: Settings, *, incremental: bool = False) -> Result:
    """Load the strategy under ``settings.root`` and analyze it.

    With ``incremental`` (and the cache on), reuse what the last such run concluded about
    the files an edit cannot affect (stratlint.speed.incremental), and do not read the files
    whose stat signature says they are unchanged (stratlint.speed.statindex); the result is
    the same, but its ``graph`` then holds only the files checked again."""
    try:
        stats = speed.stat_index(settings) if incremental else None
        try:
            result = _lint(settings, incremental, stats)
        except SourceChanged:
            # A file not read at first changed before its bytes were needed: nothing may be
            # concluded from bytes the run did not check. Again, reading every file.
            return _lint(settings, incremental, None)
        if stats is not None:
            stats.save()
        return result
    finally:
        finish_writes()


def _lint(settings: Settings, incremental: bool, stats: StatMemo | None) -> Result:
    strategy = read_strategy(settings.root, settings.repo_root, settings.max_file_size, stats)
    lock = load_lock(settings, strategy.root_path)
    analyzer = speed.analyzer(settings, strategy.repo_root, run_key(settings, strategy, lock), incremental=incremental)
    return run(analyzer, strategy, settings, lock)


def lint_sources(strategy: StrategySources, settings: Settings, lock: Lock) -> Result:
    """The strategy of ``strategy``'s sources, from anywhere (a git revision), analyzed by the
    plain engine, as the working tree is."""
    engine = Engine(SerialLoader(settings.extra_schemas), settings.policy, settings.rule_set)
    return run(engine, strategy, settings, lock)


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
    silenced = [*analysis.silenced]
    if settings.baseline is not None:
        reason = f"Recorded in the baseline {baseline_name(settings.baseline.path, repo_root)}."
        silenced += [Silenced(d, "baseline", reason) for d in baselined]
    if scope is not None:
        diagnostics = [d for d in diagnostics if d.path == scope or d.path.startswith(scope + "/")]
        silenced = [s for s in silenced if s.diagnostic.path == scope or s.diagnostic.path.startswith(scope + "/")]
    summary = Summary(
        files=len(analysis.files),
        scope=scope,
        counts=count_severities(diagnostics),
        alignment=score(
            traces,
            standing,
            settings.rule_set.stage_of(),
            settings.functions.planning(),
            analysis.incomplete,
            settings.functions.names(),
        ),
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
        rules=settings.rule_set.infos(),
        silenced=tuple(sorted(silenced, key=lambda s: s.diagnostic.sort_key())),
        graph=analysis.graph,
        lock=lock,
    )


def baseline_name(path: Path, repo_root: Path) -> str:
    """The baseline file as a report shows it: relative to the repository root when inside
    it, and never a machine path otherwise (a report may be shared)."""
    try:
        return path.resolve().relative_to(repo_root.resolve()).as_posix()
    except (ValueError, OSError):
        return path.name


# -- check --fix ----------------------------------------------------------------------------------------

MAX_FIX_ROUNDS = 10
"""A fix can make another possible (a corrected reference, now resolved, needs a stamp):
after writing, the strategy is checked again and what is fixable is fixed, this many times at most."""


@dataclass(frozen=True, slots=True)
class Fixed:
    """What ``check --fix`` did: the run after the fixes, and what they changed."""

    result: Result
    """The strategy checked after the last fix (before any, when nothing was written)."""
    fixed: tuple[Diagnostic, ...]
    """The findings fixed, over every round (with ``write=False``: those the patch fixes)."""
    written: tuple[str, ...]
    """The files written, relative to the repository root."""
    skipped: tuple[tuple[Diagnostic, str], ...] = ()
    """Fixes that could not be applied, and why (the findings are still reported)."""
    patch: tuple[FileEdit, ...] = ()
    """With ``write=False``: the edits a first round would make."""


def lock_text(settings: Settings) -> str | None:
    """The lock's text at the strategy root; None when there is none, or it cannot be read
    as text (the run's lock then has a problem, and no fix stamps it)."""
    path = settings.root / LOCK_FILENAME
    if not path.exists():
        return None
    raw = read_bounded(str(path), 16 * 1024 * 1024)
    if not isinstance(raw, bytes):
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def lint_and_fix(settings: Settings, *, unsafe: bool = False, write: bool = True) -> Fixed:
    """Check the strategy, apply the fixes its findings offer (safe ones; any, with
    ``unsafe``) with the splice engine, and check again, until nothing is left to fix.
    Without ``write``, nothing is written: the first round's edits are returned as a patch.
    stratlint.edit.rename.EditRefused when a file cannot be written (none is, then)."""
    # Imported here: a plain check does not need the edit machinery.
    from stratlint.edit.fix import plan_fixes
    from stratlint.edit.write import write_edits

    fixed: list[Diagnostic] = []
    written: dict[str, None] = {}
    for _ in range(MAX_FIX_ROUNDS):
        result = lint(settings)
        plan = plan_fixes(
            result.graph,
            result.diagnostics,
            unsafe=unsafe,
            lock_text=lock_text(settings),
            lock_path=lock_path(result.graph.root_path),
            lock=result.lock,
        )
        changed = plan.changed
        if not changed:
            return Fixed(result, tuple(fixed), tuple(written), skipped=plan.skipped)
        if not write:
            return Fixed(result, plan.applied, (), skipped=plan.skipped, patch=changed)
        write_edits(changed, result.repo_root)
        fixed += plan.applied
        written.update(dict.fromkeys(item.path for item in changed))
    return Fixed(lint(settings), tuple(fixed), tuple(written))
