"""kind: messaging -- marketing's messages and campaigns."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from stratlint.model.common import PROOF_REF, Date, Id, NodeType, PlanBase, Text
from stratlint.model.initiative import SEGMENT_REF, Initiative
from stratlint.model.market import PERSONA_REF


class Message(Initiative):
    """A message or campaign marketing puts in market."""

    node_type: ClassVar[NodeType] = NodeType.MESSAGE
    type: Literal["message", "campaign", "launch"] = "message"
    """'message', 'campaign', or 'launch' for launch messaging of a release."""
    headline: Text
    """The headline, as the market will read it."""
    body: str | None = None
    """The supporting copy."""
    channels: list[str] = Field(default_factory=list)
    """Where it runs: web, email, events, paid social, analyst briefings..."""
    status: Literal["draft", "in-review", "live", "retired"] = "draft"
    """draft, in-review, live or retired."""
    segments: Annotated[list[Id], SEGMENT_REF] = Field(default_factory=list)
    """Segments this message targets (ids of segment entries)."""
    personas: Annotated[list[Id], PERSONA_REF] = Field(default_factory=list)
    """Personas this message speaks to (ids of persona entries)."""
    proof_points: Annotated[list[Id], PROOF_REF] = Field(default_factory=list)
    """Proof points this message uses (ids of proof point entries)."""
    starts: Date | None = None
    """When it goes live, as YYYY-MM-DD."""
    ends: Date | None = None
    """When it ends, as YYYY-MM-DD."""


class Messaging(PlanBase):
    """Marketing's messages and campaigns."""

    kind_name: ClassVar[str] = "messaging"
    kind: Literal["messaging"]
    """Always 'messaging'."""
    messages: list[Message] = Field(default_factory=list)
    """The messages and campaigns in this file."""
