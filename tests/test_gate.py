"""stratlint gate: go/no-go for a release, as a CI check. What the gate decides is asked in
this process; GO, NO-GO and a usage error are each asked of the real executable once too,
as CI runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stratlint.analysis.check import lint
from stratlint.analysis.settings import Settings
from stratlint.drift.release import release_nodes

from conftest import STRATEGY, Templates, run_in_process, run_stratlint
from drift_repo import CLAIM_LINE, REWORDED_LINE, edit, make_locked_repo

RELEASE = "rel-continuous-close"


@pytest.fixture
def repo(tmp_path: Path, templates: Templates) -> Path:
    templates.fill("locked-drift-repo", make_locked_repo, tmp_path)
    return tmp_path / "repo"


def test_gate_passes_a_clean_release(repo: Path) -> None:
    result = run_stratlint("gate", RELEASE, "strategy", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "GO: every item is ready." in result.stdout
    assert "[blocked]" not in result.stdout


def test_gate_accepts_the_release_file(repo: Path) -> None:
    result = run_in_process("gate", "strategy/release.yaml", "strategy", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr


def test_gate_fails_when_a_shipped_item_lacks_a_launch_message(repo: Path) -> None:
    edit(
        repo / "strategy" / "release.yaml",
        "launch_messages:\n  - msg-close-in-days\n  - msg-no-spreadsheets\n",
        "launch_messages: []\n",
    )
    result = run_stratlint("gate", RELEASE, "strategy", cwd=repo)
    assert result.returncode == 1
    out = result.stdout
    assert out.startswith(f"Release '{RELEASE}'")
    assert "NO-GO" in out
    item = out.split("[blocked] roadmap item 'rm-auto-match'", 1)[1].split("\n  [", 1)[0]
    assert "launch messages: none that tells its story" in item
    assert "no launch message in the release tells the same story" in item


def test_gate_fails_when_a_reference_of_a_shipped_item_is_suspect(repo: Path) -> None:
    edit(repo / "strategy" / "narrative.yaml", CLAIM_LINE, REWORDED_LINE)
    result = run_in_process("gate", RELEASE, "strategy", "--format", "json", cwd=repo)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["decision"] == "no-go"
    items = {item["id"]: item for item in document["items"]}
    assert not items["rm-auto-match"]["ready"]
    assert any("five days" in blocker for blocker in items["rm-auto-match"]["blockers"])
    assert items["rm-checklist-import"]["ready"]
    text = run_in_process("gate", RELEASE, "strategy", cwd=repo).stdout
    assert "[blocked] roadmap item 'rm-auto-match' (in-progress, owner pm-close)" in text
    assert "[ready]   roadmap item 'rm-checklist-import'" in text


def test_gate_fails_on_a_no_go_call_and_on_an_error_in_an_item(repo: Path) -> None:
    edit(repo / "strategy" / "release.yaml", "decision: go", "decision: no-go\n    reason: Pricing is not final")
    result = run_in_process("gate", RELEASE, "strategy", cwd=repo)
    assert result.returncode == 1
    assert "vp-product called no-go: Pricing is not final" in result.stdout
    edit(repo / "strategy" / "release.yaml", "decision: no-go\n    reason: Pricing is not final", "decision: go")
    edit(
        repo / "strategy" / "roadmap.yaml",
        "priority: prio-mid-market-leadership\n    rationale:\n      value: Gets",
        "priority: prio-nope\n    rationale:\n      value: Gets",
    )
    result = run_in_process("gate", RELEASE, "strategy", cwd=repo)
    assert result.returncode == 1
    assert "[blocked] roadmap item 'rm-checklist-import'" in result.stdout


def test_gate_blocks_a_release_file_that_cannot_be_read(repo: Path) -> None:
    edit(repo / "strategy" / "release.yaml", "launch_messages:\n", "launch_messages: 12\nx:\n")
    result = run_in_process("gate", "strategy/release.yaml", "strategy", cwd=repo)
    assert result.returncode == 1
    assert "strategy/release.yaml:" in result.stdout
    assert "NO-GO" in result.stdout


def test_gate_unknown_release_is_exit_2(repo: Path) -> None:
    result = run_stratlint("gate", "rel-nope", "strategy", cwd=repo)
    assert result.returncode == 2
    assert RELEASE in result.stderr


def test_gate_passes_the_bundled_release() -> None:
    if not (STRATEGY / "stratlint.lock").exists() or not (STRATEGY / "narrative.yaml").exists():
        pytest.skip("the bundled strategy and its lock file are not in this tree")
    graph = lint(Settings(root=STRATEGY)).graph
    releases = [node.id for node in release_nodes(graph.nodes.values())]
    assert releases, "the bundled strategy has no release plan"
    for release in releases:
        result = run_in_process("gate", release, STRATEGY)
        assert result.returncode == 0, result.stdout + result.stderr


def test_go_needs_every_approver_and_live_launch_work_and_readiness_checks_all_but_sign_off(repo: Path) -> None:
    release = repo / "strategy" / "release.yaml"
    edit(release, "decision: go", "decision: pending")
    pending = run_in_process("gate", RELEASE, "strategy", cwd=repo)
    assert pending.returncode == 1
    assert "vp-product has not approved yet (pending)" in pending.stdout
    ready = run_in_process("gate", RELEASE, "strategy", "--readiness", cwd=repo)
    assert ready.returncode == 0, ready.stdout
    assert "READY" in ready.stdout and "approvals were not checked" in ready.stdout

    edit(repo / "strategy" / "playbook.yaml", "status: active", "status: draft")
    draft = run_in_process("gate", RELEASE, "strategy", "--readiness", cwd=repo)
    assert draft.returncode == 1
    assert "It is draft, not active" in draft.stdout
    document = json.loads(run_in_process("gate", RELEASE, "strategy", "--format", "json", cwd=repo).stdout)
    assert document["decision"] == "no-go" and document["check"] == "release"
    assert document["sign_off"] == ["vp-product has not approved yet (pending)"]


def test_a_release_with_no_approvers_is_no_go(repo: Path) -> None:
    release = repo / "strategy" / "release.yaml"
    text = release.read_text(encoding="utf-8")
    start = text.index("approvers:")
    end = text.index("\nmetrics:") if "\nmetrics:" in text[start:] else len(text)
    release.write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    result = run_in_process("gate", RELEASE, "strategy", cwd=repo)
    assert result.returncode == 1
    assert "No approver is named" in result.stdout
