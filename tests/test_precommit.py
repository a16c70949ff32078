"""The pre-commit hook: the published manifest, the project's own config, and the real pre-commit."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from gitrepo import commit_all, git, git_env, new_repository, replace_in

from conftest import PROJECT

NARRATIVE = "strategy/narrative.yaml"
OLD_ID, NEW_ID = "claim.close-in-five-days", "claim.close-in-5-days"


def _pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**git_env(), "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _load(name: str) -> object:
    return yaml.safe_load((PROJECT / name).read_text(encoding="utf-8"))


def test_manifest_publishes_the_stratlint_hook() -> None:
    manifest = _load(".pre-commit-hooks.yaml")
    assert isinstance(manifest, list)
    [hook] = [hook for hook in manifest if hook["id"] == "stratlint"]
    assert hook["language"] == "python"
    assert hook["entry"] == "stratlint check"
    assert hook["files"] == r"\.ya?ml$"
    assert hook["require_serial"] is True
    assert hook.get("pass_filenames", True) is True
    assert tuple(int(part) for part in hook["minimum_pre_commit_version"].split(".")) >= (3, 0, 0)


def test_project_config_runs_stratlint_on_strategy_and_ruff() -> None:
    config = _load(".pre-commit-config.yaml")
    assert isinstance(config, dict)
    repos = {repo["repo"]: repo for repo in config["repos"]}
    [stratlint] = repos["local"]["hooks"]
    assert stratlint["entry"] == "python -m stratlint check"
    assert stratlint["files"].startswith("^strategy/")
    # The hook installs the project's runtime dependencies: keep them equal to pyproject.toml.
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert sorted(stratlint["additional_dependencies"]) == sorted(project["dependencies"])
    ruff_ids = {hook["id"] for hook in repos["https://github.com/astral-sh/ruff-pre-commit"]["hooks"]}
    assert ruff_ids == {"ruff", "ruff-format"}


def test_manifest_and_config_are_valid_for_pre_commit(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")
    for command, name in (
        ("validate-manifest", ".pre-commit-hooks.yaml"),
        ("validate-config", ".pre-commit-config.yaml"),
    ):
        checked = _pre_commit(command, str(PROJECT / name), cwd=PROJECT, home=tmp_path)
        assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache for the session: the hook is installed once, then reused."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.mark.integration
def test_real_pre_commit_fails_a_broken_reference_and_passes_the_fix(tmp_path: Path, pre_commit_home: Path) -> None:
    """`pre-commit try-repo` installs the hook from this repository (pip, from the package index)
    and runs it on staged changes in a team's strategy repository."""
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")
    if not (PROJECT / ".git").exists():
        pytest.skip(f"{PROJECT} is not a git repository, and pre-commit installs hooks from one")
    team = new_repository(tmp_path / "team")
    commit_all(team, "Our strategy")

    # Rename a claim in the narrative only: messages, items and plays in files that are not
    # staged still cite the old id.
    replace_in(team / NARRATIVE, f"- id: {OLD_ID}", f"- id: {NEW_ID}")
    git(team, "add", NARRATIVE)
    broken = _pre_commit("try-repo", str(PROJECT), "stratlint", cwd=team, home=pre_commit_home)
    output = broken.stdout + broken.stderr
    assert broken.returncode == 1, output
    assert "stratlint" in output and "Failed" in output
    assert f"SL201 [error] Message 'msg.core.positioning' cites pillar or claim '{OLD_ID}'" in output
    assert "strategy/marketing/core-messaging.yaml:31:" in output
    assert "(in a file you did not change; it follows from your change to strategy/narrative.yaml)" in output

    # The fix: every reference follows the rename.
    for path in (team / "strategy").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if OLD_ID in text:
            path.write_text(text.replace(OLD_ID, NEW_ID), encoding="utf-8")
    git(team, "add", "-A")
    fixed = _pre_commit("try-repo", str(PROJECT), "stratlint", cwd=team, home=pre_commit_home)
    output = fixed.stdout + fixed.stderr
    assert fixed.returncode == 0, output
    assert "Passed" in output
    commit_all(team, "Rename the five-day close claim")


@pytest.mark.integration
def test_project_local_hook_works_for_a_developer(tmp_path: Path, pre_commit_home: Path) -> None:
    """The local stratlint hook of the project's own config, run as a developer would."""
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")
    if not (PROJECT / ".git").exists():
        pytest.skip(f"{PROJECT} is not a git repository, and pre-commit runs in one")
    config = _load(".pre-commit-config.yaml")
    assert isinstance(config, dict)
    # Only the local hook: the others come from their own repositories.
    local_only = tmp_path / "local-hooks.yaml"
    local_only.write_text(yaml.safe_dump({"repos": [r for r in config["repos"] if r["repo"] == "local"]}))
    run = _pre_commit(
        "run", "--config", str(local_only), "stratlint", "--all-files", "--verbose", cwd=PROJECT, home=pre_commit_home
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "All checks passed" in output


@pytest.mark.integration
def test_installed_hook_blocks_the_breaking_commit(tmp_path: Path, pre_commit_home: Path) -> None:
    """The hook installed in a team's repository (`pre-commit install`), run by `git commit`."""
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")
    if not (PROJECT / ".git").exists():
        pytest.skip(f"{PROJECT} is not a git repository, and pre-commit installs hooks from one")
    revision = git(PROJECT, "rev-parse", "HEAD").strip()
    team = new_repository(tmp_path / "team")
    config = {"repos": [{"repo": str(PROJECT), "rev": revision, "hooks": [{"id": "stratlint", "files": "^strategy/"}]}]}
    (team / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    commit_all(team, "Our strategy")
    installed = _pre_commit("install", cwd=team, home=pre_commit_home)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    replace_in(team / NARRATIVE, f"- id: {OLD_ID}", f"- id: {NEW_ID}")
    git(team, "add", NARRATIVE)
    env = {"PRE_COMMIT_HOME": str(pre_commit_home), "PRE_COMMIT_COLOR": "never"}
    refused = subprocess.run(
        ["git", "commit", "-m", "Rename the claim"],
        cwd=team,
        env={**git_env(), **env},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "(in a file you did not change; it follows from your change to strategy/narrative.yaml)" in (
        refused.stdout + refused.stderr
    )
    assert git(team, "rev-list", "--count", "HEAD").strip() == "1", "the breaking commit was not made"

    for path in (team / "strategy").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(OLD_ID, NEW_ID), encoding="utf-8")
    git(team, "add", "-A")
    accepted = subprocess.run(
        ["git", "commit", "-m", "Rename the claim everywhere"],
        cwd=team,
        env={**git_env(), **env},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert git(team, "rev-list", "--count", "HEAD").strip() == "2"
