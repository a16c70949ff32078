"""What roadmap items, messages and plays have in common: they must trace to the strategy."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from stratlint.model.common import (
    NARRATIVE_NODES,
    VALUE_NODES,
    Date,
    Entry,
    Id,
    NodeType,
    Rationale,
    Ref,
)
from stratlint.model.market import USE_CASE_REF

VALUE_REF = Ref(VALUE_NODES, role="reinforces", noun="value node")
NARRATIVE_REF = Ref(NARRATIVE_NODES, role="tells", noun="pillar or claim")
PRIORITY_REF = Ref(frozenset({NodeType.PRIORITY}), role="serves")
SEGMENT_REF = Ref(frozenset({NodeType.SEGMENT}), role="targets")


class Initiative(Entry):
    """An entry of a function's plan that must trace to value, narrative and priority."""

    value: Annotated[list[Id], VALUE_REF] = Field(default_factory=list)
    """Value nodes this reinforces: ids of segments, reasons we win, differentiators or beliefs."""
    narrative: Annotated[list[Id], NARRATIVE_REF] = Field(default_factory=list)
    """Narrative nodes this tells or builds: ids of pillars or claims."""
    priority: Annotated[Id | list[Id] | None, PRIORITY_REF] = None
    """The id of the growth priority this serves, or a list of the priorities it serves
    (focus counts the entry toward each by the priorities' weights)."""

    @property
    def priorities(self) -> tuple[str, ...]:
        """The ids of the priorities the entry serves, one or several."""
        if self.priority is None:
            return ()
        return (self.priority,) if isinstance(self.priority, str) else tuple(self.priority)

    use_cases: Annotated[list[Id], USE_CASE_REF] = Field(default_factory=list)
    """The use cases this serves: the jobs the product is bought for (ids of use case entries)."""
    rationale: Rationale | None = None
    """Answers to the decision questions: how this reinforces the value definition,
    strengthens the narrative and serves its priority."""
    created: Date | None = None
    """When this entry was written, as YYYY-MM-DD."""
    updated: Date | None = None
    """When this entry was last reviewed, as YYYY-MM-DD."""
