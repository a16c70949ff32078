"""Release plans: which narrative nodes an item shares with its launch messages and plays,
and the go/no-go checklist ``stratlint gate`` prints. Pure: reads a lint result, writes nothing.

Sharing a narrative node. Two entries share a narrative node when one of the pillars or claims
the first references is one the second references, or is the pillar of a claim the second
references (or the other way round). A claim and its own pillar count as shared: a launch
message that tells the pillar "Continuous close" supports a roadmap item that builds the claim
"close in three days" under it. Two different claims under the same pillar do not count: they
are different promises.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from stratlint.diagnostics import Diagnostic, Severity
from stratlint.graph import Graph, Node
from stratlint.model import NodeType
from stratlint.model.release import Release

_ALWAYS_BLOCKING = frozenset({"suspect-reference", "retired-reference"})


def narrative_ids(graph: Graph, node: Node) -> set[str]:
    return {edge.target_id for edge in graph.references(node, "narrative") if edge.resolves}


def _with_pillars(graph: Graph, ids: set[str]) -> set[str]:
    widened = set(ids)
    for node_id in ids:
        node = graph.nodes.get(node_id)
        if node is not None and node.type is NodeType.CLAIM and node.parent is not None:
            widened.add(node.parent.id)
    return widened


def shared_narrative(graph: Graph, first: Node, second: Node) -> set[str]:
    """The narrative nodes the two entries share, as defined in this module's docstring."""
    a, b = narrative_ids(graph, first), narrative_ids(graph, second)
    return (a & _with_pillars(graph, b)) | (b & _with_pillars(graph, a))


def quarter_of(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def release_nodes(graph: Graph) -> list[Node]:
    """The node of every release plan (one per file of kind 'release')."""
    return [node for node in graph.of_type(NodeType.ARTIFACT) if isinstance(node.entry, Release)]


def release_parts(graph: Graph, release: Node, field_name: str) -> list[tuple[int, str, Node | None]]:
    """(index, id, node or None) for each id listed in a release's field."""
    entry = release.entry
    assert isinstance(entry, Release)
    ids: list[str] = getattr(entry, field_name)
    found = []
    for index, node_id in enumerate(ids):
        node = graph.nodes.get(node_id)
        found.append((index, node_id, node))
    return found


def _matching(graph: Graph, item: Node, candidates: list[tuple[int, str, Node | None]]) -> list[Node]:
    return [node for _, _, node in candidates if node is not None and shared_narrative(graph, item, node)]


# -- the checklist --------------------------------------------------------------------------


@dataclass(slots=True)
class ChecklistEntry:
    id: str
    label: str
    status: str | None
    owner: str | None
    path: str | None
    line: int | None
    blockers: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    plays: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.blockers

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "status": self.status,
            "owner": self.owner,
            "path": self.path,
            "line": self.line,
            "ready": self.ready,
            "blockers": list(self.blockers),
        }
        if self.label.startswith("roadmap item"):
            data["launch_messages"] = list(self.messages)
            data["enablement_plays"] = list(self.plays)
        return data


@dataclass(slots=True)
class Checklist:
    release_id: str
    name: str
    target_date: str
    owner: str | None
    path: str
    items: list[ChecklistEntry]
    messages: list[ChecklistEntry]
    plays: list[ChecklistEntry]
    approvers: list[dict[str, Any]]
    blockers: list[str]
    """Release-wide blockers: metrics, dates, no-go calls, problems in the release file."""

    @property
    def go(self) -> bool:
        parts = [*self.items, *self.messages, *self.plays]
        return not self.blockers and all(part.ready for part in parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "release": self.release_id,
            "name": self.name,
            "target_date": self.target_date,
            "owner": self.owner,
            "path": self.path,
            "decision": "go" if self.go else "no-go",
            "items": [entry.as_dict() for entry in self.items],
            "launch_messages": [entry.as_dict() for entry in self.messages],
            "enablement_plays": [entry.as_dict() for entry in self.plays],
            "approvers": self.approvers,
            "blockers": list(self.blockers),
        }


def find_release(graph: Graph, wanted: str, wanted_path: str | None) -> Node | None:
    """The release with id ``wanted``, or in the file at ``wanted_path`` (relative to the repository)."""
    for node in release_nodes(graph):
        if node.id == wanted or (wanted_path is not None and node.artifact.path == wanted_path):
            return node
    return None


def _inside(diagnostic: Diagnostic, node: Node) -> bool:
    if diagnostic.path != node.artifact.path:
        return False
    return diagnostic.pointer == node.pointer or diagnostic.pointer.startswith(node.pointer + "/")


def _blocking(diagnostic: Diagnostic) -> bool:
    return diagnostic.severity >= Severity.ERROR or diagnostic.name in _ALWAYS_BLOCKING


def _where(diagnostic: Diagnostic) -> str:
    return f"{diagnostic.message} ({diagnostic.path}:{diagnostic.line})"


_POINTER = re.compile(r"^/(ships|launch_messages|enablement_plays)/(\d+)")


def build_checklist(diagnostics: tuple[Diagnostic, ...], graph: Graph, release: Node) -> Checklist:
    entry = release.entry
    assert isinstance(entry, Release)
    blocking = [d for d in diagnostics if _blocking(d)]
    in_release = [d for d in blocking if d.path == release.artifact.path and d.name != "release-item-suspect"]
    by_part: dict[tuple[str, int], list[Diagnostic]] = {}
    release_wide: list[str] = []
    for diagnostic in in_release:
        match = _POINTER.match(diagnostic.pointer)
        if match:
            by_part.setdefault((match[1], int(match[2])), []).append(diagnostic)
        else:
            release_wide.append(_where(diagnostic))
    messages = release_parts(graph, release, "launch_messages")
    plays = release_parts(graph, release, "enablement_plays")

    def part(field_name: str, index: int, node_id: str, node: Node | None) -> ChecklistEntry:
        own = [d.message for d in by_part.get((field_name, index), [])]
        if node is None:
            return ChecklistEntry(node_id, f"'{node_id}'", None, None, None, None, own or ["It does not exist."])
        status = getattr(node.entry, "status", None)
        found = ChecklistEntry(
            node.id,
            node.label,
            str(status) if status is not None else None,
            node.owner,
            node.artifact.path,
            node.id_span.line,
            own + [_where(d) for d in blocking if _inside(d, node)],
        )
        if field_name == "ships":
            found.messages = [m.id for m in _matching(graph, node, messages)]
            found.plays = [p.id for p in _matching(graph, node, plays)]
        return found

    approvers = [approver.model_dump(mode="json") for approver in entry.approvers]
    for approver in entry.approvers:
        if approver.decision == "no-go":
            reason = f": {approver.reason}" if approver.reason else ""
            release_wide.append(f"{approver.who} called no-go{reason}")
    return Checklist(
        release_id=release.id,
        name=entry.name,
        target_date=entry.target_date,
        owner=entry.owner,
        path=release.artifact.path,
        items=[part("ships", i, node_id, node) for i, node_id, node in release_parts(graph, release, "ships")],
        messages=[part("launch_messages", i, node_id, node) for i, node_id, node in messages],
        plays=[part("enablement_plays", i, node_id, node) for i, node_id, node in plays],
        approvers=approvers,
        blockers=release_wide,
    )
