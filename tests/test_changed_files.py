"""`check FILE...` as a pre-commit hook runs it: the whole root is checked, whichever files were
passed, and findings a change causes in other files name the change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gitrepo import commit_all, new_repository, replace_in

from stratlint.analysis.check import lint
from stratlint.analysis.settings import Settings
from stratlint.diagnostics import fingerprint
from stratlint.vcs.compare import check_changes as review

from conftest import Templates, invoke

NARRATIVE = "strategy/narrative.yaml"
RENAMED = "claim.close-in-5-days"
NOTE = "(in a file you did not change; it follows from your change to strategy/narrative.yaml)"
LINE = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<column>\d+): (?P<code>SL\d{3}) ")


def _rename_claim(repo: Path) -> None:
    """Rename a claim that messages, roadmap items and plays in other files cite."""
    replace_in(repo / NARRATIVE, "- id: claim.close-in-five-days", f"- id: {RENAMED}")


def _findings(output: str) -> list[tuple[str, str, str]]:
    return [
        (m["path"], m["line"], m["code"]) for m in (LINE.match(line) for line in output.splitlines()) if m is not None
    ]


def _committed(folder: Path) -> None:
    repo = new_repository(folder / "repo")
    (repo / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    commit_all(repo, "Clean strategy")


@pytest.fixture
def repo(tmp_path: Path, templates: Templates) -> Path:
    templates.fill("changed-files-repo", _committed, tmp_path)
    return tmp_path / "repo"


def test_the_result_does_not_depend_on_which_files_are_passed(repo: Path) -> None:
    _rename_claim(repo)
    runs = [
        invoke("check", cwd=repo),
        invoke("check", NARRATIVE, cwd=repo),
        invoke("check", "strategy/value.yaml", cwd=repo),
        invoke("check", ".pre-commit-config.yaml", cwd=repo),
        invoke("check", NARRATIVE, "strategy/value.yaml", "strategy/sales/new-logo.yaml", cwd=repo),
        invoke("check", "strategy", NARRATIVE, cwd=repo),
    ]
    whole = _findings(runs[0].output)
    assert len({path for path, _, code in whole if code == "SL201"}) > 1, "the rename breaks several files"
    for run in runs:
        assert run.exit_code == 1
        assert _findings(run.output) == whole


def test_findings_in_files_not_passed_name_the_change(repo: Path) -> None:
    _rename_claim(repo)
    result = invoke("check", NARRATIVE, cwd=repo)
    lines = [line for line in result.output.splitlines() if LINE.match(line)]
    elsewhere = [line for line in lines if not line.startswith(NARRATIVE)]
    assert elsewhere and all(line.endswith(NOTE) for line in elsewhere)
    assert all("claim.close-in-five-days" in line for line in elsewhere)
    in_changed_file = [line for line in lines if line.startswith(NARRATIVE)]
    assert in_changed_file and not any("you did not change" in line for line in in_changed_file)


def test_findings_already_committed_get_no_note(repo: Path) -> None:
    replace_in(repo / "strategy/sales/pe-backed.yaml", "priority: prio.win-multi-entity", "priority: prio.nowhere")
    commit_all(repo, "A broken priority")
    _rename_claim(repo)
    result = invoke("check", NARRATIVE, cwd=repo)
    # The finding's own line, not the code frame under it that quotes the file.
    [old] = [line for line in result.output.splitlines() if "prio.nowhere" in line and line.startswith("strategy/")]
    assert "you did not change" not in old
    assert any(line.endswith(NOTE) for line in result.output.splitlines())


def test_several_changed_files_are_all_named(repo: Path) -> None:
    _rename_claim(repo)
    replace_in(repo / "strategy/value.yaml", "stratlint: 1", "stratlint: 1\n# reviewed")
    result = invoke("check", NARRATIVE, "strategy/value.yaml", cwd=repo)
    assert "it follows from your changes to strategy/narrative.yaml, strategy/value.yaml)" in result.output


def test_passed_files_that_did_not_change_are_not_blamed(repo: Path) -> None:
    # `pre-commit run --all-files` passes every file; only the edited one is the cause.
    _rename_claim(repo)
    result = invoke("check", NARRATIVE, "strategy/value.yaml", cwd=repo)
    assert NOTE in result.output


def test_before_the_first_commit_there_is_nothing_to_compare(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "fresh")
    _rename_claim(repo)
    result = invoke("check", NARRATIVE, cwd=repo)
    assert result.exit_code == 1
    assert "you did not change" not in result.output
    assert _findings(result.output) == _findings(invoke("check", cwd=repo).output)


def test_notes_keep_fingerprints(repo: Path) -> None:
    _rename_claim(repo)
    settings = Settings(root=repo / "strategy")
    plain = lint(settings)
    noted = review(settings, changed_files=[repo / NARRATIVE])
    assert [d.message for d in noted.diagnostics] != [d.message for d in plain.diagnostics]
    assert [fingerprint(d) for d in noted.diagnostics] == [fingerprint(d) for d in plain.diagnostics]


def test_two_folders_are_a_usage_error(repo: Path) -> None:
    (repo / "other").mkdir()
    result = invoke("check", "strategy", "other", cwd=repo)
    assert result.exit_code == 2
    assert "pass one strategy folder" in result.output


def test_diff_and_changed_files_together(repo: Path) -> None:
    replace_in(repo / "strategy/sales/pe-backed.yaml", "priority: prio.win-multi-entity", "priority: prio.nowhere")
    commit_all(repo, "A broken priority")
    _rename_claim(repo)
    result = invoke("check", "--diff", "HEAD", NARRATIVE, cwd=repo)
    assert result.exit_code == 1
    assert "prio.nowhere" not in result.output, "old findings are left out with --diff"
    assert NOTE in result.output
    assert "new since the base revision" in result.output
