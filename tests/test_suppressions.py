"""Inline suppressions and waivers: parsing, and what the engine does with them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stratlint.analysis.check import lint
from stratlint.analysis.result import Result as LintResult
from stratlint.analysis.suppressions import parse_suppressions
from stratlint.config import CommandLineOptions, resolve_settings
from stratlint.diagnostics import Diagnostic
from stratlint.report import REPORTERS, ReportOptions

from conftest import invoke
from strategy_trees import edit, line_of, make_repo, plant_dangling_priority, plant_orphan_differentiator

# -- parsing ---------------------------------------------------------------------------------


def test_trailing_comment_silences_its_own_line_by_code_or_name() -> None:
    text = "a: 1\nb: [x]  # stratlint: disable=SL201, orphan-node -- waiting for the case study\n"
    (found,) = parse_suppressions("f.yaml", text)
    assert found.target == 2
    assert not found.file_wide
    assert [(c.code, c.name) for c in found.codes] == [("SL201", "dangling-reference"), ("SL304", "orphan-node")]
    assert (found.span.line, found.span.column) == (2, len("b: [x]  ") + 1)
    assert found.problem is None


def test_standalone_comment_silences_the_next_content_line() -> None:
    text = "a: 1\n  # stratlint: disable=SL201 -- reason\n\n  # another comment\n  b: 2\n"
    (found,) = parse_suppressions("f.yaml", text)
    assert found.target == 5


def test_file_wide_only_in_the_header_comments() -> None:
    header = "# yaml-language-server: $schema=x.json\n\n# stratlint: disable-file=SL304 -- legacy file\nstratlint: 1\n"
    (found,) = parse_suppressions("f.yaml", header)
    assert found.file_wide and found.problem is None
    late = "stratlint: 1\n# stratlint: disable-file=SL304\nkind: value\n"
    (found,) = parse_suppressions("f.yaml", late)
    assert found.problem is not None and "top of the file" in found.problem


@pytest.mark.parametrize(
    ("comment", "until", "owner", "problem"),
    [
        ("disable=SL203 until=2027-03-31 owner=pmm-lead -- launch copy pending", date(2027, 3, 31), "pmm-lead", None),
        ("disable=SL203 owner=pmm-lead", None, "pmm-lead", None),
        ("disable=SL203 until=2027-02-30", None, None, "'2027-02-30' is not a date"),
        ("disable=SL203 until=2027-03-31 -- nobody agreed it", None, None, "a waiver with until= needs owner=NAME"),
        ("disable=SL203 until=31/03/2027", None, None, "no valid date"),
        ("disable=SL203 by=me", None, None, "'by=me' is not understood"),
        ("disabel=SL203", None, None, "not understood"),
        ("disable=", None, None, "not understood"),
    ],
)
def test_waiver_fields_and_malformed_comments(
    comment: str, until: date | None, owner: str | None, problem: str | None
) -> None:
    (found,) = parse_suppressions("f.yaml", f"a: 1  # stratlint: {comment}\n")
    assert (found.until, found.owner) == (until, owner)
    if problem is None:
        assert found.problem is None
    else:
        assert found.problem is not None and problem in found.problem


def test_a_hash_inside_a_value_is_not_a_comment() -> None:
    assert parse_suppressions("f.yaml", "headline: 'Issue#stratlint: disable=SL201'\n") == []


# -- in a run --------------------------------------------------------------------------------

TODAY = date(2027, 1, 15)
HEADLINE = "    headline: Close your books in three days\n"


def comment_priority(strategy: Path, comment: str) -> None:
    """Put ``comment`` at the end of the (planted) priority line of the message."""
    edit(strategy / "marketing" / "messaging.yaml", "prio-nope\n", f"prio-nope  {comment}\n")


def run(strategy: Path, today: date = TODAY, **options: object) -> LintResult:
    settings = resolve_settings(strategy, CommandLineOptions(**options))  # type: ignore[arg-type]
    from dataclasses import replace

    return lint(replace(settings, today=today))


def found(result: LintResult) -> list[tuple[str, str, int]]:
    return [(d.code, Path(d.path).name, d.line) for d in result.diagnostics]


def one(result: LintResult, code: str) -> Diagnostic:
    (diagnostic,) = [d for d in result.diagnostics if d.code == code]
    return diagnostic


def test_same_line(tmp_path: Path) -> None:
    _, strategy = make_repo(tmp_path)
    line = plant_dangling_priority(strategy)
    assert found(run(strategy)) == [("SL201", "messaging.yaml", line)]
    edit(
        strategy / "marketing" / "messaging.yaml",
        "prio-nope\n",
        "prio-nope  # stratlint: disable=SL201 -- renamed next week\n",
    )
    result = run(strategy)
    assert found(result) == []
    assert (result.summary.waived, result.exit_code) == (0, 0)


def test_line_before(tmp_path: Path) -> None:
    _, strategy = make_repo(tmp_path)
    plant_dangling_priority(strategy)
    edit(
        strategy / "marketing" / "messaging.yaml",
        "    priority: prio-nope\n",
        "    # stratlint: disable=dangling-reference -- renamed next week\n"
        "\n"
        "    # (the old id)\n"
        "    priority: prio-nope\n",
    )
    assert found(run(strategy)) == []


def test_line_before_does_not_reach_further(tmp_path: Path) -> None:
    _, strategy = make_repo(tmp_path)
    plant_dangling_priority(strategy)
    edit(
        strategy / "marketing" / "messaging.yaml",
        "    rationale:\n",
        "    # stratlint: disable=SL201 -- meant for the priority, but placed too low\n    rationale:\n",
    )
    result = run(strategy)
    assert [d.code for d in result.diagnostics] == ["SL201", "SL901"]
    unused = one(result, "SL901")
    assert unused.line == line_of(strategy / "marketing" / "messaging.yaml", "placed too low")
    assert unused.column == 5


def test_file_wide_by_name(tmp_path: Path) -> None:
    _, strategy = make_repo(tmp_path)
    plant_orphan_differentiator(strategy)
    value = strategy / "value.yaml"
    value.write_text("# stratlint: disable-file=orphan-node -- kept for the FY28 plan\n" + value.read_text())
    assert found(run(strategy)) == []


def test_unused_suppression_names_the_codes_and_points_at_the_comment(tmp_path: Path) -> None:
    _, strategy = make_repo(tmp_path)
    line = plant_dangling_priority(strategy)
    comment_priority(strategy, "# stratlint: disable=SL201,SL304")
    result = run(strategy)
    assert found(result) == [("SL901", "messaging.yaml", line)]
    unused = one(result, "SL901")
    assert "of orphan-node matches" in unused.message and "dangling-reference" not in unused.message
    assert unused.column == len("    priority: prio-nope  ") + 1
    assert result.exit_code == 0  # a warning


def test_unknown_code_is_reported_at_the_code_and_silences_nothing(tmp_path: Path) -> None:
    _, strategy = make_repo(tmp_path)
    line = plant_dangling_priority(strategy)
    comment_priority(strategy, "# stratlint: disable=SL2O1")
    result = run(strategy)
    assert found(result) == [("SL201", "messaging.yaml", line), ("SL902", "messaging.yaml", line)]
    unknown = one(result, "SL902")
    text = (strategy / "marketing" / "messaging.yaml").read_text().splitlines()[line - 1]
    assert unknown.column == text.index("SL2O1") + 1
    assert unknown.span.end_column == unknown.column + len("SL2O1")
    assert "'SL2O1'" in unknown.message


def test_waiver_before_and_after_expiry(tmp_path: Path) -> None:
    _, strategy = make_repo(tmp_path)
    line = plant_dangling_priority(strategy)
    edit(
        strategy / "marketing" / "messaging.yaml",
        "prio-nope\n",
        "prio-nope  # stratlint: disable=SL201 until=2027-03-31 owner=pmm-lead -- launch copy pending\n",
    )
    before = run(strategy, today=date(2027, 3, 31))
    assert found(before) == []
    assert before.summary.waived == 1
    assert "1 finding waived." in REPORTERS["text"](before, ReportOptions())
    assert json.loads(REPORTERS["json"](before, ReportOptions()))["summary"]["waived"] == 1

    after = run(strategy, today=date(2027, 4, 1))
    assert found(after) == [("SL201", "messaging.yaml", line), ("SL903", "messaging.yaml", line)]
    assert after.summary.waived == 0
    expired = one(after, "SL903")
    assert "pmm-lead" in expired.message and "2027-03-31" in expired.message
    assert after.exit_code == 1


def test_a_plain_suppression_is_not_counted_as_waived(tmp_path: Path) -> None:
    _, strategy = make_repo(tmp_path)
    plant_dangling_priority(strategy)
    edit(
        strategy / "marketing" / "messaging.yaml",
        "prio-nope\n",
        "prio-nope  # stratlint: disable=SL201 owner=pmm-lead\n",
    )
    assert run(strategy).summary.waived == 0


def test_a_suppression_of_unused_suppression_silences_its_own_report(tmp_path: Path) -> None:
    _, strategy = make_repo(tmp_path)
    messaging = strategy / "marketing" / "messaging.yaml"
    edit(
        messaging,
        "    headline: Close your books in three days\n",
        "    headline: Close in days, not weeks  # stratlint: disable=SL304,SL901\n",
    )
    assert found(run(strategy)) == []
    # A file-wide one silences the reports for the other comments in the file.
    messaging.write_text("# stratlint: disable-file=unused-suppression\n" + messaging.read_text().replace(",SL901", ""))
    assert found(run(strategy)) == []
    # Never reported as unused itself, even when nothing was left to silence.
    messaging.write_text(messaging.read_text().replace("  # stratlint: disable=SL304", ""))
    assert found(run(strategy)) == []


def test_disabled_rules_are_not_reported_as_unused(tmp_path: Path) -> None:
    _, strategy = make_repo(tmp_path)
    edit(
        strategy / "marketing" / "messaging.yaml",
        "    headline: Close your books in three days\n",
        "    headline: Close in days, not weeks  # stratlint: disable=SL304\n",
    )
    assert [d.code for d in run(strategy).diagnostics] == ["SL901"]
    assert found(run(strategy, select=("SL2",))) == []
    assert found(run(strategy, ignore=("SL901",))) == []
    assert found(run(strategy, per_path_ignores=("strategy/marketing/messaging.yaml=SL304",))) == []
    assert [d.severity.label for d in run(strategy, severity=("SL901=error",)).diagnostics] == ["error"]


def test_files_that_fail_to_load(tmp_path: Path) -> None:
    _, strategy = make_repo(tmp_path)
    broken = strategy / "broken.yaml"
    broken.write_text(
        "# stratlint: disable-file=SL201 -- cannot be told unused here\n"
        "stratlint: 1\nkind: messaging\nid: broken\nmessages: [\n"
        "  # stratlint: disable=SL2O1\n"
    )
    result = run(strategy)
    assert sorted(d.code for d in result.diagnostics) == ["SL001", "SL902"]
    assert {d.path for d in result.diagnostics} == {"strategy/broken.yaml"}


def test_suppressing_a_load_problem_in_the_file(tmp_path: Path) -> None:
    _, strategy = make_repo(tmp_path)
    (strategy / "notes.yaml").write_text("# stratlint: disable-file=not-an-artifact -- meeting notes, not strategy\n")
    assert found(run(strategy)) == []


def test_through_the_command_line(tmp_path: Path) -> None:
    repo, strategy = make_repo(tmp_path)
    plant_dangling_priority(strategy)
    edit(
        strategy / "marketing" / "messaging.yaml",
        "prio-nope\n",
        "prio-nope  # stratlint: disable=SL201 until=2999-12-31 owner=x\n",
    )
    result = invoke("check", strategy, cwd=repo)
    assert result.exit_code == 0
    assert "All checks passed: 7 files, no findings. 1 finding waived." in result.stdout
    edit(strategy / "marketing" / "messaging.yaml", "until=2999-12-31", "until=2000-01-01")
    result = invoke("check", strategy, "--format", "json", cwd=repo)
    assert result.exit_code == 1
    codes = [d["code"] for d in json.loads(result.stdout)["diagnostics"]]
    assert codes == ["SL201", "SL903"]


def test_text_that_only_looks_like_a_comment_is_not_one() -> None:
    from stratlint.load.yaml import parse_yaml

    text = (
        "a: >-\n"
        "  Put '# stratlint: disable=SL201' on the line\n"
        "b: 'x # stratlint: disable=SL304'  # stratlint: disable=SL202\n"
        'c: "# stratlint: disable=SL203"\n'
        "d: plain  # stratlint: disable=SL204\n"
    )
    values = parse_yaml(text.encode()).source_map.values
    found = parse_suppressions("f.yaml", text, values)
    assert [(s.span.line, [c.code for c in s.codes]) for s in found] == [(3, ["SL202"]), (5, ["SL204"])]
    # Without positions, the text inside the quotes on line 3 would be taken for the comment.
    blind = parse_suppressions("f.yaml", text)
    assert [(s.span.line, s.span.column) for s in blind] == [(3, 7), (5, 11)]
    assert blind[0].problem is not None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "# stratlint:",
                "disable=",
                "disable-file=",
                "SL201",
                ",",
                " ",
                "--",
                "#",
                "\n",
                "until=",
                "2027-02-30",
                "owner=",
                "x: ",
                "'",
                "\u2028",
                "\r",
            ]
        ),
        max_size=30,
    )
)
def test_parsing_never_raises(pieces: list[str]) -> None:
    text = "".join(pieces)
    for found in parse_suppressions("f.yaml", text):
        assert found.span.line >= 1 and found.span.column >= 1
