"""kind: priorities -- the decision logic."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from stratlint.model.common import ArtifactBase, Id, NodeType, Ref, StrategyNode, Text

WON_IN_REF = Ref(frozenset({NodeType.SEGMENT}), role="is won in")


class Priority(StrategyNode):
    """A growth priority. Exactly one is primary."""

    node_type: ClassVar[NodeType] = NodeType.PRIORITY
    name: Text
    """The priority's name."""
    primary: bool = False
    """True for the one primary growth priority."""
    weight: Annotated[float, Field(gt=0, le=1000)] = 1
    """How much an entry that serves this priority and others counts toward it, against
    the others' weights (1 by default): an item serving the primary priority (weight 3)
    and another (weight 1) counts three quarters toward focus."""
    description: str | None = None
    """What winning on this priority looks like."""
    horizon: str | None = None
    """The period this priority covers, e.g. 'FY2027'."""
    segments: Annotated[list[Id], WON_IN_REF] = Field(default_factory=list)
    """The segments the priority is won in (ids of segment entries): the primary priority's
    are the primary segments, whose personas messaging and plays must cover."""


class DecisionQuestion(StrategyNode):
    """A question every initiative must answer before it is approved."""

    node_type: ClassVar[NodeType] = NodeType.QUESTION
    asks_about: Literal["value", "narrative", "priority"]
    """Which part of an initiative's rationale answers it: 'value', 'narrative' or 'priority'."""
    question: Text
    """The question, as asked in planning."""


class Priorities(ArtifactBase):
    """Growth priorities, and the questions every initiative must answer."""

    kind_name: ClassVar[str] = "priorities"
    kind: Literal["priorities"]
    """Always 'priorities'."""
    priorities: list[Priority] = Field(default_factory=list)
    """The growth priorities, exactly one of them primary."""
    questions: list[DecisionQuestion] = Field(default_factory=list)
    """The questions every roadmap item, message and play must answer."""
