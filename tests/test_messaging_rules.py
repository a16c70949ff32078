"""SL8xx, the messaging checks: a figure needs a proof point of the claims it tells (SL801),
a word the value definition avoids is reported (SL802), a headline that shares no content
word with what its message tells may be another story (SL803, off by default). The
fixtures in tests/fixtures/rules/SL80x-* run with every rule (tests/test_rules.py); these
tests pin what the fixtures cannot: which figures count, where a finding points, and
what relates a proof point to a claim."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from stratlint.analysis.check import lint
from stratlint.config import CommandLineOptions, resolve_settings
from stratlint.diagnostics import Diagnostic, Stage
from stratlint.rules import BY_CODE
from stratlint.rules.messaging import content_words, figures, stem

from conftest import STRATEGY as BUNDLED
from rules_harness import STRATEGY, TODAY, build_tree, describe, lint_tree


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Close in 3 days", ["3 days"]),
        ("83% of reconciliations are done", ["83%"]),
        ("cut fees by 18 percent", ["18 percent"]),
        ("a 3x faster close", ["3x"]),
        ("a 2.5\u00d7 return", ["2.5\u00d7"]),
        ("saves $2M a year and €40,000 more", ["$2M", "€40,000"]),
        ("a median of 4.6 business days", ["4.6 business days"]),
        ("in 5 to 7 weeks", ["5 to 7 weeks"]),
        ("Live in 30 days, on the ERP you already run.", ["30 days"]),
        ("212 customers on 38 entities", []),
        ("SOC 2 Type II and ISO 27001", []),
        ("Close in five days", []),
        ("the 2026 Close Benchmark", []),
        ("our 3x-weekly sync", []),
    ],
)
def test_a_figure_is_a_percentage_a_multiple_a_duration_or_money(text: str, found: list[str]) -> None:
    assert [match.group(0) for match in figures(text)] == found


def test_content_words_leave_stop_words_out_and_stem_the_rest() -> None:
    assert stem("reconciled") == stem("reconciles") == stem("reconciling")
    assert content_words("Close your books in three days") == {stem("close"), stem("books")}
    assert content_words("Most of the balance sheet, reconciled before the month ends.") >= {stem("balance")}


# -- trees ------------------------------------------------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str], config: str | None = None) -> list[Diagnostic]:
    overlay = tmp_path / "overlay"
    overlay.mkdir(parents=True)
    for relative, text in files.items():
        path = overlay / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if config is not None:
        (overlay / "stratlint.toml").write_text(config, encoding="utf-8")
    build_tree(overlay, tmp_path / "tree")
    return lint_tree(tmp_path / "tree")


NARRATIVE = """stratlint: 1
kind: narrative
id: narrative
thesis: Month-end close is becoming continuous, and the teams that get there first win.
pillars:
  - id: pillar-continuous-close
    name: Continuous close
    claims:
      - id: claim-close-in-days
        statement: Customers close their books in three days.
        proof_points: [pp-acme-close]
      - id: claim-recons-early
        statement: Most reconciliations are done before the period ends.
        proof_points: [pp-recons-telemetry]
  - id: pillar-audit
    name: Audit-ready evidence
    claims:
      - id: claim-audit-fees
        statement: Auditors accept the evidence as it is.
        proof_points: [pp-audit-study]
proof_points:
  - {id: pp-acme-close, statement: Acme Corp cut its close from twelve days to three.}
  - {id: pp-recons-telemetry, statement: 83% of reconciliations finish before period end.}
  - {id: pp-audit-study, statement: Audit fees fell by a fifth.}
"""

ROADMAP = """stratlint: 1
kind: roadmap
id: roadmap
items:
  - id: rm-auto-reconciliation
    title: Automatic reconciliation
    status: planned
    horizon: 2027-Q1
    owner: pm-close
    segments: [seg-mid-market-finance]
    value: [diff-continuous-reconciliation]
    narrative: [pillar-continuous-close, pillar-audit, claim-close-in-days, claim-recons-early, claim-audit-fees]
    priority: prio-mid-market
    rationale:
      value: Mid-market teams reconcile by hand; this proves continuous reconciliation.
"""


def _messaging(*messages: str) -> str:
    return "stratlint: 1\nkind: messaging\nid: messaging\nmessages:\n" + "".join(messages)


def _message(ident: str, headline: str, proofs: str, narrative: str = "claim-close-in-days", extra: str = "") -> str:
    return (
        f"  - id: {ident}\n    headline: {headline}\n{extra}    proof_points: [{proofs}]\n"
        "    segments: [seg-mid-market-finance]\n    value: [belief-close-is-continuous]\n"
        f"    narrative: [{narrative}]\n    priority: prio-mid-market\n"
        "    rationale:\n      value: Tells mid-market controllers the close can be continuous.\n"
    )


def test_a_proof_point_counts_when_it_backs_the_claim_or_a_claim_under_the_same_pillar(tmp_path: Path) -> None:
    messaging = _messaging(
        _message("msg-same-claim", "Close in 3 days", "pp-acme-close"),
        _message("msg-same-pillar", "Close in 3 days, with 83% done early", "pp-recons-telemetry"),
        _message("msg-other-pillar", "Close in 3 days", "pp-audit-study"),
        _message("msg-retired", "Close in 3 days", "pp-audit-study", extra="    status: retired\n"),
    )
    diagnostics = _tree(
        tmp_path, {"narrative.yaml": NARRATIVE, "product/roadmap.yaml": ROADMAP, "marketing/messaging.yaml": messaging}
    )
    figures_found = [d for d in diagnostics if d.code == "SL801"]
    assert len(figures_found) == 1, describe(diagnostics)
    (finding,) = figures_found
    assert "Message 'msg-other-pillar' says '3 days' in its headline" in finding.message
    assert "cites 'pp-audit-study', which backs none of the claims it tells" in finding.message


def test_an_unproven_figure_is_pointed_at_exactly(tmp_path: Path) -> None:
    body = "    body: >-\n      Teams close their books\n      in 3 business days.\n"
    messaging = _messaging(_message("msg-close", "Close faster", "pp-audit-study", extra=body))
    diagnostics = _tree(
        tmp_path, {"narrative.yaml": NARRATIVE, "product/roadmap.yaml": ROADMAP, "marketing/messaging.yaml": messaging}
    )
    (finding,) = [d for d in diagnostics if d.code == "SL801"]
    line = (tmp_path / "tree" / finding.path).read_text(encoding="utf-8").split("\n")[finding.line - 1]
    assert line[finding.span.column - 1 : finding.span.end_column - 1] == "3 business days"


def test_a_dangling_proof_point_is_reported_once_by_its_own_rule(tmp_path: Path) -> None:
    messaging = _messaging(_message("msg-close", "Close in 3 days", "pp-acme-clse"))
    diagnostics = _tree(tmp_path, {"marketing/messaging.yaml": messaging})
    assert sorted(d.code for d in diagnostics) == ["SL201"], describe(diagnostics)


VALUE_WITH_AVOID = """stratlint: 1
kind: value
id: value
segments:
  - id: seg-mid-market-finance
    name: Mid-market finance teams
why_we_win:
  - id: why-close-in-days
    statement: Finance teams close their books in days, not weeks.
differentiators:
  - id: diff-continuous-reconciliation
    statement: Accounts reconcile continuously, not at month end.
    avoid: [manual, month-end crunch]
beliefs:
  - id: belief-close-is-continuous
    statement: The close is a continuous process, not a monthly scramble.
avoid: [cheap]
"""


def test_an_avoided_word_is_reported_at_the_word(tmp_path: Path) -> None:
    body = "    body: >-\n      The month-end\n      crunch is over, and it is not cheap talk.\n"
    message = _message("msg-close", "Close your books in days", "pp-acme-close", extra=body)
    message = message.replace(
        "value: [belief-close-is-continuous]", "value: [belief-close-is-continuous, diff-continuous-reconciliation]"
    )
    play = """stratlint: 1
kind: playbook
id: playbook
plays:
  - id: play-controller-pain
    name: Manual matching, gone
    segments: [seg-mid-market-finance]
    value: [why-close-in-days]
    narrative: [claim-close-in-days]
    priority: prio-mid-market
    rationale:
      value: Controllers buy when they see the close shrink to days.
"""
    diagnostics = _tree(
        tmp_path,
        {"value.yaml": VALUE_WITH_AVOID, "marketing/messaging.yaml": _messaging(message), "sales/playbook.yaml": play},
    )
    words = sorted((d for d in diagnostics if d.code == "SL802"), key=Diagnostic.sort_key)
    assert [d.path for d in words] == [f"{STRATEGY}/marketing/messaging.yaml"] * 2, describe(diagnostics)
    assert "a word the value definition says to avoid" in words[1].message
    assert "a word differentiator 'diff-continuous-reconciliation' says to avoid" in words[0].message
    text = (tmp_path / "tree" / words[1].path).read_text(encoding="utf-8").split("\n")
    cheap = words[1]
    assert text[cheap.line - 1][cheap.span.column - 1 : cheap.span.end_column - 1] == "cheap"
    crunch = words[0]  # a phrase split across two lines of a folded text: at the text itself
    assert text[crunch.line - 1].endswith("body: >-")


def test_headline_drift_is_off_by_default_and_its_threshold_is_configurable(tmp_path: Path) -> None:
    messaging = _messaging(_message("msg-summit", "Meet us at the spring close summit", "pp-acme-close"))
    files = {"marketing/messaging.yaml": messaging}
    assert not [d for d in _tree(tmp_path / "off", files) if d.code == "SL803"]
    on = _tree(tmp_path / "one", files, "[rules.headline-drift]\nmin-shared-words = 1\n")
    assert not [d for d in on if d.code == "SL803"], "'close' is shared"
    (strict,) = [
        d for d in _tree(tmp_path / "two", files, "[rules.SL803]\nmin-shared-words = 2\n") if d.code == "SL803"
    ]
    assert strict.message.startswith("The headline of message 'msg-summit' shares 1 content word with what it tells")


@pytest.mark.parametrize("code", ["SL801", "SL802", "SL803"])
def test_each_check_names_the_stage_it_guards_against(code: str) -> None:
    rule = BY_CODE[code]
    assert rule.stage is Stage.CONFLICTING_EXECUTION
    assert "conflicting execution, marketing telling another story" in " ".join(rule.docs().split())


def test_the_bundled_strategy_tells_its_figures_with_their_proof() -> None:
    settings = resolve_settings(BUNDLED, CommandLineOptions(config=BUNDLED / "stratlint.toml"))
    result = lint(replace(settings, today=TODAY, cache=False))
    assert [d for d in result.diagnostics if d.code.startswith("SL8")] == []
