"""Fixtures for the drift (SL6xx) and release (SL7xx) rules: bad/ triggers the rule exactly on the
lines marked '# expect: <CODE>', good/ does not trigger it."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from stratlint.analysis.check import lint
from stratlint.analysis.settings import Settings
from stratlint.rules import RULES

from conftest import PROJECT

FIXTURES = PROJECT / "tests" / "fixtures" / "rules"
TODAY = datetime.date(2026, 11, 24)
OURS = [
    rule
    for rule in RULES
    if rule.code.startswith(("SL6", "SL7"))
    and (FIXTURES / f"{rule.code}-{rule.name}" / "bad" / "standalone.txt").is_file()
]
"""The drift and release rules whose fixtures are complete trees (standalone.txt); the
others are overlays on the shared base, which tests/test_rules.py checks."""
EXPECT = re.compile(r"#\s*expect:\s*(SL\d{3})")


def _findings(folder: Path, code: str) -> set[tuple[str, int]]:
    result = lint(Settings(root=folder, repo_root=folder, today=TODAY))
    return {(d.path, d.line) for d in result.diagnostics if d.code == code}


def _expected(folder: Path, code: str) -> set[tuple[str, int]]:
    found = set()
    for path in sorted(folder.iterdir()):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = EXPECT.search(line)
            if match and match[1] == code:
                found.add((path.name, number))
    return found


@pytest.mark.parametrize("rule", OURS, ids=lambda rule: rule.code)
def test_bad_fixture_triggers_exactly_the_marked_lines(rule: type) -> None:
    folder = FIXTURES / f"{rule.code}-{rule.name}" / "bad"
    expected = _expected(folder, rule.code)
    assert expected, f"{folder} marks no line with '# expect: {rule.code}'"
    assert _findings(folder, rule.code) == expected


@pytest.mark.parametrize("rule", OURS, ids=lambda rule: rule.code)
def test_good_fixture_does_not_trigger(rule: type) -> None:
    folder = FIXTURES / f"{rule.code}-{rule.name}" / "good"
    assert folder.is_dir()
    assert _findings(folder, rule.code) == set()
