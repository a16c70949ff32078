"""What a file-scoped rule sees: one file, and what its entries reference.

A FileView offers the file's own problems, nodes and references, the nodes any id names
(and through them what those reference), and the few facts about the whole strategy that
do not say who references what (which ids exist, which files failed to load, the primary
priority). It has no ``referrers``: a rule that needs to know who references a node is
strategy-wide, and the type system keeps a file-scoped rule from asking. The incremental
run and the language server re-check a file by building its view again, which is why
this boundary is a type and not a convention.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from stratlint.graph.core import INITIATIVE_TYPES, Artifact, Graph, Lookup, Node, ReferenceEdge
from stratlint.load.artifact import LoadedArtifact
from stratlint.model import NodeType
from stratlint.problems import LoadProblem


@dataclass(frozen=True, slots=True)
class FileView:
    """One file, and through ``lookup`` what its entries reference."""

    loaded: LoadedArtifact
    """The file as loaded: its path, problems, text and source map."""
    artifact: Artifact | None
    """Its place in the graph; None when the file did not load into the model."""
    lookup: Lookup

    @property
    def path(self) -> str:
        return self.loaded.path

    @property
    def problems(self) -> Sequence[LoadProblem]:
        return self.loaded.problems

    @property
    def nodes(self) -> Sequence[Node]:
        """Every node the file declares, in file order (duplicates included)."""
        return self.artifact.nodes if self.artifact is not None else ()

    def of_type(self, *types: NodeType) -> Iterator[Node]:
        return (node for node in self.nodes if node.type in types)

    def initiatives(self) -> Iterator[Node]:
        """The file's roadmap items, messages and plays."""
        return self.of_type(*INITIATIVE_TYPES)

    def edges(self) -> Iterator[ReferenceEdge]:
        """Every reference the file's entries make, in file order."""
        return (edge for node in self.nodes for edge in node.refs)

    def unresolved(self, edge: ReferenceEdge) -> bool:
        """The reference names no node, and not because the file declaring it failed to load."""
        return edge.target is None and edge.target_id not in self.lookup.unloaded_ids()


def file_views(graph: Graph) -> Iterator[FileView]:
    """One view per file of the graph, in load order: what file-scoped rules check."""
    for item in graph.loaded:
        yield FileView(item, graph.by_path.get(item.path), graph)
