"""What a run concludes: the findings, the summary, and what reporters receive."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stratlint.analysis.alignment import AlignmentScore
from stratlint.analysis.suppressions import Silenced
from stratlint.diagnostics import Diagnostic, RuleInfo, Severity
from stratlint.drift.lockfile import Lock
from stratlint.graph import Graph
from stratlint.rules import rule_infos


class Excerpts(Mapping[str, tuple[str, ...]]):
    """The lines of the files findings point into, by path, decoded only when a reporter
    asks (the text report's code frame); machine formats never pay for the decoding."""

    def __init__(self, raw: Mapping[str, bytes]) -> None:
        self._raw = raw
        self._lines: dict[str, tuple[str, ...]] = {}

    def __getitem__(self, path: str) -> tuple[str, ...]:
        lines = self._lines.get(path)
        if lines is None:
            text = self._raw[path].decode("utf-8", "replace").removeprefix("\ufeff")
            lines = self._lines[path] = tuple(text.splitlines())
        return lines

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


@dataclass(frozen=True, slots=True)
class Summary:
    files: int
    counts: dict[str, int]
    alignment: tuple[AlignmentScore, ...]
    waived: int = 0
    """Findings silenced by a waiver that has not expired (a suppression with until=)."""
    baselined: int = 0
    """Findings left out because the baseline records them."""
    notes: tuple[str, ...] = ()
    """Things the user should know that are not findings, e.g. that a file could not be read."""
    scope: str | None = None
    """The folder whose findings alone are reported, when the run named one inside the root."""

    def as_dict(self) -> dict[str, object]:
        return {
            "files": self.files,
            "scope": self.scope,
            "counts": dict(self.counts),
            "waived": self.waived,
            "baselined": self.baselined,
            "alignment": {score.function: score.as_dict() for score in self.alignment},
            "notes": list(self.notes),
        }


def count_severities(diagnostics: Sequence[Diagnostic]) -> dict[str, int]:
    counts = Counter(diagnostic.severity.label for diagnostic in diagnostics)
    return {severity.label: counts.get(severity.label, 0) for severity in reversed(Severity)}


@dataclass(frozen=True, slots=True)
class Report:
    """What a reporter receives: the findings, the summary and the rules' metadata. Never
    the graph: a reporter formats what was found, it does not look for more."""

    diagnostics: tuple[Diagnostic, ...]
    summary: Summary
    repo_root: Path
    fail_on: Severity = Severity.ERROR
    base_summary: Summary | None = None
    """The summary at a base revision, when the run compares against one (``--diff``);
    reporters then show each alignment score's change."""
    files: tuple[str, ...] = ()
    """Every file of the run, relative to the repository root."""
    rules: tuple[RuleInfo, ...] = field(default_factory=rule_infos)
    """Every rule's metadata, from the registry."""
    excerpts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The lines of the files findings point into, by path, for a code frame."""
    silenced: tuple[Silenced, ...] = ()
    """The findings that a comment, a waiver or the baseline silences, in report order: not
    in ``diagnostics``, never counted; SARIF carries them as suppressed results."""

    @property
    def failed(self) -> bool:
        return any(diagnostic.severity >= self.fail_on for diagnostic in self.diagnostics)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


@dataclass(frozen=True, slots=True)
class Result(Report):
    """A run's outcome: its report, and the graph the rules checked, for the commands that
    go on from it (gate, lock, review). ``graph`` holds only the files an incremental run
    checked again."""

    graph: Graph = field(default_factory=Graph)
    lock: Lock = field(default_factory=Lock)
    """The review stamps the run judged suspects by (absent when there is no lock file)."""

    def report(self) -> Report:
        """The report alone, for a reporter."""
        return Report(
            self.diagnostics,
            self.summary,
            self.repo_root,
            self.fail_on,
            self.base_summary,
            self.files,
            self.rules,
            self.excerpts,
            self.silenced,
        )
