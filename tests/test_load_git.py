"""Reading the strategy at a git revision gives what reading the same files from disk gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gitrepo import commit_all, git, new_repository, replace_in

from stratlint import StratlintError
from stratlint.analysis.check import lint
from stratlint.analysis.settings import Settings
from stratlint.vcs.compare import lint_revision
from stratlint.vcs.git import revision_sources


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = new_repository(tmp_path / "repo")
    replace_in(repo / "strategy/sales/pe-backed.yaml", "priority: prio.win-multi-entity", "priority: prio.nowhere")
    (repo / "strategy/broken.yaml").write_text("stratlint: 1\nkind: roadmap\nid: [oops\n", encoding="utf-8")
    (repo / "strategy/.drafts").mkdir()
    (repo / "strategy/.drafts/idea.yaml").write_text("not: a strategy file\n", encoding="utf-8")
    (repo / "strategy/README.md").write_text("Not YAML.\n", encoding="utf-8")
    commit_all(repo, "Strategy with problems")
    return repo


def test_a_revision_reads_like_the_working_tree(repo: Path) -> None:
    settings = Settings(root=repo / "strategy")
    from_disk = lint(settings)
    from_git = lint_revision(settings, "HEAD")
    assert from_disk.diagnostics, "the planted problems are found"
    assert from_git.diagnostics == from_disk.diagnostics
    assert from_git.summary == from_disk.summary
    assert [a.path for a in from_git.graph.loaded] == [a.path for a in from_disk.graph.loaded]
    assert not any(".drafts" in a.path for a in from_git.graph.loaded)


def test_a_revision_is_read_as_committed_not_as_edited(repo: Path) -> None:
    committed = lint_revision(Settings(root=repo / "strategy"), "HEAD")
    (repo / "strategy/value.yaml").unlink()
    replace_in(repo / "strategy/sales/pe-backed.yaml", "priority: prio.nowhere", "priority: prio.win-multi-entity")
    assert lint_revision(Settings(root=repo / "strategy"), "HEAD").diagnostics == committed.diagnostics


def test_the_first_revision_is_read_when_the_root_was_elsewhere(repo: Path) -> None:
    git(repo, "mv", "strategy", "gtm")
    commit_all(repo, "Move the strategy")
    loaded = revision_sources(repo, git(repo, "rev-parse", "HEAD~1").strip(), "gtm")
    assert loaded == []
    assert lint_revision(Settings(root=repo / "gtm"), "HEAD~1").summary.files == 0


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links are not available here")
def test_links_are_followed_inside_the_revision_and_not_out_of_it(repo: Path, tmp_path: Path) -> None:
    shared = repo / "shared"
    shared.mkdir()
    os.rename(repo / "strategy/priorities.yaml", shared / "priorities.yaml")
    os.symlink("../shared/priorities.yaml", repo / "strategy/priorities.yaml")
    outside = tmp_path / "outside.yaml"
    outside.write_text("stratlint: 1\n", encoding="utf-8")
    os.symlink(outside, repo / "strategy/outside.yaml")
    commit_all(repo, "Share the priorities")
    from_git = lint_revision(Settings(root=repo / "strategy"), "HEAD")
    assert not any(d.path == "strategy/priorities.yaml" for d in from_git.diagnostics)
    assert not any(d.name == "missing-primary-priority" for d in from_git.diagnostics)
    by_path = {a.path: a for a in from_git.graph.loaded}
    assert by_path["strategy/priorities.yaml"].model is not None
    assert [p.kind for p in by_path["strategy/outside.yaml"].problems] == ["unreadable-file"]
    # Worded as on disk, so an unchanged link is not a new finding under --diff.
    on_disk = [d for d in lint(Settings(root=repo / "strategy")).diagnostics if d.path == "strategy/outside.yaml"]
    assert [d for d in from_git.diagnostics if d.path == "strategy/outside.yaml"] == on_disk


def test_a_file_over_the_size_limit_is_not_read(repo: Path) -> None:
    settings = Settings(root=repo / "strategy", max_file_size=2_000)
    from_disk, from_git = lint(settings), lint_revision(settings, "HEAD")
    too_large = [d for d in from_git.diagnostics if d.name == "file-too-large"]
    assert too_large, "some bundled files are larger than 2,000 bytes"
    assert from_git.diagnostics == from_disk.diagnostics


def test_a_root_outside_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(StratlintError, match="outside the git repository"):
        lint_revision(Settings(root=elsewhere, repo_root=repo), "HEAD")
