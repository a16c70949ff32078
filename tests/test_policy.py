"""Policy: selection, severity overrides and per-path ignores, as tables."""

from __future__ import annotations

import pytest

from stratlint.analysis.policy import Policy
from stratlint.diagnostics import Diagnostic, Severity, Span

DANGLING = ("SL201", "dangling-reference")
WRONG_KIND = ("SL202", "wrong-kind-reference")
ORPHAN = ("SL304", "orphan-node")
EXPIRED = ("SL903", "expired-waiver")

ENABLED = [
    # select, extend_select, ignore, rule, enabled
    (("ALL",), (), (), DANGLING, True),
    (("SL2",), (), (), DANGLING, True),
    (("SL2",), (), (), ORPHAN, False),
    (("SL2",), ("orphan-node",), (), ORPHAN, True),
    (("SL2",), ("SL3",), ("SL30",), ORPHAN, False),
    (("ALL",), (), ("SL2",), DANGLING, False),
    (("ALL",), (), ("SL2",), ORPHAN, True),
    (("SL201",), (), ("SL2",), DANGLING, True),  # the full code is more specific than the prefix
    (("SL2",), (), ("SL201",), DANGLING, False),
    (("SL2",), (), ("SL201",), WRONG_KIND, True),
    (("dangling-reference",), (), ("SL2",), DANGLING, True),
    (("dangling-reference",), (), ("SL201",), DANGLING, False),  # a tie: ignore wins
    (("sl2",), (), (), DANGLING, True),  # codes are case-insensitive
    (("Dangling-Reference",), (), (), DANGLING, True),
    ((), (), (), DANGLING, False),
    ((), ("SL9",), (), EXPIRED, True),
    (("ALL",), (), ("ALL",), DANGLING, False),
    (("SL",), (), ("ALL",), DANGLING, True),
]


@pytest.mark.parametrize(("select", "extend", "ignore", "rule", "expected"), ENABLED)
def test_enabled(
    select: tuple[str, ...], extend: tuple[str, ...], ignore: tuple[str, ...], rule: tuple[str, str], expected: bool
) -> None:
    assert Policy(select=select, extend_select=extend, ignore=ignore).enabled(*rule) is expected


SEVERITY = [
    # overrides (in order), rule, default, expected
    ({}, ORPHAN, Severity.WARNING, Severity.WARNING),
    ({"SL3": Severity.ERROR}, ORPHAN, Severity.WARNING, Severity.ERROR),
    ({"SL3": Severity.ERROR, "SL304": Severity.INFO}, ORPHAN, Severity.WARNING, Severity.INFO),
    ({"SL304": Severity.INFO, "SL3": Severity.ERROR}, ORPHAN, Severity.WARNING, Severity.INFO),
    ({"orphan-node": Severity.ERROR, "SL304": Severity.INFO}, ORPHAN, Severity.WARNING, Severity.INFO),
    ({"SL304": Severity.INFO, "orphan-node": Severity.ERROR}, ORPHAN, Severity.WARNING, Severity.ERROR),
    ({"ALL": Severity.INFO, "SL2": Severity.WARNING}, DANGLING, Severity.ERROR, Severity.WARNING),
    ({"ALL": Severity.INFO}, ORPHAN, Severity.WARNING, Severity.INFO),
    ({"SL2": Severity.INFO}, ORPHAN, Severity.WARNING, Severity.WARNING),
]


@pytest.mark.parametrize(("overrides", "rule", "default", "expected"), SEVERITY)
def test_severity_of(
    overrides: dict[str, Severity], rule: tuple[str, str], default: Severity, expected: Severity
) -> None:
    assert Policy(severity=overrides).severity_of(*rule, default) is expected


PER_PATH = [
    # pattern -> selectors, path, rule, ignored
    ({"strategy/archive/*": ("SL3",)}, "strategy/archive/old.yaml", ORPHAN, True),
    ({"strategy/archive/*": ("SL3",)}, "strategy/archive/old.yaml", DANGLING, False),
    ({"strategy/archive/*": ("SL3",)}, "strategy/value.yaml", ORPHAN, False),
    ({"*/archive/*": ("orphan-node",)}, "strategy/archive/2025/old.yaml", ORPHAN, True),
    # git's wildcards: '*' stays within a folder, '**' spans folders.
    ({"strategy/*.yaml": ("ALL",)}, "strategy/sales/new-logo.yaml", DANGLING, False),
    ({"strategy/**/*.yaml": ("ALL",)}, "strategy/sales/new-logo.yaml", DANGLING, True),
    ({"Strategy/*": ("ALL",)}, "strategy/value.yaml", DANGLING, False),  # globs are case-sensitive
]


@pytest.mark.parametrize(("patterns", "path", "rule", "expected"), PER_PATH)
def test_ignored_at(patterns: dict[str, tuple[str, ...]], path: str, rule: tuple[str, str], expected: bool) -> None:
    assert Policy(per_path_ignores=patterns).ignored_at(path, *rule) is expected


def _finding(rule: tuple[str, str], severity: Severity, path: str) -> Diagnostic:
    return Diagnostic(rule[0], rule[1], severity, "message", path, Span.at(1, 1))


def test_apply_filters_and_overrides_in_one_pass() -> None:
    policy = Policy(
        select=("SL2", "SL3"),
        ignore=("SL202",),
        severity={"SL304": Severity.ERROR},
        per_path_ignores={"strategy/archive/*": ("SL3",)},
    )
    findings = [
        _finding(DANGLING, Severity.ERROR, "strategy/a.yaml"),
        _finding(WRONG_KIND, Severity.ERROR, "strategy/a.yaml"),
        _finding(ORPHAN, Severity.WARNING, "strategy/a.yaml"),
        _finding(ORPHAN, Severity.WARNING, "strategy/archive/b.yaml"),
        _finding(EXPIRED, Severity.ERROR, "strategy/a.yaml"),
    ]
    kept = policy.apply(findings)
    assert [(d.code, d.severity, d.path) for d in kept] == [
        ("SL201", Severity.ERROR, "strategy/a.yaml"),
        ("SL304", Severity.ERROR, "strategy/a.yaml"),
    ]
