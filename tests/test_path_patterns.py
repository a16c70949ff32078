"""Per-path ignores match by git's wildcard rules, and GitHub annotations over several
lines carry no columns (the runner drops those with a warning)."""

from __future__ import annotations

import pytest

from stratlint.analysis.policy import Policy
from stratlint.diagnostics import Diagnostic, Severity, Span
from stratlint.report.github import annotation


@pytest.mark.parametrize(
    ("pattern", "path", "ignored"),
    [
        ("strategy/**/*.yaml", "strategy/governance.yaml", True),
        ("strategy/**/*.yaml", "strategy/sales/deep/plays.yaml", True),
        ("strategy/*.yaml", "strategy/governance.yaml", True),
        ("strategy/*.yaml", "strategy/sales/plays.yaml", False),
        ("strategy/archive/*", "strategy/archive/2025/old.yaml", True),
        ("archive/", "strategy/archive/old.yaml", True),
        ("*.draft.yaml", "strategy/sales/q3.draft.yaml", True),
        ("strategy/sales/plays.yaml", "strategy/sales/plays.yaml", True),
        ("strategy/sales/plays.yaml", "other/strategy/sales/plays.yaml", False),
        ("strategy/s?les/*.yaml", "strategy/sales/plays.yaml", True),
    ],
)
def test_per_path_patterns_follow_git_wildcards(pattern: str, path: str, ignored: bool) -> None:
    policy = Policy(per_path_ignores={pattern: ("SL3",)})
    assert policy.ignored_at(path, "SL304", "orphan-node") is ignored
    assert not policy.ignored_at(path, "SL201", "dangling-reference")


def _finding(span: Span) -> Diagnostic:
    return Diagnostic("SL201", "dangling-reference", Severity.ERROR, "m", "strategy/x.yaml", span, subject="s")


def test_an_annotation_over_several_lines_has_no_columns() -> None:
    several = annotation(_finding(Span(3, 5, 6, 2)))
    assert "line=3,endLine=6," in several and "col=" not in several and "endColumn=" not in several
    one = annotation(_finding(Span(3, 5, 3, 9)))
    assert "line=3,col=5,endLine=3,endColumn=9," in one
