"""SL3xx: execution and coverage -- the story told, the product built, the evidence shown."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from pydantic import Field

from stratlint.diagnostics import Diagnostic, RelatedLocation, Severity, Stage
from stratlint.graph import FileView, Graph, Node, ReferenceEdge, initiative_of, primary_share
from stratlint.model import Function, NodeType
from stratlint.model.lifecycle import Standing
from stratlint.rules.base import StrategyRule, capitalized, referenced_here
from stratlint.rules.options import RuleOptions
from stratlint.rules.references import SuggestingRule

_TOLD_BY = (Function.MARKETING, Function.SALES)
_SEGMENTS = frozenset({NodeType.SEGMENT})


def _claims_told(graph: Graph) -> dict[str, list[Node]]:
    """Claims in the story (not retired) that marketing or sales tell, with the messages and
    plays that tell them (not records)."""
    told: dict[str, list[Node]] = {}
    for claim in graph.of_type(NodeType.CLAIM):
        if claim.record or graph.nodes.get(claim.id) is not claim:
            continue
        tellers = [
            edge.source
            for edge in graph.referrers(claim)
            if edge.field == "narrative" and edge.source.function in _TOLD_BY and not edge.source.record
        ]
        if tellers:
            told[claim.id] = tellers
    return told


def _live(node: Node) -> bool:
    """Live work: neither paused nor a record."""
    return node.standing is Standing.LIVE and not node.record


def _live_referrers(graph: Graph, node: Node) -> list[ReferenceEdge]:
    """References to ``node`` from live work: neither paused nor a record."""
    return [edge for edge in graph.referrers(node) if _live(edge.source)]


def evidence_citations(graph: Graph, node: Node) -> list[ReferenceEdge]:
    """Citations of the evidence for ``node``: each reference, under 'proof_points', to a
    live proof point that names ``node`` under 'proves'. Work that cites a case study
    proving a pillar tells that pillar."""
    return [
        cite
        for edge in graph.referrers(node)
        if edge.field == "proves" and _live(edge.source)
        for cite in graph.referrers(edge.source)
        if cite.field == "proof_points"
    ]


def _planned_referrers(graph: Graph, node: Node) -> list[ReferenceEdge]:
    """References to ``node`` from anything but a record (paused work still plans to use it)."""
    return [edge for edge in graph.referrers(node) if not edge.source.record]


def _entries(nodes: list[Node]) -> tuple[str, ...]:
    """The roadmap items, messages and plays that ``nodes`` are or belong to, once each."""
    return tuple(dict.fromkeys(entry.id for node in nodes if (entry := initiative_of(node)) is not None))


def _names(nodes: list[Node], limit: int = 3) -> str:
    ids = sorted({node.id for node in nodes})
    shown = ", ".join(f"'{node_id}'" for node_id in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


class _ToldClaimRule(StrategyRule):
    """A rule about the claims marketing or sales tell (``_claims_told``): each finding is at
    the claim, says who tells it, and is about the entries that tell it."""

    def at_told(
        self,
        claim: Node,
        tellers: list[Node],
        but: str,
        *,
        field: str | None = None,
        related: tuple[RelatedLocation, ...] = (),
    ) -> Diagnostic:
        """The finding that ``claim`` is told by ``tellers`` but ``but`` (what it lacks, and the fix)."""
        return self.at_node(
            claim,
            f"{capitalized(claim.label)} is told by {_names(tellers)} but {but}",
            field=field,
            related=related,
            about=_entries(tellers),
        )


class UnbackedClaim(_ToldClaimRule):
    code = "SL301"
    name = "unbacked-claim"
    summary = "A claim marketing or sales tells that no roadmap item backs."
    default_severity = Severity.WARNING
    stage = Stage.CONFLICTING_EXECUTION
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
            builders = [edge.source for edge in graph.referrers(claim) if edge.source.type is NodeType.ROADMAP_ITEM]
            if any(builder.standing is Standing.LIVE and not builder.record for builder in builders):
                continue
            idle = sorted({f"'{node.id}' ({getattr(node.entry, 'status', '')})" for node in builders})
            why = f" (only {', '.join(idle)}, which {'is' if len(idle) == 1 else 'are'} not live work)" if idle else ""
            yield self.at_told(
                claim,
                tellers,
                f"no roadmap item backs it{why}: the story is ahead of the product. Reference it from the roadmap "
                "item that delivers it, or stop telling it.",
                related=tuple(
                    referenced_here(edge, "told here") for edge in graph.referrers(claim) if edge.source in tellers
                )[:5],
            )


class UnprovenClaim(_ToldClaimRule):
    code = "SL302"
    name = "unproven-claim"
    summary = "A claim marketing or sales tells that has no proof point."
    default_severity = Severity.WARNING
    stage = Stage.CONFLICTING_EXECUTION
    explanation = """
        A claim in market without evidence is an assertion. Buyers ask for proof, and sellers
        improvise it.

        Bad:
            claims:
              - id: claim-close-in-days
                statement: Customers close their books in three days.
                proof_points: []

        A claim counts as proven when it lists a proof point under 'proof_points', or a
        proof point names it under 'proves'.

        Fix: list the proof points that back the claim.
        """

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        for claim_id, tellers in _claims_told(graph).items():
            claim = graph.nodes[claim_id]
            if not _proven(graph, claim):
                yield self.at_told(
                    claim,
                    tellers,
                    "has no proof point. Add the evidence that backs it under 'proof_points'.",
                    field="proof_points" if getattr(claim.entry, "proof_points", None) else None,
                )


def _proven(graph: Graph, claim: Node) -> bool:
    """Whether evidence backs ``claim``: a proof point it cites, or one that names it under 'proves'."""
    return any(edge.resolves for edge in graph.references(claim, "proof_points")) or any(
        edge.field == "proves" for edge in graph.referrers(claim)
    )


class PillarCoverageGap(StrategyRule):
    code = "SL303"
    name = "pillar-coverage-gap"
    summary = "A pillar that product, marketing or sales never touches."
    default_severity = Severity.WARNING
    stage = Stage.CONFLICTING_EXECUTION
    explanation = """
        Each pillar of the narrative needs all three functions: product reinforces it,
        marketing amplifies it, sales delivers it. A pillar one function never references
        (itself or any of its claims, under 'narrative', or by citing a proof point that
        names it under 'proves') is where the functions drift apart.

        Bad: no sales play references 'pillar-trusted-numbers' or any of its claims.

        Fix: reference the pillar or one of its claims from that function's work, or retire
        the pillar.
        """

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        for pillar in graph.of_type(NodeType.PILLAR):
            if pillar.record:
                continue
            members = [pillar, *(claim for claim in graph.of_type(NodeType.CLAIM) if claim.parent is pillar)]
            touched = {
                edge.source.function
                for member in members
                if not member.record and graph.nodes.get(member.id) is member
                for edge in (
                    *(edge for edge in _live_referrers(graph, member) if edge.field == "narrative"),
                    *(cite for cite in evidence_citations(graph, member) if _live(cite.source)),
                )
            }
            for function in _uncovered(graph, touched):
                yield self.at_node(
                    pillar,
                    f"No {function.value} work references {pillar.label} or its claims. {_COVERAGE_HINT[function]}",
                    subject=f"{pillar.id}:{function.value}",
                )


_KIND_OF = {Function.PRODUCT: "roadmap", Function.MARKETING: "messaging", Function.SALES: "playbook"}


def _uncovered(
    graph: Graph, covered: set[Function | None], functions: tuple[Function, ...] = tuple(Function)
) -> Iterator[Function]:
    """The ``functions`` whose work does not cover a node (``covered`` lists those whose
    does), among those whose plan files could all be read."""
    return (function for function in functions if function not in covered and graph.complete(_KIND_OF[function]))


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
    stage = Stage.CONFLICTING_EXECUTION
    explanation = """
        A segment, reason we win, differentiator, belief, pillar, claim or proof point that no
        roadmap item, message, play or claim references is strategy on paper only. A pillar
        counts as referenced when one of its claims is; a differentiator, a belief or a claim
        that a proof point names under 'proves' is referenced by it; and a proof point that
        proves something is linked in.

        Fix: reference it from the work that delivers it, or retire it ('status: retired').
        """

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        if not graph.complete(*_REFERRING_KINDS):
            return
        for node in graph.of_type(*_ORPHAN_TYPES):
            if node.record or graph.nodes.get(node.id) is not node:
                continue
            if _planned_referrers(graph, node) or _proves_something(node):
                continue
            if node.type is NodeType.PILLAR and any(
                _planned_referrers(graph, child) for child in graph.of_type(NodeType.CLAIM) if child.parent is node
            ):
                continue
            yield self.at_node(
                node,
                f"Nothing references {node.label}: no roadmap item, message or play builds on it. Reference it, "
                "or mark it 'status: retired'.",
            )


def _proves_something(node: Node) -> bool:
    """A proof point that names, under 'proves', a node that exists."""
    return node.type is NodeType.PROOF_POINT and any(edge.field == "proves" and edge.resolves for edge in node.refs)


class SegmentDrift(SuggestingRule):
    code = "SL305"
    name = "segment-drift"
    summary = "Work aimed at a segment that is not in 'who we serve'."
    default_severity = Severity.ERROR
    stage = Stage.CONFLICTING_EXECUTION
    explanation = """
        Messages, plays and roadmap items may target only the segments of the value
        definition. Aiming at any other audience is how sales sells a third story.

        Bad:
            segments: [seg-enterprise-healthcare]     # not in value.yaml

        Fix: target a segment we serve, or add the segment to the value definition first.
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for edge in view.edges():
            if edge.ref.targets != _SEGMENTS or edge.resolves or edge.source.record:
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
            offered = self.suggestion_fix(view, edge) if edge.target is None else None
            yield self.at_edge(edge, f"{capitalized(edge.source.label)} targets {what}", fix=offered)


class LowFocus(StrategyRule):
    code = "SL306"
    name = "low-focus"
    summary = "A function whose work serves the primary priority less than the configured share."
    default_severity = Severity.WARNING
    stage = Stage.CONFLICTING_EXECUTION
    explanation = """
        "Does this align with our primary growth priority?" A function whose roadmap items,
        messages or plays mostly serve other priorities is working on another strategy. With
        'min-primary-share' set (it is off by default), a function whose share of entries
        naming the primary priority is below it gets a finding at each of its plan files.

        Configuration:
            [tool.stratlint]
            min-primary-share = 0.6

        Fix: point more of the function's work at the primary priority, or agree that the
        share is right and lower the minimum.
        """

    class Options(RuleOptions):
        min_primary_share: Annotated[float, Field(ge=0, le=1)] | None = Field(
            default=None,
            description="The least share (0 to 1) of a function's entries that must serve the primary priority.",
        )

    options: Options

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        minimum = self.options.min_primary_share
        primary = graph.primary_priority()
        if minimum is None or primary is None:
            return
        for function in Function:
            entries = [node for node in graph.initiatives(function) if not node.record]
            if not entries or not graph.complete(_KIND_OF[function]):
                continue
            serving = round(sum(primary_share(node, primary) for node in entries), 2)
            if serving / len(entries) >= minimum:
                continue
            for artifact in graph.artifacts:
                if artifact.function is function:
                    yield self.at(
                        artifact.path,
                        artifact.source_map.span("/kind"),
                        f"Only {round(100 * serving / len(entries))}% of {function.value}'s entries "
                        f"({serving:g} of {len(entries)}) serve the primary priority '{primary.id}', below the "
                        f"minimum of {round(100 * minimum)}% (min-primary-share). Point more of this "
                        "function's work at the primary priority.",
                        subject=f"{function.value}:{artifact.path}",
                    )


# -- coverage of personas and use cases ---------------------------------------------------------------------


def _covering(graph: Graph, node: Node, field: str) -> set[Function | None]:
    """The functions whose live work names ``node`` in ``field``."""
    return {edge.source.function for edge in _live_referrers(graph, node) if edge.field == field}


def primary_segments(graph: Graph) -> frozenset[str] | None:
    """The ids of the segments the primary priority is won in, or None when it names none
    (then every segment counts)."""
    primary = graph.primary_priority()
    named = getattr(primary.entry, "segments", None) if primary is not None else None
    return frozenset(named) if named else None


class PersonaCoverageGap(StrategyRule):
    code = "SL307"
    name = "persona-coverage-gap"
    summary = "A persona of the primary segment that no message or no play speaks to."
    default_severity = Severity.WARNING
    stage = Stage.CONFLICTING_EXECUTION
    explanation = """
        The primary priority is won with the people who buy and use: each persona of its
        segments (the 'segments' the primary priority names, or every segment when it names
        none) needs a message that speaks to it (marketing) and a play run with it (sales),
        each listing it under 'personas'. A persona nobody addresses is a buyer each seller
        improvises for. It finds nothing until a persona is declared. Turn it off with
        ignore = ["SL307"] in the configuration.

        Bad: persona 'persona-group-controller' of the primary segment, and no play lists it.

        Fix: list the persona under 'personas' of a live message and a live play, or take it
        out of the primary segment.
        """

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        if graph.primary_priority() is None or not graph.complete("priorities", "value", "market"):
            return  # no primary priority to judge by: missing-primary-priority says so
        primary = primary_segments(graph)
        for persona in graph.of_type(NodeType.PERSONA):
            segments = set(getattr(persona.entry, "segments", ()))
            if persona.record or (primary is not None and not segments & primary):
                continue
            covered = _covering(graph, persona, "personas")
            for function in _uncovered(graph, covered, (Function.MARKETING, Function.SALES)):
                noun = "message" if function is Function.MARKETING else "play"
                yield self.at_node(
                    persona,
                    f"No live {noun} speaks to {persona.label}, a persona of the primary segment: "
                    f"{function.value} reaches each of them. List it under 'personas' of a {noun}.",
                    subject=f"{persona.id}:{function.value}",
                )


_USE_CASE_HINT = {
    Function.PRODUCT: "Product builds for each use case: a roadmap item should name it under 'use_cases'.",
    Function.MARKETING: "Marketing tells each use case: a message should name it under 'use_cases'.",
    Function.SALES: "Sales sells each use case: a play should name it under 'use_cases'.",
}


class UseCaseCoverageGap(StrategyRule):
    code = "SL308"
    name = "use-case-coverage-gap"
    summary = "A use case that no roadmap item, no message or no play serves."
    default_severity = Severity.WARNING
    stage = Stage.CONFLICTING_EXECUTION
    explanation = """
        A use case is a job the product is bought for: product builds for it, marketing
        tells it, sales sells it. A use case that one function's live work never names
        (under 'use_cases') is where the functions drift apart, as a pillar one function
        never touches is. It reads nothing until a use case is declared. Turn it off with
        ignore = ["SL308"] in the configuration.

        Bad: use case 'uc-intercompany' that no play lists under 'use_cases'.

        Fix: name the use case from that function's live work, or retire it.
        """

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        for use_case in graph.of_type(NodeType.USE_CASE):
            if use_case.record:
                continue
            for function in _uncovered(graph, _covering(graph, use_case, "use_cases")):
                yield self.at_node(
                    use_case,
                    f"No live {function.value} work serves {use_case.label}. {_USE_CASE_HINT[function]}",
                    subject=f"{use_case.id}:{function.value}",
                )
