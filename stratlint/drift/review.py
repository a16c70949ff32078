"""Review stamps: which references are suspect, and what the lock should hold next.

Every reference to a node whose wording others depend on is stamped in the lock with the
target's digest when the dependent was last reviewed. A reference whose target's digest is
no longer the stamped one is *suspect* until its owner has looked at it again. Pure: no
files, no clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from stratlint.drift.lockfile import EdgeKey, Lock
from stratlint.drift.wording import FieldChange, digest_of, field_changes, is_tracked, wording
from stratlint.graph import Graph, Node, ReferenceEdge, initiative_of


def tracked_edges(edges: Iterable[ReferenceEdge]) -> Iterator[ReferenceEdge]:
    """The references, among ``edges``, to a node whose wording others depend on, once per
    (dependent, field, target): these are stamped in the lock."""
    seen: set[EdgeKey] = set()
    for edge in edges:
        if edge.ref.tracked and edge.resolves and edge.target is not None and is_tracked(edge.target):
            key = edge_key(edge)
            if key not in seen:
                seen.add(key)
                yield edge


def edge_key(edge: ReferenceEdge) -> EdgeKey:
    return (edge.source.id, edge.field, edge.target_id)


@dataclass(frozen=True, slots=True)
class Suspect:
    """A reference whose target changed since the dependent was last reviewed."""

    edge: ReferenceEdge
    locked: str
    current: str
    changes: tuple[FieldChange, ...]

    @property
    def dependent(self) -> Node:
        return self.edge.source

    @property
    def target(self) -> Node:
        assert self.edge.target is not None
        return self.edge.target

    @property
    def function_node(self) -> Node:
        """The roadmap item, message or play that answers for the dependent (an objection's
        play); the dependent itself when it belongs to none (a claim citing proof points)."""
        return initiative_of(self.dependent) or self.dependent

    @property
    def owner(self) -> str | None:
        return self.dependent.effective_owner

    def as_dict(self) -> dict[str, Any]:
        return {
            "dependent": self.dependent.id,
            "dependent_type": self.dependent.type.value,
            "field": self.edge.field,
            "target": self.target.id,
            "target_type": self.target.type.value,
            "owner": self.owner,
            "function": self.dependent.plan_owner,
            "path": self.dependent.artifact.path,
            "line": self.edge.span.line,
            "locked_fingerprint": self.locked,
            "current_fingerprint": self.current,
            "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in self.changes],
        }


@dataclass(slots=True)
class Review:
    """The review stamps of a run, and the questions rules ask of them. Each node's wording
    is digested once per run: many references point at the same few strategy nodes."""

    lock: Lock
    _known: dict[int, tuple[dict[str, Any], str]] = field(default_factory=dict, repr=False)

    def current(self, node: Node) -> tuple[dict[str, Any], str]:
        """The node's meaningful fields and their digest."""
        found = self._known.get(id(node))
        if found is None:
            values = wording(node)
            found = self._known[id(node)] = (values, digest_of(values))
        return found

    def suspect(self, edge: ReferenceEdge) -> Suspect | None:
        """The suspect that ``edge`` is (a tracked, stamped reference whose target changed), or None."""
        lock = self.lock
        if not lock.present or edge.target is None or not edge.resolves or not edge.ref.tracked:
            return None
        if not is_tracked(edge.target):
            return None
        locked = lock.edges.get(edge_key(edge))
        if locked is None:
            return None
        values, digest = self.current(edge.target)
        if locked == digest:
            return None
        before = lock.snapshots.get((edge.target_id, locked))
        return Suspect(edge, locked, digest, tuple(field_changes(before, values)))

    def suspects(self, edges: Iterable[ReferenceEdge]) -> list[Suspect]:
        """Every suspect among ``edges``, once per (dependent, field, target)."""
        if not self.lock.present:
            return []  # nothing was stamped, so nothing can have changed since
        return [suspect for edge in tracked_edges(edges) if (suspect := self.suspect(edge)) is not None]

    def unstamped(self, edges: Iterable[ReferenceEdge]) -> list[ReferenceEdge]:
        """The references among ``edges`` that need a stamp and have none (all of them when
        there is no lock). A record (a retired message) needs none: nobody re-reviews it."""
        stamps = self.lock.edges if self.lock.present else {}
        return [edge for edge in tracked_edges(edges) if not edge.source.record and edge_key(edge) not in stamps]


@dataclass(frozen=True, slots=True)
class LockUpdate:
    """The lock's new contents, and what changed in it."""

    edges: dict[EdgeKey, str]
    snapshots: dict[tuple[str, str], dict[str, Any]]
    added: int
    accepted: int
    pruned: int
    kept_suspect: int
    unreadable: int
    """Files that could not be read: stamps are never pruned while any is unreadable, since
    the references they hold are unknown."""
    hidden: int = 0
    """Strategy files git holds that this checkout leaves out (a sparse checkout). While
    any is hidden, a stamp is pruned only when this run saw both of its entries and the
    reference between them is gone: an entry it did not see may be in a hidden file."""


def _accepted(edge: ReferenceEdge, accepted_ids: set[str]) -> bool:
    """The dependent, or an entry it belongs to (a play, for its objections), was accepted."""
    return edge.source.id in accepted_ids or any(node.id in accepted_ids for node in edge.source.ancestors())


def update_lock(
    graph: Graph, lock: Lock, accept: Iterable[str] = (), *, accept_all: bool = False, hidden: Collection[str] = ()
) -> LockUpdate:
    """Stamp every reference that has no stamp; re-stamp suspect references only for the
    accepted dependents (or all of them, with ``accept_all``); prune stamps of references
    that no longer exist, unless some file could not be read.

    ``hidden`` names the strategy files left out of the checkout (sparse): a stamp is never
    pruned because an entry it joins was not seen, only when the reference was seen gone."""
    review = Review(lock)
    old_edges = dict(lock.edges)
    old_snapshots = dict(lock.snapshots)
    accepted_ids = set(accept)
    unreadable = sum(1 for item in graph.loaded if item.model is None)
    edges: dict[EdgeKey, str] = {}
    snapshots: dict[tuple[str, str], dict[str, Any]] = {}
    added = accepted = kept_suspect = 0

    def keep(key: EdgeKey, locked: str) -> None:
        edges[key] = locked
        if (key[2], locked) in old_snapshots:
            snapshots[(key[2], locked)] = old_snapshots[(key[2], locked)]

    for edge in tracked_edges(graph.edges):
        assert edge.target is not None
        key = edge_key(edge)
        current, digest = review.current(edge.target)
        locked = old_edges.get(key)
        if locked is None:
            added += 1
        elif locked == digest:
            pass
        elif accept_all or _accepted(edge, accepted_ids):
            accepted += 1
        else:
            kept_suspect += 1
            keep(key, locked)
            continue
        edges[key] = digest
        snapshots[(edge.target_id, digest)] = current
    pruned = 0
    for key, locked in old_edges.items():
        if key in edges:
            continue
        dependent, _, target = key
        if unreadable or (hidden and (dependent not in graph.nodes or target not in graph.nodes)):
            keep(key, locked)
        else:
            pruned += 1
    return LockUpdate(edges, snapshots, added, accepted, pruned, kept_suspect, unreadable, len(hidden))
