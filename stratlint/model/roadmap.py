"""kind: roadmap -- product's plan."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from stratlint.model.common import Id, NodeType, PlanBase, Strict, Text
from stratlint.model.horizon import HORIZON_PATTERN
from stratlint.model.initiative import SEGMENT_REF, Initiative
from stratlint.model.market import TIER_REF

UNSCHEDULED = ("idea", "backlog", "shipped")
"""The statuses of an item that needs no horizon: not planned yet, or already out."""
_HORIZON_REQUIRED: JsonDict = {
    "if": {
        "properties": {"status": {"enum": list(UNSCHEDULED), "description": "A status that needs no horizon."}},
        "required": ["status"],
    },
    "else": {"required": ["horizon"]},
}
"""The schema's way of saying what _horizon_unless_unscheduled checks."""


class RoadmapItem(Initiative):
    """Something product will build."""

    node_type: ClassVar[NodeType] = NodeType.ROADMAP_ITEM
    title: Text
    """What is being built, as product would name it."""
    summary: str | None = None
    """What it does for the customer, in one or two sentences."""
    model_config = Strict.model_config | ConfigDict(json_schema_extra=_HORIZON_REQUIRED)

    status: Literal["idea", "backlog", "planned", "in-progress", "shipped", "paused", "cancelled"]
    """Where the item stands: idea, backlog, planned, in-progress, shipped, paused or cancelled."""
    horizon: Annotated[str, Field(pattern=HORIZON_PATTERN)] | None = Field(default=None, validate_default=True)
    """When it ships: a quarter ('2027-Q1'), a fiscal quarter ('FY27-Q3', on the configured
    fiscal-year-start) or a product version, in quotes ('17.0', which a release plan declares). Required
    unless the item is an idea, in the backlog or already shipped."""
    owner: Text
    """Who answers for this item: a person, a role or a team."""
    segments: Annotated[list[Id], SEGMENT_REF] = Field(default_factory=list)
    """Segments this item is for (ids of segment entries)."""
    tier: Annotated[Id | None, TIER_REF] = None
    """The pricing tier the item ships in (the id of a tier entry)."""

    @field_validator("horizon", mode="after")
    @classmethod
    def _horizon_unless_unscheduled(cls, horizon: str | None, info: ValidationInfo) -> str | None:
        if horizon is None and info.data.get("status") not in UNSCHEDULED:
            raise PydanticCustomError("missing", "Field required")
        return horizon


class Roadmap(PlanBase):
    """Product's roadmap: items that must each trace to value, narrative and a priority."""

    kind_name: ClassVar[str] = "roadmap"
    kind: Literal["roadmap"]
    """Always 'roadmap'."""
    items: list[RoadmapItem] = Field(default_factory=list)
    """The roadmap items in this file."""
