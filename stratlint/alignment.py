"""How aligned each function is: the share of its entries that trace to the value
definition, a narrative node and the primary priority."""

from __future__ import annotations

from dataclasses import dataclass

from stratlint.graph import Graph, Node
from stratlint.model import Function


@dataclass(frozen=True, slots=True)
class AlignmentScore:
    """One function's alignment (or the overall one, with ``function`` 'overall')."""

    function: str
    entries: int
    traced: int
    value: int
    narrative: int
    primary: int

    @property
    def score(self) -> float | None:
        """Share of entries tracing to all three, 0..1; None when there are no entries."""
        return self.traced / self.entries if self.entries else None

    def percent(self) -> str:
        return "n/a" if self.score is None else f"{round(self.score * 100)}%"

    def as_dict(self) -> dict[str, object]:
        return {
            "function": self.function,
            "entries": self.entries,
            "traced": self.traced,
            "score": None if self.score is None else round(self.score, 4),
            "value": self.value,
            "narrative": self.narrative,
            "primary_priority": self.primary,
        }


def _traces(graph: Graph, node: Node, field: str) -> bool:
    return any(edge.resolves for edge in graph.references(node, field))


def score_alignment(graph: Graph) -> tuple[AlignmentScore, ...]:
    """Scores for product, marketing and sales, then overall."""
    primary = graph.primary_priority()
    scores = []
    totals = [0, 0, 0, 0, 0]
    for function in Function:
        counts = [0, 0, 0, 0, 0]
        for node in graph.initiatives(function):
            value = _traces(graph, node, "value")
            narrative = _traces(graph, node, "narrative")
            serves_primary = primary is not None and any(
                edge.target is primary for edge in graph.references(node, "priority")
            )
            counts[0] += 1
            counts[1] += value and narrative and serves_primary
            counts[2] += value
            counts[3] += narrative
            counts[4] += serves_primary
        scores.append(AlignmentScore(function.value, *counts))
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    scores.append(AlignmentScore("overall", *totals))
    return tuple(scores)
