"""Release plans: which narrative nodes an item shares with its launch messages and plays,
the helpers the release rules and the gate share. Pure.

Sharing a narrative node. Two entries share a narrative node when one of the pillars or claims
the first references is one the second references, or is the pillar of a claim the second
references (or the other way round). A claim and its own pillar count as shared: a launch
message that tells the pillar "Continuous close" supports a roadmap item that builds the claim
"close in three days" under it. Two different claims under the same pillar do not count: they
are different promises.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from stratlint.graph import Lookup, Node
from stratlint.model import NodeType
from stratlint.model.release import Release


def narrative_ids(node: Node) -> set[str]:
    return {edge.target_id for edge in node.refs if edge.field == "narrative" and edge.resolves}


def _with_pillars(lookup: Lookup, ids: set[str]) -> set[str]:
    widened = set(ids)
    for node_id in ids:
        node = lookup.node(node_id)
        if node is not None and node.type is NodeType.CLAIM and node.parent is not None:
            widened.add(node.parent.id)
    return widened


def shared_narrative(lookup: Lookup, first: Node, second: Node) -> set[str]:
    """The narrative nodes the two entries share, as defined in this module's docstring."""
    a, b = narrative_ids(first), narrative_ids(second)
    return (a & _with_pillars(lookup, b)) | (b & _with_pillars(lookup, a))


def quarter_of(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def release_nodes(nodes: Iterable[Node]) -> list[Node]:
    """The node of every release plan among ``nodes`` (one per file of kind 'release')."""
    return [node for node in nodes if node.type is NodeType.ARTIFACT and isinstance(node.entry, Release)]


def release_parts(lookup: Lookup, release: Node, field_name: str) -> list[tuple[int, str, Node | None]]:
    """(index, id, node or None) for each id listed in a release's field."""
    entry = release.entry
    assert isinstance(entry, Release)
    ids: list[str] = getattr(entry, field_name)
    return [(index, node_id, lookup.node(node_id)) for index, node_id in enumerate(ids)]


def matching(lookup: Lookup, item: Node, candidates: list[tuple[int, str, Node | None]]) -> list[Node]:
    """The candidates that share a narrative node with ``item``."""
    return [node for _, _, node in candidates if node is not None and shared_narrative(lookup, item, node)]
