"""The pipeline: discover -> load -> graph -> rules -> policy -> result."""

from __future__ import annotations

import contextlib
import datetime
import gc
import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stratlint.alignment import AlignmentScore, score_alignment
from stratlint.baseline import Baseline
from stratlint.diagnostics import FILE_START, Diagnostic, Severity
from stratlint.drift import tracked_edges
from stratlint.graph import Graph, build_graph
from stratlint.load.artifact import DEFAULT_MAX_BYTES, LoadedArtifact, read_bounded
from stratlint.load.cache import LoadCache, cache_folder, content_key, packed, settings_key
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


def load_strategy(settings: Settings) -> tuple[list[LoadedArtifact], Path, str]:
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
    with _collector_paused():
        loaded = _load_files(files, repo_root, root, settings)
    for skip in skipped:
        loaded.append(
            LoadedArtifact(
                skip.relpath,
                problems=[_skip_problem(skip.reason)],
            )
        )
    return loaded, repo_root, relative_path(root.resolve(), repo_root)


def _load_files(files: list[Path], repo_root: Path, root: Path, settings: Settings) -> list[LoadedArtifact]:
    """Read every file; take unchanged ones from the cache; load the rest, on several
    cores when there are many; store what was loaded."""
    cache = LoadCache.open(cache_folder(repo_root, root), root, settings_key(settings)) if settings.cache else None
    loaded: list[LoadedArtifact | None] = []
    pending: list[tuple[str, bytes]] = []
    slots: list[tuple[int, bytes]] = []
    prefix = str(repo_root) + os.sep
    for path in files:
        name = str(path)
        relpath = (
            name[len(prefix) :].replace(os.sep, "/") if name.startswith(prefix) else relative_path(path, repo_root)
        )
        raw = read_bounded(name, settings.max_file_size)
        if isinstance(raw, LoadProblem):
            loaded.append(LoadedArtifact(relpath, problems=[raw]))
            continue
        content = content_key(relpath, raw) if cache is not None else b""
        hit = cache.get(content, relpath, raw) if cache is not None else None
        if hit is None:
            slots.append((len(loaded), content))
            pending.append((relpath, raw))
        loaded.append(hit)
    jobs = choose_jobs(len(pending), settings.jobs)
    for (index, content), (artifact, entry) in zip(
        slots, load_contents(pending, jobs, settings.extra_schemas), strict=True
    ):
        if cache is not None:
            cache.put(content, entry if entry is not None else packed(artifact))
        artifact.data = None
        loaded[index] = artifact
    if cache is not None:
        cache.save()
    return [artifact for artifact in loaded if artifact is not None]


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


def load_lock(settings: Settings, repo_root: Path, root_path: str) -> Lock:
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


def lint(settings: Settings) -> LintResult:
    """Load the strategy under ``settings.root`` and analyze it."""
    loaded, repo_root, root_path = load_strategy(settings)
    with _collector_paused():
        return analyze(loaded, settings, repo_root, root_path, lock=load_lock(settings, repo_root, root_path))


def analyze(
    loaded: list[LoadedArtifact], settings: Settings, repo_root: Path, root_path: str, *, lock: Lock | None = None
) -> LintResult:
    """Everything after loading: graph, rules, policy, suppressions, baseline, summary. Loaded
    artifacts may come from the working tree or from elsewhere (a git revision), and are
    analyzed the same way. Without ``lock``, nothing is suspect and nothing asks for a lock."""
    graph = build_graph(
        loaded,
        root_path,
        lock=lock,
        today=settings.effective_today(),
        max_proof_age_months=settings.max_proof_age_months,
    )
    diagnostics = settings.policy.apply(run_rules(graph))
    suppressed = apply_suppressions(diagnostics, loaded, settings.policy, settings.effective_today())
    diagnostics = sorted(suppressed.kept, key=Diagnostic.sort_key)
    baselined = 0
    if settings.baseline is not None:
        diagnostics, baselined = settings.baseline.filter(diagnostics)
    summary = Summary(
        files=len(loaded),
        counts=count_severities(diagnostics),
        alignment=score_alignment(graph),
        waived=suppressed.waived,
        baselined=baselined,
        notes=_notes(graph),
    )
    return LintResult(tuple(diagnostics), summary, graph, RULES, repo_root, settings.fail_on)


def count_severities(diagnostics: Sequence[Diagnostic]) -> dict[str, int]:
    counts = Counter(diagnostic.severity.label for diagnostic in diagnostics)
    return {severity.label: counts.get(severity.label, 0) for severity in reversed(Severity)}
