"""The reference graph: every node by id, every reference as a typed edge.

Built once from the loaded artifacts (stratlint.graph.build) and frozen afterwards. Rules
query it; they never read files. Which fields are references is declared on the model
(``Ref``), so the builder walks any kind generically.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel

from stratlint.diagnostics import Span
from stratlint.load.artifact import LoadedArtifact
from stratlint.load.source_map import SourceMap
from stratlint.model import ArtifactBase, Function, NodeType, plan_function, plan_owner
from stratlint.model.common import Lifecycle, Ref
from stratlint.model.lifecycle import Standing, standing_of_status

# Nodes, artifacts and edges are read-only by convention, not frozen: a graph holds tens of
# thousands of them, and a frozen dataclass costs several times as much to build.


INITIATIVE_TYPES = (NodeType.ROADMAP_ITEM, NodeType.MESSAGE, NodeType.PLAY)
"""Roadmap items, messages and plays: the entries that must trace to the strategy."""


@dataclass(slots=True, eq=False)
class Artifact:
    """A file that loaded into the model."""

    path: str
    kind: str
    model: ArtifactBase
    source_map: SourceMap
    renumbered: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    """Lists that lost items the model could not hold, by pointer: the index in the file of
    each item left (see LoadedArtifact.renumbered)."""
    function: Function | None = field(init=False)
    """The kind of plan this is, by the function whose plans files of its kind are by
    default (product: a roadmap; marketing: messaging; sales: a playbook), or None. Coverage
    rules ask this: a playbook is sold from, whichever function's it is."""
    plan_owner: str | None = field(init=False)
    """The organisation's function whose plan this is: the file's ``function:``, else its
    kind's (see ``function``); None for a file that is no plan. Alignment is reported by it."""
    nodes: list[Node] = field(init=False, default_factory=list)
    """Every node the file declares, duplicates included, in file order."""

    def __post_init__(self) -> None:
        self.function = plan_function(self.kind)
        self.plan_owner = plan_owner(self.kind, self.model)

    def __repr__(self) -> str:
        # Short: its nodes point back at it, and a repr of all of it would print the strategy.
        return f"Artifact({self.path!r}, {self.kind!r}, {len(self.nodes)} nodes)"


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
    standing: Standing = field(init=False)
    """Whether the node is live work, paused, or a record (stratlint.model.lifecycle)."""
    record: bool = field(init=False)
    """Retired or cancelled, itself or the entry it belongs to (an objection's play): a
    record, not a plan."""
    retired: bool = field(init=False)
    """Marked 'status: retired' (a strategy node, a message or a play)."""

    def __post_init__(self) -> None:
        # Rules ask these of every node they pass, many times a run: settled once, as the
        # entry and its parent are (a parent is made before the nodes inside it).
        # A model keeps its fields in its __dict__: asking it there for a field that the kind
        # does not have costs no exception.
        status = self.entry.__dict__.get("status")
        status = str(getattr(status, "value", status)) if status is not None else None
        self.standing = standing_of_status(status)
        self.record = self.standing is Standing.RECORD or (self.parent is not None and self.parent.record)
        self.retired = status == Lifecycle.RETIRED.value

    @property
    def function(self) -> Function | None:
        return self.artifact.function

    @property
    def plan_owner(self) -> str | None:
        return self.artifact.plan_owner

    @property
    def owner(self) -> str | None:
        owner = getattr(self.entry, "owner", None)
        return owner if isinstance(owner, str) else None

    @property
    def effective_owner(self) -> str | None:
        """Who answers for the node: its own owner, else the nearest enclosing entry's (an
        objection's play), else the file's."""
        for node in (self, *self.ancestors()):
            if node.owner:
                return node.owner
        file_owner = getattr(self.artifact.model, "owner", None)
        return file_owner if isinstance(file_owner, str) and file_owner else None

    def __repr__(self) -> str:
        return f"Node({self.type.value} {self.id!r} at {self.artifact.path}#{self.pointer})"

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

    def descendants(self) -> Iterator[Node]:
        """The nodes declared inside this one (a play's objections), in file order."""
        return (node for node in self.artifact.nodes if any(ancestor is self for ancestor in node.ancestors()))


@dataclass(slots=True, eq=False)
class ReferenceEdge:
    """One reference, from a node's field to an id, at the position of the reference."""

    source: Node
    target_id: str
    ref: Ref
    field: str
    pointer: str
    target: Node | None

    def __repr__(self) -> str:
        return f"ReferenceEdge({self.source.id!r} {self.field} -> {self.target_id!r})"

    @property
    def accepts(self) -> frozenset[NodeType]:
        """The node types this reference may point at."""
        return frozenset({self.source.type}) if self.ref.same_kind else self.ref.targets

    @property
    def resolves(self) -> bool:
        """The target exists and is of a type the field allows."""
        target = self.target
        if target is None:
            return False
        return target.type is self.source.type if self.ref.same_kind else target.type in self.ref.targets

    @property
    def span(self) -> Span:
        return self.source.artifact.source_map.span(self.pointer)


def primary_share(node: Node, primary: Node | None) -> float:
    """How much ``node`` serves the primary priority, 0 to 1: its share of the weights of the
    declared priorities it serves (1 when it serves the primary alone, 0 when not at all)."""
    served = [edge.target for edge in node.refs if edge.field == "priority" and edge.resolves]
    if primary is None or not any(target is primary for target in served):
        return 0.0
    weights = [float(getattr(target.entry, "weight", 1)) for target in served if target is not None]
    return float(getattr(primary.entry, "weight", 1)) / sum(weights) if len(served) > 1 else 1.0


def initiative_of(node: Node) -> Node | None:
    """The roadmap item, message or play that ``node`` is or belongs to (an objection's
    play), or None for a node outside any."""
    probe: Node | None = node
    while probe is not None and probe.type not in INITIATIVE_TYPES:
        probe = probe.parent
    return probe


class Lookup(Protocol):
    """What a file-scoped rule may ask about the rest of the strategy: the node an id names,
    and facts about the whole that do not say who references what. A Graph answers these;
    so does the incremental run's index of every file's facts (stratlint.speed)."""

    def node(self, node_id: str) -> Node | None:
        """The node that defines ``node_id`` first, in load order."""
        ...

    def ids_of_types(self, types: frozenset[NodeType]) -> Sequence[str]:
        """Ids of the (first-defined) nodes of the given types."""
        ...

    def unloaded_ids(self) -> frozenset[str]:
        """Ids declared in files that failed to load: references to them cannot be checked."""
        ...

    def primary_priority(self) -> Node | None:
        """The one primary growth priority, or None when there is not exactly one."""
        ...


@dataclass(frozen=True, slots=True)
class Graph:
    """Nodes, edges and indexes over the whole strategy. Frozen once built."""

    root_path: str = "."
    """The strategy root, relative to the repository root: where strategy-wide findings point."""
    loaded: tuple[LoadedArtifact, ...] = ()
    """Every file of the strategy, in load order, whether or not it loaded."""
    artifacts: tuple[Artifact, ...] = ()
    """The files that loaded, in load order."""
    nodes: Mapping[str, Node] = field(default_factory=dict)
    """Each id's first definition, in load order."""
    duplicates: tuple[tuple[Node, Node], ...] = ()
    """(later definition, first definition) for every id defined more than once."""
    edges: tuple[ReferenceEdge, ...] = ()
    edges_to: Mapping[str, tuple[ReferenceEdge, ...]] = field(default_factory=dict)
    by_type: Mapping[NodeType, tuple[Node, ...]] = field(default_factory=dict)
    unloaded: frozenset[str] = frozenset()
    """Ids declared in files that failed validation; references to them cannot be checked."""
    primaries: tuple[Node, ...] = ()
    """Every priority marked primary, in load order."""
    by_path: Mapping[str, Artifact] = field(default_factory=dict)
    """The artifact of each file that loaded, by path."""
    _ids_by_types: dict[frozenset[NodeType], list[str]] = field(default_factory=dict, compare=False, repr=False)
    """Answers of ``ids_of_types`` (a pure function of the graph), kept: rules ask again and again."""

    # -- queries ---------------------------------------------------------------------
    def node(self, node_id: str) -> Node | None:
        return self.nodes.get(node_id)

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
        """Resolving references that point at ``node``. Only strategy-wide rules ask this:
        a file-scoped rule sees a FileView, which has no such question."""
        return [edge for edge in self.edges_to.get(node.id, ()) if edge.target is node and edge.resolves]

    def primary_priorities(self) -> list[Node]:
        return list(self.primaries)

    def primary_priority(self) -> Node | None:
        return self.primaries[0] if len(self.primaries) == 1 else None

    def has_kind(self, kind: str) -> bool:
        """A file of ``kind`` exists, whether or not it loaded."""
        return any(item.kind == kind for item in self.loaded)

    def complete(self, *kinds: str) -> bool:
        """Every file that could be of one of ``kinds`` loaded whole. Rules that conclude something
        is missing (no roadmap item backs a claim, nothing references a node) hold back
        otherwise: the unread file may hold it, and its own errors say what to fix."""
        return not any(
            (item.model is None or item.partial) and (item.kind is None or item.kind in kinds) for item in self.loaded
        )

    def unloaded_ids(self) -> frozenset[str]:
        return self.unloaded

    def unresolved(self, edge: ReferenceEdge) -> bool:
        """The reference names no node, and not because the file declaring it failed to load."""
        return edge.target is None and edge.target_id not in self.unloaded

    def ids_of_types(self, types: frozenset[NodeType]) -> list[str]:
        """Ids of the (first-defined) nodes of the given types, in definition order."""
        found = self._ids_by_types.get(types)
        if found is None:
            found = [node_id for node_id, node in self.nodes.items() if node.type in types]
            self._ids_by_types[types] = found
        return found
