"""SARIF keeps what is silenced: a '# stratlint:' comment's finding is an ``inSource``
suppression, a waiver's and the baseline's are ``external``, all ``accepted`` with the reason
as the justification, so code scanning dismisses those alerts instead of calling them fixed.
The other formats show only what is reported, as before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from stratlint.analysis.result import Report, Summary
from stratlint.analysis.suppressions import Silenced
from stratlint.diagnostics import Diagnostic, Severity, Span
from stratlint.report import REPORTERS, ReportOptions, sarif

from conftest import invoke, needs_shared
from strategy_trees import edit, make_repo, plant_dangling_priority, plant_orphan_differentiator

MESSAGING = "strategy/marketing/messaging.yaml"
VALUE = "strategy/value.yaml"


def validate(document: dict[str, Any]) -> None:
    """The official schema, with format checking (uri, uri-reference) on."""
    schema = json.loads(needs_shared("schemas", "sarif-2.1.0.json").read_text())
    checker = jsonschema.FormatChecker()
    assert "uri-reference" in checker.checkers, "pip install -e '.[test]' (rfc3986-validator)"
    errors = list(jsonschema.Draft4Validator(schema, format_checker=checker).iter_errors(document))
    assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def check(repo: Path, *args: str) -> tuple[int, str]:
    result = invoke("check", "strategy", *args, cwd=repo)
    return result.exit_code, result.stdout


def sarif_results(repo: Path, *args: str) -> list[dict[str, Any]]:
    _, out = check(repo, "--format", "sarif", *args)
    document = json.loads(out)
    validate(document)
    return list(document["runs"][0]["results"])


def where(found: dict[str, Any]) -> tuple[str, str, int]:
    physical = found["locations"][0]["physicalLocation"]
    return found["ruleId"], physical["artifactLocation"]["uri"], physical["region"]["startLine"]


def test_a_comment_silences_in_source_and_the_baseline_externally(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    dangling = plant_dangling_priority(strategy)
    orphan = plant_orphan_differentiator(strategy)
    baseline = repo / ".stratlint-baseline.json"
    invoke("baseline", "strategy", "--output", baseline, "--select", "SL304", cwd=repo)
    edit(
        strategy / "marketing" / "messaging.yaml",
        "prio-nope\n",
        "prio-nope  # stratlint: disable=SL201 -- the priority is renamed next quarter\n",
    )

    results = sarif_results(repo, "--baseline", str(baseline))
    assert sorted(where(r) for r in results) == [("SL201", MESSAGING, dangling), ("SL304", VALUE, orphan)]
    by_rule = {r["ruleId"]: r for r in results}
    assert by_rule["SL201"]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "the priority is renamed next quarter"}
    ]
    assert by_rule["SL304"]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Recorded in the baseline .stratlint-baseline.json.",
        }
    ]
    assert by_rule["SL201"]["level"] == "error" and by_rule["SL304"]["level"] == "warning"

    # The run itself passes: silenced findings are carried, never counted.
    status, out = check(repo, "--baseline", str(baseline), "--format", "json")
    assert status == 0
    report = json.loads(out)
    assert report["diagnostics"] == []
    assert report["summary"]["baselined"] == 1
    status, text = check(repo, "--baseline", str(baseline))
    assert status == 0 and "SL201" not in text and "SL304" not in text


def test_a_waiver_is_an_external_suppression_with_its_terms(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    line = plant_dangling_priority(strategy)
    edit(
        strategy / "marketing" / "messaging.yaml",
        "prio-nope\n",
        "prio-nope  # stratlint: disable=SL201 until=2999-03-31 owner=pmm-lead -- launch copy pending\n",
    )
    (found,) = sarif_results(repo)
    assert where(found) == ("SL201", MESSAGING, line)
    assert found["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "launch copy pending (a waiver until 2999-03-31, owned by pmm-lead)",
        }
    ]


def test_a_comment_without_a_reason_is_justified_by_the_comment_itself(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    plant_dangling_priority(strategy)
    edit(strategy / "marketing" / "messaging.yaml", "prio-nope\n", "prio-nope  # stratlint: disable=SL201\n")
    (found,) = sarif_results(repo)
    assert found["suppressions"][0]["justification"] == "Silenced by '# stratlint: disable=SL201'."


def test_an_unchanged_rerun_from_the_snapshot_carries_the_same_suppressions(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    plant_dangling_priority(strategy)
    plant_orphan_differentiator(strategy)
    edit(strategy / "marketing" / "messaging.yaml", "prio-nope\n", "prio-nope  # stratlint: disable=SL201 -- r1\n")
    edit(
        strategy / "value.yaml",
        "  - id: diff-continuous-reconciliation",
        "  - id: diff-continuous-reconciliation  # stratlint: disable=SL304 until=2999-01-01 owner=cfo -- r2",
    )
    first = sarif_results(repo)  # a full run, which writes the snapshot
    again = sarif_results(repo)  # nothing changed: the snapshot is the result
    assert [r["suppressions"] for r in first] == [r["suppressions"] for r in again]
    assert sorted(r["suppressions"][0]["kind"] for r in first) == ["external", "inSource"]
    # A change elsewhere is checked incrementally; the silenced findings stay as they were.
    edit(strategy / "product" / "roadmap.yaml", "title: ", "title: Renamed ")
    assert [r["suppressions"] for r in sarif_results(repo)] == [r["suppressions"] for r in first]


def test_other_formats_show_only_the_reported_findings() -> None:
    """Silenced findings reach the SARIF reporter alone: every other format renders the same
    text with or without them."""
    shown = Diagnostic("SL201", "dangling-reference", Severity.ERROR, "seen", "s/a.yaml", Span(2, 1, 2, 5), subject="a")
    hidden = Diagnostic("SL304", "orphan-node", Severity.WARNING, "hidden", "s/b.yaml", Span(3, 1, 3, 5), subject="b")
    summary = Summary(files=2, counts={"error": 1, "warning": 0, "info": 0}, alignment=(), baselined=1)
    plain = Report((shown,), summary, Path("/repo"), files=("s/a.yaml", "s/b.yaml"))
    carried = Report(
        (shown,), summary, Path("/repo"), files=plain.files, silenced=(Silenced(hidden, "baseline", "accepted"),)
    )
    for name, reporter in REPORTERS.items():
        if name != "sarif":
            assert reporter(carried, ReportOptions()) == reporter(plain, ReportOptions()), name
    results = json.loads(REPORTERS["sarif"](carried, ReportOptions()))["runs"][0]["results"]
    assert [(r["ruleId"], "suppressions" in r) for r in results] == [("SL201", False), ("SL304", True)]


def test_silencing_one_of_two_twins_renames_neither() -> None:
    """Identical findings are told apart by their rank in report order, counted over the
    reported and the silenced together."""
    twins = [
        Diagnostic("SL201", "dangling-reference", Severity.ERROR, "m", "s/a.yaml", Span(n, 1, n, 5), subject="m")
        for n in (3, 9)
    ]
    summary = Summary(files=1, counts={"error": 2, "warning": 0, "info": 0}, alignment=())
    both = sarif.document(Report(tuple(twins), summary, Path("/repo")))
    first_silenced = sarif.document(
        Report((twins[1],), summary, Path("/repo"), silenced=(Silenced(twins[0], "baseline", "accepted"),))
    )

    def prints(document: dict[str, Any]) -> dict[int, str]:
        results = document["runs"][0]["results"]
        return {where(r)[2]: r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in results}

    assert prints(both) == prints(first_silenced)
    assert len(set(prints(both).values())) == 2


def test_at_the_cap_reported_findings_come_before_silenced_ones() -> None:
    reported = [
        Diagnostic("SL304", "orphan-node", Severity.INFO, "m", "s/a.yaml", Span(n, 1, n, 5), subject=f"r{n}")
        for n in range(1, sarif.MAX_RESULTS + 1)
    ]
    silenced = Diagnostic("SL201", "dangling-reference", Severity.ERROR, "m", "s/a.yaml", Span(1, 1, 1, 5), subject="s")
    summary = Summary(files=1, counts={"error": 0, "warning": 0, "info": len(reported)}, alignment=())
    report = Report(tuple(reported), summary, Path("/repo"), silenced=(Silenced(silenced, "comment", "why"),))
    run = sarif.document(report)["runs"][0]
    assert len(run["results"]) == sarif.MAX_RESULTS
    assert all("suppressions" not in r for r in run["results"])
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith("1 more findings")
