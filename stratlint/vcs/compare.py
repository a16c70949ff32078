"""Comparing a run with the strategy at a git revision: ``check --diff BASE`` (only what is
new), and the pre-commit note that names the staged change a finding elsewhere follows from.

The revision is read through git, never checked out; files whose content is unchanged are
taken from the working tree's load. Findings are matched by fingerprint, which leaves out
lines and columns, so a finding that only moved is not new.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path

from stratlint import StratlintError
from stratlint.analysis.check import lint, lint_sources, lock_path
from stratlint.analysis.result import Result, count_severities
from stratlint.analysis.settings import Settings
from stratlint.diagnostics import Diagnostic, mark_known
from stratlint.drift.lockfile import Lock, lock_from_bytes
from stratlint.load.artifact import LoadedArtifact
from stratlint.load.loader import StrategySources
from stratlint.load.strategy import relative_path, repository_root
from stratlint.vcs.git import GitError, has_revision, read_blob, resolve_revision, revision_sources, staged_paths


def lint_revision(settings: Settings, revision: str, *, reuse: Sequence[LoadedArtifact] = ()) -> Result:
    """The strategy under ``settings.root`` as it is at a git ``revision``, read through git:
    nothing is checked out and the working tree is not touched. Files whose content is the
    same as in ``reuse`` (the working tree's artifacts) are not parsed again."""
    repo_root = repository_root(settings.root, settings.repo_root)
    root_path = relative_path(settings.root.resolve(), repo_root)
    try:
        commit = resolve_revision(repo_root, revision)
        if root_path == ".." or root_path.startswith("../"):
            raise GitError(f"cannot compare with '{revision}': {settings.root} is outside the git repository.")
        sources = revision_sources(repo_root, commit, root_path, max_bytes=settings.max_file_size, reuse=reuse)
        lock_bytes = read_blob(repo_root, commit, lock_path(root_path))
    except GitError as error:
        raise StratlintError(str(error)) from None
    # The lock as it was at the revision, so a reference suspect then is not new now.
    lock = lock_from_bytes(lock_bytes, lock_path(root_path)) if lock_bytes is not None else None
    strategy = StrategySources(repo_root, root_path, tuple(sources))
    return lint_sources(strategy, settings, lock or Lock(path=lock_path(root_path), present=False))


def compare(current: Result, base: Result) -> Result:
    """``current`` with only the findings that ``base`` does not have, and ``base``'s summary.

    Findings are matched by fingerprint, which leaves out lines and columns, so a finding
    that only moved is not new. They are compared as multisets: when the base has one
    finding and the current run two identical ones, one of them is new. The summary's
    counts then count the new findings, so the exit status depends on them alone."""
    new = [diagnostic for diagnostic, is_new in newness(current.diagnostics, base.diagnostics) if is_new]
    summary = replace(current.summary, counts=count_severities(new))
    return replace(current, diagnostics=tuple(new), summary=summary, base_summary=base.summary)


def newness(current: Sequence[Diagnostic], base: Sequence[Diagnostic]) -> list[tuple[Diagnostic, bool]]:
    """Each finding of ``current``, and whether it is new: not matched, by fingerprint, to a
    finding of ``base`` that no earlier finding has matched (a multiset comparison)."""
    known = Counter(diagnostic.fingerprint for diagnostic in base)
    return [(diagnostic, not matched) for diagnostic, matched in mark_known(current, known)]


def attribute(current: Result, base: Result, changed: Collection[str], *, since: str = "the last commit") -> Result:
    """Explain findings that appear outside the changed files: every finding that is new since
    ``base`` and lies in a file not among ``changed`` (paths relative to the repository root)
    gets a note naming the changed files it follows from. Fingerprints do not change."""
    changed = set(changed)
    base_texts = {artifact.path: artifact.text for artifact in base.graph.loaded}
    current_texts = {artifact.path: artifact.text for artifact in current.graph.loaded}
    causes = sorted(
        path
        for path in changed
        if path in base_texts or path in current_texts
        if base_texts.get(path) != current_texts.get(path)
    )
    noted = []
    for diagnostic, is_new in newness(current.diagnostics, base.diagnostics):
        if is_new and diagnostic.path not in changed:
            note = _cause_note(causes, since, in_file=diagnostic.path in current_texts)
            diagnostic = replace(diagnostic, message=f"{diagnostic.message} {note}")
        noted.append(diagnostic)
    return replace(current, diagnostics=tuple(noted))


def _cause_note(causes: Sequence[str], since: str, *, in_file: bool) -> str:
    where = "in a file you did not change; " if in_file else ""
    if not causes:
        return f"({where}it is new since {since})"
    if len(causes) == 1:
        return f"({where}it follows from your change to {causes[0]})"
    shown = ", ".join(causes[:3])
    more = f" and {len(causes) - 3} more" if len(causes) > 3 else ""
    return f"({where}it follows from your changes to {shown}{more})"


def _changed_paths(changed_files: Sequence[Path], repo_root: Path) -> set[str]:
    return {relative_path(Path(os.path.realpath(path.parent)) / path.name, repo_root) for path in changed_files}


def staged_files(settings: Settings) -> tuple[Path, ...]:
    """The files ``git commit`` would commit, from git's index: what the pre-commit hook
    checks against, however many they are (pre-commit splits a long list of file names into
    several runs; the index is one list)."""
    repo_root = repository_root(settings.root, settings.repo_root)
    try:
        return tuple(repo_root / path for path in staged_paths(repo_root))
    except GitError as error:
        raise StratlintError(f"--staged reads git's index: {error}") from None


def check_changes(
    settings: Settings, *, diff_base: str | None = None, changed_files: Sequence[Path] = (), staged: bool = False
) -> Result:
    """``check``: lint the whole strategy root, whichever files were named.

    With ``diff_base``, report only the findings that are new since that revision. With
    ``changed_files`` (as a pre-commit hook passes them), or with ``staged`` (the files git's
    index holds changed), findings that are new since the base -- or since HEAD -- and lie
    in other files are attributed to the changed files."""
    if staged:
        changed_files = (*changed_files, *staged_files(settings))
    if diff_base is None:
        # Without a base to compare against, the last run's snapshot can stand for the
        # files an edit cannot affect (an incremental run). A pre-commit run names the
        # changed files; only findings in other files ever need the last commit's
        # findings, to say which change they follow from, and most runs have none.
        current = lint(settings, incremental=True)
        if not changed_files:
            return current
        changed = _changed_paths(changed_files, current.repo_root)
        if all(diagnostic.path in changed for diagnostic in current.diagnostics):
            return current
        if not has_revision(current.repo_root, "HEAD"):
            return current
        current = lint(settings)
        try:
            base = lint_revision(settings, "HEAD", reuse=current.graph.loaded)
        except StratlintError:
            return current  # the note is a help; the run itself does not depend on it
        return attribute(current, base, changed, since="the last commit")
    current = lint(settings)
    base = lint_revision(settings, diff_base, reuse=current.graph.loaded)
    if changed_files:
        current = attribute(current, base, _changed_paths(changed_files, current.repo_root), since=f"'{diff_base}'")
    return compare(current, base)
