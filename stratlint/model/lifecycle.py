"""What a status means, once, for every rule: is the entry live work, paused, or a record?

Every kind has statuses of its own (a roadmap item is 'in-progress' or 'cancelled', a
message 'live' or 'retired', a claim 'active' or 'retired'); rules ask what they mean here,
so a status means the same thing to all of them (the README's lifecycle table says it).
"""

from __future__ import annotations

import enum


class Standing(enum.Enum):
    LIVE = "live"
    """Planned, in progress, in market, or active: the work the strategy runs on."""
    PAUSED = "paused"
    """Planned but not moving: it still counts toward the alignment score, but backs no
    claim and covers no pillar until it moves again."""
    RECORD = "record"
    """Retired or cancelled: a record of what was, not a plan. Only the rules that keep the
    record whole (its file, its ids, that its references resolve) look at it, and others
    citing it is a finding (retired-reference)."""


_STANDING = {"paused": Standing.PAUSED, "retired": Standing.RECORD, "cancelled": Standing.RECORD}
"""Every status not named here is live."""


def standing_of_status(status: str | None) -> Standing:
    """The standing an entry with this 'status' has (None: it has none, and is live)."""
    return _STANDING.get(status, Standing.LIVE) if status is not None else Standing.LIVE
