"""Drift detection never goes quiet: a reference with no stamp is a finding, and the
stratlint-lock pre-commit hook, run through the real pre-commit, stamps it and stages the lock."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import commit_all, git, git_env, new_repository

from conftest import PROJECT, invoke

MESSAGING = "strategy/marketing/core-messaging.yaml"
NEW_MESSAGE = """
  - id: msg.core.written-after-the-lock
    type: message
    headline: Every entity, reconciled every day.
    status: draft
    segments: [seg.multi-entity]
    value: [belief.close-is-continuous]
    narrative: [claim.close-in-five-days]
    priority: prio.win-multi-entity
    rationale:
      value: For multi-entity controllers.
      narrative: The headline claim, as a daily promise.
      priority: The primary priority's buyer.
"""


def _unstamped(repo: Path) -> list[dict[str, object]]:
    result = invoke("check", "strategy", "--format", "json", "--no-cache", cwd=repo)
    return [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "SL605"]


def _add_message(repo: Path) -> None:
    path = repo / MESSAGING
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + NEW_MESSAGE, encoding="utf-8")


def test_a_new_entry_after_lock_is_one_unstamped_finding_until_lock_stamps_it(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo")
    assert _unstamped(repo) == []
    _add_message(repo)
    (finding,) = _unstamped(repo)
    assert finding["path"] == MESSAGING
    assert finding["severity"] == "warning"
    assert "stratlint lock" in str(finding["message"])
    assert invoke("lock", "strategy", cwd=repo).exit_code == 0
    assert _unstamped(repo) == []


def test_no_lock_at_all_is_one_finding_for_the_whole_strategy(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo")
    (repo / "strategy" / "stratlint.lock").unlink()
    (finding,) = _unstamped(repo)
    assert finding["path"] == "strategy" and finding["line"] is None
    text = invoke("check", "strategy", "--no-cache", cwd=repo).output
    assert "strategy: SL605 [warning] [*] There is no review lock" in text  # [*]: check --fix writes the lock


def test_lock_never_restamps_a_suspect_reference(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo")
    narrative = repo / "strategy" / "narrative.yaml"
    text = narrative.read_text(encoding="utf-8")
    marker = "- id: claim.close-in-five-days\n"
    start = text.index(marker) + len(marker)
    line_end = text.index("\n", start)
    narrative.write_text(text[:line_end] + " Reworded." + text[line_end:], encoding="utf-8")
    before = invoke("check", "strategy", "--format", "json", "--no-cache", cwd=repo)
    suspects = [d for d in json.loads(before.stdout)["diagnostics"] if d["code"] == "SL601"]
    assert suspects
    assert invoke("lock", "strategy", cwd=repo).exit_code == 0
    after = invoke("check", "strategy", "--format", "json", "--no-cache", cwd=repo)
    assert [d for d in json.loads(after.stdout)["diagnostics"] if d["code"] == "SL601"] == suspects


@pytest.mark.integration
def test_the_stratlint_lock_hook_stamps_and_stages_through_the_real_pre_commit(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")
    if not (PROJECT / ".git").exists():
        pytest.skip(f"{PROJECT} is not a git repository, and pre-commit installs hooks from one")
    repo = new_repository(tmp_path / "team")
    commit_all(repo, "Our strategy")
    _add_message(repo)
    git(repo, "add", MESSAGING)
    assert len(_unstamped(repo)) == 1
    env = {**git_env(), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never"}
    ran = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(PROJECT), "stratlint-lock"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "strategy/stratlint.lock" in git(repo, "diff", "--cached", "--name-only").split()
    assert git(repo, "diff", "--name-only", "--", "strategy/stratlint.lock") == "", "the lock is staged as written"
    assert _unstamped(repo) == []
    staged = git(repo, "diff", "--cached", "--", "strategy/stratlint.lock")
    assert "+edge msg.core.written-after-the-lock narrative claim.close-in-five-days" in staged


def test_review_shows_the_whole_reworded_text_and_a_word_level_difference(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo")
    narrative = repo / "strategy" / "narrative.yaml"
    text = narrative.read_text(encoding="utf-8")
    marker = "- id: claim.close-in-five-days\n"
    start = text.index("statement: ", text.index(marker)) + len("statement: ")
    end = text.index("\n", start)
    old = text[start:end]
    new = ("Customers close their books in a median of five business days across every entity they run, " * 5)[:400]
    narrative.write_text(text[:start] + new + text[end:], encoding="utf-8")
    result = invoke("review", "strategy", cwd=repo)
    assert result.exit_code == 1
    shown = " ".join(result.stdout.split())
    assert f"before: {old}" in shown
    assert f"after: {new.strip()}" in shown, "the new wording is shown whole, however long"
    assert "words: [-" in shown and "{+" in shown
    document = json.loads(invoke("review", "strategy", "--format", "json", cwd=repo).stdout)
    changes = [c for group in document["groups"] for s in group["suspects"] for c in s["changes"]]
    assert {"field": "statement", "before": old, "after": new} in changes
