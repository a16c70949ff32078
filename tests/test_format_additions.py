"""The additions that make the format fit real strategy content: evidence linked with
'proves:' and cited directly, partial dates, market nodes (personas, use cases, tiers,
competitors), names and aliases, several weighted priorities, a strategy at the repository
root, and the opt-in rules that keep older strategies checking as they did. Each case is a
small tree on the rule fixtures' base, with code, file and line asserted."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from gitrepo import commit_all, git, line_of, new_repository, replace_in

from conftest import PROJECT, invoke
from rules_harness import BASE, STRATEGY, build_tree, lint_tree

NARRATIVE = "strategy/narrative.yaml"
MESSAGES = "strategy/marketing/messaging.yaml"


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    """The fixtures' base with ``files`` (path in the strategy -> text) written over it."""
    overlay = tmp_path / "overlay"
    for relative, text in files.items():
        (overlay / relative).parent.mkdir(parents=True, exist_ok=True)
        (overlay / relative).write_text(text, encoding="utf-8")
    overlay.mkdir(exist_ok=True)
    return build_tree(overlay, tmp_path)


def _base(relative: str, old: str = "", new: str = "") -> str:
    text = (BASE / relative).read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1) if old else text


def _found(tmp_path: Path, code: str) -> list[tuple[str, int, str]]:
    return [(d.path, d.line, d.message) for d in lint_tree(tmp_path) if d.code == code]


def _line(root: Path, relative: str, needle: str) -> int:
    return line_of(root / relative, needle)


PROOF = """
  - id: pp-northwind-close
    statement: Northwind closes in four days.
    source: Northwind case study
"""


# -- 1. evidence --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "stale"),
    [
        ("2024-05", True),  # judged at 2024-05-31: older than 18 months on 2026-11-24
        ("2025-06", False),  # judged at 2025-06-30: 17 months
        ("2024", True),  # judged at 2024-12-31: 23 months
        ("2025", False),  # judged at 2025-12-31
        ("2025-05-23", True),
    ],
)
def test_a_month_or_a_year_is_judged_at_the_end_of_the_period(tmp_path: Path, as_of: str, stale: bool) -> None:
    root = _tree(
        tmp_path,
        {
            "narrative.yaml": _base("narrative.yaml") + PROOF + f"    as_of: {as_of!r}\n",
            "marketing/messaging.yaml": _base(
                "marketing/messaging.yaml",
                "    segments: [seg-mid-market-finance]\n",
                "    segments: [seg-mid-market-finance]\n    proof_points: [pp-northwind-close]\n",
            ),
        },
    )
    found = _found(tmp_path, "SL603")
    line = _line(root, "narrative.yaml", "as_of:")
    assert [(path, number) for path, number, _ in found] == ([(NARRATIVE, line)] if stale else [])
    assert not _found(tmp_path, "SL003")


def test_a_date_that_is_not_a_day_a_month_or_a_year_is_a_schema_error(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"narrative.yaml": _base("narrative.yaml") + PROOF + "    as_of: 2025-13\n"})
    ((path, line, message),) = _found(tmp_path, "SL003")
    assert (path, line) == (NARRATIVE, _line(root, "narrative.yaml", "as_of:"))
    assert "a month as YYYY-MM, or a year as YYYY" in message


def test_a_play_cites_evidence_directly_and_stale_evidence_names_it(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "narrative.yaml": _base("narrative.yaml") + PROOF + "    as_of: 2023-01-31\n",
            "sales/playbook.yaml": _base(
                "sales/playbook.yaml",
                "    segments: [seg-mid-market-finance]\n",
                "    segments: [seg-mid-market-finance]\n    proof_points: [pp-northwind-close]\n",
            ),
        },
    )
    ((path, line, message),) = _found(tmp_path, "SL603")
    assert (path, line) == (NARRATIVE, _line(root, "narrative.yaml", "as_of: 2023"))
    assert "still cited by play 'play-controller-pain'" in message


def test_proves_makes_a_claim_proven_and_a_differentiator_referenced(tmp_path: Path) -> None:
    narrative = _base(
        "narrative.yaml", "        proof_points: [pp-acme-close]\n", ""
    )  # the claim cites no proof point any more
    unproven = _tree(tmp_path / "a", {"narrative.yaml": narrative})
    assert [(p, n) for p, n, _ in _found(tmp_path / "a", "SL302")] == [
        (NARRATIVE, _line(unproven, "narrative.yaml", "- id: claim-close-in-days"))
    ]
    proving = narrative.replace(
        "    source: Acme Corp case study\n",
        "    source: Acme Corp case study\n    proves: [claim-close-in-days, diff-continuous-reconciliation]\n",
    )
    value = _base("value.yaml")
    _tree(tmp_path / "b", {"narrative.yaml": proving, "value.yaml": value})
    assert _found(tmp_path / "b", "SL302") == []
    assert _found(tmp_path / "b", "SL304") == []


def test_an_orphan_differentiator_is_still_an_orphan_without_a_proof(tmp_path: Path) -> None:
    value = _base("value.yaml") + "  - id: diff-audit-trail\n    statement: Every change has a reviewer.\n"
    root = _tree(tmp_path / "a", {"value.yaml": value})
    assert [(p, n) for p, n, _ in _found(tmp_path / "a", "SL304")] == [
        ("strategy/value.yaml", _line(root, "value.yaml", "- id: diff-audit-trail"))
    ]
    proven = _base("narrative.yaml") + PROOF + "    as_of: 2026-06\n    proves: [diff-audit-trail]\n"
    _tree(tmp_path / "b", {"value.yaml": value, "narrative.yaml": proven})
    assert _found(tmp_path / "b", "SL304") == []


def test_a_pillar_belief_or_thesis_may_cite_evidence_and_the_evidence_is_not_an_orphan(tmp_path: Path) -> None:
    narrative = _base("narrative.yaml") + PROOF + "    as_of: 2026-06\n"
    root = _tree(tmp_path / "a", {"narrative.yaml": narrative})
    assert [(p, n) for p, n, _ in _found(tmp_path / "a", "SL304")] == [
        (NARRATIVE, _line(root, "narrative.yaml", "- id: pp-northwind-close"))
    ]
    for where, old, new in (
        (
            "pillar",
            "    name: Continuous close\n",
            "    name: Continuous close\n    proof_points: [pp-northwind-close]\n",
        ),
        ("thesis", "pillars:\n", "thesis_proof_points: [pp-northwind-close]\npillars:\n"),
    ):
        _tree(tmp_path / where, {"narrative.yaml": narrative.replace(old, new, 1)})
        assert _found(tmp_path / where, "SL304") == [], where
        assert _found(tmp_path / where, "SL003") == [], where
    belief = _base(
        "value.yaml",
        "    statement: The close is a continuous process, not a monthly scramble.\n",
        "    statement: The close is a continuous process, not a monthly scramble.\n"
        "    proof_points: [pp-northwind-close]\n",
    )
    _tree(tmp_path / "belief", {"narrative.yaml": narrative, "value.yaml": belief})
    assert _found(tmp_path / "belief", "SL304") == []


# -- 2. market nodes, and 3. names -----------------------------------------------------------------------------

MARKET = """stratlint: 1
kind: market
id: market
tiers:
  - id: tier-enterprise
    name: Enterprise
    short_name: Enterprise plan
competitors:
  - id: comp-spreadsheets
    name: Spreadsheets
"""


def test_market_nodes_may_live_in_the_value_definition_and_are_referenced_by_id(tmp_path: Path) -> None:
    value = _base("value.yaml") + "tiers:\n  - id: tier-enterprise\n    name: Enterprise\n"
    roadmap = _base("product/roadmap.yaml", "    owner: pm-close\n", "    owner: pm-close\n    tier: tier-enterprise\n")
    _tree(tmp_path, {"value.yaml": value, "product/roadmap.yaml": roadmap})
    assert [d.code for d in lint_tree(tmp_path)] == []


def test_a_reference_that_writes_a_name_is_told_the_id(tmp_path: Path) -> None:
    roadmap = _base("product/roadmap.yaml", "    owner: pm-close\n", "    owner: pm-close\n    tier: enterprise-plan\n")
    root = _tree(tmp_path, {"market.yaml": MARKET, "product/roadmap.yaml": roadmap})
    ((path, line, message),) = _found(tmp_path, "SL201")
    assert (path, line) == ("strategy/product/roadmap.yaml", _line(root, "product/roadmap.yaml", "tier:"))
    assert message.endswith(
        "did you mean 'tier-enterprise'? Tier 'tier-enterprise' is called 'Enterprise plan', and references use its id."
    )
    fixed = invoke("check", root, "--fix", "--no-cache", cwd=tmp_path)
    # The corrected reference resolves, and is stamped in the lock in a second round.
    assert fixed.stdout.startswith("Fixed 2 findings (1 SL201, 1 SL605)"), fixed.output
    assert "    tier: tier-enterprise\n" in (root / "product" / "roadmap.yaml").read_text(encoding="utf-8")


def test_an_objection_names_the_competitor_it_answers(tmp_path: Path) -> None:
    playbook = _base("sales/playbook.yaml") + (
        "    objections:\n      - id: obj-spreadsheets-work\n        objection: Our spreadsheets work.\n"
        "        answer: They work until the fifth entity.\n        competitor: comp-spreadsheet\n"
    )
    root = _tree(tmp_path, {"market.yaml": MARKET, "sales/playbook.yaml": playbook})
    ((path, line, message),) = _found(tmp_path, "SL201")
    assert (path, line) == ("strategy/sales/playbook.yaml", _line(root, "sales/playbook.yaml", "competitor:"))
    assert "competitor 'comp-spreadsheet'" in message and "did you mean 'comp-spreadsheets'?" in message


def test_an_unknown_field_of_another_kind_says_where_it_belongs(tmp_path: Path) -> None:
    narrative = _base("narrative.yaml") + "differentiators:\n  - id: diff-x\n    statement: X.\n"
    root = _tree(tmp_path, {"narrative.yaml": narrative})
    ((path, line, message),) = _found(tmp_path, "SL003")
    assert (path, line) == (NARRATIVE, _line(root, "narrative.yaml", "differentiators:"))
    assert message == (
        "This narrative file has an unknown field 'differentiators'. 'differentiators' belongs in the "
        "value definition (kind: value), not here."
    )
    assert "did you mean" not in message.lower()


# -- 5. several priorities, weighted ---------------------------------------------------------------------------


def test_an_entry_serving_several_priorities_counts_toward_focus_by_their_weights(tmp_path: Path) -> None:
    priorities = _base("priorities.yaml", "    primary: true\n", "    primary: true\n    weight: 3\n")
    messaging = _base(
        "marketing/messaging.yaml",
        "    priority: prio-mid-market\n",
        "    priority: [prio-mid-market, prio-expansion]\n",
    )
    root = _tree(tmp_path, {"priorities.yaml": priorities, "marketing/messaging.yaml": messaging})
    result = invoke("check", root, "--format", "json", "--no-cache", cwd=tmp_path)
    marketing = json.loads(result.stdout)["summary"]["alignment"]["marketing"]
    assert (marketing["focus"], marketing["primary_priority"], marketing["score"]) == (0.75, 0.75, 1.0)
    product = json.loads(result.stdout)["summary"]["alignment"]["product"]
    assert (product["focus"], product["primary_priority"]) == (1.0, 1)
    (root / "stratlint.toml").write_text('root = "."\n[rules.low-focus]\nmin-primary-share = 0.8\n', encoding="utf-8")
    found = invoke("check", root, "--format", "json", "--no-cache", cwd=tmp_path)
    (finding,) = [d for d in json.loads(found.stdout)["diagnostics"] if d["code"] == "SL306"]
    assert finding["path"] == MESSAGES and finding["line"] == 2
    assert "Only 75% of marketing's entries (0.75 of 1) serve the primary priority" in finding["message"]


# -- opt-in rules -------------------------------------------------------------------------------------------


def test_the_rules_that_would_report_on_older_strategies_are_opt_in(tmp_path: Path) -> None:
    messaging = _base(
        "marketing/messaging.yaml",
        "    segments: [seg-mid-market-finance]\n",
        "    segments: [seg-mid-market-finance]\n    proof_points: [pp-acme-close]\n",
    )
    root = _tree(tmp_path, {"marketing/messaging.yaml": messaging})
    assert _found(tmp_path, "SL606") == []
    for selection in ('select = ["ALL"]', 'select = ["SL6"]', 'extend-select = ["SL60"]'):
        (root / "stratlint.toml").write_text(f'root = "."\n{selection}\n', encoding="utf-8")
        assert _found(tmp_path, "SL606") == [], selection
    for selection in ('extend-select = ["SL606"]', 'extend-select = ["undated-proof-point"]'):
        (root / "stratlint.toml").write_text(f'root = "."\n{selection}\n', encoding="utf-8")
        assert [(p, n) for p, n, _ in _found(tmp_path, "SL606")] == [
            (NARRATIVE, _line(root, "narrative.yaml", "- id: pp-acme-close"))
        ], selection
    listed = invoke("rules").stdout
    assert "SL606  undated-proof-point" in listed and "(opt-in: select it by code or name)" in listed


# -- the bundled strategy, planted ---------------------------------------------------------------------------------


def test_a_planted_copy_of_the_bundled_strategy_gives_exactly_the_three_planted_findings(tmp_path: Path) -> None:
    root = tmp_path / STRATEGY
    shutil.copytree(PROJECT / "strategy", root)
    clean = invoke("check", root, "--format", "json", "--no-cache", cwd=tmp_path)
    assert json.loads(clean.stdout)["diagnostics"] == []
    # One name drift: the pillar 'Automation you can audit', said with one word changed.
    replace_in(
        root / "marketing" / "core-messaging.yaml",
        "headline: Flux review in hours, not days.",
        "headline: Flux review in hours, with Automation you can verify.",
    )
    # One retired tier named: the Starter tier in a handoff's entry criteria.
    replace_in(
        root / "governance.yaml",
        "    entry_criteria:\n",
        "    entry_criteria:\n      - Starter accounts go to inside sales\n",
    )
    # One undated proof point, cited by a message (and stamped, as the lock hook stamps a new reference).
    with (root / "narrative.yaml").open("a", encoding="utf-8") as narrative:
        narrative.write("  - id: pp.flux-survey\n    statement: Controllers trust drafted flux commentary.\n")
    replace_in(
        root / "marketing" / "core-messaging.yaml",
        "proof_points: [pp.flux-drafts-accepted]",
        "proof_points: [pp.flux-drafts-accepted, pp.flux-survey]",
    )
    assert invoke("lock", root, cwd=tmp_path).exit_code == 0
    result = invoke("check", root, "--format", "json", "--no-cache", cwd=tmp_path)
    found = sorted((d["code"], d["path"], d["line"]) for d in json.loads(result.stdout)["diagnostics"])
    assert found == [
        ("SL606", "strategy/narrative.yaml", line_of(root / "narrative.yaml", "- id: pp.flux-survey")),
        (
            "SL804",
            "strategy/marketing/core-messaging.yaml",
            line_of(root / "marketing" / "core-messaging.yaml", "Automation you can verify"),
        ),
        ("SL805", "strategy/governance.yaml", line_of(root / "governance.yaml", "Starter accounts")),
    ]


# -- 6. a strategy at the repository root -----------------------------------------------------------------------


def test_a_strategy_at_the_repository_root_works_with_file_arguments_and_staged_files(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo", with_strategy=False)
    for path in BASE.rglob("*.yaml"):
        target = repo / path.relative_to(BASE)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    (repo / "stratlint.toml").write_text('root = "."\n', encoding="utf-8")
    invoke("lock", cwd=repo)
    commit_all(repo, "a strategy at the root")
    for args in (("check",), ("check", "value.yaml"), ("check", "marketing/messaging.yaml", "value.yaml")):
        result = invoke(*args, cwd=repo)
        assert result.exit_code == 0, (args, result.output)
        assert "All checks passed" in result.stdout
    replace_in(repo / "marketing" / "messaging.yaml", "claim-close-in-days", "claim-close-in-dayz")
    git(repo, "add", "marketing/messaging.yaml")
    staged = invoke("check", "--staged", cwd=repo)
    assert staged.exit_code == 1
    assert f"marketing/messaging.yaml:{line_of(repo / 'marketing' / 'messaging.yaml', 'dayz')}:" in staged.stdout
    inside = invoke("check", "messaging.yaml", cwd=repo / "marketing")
    assert inside.exit_code == 1 and "SL201" in inside.stdout


def test_every_file_example_of_the_readmes_format_section_is_valid(tmp_path: Path) -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## The file format\n", 1)[1].split("\n## ", 1)[0]
    examples = [
        block for block in re.findall(r"```yaml\n(.*?)```", section, re.DOTALL) if block.startswith("stratlint: 1")
    ]
    assert len(examples) >= 8 and any("kind: market" in block for block in examples)
    for number, block in enumerate(examples):
        folder = tmp_path / str(number)
        folder.mkdir()
        (folder / "example.yaml").write_text(block, encoding="utf-8")
        result = invoke("check", folder, "--format", "json", "--no-cache", cwd=tmp_path)
        loading = [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] < "SL100"]
        assert loading == [], block


# -- 4. time as companies keep it ---------------------------------------------------------------------------

RELEASE = """stratlint: 1
kind: release
id: rel-close
name: Continuous close launch
target_date: {date}
{version}ships:
  - rm-auto-reconciliation
launch_messages: [msg-close-in-days]
enablement_plays: [play-controller-pain]
approvers:
  - who: vp-product
    decision: go
"""


def _roadmap(horizon: str | None, status: str = "planned") -> str:
    shown = f"    horizon: {horizon}\n" if horizon is not None else ""
    return _base(
        "product/roadmap.yaml", "    status: planned\n    horizon: 2027-Q1\n", f"    status: {status}\n{shown}"
    )


@pytest.mark.parametrize(
    ("status", "required"),
    [
        ("idea", False),
        ("backlog", False),
        ("shipped", False),
        ("planned", True),
        ("in-progress", True),
        ("paused", True),
    ],
)
def test_a_horizon_is_optional_for_ideas_the_backlog_and_shipped_items(
    tmp_path: Path, status: str, required: bool
) -> None:
    root = _tree(tmp_path, {"product/roadmap.yaml": _roadmap(None, status)})
    found = _found(tmp_path, "SL003")
    if required:
        ((path, line, message),) = found
        assert (path, line) == ("strategy/product/roadmap.yaml", _line(root, "product/roadmap.yaml", "- id: rm-auto"))
        assert message == "Roadmap item 'rm-auto-reconciliation' is missing the required field 'horizon'."
    else:
        assert found == []


def test_a_version_horizon_written_bare_is_told_to_quote_it(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"product/roadmap.yaml": _roadmap("17.0")})
    ((path, line, message),) = _found(tmp_path, "SL003")
    assert (path, line) == ("strategy/product/roadmap.yaml", _line(root, "product/roadmap.yaml", "horizon: 17.0"))
    assert message == (
        "Roadmap item 'rm-auto-reconciliation': 'horizon' should be text, not a number; "
        "put it in quotes to keep it as written."
    )


@pytest.mark.parametrize(
    ("config", "horizon", "date", "outside"),
    [
        ("", "FY27-Q1", "2027-02-15", False),  # no fiscal calendar: FY27 is 2027, Q1 January to March
        ("", "FY27-Q1", "2027-04-15", True),
        ('fiscal-year-start = "02-01"\n', "FY27-Q1", "2026-03-10", False),  # FY27 ends in January 2027
        ('fiscal-year-start = "02-01"\n', "FY27-Q1", "2027-03-10", True),
        ('fiscal-year-start = "02-01"\nfiscal-year-named-by = "start"\n', "FY27-Q1", "2027-03-10", False),
        ('fiscal-year-start = "10-01"\n', "FY2027-Q4", "2027-08-31", False),  # July to September 2027
        ('fiscal-year-start = "10-01"\n', "FY2027-Q4", "2027-10-01", True),
    ],
)
def test_a_fiscal_quarter_is_judged_on_the_configured_calendar(
    tmp_path: Path, config: str, horizon: str, date: str, outside: bool
) -> None:
    files = {"product/roadmap.yaml": _roadmap(horizon), "release.yaml": RELEASE.format(date=date, version="")}
    root = _tree(tmp_path, {**files, "stratlint.toml": 'root = "."\n' + config})
    found = _found(tmp_path, "SL705")
    assert [(p, n) for p, n, _ in found] == (
        [("strategy/release.yaml", _line(root, "release.yaml", "- rm-auto"))] if outside else []
    )
    if outside:
        assert f"planned for {horizon} (" in found[0][2]


def test_a_version_horizon_is_resolved_through_the_release_that_declares_it(tmp_path: Path) -> None:
    files = {"product/roadmap.yaml": _roadmap("'17.0'")}  # in quotes: 17.0 unquoted is a number
    _tree(tmp_path / "a", {**files, "release.yaml": RELEASE.format(date="2027-02-15", version="version: '17.0'\n")})
    assert _found(tmp_path / "a", "SL705") == []
    for name, version, said in (("b", "version: '16.2'\n", "declares version 16.2"), ("c", "", "declares no version")):
        root = _tree(tmp_path / name, {**files, "release.yaml": RELEASE.format(date="2027-02-15", version=version)})
        ((path, line, message),) = _found(tmp_path / name, "SL705")
        assert (path, line) == ("strategy/release.yaml", _line(root, "release.yaml", "- rm-auto"))
        assert message.startswith(f"Release 'rel-close' {said}, but it ships roadmap item 'rm-auto-reconciliation'")


def test_a_fiscal_year_start_that_is_not_a_day_is_a_configuration_error(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"stratlint.toml": 'root = "."\nfiscal-year-start = "13-01"\n'})
    result = invoke("check", root, cwd=tmp_path)
    assert result.exit_code == 2
    assert "stratlint.toml: fiscal-year-start" in result.output and "Traceback" not in result.output


# -- 6. an entry that misses several links -------------------------------------------------------------------


def test_an_entry_missing_several_links_is_one_line_of_the_text_report_and_one_finding_each_elsewhere(
    tmp_path: Path,
) -> None:
    roadmap = _base(
        "product/roadmap.yaml", "    value: [diff-continuous-reconciliation]\n    narrative: [claim-close-in-days]\n"
    )
    roadmap = roadmap.split("    rationale:")[0]
    root = _tree(tmp_path, {"product/roadmap.yaml": roadmap})
    line = _line(root, "product/roadmap.yaml", "- id: rm-auto-reconciliation")
    text = invoke("check", root, "--no-cache", cwd=tmp_path).stdout
    grouped = [row for row in text.splitlines() if "rm-auto-reconciliation" in row and "SL20" in row]
    assert grouped == [
        f"strategy/product/roadmap.yaml:{line}:5: SL203, SL204, SL501 [error] Entry 'rm-auto-reconciliation' lacks "
        "a value reference (SL203), a narrative reference (SL204) and a rationale linking it to value (SL501)."
    ]
    assert "Found 2 errors, 4 warnings in 7 files." in text  # the counts are of findings, not of lines
    document = json.loads(invoke("check", root, "--format", "json", "--no-cache", cwd=tmp_path).stdout)
    codes = [d["code"] for d in document["diagnostics"] if d["path"] == "strategy/product/roadmap.yaml"]
    assert sorted(codes) == ["SL203", "SL204", "SL501"]


def test_one_missing_link_stays_the_rules_own_line(tmp_path: Path) -> None:
    roadmap = _base("product/roadmap.yaml", "    narrative: [claim-close-in-days]\n")
    _tree(tmp_path, {"product/roadmap.yaml": roadmap})
    text = invoke("check", tmp_path / STRATEGY, "--no-cache", cwd=tmp_path).stdout
    assert "SL204 [error] Roadmap item 'rm-auto-reconciliation' does not reference" in text
    assert "lacks" not in text


def test_a_name_where_an_id_goes_is_told_the_id_even_when_it_is_no_id_at_all(tmp_path: Path) -> None:
    messaging = _base(
        "marketing/messaging.yaml",
        "    segments: [seg-mid-market-finance]\n",
        "    segments: [Mid-market finance teams]\n",
    )
    root = _tree(tmp_path, {"marketing/messaging.yaml": messaging})
    ((path, line, message),) = _found(tmp_path, "SL003")
    assert (path, line) == (MESSAGES, _line(root, "marketing/messaging.yaml", "segments:"))
    assert message.endswith(
        "Did you mean 'seg-mid-market-finance'? Segment 'seg-mid-market-finance' is called 'Mid-market finance "
        "teams', and references use its id."
    )
    fixed = invoke("check", root, "--fix", "--no-cache", cwd=tmp_path)
    assert fixed.stdout.startswith("Fixed "), fixed.output
    assert "    segments: [seg-mid-market-finance]\n" in (root / "marketing" / "messaging.yaml").read_text(
        encoding="utf-8"
    )
    assert _found(tmp_path, "SL003") == []


def test_format_puts_what_else_an_entry_is_called_by_its_name(tmp_path: Path) -> None:
    text = MARKET + "    aliases: [Excel]\n    description: What most teams close with.\n    short_name: Sheets\n"
    (tmp_path / "market.yaml").write_text(text, encoding="utf-8")
    assert invoke("format", tmp_path / "market.yaml", cwd=tmp_path).exit_code == 0
    formatted = (tmp_path / "market.yaml").read_text(encoding="utf-8")
    assert (
        "    name: Spreadsheets\n    short_name: Sheets\n    aliases: [Excel]\n"
        "    description: What most teams close with.\n"
    ) in formatted


def test_the_matrix_counts_work_that_cites_evidence_proving_a_claim(tmp_path: Path) -> None:
    from stratlint.analysis.matrix import Header, analyze, build_view
    from stratlint.analysis.settings import Settings

    fixture = PROJECT / "tests/fixtures/rules/SL303-pillar-coverage-gap/good-evidence"
    build_tree(fixture, tmp_path)
    run = analyze(Settings(root=tmp_path / STRATEGY, repo_root=tmp_path, cache=False))
    rows = {row.id: row for row in build_view(run, Header()).matrix}
    cells = {cell.function: cell.entries for cell in rows["pillar-trusted-numbers"].cells}
    # Product names the claim; marketing and sales cite the case study that proves it (sales
    # from an objection, shown as its play).
    assert cells == {
        "product": ("rm-audit-trail",),
        "marketing": ("msg-auditor-ready",),
        "sales": ("play-audit-season",),
    }
    assert not rows["pillar-trusted-numbers"].has_hole
