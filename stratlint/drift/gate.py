"""The go/no-go checklist ``stratlint gate`` prints for a release plan. Pure: reads a lint
result's findings and graph, writes nothing.

Which findings block a release is declared by each rule (``Rule.gate``): by default those
at error severity; a suspect reference blocks although it is a warning (a release must not
go out on a story nobody re-read); and the release rule that restates what blocks an entry
is not listed again next to the entry's own findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from stratlint.diagnostics import Diagnostic, Severity
from stratlint.drift.release import matching, release_nodes, release_parts
from stratlint.graph import Graph, Node
from stratlint.load.artifact import LoadedArtifact
from stratlint.model import NodeType
from stratlint.model.release import Release
from stratlint.rules import BY_CODE, GateEffect

_PARTS = ("ships", "launch_messages", "enablement_plays")


@dataclass(slots=True)
class ChecklistEntry:
    id: str
    label: str
    status: str | None
    owner: str | None
    path: str | None
    line: int | None
    blockers: list[str] = field(default_factory=list)
    shipped: bool = False
    """A roadmap item the release ships: it lists its launch messages and enablement plays."""
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
        if self.shipped:
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
    readable: bool = True
    """False when the release file itself could not be read: ``blockers`` then say why."""
    sign_off: list[str] = field(default_factory=list)
    """Approvals still open: an approver pending or calling no-go, or no approver at all."""
    readiness: bool = False
    """Only readiness was checked (``gate --readiness``): everything but the approvals."""

    @property
    def go(self) -> bool:
        parts = [*self.items, *self.messages, *self.plays]
        return self.readable and not self.blockers and not self.sign_off and all(part.ready for part in parts)

    @property
    def open_points(self) -> int:
        parts = [*self.items, *self.messages, *self.plays]
        return sum(not part.ready for part in parts) + len(self.blockers) + len(self.sign_off)

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
            "sign_off": list(self.sign_off),
            "check": "readiness" if self.readiness else "release",
        }


def find_release(graph: Graph, wanted: str, wanted_path: str | None) -> Node | None:
    """The release with id ``wanted``, or in the file at ``wanted_path`` (relative to the repository)."""
    for node in release_nodes(graph.of_type(NodeType.ARTIFACT)):
        if node.id == wanted or (wanted_path is not None and node.artifact.path == wanted_path):
            return node
    return None


def _inside(diagnostic: Diagnostic, path: str, pointer: str) -> bool:
    if diagnostic.path != path:
        return False
    return diagnostic.pointer == pointer or diagnostic.pointer.startswith(pointer + "/")


def _blocking(diagnostic: Diagnostic) -> bool:
    rule = BY_CODE.get(diagnostic.code)
    effect = rule.gate if rule is not None else GateEffect.BY_SEVERITY
    if effect is GateEffect.BLOCKS:
        return True
    return effect is GateEffect.BY_SEVERITY and diagnostic.severity >= Severity.ERROR


def _where(diagnostic: Diagnostic) -> str:
    return f"{diagnostic.message} ({diagnostic.path}:{diagnostic.line})"


def unreadable_checklist(item: LoadedArtifact) -> Checklist:
    """The checklist of a release whose file could not be read: no-go, with the file's problems."""
    blockers = [f"{item.path}:{problem.line}:{problem.column}: {problem.message}" for problem in item.problems]
    return Checklist(item.path, "", "", None, item.path, [], [], [], [], blockers, readable=False)


_IN_MARKET = {"launch_messages": "live", "enablement_plays": "active"}
"""The status a launch message and an enablement play must have before the release goes out."""


def build_checklist(
    diagnostics: Sequence[Diagnostic], graph: Graph, release: Node, *, readiness: bool = False
) -> Checklist:
    """The go/no-go checklist of ``release``. GO needs every part ready (no blocking
    finding; launch messages live and enablement plays active), and, unless only
    ``readiness`` is asked, every approver's go."""
    entry = release.entry
    assert isinstance(entry, Release)
    path = release.artifact.path
    blocking = [d for d in diagnostics if _blocking(d)]
    in_release = [d for d in blocking if d.path == path]
    pointers = {
        (name, index): f"{release.pointer}/{name}/{index}"
        for name in _PARTS
        for index in range(len(getattr(entry, name)))
    }
    in_parts = {part: [d for d in in_release if _inside(d, path, pointer)] for part, pointer in pointers.items()}
    listed = {id(d) for found in in_parts.values() for d in found}
    release_wide = [_where(d) for d in in_release if id(d) not in listed]
    messages = release_parts(graph, release, "launch_messages")
    plays = release_parts(graph, release, "enablement_plays")

    def part(field_name: str, index: int, node_id: str, node: Node | None) -> ChecklistEntry:
        own = [d.message for d in in_parts[(field_name, index)]]
        if node is None:
            return ChecklistEntry(node_id, f"'{node_id}'", None, None, None, None, own or ["It does not exist."])
        status = getattr(node.entry, "status", None)
        found = ChecklistEntry(
            node.id,
            node.label,
            str(status) if status is not None else None,
            node.effective_owner,
            node.artifact.path,
            node.id_span.line,
            own + [_where(d) for d in blocking if _inside(d, node.artifact.path, node.pointer)],
        )
        wanted = _IN_MARKET.get(field_name)
        if wanted is not None and found.status != wanted:
            found.blockers.append(
                f"It is {found.status or 'without a status'}, not {wanted}: it is not ready to go out."
            )
        if field_name == "ships":
            found.shipped = True
            found.messages = [m.id for m in matching(graph, node, messages)]
            found.plays = [p.id for p in matching(graph, node, plays)]
        return found

    approvers = [approver.model_dump(mode="json") for approver in entry.approvers]
    sign_off = []
    for approver in entry.approvers:
        if approver.decision == "no-go":
            reason = f": {approver.reason}" if approver.reason else ""
            sign_off.append(f"{approver.who} called no-go{reason}")
        elif approver.decision != "go":
            sign_off.append(f"{approver.who} has not approved yet ({approver.decision})")
    if not entry.approvers:
        sign_off.append("No approver is named: add 'approvers:' with who must say go.")
    return Checklist(
        release_id=release.id,
        name=entry.name,
        target_date=entry.target_date,
        owner=entry.owner,
        path=path,
        items=[part("ships", i, node_id, node) for i, node_id, node in release_parts(graph, release, "ships")],
        messages=[part("launch_messages", i, node_id, node) for i, node_id, node in messages],
        plays=[part("enablement_plays", i, node_id, node) for i, node_id, node in plays],
        approvers=approvers,
        blockers=release_wide,
        sign_off=[] if readiness else sign_off,
        readiness=readiness,
    )
