"""The pipeline: discover -> load -> graph -> rules -> policy -> result."""

from __future__ import annotations

import contextlib
import datetime
import gc
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stratlint.alignment import AlignmentScore, Counts, combine, counts_by_file, file_counts
from stratlint.baseline import Baseline
from stratlint.diagnostics import FILE_START, Diagnostic, Severity
from stratlint.drift import tracked_edges
from stratlint.facts import FileFacts, facts_of
from stratlint.graph import Graph, GraphBuilder, WholeStrategy
from stratlint.incremental import MAX_RECHECK_SHARE, FileRecord, Snapshot, SnapshotStore, analysis_key, plan
from stratlint.load.artifact import DEFAULT_MAX_BYTES, LoadedArtifact, read_bounded
from stratlint.load.cache import LoadCache, cache_folder, content_key, finish_writes, packed, settings_key
from stratlint.load.discover import discover, find_repository_root
from stratlint.load.extra_schema import ExtraSchema
from stratlint.load.lockfile import LOCK_FILENAME, Lock, read_lock
from stratlint.load.parallel import choose_jobs, load_contents
from stratlint.load.yaml import LoadProblem
from stratlint.policy import Policy
from stratlint.rules import RULES, Rule
from stratlint.rules.loading import UnreadableFile
from stratlint.suppressions import apply_suppressions

DEFAULT_MAX_PROOF_AGE_MONTHS = 18


class StratlintError(Exception):
    """A failure that stops the run (exit status 2): bad options, an unreadable root."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run needs, already parsed and validated."""

    root: Path
    repo_root: Path | None = None
    policy: Policy = field(default_factory=Policy)
    fail_on: Severity = Severity.ERROR
    max_file_size: int = DEFAULT_MAX_BYTES
    extra_schemas: Mapping[str, ExtraSchema] = field(default_factory=dict)
    """The organisation's own JSON Schema per kind, checked on top of the built-in one."""
    baseline: Baseline | None = None
    """Findings recorded by ``stratlint baseline``; only findings not in it are reported."""
    max_proof_age_months: int = DEFAULT_MAX_PROOF_AGE_MONTHS
    """A proof point older than this, cited by messaging or a playbook, is stale evidence."""
    today: datetime.date | None = None
    """The day to judge ages and waivers against; None means the real today. Tests pin it."""

    def effective_today(self) -> datetime.date:
        return self.today or datetime.date.today()

    cache: bool = True
    """Reuse load results of unchanged files from earlier runs (see stratlint.load.cache)."""
    jobs: int | None = None
    """Worker processes for loading; None chooses by the number of files and cores."""


@dataclass(frozen=True, slots=True)
class Summary:
    files: int
    counts: dict[str, int]
    alignment: tuple[AlignmentScore, ...]
    waived: int = 0
    """Findings silenced by a waiver that has not expired (a suppression with until=)."""
    baselined: int = 0
    """Findings left out because the baseline records them."""
    notes: tuple[str, ...] = ()
    """Things the user should know that are not findings, e.g. that there is no review lock yet."""

    def as_dict(self) -> dict[str, object]:
        return {
            "files": self.files,
            "counts": dict(self.counts),
            "waived": self.waived,
            "baselined": self.baselined,
            "alignment": {score.function: score.as_dict() for score in self.alignment},
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class LintResult:
    diagnostics: tuple[Diagnostic, ...]
    summary: Summary
    graph: Graph
    rules: tuple[type[Rule], ...]
    repo_root: Path
    fail_on: Severity
    base_summary: Summary | None = None
    """The summary at a base revision, when the run compares against one (``--diff``);
    reporters then show each alignment score's change."""
    files: tuple[str, ...] = ()
    """Every file of the run, relative to the repository root."""

    @property
    def failed(self) -> bool:
        return any(diagnostic.severity >= self.fail_on for diagnostic in self.diagnostics)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def relative_path(path: Path, repo_root: Path) -> str:
    try:
        return path.relative_to(repo_root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, repo_root)).as_posix()


@dataclass(slots=True)
class FileRead:
    """One file under the strategy root: its bytes and content key, read but not parsed;
    ``artifact`` once it is loaded (at once for a file that could not be read)."""

    relpath: str
    content: bytes
    raw: bytes | None = None
    artifact: LoadedArtifact | None = None


def read_strategy(settings: Settings) -> tuple[list[FileRead], Path, str]:
    """Find and read every strategy file under the root, in load order."""
    root = settings.root
    if not root.exists():
        raise StratlintError(f"{root}: no such folder. Pass the folder that holds the strategy files.")
    if not root.is_dir():
        raise StratlintError(f"{root}: not a folder. Pass the folder that holds the strategy files.")
    if not os.access(root, os.R_OK | os.X_OK):
        raise StratlintError(f"{root}: the folder cannot be read.")
    # Paths are reported relative to the enclosing git repository, or to the current folder.
    repo_root = (settings.repo_root or find_repository_root(root) or Path.cwd()).resolve()
    files, skipped = discover(root, repo_root)
    reads: list[FileRead] = []
    for name, relpath in files:
        raw = read_bounded(name, settings.max_file_size)
        if isinstance(raw, LoadProblem):
            reads.append(_unread(LoadedArtifact(relpath, problems=[raw])))
        else:
            reads.append(FileRead(relpath, content_key(relpath, raw), raw))
    reads.extend(_unread(LoadedArtifact(skip.relpath, problems=[_skip_problem(skip.reason)])) for skip in skipped)
    return reads, repo_root, relative_path(root.resolve(), repo_root)


def _unread(artifact: LoadedArtifact) -> FileRead:
    problem = "\0".join(f"{p.kind}:{p.message}" for p in artifact.problems)
    return FileRead(
        artifact.path, content_key(artifact.path, problem.encode("utf-8", "surrogateescape")), None, artifact
    )


def load_strategy(settings: Settings) -> tuple[list[LoadedArtifact], Path, str]:
    reads, repo_root, root_path = read_strategy(settings)
    try:
        with _collector_paused():
            return _load(reads, settings, repo_root), repo_root, root_path
    finally:
        finish_writes()


def _load(
    reads: Sequence[FileRead],
    settings: Settings,
    repo_root: Path,
    *,
    cache: bool = True,
    each: Callable[[FileRead], None] | None = None,
) -> list[LoadedArtifact]:
    """Load every file not loaded yet: unchanged ones from the cache, the rest on several
    cores when there are many; store what was loaded. Returns the artifacts in order.
    ``each``, when given, is called with every file in order as soon as it and all files
    before it are loaded, so the caller can go on with them while later files load."""
    store = (
        LoadCache.open(cache_folder(repo_root), settings.root, settings_key(settings))
        if settings.cache and cache
        else None
    )
    position = 0

    def advance() -> None:
        nonlocal position
        while position < len(reads) and reads[position].artifact is not None:
            if each is not None:
                each(reads[position])
            position += 1

    pending: list[FileRead] = []
    for read in reads:
        if read.artifact is None and read.raw is not None:
            read.artifact = store.get(read.content, read.relpath, read.raw) if store is not None else None
            if read.artifact is None:
                pending.append(read)
    advance()

    def ready(index: int, artifact: LoadedArtifact, entry: bytes | None) -> None:
        read = pending[index]
        if store is not None:
            store.put(read.content, entry if entry is not None else packed(artifact, read.raw or b""))
        artifact.data = None
        read.artifact = artifact
        advance()

    items = [(read.relpath, read.raw or b"") for read in pending]
    load_contents(items, choose_jobs(len(items), settings.jobs), settings.extra_schemas, ready)
    if store is not None:
        store.save(background=True)  # lint() waits for it before it returns
    advance()
    return [read.artifact for read in reads if read.artifact is not None]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading creates millions of objects that all stay alive; the cyclic garbage
    collector would walk them again and again for nothing. Pause it meanwhile; afterwards,
    freeze what is alive (the loaded strategy, mostly), or the first collection after the
    pause walks all of it at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _skip_problem(reason: str) -> LoadProblem:
    return LoadProblem(UnreadableFile.name, f"This file is not read: {reason}.", FILE_START.line, FILE_START.column)


def run_rules(graph: Graph, rules: Sequence[type[Rule]] = RULES) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for rule in rules:
        found.extend(rule().check(graph))
    return found


def lock_path(root_path: str) -> str:
    """Where the strategy's lock file sits, relative to the repository root."""
    return LOCK_FILENAME if root_path in ("", ".") else f"{root_path}/{LOCK_FILENAME}"


def load_lock(settings: Settings, root_path: str) -> Lock:
    """The review stamps at the strategy root (an absent lock when there is no file)."""
    return read_lock(str(settings.root / LOCK_FILENAME), lock_path(root_path))


def _notes(graph: Graph) -> tuple[str, ...]:
    notes = []
    unread = sum(1 for item in graph.loaded if item.model is None)
    if unread:
        notes.append(
            f"{unread} file{'s' if unread != 1 else ''} could not be read (see the errors above). Until "
            f"{'they are' if unread != 1 else 'it is'} fixed, the alignment scores leave out "
            f"{'their' if unread != 1 else 'its'} entries, and rules that look for what is missing hold back."
        )
    lock = graph.lock
    if lock is not None and not lock.present and next(tracked_edges(graph), None) is not None:
        notes.append(
            f"There is no review lock ({lock.path}) yet, so no reference can be flagged as suspect when the "
            "strategy changes. Run 'stratlint lock' and commit the file."
        )
    return tuple(notes)


def lint(settings: Settings, *, incremental: bool = False) -> LintResult:
    """Load the strategy under ``settings.root`` and analyze it.

    With ``incremental`` (and the cache on), reuse what the last such run concluded about
    the files an edit cannot affect (stratlint.incremental); the result is the same, but its
    ``graph`` then holds only the files checked again."""
    reads, repo_root, root_path = read_strategy(settings)
    lock = load_lock(settings, root_path)
    store = _snapshot_store(settings, repo_root, lock) if incremental and settings.cache else None
    try:
        return _lint(reads, store, settings, repo_root, root_path, lock)
    finally:
        finish_writes()


def _lint(
    reads: list[FileRead],
    store: SnapshotStore | None,
    settings: Settings,
    repo_root: Path,
    root_path: str,
    lock: Lock,
) -> LintResult:
    with _collector_paused():
        if store is not None:
            snapshot = store.read()
            if snapshot is not None:
                result = _lint_incrementally(reads, snapshot, store, settings, repo_root, root_path, lock)
                if result is not None:
                    return result
        # The graph grows while files load, and so do the facts the snapshot keeps: this
        # process does that work between loading chunks, while the workers parse.
        builder = _builder(settings, root_path, lock)
        facts: dict[str, FileFacts] = {}

        def each(read: FileRead) -> None:
            assert read.artifact is not None
            artifact = builder.add(read.artifact)
            if store is not None:
                facts[read.relpath] = facts_of(read.artifact, artifact)

        _load(reads, settings, repo_root, each=each)
        result, analysis = _analyze_graph(builder.finish(), settings, repo_root)
        if store is not None:
            store.write(_snapshot_of(analysis, reads, result, facts))
        return result


def analyze(
    loaded: list[LoadedArtifact], settings: Settings, repo_root: Path, root_path: str, *, lock: Lock | None = None
) -> LintResult:
    """Everything after loading: graph, rules, policy, suppressions, baseline, summary. Loaded
    artifacts may come from the working tree or from elsewhere (a git revision), and are
    analyzed the same way. Without ``lock``, nothing is suspect and nothing asks for a lock."""
    builder = _builder(settings, root_path, lock)
    for item in loaded:
        builder.add(item)
    return _analyze_graph(builder.finish(), settings, repo_root)[0]


def _builder(settings: Settings, root_path: str, lock: Lock | None, whole: WholeStrategy | None = None) -> GraphBuilder:
    """A graph builder with the run's settings."""
    return GraphBuilder(
        root_path,
        lock=lock,
        today=settings.effective_today(),
        max_proof_age_months=settings.max_proof_age_months,
        whole=whole,
    )


@dataclass(frozen=True, slots=True)
class _Analysis:
    """What a full analysis learned beyond its result, for the snapshot."""

    strategy_findings: tuple[Diagnostic, ...]
    final: tuple[Diagnostic, ...]
    """The findings after suppressions, before the baseline."""
    waived_in: Mapping[str, int]
    alignment: Mapping[str, tuple[str, Counts]]
    """(function, alignment counts) by path."""


def _analyze_graph(graph: Graph, settings: Settings, repo_root: Path) -> tuple[LintResult, _Analysis]:
    loaded = graph.loaded
    diagnostics = settings.policy.apply(run_rules(graph))
    suppressed = apply_suppressions(diagnostics, loaded, settings.policy, settings.effective_today())
    final = sorted(suppressed.kept, key=Diagnostic.sort_key)
    strategy_findings = tuple(d for d in diagnostics if d.code in _STRATEGY_WIDE)
    alignment = counts_by_file(graph)
    result = _result(
        final,
        settings,
        repo_root,
        graph,
        [item.path for item in loaded],
        combine(alignment.values()),
        suppressed.waived,
        _notes(graph),
    )
    return result, _Analysis(strategy_findings, tuple(final), suppressed.waived_in, alignment)


_STRATEGY_WIDE = frozenset(rule.code for rule in RULES if rule.strategy_wide)


def _result(
    final: list[Diagnostic],
    settings: Settings,
    repo_root: Path,
    graph: Graph,
    files: list[str],
    alignment: tuple[AlignmentScore, ...],
    waived: int,
    notes: tuple[str, ...],
) -> LintResult:
    diagnostics = final
    baselined = 0
    if settings.baseline is not None:
        diagnostics, baselined = settings.baseline.filter(diagnostics)
    summary = Summary(
        files=len(files),
        counts=count_severities(diagnostics),
        alignment=alignment,
        waived=waived,
        baselined=baselined,
        notes=notes,
    )
    return LintResult(tuple(diagnostics), summary, graph, RULES, repo_root, settings.fail_on, files=tuple(files))


# -- incremental runs -------------------------------------------------------------------------


def _snapshot_store(settings: Settings, repo_root: Path, lock: Lock) -> SnapshotStore | None:
    key = analysis_key(
        settings_key(settings),
        (str(repo_root), settings.policy, settings.max_proof_age_months, settings.effective_today(), lock),
    )
    return SnapshotStore.open(cache_folder(repo_root), settings.root, key)


def _snapshot_of(
    analysis: _Analysis, reads: Sequence[FileRead], result: LintResult, facts: Mapping[str, FileFacts]
) -> Snapshot:
    by_path: dict[str, list[Diagnostic]] = {read.relpath: [] for read in reads}
    elsewhere: list[Diagnostic] = []
    for diagnostic in analysis.final:
        by_path.get(diagnostic.path, elsewhere).append(diagnostic)
    files: dict[str, FileRecord] = {}
    for read in reads:
        files[read.relpath] = FileRecord(
            read.content,
            facts[read.relpath],
            tuple(by_path[read.relpath]),
            analysis.waived_in.get(read.relpath, 0),
            analysis.alignment.get(read.relpath),
        )
    return Snapshot(files, analysis.strategy_findings, tuple(elsewhere), result.summary.notes)


def _lint_incrementally(
    reads: list[FileRead],
    snapshot: Snapshot,
    store: SnapshotStore,
    settings: Settings,
    repo_root: Path,
    root_path: str,
    lock: Lock,
) -> LintResult | None:
    """The result from the last run's snapshot and the files that changed since; None
    when only a full run gives the right result (see stratlint.incremental)."""
    records = snapshot.files
    if len(records) != len(reads) or any(path != read.relpath for path, read in zip(records, reads, strict=True)):
        return None  # a file added, removed or renamed
    changed = [read for read in reads if records[read.relpath].content != read.content]
    if not changed:
        return _result_of(snapshot, settings, repo_root, Graph(root_path=root_path))
    if len(changed) > max(1, int(len(reads) * MAX_RECHECK_SHARE)):
        return None
    by_path = {read.relpath: read for read in reads}
    # The changed files' facts, from their own nodes (a builder that is never finished:
    # facts need no resolved references).
    alone = GraphBuilder(root_path)
    new_facts = {
        item.path: facts_of(item, alone.add(item)) for item in _load(changed, settings, repo_root, cache=False)
    }
    work = plan(snapshot, new_facts)
    if work is None:
        return None
    parts = [by_path[path] for path in work.graph_files]
    builder = _builder(settings, root_path, lock, work.index)
    for item in _load(parts, settings, repo_root, cache=False):
        builder.add(item)
    graph = builder.finish()
    found: dict[str, list[Diagnostic]] = {path: [] for path in work.recheck}
    rules = [rule for rule in RULES if not rule.strategy_wide]
    for diagnostic in (*settings.policy.apply(run_rules(graph, rules)), *snapshot.strategy_findings):
        if diagnostic.path in found:
            found[diagnostic.path].append(diagnostic)
    graph_artifacts = {artifact.path: artifact for artifact in graph.artifacts}
    for path, own in found.items():
        read = by_path[path]
        assert read.artifact is not None
        suppressed = apply_suppressions(own, [read.artifact], settings.policy, settings.effective_today())
        artifact = graph_artifacts.get(path)
        records[path] = FileRecord(
            read.content,
            new_facts.get(path) or records[path].facts,
            tuple(sorted(suppressed.kept, key=Diagnostic.sort_key)),
            suppressed.waived,
            None if artifact is None else file_counts(graph, artifact),
        )
    store.write(snapshot)
    return _result_of(snapshot, settings, repo_root, graph)


def _result_of(snapshot: Snapshot, settings: Settings, repo_root: Path, graph: Graph) -> LintResult:
    records = snapshot.files.values()
    alignment = combine(record.alignment for record in records if record.alignment is not None)
    return _result(
        sorted(snapshot.diagnostics(), key=Diagnostic.sort_key),
        settings,
        repo_root,
        graph,
        list(snapshot.files),
        alignment,
        sum(record.waived for record in records),
        snapshot.notes,
    )


def count_severities(diagnostics: Sequence[Diagnostic]) -> dict[str, int]:
    counts = Counter(diagnostic.severity.label for diagnostic in diagnostics)
    return {severity.label: counts.get(severity.label, 0) for severity in reversed(Severity)}
