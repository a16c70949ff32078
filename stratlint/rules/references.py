"""SL2xx: references -- every id resolves, to the right kind of node, and every initiative
traces to value, narrative and priority."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from stratlint.diagnostics import Diagnostic, Edit, Fix, Severity, Stage
from stratlint.graph import FileView, Node, ReferenceEdge
from stratlint.model import NodeType
from stratlint.model.initiative import Initiative
from stratlint.rules.base import PLAN_KINDS, FileRule, capitalized, defined_here
from stratlint.rules.context import CheckContext
from stratlint.rules.names import NamedNodes

# Segment references have a rule of their own (segment-drift), with a message about who we serve.
_SEGMENT_ONLY = frozenset({NodeType.SEGMENT})


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """What ``difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)`` finds, at a
    fraction of the cost among thousands of ids: the exact similarity (the slow part) is
    computed only for candidates whose upper bound (``quick_ratio``) can still win, best
    bound first. Ties go to the greater candidate, as there."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    bounded: list[tuple[float, str]] = []
    for candidate in candidates:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= cutoff:
            bound = matcher.quick_ratio()
            if bound >= cutoff:
                bounded.append((bound, candidate))
    bounded.sort(reverse=True)
    best: tuple[float, str] | None = None
    for bound, candidate in bounded:
        if best is not None and bound < best[0]:
            break
        matcher.set_seq1(candidate)
        score = matcher.ratio()
        if score >= cutoff and (best is None or (score, candidate) > best):
            best = (score, candidate)
    return None if best is None else best[1]


SAFE_SIMILARITY = 0.8
"""How alike a mistyped id and an existing one must be for the existing one to be a close
candidate (difflib's ratio: 'seg.pe-baked' and 'seg.pe-backed' are 0.96). The suggestion is
a safe fix only when it is the one close candidate of the kinds the field takes; any other
suggestion is a guess, an unsafe fix."""


def close_count(word: str, candidates: Iterable[str], cutoff: float = SAFE_SIMILARITY, most: int = 2) -> int:
    """How many of ``candidates`` are at least ``cutoff`` alike to ``word``, counting to ``most``."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    found = 0
    for candidate in candidates:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff and matcher.ratio() >= cutoff:
            found += 1
            if found >= most:
                break
    return found


class SuggestingRule(FileRule):
    """A file rule that suggests the nearest existing id for one that names nothing, and
    offers it as a fix. The same typo recurs across files, so each suggestion is looked for
    once per run."""

    def __init__(self, context: CheckContext) -> None:
        super().__init__(context)
        self._suggestions: dict[tuple[str, frozenset[NodeType]], tuple[str | None, bool, str | None]] = {}
        self._names = NamedNodes()

    def suggestion(self, view: FileView, edge: ReferenceEdge) -> tuple[str | None, bool]:
        """The nearest id of the kinds the reference takes (None: none is near), and whether
        it is the only close candidate (see SAFE_SIMILARITY)."""
        best, only, _ = self._suggested(view, edge)
        return best, only

    def _suggested(self, view: FileView, edge: ReferenceEdge) -> tuple[str | None, bool, str | None]:
        """The suggestion, whether it is the only candidate, and, when the reference wrote a
        name instead of an id, whose name it is: a name or an alias of exactly one node of
        the kinds it takes is that node, for sure."""
        key = (edge.target_id, edge.accepts)
        found = self._suggestions.get(key)
        if found is None:
            named = self._names.meant(view.lookup, edge.accepts, edge.target_id)
            if named is not None:
                found = (named.node.id, True, named.called)
            else:
                ids = view.lookup.ids_of_types(edge.accepts)
                best = closest(edge.target_id, ids)
                # The best is the one close candidate when exactly one is close and the best is.
                only = best is not None and close_count(edge.target_id, ids) == 1 == close_count(edge.target_id, [best])
                found = (best, only, None)
            self._suggestions[key] = found
        return found

    def did_you_mean(self, view: FileView, edge: ReferenceEdge) -> str:
        suggestion, _, called = self._suggested(view, edge)
        if suggestion and called:
            return f"; did you mean '{suggestion}'? {called}, and references use its id."
        return f"; did you mean '{suggestion}'?" if suggestion else "."

    def suggestion_fix(self, view: FileView, edge: ReferenceEdge) -> Fix | None:
        """The suggestion as a fix: safe when it is the one close candidate."""
        suggestion, only = self.suggestion(view, edge)
        if suggestion is None:
            return None
        return Fix(
            f"replace '{edge.target_id}' with '{suggestion}'",
            safe=only,
            edits=(Edit(edge.source.artifact.path, edge.span, suggestion, pointer=edge.pointer),),
        )


def _takes(edge: ReferenceEdge) -> str:
    kinds = sorted(t.value for t in edge.accepts)
    listed = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " or " + kinds[-1]
    return f"{listed} ids"


class DanglingReference(SuggestingRule):
    code = "SL201"
    name = "dangling-reference"
    summary = "A reference to an id that does not exist."
    default_severity = Severity.ERROR
    stage = Stage.FRAGMENTED_INTERPRETATION
    explanation = """
        A reference names an id that no entry has: a typo, or a node that was renamed or
        deleted. The entry no longer traces to what it meant to.

        Bad:
            narrative: [claim-close-in-3-days]     # the claim is 'claim-close-in-three-days'

        Fix: correct the id (stratlint suggests the nearest one), or restore the node.
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for edge in view.edges():
            if view.unresolved(edge) and edge.ref.targets != _SEGMENT_ONLY:
                yield self.at_edge(
                    edge,
                    f"{capitalized(edge.source.label)} cites {edge.ref.describe()} '{edge.target_id}' in "
                    f"'{edge.field}', which does not exist{self.did_you_mean(view, edge)}",
                    fix=self.suggestion_fix(view, edge),
                )


class WrongKindReference(FileRule):
    code = "SL202"
    name = "wrong-kind-reference"
    summary = "A reference to an existing node of the wrong kind."
    default_severity = Severity.ERROR
    stage = Stage.FRAGMENTED_INTERPRETATION
    explanation = """
        Each reference field takes one kind of node: 'value' takes segments, reasons we win,
        differentiators or beliefs; 'narrative' takes pillars or claims; 'priority' takes a
        priority; 'proof_points' takes proof points.

        Bad:
            narrative: [seg-mid-market-finance]    # a segment, not a pillar or claim

        Fix: move the id to the field that takes it ('segments' or 'value' here).
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for edge in view.edges():
            if edge.target is not None and not edge.resolves and edge.ref.targets != _SEGMENT_ONLY:
                yield self.at_edge(
                    edge,
                    f"{capitalized(edge.source.label)} lists {edge.target.label} under '{edge.field}', which "
                    f"takes {_takes(edge)} only.",
                    related=(defined_here(edge.target),),
                )


class _MissingTrace(FileRule):
    """An initiative whose field is empty. Subclasses name the field and what it traces to."""

    field: str
    traces_to: str
    fix: str
    kinds = PLAN_KINDS

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for node in self.subjects(view):
            if not getattr(node.entry, self.field):
                yield self.at_node(
                    node,
                    f"{capitalized(node.label)} does not reference {self.traces_to}. {self.fix}",
                    field=self.field,
                )

    def subjects(self, view: FileView) -> Iterator[Node]:
        """The plans of the file: its roadmap items, messages and plays that are not records."""
        return (node for node in view.initiatives() if isinstance(node.entry, Initiative) and not node.record)


class MissingValueReference(_MissingTrace):
    code = "SL203"
    name = "missing-value-reference"
    summary = "A roadmap item, message or play does not reference the value definition."
    default_severity = Severity.ERROR
    stage = Stage.FRAGMENTED_INTERPRETATION
    field = "value"
    lacks = "a value reference"
    traces_to = "the value definition"
    fix = "Add 'value:' with the segment, reason we win, differentiator or belief it reinforces."
    explanation = """
        Every roadmap item, message and play must reinforce the one definition of value.
        One that names no value node is work nobody can trace to why customers buy.

        Bad:
            - id: msg-spring-webinar
              headline: Join our spring webinar
              narrative: [pillar-continuous-close]

        Fix: add 'value:' with what it reinforces, here a differentiator.
            - id: msg-spring-webinar
              headline: Join our spring webinar
              value: [diff-real-time-reconciliation]
              narrative: [pillar-continuous-close]
        """


class MissingNarrativeReference(_MissingTrace):
    code = "SL204"
    name = "missing-narrative-reference"
    summary = "A roadmap item, message or play does not reference the narrative."
    default_severity = Severity.ERROR
    stage = Stage.FRAGMENTED_INTERPRETATION
    field = "narrative"
    lacks = "a narrative reference"
    traces_to = "any pillar or claim of the narrative"
    fix = "Add 'narrative:' with the pillar or claim it builds or tells."
    explanation = """
        Every roadmap item, message and play must strengthen the strategic narrative. One
        that names no pillar or claim tells a story of its own.

        Bad:
            - id: play-cfo-lunch
              name: CFO lunch and learn
              value: [seg-mid-market-finance]

        Fix: add 'narrative:' with the pillar or claim it tells, here a claim.
            - id: play-cfo-lunch
              name: CFO lunch and learn
              value: [seg-mid-market-finance]
              narrative: [claim-close-in-days]
        """


class MissingPriority(_MissingTrace):
    code = "SL205"
    name = "missing-priority"
    summary = "A roadmap item does not name the priority it serves."
    default_severity = Severity.ERROR
    stage = Stage.FRAGMENTED_INTERPRETATION
    field = "priority"
    lacks = "a priority"
    traces_to = "a growth priority"
    fix = "Add 'priority:' with the id of the priority it serves."
    explanation = """
        Every roadmap item must say which growth priority it serves, so planning can weigh
        it against the primary priority.

        Bad:
            - id: rm-dark-mode
              title: Dark mode

        Fix: add 'priority:' with the priority it serves.
            - id: rm-dark-mode
              title: Dark mode
              priority: prio-mid-market-leadership
        """

    def subjects(self, view: FileView) -> Iterator[Node]:
        return (node for node in view.of_type(NodeType.ROADMAP_ITEM) if not node.record)
