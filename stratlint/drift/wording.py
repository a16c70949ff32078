"""The wording others depend on: which fields of a strategy node count, their digest, and
field-level differences between two versions. Pure: no files, no clock.

A roadmap item, message or play is written against the wording of the value definition,
the narrative and the priorities as they were. The review lock (stratlint.lock) records,
per reference, the digest of the target's meaningful fields when the dependent was last
reviewed (the lock file calls it the target's fingerprint).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from stratlint.drift.lockfile import canonical_json
from stratlint.graph import Node
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
    NodeType.PERSONA: ("name", "role", "segments", "description", "pains"),
    NodeType.USE_CASE: ("name", "description"),
    NodeType.TIER: ("name", "description"),
    NodeType.COMPETITOR: ("name", "description"),
}
"""THE list of fields whose change makes dependents suspect, per node type.

Everything else is bookkeeping and never makes anything suspect: id, owner, tags, links,
notes, status, retired_on, replaced_by -- and, for a pillar, its claims (each claim has
a digest of its own). A retired node is reported by retired-reference instead."""


def wording(node: Node) -> dict[str, Any]:
    """The node's meaningful fields, as plain JSON values (the model, never the text)."""
    return node.entry.model_dump(mode="json", include=set(MEANINGFUL[node.type]))


def digest_of(values: dict[str, Any]) -> str:
    """The digest of a node's meaningful fields, as the lock stores it."""
    return hashlib.sha256(canonical_json(values).encode("utf-8")).hexdigest()[:16]


def node_digest(node: Node) -> str:
    return digest_of(wording(node))


def is_tracked(node: Node) -> bool:
    """Whether others depend on the node's wording (value, narrative and priority nodes)."""
    return node.type in MEANINGFUL


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
