"""Small strategy trees in temporary git repositories, for configuration, suppression and
baseline tests. They start from the clean base of the rule fixtures, so every finding in a
test is one it plants."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from stratlint.analysis.check import lint
from stratlint.analysis.settings import Settings
from stratlint.drift.lockfile import LOCK_FILENAME, render_lock
from stratlint.drift.review import update_lock

from conftest import PROJECT

BASE = PROJECT / "tests" / "fixtures" / "rules" / "_base"


def make_repo(tmp_path: Path) -> tuple[Path, Path]:
    """A git repository holding the clean base strategy under strategy/: (repo, strategy)."""
    repo = tmp_path / "repo"
    strategy = repo / "strategy"
    shutil.copytree(BASE, strategy)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    stamp(strategy, repo)
    return repo, strategy


def stamp(strategy: Path, repo: Path) -> None:
    """Write the lock ``stratlint lock`` would write for the tree, as a repository that commits
    its lock (the stratlint-lock hook) has it; without one, every run also reports SL605."""
    result = lint(Settings(root=strategy, repo_root=repo, cache=False))
    update = update_lock(result.graph, result.lock)
    if update.edges:
        (strategy / LOCK_FILENAME).write_text(render_lock(update.edges, update.snapshots), encoding="utf-8")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def plant_dangling_priority(strategy: Path) -> int:
    """Make the message cite a priority that does not exist (SL201); return its line."""
    messaging = strategy / "marketing" / "messaging.yaml"
    edit(messaging, "    priority: prio-mid-market\n", "    priority: prio-nope\n")
    return line_of(messaging, "prio-nope")


def plant_orphan_differentiator(strategy: Path) -> int:
    """Leave a differentiator that nothing references (SL304, a warning); return its line."""
    edit(strategy / "product" / "roadmap.yaml", "value: [diff-continuous-reconciliation]", "value: [why-close-in-days]")
    stamp(strategy, strategy.parent)
    return line_of(strategy / "value.yaml", "id: diff-continuous-reconciliation")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")
