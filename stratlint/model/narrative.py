"""kind: narrative -- the one strategic narrative."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from stratlint.model.common import PROOF_REF, ArtifactBase, Id, NodeType, Period, Ref, StrategyNode, Text, ref_to

PROVES_REF = Ref(
    frozenset(
        {
            NodeType.REASON,
            NodeType.DIFFERENTIATOR,
            NodeType.BELIEF,
            NodeType.PILLAR,
            NodeType.CLAIM,
            NodeType.USE_CASE,
            NodeType.SEGMENT,
        }
    ),
    role="proves",
    noun="reason we win, differentiator, belief, pillar, claim, use case or segment",
)


class ProofPoint(StrategyNode):
    """Evidence that backs a claim: a customer result, a benchmark, an analyst finding."""

    node_type: ClassVar[NodeType] = NodeType.PROOF_POINT
    statement: Text
    """The evidence, as it may be quoted."""
    source: str | None = None
    """Where the evidence comes from: a case study, a report, a dataset."""
    as_of: Period | None = None
    """When the evidence was true, as YYYY-MM-DD, or as YYYY-MM or YYYY when the source
    gives no day: a month or a year is judged at its end."""
    proves: Annotated[list[Id], PROVES_REF] = Field(default_factory=list)
    """What the evidence proves, beside the claims that cite it: ids of reasons we win,
    differentiators, beliefs, pillars, claims, use cases or segments (an industry's result
    proves the segment)."""


class Claim(StrategyNode):
    """A claim we make under a pillar."""

    node_type: ClassVar[NodeType] = NodeType.CLAIM
    statement: Text
    """The claim, in one sentence."""
    proof_points: Annotated[list[Id], ref_to(NodeType.PROOF_POINT, role="backed by")] = Field(default_factory=list)
    """Proof points that back this claim (ids of proof point entries)."""


class Pillar(StrategyNode):
    """A pillar of the narrative: one of the few big ideas the story stands on."""

    node_type: ClassVar[NodeType] = NodeType.PILLAR
    name: Text
    """The pillar's name."""
    statement: str | None = None
    """What the pillar says, in one or two sentences."""
    claims: list[Claim] = Field(default_factory=list)
    """The claims under this pillar."""
    proof_points: Annotated[list[Id], PROOF_REF] = Field(default_factory=list)
    """Proof points that back the pillar as a whole (ids of proof point entries)."""


class Narrative(ArtifactBase):
    """The one strategic narrative: a thesis, pillars, claims under pillars, and proof points."""

    kind_name: ClassVar[str] = "narrative"
    kind: Literal["narrative"]
    """Always 'narrative'."""
    thesis: Text
    """The story in one or two sentences: the change in the world, and why we win in it."""
    thesis_proof_points: Annotated[list[Id], PROOF_REF] = Field(default_factory=list)
    """Proof points that back the thesis (ids of proof point entries)."""
    pillars: list[Pillar] = Field(default_factory=list)
    """The pillars of the narrative."""
    proof_points: list[ProofPoint] = Field(default_factory=list)
    """The proof points claims cite."""
