"""stratlint impact --diff, on real two-commit git repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import stratlint.load.loader
import stratlint.vcs.impact
from stratlint.analysis.check import lint
from stratlint.analysis.settings import Settings
from stratlint.model import NodeType

from conftest import invoke, run_stratlint
from drift_repo import CLAIM_LINE, REWORDED_LINE, commit_all, edit, git, make_repo

CLAIM = "claim-close-in-days"


def _expected_dependents(repo: Path, changed: str) -> set[str]:
    """The documented definition, computed straight from the graph's edges: entries referencing
    the node, or (for a claim) its pillar; an objection counts for its play."""
    graph = lint(Settings(root=repo / "strategy")).graph
    node = graph.nodes[changed]
    targets = {changed}
    if node.type is NodeType.CLAIM and node.parent is not None:
        targets.add(node.parent.id)
    found = set()
    for edge in graph.edges:
        if edge.target_id in targets:
            source = edge.source
            while source.type not in (NodeType.ROADMAP_ITEM, NodeType.MESSAGE, NodeType.PLAY):
                assert source.parent is not None
                source = source.parent
            found.add(source.id)
    return found


@pytest.fixture
def two_commits(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path)
    assert invoke("lock", "strategy", cwd=repo).exit_code == 0
    commit_all(repo, "lock")
    edit(repo / "strategy" / "narrative.yaml", CLAIM_LINE, REWORDED_LINE)
    commit_all(repo, "reword the claim")
    return repo


def test_impact_lists_exactly_the_dependents_of_the_changed_node(two_commits: Path) -> None:
    repo = two_commits
    result = invoke("impact", "strategy", "--diff", "HEAD~1", "--format", "json", cwd=repo)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [(c["id"], c["change"]) for c in document["changed_nodes"]] == [(CLAIM, "changed")]
    assert document["changed_nodes"][0]["fields"] == [
        {
            "field": "statement",
            "before": "Customers close their books in three days.",
            "after": "Customers close their books in five days.",
        }
    ]
    dependents = {d["id"] for d in document["dependents"]}
    assert dependents == _expected_dependents(repo, CLAIM)
    assert {"rm-auto-match", "msg-close-in-days", "play-close-assessment"} <= dependents
    assert "rm-checklist-import" not in dependents
    assert document["changed_files"] == ["strategy/narrative.yaml"]
    added = {f["code"] for f in document["findings"]["added"]}
    assert "SL601" in added
    assert all(len(f["fingerprint"]) == 32 for f in document["findings"]["added"])
    assert document["findings"]["removed"] == []
    assert document["by_function"]["product"] == {"pm-close": ["rm-auto-match"]}


def test_impact_parses_only_changed_files_at_base_and_leaves_the_tree_alone(
    two_commits: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = two_commits
    parsed: list[str] = []
    real = stratlint.load.loader.load_bytes

    def counting(data: bytes, path: str, **kwargs: object) -> object:
        parsed.append(path)
        return real(data, path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(stratlint.load.loader, "load_bytes", counting)
    edit(repo / "strategy" / "messaging.yaml", "Close in days, not weeks", "Close in days")
    status = git(repo, "status", "--porcelain").stdout
    result = invoke("impact", "strategy", "--diff", "HEAD~1", cwd=repo)
    assert result.exit_code == 0, result.output
    assert sorted(parsed) == ["strategy/messaging.yaml", "strategy/narrative.yaml"]
    assert git(repo, "status", "--porcelain").stdout == status


def test_impact_markdown_has_a_mermaid_graph_of_the_impacted_subgraph(two_commits: Path) -> None:
    result = invoke("impact", "strategy", "--diff", "HEAD~1", "--format", "markdown", cwd=two_commits)
    text = result.stdout
    block = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block.startswith("flowchart")
    for node_id in _expected_dependents(two_commits, CLAIM) | {CLAIM}:
        assert f"'{node_id}'" in block
    assert "rm-checklist-import" not in block
    assert "| Function | Owner |" in text


def test_impact_text_groups_by_function_and_owner(two_commits: Path) -> None:
    text = invoke("impact", "strategy", "--diff", "HEAD~1", cwd=two_commits).stdout
    assert "claim 'claim-close-in-days' changed" in text
    assert "  product\n    pm-close\n      roadmap item 'rm-auto-match'" in text
    assert "through pillar 'pillar-continuous-close'" in text


def test_impact_reports_removed_findings(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    edit(repo / "strategy" / "roadmap.yaml", "narrative: [claim-no-spreadsheets]", "narrative: [claim-nope]")
    commit_all(repo, "broken")
    edit(repo / "strategy" / "roadmap.yaml", "narrative: [claim-nope]", "narrative: [claim-no-spreadsheets]")
    commit_all(repo, "fixed")
    document = json.loads(invoke("impact", "strategy", "--diff", "HEAD~1", "--format", "json", cwd=repo).stdout)
    assert "SL201" in {f["code"] for f in document["findings"]["removed"]}
    assert document["changed_nodes"] == []


def test_impact_unknown_base_is_exit_2(two_commits: Path) -> None:
    result = run_stratlint("impact", "strategy", "--diff", "no-such-branch", cwd=two_commits)
    assert result.returncode == 2
    assert "no-such-branch" in result.stderr
    assert "Traceback" not in result.stderr
