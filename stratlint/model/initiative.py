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

VALUE_REF = Ref(VALUE_NODES, role="reinforces", noun="value node")
NARRATIVE_REF = Ref(NARRATIVE_NODES, role="tells", noun="pillar or claim")
PRIORITY_REF = Ref(frozenset({NodeType.PRIORITY}), role="serves")
SEGMENT_REF = Ref(frozenset({NodeType.SEGMENT}), role="targets")
PROOF_REF = Ref(frozenset({NodeType.PROOF_POINT}), role="cites")


class Initiative(Entry):
    """An entry of a function's plan that must trace to value, narrative and priority."""

    value: Annotated[list[Id], VALUE_REF] = Field(default_factory=list)
    """Value nodes this reinforces: ids of segments, reasons we win, differentiators or beliefs."""
    narrative: Annotated[list[Id], NARRATIVE_REF] = Field(default_factory=list)
    """Narrative nodes this tells or builds: ids of pillars or claims."""
    priority: Annotated[Id | None, PRIORITY_REF] = None
    """The id of the growth priority this serves."""
    rationale: Rationale | None = None
    """Answers to the decision questions: how this reinforces the value definition,
    strengthens the narrative and serves its priority."""
    created: Date | None = None
    """When this entry was written, as YYYY-MM-DD."""
    updated: Date | None = None
    """When this entry was last reviewed, as YYYY-MM-DD."""
