"""How aligned each function is: the share of its entries that trace to the value
definition, a narrative node and the primary priority."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from stratlint.graph import INITIATIVE_TYPES, Artifact, Graph, Lookup
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


Counts = tuple[int, int, int, int, int]
"""Entries, traced to all three, to value, to narrative, to the primary priority."""


def artifact_counts(lookup: Lookup, artifact: Artifact) -> Counts | None:
    """The alignment counts of one file's entries (None for a file that is no function's
    plan). A file's counts depend on its own entries and what they reference, so they can
    be kept per file and added up."""
    if artifact.function is None:
        return None
    primary = lookup.primary_priority()
    counts = [0, 0, 0, 0, 0]
    for node in artifact.nodes:
        if node.type not in INITIATIVE_TYPES:
            continue
        value = narrative = serves_primary = False
        for edge in node.refs:
            name = edge.field
            if name == "value":
                value = value or edge.resolves
            elif name == "narrative":
                narrative = narrative or edge.resolves
            elif name == "priority":
                serves_primary = serves_primary or (primary is not None and edge.target is primary)
        counts[0] += 1
        counts[1] += value and narrative and serves_primary
        counts[2] += value
        counts[3] += narrative
        counts[4] += serves_primary
    return (counts[0], counts[1], counts[2], counts[3], counts[4])


def combine(per_file: Iterable[tuple[str, Counts]]) -> tuple[AlignmentScore, ...]:
    """Scores for product, marketing and sales, then overall, from (function, counts) pairs."""
    by_function = {function.value: [0, 0, 0, 0, 0] for function in Function}
    for function, counts in per_file:
        total = by_function[function]
        for index, count in enumerate(counts):
            total[index] += count
    scores = [AlignmentScore(function, *counts) for function, counts in by_function.items()]
    overall = [sum(score_counts) for score_counts in zip(*by_function.values(), strict=True)]
    return (*scores, AlignmentScore("overall", *overall))


def file_counts(lookup: Lookup, artifact: Artifact) -> tuple[str, Counts] | None:
    """(function, counts) of a function's plan file; None for any other file."""
    counts = artifact_counts(lookup, artifact)
    return None if counts is None or artifact.function is None else (artifact.function.value, counts)


def counts_by_file(graph: Graph) -> dict[str, tuple[str, Counts]]:
    """(function, counts) of every function's plan file, by path."""
    return {
        artifact.path: counts for artifact in graph.artifacts if (counts := file_counts(graph, artifact)) is not None
    }
