"""The reference graph: every node by id, every reference as a typed edge.

Built once from the loaded artifacts and read-only afterwards. Rules query it; they
never read files. Which fields are references is declared on the model (``Ref``), so
the builder walks any kind generically.
"""

from __future__ import annotations

import datetime
import functools
import typing
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel

from stratlint.diagnostics import Span
from stratlint.load.artifact import LoadedArtifact
from stratlint.load.lockfile import Lock
from stratlint.load.source_map import SourceMap
from stratlint.model import ArtifactBase, Function, NodeType
from stratlint.model.common import Lifecycle, Ref
from stratlint.model.priorities import Priority

# Graph objects are read-only by convention, not frozen: a graph holds tens of thousands of
# them, and a frozen dataclass costs several times as much to build.


INITIATIVE_TYPES = (NodeType.ROADMAP_ITEM, NodeType.MESSAGE, NodeType.PLAY)
"""Roadmap items, messages and plays: the entries that must trace to the strategy."""


@dataclass(slots=True, eq=False)
class Artifact:
    """A file that loaded into the model."""

    path: str
    kind: str
    model: ArtifactBase
    source_map: SourceMap
    function: Function | None = field(init=False)
    """The function whose plan this is (product, marketing, sales), or None."""
    nodes: list[Node] = field(init=False, default_factory=list)
    """Every node the file declares, duplicates included, in file order."""

    def __post_init__(self) -> None:
        self.function = type(self.model).function


@dataclass(slots=True, eq=False)
class Node:
    """Anything with an id: an artifact, or an entry inside one."""

    id: str
    type: NodeType
    artifact: Artifact
    pointer: str
    entry: BaseModel
    parent: Node | None
    refs: list[ReferenceEdge] = field(default_factory=list)
    """The references this node makes, in file order."""

    @property
    def function(self) -> Function | None:
        return self.artifact.function

    @property
    def owner(self) -> str | None:
        owner = getattr(self.entry, "owner", None)
        return owner if isinstance(owner, str) else None

    @property
    def retired(self) -> bool:
        """A part of the value definition or narrative marked 'status: retired'."""
        return getattr(self.entry, "status", None) is Lifecycle.RETIRED

    @property
    def label(self) -> str:
        """How messages name the node: "roadmap item 'rm-sso'"."""
        return f"{self.type.value} '{self.id}'"

    @property
    def span(self) -> Span:
        return self.artifact.source_map.span(self.pointer)

    @property
    def id_span(self) -> Span:
        return self.artifact.source_map.span(self.pointer + "/id")

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


@dataclass(slots=True, eq=False)
class ReferenceEdge:
    """One reference, from a node's field to an id, at the position of the reference."""

    source: Node
    target_id: str
    ref: Ref
    field: str
    pointer: str
    target: Node | None

    @property
    def resolves(self) -> bool:
        """The target exists and is of a type the field allows."""
        return self.target is not None and self.target.type in self.ref.targets

    @property
    def span(self) -> Span:
        return self.source.artifact.source_map.span(self.pointer)


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


class WholeStrategy(Protocol):
    """Strategy-wide answers for a graph that holds only part of the strategy (see
    ``Graph.whole``); stratlint.facts.StrategyIndex gives them from every file's facts."""

    def ids_of_types(self, types: frozenset[NodeType]) -> list[str]: ...

    def has_kind(self, kind: str) -> bool: ...

    def complete(self, *kinds: str) -> bool: ...

    def unloaded_ids(self) -> frozenset[str]: ...


@dataclass(slots=True)
class Graph:
    """Nodes, edges and indexes over the whole strategy. Treat as read-only."""

    root_path: str = "."
    """The strategy root, relative to the repository root: where strategy-wide findings point."""
    artifacts: list[Artifact] = field(default_factory=list)
    loaded: list[LoadedArtifact] = field(default_factory=list)
    nodes: dict[str, Node] = field(default_factory=dict)
    duplicates: list[tuple[Node, Node]] = field(default_factory=list)
    """(later definition, first definition) for every id defined more than once."""
    edges: list[ReferenceEdge] = field(default_factory=list)
    edges_to: dict[str, list[ReferenceEdge]] = field(default_factory=lambda: defaultdict(list))
    by_type: dict[NodeType, list[Node]] = field(default_factory=lambda: defaultdict(list))
    unloaded_ids: frozenset[str] = frozenset()
    """Ids declared in files that failed validation; references to them cannot be checked."""
    lock: Lock | None = None
    """The review stamps (stratlint.lock) at the strategy root, when the run read them."""
    today: datetime.date | None = None
    """The day the run treats as today, for rules about age; None when no rule should judge age."""
    max_proof_age_months: int = 18
    """How old a proof point may be before citing it counts as stale evidence."""
    id_index: dict[frozenset[NodeType], list[str]] = field(default_factory=dict)
    """Memo for ids_of_types: rules ask for the same candidate lists many times."""
    by_artifact: dict[int, list[Node]] = field(default_factory=dict)
    """Memo for nodes_in, by id() of the artifact (artifacts compare by identity)."""
    primaries: list[Node] | None = None
    """Memo for primary_priorities: rules and scores ask once per entry."""
    suggestions: dict[tuple[str, frozenset[NodeType]], str | None] = field(default_factory=dict)
    """Memo for the nearest existing id to a dangling one (see rules.references.did_you_mean)."""
    suspects: list[Any] | None = None
    """Memo for drift.suspects against the graph's own lock: two rules ask."""
    whole: WholeStrategy | None = None
    """Set when the graph holds only some files (an incremental run checks the files an edit
    can affect, and what they reference): the questions about the whole strategy -- which
    ids exist, whether every file of a kind loaded -- are answered from here, so the rules
    conclude on those files exactly what a full run concludes."""

    # -- queries ---------------------------------------------------------------------
    def of_type(self, *types: NodeType) -> list[Node]:
        return [node for node_type in types for node in self.by_type.get(node_type, ())]

    def artifacts_of_kind(self, kind: str) -> list[Artifact]:
        return [artifact for artifact in self.artifacts if artifact.kind == kind]

    def initiatives(self, function: Function | None = None) -> list[Node]:
        """Roadmap items, messages and plays: the entries that must trace to the strategy."""
        found = self.of_type(*INITIATIVE_TYPES)
        if function is None:
            return found
        return [node for node in found if node.function is function]

    def references(self, node: Node, field_name: str | None = None) -> list[ReferenceEdge]:
        if field_name is None:
            return list(node.refs)
        return [edge for edge in node.refs if edge.field == field_name]

    def referrers(self, node: Node) -> list[ReferenceEdge]:
        """Resolving references that point at ``node``. Not on a graph of part of the
        strategy: the files that reference a node are not all in it (only strategy-wide
        rules ask who references a node; see Rule.strategy_wide)."""
        if self.whole is not None:
            raise RuntimeError("referrers() asked of a graph that holds only part of the strategy")
        return [edge for edge in self.edges_to.get(node.id, ()) if edge.target is node and edge.resolves]

    def primary_priorities(self) -> list[Node]:
        if self.primaries is None:
            self.primaries = [node for node in self.of_type(NodeType.PRIORITY) if _is_primary(node)]
        return list(self.primaries)

    def primary_priority(self) -> Node | None:
        primaries = self.primary_priorities()
        return primaries[0] if len(primaries) == 1 else None

    def has_kind(self, kind: str) -> bool:
        """A file of ``kind`` exists, whether or not it loaded."""
        if self.whole is not None:
            return self.whole.has_kind(kind)
        return any(item.kind == kind for item in self.loaded)

    def complete(self, *kinds: str) -> bool:
        """Every file that could be of one of ``kinds`` loaded. Rules that conclude something
        is missing (no roadmap item backs a claim, nothing references a node) hold back
        otherwise: the unread file may hold it, and its own errors say what to fix."""
        if self.whole is not None:
            return self.whole.complete(*kinds)
        return not any(item.model is None and (item.kind is None or item.kind in kinds) for item in self.loaded)

    def unresolved(self, edge: ReferenceEdge) -> bool:
        """The reference names no node, and not because the file declaring it failed to load."""
        return edge.target is None and edge.target_id not in self.unloaded_ids

    def nodes_in(self, artifact: Artifact) -> Iterable[Node]:
        if not self.by_artifact:
            for node in self.nodes.values():
                self.by_artifact.setdefault(id(node.artifact), []).append(node)
        return iter(self.by_artifact.get(id(artifact), ()))

    def ids_of_types(self, types: frozenset[NodeType]) -> list[str]:
        """Ids of the (first-defined) nodes of the given types, in definition order."""
        if self.whole is not None:
            return self.whole.ids_of_types(types)
        found = self.id_index.get(types)
        if found is None:
            found = [node_id for node_id, node in self.nodes.items() if node.type in types]
            self.id_index[types] = found
        return found


def _is_primary(node: Node) -> bool:
    return isinstance(node.entry, Priority) and node.entry.primary


class GraphBuilder:
    """Builds a graph one loaded file at a time, in load order, so that a run can build it
    while later files are still loading. References resolve when every node is known, in
    ``finish``; until then each edge's target is None."""

    def __init__(
        self,
        root_path: str = ".",
        *,
        lock: Lock | None = None,
        today: datetime.date | None = None,
        max_proof_age_months: int = 18,
        whole: WholeStrategy | None = None,
    ) -> None:
        self.graph = Graph(
            root_path=root_path, lock=lock, today=today, max_proof_age_months=max_proof_age_months, whole=whole
        )

    def add(self, item: LoadedArtifact) -> Artifact | None:
        """Add the next file; returns its place in the graph, or None when it did not load."""
        graph = self.graph
        graph.loaded.append(item)
        if item.model is None or item.kind is None:
            return None
        artifact = Artifact(item.path, item.kind, item.model, item.source_map)
        graph.artifacts.append(artifact)
        self._add(artifact, item.model, "", None, NodeType.ARTIFACT)
        return artifact

    def _add(
        self, artifact: Artifact, entry: BaseModel, pointer: str, parent: Node | None, node_type: NodeType | None
    ) -> None:
        graph = self.graph
        owner = parent
        if node_type is not None:
            node = Node(str(getattr(entry, "id")), node_type, artifact, pointer, entry, parent)  # noqa: B009
            artifact.nodes.append(node)
            first = graph.nodes.get(node.id)
            if first is None:
                graph.nodes[node.id] = node
            else:
                graph.duplicates.append((node, first))
            graph.by_type[node_type].append(node)
            owner = node
        for plan in _plan(type(entry)):
            name = plan.name
            value = getattr(entry, name)
            if value is None:
                continue
            if plan.ref is not None:
                assert owner is not None
                refs, edges = owner.refs, graph.edges
                if isinstance(value, list):
                    base = f"{pointer}/{name}/"
                    for index, target in enumerate(value):
                        edge = ReferenceEdge(owner, target, plan.ref, name, f"{base}{index}", None)
                        refs.append(edge)
                        edges.append(edge)
                else:
                    edge = ReferenceEdge(owner, value, plan.ref, name, f"{pointer}/{name}", None)
                    refs.append(edge)
                    edges.append(edge)
            elif isinstance(value, list):
                base = f"{pointer}/{name}/"
                for index, item in enumerate(value):
                    if isinstance(item, BaseModel):
                        self._add(artifact, item, f"{base}{index}", owner, _node_type(type(item)))
            elif isinstance(value, BaseModel):
                self._add(artifact, value, f"{pointer}/{name}", owner, _node_type(type(value)))

    def finish(self) -> Graph:
        """Resolve every reference and return the graph; add nothing afterwards."""
        graph = self.graph
        nodes = graph.nodes
        edges_to: defaultdict[str, list[ReferenceEdge]] = defaultdict(list)
        for edge in graph.edges:
            edge.target = nodes.get(edge.target_id)
            edges_to[edge.target_id].append(edge)
        graph.edges_to = dict(edges_to)
        graph.by_type = dict(graph.by_type)
        whole = graph.whole
        graph.unloaded_ids = (
            whole.unloaded_ids()
            if whole is not None
            else frozenset().union(*(item.declared_ids for item in graph.loaded if item.model is None))
        )
        return graph


def build_graph(
    loaded: Iterable[LoadedArtifact],
    root_path: str = ".",
    *,
    lock: Lock | None = None,
    today: datetime.date | None = None,
    max_proof_age_months: int = 18,
    whole: WholeStrategy | None = None,
) -> Graph:
    builder = GraphBuilder(root_path, lock=lock, today=today, max_proof_age_months=max_proof_age_months, whole=whole)
    for item in loaded:
        builder.add(item)
    return builder.finish()


def initiative_of(node: Node) -> Node | None:
    """The roadmap item, message or play that ``node`` is or belongs to (an objection's
    play), or None for a node outside any."""
    probe: Node | None = node
    while probe is not None and probe.type not in INITIATIVE_TYPES:
        probe = probe.parent
    return probe
