"""The one explicit registry of rules. Order is the order of ``stratlint rules``.

Codes are public API: never reuse one, and keep a renamed rule's old code working.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from stratlint.diagnostics import RuleInfo, Stage
from stratlint.rules.base import FileRule, GateEffect, LoadRule, Rule, StrategyRule, SuppressionRule
from stratlint.rules.context import CheckContext
from stratlint.rules.decision import AlmostAligned, UnansweredDecisionQuestion
from stratlint.rules.drift import (
    InvalidLockFile,
    RetiredReference,
    StaleProofPoint,
    SuspectReference,
    UndatedProofPoint,
    UnstampedReference,
)
from stratlint.rules.execution import (
    LowFocus,
    OrphanNode,
    PersonaCoverageGap,
    PillarCoverageGap,
    SegmentDrift,
    UnbackedClaim,
    UnprovenClaim,
    UseCaseCoverageGap,
)
from stratlint.rules.governance import (
    DecisionWithoutOwner,
    DecisionWithoutTieBreak,
    HandoffWithoutEntryCriteria,
    MetricConflictWithoutWinner,
    MetricWithoutPriority,
    UnknownFunction,
)
from stratlint.rules.loading import LOAD_RULES, WrongSchemaModeline
from stratlint.rules.messaging import AvoidedWord, HeadlineDrift, UnprovenFigure
from stratlint.rules.names import NameVariant, OtherFunctionLabel, RetiredNameMention
from stratlint.rules.references import (
    DanglingReference,
    MissingNarrativeReference,
    MissingPriority,
    MissingValueReference,
    WrongKindReference,
)
from stratlint.rules.release import (
    ReleaseDateOutsideHorizon,
    ReleasedItemWithoutHorizon,
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
    WrongSchemaModeline,
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
    PersonaCoverageGap,
    UseCaseCoverageGap,
    DecisionWithoutOwner,
    DecisionWithoutTieBreak,
    HandoffWithoutEntryCriteria,
    MetricWithoutPriority,
    MetricConflictWithoutWinner,
    UnknownFunction,
    AlmostAligned,
    UnansweredDecisionQuestion,
    SuspectReference,
    RetiredReference,
    StaleProofPoint,
    InvalidLockFile,
    UnstampedReference,
    UndatedProofPoint,
    ShippedItemWithoutLaunchMessage,
    ShippedItemWithoutEnablementPlay,
    ReleaseItemNotReady,
    ReleaseMetricWithoutPriority,
    ReleaseDateOutsideHorizon,
    ReleasedItemWithoutHorizon,
    UnprovenFigure,
    AvoidedWord,
    HeadlineDrift,
    NameVariant,
    RetiredNameMention,
    OtherFunctionLabel,
    *SUPPRESSION_RULES,
)

FILE_RULES: tuple[type[FileRule], ...] = tuple(rule for rule in RULES if issubclass(rule, FileRule))
"""Rules that check one file and what it references (LoadRule included)."""
STRATEGY_RULES: tuple[type[StrategyRule], ...] = tuple(rule for rule in RULES if issubclass(rule, StrategyRule))
"""Rules that conclude from the strategy as a whole."""

OPT_IN: tuple[str, ...] = tuple(sorted(rule.code for rule in RULES if rule.opt_in))
"""The opt-in rules' codes: selected only by code or name (see Rule.opt_in). A sorted tuple,
not a set: a run's settings are keyed by their repr, which must not change between runs."""

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


@dataclass(frozen=True, slots=True, repr=False)
class RuleSet:
    """The rules of a run: the registry's, then the organisation's own, which its configuration
    compiles from its policy (stratlint.custom). Every step that asks which rules exist (the
    engine, the suppressions, the reporters' rule metadata) asks the run's RuleSet."""

    custom: tuple[type[Rule], ...] = ()
    """The organisation's rules, in the order its policy lists them."""
    fingerprint: str = ""
    """A digest of the policy they were compiled from: a cached conclusion is keyed on it."""
    batched: tuple[type[FileRule], ...] | None = None
    """What the engine runs in place of the organisation's file rules, when set: one file
    rule that checks a file for all of them in one pass, each finding under its own rule's
    code (fifty rules cost one call per file, not fifty)."""

    @property
    def rules(self) -> tuple[type[Rule], ...]:
        return (*RULES, *self.custom)

    @property
    def file_rules(self) -> tuple[type[FileRule], ...]:
        """The file rules the engine runs."""
        if self.batched is not None:
            return (*FILE_RULES, *self.batched)
        return (*FILE_RULES, *(rule for rule in self.custom if issubclass(rule, FileRule)))

    @property
    def strategy_rules(self) -> tuple[type[StrategyRule], ...]:
        return (*STRATEGY_RULES, *(rule for rule in self.custom if issubclass(rule, StrategyRule)))

    def lookup(self, code_or_name: str) -> type[Rule] | None:
        """A rule by code or name, the organisation's included."""
        found = lookup(code_or_name)
        if found is not None or not self.custom:
            return found
        return next((rule for rule in self.custom if code_or_name.upper() == rule.code), None) or next(
            (rule for rule in self.custom if code_or_name.lower() == rule.name), None
        )

    def infos(self) -> tuple[RuleInfo, ...]:
        """Every rule's metadata: the registry's, then the organisation's."""
        return (*rule_infos(), *(rule.info() for rule in self.custom))

    def stage_of(self) -> Mapping[str, Stage]:
        return {**STAGE_OF, **{rule.code: rule.stage for rule in self.custom}} if self.custom else STAGE_OF

    def __repr__(self) -> str:
        # What the incremental snapshot is keyed on (stratlint.analysis.check): the policy's
        # digest, never the classes' addresses, which change from run to run.
        return f"RuleSet({len(self.custom)} of the organisation's, {self.fingerprint or 'no policy'})"


BUILT_IN = RuleSet()
"""The registry's rules alone: a run with no policy."""


__all__ = [
    "BUILT_IN",
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
    "RuleSet",
    "StrategyRule",
    "SuppressionRule",
    "lookup",
    "rule_infos",
]
