"""What each file contributes to the strategy as a whole, in a compact form that outlives
a run: the ids it declares, the ids it references, and a digest of its interface -- the
part of the file that rules looking at *other* files can see (its kind, whether it loaded,
its nodes, and what each node references).

An edit that leaves a file's interface unchanged (a reworded title, a new rationale, an
owner) cannot change what strategy-wide rules conclude; only the file itself, and the
files whose entries reference its nodes, need to be checked again. The incremental run
(stratlint.incremental) builds on that.

The ``shape`` is the interface less the references, and with the names (name, short name,
aliases) of the nodes: an edit that keeps a file's shape changes what the file references
and nothing a rule of a file that does not reference it can see (a file rule reads the
names of any node, to tell a name written where an id goes).
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from sys import intern
from typing import Any

from stratlint.graph import Artifact, Node
from stratlint.load.artifact import LoadedArtifact
from stratlint.model import NodeType, plan_owner


@dataclass(frozen=True, slots=True)
class FileFacts:
    path: str
    kind: str | None
    loaded: bool
    """The file loaded into the model (no file-level problem kept it out)."""
    declared: tuple[tuple[str, str], ...]
    """(id, node type) of every node the file declares, in file order; for a file that did
    not load, the ids it seems to declare, with an empty type."""
    targets: tuple[str, ...]
    """Every id the file's entries reference, sorted, once each."""
    interface: bytes
    """A digest of what other files' rules can see of this file."""
    unloaded: tuple[str, ...] = ()
    """Ids of entries left out of a file that loaded only in part."""
    partial: bool = False
    plan_owner: str | None = None
    """The function whose plan the file is (see graph.Artifact.plan_owner), or None."""
    shape: bytes = b""
    """A digest of the interface without the references, and of the nodes' names: an edit
    that keeps it changes only what the file references (see the module docstring)."""

    def pack(self) -> tuple[object, ...]:
        return (self.path, self.kind, self.loaded, self.declared, self.targets, self.interface, self.unloaded,
                self.partial, self.plan_owner, self.shape)  # fmt: skip

    @classmethod
    def unpack(cls, packed: Sequence[object]) -> FileFacts:
        return cls(*packed)  # type: ignore[arg-type]


def facts_of(item: LoadedArtifact, artifact: Artifact | None) -> FileFacts:
    """The facts of one loaded file; ``artifact`` is its place in the graph, when it loaded."""
    if artifact is None:
        declared = tuple((node_id, "") for node_id in sorted(item.declared_ids))
        shape: tuple[Any, ...] = (item.kind, False, declared)
        digest = _digest(shape)
        owner = plan_owner(item.kind, None)
        return FileFacts(item.path, item.kind, False, declared, (), digest, plan_owner=owner, shape=digest)
    nodes = artifact.nodes
    # Interned, ids that many files reference are one object each, which marshal then
    # stores once: the snapshot holds every file's facts.
    declared = tuple((node.id, intern(node.type.value)) for node in nodes)
    edges = tuple((node.id, intern(edge.field), intern(edge.target_id)) for node in nodes for edge in node.refs)
    parents = tuple(node.parent.id if node.parent is not None else "" for node in nodes)
    unloaded = tuple(sorted(item.declared_ids))
    owner = artifact.plan_owner
    shape = (item.kind, True, declared, parents, edges, unloaded, item.partial, owner)
    targets = tuple(sorted({target for _, _, target in edges}))
    named = (item.kind, True, declared, parents, unloaded, item.partial, owner, _names(nodes))
    return FileFacts(
        item.path, item.kind, True, declared, targets, _digest(shape), unloaded, item.partial, owner, _digest(named)
    )


def _names(nodes: Iterable[Node]) -> tuple[tuple[int, str], ...]:
    """The names, short names and aliases of the nodes that have any, by the node's place."""
    found = []
    for index, node in enumerate(nodes):
        entry = node.entry.__dict__
        names = (entry.get("name"), entry.get("short_name"), entry.get("aliases"))
        if any(names):
            found.append((index, repr(names)))
    return tuple(found)


def _digest(shape: tuple[Any, ...]) -> bytes:
    return hashlib.blake2b(marshal.dumps(shape), digest_size=16).digest()


@dataclass(slots=True)
class StrategyIndex:
    """Strategy-wide questions answered from every file's facts, without loading the files:
    which ids exist (of which types), which file defines an id first, which files reference
    a file's nodes, whether every file of a kind loaded."""

    files: Sequence[FileFacts]
    _ids_by_types: dict[frozenset[NodeType], list[str]] = field(default_factory=dict)
    _first: dict[str, tuple[str, str]] | None = None

    def first_definitions(self) -> dict[str, tuple[str, str]]:
        """id -> (type, path) of the first file, in load order, that declares it."""
        if self._first is None:
            first: dict[str, tuple[str, str]] = {}
            for facts in self.files:
                if facts.loaded:
                    for node_id, node_type in facts.declared:
                        first.setdefault(node_id, (node_type, facts.path))
            self._first = first
        return self._first

    def ids_of_types(self, types: frozenset[NodeType]) -> list[str]:
        found = self._ids_by_types.get(types)
        if found is None:
            wanted = {node_type.value for node_type in types}
            found = [node_id for node_id, (node_type, _) in self.first_definitions().items() if node_type in wanted]
            self._ids_by_types[types] = found
        return found

    def unloaded_ids(self) -> frozenset[str]:
        found = {node_id for facts in self.files if not facts.loaded for node_id, _ in facts.declared}
        return frozenset(found.union(*(facts.unloaded for facts in self.files)))

    def has_kind(self, kind: str) -> bool:
        return any(facts.kind == kind for facts in self.files)

    def complete(self, *kinds: str) -> bool:
        return not any(
            (not facts.loaded or facts.partial) and (facts.kind is None or facts.kind in kinds) for facts in self.files
        )

    def referrers(self, paths: Iterable[str]) -> set[str]:
        """The files whose entries reference a node declared in one of ``paths``, found again
        for what those files declare, until nothing new turns up."""
        found = set(paths)
        frontier = set(found)
        while frontier:
            ids = {node_id for facts in self.files if facts.path in frontier for node_id, _ in facts.declared}
            frontier = {
                facts.path for facts in self.files if facts.path not in found and not ids.isdisjoint(facts.targets)
            }
            found |= frontier
        return found
