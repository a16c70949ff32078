"""SL1xx: the strategy's shape -- unique ids, one value definition, one narrative, one primary priority."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from stratlint.diagnostics import Diagnostic, RelatedLocation, Severity, Stage
from stratlint.graph import Graph
from stratlint.rules.base import StrategyRule, capitalized, defined_here


class DuplicateId(StrategyRule):
    code = "SL101"
    name = "duplicate-id"
    summary = "Two entries share one id."
    default_severity = Severity.ERROR
    stage = Stage.AMBIGUITY
    explanation = """
        Ids are unique across the whole strategy repository, because every reference is a
        plain id. When two entries share one, references silently point at whichever was
        read first.

        Bad (in two different files):
            - id: msg-close-faster
              headline: Close in three days
            ...
            - id: msg-close-faster
              headline: Close the books with confidence

        Fix: rename one of them, and update the references that meant it.
        """

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        for node, first in graph.duplicates:
            yield self.at_node(
                node,
                f"The id '{node.id}' of this {node.type.value} is already used by the {first.label} "
                f"in {first.artifact.path}:{first.id_span.line}. Ids must be unique; rename one.",
                subject=f"{node.id}:{node.artifact.path}",
                related=(defined_here(first, "first defined here"),),
            )


class _ExactlyOne(StrategyRule):
    """There must be exactly one of something: a value definition, a narrative, a primary
    priority. With none, or two, each function picks its own."""

    default_severity = Severity.ERROR
    stage = Stage.AMBIGUITY


class _MissingSingleton(_ExactlyOne):
    """There must be one file of ``kind``; report at the strategy root when there is none.

    A file of the kind that fails to load does not count as missing, nor does one whose
    kind cannot be read (a misspelt 'kind:' may be this one): their own errors say what to
    fix."""

    kind: ClassVar[str]
    message: ClassVar[str]

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        if graph.loaded and not graph.has_kind(self.kind) and graph.complete(self.kind):
            yield self.at_strategy(graph.root_path, self.message, subject=self.kind)


class _ExtraSingleton(_ExactlyOne):
    """There must be only one file of ``kind``; report every file after the first."""

    kind: ClassVar[str]
    noun: ClassVar[str]

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        found = graph.artifacts_of_kind(self.kind)
        first = found[0] if found else None
        for extra in found[1:]:
            assert first is not None
            yield self.at(
                extra.path,
                extra.source_map.span("/kind"),
                f"This is a second {self.noun}; the first is {first.path}. There must be exactly one "
                f"{self.noun}: merge them.",
                pointer="/kind",
                subject=extra.model.id,
                related=(RelatedLocation(first.path, first.source_map.span("/kind"), f"first {self.noun}"),),
            )


class MissingValueDefinition(_MissingSingleton):
    code = "SL102"
    name = "missing-value-definition"
    summary = "The strategy has no value definition."
    kind = "value"
    message = (
        "The strategy has no value definition (a file with 'kind: value'). Every roadmap item, "
        "message and play must trace back to it; add one."
    )
    explanation = """
        Everything in the strategy traces back to one definition of value: who we serve, why
        we win, what differentiates us and what the market should believe. Without it no
        roadmap item, message or play can be checked for alignment.

        Fix: add a file with 'kind: value' (see the README for an example).
        """


class MultipleValueDefinitions(_ExtraSingleton):
    code = "SL103"
    name = "multiple-value-definitions"
    summary = "The strategy has more than one value definition."
    kind = "value"
    noun = "value definition"
    explanation = """
        There is one definition of value per company. Two of them mean two stories about who
        we serve and why we win, which is the misalignment stratlint exists to prevent.

        Fix: merge the files into one 'kind: value' file.
        """


class MissingNarrative(_MissingSingleton):
    code = "SL104"
    name = "missing-narrative"
    summary = "The strategy has no narrative."
    kind = "narrative"
    message = (
        "The strategy has no narrative (a file with 'kind: narrative'). Every roadmap item, "
        "message and play must tell part of it; add one."
    )
    explanation = """
        The strategic narrative (thesis, pillars, claims, proof points) is what product
        builds toward, marketing tells and sales delivers. Without it nothing can be checked
        for narrative alignment.

        Fix: add a file with 'kind: narrative'.
        """


class MultipleNarratives(_ExtraSingleton):
    code = "SL105"
    name = "multiple-narratives"
    summary = "The strategy has more than one narrative."
    kind = "narrative"
    noun = "strategic narrative"
    explanation = """
        One company, one strategic narrative. A second narrative file is a second story.

        Fix: merge the files into one 'kind: narrative' file.
        """


class MissingPrimaryPriority(_ExactlyOne):
    code = "SL106"
    name = "missing-primary-priority"
    summary = "No growth priority is marked primary."
    explanation = """
        Every initiative must serve the primary growth priority, so exactly one priority is
        marked 'primary: true'. Without one, there is no tie-break between competing
        initiatives.

        Bad:
            priorities:
              - id: prio-mid-market
                name: Win the mid-market
              - id: prio-expansion
                name: Grow existing accounts

        Fix: mark the one that wins when they conflict with 'primary: true'.
        """

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        if not graph.loaded or graph.primary_priorities():
            return
        files = graph.artifacts_of_kind("priorities")
        if not files and not graph.complete("priorities"):
            return  # a priorities file failed to load, or its kind is unreadable; its own errors say what to fix
        if not files:
            yield self.at_strategy(
                graph.root_path,
                "The strategy has no priorities file (a file with 'kind: priorities'), so there is no primary "
                "growth priority for initiatives to serve; add one.",
                subject="priorities",
            )
            return
        for artifact in files:
            yield self.at(
                artifact.path,
                artifact.source_map.span("/priorities", key=True),
                "No growth priority is marked 'primary: true'. Mark exactly one, so every initiative knows "
                "what wins when priorities compete.",
                pointer="/priorities",
                subject=artifact.model.id,
            )


class MultiplePrimaryPriorities(_ExactlyOne):
    code = "SL107"
    name = "multiple-primary-priorities"
    summary = "More than one growth priority is marked primary."
    explanation = """
        Two primary priorities are no primary priority: when they compete, nobody knows which
        wins.

        Fix: keep 'primary: true' on one priority and remove it from the others.
        """

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        primaries = graph.primary_priorities()
        for extra in primaries[1:]:
            yield self.at_node(
                extra,
                f"{capitalized(extra.label)} is marked primary, but so is {primaries[0].label}. Exactly one "
                "growth priority can be primary.",
                field="primary",
                related=(defined_here(primaries[0], "the other primary priority"),),
            )
