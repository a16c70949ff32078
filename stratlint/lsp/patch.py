"""The graph of a strategy held in memory, kept up to date one file at a time.

``GraphBuilder`` builds a graph from every file, which takes a twentieth of a second at
10,000 files even when every file is already loaded: too slow for each keystroke. Here each
file is built once into a ``FilePart`` (its artifact, nodes and references, resolved against
nothing), and ``replace_part`` gives the graph with one file's part swapped for another. It
resolves again only the references that can have changed (those the file makes, and those
naming an id it declares, or declared), and it leaves every other file's nodes and edges as
they are. The result equals what ``build_graph`` gives from the same files in the same
order, index for index and in the same order; the tests compare the two edit by edit.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stratlint.graph import Graph, GraphBuilder, Node, ReferenceEdge
from stratlint.graph.core import Artifact
from stratlint.load.artifact import LoadedArtifact
from stratlint.model import NodeType
from stratlint.model.priorities import Priority


@dataclass(slots=True, eq=False)
class FilePart:
    """One file, built into the graph's terms on its own: its artifact (None when it did not
    load), and its references in the order the builder walks them (the graph's order)."""

    loaded: LoadedArtifact
    artifact: Artifact | None
    edges: list[ReferenceEdge]

    @property
    def path(self) -> str:
        return self.loaded.path

    def signature(self) -> tuple[tuple[str, NodeType], ...]:
        """The ids and types the file declares, in file order."""
        return tuple((node.id, node.type) for node in self.artifact.nodes) if self.artifact is not None else ()


def part_of(item: LoadedArtifact, root_path: str = ".") -> FilePart:
    """The file's part: its nodes and references, none resolved yet."""
    builder = GraphBuilder(root_path)
    artifact = builder.add(item)
    return FilePart(item, artifact, builder.edges)


def _primaries(by_type: dict[NodeType, tuple[Node, ...]]) -> tuple[Node, ...]:
    found = by_type.get(NodeType.PRIORITY, ())
    return tuple(node for node in found if isinstance(node.entry, Priority) and node.entry.primary)


def _unloaded(parts: Iterable[FilePart]) -> frozenset[str]:
    return frozenset().union(*(part.loaded.declared_ids for part in parts))


def _index_nodes(
    parts: Sequence[FilePart],
) -> tuple[dict[str, Node], list[tuple[Node, Node]], dict[NodeType, tuple[Node, ...]]]:
    """The first definition of each id, the later ones, and the nodes by type, in load order."""
    nodes: dict[str, Node] = {}
    duplicates: list[tuple[Node, Node]] = []
    by_type: defaultdict[NodeType, list[Node]] = defaultdict(list)
    for part in parts:
        if part.artifact is None:
            continue
        for node in part.artifact.nodes:
            first = nodes.get(node.id)
            if first is None:
                nodes[node.id] = node
            else:
                duplicates.append((node, first))
            by_type[node.type].append(node)
    return nodes, duplicates, {node_type: tuple(found) for node_type, found in by_type.items()}


def assemble(parts: Sequence[FilePart], root_path: str = ".") -> Graph:
    """The graph of every file's part, in load order (what ``build_graph`` gives)."""
    nodes, duplicates, by_type = _index_nodes(parts)
    edges = list(itertools.chain.from_iterable(part.edges for part in parts))
    edges_to: defaultdict[str, list[ReferenceEdge]] = defaultdict(list)
    for edge in edges:
        edge.target = nodes.get(edge.target_id)
        edges_to[edge.target_id].append(edge)
    artifacts = tuple(part.artifact for part in parts if part.artifact is not None)
    return Graph(
        root_path=root_path,
        loaded=tuple(part.loaded for part in parts),
        artifacts=artifacts,
        nodes=nodes,
        duplicates=tuple(duplicates),
        edges=tuple(edges),
        edges_to={target: tuple(found) for target, found in edges_to.items()},
        by_type=by_type,
        unloaded=_unloaded(parts),
        primaries=_primaries(by_type),
        by_path={artifact.path: artifact for artifact in artifacts},
    )


def _run(found: Sequence[Any], position: int, at: Callable[[Any], int]) -> tuple[int, int]:
    """Where the items of the file at ``position`` stand in ``found`` (which is in load order)."""
    return bisect.bisect_left(found, position, key=at), bisect.bisect_right(found, position, key=at)


def replace_part(graph: Graph, parts: list[FilePart], where: Mapping[str, int], position: int, new: FilePart) -> Graph:
    """The graph with the file at ``position`` of ``parts`` (the graph's files, in load order;
    ``where`` gives each path's position) replaced by ``new``, a part of the same path.
    ``parts`` is updated in place. The parts of every other file are shared with ``graph``,
    whose edges may now point at the new nodes: use the graph returned, not ``graph``.

    Everything a file holds is a run of each index (the indexes are in load order), found
    by bisection: the work grows with the file, not with the strategy, except when the file
    now declares other ids than it did, which orders the first definitions anew."""
    old = parts[position]
    assert old.path == new.path
    parts[position] = new
    path = new.path

    def node_at(node: Node) -> int:
        return where[node.artifact.path]

    def edge_at(edge: ReferenceEdge) -> int:
        return where[edge.source.artifact.path]

    old_nodes = old.artifact.nodes if old.artifact is not None else []
    new_nodes = new.artifact.nodes if new.artifact is not None else []
    same_ids = old.signature() == new.signature()
    if same_ids:
        # The same ids in the same order (an edit of text): every index keeps its order,
        # and only the objects change.
        nodes = dict(graph.nodes)
        for before, after in zip(old_nodes, new_nodes, strict=True):
            if nodes.get(before.id) is before:
                nodes[before.id] = after
        if graph.duplicates and old_nodes:
            swap = {id(before): after for before, after in zip(old_nodes, new_nodes, strict=True)}
            duplicates = tuple(
                (swap.get(id(later), later), swap.get(id(first), first)) for later, first in graph.duplicates
            )
        else:
            duplicates = graph.duplicates
    else:
        nodes = {}
        found: list[tuple[Node, Node]] = []
        for part in parts:
            if part.artifact is not None:
                for node in part.artifact.nodes:
                    first = nodes.setdefault(node.id, node)
                    if first is not node:
                        found.append((node, first))
        duplicates = tuple(found)
    by_type = dict(graph.by_type)
    for node_type in {node.type for node in old_nodes} | {node.type for node in new_nodes}:
        held = by_type.get(node_type, ())
        low, high = _run(held, position, node_at)
        changed = held[:low] + tuple(node for node in new_nodes if node.type is node_type) + held[high:]
        if changed:
            by_type[node_type] = changed
        else:
            by_type.pop(node_type, None)

    # -- edges: the file's own, in its place in load order, and in the index of each id they name.
    low, high = _run(graph.edges, position, edge_at)
    edges = graph.edges[:low] + tuple(new.edges) + graph.edges[high:]
    edges_to = dict(graph.edges_to)
    new_by_target: dict[str, list[ReferenceEdge]] = {}
    for edge in new.edges:
        new_by_target.setdefault(edge.target_id, []).append(edge)
    for target in {edge.target_id for edge in old.edges} | set(new_by_target):
        held_edges = edges_to.get(target, ())
        low, high = _run(held_edges, position, edge_at)
        kept = held_edges[:low] + tuple(new_by_target.get(target, ())) + held_edges[high:]
        if kept:
            edges_to[target] = kept
        else:
            edges_to.pop(target, None)
    # Only references to an id the file declares, or declared, can resolve anew.
    for target in {node.id for node in old_nodes} | {node.id for node in new_nodes}:
        resolved = nodes.get(target)
        for edge in edges_to.get(target, ()):
            edge.target = resolved
    for edge in new.edges:
        edge.target = nodes.get(edge.target_id)

    by_path = dict(graph.by_path)
    if old.artifact is not None and new.artifact is not None:
        at = bisect.bisect_left(graph.artifacts, position, key=lambda artifact: where[artifact.path])
        artifacts = (*graph.artifacts[:at], new.artifact, *graph.artifacts[at + 1 :])
        by_path[path] = new.artifact
    elif old.artifact is None and new.artifact is None:
        artifacts = graph.artifacts
    else:
        artifacts = tuple(part.artifact for part in parts if part.artifact is not None)
        by_path = {artifact.path: artifact for artifact in artifacts}  # in load order
    unloaded = graph.unloaded
    if old.loaded.declared_ids != new.loaded.declared_ids:
        unloaded = _unloaded(parts)
    # The ids of each set of types are the same when the file declares the same ids as before:
    # the answers the rules asked of the old graph hold (a scan of every node each, otherwise).
    same = same_ids and old.loaded.declared_ids == new.loaded.declared_ids
    return Graph(
        root_path=graph.root_path,
        loaded=(*graph.loaded[:position], new.loaded, *graph.loaded[position + 1 :]),
        artifacts=artifacts,
        nodes=nodes,
        duplicates=duplicates,
        edges=edges,
        edges_to=edges_to,
        by_type=by_type,
        unloaded=unloaded,
        primaries=_primaries(by_type),
        by_path=by_path,
        _ids_by_types=graph._ids_by_types if same else {},
    )
