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

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stratlint.diagnostics import Diagnostic, fingerprint
from stratlint.drift import FieldChange, field_changes, is_tracked, snapshot
from stratlint.engine import LintResult, Settings, StratlintError, analyze, load_lock, load_strategy, lock_path
from stratlint.graph import Graph, Node
from stratlint.load.artifact import LoadedArtifact, load_bytes
from stratlint.load.discover import YAML_SUFFIXES
from stratlint.load.lockfile import lock_from_bytes
from stratlint.model import NodeType

_ENTRY_TYPES = frozenset({NodeType.ROADMAP_ITEM, NodeType.MESSAGE, NodeType.PLAY})
_LIFECYCLE = ("status", "replaced_by")


# -- git ----------------------------------------------------------------------------------


def _git(repo_root: Path, *args: str, data: bytes | None = None) -> bytes:
    try:
        completed = subprocess.run(
            ["git", "-C", str(repo_root), *args], input=data, capture_output=True, timeout=120, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise StratlintError(f"git could not be run: {error}") from None
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise StratlintError(f"git {args[0]} failed: {detail[-1] if detail else 'no message'}")
    return completed.stdout


def resolve_base(repo_root: Path, base: str) -> str:
    if base.startswith("-"):
        raise StratlintError(f"'{base}' is not a revision.")
    try:
        return _git(repo_root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}").decode().strip()
    except StratlintError:
        raise StratlintError(f"'{base}' is not a commit in {repo_root}; pass a branch, tag or commit.") from None


def tree_blobs(repo_root: Path, commit: str, root_path: str) -> dict[str, str]:
    """path (relative to the repository) -> blob id, for every file under the root at ``commit``."""
    spec = "." if root_path in ("", ".") else root_path
    out = _git(repo_root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", spec)
    blobs = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == b"blob":
            blobs[name.decode("utf-8", "surrogateescape")] = parts[2].decode()
    return blobs


def working_blobs(repo_root: Path, paths: list[str]) -> dict[str, str]:
    """The blob id each working-tree file would have if added now (``git hash-object``)."""
    paths = [path for path in paths if "\n" not in path and (repo_root / path).is_file()]
    if not paths:
        return {}
    out = _git(repo_root, "hash-object", "--stdin-paths", data="".join(p + "\n" for p in paths).encode())
    return dict(zip(paths, out.decode().split(), strict=True))


def read_blobs(repo_root: Path, blob_ids: list[str]) -> dict[str, bytes]:
    """The bytes of each blob, through one ``git cat-file --batch``."""
    if not blob_ids:
        return {}
    out = _git(repo_root, "cat-file", "--batch", data="".join(b + "\n" for b in blob_ids).encode())
    found: dict[str, bytes] = {}
    position = 0
    for blob in blob_ids:
        header_end = out.index(b"\n", position)
        header = out[position:header_end].split()
        if len(header) != 3:
            raise StratlintError(f"git cat-file could not read blob {blob}.")
        size = int(header[2])
        found[blob] = out[header_end + 1 : header_end + 1 + size]
        position = header_end + 1 + size + 1
    return found


def _is_strategy_file(path: str, root_path: str) -> bool:
    inner = path if root_path in ("", ".") else path[len(root_path) + 1 :]
    return path.endswith(YAML_SUFFIXES) and not any(part.startswith(".") for part in inner.split("/")[:-1])


# -- the two sides ------------------------------------------------------------------------


@dataclass(slots=True)
class Sides:
    base: LintResult
    head: LintResult
    changed_files: list[str]


def load_sides(settings: Settings, base: str) -> Sides:
    loaded_head, repo_root, root_path = load_strategy(settings)
    if not (repo_root / ".git").exists():
        raise StratlintError(f"{settings.root} is not inside a git repository; impact --diff compares commits.")
    commit = resolve_base(repo_root, base)
    lock_head = load_lock(settings, repo_root, root_path)
    at_base = tree_blobs(repo_root, commit, root_path)
    lock_rel = lock_path(root_path)
    base_files = {path: blob for path, blob in at_base.items() if _is_strategy_file(path, root_path)}
    by_path = {item.path: item for item in loaded_head}
    current = working_blobs(repo_root, sorted(set(by_path) | ({lock_rel} if lock_head.present else set())))
    changed = sorted(
        {path for path, blob in base_files.items() if current.get(path) != blob}
        | {path for path in by_path if path not in base_files}
    )
    wanted = [blob for path, blob in base_files.items() if current.get(path) != blob]
    lock_blob = at_base.get(lock_rel)
    if lock_blob is not None and current.get(lock_rel) != lock_blob:
        wanted.append(lock_blob)
    data = read_blobs(repo_root, wanted)
    loaded_base: list[LoadedArtifact] = []
    for path, blob in sorted(base_files.items()):
        if current.get(path) == blob and path in by_path:
            loaded_base.append(by_path[path])
        else:
            loaded_base.append(load_bytes(data[blob], path))
    if lock_blob is None:
        lock_base = None
    elif current.get(lock_rel) == lock_blob:
        lock_base = lock_head
    else:
        lock_base = lock_from_bytes(data[lock_blob], lock_rel)
    head = analyze(loaded_head, settings, repo_root, root_path, lock=lock_head)
    base_result = analyze(loaded_base, settings, repo_root, root_path, lock=lock_base)
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
        return {
            "id": self.id,
            "type": self.type,
            "path": self.path,
            "line": self.line,
            "change": self.change,
            "fields": [{"field": c.field, "before": c.before, "after": c.after} for c in self.fields],
        }


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
            "owner": self.node.owner,
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
        from stratlint.report.json import diagnostic_dict

        def finding(diagnostic: Diagnostic) -> dict[str, Any]:
            return {**diagnostic_dict(diagnostic), "fingerprint": fingerprint(diagnostic)}

        return {
            "base": self.base,
            "changed_files": self.changed_files,
            "changed_nodes": [change.as_dict() for change in self.changes],
            "dependents": [dependent.as_dict() for dependent in self.dependents],
            "findings": {"added": [finding(d) for d in self.added], "removed": [finding(d) for d in self.removed]},
        }


def _state(node: Node) -> dict[str, Any]:
    state = snapshot(node)
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


def _entry_of(node: Node) -> Node | None:
    probe: Node | None = node
    while probe is not None and probe.type not in _ENTRY_TYPES:
        probe = probe.parent
    return probe


def dependents(base: Graph, head: Graph, changes: list[NodeChange]) -> list[Dependent]:
    found: dict[int, Dependent] = {}

    def add(target_id: str, how: str, changed: str) -> None:
        for edge in head.edges_to.get(target_id, ()):
            entry = _entry_of(edge.source)
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
    base_prints = {fingerprint(d) for d in sides.base.diagnostics}
    head_prints = {fingerprint(d) for d in sides.head.diagnostics}
    return Impact(
        base=base,
        changed_files=sides.changed_files,
        changes=changes,
        dependents=dependents(sides.base.graph, sides.head.graph, changes),
        added=[d for d in sides.head.diagnostics if fingerprint(d) not in base_prints],
        removed=[d for d in sides.base.diagnostics if fingerprint(d) not in head_prints],
        graph=sides.head.graph,
    )
