"""A strategy root or baseline that the repository leads outside itself is refused.

On a pull request, the configuration and every link in the repository are the proposer's:
a configured ``root`` or ``baseline`` outside the repository, or a committed
``strategy -> /elsewhere`` link, must not make stratlint read (or ``lock`` write) there. A
path typed on the command line is the user's own choice, and ``--allow-outside-root`` is
the explicit opt-out.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import invoke, run_stratlint
from strategy_trees import make_repo

REFUSED = "outside the repository"


@pytest.fixture
def linked(tmp_path: Path) -> tuple[Path, Path]:
    """A repository whose committed ``strategy`` is a link to a strategy outside it."""
    repo = tmp_path / "repo"
    outside = tmp_path / "elsewhere"
    _, strategy = make_repo(tmp_path / "source")
    shutil.copytree(strategy, outside)
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "strategy").symlink_to(outside)
    return repo, outside


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@pytest.mark.parametrize("args", [("check",), ("check", "strategy"), ("lock", "strategy"), ("gate", "x", "strategy")])
def test_a_committed_link_to_a_strategy_outside_is_not_followed(linked: tuple[Path, Path], args: tuple[str]) -> None:
    repo, outside = linked
    before = _snapshot(outside)
    result = invoke(*args, cwd=repo)
    assert result.exit_code == 2, result.output
    [line] = result.output.splitlines()
    assert f"the strategy root 'strategy' leads through a link to {outside.resolve().as_posix()}, {REFUSED}" in line
    assert "--allow-outside-root" in line
    assert _snapshot(outside) == before, "nothing is written outside the repository"


def test_allow_outside_root_is_the_explicit_opt_out(linked: tuple[Path, Path]) -> None:
    repo, _ = linked
    result = invoke("check", "--allow-outside-root", "--format", "json", cwd=repo)
    assert result.exit_code == 0, result.output
    assert REFUSED not in result.output


@pytest.mark.parametrize("root", ["/", "../elsewhere"])
def test_a_configured_root_outside_the_repository_is_a_configuration_error(
    linked: tuple[Path, Path], root: str
) -> None:
    repo, _ = linked
    (repo / "strategy").unlink()
    (repo / "strategy").mkdir()
    (repo / "stratlint.toml").write_text(f'root = "{root}"\n', encoding="utf-8")
    result = invoke("check", cwd=repo)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"stratlint: stratlint.toml: root: '{root}' is {REFUSED}"), result.output


def test_a_configured_baseline_outside_the_repository_is_refused(tmp_path: Path) -> None:
    repo, _ = make_repo(tmp_path)
    secret = tmp_path / "secret.json"
    secret.write_text("{}", encoding="utf-8")
    (repo / "stratlint.toml").write_text(f'baseline = "{secret.as_posix()}"\n', encoding="utf-8")
    result = invoke("check", cwd=repo)
    assert result.exit_code == 2, result.output
    assert f"stratlint.toml: baseline: '{secret.as_posix()}' is {REFUSED}" in result.output


def test_a_path_typed_on_the_command_line_stays_the_users_choice(tmp_path: Path) -> None:
    repo, _ = make_repo(tmp_path / "ours")
    _, theirs = make_repo(tmp_path / "theirs")
    result = invoke("check", str(theirs), "--format", "json", cwd=repo)
    assert result.exit_code == 0, result.output
    assert REFUSED not in result.output


def test_outside_a_repository_the_configuration_folder_is_the_boundary(tmp_path: Path) -> None:
    _, strategy = make_repo(tmp_path / "source")
    project = tmp_path / "project"
    project.mkdir()
    shutil.copytree(strategy, tmp_path / "sibling")
    (project / "stratlint.toml").write_text('root = "../sibling"\n', encoding="utf-8")
    result = invoke("check", cwd=project)
    assert result.exit_code == 2, result.output
    boundary = project.resolve().as_posix()
    assert f"root: '../sibling' is outside the folder of the configuration ({boundary})" in result.output
    inside = project / "strategy"
    shutil.copytree(strategy, inside)
    (project / "stratlint.toml").write_text('root = "strategy"\n', encoding="utf-8")
    assert invoke("check", cwd=project).exit_code == 0


def test_dot_folders_are_not_read_and_verbose_says_so(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    drafts = strategy / ".drafts"
    drafts.mkdir()
    (drafts / "broken.yaml").write_text("kind: [unclosed\n", encoding="utf-8")
    quiet = invoke("check", "strategy", "--format", "json", cwd=repo)
    assert quiet.exit_code == 0, quiet.output
    assert "not read" not in quiet.output
    loud = run_stratlint("check", "strategy", "--verbose", "--format", "json", cwd=repo)
    assert loud.returncode == 0, loud.stderr
    assert loud.stderr.splitlines() == ["stratlint: not read: strategy/.drafts/ (a folder whose name starts with '.')"]
