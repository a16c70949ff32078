"""The alignment score over git history (``stratlint trend``).

Every first-parent commit that touched the strategy root is scored as ``check`` scores the
working tree (or every Nth, or those since a date). Nothing is checked out: the trees and
blobs are read through git (``git log``, ``cat-file --batch-check`` for the root's tree at
each commit, ``ls-tree`` and ``cat-file --batch`` for the files), always through
stratlint.gitrun.

Costs are kept down twice over:

- an **evaluation** is keyed by the strategy root's tree id (the review lock lies inside
  the root, so it is part of that tree) and by everything else that decides a finding (the
  analysis key of the incremental run: stratlint's code, the load settings, the policy, the
  rules' options and the day ages are judged on). A commit whose root tree was evaluated
  before -- in this run, or in an earlier one, from the signed cache file -- costs nothing;
- a **parse** is keyed by the file's path and blob id: a file unchanged between two
  evaluated commits is loaded once.

Every commit is judged as of one day (the run's; today unless the settings pin it): the
trend shows how each version of the strategy stands by today's rules and dates, and an
unchanged tree keeps its score. A drop is a commit after which a score is lower than at
the commit before it; the findings it introduced are those whose fingerprints (which leave
out lines and columns) it has more of than its predecessor.
"""

from __future__ import annotations

import contextlib
import marshal
import subprocess
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stratlint import StratlintError, gitrun
from stratlint.analysis.alignment import FUNCTIONS, OVERALL
from stratlint.analysis.check import context_for, lock_path, result_of
from stratlint.analysis.engine import Engine
from stratlint.analysis.result import Result
from stratlint.analysis.settings import Settings
from stratlint.drift.lockfile import LOCK_FILENAME, Lock, lock_from_bytes
from stratlint.load.artifact import LoadedArtifact
from stratlint.load.discover import YAML_SUFFIXES
from stratlint.load.loader import Ready, SerialLoader, Source, StrategySources, content_key
from stratlint.load.read import too_large
from stratlint.load.strategy import relative_path, repository_root
from stratlint.problems import LoadProblem, ProblemKind
from stratlint.speed.cache import cache_file, cache_folder, cache_secret, read_signed, settings_key, write_signed
from stratlint.speed.incremental import IncrementalAnalyzer, Snapshot, SnapshotStore, analysis_key
from stratlint.vcs.git import (
    GitError,
    Watchdog,
    read_blob,
    read_blobs,
    read_exactly,
    resolve_revision,
    run_git,
    tree_blobs,
)

_FIELD, _RECORD = "\x1f", "\x1e"
_CACHE_VERSION = 2
_MOST_CACHED = 20_000
"""Evaluations kept in the cache file: the newest, when there are more."""


@dataclass(frozen=True, slots=True)
class Commit:
    id: str
    date: str
    """The committer date, ISO 8601."""
    author: str
    subject: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What one version of the strategy root scores, as plain data (it is cached as JSON)."""

    scores: Mapping[str, Mapping[str, Any]]
    """Each function's ``AlignmentScore.as_dict()``, and 'overall'."""
    findings: tuple[Mapping[str, Any], ...]
    """The findings (code, name, severity, message, path, line, fingerprint)."""

    def score(self, function: str) -> float | None:
        value = self.scores.get(function, {}).get("score")
        return None if value is None else float(value)


@dataclass(frozen=True, slots=True)
class Point:
    """One commit of the trend."""

    commit: Commit
    tree: str
    evaluation: Evaluation
    introduced: tuple[Mapping[str, Any], ...] = ()
    """Findings this commit has that the point before it had not."""
    fixed: int = 0
    """Findings the point before it had that this commit has not."""


@dataclass(frozen=True, slots=True)
class Drop:
    point: Point
    before: Point
    functions: Mapping[str, tuple[float, float]]
    """function -> (score before, score after), for each score that fell by more than the threshold."""


@dataclass(frozen=True, slots=True)
class Trend:
    root_path: str
    points: tuple[Point, ...]
    evaluated: int = 0
    """Evaluations this run computed (the rest came from the cache or an earlier commit)."""
    judged_on: str = ""
    functions: tuple[str, ...] = FUNCTIONS
    """The functions scored, in report order (the configuration's; see stratlint.model.functions)."""

    def drops(self, threshold: float = 0.0) -> list[Drop]:
        """The commits that lowered a score by more than ``threshold`` (0..1)."""
        found = []
        for before, point in zip(self.points, self.points[1:], strict=False):
            fell = {}
            for function in (OVERALL, *self.functions):
                old, new = before.evaluation.score(function), point.evaluation.score(function)
                if old is not None and new is not None and old - new > threshold + 1e-9:
                    fell[function] = (old, new)
            if fell:
                found.append(Drop(point, before, fell))
        return found


@dataclass(frozen=True, slots=True)
class TrendRequest:
    settings: Settings
    revision: str = "HEAD"
    every: int = 1
    since: str | None = None
    cache: bool = True


class _Memory(SnapshotStore):
    """The incremental run's snapshot, kept in memory from one evaluated commit to the next
    (the working tree's own snapshot on disk is left alone)."""

    def __init__(self) -> None:
        super().__init__(Path(), "", b"")
        self.snapshot: Snapshot | None = None

    def read(self) -> Snapshot | None:
        return self.snapshot

    def write(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot


class _Objects:
    """One ``git cat-file --batch`` for the whole run: trees and blobs by id. A folder's
    listing is kept by its tree id, so a commit costs only the folders it changed."""

    def __init__(self, repo_root: Path) -> None:
        try:
            self.process = gitrun.start(repo_root, "cat-file", "--batch")
        except OSError as error:
            raise StratlintError(f"git could not be run: {error}") from None
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        self.watchdog = Watchdog(self.process, gitrun.TIMEOUT)
        self.listings: dict[str, tuple[tuple[str, str, str], ...]] = {}

    def read(self, oid: str) -> tuple[str, bytes]:
        """(type, content) of the object ``oid``; ('missing', b'') when there is none."""
        try:
            self.stdin.write(oid.encode("ascii") + b"\n")
            self.stdin.flush()
            header = self.stdout.readline().decode("ascii", "replace").split()
            if len(header) != 3:
                if not header:
                    raise StratlintError("git stopped answering while the history was read")
                return ("missing", b"")
            size = int(header[2])
            content = read_exactly(self.stdout, size)
            self.stdout.read(1)
        except (OSError, ValueError) as error:
            raise StratlintError(f"cannot read the history: {error}") from None
        self.watchdog.progress()
        return header[1], content

    def files(self, tree: str) -> tuple[tuple[str, str, str], ...]:
        """(path under the tree, mode, id) of every file below ``tree``, folders whose name
        starts with a dot left out (as discovery leaves them out of the working tree)."""
        known = self.listings.get(tree)
        if known is not None:
            return known
        kind, content = self.read(tree)
        if kind != "tree":
            raise StratlintError(f"cannot read the history: {tree} is not a tree")
        width = len(tree) // 2
        found: list[tuple[str, str, str]] = []
        at = 0
        while at < len(content):
            space = content.index(b" ", at)
            nul = content.index(b"\0", space)
            mode = content[at:space].decode("ascii")
            name = content[space + 1 : nul].decode("utf-8", "surrogateescape")
            oid = content[nul + 1 : nul + 1 + width].hex()
            at = nul + 1 + width
            if mode == "40000":
                if not name.startswith("."):
                    found += [(f"{name}/{path}", sub_mode, sub) for path, sub_mode, sub in self.files(oid)]
            else:
                found.append((name, mode, oid))
        listing = tuple(found)
        self.listings[tree] = listing
        return listing

    def close(self) -> None:
        self.watchdog.stop()
        with contextlib.suppress(OSError):
            self.stdin.close()
        self.stdout.close()
        try:
            self.process.wait(timeout=gitrun.TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class _Evaluator:
    """Evaluates commits in order, each from the one before: a file whose blob was loaded
    for an earlier commit is not loaded again (parses keyed by path and blob id), and the
    incremental analyzer checks again only what the files that changed can affect."""

    repo_root: Path
    root_path: str
    settings: Settings
    objects: _Objects
    by_blob: dict[tuple[str, str], LoadedArtifact] = field(default_factory=dict)
    memory: _Memory = field(default_factory=_Memory)
    lock_blob: str | None = None

    def evaluate(self, commit: str, tree: str) -> Result:
        """The strategy root at ``commit`` (whose root tree is ``tree``), analyzed as
        ``check`` analyzes the working tree."""
        root_path, settings = self.root_path, self.settings
        prefix = "" if root_path in ("", ".") else root_path + "/"
        listing = self.objects.files(tree)
        if any(mode == "120000" for _, mode, _ in listing):
            # A link is followed within the revision's tree: the path-based reader does that.
            return self._evaluate_with_links(commit)
        blobs = {prefix + path: oid for path, mode, oid in listing if path.endswith(YAML_SUFFIXES)}
        lock_oid = next((oid for path, _, oid in listing if path == LOCK_FILENAME), None)
        sources = []
        for path in sorted(blobs):
            blob = blobs[path]
            # One key scheme for every source (the path and the blob id), so the snapshot
            # sees a file as changed exactly when its blob changed.
            key = content_key(path, blob.encode())
            known = self.by_blob.get((path, blob))
            if known is not None:
                sources.append(Source(path, None, key, known))
                continue
            kind, data = self.objects.read(blob)
            if kind != "blob":
                sources.append(Source(path, None, key, _unreadable(path)))
            elif len(data) > settings.max_file_size:
                sources.append(
                    Source(path, None, key, LoadedArtifact(path, problems=[too_large(settings.max_file_size)]))
                )
            else:
                sources.append(Source(path, data, key))
        lock_bytes = self.objects.read(lock_oid)[1] if lock_oid is not None else None
        return self._analyze(blobs, sources, lock_oid, lock_bytes)

    def _evaluate_with_links(self, commit: str) -> Result:
        try:
            blobs = tree_blobs(self.repo_root, commit, self.root_path)
            fresh = read_blobs(self.repo_root, commit, sorted(blobs), self.settings.max_file_size)
            lock_bytes = read_blob(self.repo_root, commit, lock_path(self.root_path))
        except GitError as error:
            raise StratlintError(str(error)) from None
        sources = [
            Source(s.path, s.raw, content_key(s.path, (blobs[s.path] + ":link").encode()), s.loaded) for s in fresh
        ]
        self.memory.snapshot = None
        return self._analyze({}, sources, None, lock_bytes)

    def _analyze(
        self, blobs: Mapping[str, str], sources: list[Source], lock_oid: str | None, lock_bytes: bytes | None
    ) -> Result:
        root_path, settings = self.root_path, self.settings
        if lock_oid != self.lock_blob:
            self.memory.snapshot = None  # the review stamps decide findings: start afresh
            self.lock_blob = lock_oid
        lock = lock_from_bytes(lock_bytes, lock_path(root_path)) if lock_bytes is not None else None
        lock = lock or Lock(path=lock_path(root_path), present=False)
        strategy = StrategySources(self.repo_root, root_path, tuple(sources))
        seen: dict[str, LoadedArtifact] = {}
        loader = _Recording(SerialLoader(settings.extra_schemas), seen)
        analyzer = IncrementalAnalyzer(Engine(loader, settings.policy), self.memory, loader)
        analysis = analyzer.analyze(strategy, context_for(settings, lock))
        for path, item in seen.items():
            if path in blobs:
                self.by_blob[(path, blobs[path])] = item
        return result_of(analysis, settings, self.repo_root, lock)


def _unreadable(path: str) -> LoadedArtifact:
    problem = LoadProblem(
        ProblemKind.UNREADABLE_FILE,
        "This file is not read: it cannot be found in the revision.",
        1,
        1,
        subject="it cannot be found in the revision",
    )
    return LoadedArtifact(path, problems=[problem])


@dataclass(frozen=True, slots=True)
class _Recording:
    """A loader that remembers what it loaded, by path, for the next commit to reuse."""

    inner: SerialLoader
    seen: dict[str, LoadedArtifact]

    def load(self, sources: Sequence[Source], ready: Ready) -> None:
        def tell(source: Source, item: LoadedArtifact) -> object:
            self.seen[source.path] = item
            return ready(source, item)

        self.inner.load(sources, tell)


def _git(repo_root: Path, *args: str, input_data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run git for the trend: a StratlintError when git is missing or cannot be run."""
    try:
        return run_git(repo_root, *args, input_data=input_data, reads="the trend reads the history through git")
    except GitError as error:
        raise StratlintError(str(error)) from None


def head_commit(repo_root: Path) -> tuple[str, str] | None:
    """The commit id and committer date of HEAD, or None outside git or before a first commit."""
    try:
        completed = gitrun.run(repo_root, "log", "-1", "--format=%H%x1f%cI", "HEAD")
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    commit, _, when = completed.stdout.decode("utf-8", "replace").strip().partition(_FIELD)
    return (commit, when) if commit else None


def commits(repo_root: Path, root_path: str, revision: str, *, since: str | None = None) -> list[Commit]:
    """The first-parent commits of ``revision`` that changed the strategy root, oldest first.
    A merge counts by what it changed against its first parent."""
    args = ["log", "--first-parent", "--reverse", f"--format=%H{_FIELD}%cI{_FIELD}%an{_FIELD}%s{_RECORD}"]
    if since:
        args.append(f"--since={since}")
    completed = _git(repo_root, *args, revision, "--", root_path or ".")
    if completed.returncode != 0:
        raise StratlintError(f"cannot read the history of {revision}: {_first_line(completed.stderr)}")
    found = []
    for record in completed.stdout.decode("utf-8", "replace").split(_RECORD):
        record = record.strip("\n")
        if not record:
            continue
        commit, when, author, subject = [*record.split(_FIELD), "", "", ""][:4]
        found.append(Commit(commit, when, author, subject))
    return found


def root_trees(repo_root: Path, root_path: str, ids: Sequence[str]) -> dict[str, str | None]:
    """The tree id of the strategy root at each commit (None where it is absent), in one git call."""
    if not ids:
        return {}
    spec = "" if root_path in ("", ".") else root_path
    lines = "".join((f"{commit}:{spec}\n" if spec else f"{commit}^{{tree}}\n") for commit in ids)
    completed = _git(repo_root, "cat-file", "--batch-check", input_data=lines.encode("utf-8", "surrogateescape"))
    if completed.returncode != 0:
        raise StratlintError(f"cannot read the trees of the history: {_first_line(completed.stderr)}")
    answers = completed.stdout.decode("utf-8", "replace").splitlines()
    trees: dict[str, str | None] = {}
    for commit, answer in zip(ids, answers, strict=False):
        parts = answer.split()
        trees[commit] = parts[0] if len(parts) == 3 and parts[1] == "tree" else None
    return trees


def summarize(result: Result) -> Evaluation:
    scores = {score.function: score.as_dict() for score in result.summary.alignment}
    findings = tuple(
        {
            "code": d.code,
            "name": d.name,
            "severity": d.severity.label,
            "message": d.message,
            "path": d.path,
            "line": d.span.line if d.span.positioned else None,
            "fingerprint": d.fingerprint,
        }
        for d in result.diagnostics
    )
    return Evaluation(scores, findings)


class _Cache:
    """Evaluations by root tree id, for one analysis key, in one signed file (marshal: plain
    values only); findings are kept once and referred to by number, since most of them are
    the same from one commit to the next. The incremental snapshot of the last evaluated
    commit is kept too, so one new commit after a run is checked incrementally."""

    def __init__(self, repo_root: Path, settings: Settings, enabled: bool) -> None:
        self.trees: dict[str, tuple[dict[str, Any], tuple[int, ...]]] = {}
        self.findings: list[dict[str, Any]] = []
        self.index: dict[tuple[Any, ...], int] = {}
        self.snapshot: tuple[bytes, str | None] | None = None
        self.path: Path | None = None
        self.changed = False
        self.key = ""
        self.secret = cache_secret() if enabled else None
        folder = cache_folder(repo_root) if enabled else None
        if folder is None or self.secret is None:
            return
        parts = (
            settings.policy,
            settings.rule_options,
            settings.functions,
            settings.effective_today(),
            "trend",
            _CACHE_VERSION,
        )
        self.key = analysis_key(settings_key(settings), parts)
        self.path = cache_file(folder, settings.root, "trend")
        payload = read_signed(self.path, self.secret)
        if payload is None:
            return
        try:
            key, trees, findings, snapshot = marshal.loads(payload)
            if key != self.key:
                return
            self.findings = [dict(zip(_FINDING_KEYS, item, strict=True)) for item in findings]
            self.trees = {tree: (scores, tuple(ids)) for tree, (scores, ids) in trees.items()}
            self.snapshot = snapshot
        except Exception:  # a garbled cache is only rebuilt
            self.trees, self.findings, self.snapshot = {}, [], None
        self.index = {tuple(item[k] for k in _FINDING_KEYS): number for number, item in enumerate(self.findings)}

    def get(self, tree: str) -> Evaluation | None:
        found = self.trees.get(tree)
        if found is None:
            return None
        scores, ids = found
        return Evaluation(scores, tuple(self.findings[number] for number in ids))

    def put(self, tree: str, evaluation: Evaluation) -> None:
        ids = []
        for item in evaluation.findings:
            key = tuple(item[k] for k in _FINDING_KEYS)
            number = self.index.get(key)
            if number is None:
                number = self.index[key] = len(self.findings)
                self.findings.append(dict(item))
            ids.append(number)
        self.trees[tree] = ({name: dict(score) for name, score in evaluation.scores.items()}, tuple(ids))
        self.changed = True

    def save(self, memory: _Memory, lock_blob: str | None) -> None:
        if self.path is None or self.secret is None or not self.changed:
            return
        trees = dict(list(self.trees.items())[-_MOST_CACHED:])
        findings = [tuple(item[k] for k in _FINDING_KEYS) for item in self.findings]
        snapshot = (memory.snapshot.pack(), lock_blob) if memory.snapshot is not None else None
        write_signed(self.path, self.secret, marshal.dumps((self.key, trees, findings, snapshot)))

    def restore(self, memory: _Memory) -> str | None:
        """Put the cached snapshot in ``memory``; the lock blob it was made with."""
        if self.snapshot is None:
            return None
        packed, lock_blob = self.snapshot
        memory.snapshot = Snapshot.unpack(packed)
        return lock_blob if memory.snapshot is not None else None


_FINDING_KEYS = ("code", "name", "severity", "message", "path", "line", "fingerprint")


def trend(request: TrendRequest) -> Trend:
    """Score the history of the strategy root."""
    settings = request.settings
    repo_root = repository_root(settings.root, settings.repo_root)
    root_path = relative_path(settings.root.resolve(), repo_root)
    if root_path == ".." or root_path.startswith("../"):
        raise StratlintError(f"{settings.root} is outside the git repository; the trend reads its history.")
    inside = _git(repo_root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        raise StratlintError(f"{repo_root} is not inside a git repository; the trend reads the history through git.")
    try:
        revision = resolve_revision(repo_root, request.revision)
    except GitError as error:
        raise StratlintError(str(error)) from None
    history = commits(repo_root, root_path, revision, since=request.since)
    trees = root_trees(repo_root, root_path, [commit.id for commit in history])
    history = [commit for commit in history if trees.get(commit.id)]
    chosen = _every(history, request.every)
    cache = _Cache(repo_root, settings, request.cache)
    objects = _Objects(repo_root)
    evaluator = _Evaluator(repo_root, root_path, settings, objects)
    evaluator.lock_blob = cache.restore(evaluator.memory)
    points: list[Point] = []
    evaluated = 0
    seen: dict[str, Evaluation] = {}
    try:
        for commit in chosen:
            tree = trees[commit.id]
            assert tree is not None
            evaluation = seen.get(tree) or cache.get(tree)
            if evaluation is None:
                evaluation = summarize(evaluator.evaluate(commit.id, tree))
                cache.put(tree, evaluation)
                evaluated += 1
            seen[tree] = evaluation
            points.append(_point(commit, tree, evaluation, points[-1] if points else None))
    finally:
        objects.close()
    cache.save(evaluator.memory, evaluator.lock_blob)
    return Trend(
        root_path, tuple(points), evaluated, settings.effective_today().isoformat(), settings.functions.planning()
    )


def _every(history: list[Commit], every: int) -> list[Commit]:
    """Every Nth commit, counted back from the newest, which is always kept."""
    if every <= 1:
        return history
    return list(reversed(list(reversed(history))[::every]))


def _point(commit: Commit, tree: str, evaluation: Evaluation, before: Point | None) -> Point:
    if before is None:
        return Point(commit, tree, evaluation, ())
    known = Counter(item["fingerprint"] for item in before.evaluation.findings)
    introduced = []
    for item in evaluation.findings:
        if known[item["fingerprint"]] > 0:
            known[item["fingerprint"]] -= 1
        else:
            introduced.append(item)
    return Point(commit, tree, evaluation, tuple(introduced), sum(known.values()))


def _first_line(data: bytes) -> str:
    text = data.decode(errors="replace").strip()
    return text.splitlines()[0] if text else "git failed"


# -- plain data for the reporters ------------------------------------------------------------


def rows(result: Trend) -> list[dict[str, Any]]:
    """One row per commit: the commit, and each score, focus and cascade count."""
    found = []
    for point in result.points:
        row: dict[str, Any] = {
            "commit": point.commit.id,
            "date": point.commit.date,
            "author": point.commit.author,
            "subject": point.commit.subject,
            "tree": point.tree,
        }
        for function in (OVERALL, *result.functions):
            score = point.evaluation.scores.get(function, {})
            row[function] = {
                "score": score.get("score"),
                "focus": score.get("focus"),
                "entries": score.get("entries"),
                "aligned": score.get("aligned"),
                "incomplete": score.get("incomplete"),
                "misaligned_by_stage": dict(score.get("misaligned_by_stage", {})),
            }
        row["findings"] = len(point.evaluation.findings)
        row["introduced"] = [dict(item) for item in point.introduced]
        row["fixed"] = point.fixed
        found.append(row)
    return found


__all__ = ["Commit", "Drop", "Evaluation", "Point", "Trend", "TrendRequest", "commits", "head_commit", "rows", "trend"]
