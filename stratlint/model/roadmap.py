"""kind: roadmap -- product's plan."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from stratlint.model.common import QUARTER_PATTERN, ArtifactBase, Function, Id, NodeType, Text
from stratlint.model.initiative import SEGMENT_REF, Initiative
from stratlint.model.market import TIER_REF


class RoadmapItem(Initiative):
    """Something product will build."""

    node_type: ClassVar[NodeType] = NodeType.ROADMAP_ITEM
    title: Text
    """What is being built, as product would name it."""
    summary: str | None = None
    """What it does for the customer, in one or two sentences."""
    status: Literal["idea", "planned", "in-progress", "shipped", "paused", "cancelled"]
    """Where the item stands: idea, planned, in-progress, shipped, paused or cancelled."""
    horizon: Annotated[str, Field(pattern=QUARTER_PATTERN)]
    """The quarter it ships in, e.g. '2027-Q1'."""
    owner: Text
    """Who answers for this item: a person, a role or a team."""
    segments: Annotated[list[Id], SEGMENT_REF] = Field(default_factory=list)
    """Segments this item is for (ids of segment entries)."""
    tier: Annotated[Id | None, TIER_REF] = None
    """The pricing tier the item ships in (the id of a tier entry)."""


class Roadmap(ArtifactBase):
    """Product's roadmap: items that must each trace to value, narrative and a priority."""

    kind_name: ClassVar[str] = "roadmap"
    function: ClassVar[Function | None] = Function.PRODUCT
    kind: Literal["roadmap"]
    """Always 'roadmap'."""
    items: list[RoadmapItem] = Field(default_factory=list)
    """The roadmap items in this file."""
