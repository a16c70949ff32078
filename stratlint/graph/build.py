"""Building the graph, one loaded file at a time, so a run can build it while later files
are still loading. References resolve in ``finish``, which returns the frozen Graph."""

from __future__ import annotations

import functools
import typing
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from stratlint.graph.core import Artifact, Graph, Node, ReferenceEdge
from stratlint.load.artifact import LoadedArtifact
from stratlint.model import NodeType
from stratlint.model.common import Ref
from stratlint.model.priorities import Priority


@dataclass(frozen=True, slots=True)
class _FieldPlan:
    name: str
    ref: Ref | None
    nested: bool


@functools.cache
def _node_type(model: type[BaseModel]) -> NodeType | None:
    # Looked up once per class: a missing attribute on a pydantic model class is slow to miss.
    return getattr(model, "node_type", None)


@functools.cache
def _plan(model: type[BaseModel]) -> tuple[_FieldPlan, ...]:
    plans = []
    hints = typing.get_type_hints(model, include_extras=True)
    for name, info in model.model_fields.items():
        ref = next((item for item in info.metadata if isinstance(item, Ref)), None)
        nested = ref is None and _holds_models(hints.get(name, info.annotation))
        if ref is not None or nested:
            plans.append(_FieldPlan(name, ref, nested))
    return tuple(plans)


def _holds_models(annotation: Any) -> bool:
    """Whether values of this type may hold nodes or references (a link or a rationale
    holds neither, and is not walked)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _node_type(annotation) is not None or bool(_plan(annotation))
    return any(_holds_models(arg) for arg in typing.get_args(annotation))


class GraphBuilder:
    """Adds loaded files in load order; ``finish`` resolves every reference and freezes."""

    def __init__(self, root_path: str = ".") -> None:
        self.root_path = root_path
        self.loaded: list[LoadedArtifact] = []
        self.artifacts: list[Artifact] = []
        self.nodes: dict[str, Node] = {}
        self.duplicates: list[tuple[Node, Node]] = []
        self.edges: list[ReferenceEdge] = []
        self.by_type: defaultdict[NodeType, list[Node]] = defaultdict(list)

    def add(self, item: LoadedArtifact) -> Artifact | None:
        """Add the next file; returns its place in the graph, or None when it did not load."""
        self.loaded.append(item)
        if item.model is None or item.kind is None:
            return None
        artifact = Artifact(item.path, item.kind, item.model, item.source_map, item.renumbered)
        self.artifacts.append(artifact)
        self._add(artifact, item.model, "", None, NodeType.ARTIFACT)
        return artifact

    def _add(
        self, artifact: Artifact, entry: BaseModel, pointer: str, parent: Node | None, node_type: NodeType | None
    ) -> None:
        owner = parent
        if node_type is not None:
            node = Node(str(getattr(entry, "id")), node_type, artifact, pointer, entry, parent)  # noqa: B009
            artifact.nodes.append(node)
            first = self.nodes.get(node.id)
            if first is None:
                self.nodes[node.id] = node
            else:
                self.duplicates.append((node, first))
            self.by_type[node_type].append(node)
            owner = node
        for plan in _plan(type(entry)):
            name = plan.name
            value = getattr(entry, name)
            if value is None:
                continue
            if plan.ref is not None:
                assert owner is not None
                refs, edges = owner.refs, self.edges
                if isinstance(value, list):
                    base = f"{pointer}/{name}/"
                    for index, target in self._indexed(artifact, base, value):
                        edge = ReferenceEdge(owner, target, plan.ref, name, f"{base}{index}", None)
                        refs.append(edge)
                        edges.append(edge)
                else:
                    edge = ReferenceEdge(owner, value, plan.ref, name, f"{pointer}/{name}", None)
                    refs.append(edge)
                    edges.append(edge)
            elif isinstance(value, list):
                base = f"{pointer}/{name}/"
                for index, item in self._indexed(artifact, base, value):
                    if isinstance(item, BaseModel):
                        self._add(artifact, item, f"{base}{index}", owner, _node_type(type(item)))
            elif isinstance(value, BaseModel):
                self._add(artifact, value, f"{pointer}/{name}", owner, _node_type(type(value)))

    @staticmethod
    def _indexed(artifact: Artifact, base: str, items: list[Any]) -> Iterable[tuple[int, Any]]:
        """Each item with its index in the file (the model may hold fewer items than the
        file, when some did not fit: see Artifact.renumbered)."""
        indices = artifact.renumbered.get(base[:-1]) if artifact.renumbered else None
        return zip(indices, items, strict=True) if indices is not None else enumerate(items)

    def finish(self) -> Graph:
        """Resolve every reference and return the frozen graph; add nothing afterwards."""
        nodes = self.nodes
        edges_to: defaultdict[str, list[ReferenceEdge]] = defaultdict(list)
        for edge in self.edges:
            edge.target = nodes.get(edge.target_id)
            edges_to[edge.target_id].append(edge)
        priorities = self.by_type.get(NodeType.PRIORITY, [])
        return Graph(
            root_path=self.root_path,
            loaded=tuple(self.loaded),
            artifacts=tuple(self.artifacts),
            nodes=nodes,
            duplicates=tuple(self.duplicates),
            edges=tuple(self.edges),
            edges_to={target: tuple(found) for target, found in edges_to.items()},
            by_type={node_type: tuple(found) for node_type, found in self.by_type.items()},
            unloaded=frozenset().union(*(item.declared_ids for item in self.loaded)),
            primaries=tuple(node for node in priorities if isinstance(node.entry, Priority) and node.entry.primary),
            by_path={artifact.path: artifact for artifact in self.artifacts},
        )


def build_graph(loaded: Iterable[LoadedArtifact], root_path: str = ".") -> Graph:
    builder = GraphBuilder(root_path)
    for item in loaded:
        builder.add(item)
    return builder.finish()
