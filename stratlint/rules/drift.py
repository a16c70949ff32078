"""SL6xx: drift -- references whose target changed since review, retired targets, stale evidence,
and the review lock itself."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Annotated

from pydantic import Field

from stratlint.diagnostics import Diagnostic, Fix, Severity, Span, Stage
from stratlint.drift.wording import describe_changes
from stratlint.graph import FileView, Graph, Node, ReferenceEdge
from stratlint.model import NodeType
from stratlint.model.common import StrategyNode, period_end
from stratlint.model.horizon import months_before
from stratlint.model.narrative import ProofPoint
from stratlint.rules.base import FileRule, GateEffect, StrategyRule, capitalized, defined_here, owned_by
from stratlint.rules.options import RuleOptions


class SuspectReference(FileRule):
    code = "SL601"
    name = "suspect-reference"
    summary = "A reference to a strategy node that changed since the entry was last reviewed."
    default_severity = Severity.WARNING
    stage = Stage.DRIFT
    explanation = """
        The lock file (stratlint.lock) records, for every reference to the value definition,
        the narrative, a proof point or a priority, how that node read when the referencing
        entry was last reviewed. When the node's wording changes, every entry written against
        the old wording is suspect until its owner has checked it still holds. Only meaningful
        fields count (a claim's statement, not its owner, tags, notes or comments).

        Bad (the claim was reworded after the message was reviewed):
            # narrative.yaml:  statement: Customers close their books in five days.
            # messaging.yaml:  narrative: [claim-close-in-days]   # headline still says three

        Fix: the owner checks the entry against the new wording, edits it if needed, then runs
        'stratlint review --accept <entry-id>' (only stratlint.lock changes).
        """

    gate = GateEffect.BLOCKS

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        # A record (a retired message, a cancelled item) is not re-reviewed against new wording.
        for suspect in self.context.review.suspects(edge for edge in view.edges() if not edge.source.record):
            edge = suspect.edge
            changed = describe_changes(list(suspect.changes))
            yield self.at_edge(
                edge,
                f"{capitalized(edge.source.label)} ({owned_by(edge.source)}) references {suspect.target.label} "
                f"in '{edge.field}', which changed since it was last reviewed: {changed}. "
                f"Check it still holds, then run 'stratlint review --accept {edge.source.id}'.",
                related=(defined_here(suspect.target, "changed here"),),
            )


class RetiredReference(FileRule):
    code = "SL602"
    name = "retired-reference"
    summary = "A reference to a strategy node that has been retired."
    default_severity = Severity.ERROR
    stage = Stage.DRIFT
    explanation = """
        A node marked 'status: retired' is no longer part of the strategy. Work that still
        references it is built, told or sold on something the company has stopped saying.

        Bad:
            # narrative.yaml
            - id: claim-close-in-days
              status: retired
              replaced_by: claim-close-continuously
            # roadmap.yaml
              narrative: [claim-close-in-days]

        Fix: reference the replacement ('replaced_by'), or the node that carries the idea now.
        """

    gate = GateEffect.BLOCKS

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for edge in view.edges():
            target = edge.target
            if target is None or not target.retired or not edge.resolves:
                continue
            if not isinstance(target.entry, StrategyNode):
                continue
            # A record citing a retired node is history; a replacement that is retired too is not.
            if edge.source.record and edge.field != "replaced_by":
                continue
            when = f" on {target.entry.retired_on}" if target.entry.retired_on else ""
            replacement = view.lookup.node(target.entry.replaced_by) if target.entry.replaced_by else None
            live = replacement is not None and not replacement.record and replacement.type is target.type
            fix = (
                f"reference '{replacement.id}', its replacement, instead."
                if live and replacement is not None
                else "remove the reference, or point it at the node that carries the idea now."
            )
            yield self.at_edge(
                edge,
                f"{capitalized(edge.source.label)} ({owned_by(edge.source)}) references {target.label} in "
                f"'{edge.field}', which was retired{when}; {fix}",
                related=(defined_here(target, "retired here"),),
            )


_CITERS = frozenset({NodeType.MESSAGE, NodeType.PLAY, NodeType.OBJECTION})
"""What puts evidence in front of buyers: messages, plays and objection answers."""


def _citers(graph: Graph, node: Node, *, live: bool = False) -> list[str]:
    """The messages, plays and objections that cite the proof point ``node`` directly, by
    label; with ``live``, those that are not records."""
    return sorted(
        {
            edge.source.label
            for edge in graph.referrers(node)
            if edge.source.type in _CITERS and not (live and edge.source.record)
        }
    )


class StaleProofPoint(StrategyRule):
    code = "SL603"
    name = "stale-proof-point"
    summary = "A proof point older than the allowed age that messaging or a playbook still cites."
    default_severity = Severity.WARNING
    stage = Stage.DRIFT
    explanation = """
        Evidence ages: a customer result from three years ago no longer proves what the
        product does today. A proof point whose 'as_of' is older than the allowed age
        (18 months unless configured with max-proof-age-months) and that a message, a play
        or an objection answer still cites is stale evidence in front of buyers.

        Bad:
            - id: pp-northwind-close
              statement: Northwind cut its close from 12 days to 3.
              as_of: 2023-03-31

        Fix: refresh the evidence (new statement, new 'as_of'), or stop citing it and
        retire it.
        """

    class Options(RuleOptions):
        max_age_months: Annotated[int, Field(ge=1, le=1200)] = Field(
            default=18,
            description="How old a proof point may be, in months, before citing it counts as stale evidence.",
        )

    options: Options

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        months = self.options.max_age_months
        cutoff = months_before(self.context.today, months)
        for node in graph.of_type(NodeType.PROOF_POINT):
            entry = node.entry
            if not isinstance(entry, ProofPoint) or entry.as_of is None:
                continue
            as_of = period_end(entry.as_of)
            if as_of is None or as_of >= cutoff:
                continue
            citers = _citers(graph, node)
            if not citers:
                continue
            yield self.at_node(
                node,
                f"{capitalized(node.label)} is evidence as of {entry.as_of}, older than "
                f"{months} months, and is still cited by {', '.join(citers)}. Refresh it "
                "(new statement and 'as_of'), or stop citing it.",
                field="as_of",
            )


class UndatedProofPoint(StrategyRule):
    code = "SL606"
    name = "undated-proof-point"
    summary = "A proof point with no 'as_of' that messaging or a playbook cites."
    default_severity = Severity.WARNING
    stage = Stage.DRIFT
    opt_in = True
    explanation = """
        Evidence in front of buyers must be judged fresh, and evidence with no date cannot
        be: nobody can tell a result from last quarter from one five years old, and the
        stale-proof-point rule never sees it age. A proof point without 'as_of' that a live
        message, a play or an objection answer cites directly is reported. A month or a
        year is enough when the source gives no day ('as_of: 2026-06', 'as_of: 2025'); it
        is judged at the end of that period.

        Bad:
            - id: pp-northwind-close
              statement: Northwind cut its close from 12 days to 3.

        Fix: add when the evidence was true ('as_of: 2026-03-31', or '2026-03'), or stop
        citing it.
        """

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        for node in graph.of_type(NodeType.PROOF_POINT):
            entry = node.entry
            if not isinstance(entry, ProofPoint) or entry.as_of is not None or node.record:
                continue
            citers = _citers(graph, node, live=True)
            if citers:
                yield self.at_node(
                    node,
                    f"{capitalized(node.label)} has no 'as_of', and is cited by {', '.join(citers)}: evidence "
                    "with no date cannot be judged fresh. Add when it was true ('as_of: 2026-06-30', or "
                    "the month or the year), or stop citing it.",
                )


class InvalidLockFile(StrategyRule):
    code = "SL604"
    name = "invalid-lock-file"
    summary = "The review lock (stratlint.lock) has a line that cannot be read, or merge-conflict markers."
    default_severity = Severity.ERROR
    stage = Stage.DRIFT
    explanation = """
        stratlint.lock is written by 'stratlint lock' and 'stratlint review --accept'. A line
        that is neither an 'edge' nor a 'node' stamp, a reference stamped twice with different
        fingerprints, or conflict markers left by a merge make the review stamps unreliable.

        Bad:
            <<<<<<< HEAD
            edge msg-close-in-days narrative claim-close-in-days 3f9a0c2b7d1e4a65
            =======

        Fix: resolve the conflict (keep the lines of both sides, one line per reference),
        delete the markers, and run 'stratlint lock'.
        """

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        lock = self.context.lock
        for problem in lock.problems:
            span = Span.at(problem.line, 1)
            yield self.at(lock.path, span, problem.message, subject=f"lock:{problem.line}:{problem.message}")


class UnstampedReference(StrategyRule):
    code = "SL605"
    name = "unstamped-reference"
    summary = "References to the strategy that have no review stamp in stratlint.lock."
    default_severity = Severity.WARNING
    stage = Stage.DRIFT
    explanation = """
        A reference is stamped in the lock with the wording of its target when the entry was
        written or last reviewed; only then can a later change to that wording make it
        suspect. A reference with no stamp goes unwatched: its claim can be reworded and
        nobody is told. Each file's unstamped references are one finding, and a strategy with
        no lock at all is one finding for the whole strategy.

        Bad: a new message cites 'claim-close-in-days', and stratlint.lock has no line for it.

        Fix: run 'stratlint lock' (or let the stratlint-lock pre-commit hook do it) and commit
        stratlint.lock. It stamps new references only; a changed target still needs its owner's
        'stratlint review --accept'.
        """

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        review = self.context.review
        unstamped = review.unstamped(graph.edges)
        if not unstamped:
            return
        if not review.lock.present:
            finding = self.at_strategy(
                graph.root_path,
                f"There is no review lock ({review.lock.path}), so none of the strategy's {len(unstamped)} "
                "references is watched: a reworded claim goes unnoticed. Run 'stratlint lock' and commit "
                "the file.",
                subject="no lock",
            )
            stamp = Fix(f"write {review.lock.path} with every reference stamped", safe=True, stamp_all=True)
            yield replace(finding, fix=stamp)
            return
        by_file: dict[str, list[ReferenceEdge]] = {}
        for edge in unstamped:
            by_file.setdefault(edge.source.artifact.path, []).append(edge)
        for path, edges in by_file.items():
            count = len(edges)
            yield self.at(
                path,
                edges[0].span,
                f"{count} reference{'s' if count != 1 else ''} in this file "
                f"{'have' if count != 1 else 'has'} no review stamp (the first: {edges[0].source.label} cites "
                f"'{edges[0].target_id}'), so a change to what {'they cite' if count != 1 else 'it cites'} would "
                "go unnoticed. Run 'stratlint lock' and commit stratlint.lock.",
                subject=f"unstamped:{path}",
                fix=Fix(
                    f"stamp {count} reference{'s' if count != 1 else ''} in {review.lock.path}",
                    safe=True,
                    stamps=tuple((edge.source.id, edge.field, edge.target_id) for edge in edges),
                ),
            )
