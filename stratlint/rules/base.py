"""The Rule class: metadata plus one ``check(graph)`` method."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import ClassVar

from stratlint.diagnostics import Diagnostic, RelatedLocation, Severity, Span
from stratlint.graph import Graph, Node, ReferenceEdge


class Rule:
    """A rule. Subclasses set the metadata and implement ``check``.

    ``code`` is public API: never reused, never changed. ``name`` is kebab-case and names
    the bad pattern. ``explanation`` says what the rule does, why it matters, shows a bad
    example and the fix. The engine, not the rule, applies severity overrides and
    suppressions: rules always report at ``default_severity``.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    explanation: ClassVar[str]
    default_severity: ClassVar[Severity]
    strategy_wide: ClassVar[bool] = False
    """False (most rules): the findings in a file follow from that file, the nodes its
    entries reference (and what those reference), the value, narrative, priorities and
    governance files, and strategy-wide facts the graph answers (which ids exist, which
    files loaded). Such a rule never looks at who references a node. An incremental run
    checks again only the files an edit can affect, on a graph of just those files and what
    they reference, and relies on this.

    True: the rule concludes from the strategy as a whole (who references a node, how many
    files of a kind there are, ids defined twice anywhere). Its findings are computed again
    whenever any file's nodes or references change."""

    def check(self, graph: Graph) -> Iterator[Diagnostic]:
        raise NotImplementedError

    @classmethod
    def docs(cls) -> str:
        return textwrap.dedent(cls.explanation).strip()

    # -- building diagnostics --------------------------------------------------------
    def at(
        self,
        path: str,
        span: Span,
        message: str,
        *,
        pointer: str = "",
        key: str = "",
        related: tuple[RelatedLocation, ...] = (),
    ) -> Diagnostic:
        return Diagnostic(
            code=self.code,
            name=self.name,
            severity=self.default_severity,
            message=message,
            path=path,
            span=span,
            pointer=pointer,
            key=key or pointer,
            related=related,
        )

    def at_node(
        self,
        node: Node,
        message: str,
        *,
        field: str | None = None,
        key: str | None = None,
        related: tuple[RelatedLocation, ...] = (),
    ) -> Diagnostic:
        """Report at a node; with ``field``, at that field of the node (or the node when absent)."""
        source_map = node.artifact.source_map
        if field is None:
            pointer, span = node.pointer, source_map.span(node.pointer + "/id")
        else:
            pointer = f"{node.pointer}/{field}"
            span = source_map.span(pointer, key=True)
        return self.at(node.artifact.path, span, message, pointer=pointer, key=key or node.id, related=related)

    def at_edge(self, edge: ReferenceEdge, message: str, *, related: tuple[RelatedLocation, ...] = ()) -> Diagnostic:
        return self.at(
            edge.source.artifact.path,
            edge.span,
            message,
            pointer=edge.pointer,
            key=f"{edge.source.id}:{edge.field}:{edge.target_id}",
            related=related,
        )


def defined_here(node: Node, message: str = "defined here") -> RelatedLocation:
    return RelatedLocation(node.artifact.path, node.id_span, message)


def referenced_here(edge: ReferenceEdge, message: str = "referenced here") -> RelatedLocation:
    return RelatedLocation(edge.source.artifact.path, edge.span, message)


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
