"""The pre-commit hook: the published manifest, the project's own config, and the real pre-commit."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from gitrepo import commit_all, git, git_env, line_of, new_repository, pre_commit, replace_in

from conftest import PROJECT

NARRATIVE = "strategy/narrative.yaml"
OLD_ID, NEW_ID = "claim.close-in-five-days", "claim.close-in-5-days"


def _load(name: str) -> object:
    return yaml.safe_load((PROJECT / name).read_text(encoding="utf-8"))


def test_manifest_publishes_the_stratlint_hook() -> None:
    manifest = _load(".pre-commit-hooks.yaml")
    assert isinstance(manifest, list)
    [hook] = [hook for hook in manifest if hook["id"] == "stratlint"]
    assert hook["language"] == "python"
    assert hook["entry"] == "stratlint check --staged"
    assert hook["files"] == r"\.ya?ml$"
    # pre-commit splits a long file list into several runs whatever require_serial says: the
    # hook takes none, and reads the staged files from git's index.
    assert hook["pass_filenames"] is False
    assert tuple(int(part) for part in hook["minimum_pre_commit_version"].split(".")) >= (3, 0, 0)


def test_project_config_runs_stratlint_on_strategy_and_ruff() -> None:
    config = _load(".pre-commit-config.yaml")
    assert isinstance(config, dict)
    repos = {repo["repo"]: repo for repo in config["repos"]}
    [stratlint] = repos["local"]["hooks"]
    # As the published hook: one run on what is staged, not a run per batch of file names.
    assert (stratlint["entry"], stratlint["pass_filenames"]) == ("python -m stratlint check --staged", False)
    assert stratlint["files"].startswith("^strategy/")
    # The hook installs the project's runtime dependencies: keep them equal to pyproject.toml.
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert sorted(stratlint["additional_dependencies"]) == sorted(project["dependencies"])
    ruff_ids = {hook["id"] for hook in repos["https://github.com/astral-sh/ruff-pre-commit"]["hooks"]}
    assert ruff_ids == {"ruff", "ruff-format"}


def test_manifest_and_config_are_valid_forpre_commit(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")
    for command, name in (
        ("validate-manifest", ".pre-commit-hooks.yaml"),
        ("validate-config", ".pre-commit-config.yaml"),
    ):
        checked = pre_commit(command, str(PROJECT / name), cwd=PROJECT, home=tmp_path)
        assert checked.returncode == 0, checked.stdout + checked.stderr


# -- the real pre-commit ------------------------------------------------------------------------
# Installing the hook's environment (pip, from the package index) is what makes these tests
# slow, so every test shares one pre-commit home and one hook repository at one revision:
# pre-commit installs the environment once, and every xdist worker reuses it.


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder every xdist worker of this session sees, held under a lock while in use."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "pre-commit-shared"
    folder.mkdir(exist_ok=True)
    yield folder


def _locked(folder: Path) -> int:
    handle = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


@pytest.fixture(scope="session")
def pre_commit_home(shared_dir: Path) -> Path:
    """One pre-commit cache for the session: the hook is installed once, then reused
    (pre-commit locks its own store while it installs)."""
    home = shared_dir / "home"
    home.mkdir(exist_ok=True)
    return home


@pytest.fixture(scope="session")
def hook_repo(shared_dir: Path) -> tuple[Path, str]:
    """A local clone of this source tree as it is now (uncommitted changes included): a git
    repository at one commit, for `repo:` and `rev:` in a team's config."""
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")
    if not (PROJECT / ".git").exists():
        pytest.skip(f"{PROJECT} is not a git repository, and pre-commit installs hooks from one")
    clone = shared_dir / "stratlint"
    handle = _locked(shared_dir)
    try:
        if not (clone / ".git").exists():
            listed = git(PROJECT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
            work = shared_dir / "stratlint.partial"
            shutil.rmtree(work, ignore_errors=True)
            for name in filter(None, listed.split("\0")):
                source = PROJECT / name
                if source.is_file() and not source.is_symlink():
                    (work / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, work / name)
            git(work, "init", "-q", "-b", "main")
            commit_all(work, "stratlint as under test")
            work.rename(clone)
        return clone, git(clone, "rev-parse", "HEAD").strip()
    finally:
        os.close(handle)


def _team_config(team: Path, hook_repo: tuple[Path, str], hooks: list[dict[str, object]]) -> None:
    clone, revision = hook_repo
    config = {"repos": [{"repo": str(clone), "rev": revision, "hooks": hooks}]}
    (team / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")


def _rename_everywhere(team: Path) -> None:
    for path in (team / "strategy").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if OLD_ID in text:
            path.write_text(text.replace(OLD_ID, NEW_ID), encoding="utf-8")


@pytest.mark.integration
def test_real_pre_commit_fails_a_broken_reference_and_passes_the_fix(
    tmp_path: Path, pre_commit_home: Path, hook_repo: tuple[Path, str]
) -> None:
    """The published hook, installed by pre-commit from a clone of this repository, on staged
    changes in a team's strategy repository."""
    team = new_repository(tmp_path / "team")
    _team_config(team, hook_repo, [{"id": "stratlint", "files": "^strategy/"}])
    commit_all(team, "Our strategy")

    # Rename a claim in the narrative only: messages, items and plays in files that are not
    # staged still cite the old id.
    replace_in(team / NARRATIVE, f"- id: {OLD_ID}", f"- id: {NEW_ID}")
    git(team, "add", NARRATIVE)
    broken = pre_commit("run", "stratlint", cwd=team, home=pre_commit_home)
    output = broken.stdout + broken.stderr
    assert broken.returncode == 1, output
    assert "stratlint" in output and "Failed" in output
    # [*]: the finding offers a safe fix (check --fix), the one close id of the right kind
    assert f"SL201 [error] [*] Message 'msg.core.positioning' cites pillar or claim '{OLD_ID}'" in output
    cited = line_of(team / "strategy" / "marketing" / "core-messaging.yaml", OLD_ID)
    assert f"strategy/marketing/core-messaging.yaml:{cited}:" in output
    assert "(in a file you did not change; it follows from your change to strategy/narrative.yaml)" in output

    _rename_everywhere(team)
    git(team, "add", "-A")
    fixed = pre_commit("run", "stratlint", cwd=team, home=pre_commit_home)
    output = fixed.stdout + fixed.stderr
    assert fixed.returncode == 0, output
    assert "Passed" in output


def _findings(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.search(r": SL\d{3} \[(error|warning|info)\] ", line)]


@pytest.mark.integration
def test_more_staged_files_than_one_command_line_holds_give_one_report(
    tmp_path: Path, pre_commit_home: Path, hook_repo: tuple[Path, str]
) -> None:
    """400 staged YAML files whose names together exceed what pre-commit puts on one command
    line: with file names passed, pre-commit would run the hook several times, and each run
    would print its findings again, blaming 'a file you did not change'. The hook runs once."""
    team = new_repository(tmp_path / "team")
    _team_config(team, hook_repo, [{"id": "stratlint"}])  # the manifest's files: every YAML file
    commit_all(team, "Our strategy")
    folder = team / "data" / ("exports-" + "x" * 200)
    folder.mkdir(parents=True)
    names = [folder / f"{n:03d}-{'y' * 200}.yaml" for n in range(400)]
    for name in names:
        name.write_text(f"row: {name.name[:3]}\n", encoding="utf-8")
    arguments = sum(len(str(name.relative_to(team))) + 1 for name in names)
    assert arguments > 2**17, "pre-commit's longest command line holds these names: the test would prove nothing"
    replace_in(team / NARRATIVE, f"- id: {OLD_ID}", f"- id: {NEW_ID}")
    git(team, "add", "-A")

    run = pre_commit("run", "stratlint", cwd=team, home=pre_commit_home)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output[-3000:]
    found = _findings(output)
    assert found, output[-3000:]
    assert len(found) == len(set(found)), "a finding was printed twice"
    elsewhere = [line for line in found if not line.startswith(f"{NARRATIVE}:")]
    assert elsewhere, found
    note = "(in a file you did not change; it follows from your change to strategy/narrative.yaml)"
    assert [line for line in elsewhere if note not in line] == []
    assert "new since the last commit" not in output
    assert len(re.findall(r"^stratlint\.+Failed$", output, re.MULTILINE)) == 1, output[-3000:]


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
    run = pre_commit(
        "run", "--config", str(local_only), "stratlint", "--all-files", "--verbose", cwd=PROJECT, home=pre_commit_home
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "All checks passed" in output


@pytest.mark.integration
def test_installed_hook_blocks_the_breaking_commit(
    tmp_path: Path, pre_commit_home: Path, hook_repo: tuple[Path, str]
) -> None:
    """The hook installed in a team's repository (`pre-commit install`), run by `git commit`."""
    team = new_repository(tmp_path / "team")
    _team_config(team, hook_repo, [{"id": "stratlint", "files": "^strategy/"}])
    commit_all(team, "Our strategy")
    installed = pre_commit("install", cwd=team, home=pre_commit_home)
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

    _rename_everywhere(team)
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


# -- the README's snippets, as written ------------------------------------------------------------

README_BLOCK = re.compile(r"```yaml\n(?P<body>repos:\n.*?)```", re.DOTALL)


def _readme_configs() -> list[dict[str, object]]:
    section = (PROJECT / "README.md").read_text(encoding="utf-8").split("\n## pre-commit\n", 1)[1].split("\n## ", 1)[0]
    return [yaml.safe_load(match["body"]) for match in README_BLOCK.finditer(section)]


def test_the_readme_shows_a_pinned_remote_hook_and_a_local_one() -> None:
    remote, local = _readme_configs()
    assert isinstance(remote, dict) and isinstance(local, dict)
    (repo,) = remote["repos"]  # type: ignore[misc]
    assert re.fullmatch(r"[0-9a-f]{40}", str(repo["rev"])), "until tags are published, rev is a commit id"
    (local_repo,) = local["repos"]  # type: ignore[misc]
    assert local_repo["repo"] == "local"
    (hook,) = local_repo["hooks"]
    assert hook["entry"] == "stratlint check --staged" and hook["pass_filenames"] is False


@pytest.mark.integration
def test_the_readme_snippets_work_as_written(
    tmp_path: Path, pre_commit_home: Path, hook_repo: tuple[Path, str]
) -> None:
    """The README's configuration, with the repository address replaced by a local clone (and
    its commit for rev), and the `repo: local` one as it stands, block a broken rename."""
    remote, local = _readme_configs()
    clone, revision = hook_repo
    for number, config in enumerate((remote, local)):
        text = yaml.safe_dump(config)
        if config is remote:
            (repo,) = config["repos"]  # type: ignore[index]
            text = text.replace(str(repo["repo"]), str(clone)).replace(str(repo["rev"]), revision)
        team = new_repository(tmp_path / f"team{number}")
        (team / ".pre-commit-config.yaml").write_text(text, encoding="utf-8")
        commit_all(team, "Our strategy")
        replace_in(team / NARRATIVE, f"- id: {OLD_ID}", f"- id: {NEW_ID}")
        git(team, "add", NARRATIVE)
        run = pre_commit("run", cwd=team, home=pre_commit_home)
        output = run.stdout + run.stderr
        assert run.returncode == 1, output
        assert "it follows from your change to strategy/narrative.yaml" in output, output
