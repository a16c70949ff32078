"""kind: market -- who buys and why, how it is packaged, and whom we meet in deals.

Personas, use cases, pricing tiers and competitors are what real plans reference beside the
value definition: a message targets a persona, a roadmap item ships in a tier, an objection
answers a competitor. They may sit in the value definition or in files of their own
(``kind: market``); either way they are nodes with ids, referenced like any other.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from stratlint.model.common import ArtifactBase, Id, NodeType, Ref, StrategyNode, Text

SEGMENT_OF_REF = Ref(frozenset({NodeType.SEGMENT}), role="belongs to")
PERSONA_REF = Ref(frozenset({NodeType.PERSONA}), role="targets")
USE_CASE_REF = Ref(frozenset({NodeType.USE_CASE}), role="serves", noun="use case")
TIER_REF = Ref(frozenset({NodeType.TIER}), role="ships in")
COMPETITOR_REF = Ref(frozenset({NodeType.COMPETITOR}), role="answers")


class Persona(StrategyNode):
    """Who in a segment buys or uses the product: a role with its own pains and questions."""

    node_type: ClassVar[NodeType] = NodeType.PERSONA
    name: Text
    """The persona's name as everyone should say it, e.g. 'Group controller'."""
    role: str | None = None
    """The job titles the persona goes by."""
    segments: Annotated[list[Id], SEGMENT_OF_REF] = Field(default_factory=list)
    """The segments the persona belongs to (ids of segment entries)."""
    buys: Literal["decides", "influences", "uses"] | None = None
    """The persona's part in a purchase: 'decides', 'influences' or 'uses'."""
    description: str | None = None
    """Who the persona is, and what their day looks like."""
    pains: list[str] = Field(default_factory=list)
    """The problems this persona has that we solve."""


class UseCase(StrategyNode):
    """A job the product is bought for."""

    node_type: ClassVar[NodeType] = NodeType.USE_CASE
    name: Text
    """The use case's name, e.g. 'Intercompany eliminations'."""
    description: str | None = None
    """The job, the situation it comes up in, and what done looks like."""
    segments: Annotated[list[Id], SEGMENT_OF_REF] = Field(default_factory=list)
    """The segments that buy for this job (ids of segment entries)."""


class Tier(StrategyNode):
    """A pricing and packaging tier. A retired tier must no longer be named or shipped in."""

    node_type: ClassVar[NodeType] = NodeType.TIER
    name: Text
    """The tier's name as sold, e.g. 'Enterprise'."""
    description: str | None = None
    """Who the tier is for and what it includes."""


class Competitor(StrategyNode):
    """An alternative buyers weigh us against: a vendor, a category, or doing nothing."""

    node_type: ClassVar[NodeType] = NodeType.COMPETITOR
    name: Text
    """The competitor's name, e.g. 'Spreadsheets and email'."""
    description: str | None = None
    """What they offer, and where we meet them."""


class MarketNodes(ArtifactBase):
    """The lists of market nodes, which a value definition may hold as a market file does."""

    personas: list[Persona] = Field(default_factory=list)
    """Who in our segments buys or uses the product."""
    use_cases: list[UseCase] = Field(default_factory=list)
    """The jobs the product is bought for."""
    tiers: list[Tier] = Field(default_factory=list)
    """The pricing and packaging tiers."""
    competitors: list[Competitor] = Field(default_factory=list)
    """The alternatives buyers weigh us against."""


class Market(MarketNodes):
    """Personas, use cases, pricing tiers and competitors, in a file of their own."""

    kind_name: ClassVar[str] = "market"
    kind: Literal["market"]
    """Always 'market'."""
