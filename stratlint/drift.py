"""Drift: content fingerprints of the strategy nodes others reference, and review stamps.

A roadmap item, message or play is written against the wording of the value definition,
the narrative and the priorities as they were. When one of those nodes changes, everything
that references it is *suspect* until its owner has looked at it again. The lock file
(stratlint.lock) records, per reference, the fingerprint of the target when the dependent
was last reviewed; this module computes fingerprints, suspects and the new lock contents.
Pure: no files, no clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from stratlint.graph import Graph, Node, ReferenceEdge, initiative_of
from stratlint.load.lockfile import EdgeKey, Lock, canonical_json
from stratlint.model import NodeType

MEANINGFUL: dict[NodeType, tuple[str, ...]] = {
    NodeType.SEGMENT: ("name", "description", "pains"),
    NodeType.REASON: ("statement",),
    NodeType.DIFFERENTIATOR: ("statement", "versus"),
    NodeType.BELIEF: ("statement",),
    NodeType.PILLAR: ("name", "statement"),
    NodeType.CLAIM: ("statement", "proof_points"),
    NodeType.PROOF_POINT: ("statement", "source", "as_of"),
    NodeType.PRIORITY: ("name", "primary", "description", "horizon"),
}
"""THE list of fields whose change makes dependents suspect, per node type.

Everything else is bookkeeping and never makes anything suspect: id, owner, tags, links,
notes, status, retired_on, replaced_by -- and, for a pillar, its claims (each claim has
a fingerprint of its own). A retired node is reported by retired-reference instead."""


def snapshot(node: Node) -> dict[str, Any]:
    """The node's meaningful fields, as plain JSON values (the model, never the text)."""
    fields = MEANINGFUL[node.type]
    return node.entry.model_dump(mode="json", include=set(fields))


def fingerprint_of(values: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(values).encode("utf-8")).hexdigest()[:16]


def node_fingerprint(node: Node) -> str:
    return fingerprint_of(snapshot(node))


def is_tracked(node: Node) -> bool:
    return node.type in MEANINGFUL


def tracked_edges(graph: Graph) -> Iterator[ReferenceEdge]:
    """Every reference to a node whose wording others depend on: these are stamped in the lock."""
    seen: set[EdgeKey] = set()
    for edge in graph.edges:
        if edge.resolves and edge.target is not None and is_tracked(edge.target):
            key = edge_key(edge)
            if key not in seen:
                seen.add(key)
                yield edge


def edge_key(edge: ReferenceEdge) -> EdgeKey:
    return (edge.source.id, edge.field, edge.target_id)


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    before: Any
    after: Any

    def describe(self, width: int = 60) -> str:
        return f"{self.field}: {_short(self.before, width)} → {_short(self.after, width)}"


def _short(value: Any, width: int) -> str:
    if value is None or value == []:
        return "(none)"
    text = value if isinstance(value, str) else canonical_json(value)
    text = " ".join(text.split())
    if len(text) > width:
        text = text[: width - 1] + "…"
    return f"'{text}'"


def field_changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[FieldChange]:
    """Field-level differences, in the order the model declares the fields."""
    if before is None:
        return []
    names = list(after) + [name for name in before if name not in after]
    return [
        FieldChange(name, before.get(name), after.get(name)) for name in names if before.get(name) != after.get(name)
    ]


def describe_changes(changes: list[FieldChange]) -> str:
    if not changes:
        return "its wording changed (the lock file no longer holds the earlier version)"
    return "; ".join(change.describe() for change in changes)


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
        """The dependent's owner, or the nearest enclosing owner (an objection's play, the file)."""
        node: Node | None = self.dependent
        while node is not None:
            if node.owner:
                return node.owner
            node = node.parent
        owner = getattr(self.dependent.artifact.model, "owner", None)
        return owner if isinstance(owner, str) else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "dependent": self.dependent.id,
            "dependent_type": self.dependent.type.value,
            "field": self.edge.field,
            "target": self.target.id,
            "target_type": self.target.type.value,
            "owner": self.owner,
            "function": self.dependent.function.value if self.dependent.function else None,
            "path": self.dependent.artifact.path,
            "line": self.edge.span.line,
            "locked_fingerprint": self.locked,
            "current_fingerprint": self.current,
            "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in self.changes],
        }


def suspects(graph: Graph, lock: Lock | None = None) -> list[Suspect]:
    """Every stamped reference whose target's fingerprint is not the stamped one."""
    if lock is None and graph.suspects is not None:
        return list(graph.suspects)  # two rules ask; the answer is the same
    stamps = lock if lock is not None else graph.lock
    if stamps is None or not stamps.present:
        return []
    found = []
    current_of = _current()
    for edge in tracked_edges(graph):
        locked = stamps.edges.get(edge_key(edge))
        if locked is None:
            continue
        assert edge.target is not None
        current, current_fp = current_of(edge.target)
        if locked != current_fp:
            before = stamps.snapshots.get((edge.target_id, locked))
            found.append(Suspect(edge, locked, current_fp, tuple(field_changes(before, current))))
    if lock is None:
        graph.suspects = found
    return list(found)


def _current() -> Callable[[Node], tuple[dict[str, Any], str]]:
    """A node's meaningful fields and their fingerprint, computed once per node: many
    references point at the same few strategy nodes."""
    known: dict[int, tuple[dict[str, Any], str]] = {}

    def current_of(node: Node) -> tuple[dict[str, Any], str]:
        found = known.get(id(node))
        if found is None:
            fields = snapshot(node)
            found = known[id(node)] = (fields, fingerprint_of(fields))
        return found

    return current_of


@dataclass(frozen=True, slots=True)
class LockUpdate:
    """The lock's new contents, and what changed in it."""

    edges: dict[EdgeKey, str]
    snapshots: dict[tuple[str, str], dict[str, Any]]
    added: int
    accepted: int
    pruned: int
    kept_suspect: int


def _accepted(edge: ReferenceEdge, accepted_ids: set[str]) -> bool:
    """The dependent, or an entry it belongs to (a play, for its objections), was accepted."""
    return edge.source.id in accepted_ids or any(node.id in accepted_ids for node in edge.source.ancestors())


def update_lock(
    graph: Graph,
    lock: Lock | None,
    accept: Iterable[str] = (),
    *,
    accept_all: bool = False,
    prune: bool = True,
) -> LockUpdate:
    """Stamp every reference that has no stamp; prune stamps of references that no longer
    exist (unless ``prune`` is False, e.g. while some file cannot be read); re-stamp suspect
    references only for the accepted dependents (or all of them, with ``accept_all``)."""
    old_edges = dict(lock.edges) if lock is not None else {}
    old_snapshots = dict(lock.snapshots) if lock is not None else {}
    accepted_ids = set(accept)
    edges: dict[EdgeKey, str] = {}
    snapshots: dict[tuple[str, str], dict[str, Any]] = {}
    added = accepted = kept_suspect = 0
    current_of = _current()
    for edge in tracked_edges(graph):
        assert edge.target is not None
        key = edge_key(edge)
        current, current_fp = current_of(edge.target)
        locked = old_edges.get(key)
        if locked is None:
            added += 1
            edges[key] = current_fp
        elif locked == current_fp:
            edges[key] = locked
        elif accept_all or _accepted(edge, accepted_ids):
            accepted += 1
            edges[key] = current_fp
        else:
            kept_suspect += 1
            edges[key] = locked
            if (edge.target_id, locked) in old_snapshots:
                snapshots[(edge.target_id, locked)] = old_snapshots[(edge.target_id, locked)]
            continue
        snapshots[(edge.target_id, current_fp)] = current
    pruned = 0
    for key, locked in old_edges.items():
        if key in edges:
            continue
        if prune:
            pruned += 1
        else:
            edges[key] = locked
            if (key[2], locked) in old_snapshots:
                snapshots[(key[2], locked)] = old_snapshots[(key[2], locked)]
    return LockUpdate(edges, snapshots, added, accepted, pruned, kept_suspect)
