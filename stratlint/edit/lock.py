"""The review lock through an edit: stamps move with the ids, and new stamps are added as
``stratlint lock`` adds them. Pure: the graph and the lock in, the lock's new stamps out.

A rename is a change of names, not of wording: a reference stamped against a node's
wording stays stamped under the node's new id, and the stamp keeps meaning "reviewed
against this wording". The one subtlety is a node whose meaningful fields hold ids (a
claim's proof points): a rename rewords it, so its fingerprint changes. Its stamps are
moved to the new fingerprint when they were current (the dependent had reviewed exactly
this wording), and a suspect one stays suspect, its snapshot renamed alike, so that
``review`` still shows only what really changed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from stratlint.drift.lockfile import EdgeKey, Lock, render_lock
from stratlint.drift.review import Review, edge_key, tracked_edges
from stratlint.drift.wording import MEANINGFUL, digest_of, wording
from stratlint.graph import Graph, Node

Retarget = Callable[[str, str, str], str]
"""(dependent id, field, target id) -> the target id after the edit."""


def _reworded(node: Node, values: Mapping[str, Any], retarget: Retarget) -> dict[str, Any]:
    """``values`` (a node's meaningful fields, or a snapshot of them) with the ids its
    reference fields hold renamed by ``retarget``."""
    ref_fields = {edge.field for edge in node.refs} & set(MEANINGFUL.get(node.type, ()))
    result = dict(values)
    for name in ref_fields:
        value = result.get(name)
        if isinstance(value, list):
            result[name] = [retarget(node.id, name, item) if isinstance(item, str) else item for item in value]
        elif isinstance(value, str):
            result[name] = retarget(node.id, name, value)
    return result


def moved_stamps(
    graph: Graph, lock: Lock, renamed: Mapping[str, tuple[str, ...]], retarget: Retarget
) -> tuple[dict[EdgeKey, str], dict[tuple[str, str], dict[str, Any]]]:
    """The lock's stamps after nodes are renamed (``renamed``: old id -> its new ids; several
    for a split, whose copies make the same references) and references re-pointed
    (``retarget``). Returns (edges, snapshots) for ``render_lock``."""
    current: dict[str, tuple[str, str, dict[str, Any]]] = {}

    def digests(node: Node) -> tuple[str, str, dict[str, Any]]:
        """(digest now, digest after the edit, meaningful fields after the edit)."""
        found = current.get(node.id)
        if found is None:
            values = wording(node)
            after = _reworded(node, values, retarget)
            found = current[node.id] = (digest_of(values), digest_of(after), after)
        return found

    # Only stamps of a renamed node, or of a node whose wording holds a renamed id (a claim
    # citing a renamed proof point), can change; the rest are kept as they are.
    reworded = {
        edge.source.id
        for old in renamed
        for edge in graph.edges_to.get(old, ())
        if edge.field in MEANINGFUL.get(edge.source.type, ())
    }
    touched = set(renamed) | reworded
    edges: dict[EdgeKey, str] = {}
    snapshots: dict[tuple[str, str], dict[str, Any]] = {}
    for key, fingerprint in lock.edges.items():
        dependent, field_name, target = key
        if dependent not in touched and target not in touched:
            edges[key] = fingerprint
            if (target, fingerprint) in lock.snapshots:
                snapshots[(target, fingerprint)] = lock.snapshots[(target, fingerprint)]
            continue
        new_target = retarget(dependent, field_name, target)
        node = graph.node(target)
        new_fingerprint, snapshot = fingerprint, lock.snapshots.get((target, fingerprint))
        if node is not None and node.type in MEANINGFUL:
            now, after, after_values = digests(node)
            if fingerprint == now and after != now:
                new_fingerprint, snapshot = after, after_values
            elif snapshot is not None:
                snapshot = _reworded(node, snapshot, retarget)
                if snapshot != lock.snapshots[(target, fingerprint)]:
                    new_fingerprint = digest_of(snapshot)
        for new_dependent in renamed.get(dependent, (dependent,)):
            key = (new_dependent, field_name, new_target)
            edges[key] = new_fingerprint
        if snapshot is not None:
            snapshots[(new_target, new_fingerprint)] = snapshot
    return edges, snapshots


def stamped(
    graph: Graph, lock: Lock, keys: Collection[EdgeKey] | None = None
) -> tuple[dict[EdgeKey, str], dict[tuple[str, str], dict[str, Any]], int]:
    """The lock with the unstamped references among ``keys`` (every one, with None) stamped
    with their targets' current wording, as ``stratlint lock`` stamps them: nothing else is
    pruned, accepted or changed. Returns (edges, snapshots, how many were stamped)."""
    review = Review(lock)
    edges = dict(lock.edges) if lock.present else {}
    snapshots = dict(lock.snapshots) if lock.present else {}
    added = 0
    for edge in review.unstamped(tracked_edges(graph.edges)):
        key = edge_key(edge)
        if (keys is not None and key not in keys) or key in edges or edge.target is None:
            continue
        values, digest = review.current(edge.target)
        edges[key] = digest
        snapshots[(edge.target_id, digest)] = values
        added += 1
    return edges, snapshots, added


def lock_text(edges: dict[EdgeKey, str], snapshots: dict[tuple[str, str], dict[str, Any]]) -> str:
    return render_lock(edges, snapshots)
