"""Real git repositories in temporary folders, holding a small strategy, for drift tests."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from conftest import PROJECT, invoke

DRIFT_STRATEGY = PROJECT / "tests" / "fixtures" / "drift" / "strategy"
CLAIM_LINE = "statement: Customers close their books in three days."
REWORDED_LINE = "statement: Customers close their books in five days."


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=check,
        timeout=60,
    )


def make_repo(tmp_path: Path) -> Path:
    """A git repository with the drift strategy under strategy/, one commit, no lock yet."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    shutil.copytree(DRIFT_STRATEGY, repo / "strategy")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "strategy")
    return repo


def make_locked_repo(tmp_path: Path) -> Path:
    """``make_repo``, then 'stratlint lock' run and the lock committed: every reference stamped."""
    repo = make_repo(tmp_path)
    assert invoke("lock", "strategy", cwd=repo).exit_code == 0
    commit_all(repo, "lock")
    return repo


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def artifact_digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*.yaml"))
    }
