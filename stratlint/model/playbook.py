"""kind: playbook -- sales plays."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from stratlint.model.common import PROOF_REF, Entry, Id, NodeType, PlanBase, Text
from stratlint.model.initiative import SEGMENT_REF, Initiative
from stratlint.model.market import COMPETITOR_REF, PERSONA_REF


class Objection(Entry):
    """An objection buyers raise, and how to answer it."""

    node_type: ClassVar[NodeType] = NodeType.OBJECTION
    objection: Text
    """What the buyer says."""
    answer: Text
    """How the seller answers it."""
    proof_points: Annotated[list[Id], PROOF_REF] = Field(default_factory=list)
    """Proof points the answer cites (ids of proof point entries)."""
    competitor: Annotated[Id | None, COMPETITOR_REF] = None
    """The competitor whose pitch the objection answers (the id of a competitor entry)."""


class Play(Initiative):
    """A sales play."""

    node_type: ClassVar[NodeType] = NodeType.PLAY
    name: Text
    """The play's name, as sellers know it."""
    type: Literal["play", "enablement"] = "play"
    """'play', or 'enablement' for enablement that goes with a release."""
    trigger: str | None = None
    """When a seller runs this play."""
    status: Literal["draft", "active", "retired"] = "draft"
    """draft, active or retired."""
    segments: Annotated[list[Id], SEGMENT_REF] = Field(default_factory=list)
    """Segments this play is run in (ids of segment entries)."""
    personas: Annotated[list[Id], PERSONA_REF] = Field(default_factory=list)
    """Personas the play is run with (ids of persona entries)."""
    competitors: Annotated[list[Id], COMPETITOR_REF] = Field(default_factory=list)
    """Competitors the play is run against (ids of competitor entries)."""
    proof_points: Annotated[list[Id], PROOF_REF] = Field(default_factory=list)
    """Proof points the play cites beyond its objections' (ids of proof point entries)."""
    objections: list[Objection] = Field(default_factory=list)
    """Objections and their answers."""


class Playbook(PlanBase):
    """Sales plays."""

    kind_name: ClassVar[str] = "playbook"
    kind: Literal["playbook"]
    """Always 'playbook'."""
    plays: list[Play] = Field(default_factory=list)
    """The plays in this file."""
