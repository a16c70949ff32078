"""SL5xx: decision logic -- initiatives answer the decision questions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from stratlint.diagnostics import Diagnostic, Severity, Stage
from stratlint.graph import FileView, Lookup
from stratlint.model import NodeType
from stratlint.model.common import Rationale
from stratlint.model.initiative import Initiative
from stratlint.model.priorities import DecisionQuestion
from stratlint.rules.base import PLAN_KINDS, FileRule, capitalized


def decision_questions(lookup: Lookup) -> dict[str, str]:
    """What the decision questions ask about ('value', 'narrative', 'priority'), each with
    the first question that asks it, in the order first asked; empty when none is declared."""
    asked: dict[str, str] = {}
    for question_id in lookup.ids_of_types(frozenset({NodeType.QUESTION})):
        node = lookup.node(question_id)
        if node is not None and not node.record and isinstance(node.entry, DecisionQuestion):
            asked.setdefault(node.entry.asks_about, " ".join(node.entry.question.split()))
    return asked


def unanswered(rationale: Rationale | None, asked: Iterable[str]) -> list[str]:
    """The parts of ``rationale`` that the questions ask for and it leaves empty."""
    return [part for part in asked if not (getattr(rationale, part, None) or "").strip()]


def _names_primary_without_value(lookup: Lookup, entry: Initiative) -> bool:
    primary = lookup.primary_priority()
    return primary is not None and primary.id in entry.priorities and bool(unanswered(entry.rationale, ["value"]))


class AlmostAligned(FileRule):
    code = "SL501"
    name = "almost-aligned"
    summary = "An initiative that names the primary priority but gives no rationale linking it to value."
    default_severity = Severity.WARNING
    stage = Stage.AMBIGUITY
    lacks = "a rationale linking it to value"
    explanation = """
        "Almost aligned" is how drift starts: an initiative names the primary priority (the
        goal is shared), but nobody wrote down how it reinforces the value definition (the
        rationale quietly diverges). The decision questions exist to catch that.

        Bad:
            - id: rm-bulk-export
              priority: prio-mid-market-leadership
              value: [seg-mid-market-finance]

        Fix:
              rationale:
                value: Mid-market controllers export to Excel to close; this keeps them in the product.
        """

    kinds = PLAN_KINDS

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        primary = view.lookup.primary_priority()
        if primary is None:
            return
        for node in view.initiatives():
            entry = node.entry
            if not isinstance(entry, Initiative) or node.record:
                continue
            if _names_primary_without_value(view.lookup, entry):
                yield self.at_node(
                    node,
                    f"{capitalized(node.label)} names the primary priority '{primary.id}' but gives no rationale "
                    "linking it to the value definition. Add 'rationale: value:' saying which segment it serves "
                    "and which differentiator it proves.",
                    field="rationale" if entry.rationale is not None else "priority",
                )


class UnansweredDecisionQuestion(FileRule):
    code = "SL502"
    name = "unanswered-decision-question"
    summary = "A roadmap item, message or play whose rationale leaves a decision question unanswered."
    default_severity = Severity.WARNING
    stage = Stage.AMBIGUITY
    lacks = "answers to the decision questions"
    explanation = """
        The priorities file asks the decision questions every initiative must answer before it
        is approved ('questions:', each asking about its value, narrative or priority). An
        entry whose rationale leaves one empty was approved without an answer, and each
        function fills the gap its own way.

        Bad (the priorities ask about the narrative):
            - id: msg-close-faster
              rationale:
                value: Speaks to the controller's biggest pain.

        Fix:
                narrative: Tells the continuous-close pillar, with the Northwind proof.
        """

    kinds = PLAN_KINDS
    _asked: tuple[Lookup, dict[str, str]] | None = None
    """The strategy's questions, the same for every file a run checks: read once."""

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        if self._asked is None or self._asked[0] is not view.lookup:
            self._asked = (view.lookup, decision_questions(view.lookup))
        asked = self._asked[1]
        if not asked:
            return
        for node in view.initiatives():
            entry = node.entry
            if not isinstance(entry, Initiative) or node.record:
                continue
            missing = unanswered(entry.rationale, asked)
            if _names_primary_without_value(view.lookup, entry):
                missing = [part for part in missing if part != "value"]  # almost-aligned says so already
            if not missing:
                continue
            questions = "; ".join(f"{part}: '{asked[part]}'" for part in missing)
            yield self.at_node(
                node,
                f"{capitalized(node.label)} does not answer the decision "
                f"{'question' if len(missing) == 1 else 'questions'} on {questions}. Add the "
                f"{'answer' if len(missing) == 1 else 'answers'} under 'rationale:' "
                f"({', '.join(missing)}).",
                field="rationale" if entry.rationale is not None else None,
                subject=f"{node.id}:{','.join(missing)}",
            )
