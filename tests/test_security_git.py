"""git, as stratlint runs it, in real repositories whose every file is the proposer's (in CI
on a pull request, .git/config included): nothing the repository configures runs, ignored
files are found in one listing, a sparse checkout loses no review stamps, and a shallow
clone is told how to fetch the history it lacks."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from gitrepo import git_env

from stratlint import gitrun

from conftest import invoke, run_stratlint
from drift_repo import CLAIM_LINE, DRIFT_STRATEGY, REWORDED_LINE, commit_all, edit, make_locked_repo, make_repo

BROKEN = b"stratlint: 1\nkind: roadmapp\nid: roadmap-broken\nitems: []\n"
"""A file whose only finding is SL004, so it shows whether the file was read."""


def git(repo: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", *args], cwd=repo, env=git_env(), capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, f"git {' '.join(args)}: {completed.stderr}"
    return completed.stdout


def _trap(tmp_path: Path) -> tuple[Path, Path]:
    """A program that leaves a marker file when anything runs it: (program, marker)."""
    marker = tmp_path / "ran"
    program = tmp_path / "evil.sh"
    program.write_text(f'#!/bin/sh\ntouch "{marker}"\ncat >/dev/null 2>&1\nexit 1\n', encoding="utf-8")
    program.chmod(0o755)
    return program, marker


def _assert_git_itself_runs_the_trap(repo: Path, marker: Path, *command: str) -> None:
    """The trap is real: the same git command, run on its own, runs it."""
    assert not marker.exists()
    subprocess.run(["git", *command], cwd=repo, env=git_env(), capture_output=True, timeout=60, check=False)
    assert marker.exists()


def _broken_paths(repo: Path, *args: str) -> set[str]:
    result = invoke("check", "strategy", "--format", "json", "--no-cache", *args, cwd=repo)
    assert result.exit_code in (0, 1), result.output
    return {d["path"] for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "SL004"}


# -- 1. nothing the repository configures runs ---------------------------------------------


def test_the_repositorys_fsmonitor_never_runs(tmp_path: Path) -> None:
    repo = make_locked_repo(tmp_path)
    edit(repo / "strategy" / "narrative.yaml", CLAIM_LINE, REWORDED_LINE)
    program, marker = _trap(tmp_path)
    git(repo, "config", "core.fsmonitor", str(program))

    assert invoke("check", "strategy", cwd=repo).exit_code in (0, 1)
    assert invoke("check", "strategy", "--no-cache", cwd=repo).exit_code in (0, 1)
    assert invoke("check", "strategy", "--diff", "HEAD", cwd=repo).exit_code in (0, 1)
    _assert_git_itself_runs_the_trap(repo, marker, "status")


def test_diff_text_conversion_and_filter_drivers_never_run_on_diff(tmp_path: Path) -> None:
    repo = make_locked_repo(tmp_path)
    (repo / ".gitattributes").write_text("*.yaml diff=evil filter=evil\n", encoding="utf-8")
    commit_all(repo, "attributes")
    program, marker = _trap(tmp_path)
    for setting in ("diff.evil.textconv", "diff.evil.command", "filter.evil.clean", "filter.evil.smudge"):
        git(repo, "config", setting, str(program))
    git(repo, "config", "diff.external", str(program))
    edit(repo / "strategy" / "narrative.yaml", CLAIM_LINE, REWORDED_LINE)

    result = invoke("check", "strategy", "--diff", "HEAD", "--format", "json", cwd=repo)
    assert result.exit_code in (0, 1), result.output
    _assert_git_itself_runs_the_trap(repo, marker, "diff")


def test_lock_stage_runs_no_filter_and_stages_the_lock_as_written(tmp_path: Path) -> None:
    repo = make_locked_repo(tmp_path)
    (repo / ".gitattributes").write_text("*.lock filter=evil\n", encoding="utf-8")
    commit_all(repo, "attributes")
    program, marker = _trap(tmp_path)
    git(repo, "config", "filter.evil.clean", str(program))
    git(repo, "config", "core.fsmonitor", str(program))
    edit(
        repo / "strategy" / "playbook.yaml",
        "value: [win-time-to-value]",
        "value: [win-time-to-value, diff-continuous-reconciliation]",
    )

    result = invoke("lock", "strategy", "--stage", cwd=repo)
    assert result.exit_code == 0, result.output
    assert not marker.exists()
    lock = (repo / "strategy" / "stratlint.lock").read_bytes()
    assert b"edge play-close-assessment value diff-continuous-reconciliation" in lock
    staged = subprocess.run(
        ["git", "cat-file", "blob", ":strategy/stratlint.lock"], cwd=repo, capture_output=True, timeout=60, check=True
    )
    assert staged.stdout == lock


def test_every_git_command_carries_the_safe_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_EXTERNAL_DIFF", "/bin/false")
    monkeypatch.setenv("GIT_ASKPASS", "/bin/false")
    argv = gitrun.command(tmp_path, "diff", "HEAD")
    assert argv[argv.index("diff") + 1 : argv.index("diff") + 3] == ["--no-ext-diff", "--no-textconv"]
    settings = {argv[i + 1] for i, arg in enumerate(argv) if arg == "-c"}
    assert {"core.fsmonitor=false", "core.hooksPath=/dev/null", "diff.external=", "protocol.allow=never"} <= settings
    env = gitrun.environment()
    assert "GIT_EXTERNAL_DIFF" not in env
    assert (env["GIT_ASKPASS"], env["GIT_TERMINAL_PROMPT"], env["GIT_CONFIG_NOSYSTEM"]) == ("true", "0", "1")
    # stdin is closed: a git that asked for input would read end-of-file, not wait.
    completed = gitrun.run(tmp_path, "hash-object", "--stdin")
    assert completed.returncode == 0 and completed.stdout.strip() == b"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"


# -- 2. ignored files, from one listing ------------------------------------------------------


def _repo_with_ignores(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path)
    strategy = repo / "strategy"
    (repo / ".gitignore").write_text("drafts/\n*.local.yaml\n", encoding="utf-8")
    (strategy / ".gitignore").write_text("scratch.yaml\n", encoding="utf-8")
    (repo / ".git" / "info" / "exclude").write_text("private-*.yaml\n", encoding="utf-8")
    (strategy / "drafts").mkdir()
    for name in ("drafts/wip.yaml", "mine.local.yaml", "scratch.yaml", "private-notes.yaml"):
        (strategy / name).write_bytes(BROKEN)
    (strategy / "tracked.local.yaml").write_bytes(BROKEN)
    git(repo, "add", "-f", "strategy/tracked.local.yaml")
    commit_all(repo, "ignores")
    (strategy / "untracked.yaml").write_bytes(BROKEN)
    (strategy / "new").mkdir()
    (strategy / "new" / "untracked.yaml").write_bytes(BROKEN)
    return repo


EXPECTED_READ = {"strategy/tracked.local.yaml", "strategy/untracked.yaml", "strategy/new/untracked.yaml"}
"""Tracked (even though an ignore rule matches it) or untracked and matched by none."""


def test_ignored_files_are_skipped_and_untracked_ones_are_linted(tmp_path: Path) -> None:
    repo = _repo_with_ignores(tmp_path)
    assert _broken_paths(repo) == EXPECTED_READ


def test_ignored_files_are_skipped_with_a_submodule_in_the_strategy(tmp_path: Path) -> None:
    # git check-ignore gives up on a whole batch when one path is inside a submodule; then
    # every ignored file was linted.
    repo = _repo_with_ignores(tmp_path)
    nested = repo / "strategy" / "vendor"
    nested.mkdir()
    git(nested, "init", "-q", "-b", "main")
    (nested / "vendored.yaml").write_bytes(BROKEN)
    commit_all(nested, "vendored")
    git(repo, "add", "strategy/vendor")
    commit_all(repo, "submodule")
    assert git(repo, "ls-files", "-s", "strategy/vendor").startswith("160000 ")
    assert _broken_paths(repo) == EXPECTED_READ | {"strategy/vendor/vendored.yaml"}


def test_a_strategy_in_a_folder_that_is_not_a_repository_ignores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "plain"
    shutil.copytree(DRIFT_STRATEGY, root / "strategy")
    (root / ".git").mkdir()  # looks like a repository, but git does not take it for one
    (root / ".gitignore").write_text("scratch.yaml\n", encoding="utf-8")
    (root / "strategy" / "scratch.yaml").write_bytes(BROKEN)
    assert _broken_paths(root) == {"strategy/scratch.yaml"}


# -- 3. a sparse checkout loses no stamps -----------------------------------------------------

_HIDDEN_SOURCES = ("play-close-assessment", "obj-too-risky")  # entries of strategy/playbook.yaml


def _edge_lines(text: str, *sources: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("edge ") and line.split()[1] in sources]


def test_lock_in_a_sparse_checkout_keeps_the_stamps_of_hidden_files(tmp_path: Path) -> None:
    repo = make_locked_repo(tmp_path)
    lock = repo / "strategy" / "stratlint.lock"
    before = _edge_lines(lock.read_text(encoding="utf-8"), *_HIDDEN_SOURCES)
    assert len(before) == 5

    git(repo, "sparse-checkout", "set", "--no-cone", "/*", "!/strategy/playbook.yaml")
    assert not (repo / "strategy" / "playbook.yaml").exists()
    # Reword what the hidden play cites, and drop a reference between two visible entries.
    edit(repo / "strategy" / "value.yaml", "Live in weeks, not quarters.", "Live in days, not quarters.")
    edit(repo / "strategy" / "roadmap.yaml", "value: [diff-continuous-reconciliation]", "value: [win-time-to-value]")
    result = invoke("lock", "strategy", cwd=repo)
    assert result.exit_code == 0, result.output
    text = lock.read_text(encoding="utf-8")
    assert _edge_lines(text, *_HIDDEN_SOURCES) == before
    assert "edge rm-auto-match value diff-continuous-reconciliation" not in text  # seen gone: pruned
    assert "edge rm-auto-match value win-time-to-value" in text

    git(repo, "sparse-checkout", "disable")
    assert (repo / "strategy" / "playbook.yaml").exists()
    assert _edge_lines(lock.read_text(encoding="utf-8"), *_HIDDEN_SOURCES) == before
    listed = invoke("review", "strategy", "--format", "json", cwd=repo)
    assert listed.exit_code == 1, listed.output
    suspects = {(s["dependent"], s["target"]) for g in json.loads(listed.stdout)["groups"] for s in g["suspects"]}
    assert ("play-close-assessment", "win-time-to-value") in suspects
    # And lock, back in the full checkout, still does not re-stamp it.
    assert invoke("lock", "strategy", cwd=repo).exit_code == 0
    assert _edge_lines(lock.read_text(encoding="utf-8"), *_HIDDEN_SOURCES) == before


# -- 4. a shallow clone is told how to deepen it -----------------------------------------------


def test_diff_with_a_parent_in_a_shallow_clone_says_how_to_deepen_it(tmp_path: Path) -> None:
    origin = make_repo(tmp_path)
    edit(origin / "strategy" / "narrative.yaml", CLAIM_LINE, REWORDED_LINE)
    commit_all(origin, "reword")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"

    missing = run_stratlint("check", "strategy", "--diff", "HEAD~1", cwd=clone)
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1, missing.stderr
    assert "cannot find 'HEAD~1'" in missing.stderr and "shallow" in missing.stderr
    assert ":refs/" not in missing.stderr
    command = shlex.split(missing.stderr.split("fetch it first: ", 1)[1])
    assert command == ["git", "fetch", "--deepen=1", "origin"]
    assert re.search(r"git fetch --unshallow origin", missing.stderr)
    subprocess.run(command, cwd=clone, env=git_env(), capture_output=True, timeout=60, check=True)

    found = run_stratlint("check", "strategy", "--diff", "HEAD~1", cwd=clone)
    assert found.returncode in (0, 1), found.stderr


def test_a_parent_past_the_start_of_a_full_history_is_not_given_a_refspec(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    git(repo, "remote", "add", "origin", "https://git.example.com/strategy.git")
    for base in ("HEAD~3", "origin/main~1"):
        missing = run_stratlint("check", "strategy", "--diff", base, cwd=repo)
        assert missing.returncode == 2
        assert missing.stderr.count("\n") == 1, missing.stderr
        assert f"cannot find '{base}'" in missing.stderr
        assert "~1:" not in missing.stderr and "~3:" not in missing.stderr
    missing = run_stratlint("check", "strategy", "--diff", "origin/main~1", cwd=repo)
    assert "git fetch --depth=2 origin main" in missing.stderr
