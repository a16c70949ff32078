"""`check --diff BASE`: only findings new since a git revision, read through git, in real repositories."""

from __future__ import annotations

import json
import shlex
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from gitrepo import commit_all, git, git_env, line_of, new_repository, replace_in

from stratlint.analysis.check import lint
from stratlint.analysis.settings import Settings
from stratlint.diagnostics import fingerprint
from stratlint.vcs.compare import compare

from conftest import invoke, run_stratlint

PLAY = "strategy/sales/pe-backed.yaml"
MESSAGE = "strategy/marketing/core-messaging.yaml"
OLD_FINDING = "claim.close-in-six-days"  # planted in the first commit
NEW_FINDING = "claim.close-in-ten-days"  # planted in the second


def _plant_old(repo: Path) -> None:
    replace_in(repo / PLAY, "narrative: [claim.close-in-five-days,", f"narrative: [{OLD_FINDING},")


def _plant_new(repo: Path) -> None:
    replace_in(
        repo / MESSAGE,
        "narrative: [pillar.continuous-close, claim.close-in-five-days]",
        f"narrative: [pillar.continuous-close, {NEW_FINDING}]",
    )


def _json(repo: Path, *args: str) -> tuple[int, dict]:
    result = invoke("check", "--format", "json", *args, cwd=repo)
    return result.exit_code, json.loads(result.stdout)


def _cited(document: dict) -> list[tuple[str, str, str]]:
    return [(d["code"], d["path"], d["message"].split("'")[3]) for d in document["diagnostics"]]


@pytest.fixture
def two_commits(tmp_path: Path) -> Path:
    """A repository whose first commit has one broken reference and whose second adds another."""
    repo = new_repository(tmp_path / "repo")
    _plant_old(repo)
    commit_all(repo, "Strategy with one broken reference")
    _plant_new(repo)
    commit_all(repo, "Add a second broken reference")
    return repo


def test_only_findings_introduced_since_base_are_reported(two_commits: Path) -> None:
    status, everything = _json(two_commits)
    assert status == 1
    assert ("SL201", PLAY, OLD_FINDING) in _cited(everything)
    assert ("SL201", MESSAGE, NEW_FINDING) in _cited(everything)

    status, new_only = _json(two_commits, "--diff", "HEAD~1")
    assert status == 1
    assert _cited(new_only) == [("SL201", MESSAGE, NEW_FINDING)]
    assert new_only["diagnostics"][0]["line"] == line_of(two_commits / MESSAGE, NEW_FINDING)
    assert new_only["summary"]["counts"]["error"] == 1

    status, nothing = _json(two_commits, "--diff", "HEAD")
    assert (status, nothing["diagnostics"]) == (0, [])


def test_exit_status_depends_only_on_new_findings(two_commits: Path) -> None:
    # The base already has the old error; a change that adds nothing new passes.
    replace_in(two_commits / MESSAGE, NEW_FINDING, "claim.close-in-five-days")
    assert invoke("check", cwd=two_commits).exit_code == 1
    result = invoke("check", "--diff", "HEAD~1", cwd=two_commits)
    assert result.exit_code == 0, result.output
    assert "No new findings since the base revision" in result.output


def test_a_line_shift_alone_reports_nothing_new(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo")
    _plant_old(repo)
    commit_all(repo, "Strategy with one broken reference")
    before = line_of(repo / PLAY, OLD_FINDING)
    text = (repo / PLAY).read_text(encoding="utf-8")
    shifted = "# Owned by the PE alliances team.\n# Reviewed each quarter.\n# Questions: #pe-alliances\n"
    (repo / PLAY).write_text(text.replace("\nplays:", "\n" + shifted + "plays:", 1), encoding="utf-8")
    commit_all(repo, "Comment the playbook")

    status, everything = _json(repo)
    [old] = [d for d in everything["diagnostics"] if OLD_FINDING in d["message"]]
    assert old["line"] == before + 3, "the finding moved down by the inserted lines"

    status, new_only = _json(repo, "--diff", "HEAD~1")
    assert (status, new_only["diagnostics"]) == (0, [])


def test_the_working_tree_is_compared_and_left_untouched(two_commits: Path) -> None:
    # An edit that is not committed is part of the current run, and survives it.
    replace_in(two_commits / "strategy/value.yaml", "stratlint: 1", "stratlint: 1\n# draft edit")
    (two_commits / "strategy/notes.yaml").write_text("not: [a strategy file\n", encoding="utf-8")
    status_before = git(two_commits, "status", "--porcelain")
    contents_before = {p: p.read_bytes() for p in (two_commits / "strategy").rglob("*.yaml")}
    index_before = (two_commits / ".git" / "index").read_bytes()

    status, new_only = _json(two_commits, "--diff", "HEAD~1")
    assert status == 1
    paths = {d["path"] for d in new_only["diagnostics"]}
    assert paths == {MESSAGE, "strategy/notes.yaml"}, "the untracked file is new, the rest is committed"

    assert git(two_commits, "status", "--porcelain") == status_before
    assert {p: p.read_bytes() for p in (two_commits / "strategy").rglob("*.yaml")} == contents_before
    assert (two_commits / ".git" / "index").read_bytes() == index_before


def test_text_shows_each_alignment_score_change(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo")
    commit_all(repo, "Clean strategy")
    base = lint(Settings(root=repo / "strategy"))
    # The play names a priority that does not exist: it no longer traces, and sales alignment drops.
    replace_in(repo / PLAY, "priority: prio.win-multi-entity", "priority: prio.no-such-priority")
    result = invoke("check", "--diff", "HEAD", cwd=repo)
    before = {s.function: s.percent() for s in base.summary.alignment}
    now = {s.function: s.percent() for s in lint(Settings(root=repo / "strategy")).summary.alignment}
    assert before["sales"] != now["sales"], "the edit changes the sales score"
    sales_line = next(line for line in result.output.splitlines() if line.strip().startswith("sales"))
    assert f"{before['sales']} → {now['sales']}" in " ".join(sales_line.split())


def test_findings_are_matched_as_a_multiset(two_commits: Path) -> None:
    result = lint(Settings(root=two_commits / "strategy"))
    first = result.diagnostics[0]
    twin = replace(first, span=replace(first.span, line=first.span.line + 40))
    assert fingerprint(twin) == fingerprint(first), "fingerprints leave lines out"
    base = replace(result, diagnostics=(first,))
    current = replace(result, diagnostics=(first, twin))
    assert compare(current, base).diagnostics == (twin,)
    assert compare(base, base).diagnostics == ()
    assert compare(current, base).base_summary is base.summary


# -- a base that cannot be read -----------------------------------------------------------


def test_unknown_base_exits_2_with_one_line_telling_how_to_fetch(two_commits: Path) -> None:
    git(two_commits, "remote", "add", "origin", "https://git.example.com/strategy.git")
    result = run_stratlint("check", "--diff", "origin/main", cwd=two_commits)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert "cannot find 'origin/main'" in result.stderr
    assert "git fetch --depth=1 origin main" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("base", ["mian", "0123abc", "-n", "HEAD~5"])
def test_unresolvable_base_names_it(two_commits: Path, base: str) -> None:
    result = run_stratlint("check", f"--diff={base}", cwd=two_commits)
    assert result.returncode == 2
    assert result.stderr.startswith(f"stratlint: '{base}'") or f"cannot find '{base}'" in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_outside_a_git_repository_exits_2(tmp_path: Path, strategy_copy: Path) -> None:
    result = run_stratlint("check", "--diff", "origin/main", cwd=tmp_path)
    assert result.returncode == 2
    assert "not inside a git repository" in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


# -- shallow clones, as CI makes them -----------------------------------------------------


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A remote with main (one old broken reference) and a feature branch (one new one)."""
    repo = new_repository(tmp_path / "origin")
    _plant_old(repo)
    commit_all(repo, "Strategy with one broken reference")
    git(repo, "checkout", "-q", "-b", "feature")
    _plant_new(repo)
    commit_all(repo, "Add a second broken reference")
    git(repo, "checkout", "-q", "main")
    return repo


def _fetch_hint(stderr: str) -> list[str]:
    assert "fetch it first: " in stderr, stderr
    return shlex.split(stderr.split("fetch it first: ", 1)[1].strip())


def _run_hint(clone: Path, command: list[str]) -> None:
    assert command[:2] == ["git", "fetch"]
    completed = subprocess.run(command, cwd=clone, env=git_env(), capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr


def test_shallow_single_branch_clone_works_once_the_base_is_fetched(origin: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth=1", "--branch", "feature", f"file://{origin}", str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"

    missing = run_stratlint("check", "--diff", "origin/main", cwd=clone)
    assert missing.returncode == 2
    _run_hint(clone, _fetch_hint(missing.stderr))

    status, new_only = _json(clone, "--diff", "origin/main")
    assert status == 1
    assert _cited(new_only) == [("SL201", MESSAGE, NEW_FINDING)]
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"


def test_checkout_like_github_actions_takes_the_plain_fetch(origin: Path, tmp_path: Path) -> None:
    # actions/checkout: init, add the remote, fetch one commit at depth 1, check it out.
    clone = tmp_path / "checkout"
    clone.mkdir()
    git(clone, "init", "-q")
    git(clone, "remote", "add", "origin", f"file://{origin}")
    git(clone, "fetch", "-q", "--depth=1", "origin", "feature")
    git(clone, "checkout", "-q", "FETCH_HEAD")

    missing = run_stratlint("check", "--diff", "origin/main", cwd=clone)
    assert missing.returncode == 2
    hint = _fetch_hint(missing.stderr)
    assert hint == ["git", "fetch", "--depth=1", "origin", "main"]
    _run_hint(clone, hint)

    status, new_only = _json(clone, "--diff", "origin/main")
    assert status == 1
    assert _cited(new_only) == [("SL201", MESSAGE, NEW_FINDING)]


def test_from_a_subfolder_with_the_root_given_relatively(two_commits: Path) -> None:
    result = invoke("check", "--format", "json", ".", "--diff", "HEAD~1", cwd=two_commits / "strategy")
    assert result.exit_code == 1
    assert _cited(json.loads(result.stdout)) == [("SL201", MESSAGE, NEW_FINDING)]
