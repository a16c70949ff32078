"""How each alignment score moved since a base revision (``check --diff``), for every reporter."""

from __future__ import annotations

from dataclasses import dataclass

from stratlint.analysis.alignment import AlignmentScore
from stratlint.analysis.result import Report

ARROW = "\u2192"


@dataclass(frozen=True, slots=True)
class ScoreChange:
    """One function's score at the base revision and now. Either side may have no entries."""

    function: str
    before: AlignmentScore | None
    after: AlignmentScore | None

    @property
    def points(self) -> int | None:
        """The change in whole percentage points; None when either side has no score."""
        before = None if self.before is None else self.before.score
        after = None if self.after is None else self.after.score
        if before is None or after is None:
            return None
        return round(after * 100) - round(before * 100)

    def describe(self) -> str:
        """'82% → 76%'."""
        before = "n/a" if self.before is None else self.before.percent()
        after = "n/a" if self.after is None else self.after.percent()
        return f"{before} {ARROW} {after}"

    def signed_points(self) -> str:
        points = self.points
        if points is None:
            return ""
        return f"{points:+d} {'pt' if abs(points) == 1 else 'pts'}" if points else "no change"

    def as_dict(self) -> dict[str, object]:
        def score(value: AlignmentScore | None) -> float | None:
            return None if value is None or value.score is None else round(value.score, 4)

        return {"base": score(self.before), "head": score(self.after), "points": self.points}


def score_changes(result: Report) -> list[ScoreChange]:
    """One change per function, in the current summary's order; empty without a base summary."""
    if result.base_summary is None:
        return []
    before = {score.function: score for score in result.base_summary.alignment}
    after = {score.function: score for score in result.summary.alignment}
    functions = [*after, *(name for name in before if name not in after)]
    return [ScoreChange(name, before.get(name), after.get(name)) for name in functions]
