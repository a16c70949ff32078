"""Real git repositories in temporary folders, isolated from the user's git configuration."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import STRATEGY

GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Strategy Team",
    "GIT_AUTHOR_EMAIL": "strategy@example.com",
    "GIT_COMMITTER_NAME": "Strategy Team",
    "GIT_COMMITTER_EMAIL": "strategy@example.com",
    "GIT_TERMINAL_PROMPT": "0",
}


def git_env() -> dict[str, str]:
    return {**os.environ, **GIT_ENV}


def git(cwd: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", *args], cwd=cwd, env=git_env(), capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, f"git {' '.join(args)}: {completed.stderr}"
    return completed.stdout


def new_repository(path: Path, *, with_strategy: bool = True) -> Path:
    """A git repository at ``path`` on branch main, holding a copy of the bundled strategy."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    if with_strategy:
        shutil.copytree(STRATEGY, path / "strategy")
    return path


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def replace_in(path: Path, old: str, new: str, *, count: int = 1) -> None:
    """Replace ``old`` (which must be there) in a file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in {path}")


def pre_commit(*args: str, cwd: Path, home: Path, path: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real pre-commit with its own home. ``path`` is the PATH its hooks see; by
    default this interpreter's folder first, so a `language: system` hook finds this tree's
    stratlint."""
    if path is None:
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = {**git_env(), "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", "PATH": path}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
