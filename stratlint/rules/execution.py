"""SL3xx: execution and coverage -- the story told, the product built, the evidence shown."""

from __future__ import annotations

from collections.abc import Iterator

from stratlint.diagnostics import Diagnostic, Severity
from stratlint.graph import FileView, Graph, Node
from stratlint.model import Function, NodeType
from stratlint.rules.base import StrategyRule, capitalized, referenced_here
from stratlint.rules.references import SuggestingRule

_TOLD_BY = (Function.MARKETING, Function.SALES)
_SEGMENTS = frozenset({NodeType.SEGMENT})


def _claims_told(graph: Graph) -> dict[str, list[Node]]:
    """Claims that marketing or sales tell, with the messages and plays that tell them."""
    told: dict[str, list[Node]] = {}
    for claim in graph.of_type(NodeType.CLAIM):
        tellers = [
            edge.source
            for edge in graph.referrers(claim)
            if edge.field == "narrative" and edge.source.function in _TOLD_BY
        ]
        if tellers:
            told[claim.id] = tellers
    return told


def _names(nodes: list[Node], limit: int = 3) -> str:
    ids = sorted({node.id for node in nodes})
    shown = ", ".join(f"'{node_id}'" for node_id in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


class UnbackedClaim(StrategyRule):
    code = "SL301"
    name = "unbacked-claim"
    summary = "A claim marketing or sales tells that no roadmap item backs."
    default_severity = Severity.WARNING
    explanation = """
        When messaging or a sales play tells a claim that no roadmap item builds toward, the
        story is ahead of the product: customers are promised what nobody is building.

        Bad: 'claim-close-in-days' is in a message's and a play's 'narrative:', and in no
        roadmap item's.

        Fix: add the claim to the 'narrative:' of the roadmap item that delivers it, or stop
        telling the claim until one does.
        """

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        if not graph.complete("roadmap"):
            return
        for claim_id, tellers in _claims_told(graph).items():
            claim = graph.nodes[claim_id]
            backed = any(edge.source.type is NodeType.ROADMAP_ITEM for edge in graph.referrers(claim))
            if not backed:
                yield self.at_node(
                    claim,
                    f"{capitalized(claim.label)} is told by {_names(tellers)} but no roadmap item backs it: the "
                    "story is ahead of the product. Reference it from the roadmap item that delivers it, or stop "
                    "telling it.",
                    related=tuple(
                        referenced_here(edge, "told here") for edge in graph.referrers(claim) if edge.source in tellers
                    )[:5],
                )


class UnprovenClaim(StrategyRule):
    code = "SL302"
    name = "unproven-claim"
    summary = "A claim marketing or sales tells that has no proof point."
    default_severity = Severity.WARNING
    explanation = """
        A claim in market without evidence is an assertion. Buyers ask for proof, and sellers
        improvise it.

        Bad:
            claims:
              - id: claim-close-in-days
                statement: Customers close their books in three days.
                proof_points: []

        Fix: list the proof points that back the claim.
        """

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        for claim_id, tellers in _claims_told(graph).items():
            claim = graph.nodes[claim_id]
            proofs = [edge for edge in graph.references(claim, "proof_points") if edge.resolves]
            if not proofs:
                yield self.at_node(
                    claim,
                    f"{capitalized(claim.label)} is told by {_names(tellers)} but has no proof point. Add the "
                    "evidence that backs it under 'proof_points'.",
                    field="proof_points" if getattr(claim.entry, "proof_points", None) else None,
                )


class PillarCoverageGap(StrategyRule):
    code = "SL303"
    name = "pillar-coverage-gap"
    summary = "A pillar that product, marketing or sales never touches."
    default_severity = Severity.WARNING
    explanation = """
        Each pillar of the narrative needs all three functions: product reinforces it,
        marketing amplifies it, sales delivers it. A pillar one function never references
        (itself or any of its claims) is where the functions drift apart.

        Bad: no sales play references 'pillar-trusted-numbers' or any of its claims.

        Fix: reference the pillar or one of its claims from that function's work, or retire
        the pillar.
        """

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        for pillar in graph.of_type(NodeType.PILLAR):
            if pillar.retired:
                continue
            members = {pillar.id} | {claim.id for claim in graph.of_type(NodeType.CLAIM) if claim.parent is pillar}
            touched = {
                edge.source.function
                for member in members
                if member in graph.nodes
                for edge in graph.referrers(graph.nodes[member])
                if edge.field == "narrative"
            }
            for function in Function:
                if function not in touched and graph.complete(_KIND_OF[function]):
                    yield self.at_node(
                        pillar,
                        f"No {function.value} work references {pillar.label} or its claims. {_COVERAGE_HINT[function]}",
                        subject=f"{pillar.id}:{function.value}",
                    )


_KIND_OF = {Function.PRODUCT: "roadmap", Function.MARKETING: "messaging", Function.SALES: "playbook"}
_REFERRING_KINDS = ("narrative", "roadmap", "messaging", "playbook", "governance", "release")
"""The kinds whose entries reference value and narrative nodes."""

_COVERAGE_HINT = {
    Function.PRODUCT: "Product reinforces each pillar: a roadmap item should build toward it.",
    Function.MARKETING: "Marketing amplifies each pillar: a message should tell it.",
    Function.SALES: "Sales delivers each pillar: a play should use it.",
}

_ORPHAN_TYPES = (
    NodeType.SEGMENT,
    NodeType.REASON,
    NodeType.DIFFERENTIATOR,
    NodeType.BELIEF,
    NodeType.PILLAR,
    NodeType.CLAIM,
    NodeType.PROOF_POINT,
)


class OrphanNode(StrategyRule):
    code = "SL304"
    name = "orphan-node"
    summary = "A part of the value definition or narrative that nothing references."
    default_severity = Severity.WARNING
    explanation = """
        A segment, reason we win, differentiator, belief, pillar, claim or proof point that no
        roadmap item, message, play or claim references is strategy on paper only. A pillar
        counts as referenced when one of its claims is.

        Fix: reference it from the work that delivers it, or retire it ('status: retired').
        """

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        if not graph.complete(*_REFERRING_KINDS):
            return
        for node in graph.of_type(*_ORPHAN_TYPES):
            if node.retired or graph.nodes.get(node.id) is not node:
                continue
            if graph.referrers(node):
                continue
            if node.type is NodeType.PILLAR and any(
                graph.referrers(child) for child in graph.of_type(NodeType.CLAIM) if child.parent is node
            ):
                continue
            yield self.at_node(
                node,
                f"Nothing references {node.label}: no roadmap item, message or play builds on it. Reference it, "
                "or mark it 'status: retired'.",
            )


class SegmentDrift(SuggestingRule):
    code = "SL305"
    name = "segment-drift"
    summary = "Work aimed at a segment that is not in 'who we serve'."
    default_severity = Severity.ERROR
    explanation = """
        Messages, plays and roadmap items may target only the segments of the value
        definition. Aiming at any other audience is how sales sells a third story.

        Bad:
            segments: [seg-enterprise-healthcare]     # not in value.yaml

        Fix: target a segment we serve, or add the segment to the value definition first.
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for edge in view.edges():
            if edge.ref.targets != _SEGMENTS or edge.resolves:
                continue
            if edge.target is None and not view.unresolved(edge):
                continue
            fix = "Target a segment we serve, or add it to the value definition first."
            if edge.target is not None:
                what = f"{edge.target.label}, which is not a segment. {fix}"
            else:
                hint = self.did_you_mean(view, edge)
                what = f"'{edge.target_id}', which is not a segment in who we serve" + (
                    f"{hint}" if hint != "." else f". {fix}"
                )
            yield self.at_edge(edge, f"{capitalized(edge.source.label)} targets {what}")
