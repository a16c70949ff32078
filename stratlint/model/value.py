"""kind: value -- the one definition of value."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from stratlint.model.common import PROOF_REF, ArtifactBase, Id, NodeType, StrategyNode, Text
from stratlint.model.market import MarketNodes


class Segment(StrategyNode):
    """A customer segment we serve."""

    node_type: ClassVar[NodeType] = NodeType.SEGMENT
    name: Text
    """The segment's name as everyone should say it, e.g. 'Mid-market finance teams'."""
    description: str | None = None
    """Who exactly is in the segment: size, industry, buyer, situation."""
    pains: list[str] = Field(default_factory=list)
    """The problems this segment has that we solve."""


class Reason(StrategyNode):
    """A reason we win."""

    node_type: ClassVar[NodeType] = NodeType.REASON
    statement: Text
    """Why customers choose us, in one sentence."""


class Differentiator(StrategyNode):
    """Something that sets us apart from the alternatives."""

    node_type: ClassVar[NodeType] = NodeType.DIFFERENTIATOR
    statement: Text
    """What is different, in one sentence."""
    name: str | None = None
    """The differentiator's name as everyone should say it, e.g. 'End-to-End Insight'."""
    versus: str | None = None
    """The alternative it is different from: a competitor, a category, or doing nothing."""
    avoid: list[Text] = Field(default_factory=list)
    """Words that contradict this differentiator, which work that reinforces it must not use
    (e.g. 'autonomous' for explainable AI): the avoided-word rule reports them."""


class Belief(StrategyNode):
    """Something the market should believe about us."""

    node_type: ClassVar[NodeType] = NodeType.BELIEF
    statement: Text
    """What the market should believe, in the words a customer would use."""
    proof_points: Annotated[list[Id], PROOF_REF] = Field(default_factory=list)
    """Proof points that make the belief credible (ids of proof point entries)."""


class ValueNodes(ArtifactBase):
    """The value definition's own fields, before the market nodes it may also hold."""

    kind: Literal["value"]
    """Always 'value'."""
    segments: list[Segment] = Field(default_factory=list)
    """Who we serve."""
    why_we_win: list[Reason] = Field(default_factory=list)
    """Why we win."""
    differentiators: list[Differentiator] = Field(default_factory=list)
    """What differentiates us."""
    beliefs: list[Belief] = Field(default_factory=list)
    """What the market should believe."""
    avoid: list[Text] = Field(default_factory=list)
    """Words that contradict this definition of value, which no message or play may use about
    us (e.g. 'cheap' for a premium positioning): the avoided-word rule reports them."""


class ValueDefinition(MarketNodes, ValueNodes):
    """The one definition of value: who we serve, why we win, what differentiates us,
    and what the market should believe. It may also hold the personas, use cases, tiers and
    competitors, as a market file does."""

    kind_name: ClassVar[str] = "value"
