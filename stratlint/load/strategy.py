"""The files of a strategy root in the working tree: found safely, read within bounds."""

from __future__ import annotations

import os
from pathlib import Path

from stratlint import StratlintError
from stratlint.load.artifact import LoadedArtifact
from stratlint.load.discover import discover, find_repository_root
from stratlint.load.loader import Source, StrategySources
from stratlint.load.read import read_bounded
from stratlint.problems import LoadProblem, ProblemKind


def relative_path(path: Path, repo_root: Path) -> str:
    try:
        return path.relative_to(repo_root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, repo_root)).as_posix()


def repository_root(root: Path, repo_root: Path | None = None) -> Path:
    """The enclosing git repository of ``root`` (or ``repo_root`` when given, or the current folder)."""
    return (repo_root or find_repository_root(root) or Path.cwd()).resolve()


def read_strategy(root: Path, repo_root: Path | None, max_bytes: int) -> StrategySources:
    """Find and read every strategy file under ``root``, in load order."""
    if not root.exists():
        raise StratlintError(f"{root}: no such folder. Pass the folder that holds the strategy files.")
    if not root.is_dir():
        raise StratlintError(f"{root}: not a folder. Pass the folder that holds the strategy files.")
    if not os.access(root, os.R_OK | os.X_OK):
        raise StratlintError(f"{root}: the folder cannot be read.")
    # Paths are reported relative to the enclosing git repository, or to the current folder.
    repo = repository_root(root, repo_root)
    files, skipped = discover(root, repo)
    sources: list[Source] = []
    for name, relpath in files:
        raw = read_bounded(name, max_bytes)
        if isinstance(raw, LoadProblem):
            sources.append(Source.of_artifact(LoadedArtifact(relpath, problems=[raw])))
        else:
            sources.append(Source.of_bytes(relpath, raw))
    for skip in skipped:
        problem = LoadProblem(
            ProblemKind.UNREADABLE_FILE, f"This file is not read: {skip.reason}.", 1, 1, subject=skip.reason
        )
        sources.append(Source.of_artifact(LoadedArtifact(skip.relpath, problems=[problem])))
    return StrategySources(repo, relative_path(root.resolve(), repo), tuple(sources))
