"""Suspect references end to end, in real git repositories: lock, reword, review, accept, merge."""

from __future__ import annotations

import json
from pathlib import Path

from stratlint.analysis.check import lint
from stratlint.analysis.settings import Settings

from conftest import invoke, run_stratlint
from drift_repo import CLAIM_LINE, REWORDED_LINE, artifact_digests, commit_all, edit, git, make_locked_repo, make_repo

CLAIM = "claim-close-in-days"


def _suspects(repo: Path) -> list[dict[str, object]]:
    result = invoke("check", repo / "strategy", "--format", "json", cwd=repo)
    return [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "SL601"]


def _dependents_of(repo: Path, target: str) -> set[tuple[str, int]]:
    """Where every resolving reference to ``target`` sits, from the graph (not from the rule)."""
    graph = lint(Settings(root=repo / "strategy")).graph
    return {(edge.source.artifact.path, edge.span.line) for edge in graph.referrers(graph.nodes[target])}


def test_rewording_a_claim_makes_every_dependent_suspect_with_before_and_after(tmp_path: Path) -> None:
    repo = make_locked_repo(tmp_path)
    assert _suspects(repo) == []
    edit(repo / "strategy" / "narrative.yaml", CLAIM_LINE, REWORDED_LINE)
    found = _suspects(repo)
    assert {(d["path"], d["line"]) for d in found} == _dependents_of(repo, CLAIM)
    assert len(found) >= 2
    for diagnostic in found:
        message = str(diagnostic["message"])
        assert f"claim '{CLAIM}'" in message
        assert "'Customers close their books in three days.' → 'Customers close their books in five days.'" in message
        assert "owner: " in message


def test_owner_comment_key_order_and_quoting_change_nothing(tmp_path: Path) -> None:
    repo = make_locked_repo(tmp_path)
    narrative = repo / "strategy" / "narrative.yaml"
    edit(narrative, "owner: pmm-close", "owner: someone-else")
    edit(narrative, "# the headline claim", "# reworded comment, and a new one below\n        # about nothing")
    edit(narrative, "  - id: pp-northwind-close\n", "  - id: pp-northwind-close\n    tags: [fresh]\n    notes: n\n")
    edit(narrative, 'as_of: "2026-03-31"', "as_of: '2026-03-31'")
    edit(
        narrative,
        "    statement: Northwind cut its close from 12 days to 3.\n    source: Northwind case study\n",
        '    source: Northwind case study\n    statement: "Northwind cut its close from 12 days to 3."\n',
    )
    assert _suspects(repo) == []


def test_review_accept_clears_exactly_the_accepted_and_only_the_lock_changes(tmp_path: Path) -> None:
    repo = make_locked_repo(tmp_path)
    edit(repo / "strategy" / "narrative.yaml", CLAIM_LINE, REWORDED_LINE)
    commit_all(repo, "reword")
    before = artifact_digests(repo / "strategy")
    listed = invoke("review", "strategy", "--format", "json", cwd=repo)
    assert listed.exit_code == 1
    groups = json.loads(listed.stdout)["groups"]
    dependents = {s["dependent"] for g in groups for s in g["suspects"]}
    assert dependents == {"rm-auto-match", "msg-close-in-days"}
    assert {(g["function"], g["owner"]) for g in groups} == {("product", "pm-close"), ("marketing", "pmm-close")}

    accepted = invoke("review", "strategy", "--accept", "msg-close-in-days", cwd=repo)
    assert accepted.exit_code == 0, accepted.output
    assert {d["message"].split("'")[1] for d in _suspects(repo)} == {"rm-auto-match"}
    assert artifact_digests(repo / "strategy") == before
    changed = git(repo, "status", "--porcelain").stdout.split("\n")
    assert [line for line in changed if line] == [" M strategy/stratlint.lock"]

    assert invoke("review", "strategy", "--all", cwd=repo).exit_code == 0
    assert _suspects(repo) == []
    assert artifact_digests(repo / "strategy") == before


def test_review_text_groups_by_function_then_owner(tmp_path: Path) -> None:
    repo = make_locked_repo(tmp_path)
    edit(repo / "strategy" / "narrative.yaml", CLAIM_LINE, REWORDED_LINE)
    text = invoke("review", "strategy", cwd=repo).stdout
    lines = text.splitlines()
    assert lines.index("marketing") < lines.index("  pmm-close") < lines.index("product") < lines.index("  pm-close")
    assert "statement: 'Customers close their books in three days.' → " in text


def test_review_accept_unknown_id_is_a_usage_error_and_writes_nothing(tmp_path: Path) -> None:
    repo = make_locked_repo(tmp_path)
    lock = (repo / "strategy" / "stratlint.lock").read_bytes()
    result = run_stratlint("review", "strategy", "--accept", "msg-nope", cwd=repo)
    assert result.returncode == 2
    assert "msg-nope" in result.stderr
    assert (repo / "strategy" / "stratlint.lock").read_bytes() == lock


def test_lock_never_restamps_a_suspect_and_prunes_gone_references(tmp_path: Path) -> None:
    repo = make_locked_repo(tmp_path)
    edit(repo / "strategy" / "narrative.yaml", CLAIM_LINE, REWORDED_LINE)
    assert invoke("lock", "strategy", cwd=repo).exit_code == 0
    assert len(_suspects(repo)) == 2
    lock = repo / "strategy" / "stratlint.lock"
    assert "edge play-close-assessment value win-time-to-value" in lock.read_text()
    edit(repo / "strategy" / "playbook.yaml", "value: [win-time-to-value]", "value: [diff-continuous-reconciliation]")
    assert invoke("lock", "strategy", cwd=repo).exit_code == 0
    text = lock.read_text()
    assert "edge play-close-assessment value win-time-to-value" not in text
    assert "edge play-close-assessment value diff-continuous-reconciliation" in text
    assert len(_suspects(repo)) == 2


def test_lock_file_is_sorted_and_line_oriented(tmp_path: Path) -> None:
    repo = make_locked_repo(tmp_path)
    lines = [line for line in (repo / "strategy" / "stratlint.lock").read_text().splitlines() if line[:1] != "#"]
    assert lines == sorted(lines)
    assert all(line.startswith(("edge ", "node ")) for line in lines)


def test_missing_lock_means_no_suspects_and_one_finding_for_the_strategy(tmp_path: Path) -> None:
    """Without a lock nothing can be suspect, and that is never silent: one warning for the
    whole strategy (not a note that scrolls by) says to run 'stratlint lock'."""
    repo = make_repo(tmp_path)
    edit(repo / "strategy" / "narrative.yaml", CLAIM_LINE, REWORDED_LINE)
    result = invoke("check", "strategy", "--format", "json", cwd=repo)
    document = json.loads(result.stdout)
    [finding] = [d for d in document["diagnostics"] if d["code"].startswith("SL6")]
    assert finding["code"] == "SL605" and finding["path"] == "strategy" and "stratlint lock" in finding["message"]
    assert document["summary"]["notes"] == []
    text = invoke("check", "strategy", "--no-color", cwd=repo)
    assert text.exit_code == 0
    assert text.output.count("There is no review lock") == 1


def test_conflicted_lock_is_a_diagnostic_at_its_line_and_lock_refuses(tmp_path: Path) -> None:
    repo = make_locked_repo(tmp_path)
    lock = repo / "strategy" / "stratlint.lock"
    lines = lock.read_text().splitlines()
    lines[5:5] = ["<<<<<<< HEAD", "edge x y z 0123", "=======", ">>>>>>> other"]
    lock.write_text("\n".join(lines) + "\n")
    result = run_stratlint("check", "strategy", "--format", "json", cwd=repo)
    assert result.returncode == 1
    found = [(d["path"], d["line"]) for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "SL604"]
    assert found == [("strategy/stratlint.lock", n) for n in (6, 7, 8, 9)]
    assert "Traceback" not in result.stderr
    refused = run_stratlint("lock", "strategy", cwd=repo)
    assert refused.returncode == 2
    assert "stratlint.lock:6" in refused.stderr
    assert "<<<<<<< HEAD" in lock.read_text()


def test_lock_survives_a_merge_of_branches_that_accepted_different_reviews(tmp_path: Path) -> None:
    repo = make_locked_repo(tmp_path)
    edit(repo / "strategy" / "narrative.yaml", CLAIM_LINE, REWORDED_LINE)
    commit_all(repo, "reword the claim")
    git(repo, "checkout", "-qb", "product-review")
    assert invoke("review", "strategy", "--accept", "rm-auto-match", cwd=repo).exit_code == 0
    commit_all(repo, "product accepts")
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-qb", "marketing-review")
    assert invoke("review", "strategy", "--accept", "msg-close-in-days", cwd=repo).exit_code == 0
    commit_all(repo, "marketing accepts")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-edit", "product-review")
    merged = git(repo, "merge", "--no-edit", "marketing-review", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    text = (repo / "strategy" / "stratlint.lock").read_text()
    assert "<<<<<<<" not in text
    assert _suspects(repo) == []
    result = invoke("check", "strategy", "--format", "json", cwd=repo)
    assert not [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "SL604"]


def test_accepting_a_play_accepts_its_objections_and_claims_stay_suspect(tmp_path: Path) -> None:
    repo = make_locked_repo(tmp_path)
    edit(repo / "strategy" / "narrative.yaml", "from 12 days to 3.", "from 12 days to 4.")
    found = {d["message"].split("'")[1] for d in _suspects(repo)}
    assert found == {"obj-too-risky", "msg-close-in-days", "claim-close-in-days", "claim-no-spreadsheets"}
    assert invoke("review", "strategy", "--accept", "play-close-assessment,msg-close-in-days", cwd=repo).exit_code == 0
    assert {d["message"].split("'")[1] for d in _suspects(repo)} == {"claim-close-in-days", "claim-no-spreadsheets"}


def test_an_objection_answers_to_its_play(tmp_path: Path) -> None:
    """A suspect reference in a play's objection is the play's to review: accepting the play
    reports it as accepted, and a release that includes the play is not ready."""
    repo = make_locked_repo(tmp_path)
    edit(repo / "strategy" / "narrative.yaml", "from 12 days to 3.", "from 12 days to 4.")
    check = json.loads(invoke("check", repo / "strategy", "--format", "json", cwd=repo).stdout)
    not_ready = [d for d in check["diagnostics"] if d["code"] == "SL703"]
    assert [d["message"].split("'")[3] for d in not_ready if "play" in d["message"]] == ["play-close-assessment"]
    assert all(d["path"] == "strategy/release.yaml" for d in not_ready)
    accepted = invoke("review", "strategy", "--accept", "play-close-assessment", cwd=repo)
    assert accepted.exit_code == 0
    assert accepted.stdout.startswith("Accepted obj-too-risky: 1 reference(s) re-stamped.")
    assert "nothing to accept" not in accepted.stdout
