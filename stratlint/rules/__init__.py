"""The one explicit registry of rules. Order is the order of ``stratlint rules``.

Codes are public API: never reuse one, and keep a renamed rule's old code working.
"""

from __future__ import annotations

import functools

from stratlint.diagnostics import RuleInfo, Stage
from stratlint.rules.base import FileRule, GateEffect, LoadRule, Rule, StrategyRule, SuppressionRule
from stratlint.rules.context import CheckContext
from stratlint.rules.decision import AlmostAligned, UnansweredDecisionQuestion
from stratlint.rules.drift import (
    InvalidLockFile,
    RetiredReference,
    StaleProofPoint,
    SuspectReference,
    UnstampedReference,
)
from stratlint.rules.execution import (
    LowFocus,
    OrphanNode,
    PillarCoverageGap,
    SegmentDrift,
    UnbackedClaim,
    UnprovenClaim,
)
from stratlint.rules.governance import (
    DecisionWithoutOwner,
    DecisionWithoutTieBreak,
    HandoffWithoutEntryCriteria,
    MetricConflictWithoutWinner,
    MetricWithoutPriority,
)
from stratlint.rules.loading import LOAD_RULES
from stratlint.rules.references import (
    DanglingReference,
    MissingNarrativeReference,
    MissingPriority,
    MissingValueReference,
    WrongKindReference,
)
from stratlint.rules.release import (
    ReleaseDateOutsideHorizon,
    ReleaseItemNotReady,
    ReleaseMetricWithoutPriority,
    ShippedItemWithoutEnablementPlay,
    ShippedItemWithoutLaunchMessage,
)
from stratlint.rules.structure import (
    DuplicateId,
    MissingNarrative,
    MissingPrimaryPriority,
    MissingValueDefinition,
    MultipleNarratives,
    MultiplePrimaryPriorities,
    MultipleValueDefinitions,
)
from stratlint.rules.suppression import SUPPRESSION_RULES

RULES: tuple[type[Rule], ...] = (
    *LOAD_RULES,
    DuplicateId,
    MissingValueDefinition,
    MultipleValueDefinitions,
    MissingNarrative,
    MultipleNarratives,
    MissingPrimaryPriority,
    MultiplePrimaryPriorities,
    DanglingReference,
    WrongKindReference,
    MissingValueReference,
    MissingNarrativeReference,
    MissingPriority,
    UnbackedClaim,
    UnprovenClaim,
    PillarCoverageGap,
    OrphanNode,
    SegmentDrift,
    LowFocus,
    DecisionWithoutOwner,
    DecisionWithoutTieBreak,
    HandoffWithoutEntryCriteria,
    MetricWithoutPriority,
    MetricConflictWithoutWinner,
    AlmostAligned,
    UnansweredDecisionQuestion,
    SuspectReference,
    RetiredReference,
    StaleProofPoint,
    InvalidLockFile,
    UnstampedReference,
    ShippedItemWithoutLaunchMessage,
    ShippedItemWithoutEnablementPlay,
    ReleaseItemNotReady,
    ReleaseMetricWithoutPriority,
    ReleaseDateOutsideHorizon,
    *SUPPRESSION_RULES,
)

FILE_RULES: tuple[type[FileRule], ...] = tuple(rule for rule in RULES if issubclass(rule, FileRule))
"""Rules that check one file and what it references (LoadRule included)."""
STRATEGY_RULES: tuple[type[StrategyRule], ...] = tuple(rule for rule in RULES if issubclass(rule, StrategyRule))
"""Rules that conclude from the strategy as a whole."""

BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in RULES}
BY_NAME: dict[str, type[Rule]] = {rule.name: rule for rule in RULES}
STAGE_OF: dict[str, Stage] = {rule.code: rule.stage for rule in RULES}
"""Each rule code's stage of the Misalignment Cascade."""


@functools.cache
def rule_infos() -> tuple[RuleInfo, ...]:
    """Every rule's metadata, in registry order: what reporters know of the rules."""
    return tuple(rule.info() for rule in RULES)


def lookup(code_or_name: str) -> type[Rule] | None:
    """Find a rule by code ('SL201', case-insensitive) or name ('dangling-reference')."""
    return BY_CODE.get(code_or_name.upper()) or BY_NAME.get(code_or_name.lower())


__all__ = [
    "BY_CODE",
    "BY_NAME",
    "FILE_RULES",
    "RULES",
    "STAGE_OF",
    "STRATEGY_RULES",
    "CheckContext",
    "FileRule",
    "GateEffect",
    "LoadRule",
    "Rule",
    "StrategyRule",
    "SuppressionRule",
    "lookup",
    "rule_infos",
]
