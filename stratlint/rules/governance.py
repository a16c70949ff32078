"""SL4xx: governance -- who owns the call, handoff rules, and which metric wins."""

from __future__ import annotations

from collections.abc import Iterator

from stratlint.diagnostics import Diagnostic, Edit, Fix, Severity, Stage
from stratlint.graph import FileView
from stratlint.model import Functions, NodeType
from stratlint.model.governance import Metric
from stratlint.rules.base import FileRule, capitalized
from stratlint.rules.references import closest


def _empty(value: object) -> bool:
    """Nothing written: no value, blank text, or a list of blank texts."""
    if isinstance(value, list):
        return not any(str(item).strip() for item in value)
    return not (str(value).strip() if value is not None else "")


class _EmptyField(FileRule):
    """An entry of ``node_type`` whose ``field`` says nothing. ``message`` says what to add,
    with the entry's fields in braces ('{domain}')."""

    kinds = frozenset({"governance"})  # decisions, handoffs and metrics live there

    node_type: NodeType
    field: str
    message: str

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for node in view.of_type(self.node_type):
            if _empty(getattr(node.entry, self.field, None)):
                yield self.at_node(node, self.message.format_map(vars(node.entry)))


class DecisionWithoutOwner(_EmptyField):
    code = "SL401"
    name = "decision-without-owner"
    summary = "A decision domain with nobody who owns the call."
    default_severity = Severity.ERROR
    stage = Stage.GOVERNANCE
    explanation = """
        When functions disagree about pricing, positioning or launch timing, someone must own
        the call. A decision domain without 'decides' leaves it to whoever is loudest.

        Bad:
            - id: dr-pricing
              domain: Pricing and packaging

        Fix:
              decides: product
        """

    node_type = NodeType.DECISION_RIGHT
    field = "decides"

    message = (
        "Nobody owns the call for the decision domain '{domain}'. Add 'decides:' with the "
        "function or role that decides."
    )


class DecisionWithoutTieBreak(_EmptyField):
    code = "SL402"
    name = "decision-without-tie-break"
    summary = "A decision domain with no tie-break for disagreements."
    default_severity = Severity.WARNING
    stage = Stage.GOVERNANCE
    explanation = """
        Owning a call is not enough when functions disagree; the rule for breaking the tie
        must be written down before the disagreement, not during it.

        Fix:
              tie_break: The CRO decides within five working days, on the primary priority's metric.
        """

    node_type = NodeType.DECISION_RIGHT
    field = "tie_break"

    message = (
        "The decision domain '{domain}' has no tie-break. Add 'tie_break:' saying how a "
        "disagreement between functions is settled, and by whom."
    )


class HandoffWithoutEntryCriteria(_EmptyField):
    code = "SL403"
    name = "handoff-without-entry-criteria"
    summary = "A handoff between functions with no entry criteria."
    default_severity = Severity.WARNING
    stage = Stage.GOVERNANCE
    explanation = """
        A handoff without entry criteria (what must be true before the receiving function
        accepts the work) is where leads, launches and escalations are dropped.

        Fix:
              entry_criteria:
                - Budget confirmed by the buyer
                - A named executive sponsor
        """

    node_type = NodeType.HANDOFF
    field = "entry_criteria"

    message = (
        "The handoff '{name}' from {from_function} to {to_function} has no entry "
        "criteria. List what must be true before the receiving function accepts the work."
    )


class MetricWithoutPriority(_EmptyField):
    code = "SL404"
    name = "metric-without-priority"
    summary = "A shared metric that serves no growth priority."
    default_severity = Severity.WARNING
    stage = Stage.GOVERNANCE
    explanation = """
        A shared metric must say which growth priority it measures. A metric that serves no
        priority pulls teams toward goals the strategy does not have.

        Fix:
              serves: prio-mid-market-leadership
        """

    node_type = NodeType.METRIC
    field = "serves"

    message = "The metric '{name}' serves no growth priority. Add 'serves:' with the id of the priority it measures."


class MetricConflictWithoutWinner(FileRule):
    code = "SL405"
    name = "metric-conflict-without-winner"
    summary = "Two metrics marked as conflicting, with no stated winner."
    default_severity = Severity.ERROR
    stage = Stage.GOVERNANCE
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

    kinds = frozenset({"governance"})

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


class UnknownFunction(FileRule):
    code = "SL406"
    name = "unknown-function"
    summary = "A function that is not one of the organisation's, or a plan filed under one that does not own it."
    default_severity = Severity.ERROR
    stage = Stage.GOVERNANCE
    explanation = """
        Handoffs, a plan file's 'function:' and a function's own alias name functions. Each
        must be one of the organisation's: product, marketing, sales, revenue-operations,
        customer-success and executive, and those the configuration declares under
        [functions] (with the plan kinds each owns). A plan file filed under a function that
        does not own its kind of plan is reported too: its entries would be scored for a
        function that has no such plans. A function's display name written where its id
        goes ('Sales development') is told the id, as a safe fix.

        Bad:
            to_function: partners        # no such function

        Fix: name a function the organisation has, or declare it under [functions]
        (name = "Partners", owns = ["playbook"]) in the configuration.
            to_function: sales
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        artifact = view.artifact
        if artifact is None:
            return
        functions = self.context.functions
        declared = getattr(artifact.model, "function", None)
        if artifact.function is not None and isinstance(declared, str):
            spec = functions.get(declared)
            if spec is None:
                yield self._unknown(view, "/function", declared, f"This {artifact.kind} file names the function")
            elif artifact.kind not in spec.owns:
                yield self.at(
                    view.path,
                    artifact.source_map.span("/function"),
                    f"This {artifact.kind} file says it is {spec.name}'s, but {spec.name} does not own "
                    f"{artifact.kind} files. Add '{artifact.kind}' to 'owns' under [functions.{spec.id}] in "
                    "the configuration, or name the function that owns them.",
                    pointer="/function",
                    subject=f"{artifact.path}:{declared}",
                )
        for node in view.nodes:
            entry = node.entry
            for field in ("from_function", "to_function"):
                value = getattr(entry, field, None)
                if isinstance(value, str) and functions.get(value) is None:
                    said = f"{capitalized(node.label)} hands off {'from' if field == 'from_function' else 'to'}"
                    yield self._unknown(view, f"{node.pointer}/{field}", value, said, node.id)
            for index, alias in enumerate(getattr(entry, "aliases", ())):
                value = getattr(alias, "function", None)
                if isinstance(value, str) and functions.get(value) is None:
                    said = f"The alias '{alias.name}' of {node.label} is the label of"
                    yield self._unknown(view, f"{node.pointer}/aliases/{index}/function", value, said, node.id)

    def _unknown(self, view: FileView, pointer: str, value: str, said: str, about: str = "") -> Diagnostic:
        functions = self.context.functions
        meant, sure = _meant_function(functions, value)
        known = ", ".join(functions.ids())
        message = (
            f"{said} '{value}', which is not one of the organisation's functions ({known}). "
            + (f"Did you mean '{meant}'? " if meant else "")
            + "Declare it under [functions] in the configuration, or name one of those."
        )
        assert view.artifact is not None
        span = view.artifact.source_map.span(pointer)
        fix = None
        if meant is not None:
            edit = Edit(view.path, span, meant, pointer=pointer)
            fix = Fix(f"replace '{value}' with '{meant}'", safe=sure, edits=(edit,))
        return self.at(
            view.path,
            span,
            message,
            pointer=pointer,
            subject=f"{about or view.path}:{value}",
            about=(about,) if about else (),
            fix=fix,
        )


def _meant_function(functions: Functions, value: str) -> tuple[str | None, bool]:
    """The function ``value`` means, and whether that is sure: one whose id or display name
    it is but for case, spaces or underscores ('Sales development') is; the closest id,
    by spelling, is a guess."""
    folded = "-".join(value.lower().replace("_", " ").split())
    for spec in functions.specs:
        if folded in (spec.id, "-".join(spec.name.lower().split())):
            return spec.id, True
    close = closest(folded, functions.ids(), cutoff=0.75)
    return close, False
