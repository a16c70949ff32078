"""Formatting files: which to format, and what became of each.

A strategy file (a YAML mapping whose ``kind:`` is one of stratlint's kinds) is formatted.
Any other YAML file is left as it is, and so is a file that stratlint cannot read: the
outcome says why and where. Only a file whose text changes is written, atomically
(``stratlint.fileio.atomic_write``), keeping its permissions.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from stratlint.fileio import atomic_write
from stratlint.format.formatter import NotFormatted, format_text
from stratlint.load.artifact import load_bytes
from stratlint.load.discover import discover
from stratlint.load.read import read_bounded
from stratlint.model import KINDS
from stratlint.paths import leads_outside
from stratlint.problems import LoadProblem, ProblemKind


class Status(enum.Enum):
    CHANGED = "changed"
    """Formatted, and its text changed (written, unless only checked)."""
    UNCHANGED = "unchanged"
    """Already formatted."""
    NOT_STRATEGY = "not a strategy file"
    """YAML that is not a strategy file: left as it is, and not a failure."""
    FAILED = "not formatted"
    """A file that should have been formatted and was not: it does not read, or formatting
    it would have changed what it says, or it could not be written."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one file."""

    path: Path
    shown: str
    """The path as reports show it: relative to the repository root, with forward slashes."""
    status: Status
    before: str = ""
    after: str = ""
    line: int = 1
    column: int = 1
    reason: str = ""

    def diagnostic(self) -> str:
        """One line, ``file:line:column: ...``, for a file left as it is."""
        return f"{self.shown}:{self.line}:{self.column}: {self.status.value}: {self.reason}"


_NOT_STRATEGY = frozenset({ProblemKind.NOT_AN_ARTIFACT, ProblemKind.UNKNOWN_KIND})


def format_file(path: Path, shown: str, *, write: bool, max_bytes: int, boundary: Path | None = None) -> Outcome:
    """Format the file at ``path``, and write it back when its text changes and ``write``.
    A path inside ``boundary`` (the repository) that leads out of it through a link is
    neither read nor written."""
    escape = leads_outside(path, boundary) if boundary is not None else None
    if escape is not None and escape.through_link:
        return Outcome(
            path, shown, Status.FAILED, reason="it leads through a link outside the repository; it is not read"
        )
    raw = read_bounded(str(path), max_bytes)
    if isinstance(raw, LoadProblem):
        return _failed(path, shown, raw)
    artifact = load_bytes(raw, shown, validate=False)
    if artifact.problems:
        first = artifact.problems[0]
        if artifact.kind is None and all(problem.kind in _NOT_STRATEGY for problem in artifact.problems):
            return Outcome(path, shown, Status.NOT_STRATEGY, line=first.line, column=first.column, reason=first.message)
        return _failed(path, shown, first)
    assert artifact.kind is not None
    text = artifact.text
    try:
        formatted = format_text(text, model=KINDS[artifact.kind])
    except NotFormatted as error:
        return Outcome(path, shown, Status.FAILED, text, line=error.line, column=error.column, reason=error.message)
    if formatted == text:
        return Outcome(path, shown, Status.UNCHANGED, text, formatted)
    if write:
        try:
            atomic_write(path, formatted)
        except OSError as error:
            return Outcome(
                path, shown, Status.FAILED, text, formatted, reason=f"it cannot be written: {error.strerror or error}"
            )
    return Outcome(path, shown, Status.CHANGED, text, formatted)


def _failed(path: Path, shown: str, problem: LoadProblem) -> Outcome:
    return Outcome(path, shown, Status.FAILED, line=problem.line, column=problem.column, reason=problem.message)


def files_under(paths: Iterable[Path], repo_root: Path) -> list[tuple[Path, str, str]]:
    """The files to format: each named file, and every YAML file under each named folder
    (as ``stratlint check`` finds them: no dot-folders, nothing git ignores), each once, as
    (path, path shown, why it is not read: '' for a file to read)."""
    found: list[tuple[Path, str, str]] = []
    seen: set[str] = set()
    for path in paths:
        if path.is_dir():
            listed, skipped = discover(path, repo_root)
            found.extend((repo_root / skip.relpath, skip.relpath, f"it is not read: {skip.reason}") for skip in skipped)
            files = [(Path(name), shown) for name, shown in listed]
        else:
            files = [(path, _shown(path, repo_root))]
        for name, shown in files:
            key = os.path.realpath(name)
            if key not in seen:
                seen.add(key)
                found.append((name, shown, ""))
    return found


def _shown(path: Path, repo_root: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(repo_root).as_posix()
    except ValueError:
        return Path(os.path.relpath(absolute, repo_root)).as_posix()
