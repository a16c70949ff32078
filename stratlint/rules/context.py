"""What a run knows besides the strategy: the day, the review stamps, each rule's options
and the organisation's functions. The graph says what the strategy is; the context says how this run judges it."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from stratlint.drift.lockfile import Lock
from stratlint.drift.review import Review
from stratlint.model import DEFAULT_FUNCTIONS, Functions
from stratlint.rules.options import RuleOptions


@dataclass(frozen=True, slots=True)
class CheckContext:
    today: datetime.date
    """The day ages and waivers are judged against (tests pin it)."""
    review: Review = field(default_factory=lambda: Review(Lock(present=False)))
    """The review stamps of the strategy root, and the suspects they make."""
    options: Mapping[str, RuleOptions] = field(default_factory=dict)
    """Options set by the configuration, by rule code; a rule not named here has its defaults."""
    functions: Functions = DEFAULT_FUNCTIONS
    """The organisation's functions (stratlint.model.functions)."""

    @property
    def lock(self) -> Lock:
        return self.review.lock
