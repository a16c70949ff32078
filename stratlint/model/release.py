"""kind: release -- a release plan: what ships, how it is launched and sold, and how it is judged."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from stratlint.model.common import ArtifactBase, Date, Id, NodeType, Ref, Strict, Text

SHIPS_REF = Ref(frozenset({NodeType.ROADMAP_ITEM}), role="ships")
LAUNCH_REF = Ref(frozenset({NodeType.MESSAGE}), role="launches with")
ENABLEMENT_REF = Ref(frozenset({NodeType.PLAY}), role="enables with")
METRIC_REF = Ref(frozenset({NodeType.METRIC}), role="is judged by")


class Approver(Strict):
    """A person or role whose go/no-go the release needs."""

    who: Text
    """The approver: a person, a role or a team."""
    function: str | None = None
    """The function they speak for, e.g. 'product', 'marketing', 'sales'."""
    decision: Literal["pending", "go", "no-go"] = "pending"
    """Their call so far: 'pending' (the default), 'go' or 'no-go'. A 'no-go' stops the gate."""
    reason: str | None = None
    """Why, when the call is 'no-go' (or anything they want on record)."""


class Release(ArtifactBase):
    """A release plan: the roadmap items that ship, the launch messages and enablement plays
    that go with them, who says go or no-go, and the metrics the release is judged by."""

    kind_name: ClassVar[str] = "release"
    kind: Literal["release"]
    """Always 'release'."""
    name: Text
    """The release's name, as the launch will call it."""
    target_date: Date
    """The day it goes out, as YYYY-MM-DD. It must fall within the quarter of every shipped item."""
    version: str | None = None
    """The product version the release ships, e.g. '17.0': a roadmap item whose horizon is
    that version ships with this release."""
    status: Literal["planned", "ready", "launched", "cancelled"] = "planned"
    """planned (the default), ready, launched or cancelled."""
    ships: Annotated[list[Id], SHIPS_REF] = Field(default_factory=list)
    """The roadmap items that ship (ids of roadmap items)."""
    launch_messages: Annotated[list[Id], LAUNCH_REF] = Field(default_factory=list)
    """The launch messages that go with them (ids of messages)."""
    enablement_plays: Annotated[list[Id], ENABLEMENT_REF] = Field(default_factory=list)
    """The enablement plays sales runs for them (ids of plays)."""
    approvers: list[Approver] = Field(default_factory=list)
    """Who says go or no-go."""
    metrics: Annotated[list[Id], METRIC_REF] = Field(default_factory=list)
    """The metrics the release is judged by (ids of governance metrics)."""
