"""stratlint mv: a rename rewrites the id tokens and nothing else, in real git repositories,
and the splice engine it runs on (stratlint.edit), which the language server's rename uses."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from gitrepo import commit_all, git, new_repository
from hypothesis import given, settings
from hypothesis import strategies as st

import stratlint.edit.rename as rename_module
import stratlint.edit.write as write_module
from stratlint.edit.rename import (
    EditRefused,
    RefusalKind,
    check_new_id,
    id_at,
    plan_rename,
)
from stratlint.edit.splice import SetId, SpliceError, needs_quotes, plan_edits, verify
from stratlint.edit.text import LineIndex, apply_edits, lsp_position, unified_diff
from stratlint.graph import build_graph
from stratlint.load.artifact import load_bytes

from conftest import STRATEGY, Templates, invoke

PROOF_POINT = "pp.calloway-intercompany"
"""Cited by two claims, whose wording (their proof points) the lock stamps: the hard case."""
SEGMENT = "seg.multi-entity"
"""Referenced 71 times in ten files, in flow and block lists."""


def _token(node_id: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9.-]){re.escape(node_id)}(?![a-z0-9-]|\.[a-z0-9])")


def renamed(text: str, old: str, new: str) -> str:
    return _token(old).sub(new, text)


def findings(repo: Path) -> tuple[int, list[tuple[str, str, int, str, str]], object]:
    result = invoke("check", "strategy", "--format", "json", "--no-cache", cwd=repo)
    document = json.loads(result.stdout)
    found = sorted((d["code"], d["path"], d["line"], d["severity"], d["message"]) for d in document["diagnostics"])
    return result.exit_code, found, document["summary"]


def _plant_findings(repo: Path) -> None:
    """Findings that name the ids the tests rename, so 'the same findings' says something."""
    messaging = repo / "strategy" / "marketing" / "core-messaging.yaml"
    text = messaging.read_text(encoding="utf-8")
    first = "    narrative: [pillar.scale-without-headcount"
    assert first in text
    # A segment listed where a pillar or claim belongs: a wrong-kind reference that names it.
    messaging.write_text(text.replace(first, f"    narrative: [{SEGMENT}, pillar.scale-without-headcount", 1))
    launches = repo / "strategy" / "marketing" / "launches.yaml"
    text = launches.read_text(encoding="utf-8")
    value = "    value: [diff.intercompany-engine, belief.scale-without-headcount]"
    assert value in text
    # A proof point listed as a value node.
    launches.write_text(text.replace(value, f"    value: [diff.intercompany-engine, {PROOF_POINT}]", 1))


def _planted_and_locked(folder: Path) -> None:
    repo = new_repository(folder / "repo")
    _plant_findings(repo)
    assert invoke("lock", "strategy", cwd=repo).exit_code == 0  # the planted edits removed two references
    commit_all(repo, "strategy")


@pytest.fixture
def repo(tmp_path: Path, templates: Templates) -> Path:
    templates.fill("rename-repo", _planted_and_locked, tmp_path)
    return tmp_path / "repo"


def _word_changes(repo: Path) -> list[str]:
    """The words git's word diff removes and adds in the strategy files, ids counted as
    words. (The lock is sorted: a renamed stamp may move to another line; see _lock_moved.)"""
    out = git(
        repo,
        "diff",
        "--word-diff=porcelain",
        "--word-diff-regex=[a-z0-9][a-z0-9._-]*|[^[:space:]]",
        "--",
        ".",
        ":(exclude)strategy/stratlint.lock",
    )
    return [line for line in out.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def _stamps(text: str) -> list[tuple[str, str, str]]:
    return sorted(tuple(line.split()[1:4]) for line in text.splitlines() if line.startswith("edge "))  # type: ignore[misc]


def _lock_moved(repo: Path, before: str, old: str, new: str) -> None:
    """The lock stamps the same references, under the new id."""
    after = (repo / "strategy" / "stratlint.lock").read_text(encoding="utf-8")
    assert _stamps(after) == sorted(tuple(renamed(" ".join(key), old, new).split()) for key in _stamps(before))


@pytest.mark.parametrize(("old", "new"), [(PROOF_POINT, "pp.calloway-eliminations"), (SEGMENT, "seg.groups")])
def test_mv_on_the_bundled_strategy_changes_only_id_tokens(repo: Path, old: str, new: str) -> None:
    code_before, before, summary_before = findings(repo)
    assert any(old in message for *_, message in before)
    lock_before = (repo / "strategy" / "stratlint.lock").read_text(encoding="utf-8")
    result = invoke("mv", old, new, "strategy", cwd=repo)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Renamed '{old}' to '{new}': the definition and ")
    words = _word_changes(repo)
    assert words
    assert {line for line in words if line.startswith("-")} == {f"-{old}"}
    assert {line for line in words if line.startswith("+")} == {f"+{new}"}
    assert sum(line.startswith("-") for line in words) == sum(line.startswith("+") for line in words)
    _lock_moved(repo, lock_before, old, new)
    # git's own words (split at white space): each removed word comes back with the id renamed.
    plain = git(repo, "diff", "--word-diff=porcelain", "--", ".", ":(exclude)strategy/stratlint.lock").splitlines()
    removed = [line[1:] for line in plain if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in plain if line.startswith("+") and not line.startswith("+++")]
    assert removed and [renamed(word, old, new) for word in removed] == added
    # The id is nowhere left in a strategy file or the lock. The configuration's policy may
    # name it (the bundled one selects messages by segment): that is said, not rewritten.
    for path in (repo / "strategy").rglob("*"):
        if path.is_file() and path.name != "stratlint.toml":
            assert not _token(old).search(path.read_text(encoding="utf-8")), path
    if _token(old).search((repo / "strategy" / "stratlint.toml").read_text(encoding="utf-8")):
        assert f"Note: strategy/stratlint.toml names '{old}' (line" in result.output
    code_after, after, summary_after = findings(repo)
    assert code_after == code_before
    assert after == sorted((c, p, line, s, renamed(m, old, new)) for c, p, line, s, m in before)
    assert summary_after == summary_before
    # Nothing became suspect, and the lock is what 'stratlint lock' would write.
    review = invoke("review", "strategy", "--format", "json", cwd=repo)
    assert review.exit_code == 0, review.output
    assert json.loads(review.stdout)["count"] == 0
    lock = (repo / "strategy" / "stratlint.lock").read_bytes()
    assert invoke("lock", "strategy", cwd=repo).exit_code == 0
    assert (repo / "strategy" / "stratlint.lock").read_bytes() == lock


def test_mv_renames_in_release_plans_governance_and_replaced_by(repo: Path) -> None:
    narrative = repo / "strategy" / "narrative.yaml"
    text = narrative.read_text(encoding="utf-8")
    anchor = "  - id: pp.calloway-intercompany\n"
    assert anchor in text
    # A retired proof point replaced by the one renamed below.
    retired = (
        "  - id: pp.calloway-old\n"
        "    statement: Calloway removed 900 manual entries a month.\n"
        "    source: Calloway Health Partners, 2025\n"
        "    status: retired\n"
        "    replaced_by: 'pp.calloway-intercompany'   # the newer figure\n"
    )
    narrative.write_text(text.replace(anchor, retired + anchor, 1), encoding="utf-8")
    commit_all(repo, "retired proof point")
    for old, new in [
        ("prio.win-multi-entity", "prio.win-groups"),  # governance, every plan
        ("rm.close.flux-drafting-v2", "rm.close.flux-v2"),  # the release plan
        ("metric.win-rate-vs-enterprise", "metric.enterprise-win-rate"),  # governance and the release plan
        (PROOF_POINT, "pp.calloway-ic"),  # replaced_by
    ]:
        _, before, _ = findings(repo)
        lock_before = (repo / "strategy" / "stratlint.lock").read_text(encoding="utf-8")
        result = invoke("mv", old, new, "strategy", cwd=repo)
        assert result.exit_code == 0, result.output
        _, after, _ = findings(repo)
        assert after == sorted((c, p, line, s, renamed(m, old, new)) for c, p, line, s, m in before)
        words = _word_changes(repo)
        assert {line[1:] for line in words} == {old, new}, (old, words)
        _lock_moved(repo, lock_before, old, new)
        commit_all(repo, f"mv {old} {new}")
    assert "    replaced_by: 'pp.calloway-ic'   # the newer figure\n" in narrative.read_text(encoding="utf-8")
    release = (repo / "strategy" / "releases" / "flux-explanations-v2.yaml").read_text(encoding="utf-8")
    assert "  - rm.close.flux-v2\n" in release and "  - metric.enterprise-win-rate\n" in release


CRAFTED = """\
# yaml-language-server: $schema=../../schemas/roadmap.schema.json
# Crafted for the byte test: OLD in a comment stays as it is.
stratlint: 1
kind: "roadmap"
id: 'roadmap.consolidation'
title: Consolidation   # a comment after a value
owner: pm-consolidation
items:
  - id: rm.one   # the first item
    title: "One"
    owner: pm-a
    status: shipped
    horizon: 2026-Q3
    segments: [ {ID} , 'seg.pe-backed' ]   # a flow list, spaces and all
    value:
      - "{ID}"        # double-quoted, in a block list
      - diff.intercompany-engine
    narrative: [claim.intercompany-automated]
    priority: prio.win-multi-entity
    rationale:
      value: The OLD segment, named in prose, stays.
      narrative: It tells the intercompany claim.
      priority: It serves the primary priority.
  - id: rm.two
    title: Two
    owner: pm-b
    status: planned
    horizon: 2027-Q2
    segments:
    - '{ID}'
    value: [ "{ID}",{ID}]
    narrative:   [claim.intercompany-automated]
    priority: prio.win-multi-entity
    rationale: {value: v, narrative: n, priority: p}
"""


def _crafted(old_id: str, new_id: str, *, crlf: bool) -> bytes:
    text = CRAFTED.replace("{ID}", new_id).replace("OLD", old_id)
    return (text.replace("\n", "\r\n") if crlf else text).encode("utf-8")


@pytest.mark.parametrize("crlf", [True, False])
def test_a_crafted_file_keeps_every_other_byte(tmp_path: Path, crlf: bool) -> None:
    repo = new_repository(tmp_path / "repo")
    target = repo / "strategy" / "product" / "consolidation.yaml"
    target.write_bytes(_crafted(SEGMENT, SEGMENT, crlf=crlf))
    commit_all(repo, "crafted")
    assert b"\r\n" in target.read_bytes() if crlf else b"\r" not in target.read_bytes()
    result = invoke("mv", SEGMENT, "seg.multi-entity-groups", "strategy", cwd=repo)
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == _crafted(SEGMENT, "seg.multi-entity-groups", crlf=crlf)
    # What the note says was left: the comment and the prose.
    assert "is also written where no id is read (strategy/product/consolidation.yaml:2:" in result.output
    assert ":21:18)" in result.output


def test_dry_run_prints_a_patch_git_applies_and_writes_nothing(repo: Path) -> None:
    result = invoke("mv", SEGMENT, "seg.groups", "strategy", "--dry-run", cwd=repo)
    assert result.exit_code == 0, result.output
    assert git(repo, "status", "--porcelain") == ""
    assert result.stdout.startswith("--- a/strategy/")
    assert "+++ b/strategy/stratlint.lock\n" in result.stdout
    (repo / "patch.diff").write_text(result.stdout, encoding="utf-8")
    git(repo, "apply", "--check", "patch.diff")
    git(repo, "apply", "patch.diff")
    (repo / "patch.diff").unlink()
    patched = {path: path.read_bytes() for path in (repo / "strategy").rglob("*.yaml")}
    git(repo, "checkout", "--", ".")
    assert invoke("mv", SEGMENT, "seg.groups", "strategy", cwd=repo).exit_code == 0
    assert {path: path.read_bytes() for path in (repo / "strategy").rglob("*.yaml")} == patched


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("seg.nothing", "seg.something", "'seg.nothing' is not the id of anything in the strategy."),
        (SEGMENT, "Seg Multi", "'Seg Multi' is not a valid id: use lowercase letters, digits, dots and dashes"),
        (SEGMENT, "seg.pre-ipo", "'seg.pre-ipo' is already taken: segment 'seg.pre-ipo' at strategy/value.yaml:"),
        (SEGMENT, SEGMENT, f"'{SEGMENT}' is already called '{SEGMENT}'."),
    ],
)
def test_refusals_are_one_line_exit_2_and_write_nothing(repo: Path, old: str, new: str, says: str) -> None:
    for extra in ((), ("--dry-run",)):
        result = invoke("mv", old, new, "strategy", *extra, cwd=repo)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr.startswith("stratlint: mv: " + says)
        assert result.stderr.count("\n") == 1
    assert git(repo, "status", "--porcelain") == ""


def test_a_failed_check_writes_nothing(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = rename_module.verify

    def fussy(loaded, new_text, changes, document):  # type: ignore[no-untyped-def]
        if loaded.path.endswith("pe-backed.yaml"):
            raise SpliceError(f"{loaded.path}: after the edit, the value at /plays/0 would read differently")
        return real(loaded, new_text, changes, document)

    monkeypatch.setattr(rename_module, "verify", fussy)
    result = invoke("mv", SEGMENT, "seg.groups", "strategy", cwd=repo)
    assert result.exit_code == 2
    assert "pe-backed.yaml: after the edit, the value at /plays/0 would read differently" in result.stderr
    assert "nothing was changed" in result.stderr
    assert git(repo, "status", "--porcelain") == ""


def test_a_failed_write_puts_back_what_was_written(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = write_module.atomic_write
    calls: list[Path] = []

    def failing(path: Path, content: bytes, **kwargs: object) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(path, content)

    monkeypatch.setattr(write_module, "atomic_write", failing)
    result = invoke("mv", SEGMENT, "seg.groups", "strategy", cwd=repo)
    assert result.exit_code == 2
    assert "No space left on device; nothing was changed." in result.stderr
    assert git(repo, "status", "--porcelain") == ""


def test_a_file_changed_after_planning_is_not_overwritten(repo: Path) -> None:
    graph = _graph(repo / "strategy", repo)
    plan = plan_rename(graph, SEGMENT, "seg.groups")
    victim = repo / plan.files[1].path
    victim.write_text(victim.read_text(encoding="utf-8") + "# edited meanwhile\n", encoding="utf-8")
    with pytest.raises(EditRefused) as refused:
        write_module.write_plan(plan, repo)
    assert refused.value.refusal.kind is RefusalKind.STALE
    assert git(repo, "status", "--porcelain").strip() == f"M {plan.files[1].path}"


# -- the engine, as the language server calls it ----------------------------------------------------------


def _graph(root: Path, repo: Path, overlay: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    loaded = []
    for path in sorted(root.rglob("*.yaml")):
        relpath = path.relative_to(repo).as_posix()
        data = (overlay or {}).get(relpath)
        raw = data.encode("utf-8") if data is not None else path.read_bytes()
        loaded.append(load_bytes(raw, relpath))
    return build_graph(loaded, root.relative_to(repo).as_posix())


def test_check_new_id_says_why_not(tmp_path: Path) -> None:
    shutil.copytree(STRATEGY, tmp_path / "strategy")
    graph = _graph(tmp_path / "strategy", tmp_path)
    assert check_new_id(graph, SEGMENT, "seg.groups") is None
    cases = {
        ("seg.none", "seg.groups"): RefusalKind.NOT_AN_ID,
        (SEGMENT, "Seg"): RefusalKind.INVALID_ID,
        (SEGMENT, "seg."): RefusalKind.INVALID_ID,
        (SEGMENT, "seg.pre-ipo"): RefusalKind.TAKEN,
        (SEGMENT, "roadmap.consolidation"): RefusalKind.TAKEN,
    }
    for (old, new), kind in cases.items():
        refusal = check_new_id(graph, old, new)
        assert refusal is not None and refusal.kind is kind, (old, new)
        with pytest.raises(EditRefused):
            plan_rename(graph, old, new)


def test_id_at_finds_definitions_and_references(tmp_path: Path) -> None:
    shutil.copytree(STRATEGY, tmp_path / "strategy")
    graph = _graph(tmp_path / "strategy", tmp_path)
    value = "strategy/value.yaml"
    line = next(n for n, text in enumerate((tmp_path / value).read_text().splitlines(), 1) if f"id: {SEGMENT}" in text)
    found = id_at(graph, value, line, 9)
    assert found is not None and found.id == SEGMENT and found.definition
    assert (found.range.line, found.range.column, found.range.end_column) == (line, 9, 9 + len(SEGMENT))
    assert id_at(graph, value, line, 9 + len(SEGMENT)) is not None  # just after the last character
    assert id_at(graph, value, line, 3) is None  # the key
    plan_path = "strategy/product/consolidation.yaml"
    lines = (tmp_path / plan_path).read_text().splitlines()
    number = next(n for n, text in enumerate(lines, 1) if text.startswith("    segments: [seg.multi-entity"))
    reference = id_at(graph, plan_path, number, lines[number - 1].index(SEGMENT) + 2)
    assert reference is not None and not reference.definition and reference.node is graph.node(SEGMENT)


def test_a_plan_over_unsaved_buffers_edits_the_buffers(tmp_path: Path) -> None:
    shutil.copytree(STRATEGY, tmp_path / "strategy")
    path = "strategy/product/consolidation.yaml"
    unsaved = (
        "items:  # unsaved\n  - id: rm.unsaved\n    title: Unsaved\n    owner: pm-a\n    status: planned\n"
        f"    horizon: 2027-Q4\n    segments: [{SEGMENT}]\n"
    )
    buffer = (tmp_path / path).read_text(encoding="utf-8").replace("items:\n", unsaved, 1)
    graph = _graph(tmp_path / "strategy", tmp_path, {path: buffer})
    plan = plan_rename(graph, SEGMENT, "seg.groups")
    edited = next(item for item in plan.files if item.path == path)
    assert edited.old_text == buffer
    assert "    segments: [seg.groups]\n" in edited.new_text and "items:  # unsaved\n" in edited.new_text
    assert apply_edits(edited.old_text, edited.edits) == edited.new_text
    for edit in edited.edits:
        assert edited.old_text[edit.start : edit.end] == SEGMENT and edit.new_text == "seg.groups"
        index = LineIndex(edited.old_text)
        assert index.position(edit.start) == (edit.range.line, edit.range.column)
        (line, character), _ = edit.lsp_range(edited.old_text)
        assert (line + 1, character + 1) == (edit.range.line, edit.range.column)


def test_lsp_positions_count_utf16_code_units() -> None:
    text = "a: x\nb: [\U0001f600, é, seg.x]\n"
    offset = text.index("seg.x")
    assert lsp_position(text, offset) == (1, 11)  # the emoji is two UTF-16 code units
    assert lsp_position(text, offset, "utf-32") == (1, 10)
    assert lsp_position(text, offset, "utf-8") == (1, 14)  # and four bytes, and 'é' two


# -- the splice engine itself ----------------------------------------------------------------------------

HEADER = "stratlint: 1\nkind: narrative\nid: narrative\nthesis: T\n"


def _splice(body: str, changes: list[SetId]) -> str:
    text = HEADER + body
    loaded = load_bytes(text.encode("utf-8"), "narrative.yaml")
    edits = plan_edits(text, loaded.source_map, changes)
    new_text = apply_edits(text, edits)
    verify(loaded, new_text, changes)
    return new_text[len(HEADER) :]


PILLAR = "pillars:\n  - id: pillar.a\n    name: A\n    statement: S\n    claims:\n"


def test_a_new_id_that_would_not_read_as_text_is_quoted() -> None:
    body = PILLAR + "      - id: c1\n        statement: T\n        proof_points: [old, 'old', \"old\"]\n"
    changes = [SetId(f"/pillars/0/claims/0/proof_points/{i}", "old", "2027") for i in range(3)]
    assert _splice(body, changes).endswith("proof_points: ['2027', '2027', \"2027\"]\n")
    changes = [SetId(f"/pillars/0/claims/0/proof_points/{i}", "old", "true") for i in range(3)]
    assert _splice(body, changes).endswith("proof_points: ['true', 'true', \"true\"]\n")


def test_an_anchored_id_and_its_alias_are_one_edit() -> None:
    body = (
        PILLAR
        + "      - id: c1\n        statement: T\n        proof_points: [&p old]\n"
        + "      - id: c2\n        statement: U\n        proof_points: [*p]\n"
    )
    changes = [
        SetId("/pillars/0/claims/0/proof_points/0", "old", "new"),
        SetId("/pillars/0/claims/1/proof_points/0", "old", "new"),
    ]
    assert _splice(body, changes) == body.replace("&p old", "&p new")


def test_escapes_inside_quotes_are_rewritten_as_the_id() -> None:
    body = PILLAR + '      - id: c1\n        statement: T\n        proof_points: ["o\\x6cd"]\n'
    assert _splice(body, [SetId("/pillars/0/claims/0/proof_points/0", "old", "new")]).endswith('["new"]\n')


def test_what_cannot_be_rewritten_in_place_is_refused() -> None:
    body = PILLAR + "      - id: c1\n        statement: T\n        proof_points:\n          - |-\n            old\n"
    with pytest.raises(SpliceError, match="block of text"):
        _splice(body, [SetId("/pillars/0/claims/0/proof_points/0", "old", "new")])
    with pytest.raises(SpliceError, match="not the id"):
        _splice(PILLAR + "      - id: c1\n        statement: old\n", [SetId("/pillars/0/claims/0/statement", "x", "y")])


def test_verify_refuses_a_result_that_reads_differently() -> None:
    text = HEADER + PILLAR + "      - id: c1\n        statement: T\n        proof_points: [old]\n"
    loaded = load_bytes(text.encode("utf-8"), "narrative.yaml")
    change = SetId("/pillars/0/claims/0/proof_points/0", "old", "new")
    with pytest.raises(SpliceError, match="would read differently"):
        verify(loaded, text.replace("[old]", "[new, extra]"), [change])
    with pytest.raises(SpliceError, match="would read differently"):
        verify(loaded, text.replace("statement: T", "statement: U").replace("[old]", "[new]"), [change])
    verify(loaded, text.replace("[old]", "[new]"), [change])


def test_unified_diff_keeps_crlf_and_says_when_the_last_line_has_no_break(tmp_path: Path) -> None:
    shutil.copytree(STRATEGY, tmp_path / "strategy")
    path = tmp_path / "strategy" / "value.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n").rstrip(b"\r\n"))
    graph = _graph(tmp_path / "strategy", tmp_path)
    plan = plan_rename(graph, "seg.saas-rev-rec", "seg.software")
    diff = unified_diff(plan.files)
    assert "-  - id: seg.saas-rev-rec\r\n+  - id: seg.software\r\n" in diff


def _suspects(repo: Path) -> list[tuple[str, str, str, str]]:
    document = json.loads(invoke("review", "strategy", "--format", "json", cwd=repo).stdout)
    return sorted(
        (item["dependent"], item["field"], item["target"], json.dumps(item["changes"], sort_keys=True))
        for group in document["groups"]
        for item in group["suspects"]
    )


def test_a_suspect_stays_suspect_with_only_its_real_change(repo: Path) -> None:
    narrative = repo / "strategy" / "narrative.yaml"
    text = narrative.read_text(encoding="utf-8")
    statement = "statement: Customers double their entity count with almost no growth in finance headcount."
    assert statement in text
    narrative.write_text(text.replace(statement, "statement: Customers triple their entity count.", 1))
    commit_all(repo, "reworded")
    before = _suspects(repo)
    assert before and all(target == "claim.entities-not-headcount" for _, _, target, _ in before)
    assert all('"field": "statement"' in changes and PROOF_POINT not in changes for *_, changes in before)
    # Renaming a proof point the claim cites rewords the claim's proof points: the stamps of
    # the claim move with it, and what changed is still only the statement.
    assert invoke("mv", PROOF_POINT, "pp.calloway-ic", "strategy", cwd=repo).exit_code == 0
    assert _suspects(repo) == before
    # Renaming the claim itself: the same suspects, under its new id.
    assert invoke("mv", "claim.entities-not-headcount", "claim.entities", "strategy", cwd=repo).exit_code == 0
    assert _suspects(repo) == [(d, f, "claim.entities", c) for d, f, _, c in before]


def test_a_byte_order_mark_is_not_a_column_of_the_first_line() -> None:
    for text in (
        "\ufeffid: old\nstratlint: 1\nkind: narrative\nthesis: T\n",
        "\ufeffstratlint: 1\nkind: narrative\nid: old\nthesis: T\n",
    ):
        loaded = load_bytes(text.encode("utf-8"), "narrative.yaml")
        changes = [SetId("/id", "old", "new")]
        (edit,) = plan_edits(loaded.text, loaded.source_map, changes)
        new_text = apply_edits(loaded.text, [edit])
        verify(loaded, new_text, changes)
        assert new_text == text.replace("id: old", "id: new")
        assert (edit.range.column, edit.range.end_column) == (5, 8)  # as libyaml and editors count
        assert edit.lsp_range(loaded.text)[0][1] == 4


def test_id_at_gives_the_id_without_its_quotes(tmp_path: Path) -> None:
    shutil.copytree(STRATEGY, tmp_path / "strategy")
    path = "strategy/product/consolidation.yaml"
    target = tmp_path / path
    text = target.read_text(encoding="utf-8")
    assert "    segments: [seg.multi-entity, " in text
    target.write_text(text.replace("    segments: [seg.multi-entity, ", "    segments: ['seg.multi-entity', ", 1))
    graph = _graph(tmp_path / "strategy", tmp_path)
    lines = target.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, 1) if "['seg.multi-entity'" in line)
    column = lines[number - 1].index("'seg.multi-entity'") + 1
    found = id_at(graph, path, number, column + 3)
    assert found is not None and found.id == SEGMENT
    assert (found.range.column, found.range.end_column) == (column, column + len(SEGMENT) + 2)
    assert (found.name_range.column, found.name_range.end_column) == (column + 1, column + 1 + len(SEGMENT))


# -- a property: whatever the style, only the id's characters change -----------------------------------

_POOL = ["pp.a", "pp.b", "pp-c", "p1"]
_STYLES = st.sampled_from(["plain", "single", "double"])


def _written(node_id: str, style: str, renamed_to: str | None) -> str:
    shown = renamed_to if renamed_to is not None and node_id == "pp.a" else node_id
    if style == "single":
        return f"'{shown}'"
    if style == "double":
        return f'"{shown}"'
    return f"'{shown}'" if needs_quotes(shown) else shown


def _document(claims: list[tuple[list[tuple[str, str]], bool, str]], new: str | None, newline: str) -> str:
    lines = ["# a narrative written by hand  # pp.a in a comment", "stratlint: 1", "kind: narrative", "id: narrative"]
    lines += ["thesis: T", "pillars:", "  - id: pillar.x", "    name: X", "    statement: S", "    claims:"]
    for number, (refs, flow, comment) in enumerate(claims):
        lines += [f"      - id: claim.c{number}{comment}", "        statement: The pp.a story."]
        if flow:
            lines.append("        proof_points: [" + ", ".join(_written(i, s, new) for i, s in refs) + "]" + comment)
        else:
            lines.append("        proof_points:" + comment)
            lines += [f"          - {_written(i, s, new)}{comment}" for i, s in refs]
    lines += ["proof_points:"]
    for node_id in _POOL:
        shown = new if node_id == "pp.a" and new is not None else node_id
        lines += [f"  - id: {_written(shown, 'plain', None)}", "    statement: Evidence.", "    source: A study"]
    return newline.join(lines) + newline


@settings(max_examples=60, deadline=None)
@given(
    claims=st.lists(
        st.tuples(
            st.lists(st.tuples(st.sampled_from(_POOL), _STYLES), min_size=1, max_size=4),
            st.booleans(),
            st.sampled_from(["", "  # note", "   #  pp.a"]),
        ),
        min_size=1,
        max_size=4,
    ),
    new=st.sampled_from(["pp.renamed", "2027", "true", "pp.a-2"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_only_the_id_characters_change_whatever_the_style(
    claims: list[tuple[list[tuple[str, str]], bool, str]], new: str, newline: str
) -> None:
    before = _document(claims, None, newline)
    loaded = load_bytes(before.encode("utf-8"), "strategy/narrative.yaml")
    assert loaded.model is not None and not loaded.problems, loaded.problems
    graph = build_graph([loaded], "strategy")
    plan = plan_rename(graph, "pp.a", new)
    (edited,) = plan.files
    assert edited.new_text == _document(claims, new, newline)


@pytest.mark.slow
def test_the_mv_benchmark_runs_and_leaves_the_strategy_as_it_was(tmp_path: Path) -> None:
    from benchmarks.refactor import render, run

    figures, about = run(120, 1, tmp_path)
    assert set(figures) == {"floor", "mv one", "mv dry-run", "mv"}
    assert all(len(figure.samples) == 1 for figure in figures.values())
    assert "| `stratlint mv` of that segment, files and lock written | **" in render(120, figures, 1, about)
