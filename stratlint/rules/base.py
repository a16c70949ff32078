"""Rules: metadata, and one ``check`` whose argument says what the rule may look at.

- ``FileRule.check(view)`` sees one file and what its entries reference (a FileView: no
  ``referrers``). Its findings in a file follow from that file alone, so an incremental run
  or an editor can check one file again without the rest.
- ``StrategyRule.check(graph)`` sees the whole strategy: who references a node, how many
  files of a kind there are, ids defined twice anywhere.
- ``LoadRule`` is a file rule that reports one kind of the loader's problems.
- ``SuppressionRule`` declares a finding about a '# stratlint:' comment; the engine's
  suppression step reports them, after every other rule has run.

``code`` is public API: never reused, never changed. ``name`` is kebab-case and names the
bad pattern. ``explanation`` says what the rule does, why it matters, shows a bad example
and the fix. The engine, not the rule, applies severity overrides and suppressions: rules
always report at ``default_severity``.
"""

from __future__ import annotations

import enum
import textwrap
from collections.abc import Iterator
from typing import ClassVar

from stratlint.diagnostics import (
    NOWHERE,
    Diagnostic,
    Fix,
    OptionInfo,
    RelatedLocation,
    RuleInfo,
    Severity,
    Span,
    Stage,
)
from stratlint.graph import FileView, Graph, Node, ReferenceEdge
from stratlint.problems import LoadProblem, ProblemKind
from stratlint.rules.context import CheckContext
from stratlint.rules.options import NoOptions, RuleOptions


class GateEffect(enum.Enum):
    """How a rule's findings count for a release's go/no-go (stratlint gate)."""

    BY_SEVERITY = "by severity"
    """Errors block the release; warnings and infos do not."""
    BLOCKS = "blocks"
    """Every finding blocks, whatever its severity."""
    RESTATES = "restates"
    """The finding restates what the gate lists from the entry itself: not listed again."""


class Rule:
    """A rule's metadata. Subclass FileRule, StrategyRule, LoadRule or SuppressionRule."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    explanation: ClassVar[str]
    default_severity: ClassVar[Severity]
    stage: ClassVar[Stage]
    """The stage of the Misalignment Cascade the rule's findings belong to."""
    gate: ClassVar[GateEffect] = GateEffect.BY_SEVERITY
    Options: ClassVar[type[RuleOptions]] = NoOptions
    """The rule's options, with their defaults (see stratlint.rules.options)."""
    lacks: ClassVar[str] = ""
    """What an entry this rule finds lacks, in a few words ('a value reference'), for a rule
    that reports a missing link at the entry (its id first in the subject): the text report
    lists an entry's missing links on one line."""
    opt_in: ClassVar[bool] = False
    """Selected only by its code or name (neither ALL nor a prefix): a rule that would report
    on strategies written before it, which must check as they did until a team asks for it."""

    options: RuleOptions

    def __init__(self, context: CheckContext) -> None:
        self.context = context
        found = context.options.get(self.code)
        self.options = found if isinstance(found, self.Options) else self.Options()

    @classmethod
    def docs(cls) -> str:
        return textwrap.dedent(cls.explanation).strip()

    @classmethod
    def info(cls) -> RuleInfo:
        """What reporters and ``stratlint rules`` show of the rule."""
        options = tuple(
            OptionInfo(
                (info.alias or name).replace("_", "-"), repr(info.default), info.description or "", str(info.annotation)
            )
            for name, info in cls.Options.model_fields.items()
        )
        return RuleInfo(
            cls.code,
            cls.name,
            cls.default_severity,
            cls.summary,
            cls.docs(),
            cls.__module__.rsplit(".", 1)[-1],
            cls.stage,
            options,
            opt_in=cls.opt_in,
            lacks=cls.lacks,
        )

    # -- building diagnostics --------------------------------------------------------
    @classmethod
    def at(
        cls,
        path: str,
        span: Span,
        message: str,
        *,
        pointer: str = "",
        subject: str = "",
        related: tuple[RelatedLocation, ...] = (),
        about: tuple[str, ...] = (),
        fix: Fix | None = None,
    ) -> Diagnostic:
        """A finding at ``span`` in ``path``. ``subject`` names what it is about, for the
        fingerprint (ids, never positions); the pointer stands in when there is none.
        ``about`` names the entries it stands on beyond the one it is reported in; ``fix``
        says how to fix it, as data (stratlint.diagnostics.Fix)."""
        return Diagnostic(
            code=cls.code,
            name=cls.name,
            severity=cls.default_severity,
            message=message,
            path=path,
            span=span,
            pointer=pointer,
            subject=subject or pointer,
            related=related,
            about=about,
            fix=fix,
        )

    @classmethod
    def at_strategy(cls, root_path: str, message: str, *, subject: str) -> Diagnostic:
        """A finding about the strategy as a whole: at its root folder, with no line."""
        return cls.at(root_path, NOWHERE, message, subject=subject)

    def at_node(
        self,
        node: Node,
        message: str,
        *,
        field: str | None = None,
        subject: str | None = None,
        related: tuple[RelatedLocation, ...] = (),
        about: tuple[str, ...] = (),
    ) -> Diagnostic:
        """Report at a node; with ``field``, at that field of the node (or the node when absent)."""
        source_map = node.artifact.source_map
        if field is None:
            pointer, span = node.pointer, source_map.span(node.pointer + "/id")
        else:
            pointer = f"{node.pointer}/{field}"
            span = source_map.span(pointer, key=True)
        path = node.artifact.path
        return self.at(path, span, message, pointer=pointer, subject=subject or node.id, related=related, about=about)

    def at_edge(
        self, edge: ReferenceEdge, message: str, *, related: tuple[RelatedLocation, ...] = (), fix: Fix | None = None
    ) -> Diagnostic:
        return self.at(
            edge.source.artifact.path,
            edge.span,
            message,
            pointer=edge.pointer,
            subject=f"{edge.source.id}:{edge.field}:{edge.target_id}",
            related=related,
            fix=fix,
        )


PLAN_KINDS = frozenset({"roadmap", "messaging", "playbook"})
"""The kinds of file that hold roadmap items, messages and plays (each function's plan)."""


class FileRule(Rule):
    """A rule whose findings in a file follow from that file and what it references."""

    kinds: ClassVar[frozenset[str] | None] = None
    """The kinds of file the rule finds anything in (a release rule: releases); the engine
    gives it no other file. None: every file."""

    @classmethod
    def applies_to(cls, kind: str | None, has_problems: bool) -> bool:
        """Whether a file of ``kind``, with or without load problems, can hold a finding."""
        return cls.kinds is None or kind in cls.kinds

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        raise NotImplementedError


class StrategyRule(Rule):
    """A rule that concludes from the strategy as a whole."""

    reads_content_of: ClassVar[frozenset[str]] = frozenset()
    """Kinds of plan file (messaging, playbook, ...) whose content beyond their interface (the
    ids, types and references of their entries) the rule reads: an incremental run checks a
    change to such a file with a full run. Built-in rules read only the value, narrative,
    priorities and governance files' content, whose changes are full runs anyway."""

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        raise NotImplementedError


class LoadRule(FileRule):
    """Reports the loader's problems of one kind (``problem``), where the loader found them."""

    problem: ClassVar[ProblemKind]
    default_severity = Severity.ERROR
    stage = Stage.AMBIGUITY  # a file nobody can read says nothing anyone can agree on

    @classmethod
    def applies_to(cls, kind: str | None, has_problems: bool) -> bool:
        return has_problems

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for problem in view.problems:
            if problem.kind == self.problem:
                yield self.at_problem(view.path, problem)

    def at_problem(self, path: str, problem: LoadProblem) -> Diagnostic:
        span = Span(
            problem.line, problem.column, problem.end_line or problem.line, problem.end_column or problem.column
        )
        return self.at(
            path, span, problem.message, pointer=problem.pointer, subject=problem.subject or str(problem.kind)
        )


class SuppressionRule(Rule):
    """A finding about a suppression comment. The engine's suppression step, which sees
    every other rule's findings, reports these (stratlint.analysis.suppressions)."""

    default_severity = Severity.ERROR  # a comment that does not do what it says; an unused one only warns
    stage = Stage.GOVERNANCE  # an exception a team grants itself, and keeps or lets lapse


def defined_here(node: Node, message: str = "defined here") -> RelatedLocation:
    return RelatedLocation(node.artifact.path, node.id_span, message)


def referenced_here(edge: ReferenceEdge, message: str = "referenced here") -> RelatedLocation:
    return RelatedLocation(edge.source.artifact.path, edge.span, message)


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def owned_by(node: Node) -> str:
    """The entry's effective owner, for a message: 'owner: pm-close' or 'no owner named'."""
    owner = node.effective_owner
    return f"owner: {owner}" if owner else "no owner named"
