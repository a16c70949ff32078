"""kind: governance -- who decides, how work is handed off, which metric wins."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from stratlint.model.common import ArtifactBase, Entry, FunctionName, Id, NodeType, Ref, Strict
from stratlint.model.initiative import PRIORITY_REF

METRIC_REF = Ref(frozenset({NodeType.METRIC}), role="conflicts with")


class DecisionRight(Entry):
    """Who owns a call when functions disagree."""

    node_type: ClassVar[NodeType] = NodeType.DECISION_RIGHT
    domain: str
    """The decision domain, e.g. 'Pricing and packaging'."""
    decides: str | None = None
    """The function or role that owns the call."""
    consulted: list[str] = Field(default_factory=list)
    """Functions or roles consulted before the call."""
    tie_break: str | None = None
    """How a disagreement is settled, and by whom."""


class Handoff(Entry):
    """A handoff of work between functions."""

    node_type: ClassVar[NodeType] = NodeType.HANDOFF
    name: str
    """The handoff's name, e.g. 'Marketing-qualified lead to sales'."""
    from_function: FunctionName
    """The function handing off."""
    to_function: FunctionName
    """The function receiving."""
    entry_criteria: list[str] = Field(default_factory=list)
    """What must be true before the receiving function accepts the work."""
    exception_rule: str | None = None
    """What happens when the criteria are not met but the work must move anyway."""


class Conflict(Strict):
    """Two metrics that pull against each other, and which one wins."""

    metric: Annotated[Id, METRIC_REF]
    """The id of the metric this one conflicts with."""
    winner: Annotated[Id | None, METRIC_REF] = None
    """The id of the metric that wins when the two conflict."""
    reason: str | None = None
    """Why that metric wins."""


class Metric(Entry):
    """A metric the functions share."""

    node_type: ClassVar[NodeType] = NodeType.METRIC
    name: str
    """The metric's name, e.g. 'Net revenue retention'."""
    definition: str | None = None
    """How it is computed."""
    target: str | None = None
    """The target, e.g. '>= 115% by FY2027 Q4'."""
    serves: Annotated[Id | None, PRIORITY_REF] = None
    """The id of the growth priority this metric serves."""
    conflicts: list[Conflict] = Field(default_factory=list)
    """Metrics this one conflicts with, and which one wins."""


class Governance(ArtifactBase):
    """Decision rights, handoffs and shared metrics."""

    kind_name: ClassVar[str] = "governance"
    kind: Literal["governance"]
    """Always 'governance'."""
    decision_rights: list[DecisionRight] = Field(default_factory=list)
    """Who owns the call, per decision domain."""
    handoffs: list[Handoff] = Field(default_factory=list)
    """Handoffs between functions."""
    metrics: list[Metric] = Field(default_factory=list)
    """Shared metrics."""
