"""Finding strategy files under a root, safely."""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from stratlint import gitrun

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class SkippedPath:
    """A path under the root that looks like a strategy file but is not read, and why."""

    relpath: str
    reason: str


def find_repository_root(start: Path) -> Path | None:
    """The enclosing git work tree's top level, or None when there is none."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def discover(root: Path, repo_root: Path) -> tuple[list[tuple[str, str]], list[SkippedPath]]:
    """Every YAML file under ``root`` that is safe to open, as (path, path relative to
    ``repo_root`` with forward slashes), in load order (sorted by folder, then name).

    Symlinks are followed only when they stay inside the repository; loops, FIFOs,
    sockets and devices are never opened; files git ignores are left out. Paths are plain
    strings: a Path object per file costs more than the rest of discovery.
    """
    root = root.resolve()
    repo_root = repo_root.resolve()
    repo_text = str(repo_root)
    files: list[str] = []
    skipped: list[SkippedPath] = []
    visited: set[tuple[int, int]] = set()
    seen_files: set[str] = set()
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in visited:
                continue
            visited.add((info.st_dev, info.st_ino))
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            skipped.append(SkippedPath(_rel(folder, repo_text), "the folder cannot be read"))
            continue
        for entry in entries:
            if entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
                continue  # .git, .venv, caches
            path = entry.path
            target_of_link: str | None = None
            is_yaml = entry.name.endswith(YAML_SUFFIXES)
            if entry.is_symlink():
                try:
                    target = Path(path).resolve(strict=True)
                except (OSError, RuntimeError):
                    if is_yaml:
                        skipped.append(SkippedPath(_rel(path, repo_text), "it is a broken or looping link"))
                    continue
                if not target.is_relative_to(repo_root):
                    if is_yaml:
                        skipped.append(
                            SkippedPath(_rel(path, repo_text), "it is a link that points outside the repository")
                        )
                    continue
                # Read a link inside the repository as the file it points to, under that
                # file's own name, so a file reached twice is loaded once.
                path = target_of_link = str(target)
            if not _utf8(entry.name if target_of_link is None else _rel(path, repo_text)):
                # Reported, not read: a name that is not UTF-8 cannot be printed or put in JSON.
                if entry.is_dir():
                    reason = "it is a folder whose name is not valid UTF-8, so nothing in it is read; rename it"
                    skipped.append(SkippedPath(_shown(_rel(path, repo_text)), reason))
                elif is_yaml:
                    skipped.append(SkippedPath(_shown(_rel(path, repo_text)), "its name is not valid UTF-8; rename it"))
                continue
            if path is not target_of_link:
                # Not a link: the folder listing already says what the entry is, no stat needed.
                is_folder, is_regular = entry.is_dir(follow_symlinks=False), entry.is_file(follow_symlinks=False)
            else:
                try:
                    mode = os.stat(path).st_mode
                except OSError:
                    if is_yaml:
                        skipped.append(SkippedPath(_rel(path, repo_text), "it cannot be read"))
                    continue
                is_folder, is_regular = stat.S_ISDIR(mode), stat.S_ISREG(mode)
            if is_folder:
                stack.append(path)
            elif is_yaml and is_regular:
                if path not in seen_files:
                    seen_files.add(path)
                    files.append(path)
            elif is_yaml:
                skipped.append(SkippedPath(_rel(path, repo_text), "it is not a regular file"))
    found = [(path, _rel(path, repo_text)) for path in files]
    found = _drop_git_ignored(found, repo_root, str(root))
    # The order of sorted Path objects: part by part, so 'a/b' comes before 'a-c'.
    found.sort(key=lambda item: item[0].split(os.sep))
    return found, skipped


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes, kept by Python as lone surrogates
        return False
    return True


def _shown(name: str) -> str:
    """A name with undecodable bytes, printable: each such byte as \\xNN."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def dot_folders(root: Path, repo_root: Path) -> list[str]:
    """The folders under ``root`` whose names start with '.', which discovery never enters
    (``.git``, ``.venv``, caches, drafts kept out of the strategy), relative to ``repo_root``."""
    found: list[str] = []
    repo_text = str(repo_root.resolve())
    for folder, names, _ in os.walk(root.resolve()):
        for name in sorted(names):
            if name.startswith("."):
                found.append(_rel(os.path.join(folder, name), repo_text))
        names[:] = [name for name in names if not name.startswith(".")]
    return sorted(found)


def _rel(path: str, repo_root: str) -> str:
    prefix = repo_root.rstrip(os.sep) + os.sep
    if path.startswith(prefix):
        return path[len(prefix) :].replace(os.sep, "/")
    return os.path.relpath(path, repo_root).replace(os.sep, "/")


_OUTSIDE_ROOT_PATHS = 64
"""Files found through links, outside the root, named one by one to git; past that many,
the whole repository is listed instead."""


def _drop_git_ignored(files: list[tuple[str, str]], repo_root: Path, root: str) -> list[tuple[str, str]]:
    """``files`` less those git ignores. One ``git ls-files`` lists what git tracks or would
    add (tracked files, and untracked files no ignore rule matches); a file it does not list
    is ignored. That costs one walk of the index and the folders, whatever the number of
    files. Without git, outside a repository, or when git fails, nothing is ignored; nor is
    a file outside ``repo_root``, which git cannot judge."""
    if not files or not (repo_root / ".git").exists():
        return files
    inside = [rel for _, rel in files if not rel.startswith("../")]
    if not inside:
        return files
    pathspecs = _pathspecs(_rel(root, str(repo_root)), inside)
    try:
        completed = gitrun.run(
            repo_root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *pathspecs, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return files
    if completed.returncode != 0:
        return files
    listed = set(completed.stdout.decode("utf-8", "surrogateescape").split("\0"))
    listed.discard("")
    unlisted = [rel for rel in inside if rel not in listed]
    if not unlisted:
        return files
    folded = {name.casefold() for name in listed}
    ignored = {rel for rel in unlisted if not _listed_otherwise(rel, listed, folded)}
    return [item for item in files if item[1] not in ignored]


def _pathspecs(root_rel: str, inside: list[str]) -> list[str]:
    """What to list: the root, and each file found through a link outside it, by name; the
    whole repository (no pathspec) when the root is its top or there are too many names."""
    if root_rel == ".":
        return []
    under_root = not root_rel.startswith("../")
    named = sorted({rel for rel in inside if not (under_root and rel.startswith(root_rel + "/"))})
    if len(named) > _OUTSIDE_ROOT_PATHS:
        return []
    return [root_rel, *named] if under_root else named


def _listed_otherwise(relpath: str, listed: set[str], folded: set[str]) -> bool:
    """A file git did not list by its name that is not ignored all the same: inside a
    submodule or a nested repository (git lists the folder: 'sub', or 'sub/' when it is
    untracked), or named in another case than git's on a file system that ignores case
    (``folded`` holds the listed names case-folded)."""
    parts = relpath.split("/")
    for end in range(len(parts) - 1, 0, -1):
        folder = "/".join(parts[:end])
        if folder in listed or folder + "/" in listed:
            return True
    return relpath.casefold() in folded
