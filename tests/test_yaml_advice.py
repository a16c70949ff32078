"""YAML mistakes in plain words, each with the line as it should read.

A table of the mistakes people make writing strategy by hand: each row is a broken file,
where the finding must stand, words it must say, and the fixed line it must show. The
parser's own words follow the plain ones. A mistake outside the table keeps the parser's
words alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stratlint.load.artifact import load_bytes
from stratlint.problems import ProblemKind

from conftest import invoke

HEAD = "stratlint: 1\nkind: playbook\nid: playbook.x\nplays:\n"

CASES = {
    "colon in text": (
        "  - id: play.a\n    answer: Checks run in seconds: only verified secrets block.\n",
        (6, 13),
        ["holds ': '", "Put the whole text in quotes"],
        "'answer: \"Checks run in seconds: only verified secrets block.\"'",
    ),
    "colon and hash in text": (
        "  - id: play.a\n    answer: Ranked first: by analysts #1\n",
        (6, 13),
        ["Put the whole text in quotes"],
        "'answer: \"Ranked first: by analysts #1\"'",
    ),
    "colon in text with a double quote": (
        '  - id: play.a\n    answer: The "fast" close: done.\n',
        (6, 13),
        ["Put the whole text in quotes"],
        "'answer: 'The \"fast\" close: done.''",
    ),
    "tab in indentation": (
        "  - id: play.a\n\tname: Discovery\n",
        (6, 1),
        ["indented with a tab", "spaces only"],
        "'name: Discovery' (indented by 4 spaces)",
    ),
    "key indented more than its siblings": (
        "  - id: play.a\n     name: Discovery\n    status: active\n",
        (6, 6),
        ["indented by 5 spaces, more than the key on line 5 (4 spaces)"],
        "'name: Discovery' (indented by 4 spaces)",
    ),
    "key indented less than its siblings": (
        "  - id: play.a\n    name: Discovery\n   status: active\n",
        (7, 4),
        ["indented by 3 spaces, less than the keys beside it (4 spaces)"],
        "'status: active' (indented by 4 spaces)",
    ),
    "unclosed quote": (
        '  - id: play.a\n    name: "Discovery\n    status: active\n',
        (6, 11),
        ['quote (") that opens this text is never closed'],
        "'name: \"Discovery\"' (indented by 4 spaces)",
    ),
    "list entry without its dash": (
        "    id: play.a\n    name: Discovery\n  - id: play.b\n    name: Expansion\n",
        (5, 5),
        ["entries under 'plays:' are a list", "no '- ' in front"],
        "'- id: play.a' (indented by 2 spaces)",
    ),
    "value on the line after its key": (
        "  - id: play.a\n    name:\n    Intercompany discovery\n    status: active\n",
        (7, 5),
        ["value of 'name:' on line 6, which is empty"],
        "'name: Intercompany discovery' (indented by 4 spaces)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_mistake_is_told_in_plain_words_with_the_fixed_line(case: str) -> None:
    body, (line, column), words, fixed = CASES[case]
    artifact = load_bytes((HEAD + body).encode("utf-8"), "strategy/sales/plays.yaml")
    [problem] = artifact.problems
    assert problem.kind is ProblemKind.INVALID_YAML
    assert (problem.line, problem.column) == (line, column), problem.message
    for word in words:
        assert word in problem.message, problem.message
    assert fixed in problem.message, problem.message
    assert "The YAML parser says:" in problem.message, "the parser's words follow the plain ones"
    assert problem.message.index("The YAML parser says:") > problem.message.index(fixed)


def test_a_mistake_outside_the_table_keeps_the_parsers_words() -> None:
    artifact = load_bytes((HEAD + "  - id: play.a\n    segments: [seg.a, seg.b\n").encode(), "p.yaml")
    [problem] = artifact.problems
    assert problem.message.startswith("This file is not valid YAML:"), problem.message
    assert "The YAML parser says:" not in problem.message


def test_colon_in_text_is_one_finding_in_its_file_and_nowhere_else(strategy_copy: Path) -> None:
    # The trial's case: an unquoted ': ' in one play's text, in a playbook a release cites.
    target = next(
        path for path in sorted(strategy_copy.rglob("*.yaml")) if "\nkind: playbook" in path.read_text(encoding="utf-8")
    )
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, text in enumerate(lines) if text.startswith("    name: "))
    key, _, value = lines[number].rstrip("\n").partition(": ")
    lines[number] = f"{key}: Step one: {value}\n"
    target.write_text("".join(lines), encoding="utf-8")
    result = invoke("check", "strategy", "--format", "json", cwd=strategy_copy.parent)
    assert result.exit_code == 1
    found = json.loads(result.output)["diagnostics"]
    relpath = target.relative_to(strategy_copy.parent).as_posix()
    assert [(d["code"], d["path"], d["line"]) for d in found] == [("SL001", relpath, number + 1)]
    assert f"Put the whole text in quotes: 'name: \"Step one: {value}\"'" in found[0]["message"]


def test_text_cut_short_by_a_hash_is_a_warning_with_the_quoted_line(tmp_path: Path) -> None:
    body = "  - id: play.a\n    name: Ranked #1 for close  # our claim\n"
    artifact = load_bytes((HEAD + body).encode("utf-8"), "strategy/sales/plays.yaml")
    [problem] = artifact.problems
    assert problem.kind is ProblemKind.TEXT_CUT_BY_COMMENT
    assert (problem.line, problem.column) == (6, 18)  # at the '#'
    assert "'name: \"Ranked #1 for close\"'" in problem.message
    assert artifact.data is not None, "the file still loads"
    plain = load_bytes((HEAD + "  - id: play.a  # note\n    name: Ranked first\n").encode("utf-8"), "p.yaml")
    assert [p.kind for p in plain.problems if p.kind is ProblemKind.TEXT_CUT_BY_COMMENT] == []
