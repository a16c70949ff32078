"""stratlint check --fix: the fixes rules attach to their findings, applied with the splice
engine; safe ones by default, unsafe ones with --unsafe-fixes, as ruff does. In real git
repositories."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from gitrepo import commit_all, git, new_repository, replace_in

from stratlint.analysis.check import lint
from stratlint.analysis.settings import Settings
from stratlint.diagnostics import Fix
from stratlint.report import REPORTERS, ReportOptions

from conftest import Templates, invoke

LAUNCHES = "strategy/marketing/launches.yaml"
NARRATIVE = "strategy/narrative.yaml"


def _committed(folder: Path) -> None:
    commit_all(new_repository(folder / "repo"), "strategy")


@pytest.fixture
def repo(tmp_path: Path, templates: Templates) -> Path:
    templates.fill("fix-repo", _committed, tmp_path)
    return tmp_path / "repo"


def _changed(repo: Path) -> str:
    return git(repo, "status", "--porcelain")


def _typo(repo: Path) -> None:
    """A mistyped claim id with one close candidate: a safe fix."""
    replace_in(repo / LAUNCHES, "narrative: [claim.intercompany-automated]", "narrative: [claim.intercompany-automate]")
    commit_all(repo, "typo")


def _codes(repo: Path) -> list[str]:
    result = invoke("check", "strategy", "--format", "json", "--no-cache", cwd=repo)
    return sorted(d["code"] for d in json.loads(result.stdout)["diagnostics"])


def test_a_typo_with_one_close_candidate_is_fixed_and_only_its_token_changes(repo: Path) -> None:
    _typo(repo)
    shown = invoke("check", "strategy", "--no-cache", cwd=repo)
    assert "SL201 [error] [*] Message 'launch.intercompany-eliminations' cites" in shown.stdout
    assert "[*] 1 fixable with 'stratlint check --fix'." in shown.stdout
    result = invoke("check", "strategy", "--fix", cwd=repo)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Fixed 1 finding (1 SL201) in 1 file.\n")
    assert "All checks passed" in result.stdout
    diff = git(repo, "diff", "--word-diff=porcelain", "--word-diff-regex=[a-z0-9][a-z0-9._-]*|[^[:space:]]")
    words = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert words == ["-claim.intercompany-automate", "+claim.intercompany-automated"]


def test_diff_prints_the_patch_and_writes_nothing(repo: Path) -> None:
    _typo(repo)
    result = invoke("check", "strategy", "--fix", "--diff", cwd=repo)
    assert result.exit_code == 1
    assert _changed(repo) == ""
    assert result.stdout.startswith(f"--- a/{LAUNCHES}\n+++ b/{LAUNCHES}\n")
    assert "-    narrative: [claim.intercompany-automate]\n+    narrative: [claim.intercompany-automated]\n" in (
        result.stdout
    )
    assert "Would fix 1 finding (1 SL201) in 1 file (--diff: nothing was written)." in result.stderr
    (repo / "fix.diff").write_text(result.stdout, encoding="utf-8")
    git(repo, "apply", "--check", "fix.diff")
    (repo / "fix.diff").unlink()
    clean = invoke("check", "strategy", "--diff", "--fix", cwd=repo)  # either order
    assert clean.exit_code == 1 and clean.stdout == result.stdout


def _two_candidates(repo: Path) -> None:
    """'claim.close-in-fiv-days' is as close to 'claim.close-in-five-days' as to a new
    'claim.close-in-four-days': a guess, so an unsafe fix."""
    narrative = repo / NARRATIVE
    anchor = "      - id: claim.close-in-five-days\n"
    text = narrative.read_text(encoding="utf-8")
    assert anchor in text
    extra = (
        "      - id: claim.close-in-four-days\n"
        "        statement: The best teams close in four days.\n"
        "        proof_points: [pp.close-benchmark-median]\n"
    )
    narrative.write_text(text.replace(anchor, extra + anchor, 1), encoding="utf-8")
    target = next(
        path
        for path in sorted((repo / "strategy").rglob("*.yaml"))
        if "narrative: [claim.close-in-five-days" in path.read_text(encoding="utf-8")
    )
    replace_in(target, "narrative: [claim.close-in-five-days", "narrative: ['claim.close-in-fiv-days'")
    invoke("lock", "strategy", cwd=repo)
    commit_all(repo, "ambiguous typo")


def test_several_candidates_are_an_unsafe_fix(repo: Path) -> None:
    _two_candidates(repo)
    shown = invoke("check", "strategy", "--no-cache", cwd=repo)
    assert "SL201 [error] Message" in shown.stdout and "[*]" not in shown.stdout
    assert "1 finding can be fixed with 'stratlint check --fix --unsafe-fixes'." in shown.stdout
    result = invoke("check", "strategy", "--fix", cwd=repo)
    assert result.exit_code == 1
    assert result.stdout.startswith("Nothing to fix.\n")
    assert _changed(repo) == ""
    result = invoke("check", "strategy", "--fix", "--unsafe-fixes", cwd=repo)
    # The corrected reference resolves, and is stamped in a second round.
    assert result.stdout.startswith("Fixed 2 findings (1 SL201, 1 SL605) in 2 files.\n"), result.output
    # The quotes it was written in stay.
    assert "narrative: ['claim.close-in-five-days'" in git(repo, "diff")
    assert "SL201" not in _codes(repo)


def test_a_stale_modeline_path_is_fixed_and_another_kinds_schema_is_unsafe(repo: Path) -> None:
    value = repo / "strategy" / "value.yaml"
    replace_in(value, "$schema=../schemas/value.schema.json", "$schema=../../../schemas/value.schema.json")
    roadmap = repo / "strategy" / "product" / "consolidation.yaml"
    replace_in(roadmap, "$schema=../../schemas/roadmap.schema.json", "$schema=../../schemas/messaging.schema.json")
    commit_all(repo, "modelines")
    assert _codes(repo) == ["SL018", "SL018"]
    result = invoke("check", "strategy", "--fix", cwd=repo)
    assert result.stdout.startswith("Fixed 1 finding (1 SL018) in 1 file.\n"), result.output
    assert value.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../schemas/value.schema.json\n"
    )
    assert _codes(repo) == ["SL018"]
    result = invoke("check", "strategy", "--fix", "--unsafe-fixes", cwd=repo)
    assert result.exit_code == 0, result.output
    assert roadmap.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../../schemas/roadmap.schema.json\n"
    )
    assert git(repo, "diff", "--stat").count("|") == 2


def test_unstamped_references_are_stamped_as_lock_stamps_them(repo: Path) -> None:
    # A new reference nobody has stamped yet.
    replace_in(
        repo / LAUNCHES,
        "narrative: [claim.intercompany-automated]",
        "narrative: [claim.intercompany-automated, claim.no-erp-migration]",
    )
    commit_all(repo, "new reference")
    assert _codes(repo) == ["SL605"]
    result = invoke("check", "strategy", "--fix", cwd=repo)
    assert result.stdout.startswith("Fixed 1 finding (1 SL605) in 1 file.\n"), result.output
    assert git(repo, "status", "--porcelain").strip() == "M strategy/stratlint.lock"
    assert _codes(repo) == []
    lock = (repo / "strategy" / "stratlint.lock").read_bytes()
    assert invoke("lock", "strategy", cwd=repo).exit_code == 0
    assert (repo / "strategy" / "stratlint.lock").read_bytes() == lock


def test_without_a_lock_fix_writes_the_lock_lock_would(repo: Path, tmp_path: Path) -> None:
    lock = repo / "strategy" / "stratlint.lock"
    expected = lock.read_bytes()
    lock.unlink()
    commit_all(repo, "no lock")
    assert _codes(repo) == ["SL605"]
    result = invoke("check", "strategy", "--fix", cwd=repo)
    assert result.stdout.startswith("Fixed 1 finding (1 SL605) in 1 file.\n"), result.output
    assert lock.read_bytes() == expected


def test_a_fix_that_enables_another_is_applied_in_the_next_round(repo: Path) -> None:
    # The typo fixed, the reference resolves, and needs a stamp: a second round stamps it.
    replace_in(
        repo / LAUNCHES,
        "narrative: [claim.intercompany-automated]",
        "narrative: [claim.intercompany-automated, claim.no-erp-migrate]",
    )
    commit_all(repo, "typo in a new reference")
    assert _codes(repo) == ["SL201"]
    result = invoke("check", "strategy", "--fix", cwd=repo)
    assert result.stdout.startswith("Fixed 2 findings (1 SL201, 1 SL605) in 2 files.\n"), result.output
    assert _codes(repo) == []


def test_a_fix_whose_result_would_read_differently_is_not_written(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import stratlint.edit.fix as fix_module
    from stratlint.edit.splice import SpliceError

    _typo(repo)

    def refuse(*args: object) -> None:
        raise SpliceError(f"{LAUNCHES}: after the edit, the value at /messages/0 would read differently than intended")

    monkeypatch.setattr(fix_module, "verify", refuse)
    result = invoke("check", "strategy", "--fix", cwd=repo)
    assert result.exit_code == 1
    assert result.stdout.startswith("Nothing to fix.\n")
    assert f"stratlint: not fixed: {LAUNCHES}:" in result.stderr and "would read differently" in result.stderr
    assert _changed(repo) == ""


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--diff",), "Option '--diff' requires an argument"),
        (("--fix", "--staged"), "does not combine with --staged or --diff BASE"),
        (("--fix", "--diff", "HEAD"), "does not combine with --staged or --diff BASE"),
        (("--unsafe-fixes",), "--unsafe-fixes goes with --fix"),
    ],
)
def test_option_combinations_that_make_no_sense_are_usage_errors(repo: Path, args: tuple[str, ...], says: str) -> None:
    result = invoke("check", "strategy", *args, cwd=repo)
    assert result.exit_code == 2
    assert says in result.stderr


def test_diff_base_still_compares_with_a_revision(repo: Path) -> None:
    _typo(repo)
    result = invoke("check", "strategy", "--diff", "HEAD", cwd=repo)
    assert result.exit_code == 0, result.output
    assert "No new findings since the base revision" in result.stdout


def test_fixes_are_data_on_findings_and_checking_writes_nothing(repo: Path) -> None:
    _typo(repo)
    before = {path: path.read_bytes() for path in (repo / "strategy").rglob("*") if path.is_file()}
    result = lint(Settings(root=repo / "strategy", repo_root=repo, cache=False))
    (found,) = [d for d in result.diagnostics if d.code == "SL201"]
    assert isinstance(found.fix, Fix) and found.fix.safe
    assert found.fix.message == "replace 'claim.intercompany-automate' with 'claim.intercompany-automated'"
    (edit,) = found.fix.edits
    assert (edit.path, edit.pointer, edit.text) == (LAUNCHES, found.pointer, "claim.intercompany-automated")
    assert {path: path.read_bytes() for path in (repo / "strategy").rglob("*") if path.is_file()} == before


def test_other_formats_carry_no_fix(repo: Path) -> None:
    _typo(repo)
    result = lint(Settings(root=repo / "strategy", repo_root=repo, cache=False))
    report = result.report()
    assert any(d.fix is not None for d in report.diagnostics)
    without = replace(report, diagnostics=tuple(replace(d, fix=None) for d in report.diagnostics))
    for name, render in REPORTERS.items():
        if name != "text":
            assert render(report, ReportOptions()) == render(without, ReportOptions()), name
    assert "[*]" not in REPORTERS["text"](without, ReportOptions())


def test_the_incremental_run_keeps_the_fixes(repo: Path) -> None:
    _typo(repo)
    first = invoke("check", "strategy", cwd=repo)
    # An edit elsewhere: the next run takes the typo's file from the last run's snapshot.
    with (repo / "strategy" / "sales" / "pe-backed.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# a comment\n")
    again = invoke("check", "strategy", cwd=repo)
    assert "SL201 [error] [*]" in first.stdout and "SL201 [error] [*]" in again.stdout


def test_a_comment_is_rewritten_only_where_it_holds_what_the_fix_replaces(repo: Path) -> None:
    value = repo / "strategy" / "value.yaml"
    replace_in(value, "$schema=../schemas/value.schema.json", "$schema=../../../schemas/value.schema.json")
    commit_all(repo, "stale modeline")
    result = lint(Settings(root=repo / "strategy", repo_root=repo, cache=False))
    (found,) = [d for d in result.diagnostics if d.code == "SL018"]
    assert found.fix is not None
    (edit,) = found.fix.edits
    assert edit.replaces == "../../../schemas/value.schema.json" and not edit.pointer
    # The same fix against a text that has changed under it is refused, not made elsewhere.
    from stratlint.edit.fix import plan_fixes

    moved = replace(
        found, fix=replace(found.fix, edits=(replace(edit, span=replace(edit.span, column=edit.span.column + 1)),))
    )
    plan = plan_fixes(result.graph, [moved])
    assert plan.changed == () and "not '../../../schemas/value.schema.json'" in plan.skipped[0][1]


# -- a policy's forbidden word with a swap (use_instead) --------------------------------------------------

HEADLINE = "headline: Intercompany eliminations, automated across every entity."


def _forbidden(repo: Path, headline: str) -> None:
    """The launch's headline written as ``headline``, with the bundled policy's forbidden
    'seamless' (whose swap is 'connected') in it."""
    replace_in(repo / LAUNCHES, HEADLINE, headline)
    commit_all(repo, "a forbidden word")


@pytest.mark.parametrize(
    ("written", "fixed"),
    [
        ("headline: A seamless close.", "headline: A connected close."),
        ("headline: Seamless close.", "headline: Connected close."),  # the word began the sentence
        ("headline: 'A seamless close.'", "headline: 'A connected close.'"),
        ('headline: "A seamless close."', 'headline: "A connected close."'),
    ],
)
def test_a_forbidden_word_with_a_swap_is_an_unsafe_fix_of_that_word_alone(repo: Path, written: str, fixed: str) -> None:
    _forbidden(repo, written)
    shown = invoke("check", "strategy", "--no-cache", cwd=repo)
    assert "LL003 [error] The headline of message 'launch.intercompany-eliminations' says" in shown.stdout
    assert "1 finding can be fixed with 'stratlint check --fix --unsafe-fixes'." in shown.stdout
    assert invoke("check", "strategy", "--fix", cwd=repo).stdout.startswith("Nothing to fix.\n")
    assert _changed(repo) == ""
    result = invoke("check", "strategy", "--fix", "--unsafe-fixes", cwd=repo)
    assert result.stdout.startswith("Fixed 1 finding (1 LL003) in 1 file.\n"), result.output
    diff = [line for line in git(repo, "diff", "--unified=0").splitlines() if line[:1] in "+-"]
    assert diff[2:] == [f"-    {written}", f"+    {fixed}"]
    assert "LL003" not in _codes(repo)


@pytest.mark.parametrize(
    "written",
    [
        "headline: 'A seamless close, for ''every'' entity.'",  # an escape: the file is not the text
        "headline: >-\n      A seamless close.",  # folded: the text is not where it is written
        "headline: A seamless\n      close.",  # a plain text over two lines
    ],
)
def test_a_swap_is_not_offered_where_the_file_does_not_hold_the_text_as_it_reads(repo: Path, written: str) -> None:
    _forbidden(repo, written)
    shown = invoke("check", "strategy", "--no-cache", cwd=repo)
    assert "LL003 [error]" in shown.stdout
    assert "can be fixed" not in shown.stdout and "fixable" not in shown.stdout
    invoke("check", "strategy", "--fix", "--unsafe-fixes", cwd=repo)
    assert _changed(repo) == ""


def test_a_swap_that_would_read_differently_plain_is_not_offered(repo: Path) -> None:
    # 'seamless: yes' written plain would turn the headline into a mapping.
    replace_in(repo / "strategy" / "stratlint.toml", 'seamless = "connected"', 'seamless = "joined: yes"')
    _forbidden(repo, "headline: A seamless close.")
    shown = invoke("check", "strategy", "--no-cache", cwd=repo)
    assert "LL003 [error]" in shown.stdout and "can be fixed" not in shown.stdout
    assert "write 'joined: yes' instead" in shown.stdout
