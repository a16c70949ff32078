"""Reading the strategy as it is at a git revision, without touching the working tree.

``git ls-tree`` lists the files under the strategy root at the revision and one
``git cat-file --batch`` process streams their contents, as sources for the same loader the
working tree uses. Nothing is checked out and nothing is written.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import subprocess
import threading
import time
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import IO

from stratlint import gitrun
from stratlint.load.artifact import LoadedArtifact
from stratlint.load.discover import YAML_SUFFIXES
from stratlint.load.loader import Source
from stratlint.load.read import DEFAULT_MAX_BYTES, too_large
from stratlint.problems import LoadProblem, ProblemKind

_TIMEOUT = gitrun.TIMEOUT
_SHA = re.compile(r"[0-9a-fA-F]{7,64}")


class GitError(Exception):
    """A revision that cannot be read: the message is one line, for the user."""


def run_git(
    repo_root: Path,
    *args: str,
    input_data: bytes | None = None,
    reads: str = "comparing with a revision reads it through git",
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git <args>`` in ``repo_root`` (stratlint.gitrun); GitError, one line for the
    user, when git is not installed or cannot be run. ``reads`` ends the message about a
    missing git: what the command needs it for."""
    try:
        return gitrun.run(repo_root, *args, input_data=input_data, timeout=_TIMEOUT)
    except FileNotFoundError:
        raise GitError(f"git is not installed (or not on PATH); {reads}.") from None
    except (OSError, subprocess.SubprocessError) as error:
        raise GitError(f"git could not be run: {error}") from None


def read_blob(repo_root: Path, commit: str, path: str) -> bytes | None:
    """The bytes of ``path`` (relative to the repository root) at ``commit``; None when absent."""
    completed = run_git(repo_root, "cat-file", "blob", f"{commit}:{path}")
    return completed.stdout if completed.returncode == 0 else None


def stage(repo_root: Path, path: str) -> None:
    """Add ``path`` (relative to the repository root) to git's index, as the lock hook does
    with the lock it wrote, so the commit it runs for carries the new stamps.

    Not ``git add``: that runs whatever clean filter the repository's attributes and
    configuration name for the path. The file's bytes are stored as they are (stratlint
    wrote them) and the index entry is set to them."""
    stored = run_git(repo_root, "hash-object", "-w", "--no-filters", "--", path)
    if stored.returncode != 0:
        raise GitError(f"cannot stage {path}: {_first_line(stored.stderr)}")
    blob = stored.stdout.decode().strip()
    try:
        executable = bool(os.stat(repo_root / path).st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH))
    except OSError as error:
        raise GitError(f"cannot stage {path}: {error.strerror or error}") from None
    mode = "100755" if executable else "100644"
    completed = run_git(repo_root, "update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}")
    if completed.returncode != 0:
        raise GitError(f"cannot stage {path}: {_first_line(completed.stderr)}")


def hidden_paths(repo_root: Path, root_path: str) -> list[str]:
    """The strategy files under ``root_path`` (relative to the repository root) that git's
    index holds but this checkout leaves out of the working tree (skip-worktree entries: a
    sparse checkout). Empty without git or outside a repository."""
    try:
        completed = run_git(repo_root, "ls-files", "-z", "-t", "--", root_path or ".")
    except GitError:
        return []
    if completed.returncode != 0:
        return []
    hidden = []
    for record in completed.stdout.split(b"\0"):
        tag, _, raw_path = record.partition(b" ")
        path = raw_path.decode("utf-8", errors="surrogateescape")
        if tag == b"S" and _is_strategy_file(path, root_path):
            hidden.append(path)
    return hidden


def staged_paths(repo_root: Path) -> list[str]:
    """The paths, relative to ``repo_root``, that ``git commit`` would commit: those whose
    content in git's index differs from HEAD (before the first commit, every path in the
    index). A deleted file is among them; a rename is its old and its new path."""
    if has_revision(repo_root, "HEAD"):
        completed = run_git(repo_root, "diff-index", "--cached", "--name-only", "-z", "--relative", "HEAD", "--")
    else:
        completed = run_git(repo_root, "ls-files", "-z", "--cached")
    if completed.returncode != 0:
        raise GitError(f"cannot read git's index: {_first_line(completed.stderr)}")
    return [raw.decode("utf-8", errors="surrogateescape") for raw in completed.stdout.split(b"\0") if raw]


def has_revision(repo_root: Path, revision: str) -> bool:
    """True when ``revision`` names a commit here (False outside a git repository)."""
    try:
        return run_git(repo_root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").returncode == 0
    except GitError:
        return False


def resolve_revision(repo_root: Path, revision: str) -> str:
    """The commit id that ``revision`` names; GitError telling how to fetch it when it is missing."""
    if not revision or revision.startswith("-") or any(ch in revision for ch in "\0\n\r"):
        raise GitError(f"'{revision}' is not a git revision; pass a branch, tag or commit, e.g. --diff origin/main.")
    inside = run_git(repo_root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        raise GitError(
            f"cannot compare with '{revision}': {repo_root} is not inside a git repository. "
            "Run stratlint in a clone of the repository that holds the strategy."
        )
    found = run_git(repo_root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    if found.returncode != 0:
        raise GitError(f"cannot find '{revision}' in this repository; {_fetch_hint(repo_root, revision)}")
    return found.stdout.decode().strip()


def _fetch_hint(repo_root: Path, revision: str, *, depth: int = 1, suffix: str = "") -> str:
    """How to get ``revision`` (``suffix``, when given, is the ``~N`` that followed it and
    ``depth`` the history it needs): always a command git accepts, or advice to check the name."""
    remotes = run_git(repo_root, "remote").stdout.decode(errors="replace").split()
    fetch_from = "origin" if "origin" in remotes else (remotes[0] if remotes else "")
    ancestry = _ANCESTRY.fullmatch(revision)
    if ancestry and not suffix:
        return _history_hint(repo_root, ancestry["base"] or "HEAD", _generations(ancestry["steps"]), fetch_from)
    remote, _, branch = revision.partition("/")
    if remote in remotes and branch and _is_branch_name(repo_root, branch):
        tracking = f"refs/remotes/{remote}/{branch}"
        # A clone made with --depth or --single-branch maps only its own branch; there a
        # plain `git fetch origin main` leaves origin/main unset, so name the target ref.
        refspec = branch if _fetch_maps(repo_root, remote, branch, tracking) else f"{branch}:{tracking}"
        return f"in CI fetch it first: git fetch --depth={depth} {remote} {refspec}"
    if not fetch_from:
        return "check the name (git branch -a lists the branches there are)."
    if _SHA.fullmatch(revision):
        if len(revision) in (40, 64):
            return f"in CI fetch it first: git fetch --depth={depth} {fetch_from} {revision}"
        return f"if it is a commit, fetch it by its full id: git fetch --depth={depth} {fetch_from} <full commit id>"
    if not _is_branch_name(repo_root, revision):
        return "check the name (git branch -a lists the branches there are)."
    return (
        f"check the name, or fetch the branch first, e.g. git fetch --depth={depth} {fetch_from} "
        f"{revision}:refs/remotes/{fetch_from}/{revision}, then pass --diff {fetch_from}/{revision}{suffix}."
    )


_ANCESTRY = re.compile(r"(?P<base>[^~^]*)(?P<steps>(?:[~^][0-9]*)+)")
"""A revision counted back from another: HEAD~1, main^, origin/main~2^2."""


def _generations(steps: str) -> int:
    """How many commits back ``~N`` and ``^N`` steps go: what a shallow clone must fetch."""
    count = 0
    for kind, number in re.findall(r"([~^])([0-9]*)", steps):
        if kind == "~":
            count += int(number) if number else 1
        elif number != "0":
            count += 1
    return max(count, 1)


def _history_hint(repo_root: Path, base: str, generations: int, fetch_from: str) -> str:
    """For ``<base>~N`` that is not there: the history before ``base`` is missing (a shallow
    clone) or shorter than N, or ``base`` itself is missing."""
    if not has_revision(repo_root, base):
        steps = f"~{generations}"
        return _fetch_hint(repo_root, base, depth=generations + 1, suffix=steps)
    shallow = run_git(repo_root, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true"
    if not shallow:
        return f"the history of '{base}' here has fewer commits than that; check the name."
    if not fetch_from:
        return "this clone is shallow (made with --depth) and has no remote to fetch the rest of its history from."
    return (
        f"this clone is shallow (made with --depth) and lacks the commits before '{base}' "
        f"(git fetch --unshallow {fetch_from} would fetch all of them); "
        f"fetch it first: git fetch --deepen={generations} {fetch_from}"
    )


def _is_branch_name(repo_root: Path, name: str) -> bool:
    """Whether git accepts ``name`` as a branch name (so a refspec made of it is valid)."""
    return run_git(repo_root, "check-ref-format", f"refs/heads/{name}").returncode == 0


def _fetch_maps(repo_root: Path, remote: str, branch: str, tracking: str) -> bool:
    """Whether ``git fetch <remote> <branch>`` updates ``tracking`` by the remote's configured refspecs."""
    configured = run_git(repo_root, "config", "--get-all", f"remote.{remote}.fetch").stdout.decode(errors="replace")
    wanted = f"refs/heads/{branch}"
    for refspec in configured.split():
        source, _, destination = refspec.lstrip("+").partition(":")
        if source == wanted and destination == tracking:
            return True
        is_glob = source.endswith("/*") and destination.endswith("/*")
        if is_glob and wanted.startswith(source[:-1]) and destination[:-1] + wanted[len(source) - 1 :] == tracking:
            return True
    return False


def tree_blobs(repo_root: Path, commit: str, root_path: str) -> dict[str, str]:
    """Strategy file path (relative to the repository root) -> blob id, at ``commit``."""
    listing = run_git(repo_root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", root_path)
    if listing.returncode != 0:
        raise GitError(f"cannot list the files of {commit[:12]}: {_first_line(listing.stderr)}")
    blobs = {}
    for record in listing.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, object_type, blob = meta.decode().split(" ", 2)
        path = raw_path.decode("utf-8", errors="surrogateescape")
        if object_type == "blob" and mode in {"100644", "100755", "120000"} and _is_strategy_file(path, root_path):
            blobs[path] = blob
    return blobs


def working_blobs(repo_root: Path, paths: Iterable[str]) -> dict[str, str]:
    """The blob id of each working-tree file's bytes (``git hash-object``). No filter the
    repository configures is run, so a file git would convert when adding it (line endings,
    a clean filter) gets another id and is read from the revision instead."""
    present = [path for path in paths if "\n" not in path and (repo_root / path).is_file()]
    if not present:
        return {}
    completed = run_git(
        repo_root,
        "hash-object",
        "--no-filters",
        "--stdin-paths",
        input_data="".join(p + "\n" for p in present).encode(),
    )
    if completed.returncode != 0:
        return {}  # only an optimisation is lost: every file is then read from the revision
    return dict(zip(present, completed.stdout.decode().split(), strict=True))


def revision_sources(
    repo_root: Path,
    commit: str,
    root_path: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    reuse: Iterable[LoadedArtifact] = (),
) -> list[Source]:
    """Every strategy file under ``root_path`` (relative to the repository root) as it is at
    ``commit``, as sources to load like the working tree's files. Folders starting with a
    dot are left out, as in the working tree; links are followed within the revision's tree.

    ``reuse`` holds artifacts already loaded from the working tree with the same settings:
    a file whose content is the same at ``commit`` is taken from there instead of being
    parsed again, so only what differs is read through git."""
    blobs = tree_blobs(repo_root, commit, root_path)
    loaded_now = {item.path: item for item in reuse}
    current = working_blobs(repo_root, [path for path in blobs if path in loaded_now])
    same = [Source(path, None, b"", loaded_now[path]) for path, blob in blobs.items() if current.get(path) == blob]
    fresh = read_blobs(repo_root, commit, sorted(set(blobs) - {source.path for source in same}), max_bytes)
    return sorted([*same, *fresh], key=lambda source: source.path)


def _is_strategy_file(path: str, root_path: str) -> bool:
    if not path.endswith(YAML_SUFFIXES):
        return False
    relative = PurePosixPath(path)
    if root_path not in ("", "."):
        relative = relative.relative_to(root_path) if relative.is_relative_to(root_path) else relative
    return not any(part.startswith(".") for part in relative.parts[:-1])


def read_blobs(repo_root: Path, commit: str, paths: list[str], max_bytes: int) -> list[Source]:
    """The files at ``paths`` as ``commit`` holds them, read by one ``git cat-file --batch``;
    a file past ``max_bytes`` comes with the problem that says so instead of its bytes."""
    if not paths:
        return []
    loaded: list[Source] = []
    try:
        process = gitrun.start(repo_root, "cat-file", "--batch", "--follow-symlinks")
    except OSError as error:
        raise GitError(f"git could not be run: {error}") from None
    assert process.stdin is not None and process.stdout is not None
    watchdog = Watchdog(process, _TIMEOUT)
    try:
        for path in paths:
            if "\n" in path:
                loaded.append(_unreadable(path, "its name holds a line break"))
                continue
            process.stdin.write(f"{commit}:{path}\n".encode("utf-8", errors="surrogateescape"))
            process.stdin.flush()
            loaded.append(_read_one(process.stdout, path, max_bytes))
            watchdog.progress()
    except (OSError, ValueError) as error:
        raise GitError(f"cannot read the files of {commit[:12]}: {error}") from None
    finally:
        watchdog.stop()
        with contextlib.suppress(OSError):
            process.stdin.close()
        process.stdout.close()
        try:
            process.wait(timeout=_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return loaded


class Watchdog:
    """Stops a git process that has answered nothing for ``limit`` seconds, so a read that
    blocks on it fails instead of waiting for ever. However long the whole batch takes,
    a git that keeps answering is left alone."""

    def __init__(self, process: subprocess.Popen[bytes], limit: float) -> None:
        self._process = process
        self._limit = limit
        self._last = time.monotonic()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="stratlint-git-watchdog", daemon=True)
        self._thread.start()

    def progress(self) -> None:
        self._last = time.monotonic()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stopped.wait(min(self._limit, 1.0)):
            if time.monotonic() - self._last > self._limit:
                with contextlib.suppress(OSError):
                    self._process.kill()
                return


def _read_one(out: IO[bytes], path: str, max_bytes: int) -> Source:
    header = out.readline().decode(errors="replace").split()
    if not header:
        raise ValueError("git stopped answering")
    if len(header) == 3 and header[1] == "blob":
        size = int(header[2])
        if size > max_bytes:
            _skip(out, size + 1)
            return Source.of_artifact(LoadedArtifact(path, problems=[too_large(max_bytes)]))
        data = read_exactly(out, size)
        out.read(1)  # the newline after the contents
        return Source.of_bytes(path, data)
    if header[0] == "missing":
        return _unreadable(path, "it cannot be found in the revision")
    # symlink / dangling / loop / notdir: a size line, then the target or the name. The
    # reasons are worded as for the working tree, so an unchanged link is not a new finding.
    _skip(out, int(header[-1]) + 1)
    if header[0] == "symlink":
        return _unreadable(path, "it is a link that points outside the repository")
    return _unreadable(path, "it is a broken or looping link")


def read_exactly(out: IO[bytes], size: int) -> bytes:
    """``size`` bytes from a git process's output; ValueError when it ends first."""
    chunks, remaining = [], size
    while remaining:
        chunk = out.read(remaining)
        if not chunk:
            raise ValueError("git's answer ended early")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _skip(out: IO[bytes], size: int) -> None:
    remaining = size
    while remaining:
        chunk = out.read(min(remaining, 1 << 20))
        if not chunk:
            return
        remaining -= len(chunk)


def _unreadable(path: str, reason: str) -> Source:
    problem = LoadProblem(ProblemKind.UNREADABLE_FILE, f"This file is not read: {reason}.", 1, 1, subject=reason)
    return Source.of_artifact(LoadedArtifact(path, problems=[problem]))


def _first_line(data: bytes) -> str:
    text = data.decode(errors="replace").strip()
    return text.splitlines()[0] if text else "git failed"
