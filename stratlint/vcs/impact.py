"""What a change does to alignment: ``stratlint impact --diff BASE``.

The strategy at BASE is read through git (``git ls-tree`` and ``git cat-file --batch``),
never by checking anything out: only files whose blob differs from the working tree are
parsed at BASE; the others are the same bytes, so their working-tree parse is reused.

Dependents. An entry (roadmap item, message or play) depends on a changed node when:

- it references the node (directly; for a play, also through one of its objections);
- the node is a claim and the entry references the claim's pillar (it tells the story the
  claim belongs to);
- the node is a pillar and the entry references one of the pillar's claims.

Changes are field-level on the node's meaningful fields (stratlint.drift.MEANINGFUL) and its
lifecycle ('status', 'replaced_by'); nodes added or removed count too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from stratlint import StratlintError
from stratlint.analysis.check import lint
from stratlint.analysis.result import Result
from stratlint.analysis.settings import Settings
from stratlint.diagnostics import Diagnostic
from stratlint.drift.wording import FieldChange, field_changes, is_tracked, wording
from stratlint.graph import Graph, Node, initiative_of
from stratlint.model import NodeType
from stratlint.vcs.compare import lint_revision, newness
from stratlint.vcs.git import GitError, resolve_revision, tree_blobs, working_blobs

_LIFECYCLE = ("status", "replaced_by")


# -- the two sides ------------------------------------------------------------------------


@dataclass(slots=True)
class Sides:
    base: Result
    head: Result
    changed_files: list[str]


def load_sides(settings: Settings, base: str) -> Sides:
    """The strategy now and at ``base``. At ``base`` only the files that differ are parsed."""
    head = lint(settings)
    loaded_head, repo_root, root_path = head.graph.loaded, head.repo_root, head.graph.root_path
    if not (repo_root / ".git").exists():
        raise StratlintError(f"{settings.root} is not inside a git repository; impact --diff compares commits.")
    try:
        commit = resolve_revision(repo_root, base)
        at_base = tree_blobs(repo_root, commit, root_path)
        current = working_blobs(repo_root, sorted(set(at_base) | {item.path for item in loaded_head}))
    except GitError as error:
        raise StratlintError(str(error)) from None
    changed = sorted(
        {path for path, blob in at_base.items() if current.get(path) != blob}
        | {item.path for item in loaded_head if item.path not in at_base}
    )
    base_result = lint_revision(settings, commit, reuse=loaded_head)
    return Sides(base_result, head, changed)


# -- the impact ---------------------------------------------------------------------------


@dataclass(slots=True)
class NodeChange:
    id: str
    type: str
    path: str
    line: int
    change: str
    """'changed', 'added' or 'removed'."""
    fields: list[FieldChange]

    def as_dict(self) -> dict[str, Any]:
        """Its fields by name, each field change as ``field``, ``before`` and ``after``."""
        return asdict(self)


@dataclass(slots=True)
class Dependent:
    node: Node
    because: list[tuple[str, str, str]] = field(default_factory=list)
    """(changed node id, field, how: 'direct' or 'through pillar X' / 'through claim X')."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.node.id,
            "type": self.node.type.value,
            "function": self.node.function.value if self.node.function else None,
            "owner": self.node.effective_owner,
            "path": self.node.artifact.path,
            "line": self.node.id_span.line,
            "because": [{"changed": c, "field": f, "via": how} for c, f, how in self.because],
        }


@dataclass(slots=True)
class Impact:
    base: str
    changed_files: list[str]
    changes: list[NodeChange]
    dependents: list[Dependent]
    added: list[Diagnostic]
    removed: list[Diagnostic]
    graph: Graph

    def as_dict(self) -> dict[str, Any]:
        def finding(diagnostic: Diagnostic) -> dict[str, Any]:
            return {**diagnostic.as_dict(), "fingerprint": diagnostic.fingerprint}

        return {
            "base": self.base,
            "changed_files": self.changed_files,
            "changed_nodes": [change.as_dict() for change in self.changes],
            "dependents": [dependent.as_dict() for dependent in self.dependents],
            "findings": {"added": [finding(d) for d in self.added], "removed": [finding(d) for d in self.removed]},
        }


def _state(node: Node) -> dict[str, Any]:
    state = wording(node)
    for name in _LIFECYCLE:
        state[name] = node.entry.model_dump(mode="json").get(name)
    return state


def node_changes(base: Graph, head: Graph) -> list[NodeChange]:
    before = {node_id: node for node_id, node in base.nodes.items() if is_tracked(node)}
    after = {node_id: node for node_id, node in head.nodes.items() if is_tracked(node)}
    changes = []
    for node_id in sorted(before.keys() | after.keys()):
        old, new = before.get(node_id), after.get(node_id)
        if old is not None and new is not None:
            if old.type is not new.type:
                fields = [FieldChange("type", old.type.value, new.type.value)]
            else:
                fields = field_changes(_state(old), _state(new))
            if fields:
                changes.append(
                    NodeChange(node_id, new.type.value, new.artifact.path, new.id_span.line, "changed", fields)
                )
        elif new is not None:
            changes.append(NodeChange(node_id, new.type.value, new.artifact.path, new.id_span.line, "added", []))
        elif old is not None:
            changes.append(NodeChange(node_id, old.type.value, old.artifact.path, old.id_span.line, "removed", []))
    return changes


def dependents(base: Graph, head: Graph, changes: list[NodeChange]) -> list[Dependent]:
    found: dict[int, Dependent] = {}

    def add(target_id: str, how: str, changed: str) -> None:
        for edge in head.edges_to.get(target_id, ()):
            entry = initiative_of(edge.source)
            if entry is None:
                continue
            dependent = found.setdefault(id(entry), Dependent(entry))
            reason = (changed, edge.field, how)
            if reason not in dependent.because:
                dependent.because.append(reason)

    for change in changes:
        add(change.id, "direct", change.id)
        node = head.nodes.get(change.id) or base.nodes.get(change.id)
        if node is None:
            continue
        if node.type is NodeType.CLAIM and node.parent is not None and node.parent.type is NodeType.PILLAR:
            add(node.parent.id, f"through pillar '{node.parent.id}'", change.id)
        elif node.type is NodeType.PILLAR:
            for graph in (head, base):
                for claim in graph.of_type(NodeType.CLAIM):
                    if claim.parent is not None and claim.parent.id == node.id:
                        add(claim.id, f"through claim '{claim.id}'", change.id)
    return sorted(found.values(), key=lambda d: (d.node.artifact.path, d.node.id_span.line, d.node.id))


def compute_impact(settings: Settings, base: str) -> Impact:
    sides = load_sides(settings, base)
    changes = node_changes(sides.base.graph, sides.head.graph)
    return Impact(
        base=base,
        changed_files=sides.changed_files,
        changes=changes,
        dependents=dependents(sides.base.graph, sides.head.graph, changes),
        added=[d for d, new in newness(sides.head.diagnostics, sides.base.diagnostics) if new],
        removed=[d for d, gone in newness(sides.base.diagnostics, sides.head.diagnostics) if gone],
        graph=sides.head.graph,
    )
