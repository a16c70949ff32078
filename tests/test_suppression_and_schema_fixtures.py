"""Fixtures for the rules of configuration and suppressions (SL016, SL901-SL904): each bad tree
reports the rule exactly where '# expect: CODE' marks it, and each good tree does not report it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PROJECT, check_json

from stratlint.rules import BY_CODE

FIXTURES = PROJECT / "tests" / "fixtures" / "rules"
CODES = ["SL016", "SL901", "SL902", "SL903", "SL904"]
EXPECT = re.compile(r"#\s*expect:\s*(SL\d{3})")


def _folder(code: str) -> Path:
    return FIXTURES / f"{code}-{BY_CODE[code].name}"


def _expected(tree: Path, code: str) -> set[tuple[str, int]]:
    found = set()
    for path in sorted(tree.rglob("*.yaml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if code in EXPECT.findall(line):
                found.add((path.relative_to(PROJECT).as_posix(), number))
    return found


@pytest.mark.parametrize("code", CODES)
def test_bad_fixture_reports_the_rule_at_the_marked_lines(code: str) -> None:
    tree = _folder(code) / "bad"
    expected = _expected(tree, code)
    assert expected, f"{tree} marks no '# expect: {code}'"
    _, document = check_json(tree)
    reported = {(d["path"], d["line"]) for d in document["diagnostics"] if d["code"] == code}
    assert reported == expected
    # Every finding in a bad tree is one the fixture expects.
    everything = {(d["path"], d["line"], d["code"]) for d in document["diagnostics"]}
    marked = {(p, n, c) for c in BY_CODE for p, n in _expected(tree, c)}
    assert everything == marked


@pytest.mark.parametrize("code", CODES)
def test_good_fixture_does_not_report_the_rule(code: str) -> None:
    _, document = check_json(_folder(code) / "good")
    assert [d for d in document["diagnostics"] if d["code"] == code] == []
