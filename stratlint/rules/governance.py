"""SL4xx: governance -- who owns the call, handoff rules, and which metric wins."""

from __future__ import annotations

from collections.abc import Iterator

from stratlint.diagnostics import Diagnostic, Severity
from stratlint.graph import FileView
from stratlint.model import NodeType
from stratlint.model.governance import DecisionRight, Handoff, Metric
from stratlint.rules.base import FileRule, capitalized


class DecisionWithoutOwner(FileRule):
    code = "SL401"
    name = "decision-without-owner"
    summary = "A decision domain with nobody who owns the call."
    default_severity = Severity.ERROR
    explanation = """
        When functions disagree about pricing, positioning or launch timing, someone must own
        the call. A decision domain without 'decides' leaves it to whoever is loudest.

        Bad:
            - id: dr-pricing
              domain: Pricing and packaging

        Fix:
              decides: product
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for node in view.of_type(NodeType.DECISION_RIGHT):
            entry = node.entry
            if isinstance(entry, DecisionRight) and not (entry.decides or "").strip():
                yield self.at_node(
                    node,
                    f"Nobody owns the call for the decision domain '{entry.domain}'. Add 'decides:' with the "
                    "function or role that decides.",
                )


class DecisionWithoutTieBreak(FileRule):
    code = "SL402"
    name = "decision-without-tie-break"
    summary = "A decision domain with no tie-break for disagreements."
    default_severity = Severity.WARNING
    explanation = """
        Owning a call is not enough when functions disagree; the rule for breaking the tie
        must be written down before the disagreement, not during it.

        Fix:
              tie_break: The CRO decides within five working days, on the primary priority's metric.
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for node in view.of_type(NodeType.DECISION_RIGHT):
            entry = node.entry
            if isinstance(entry, DecisionRight) and not (entry.tie_break or "").strip():
                yield self.at_node(
                    node,
                    f"The decision domain '{entry.domain}' has no tie-break. Add 'tie_break:' saying how a "
                    "disagreement between functions is settled, and by whom.",
                )


class HandoffWithoutEntryCriteria(FileRule):
    code = "SL403"
    name = "handoff-without-entry-criteria"
    summary = "A handoff between functions with no entry criteria."
    default_severity = Severity.WARNING
    explanation = """
        A handoff without entry criteria (what must be true before the receiving function
        accepts the work) is where leads, launches and escalations are dropped.

        Fix:
              entry_criteria:
                - Budget confirmed by the buyer
                - A named executive sponsor
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for node in view.of_type(NodeType.HANDOFF):
            entry = node.entry
            if isinstance(entry, Handoff) and not any(item.strip() for item in entry.entry_criteria):
                yield self.at_node(
                    node,
                    f"The handoff '{entry.name}' from {entry.from_function} to {entry.to_function} has no entry "
                    "criteria. List what must be true before the receiving function accepts the work.",
                )


class MetricWithoutPriority(FileRule):
    code = "SL404"
    name = "metric-without-priority"
    summary = "A shared metric that serves no growth priority."
    default_severity = Severity.WARNING
    explanation = """
        A shared metric must say which growth priority it measures. A metric that serves no
        priority pulls teams toward goals the strategy does not have.

        Fix:
              serves: prio-mid-market-leadership
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for node in view.of_type(NodeType.METRIC):
            entry = node.entry
            if isinstance(entry, Metric) and not entry.serves:
                yield self.at_node(
                    node,
                    f"The metric '{entry.name}' serves no growth priority. Add 'serves:' with the id of the "
                    "priority it measures.",
                )


class MetricConflictWithoutWinner(FileRule):
    code = "SL405"
    name = "metric-conflict-without-winner"
    summary = "Two metrics marked as conflicting, with no stated winner."
    default_severity = Severity.ERROR
    explanation = """
        When two metrics pull against each other (pipeline volume against win rate, say),
        the strategy must say which one wins; otherwise each function optimises its own.

        Bad:
              conflicts:
                - metric: m-pipeline-volume

        Fix:
                  winner: m-win-rate
                  reason: Win rate serves the primary priority.
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for node in view.of_type(NodeType.METRIC):
            entry = node.entry
            if not isinstance(entry, Metric):
                continue
            for index, conflict in enumerate(entry.conflicts):
                pointer = f"{node.pointer}/conflicts/{index}"
                if not conflict.winner:
                    message = (
                        f"{capitalized(node.label)} conflicts with '{conflict.metric}' but no winner is stated. "
                        "Add 'winner:' with the metric that wins when the two conflict."
                    )
                elif conflict.winner not in (node.id, conflict.metric):
                    pointer += "/winner"
                    message = (
                        f"{capitalized(node.label)} conflicts with '{conflict.metric}', but the stated winner "
                        f"'{conflict.winner}' is neither of the two. Name '{node.id}' or '{conflict.metric}'."
                    )
                else:
                    continue
                yield self.at(
                    node.artifact.path,
                    node.artifact.source_map.span(pointer),
                    message,
                    pointer=pointer,
                    subject=f"{node.id}:{conflict.metric}",
                )
