"""How aligned each function is, and how focused.

An entry (a roadmap item, message or play that is not a record) is **aligned** when all of
these hold:

- it traces to a value node, a narrative node and a declared priority;
- its rationale answers every decision question the priorities ask;
- no error or warning finding stands on it, wherever in the repository that finding is
  reported (after inline suppressions: waived and baselined findings still count).

A function's **score** is the share of its entries that are aligned; its **focus** is the
share that serve the primary priority. A function with a plan file that could not be read
is **incomplete**: its score is not known, never 100%. Each misaligned entry is counted
under the stage of the Misalignment Cascade of each reason it is misaligned.

The traces of each entry come from its own file (``entry_traces``, a file-scoped fact an
incremental run keeps per file); the score is computed from the traces and the findings
(``score``), a pure function the property tests exercise directly.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from stratlint.diagnostics import Diagnostic, Severity, Stage
from stratlint.graph import INITIATIVE_TYPES, Artifact, Lookup, primary_share
from stratlint.load.artifact import LoadedArtifact
from stratlint.model import DEFAULT_FUNCTIONS, plan_owner
from stratlint.rules.decision import decision_questions, unanswered

OVERALL = "overall"
FUNCTIONS = DEFAULT_FUNCTIONS.planning()
"""The functions alignment is reported for without a ``[functions]`` table, in report order."""


@dataclass(frozen=True, slots=True)
class EntryTrace:
    """What one entry traces to, from its own file."""

    id: str
    function: str
    path: str
    pointer: str
    value: bool
    """References a value node (segment, reason we win, differentiator or belief)."""
    narrative: bool
    """References a pillar or claim."""
    priority: bool
    """Names a declared priority."""
    primary: float
    """How much it serves the primary priority: 1 when it names it alone, its weight's share
    when it names several priorities, 0 when it does not name it (graph.primary_share)."""
    answered: bool
    """Its rationale answers every decision question asked."""
    unknown: bool = False
    """Some of what it traces to lies in a file that could not be read: its alignment is not known."""

    @property
    def traced(self) -> bool:
        return self.value and self.narrative and self.priority and self.answered

    def pack(self) -> tuple[object, ...]:
        return (self.id, self.function, self.path, self.pointer, self.value, self.narrative, self.priority,
                self.primary, self.answered, self.unknown)  # fmt: skip

    @classmethod
    def unpack(cls, packed: Sequence[object]) -> EntryTrace:
        return cls(*packed)  # type: ignore[arg-type]


def entry_traces(lookup: Lookup, artifact: Artifact) -> tuple[EntryTrace, ...]:
    """The traces of the entries of a function's plan file (none for any other file)."""
    if artifact.plan_owner is None:
        return ()
    primary = lookup.primary_priority()
    asked = decision_questions(lookup)
    unloaded = lookup.unloaded_ids()
    found = []
    for node in artifact.nodes:
        if node.type not in INITIATIVE_TYPES or node.record:
            continue
        fields = {"value": False, "narrative": False, "priority": False}
        unknown = False
        for edge in node.refs:
            if edge.field in fields and edge.resolves:
                fields[edge.field] = True
            unknown = unknown or (edge.target is None and edge.target_id in unloaded)
        rationale = getattr(node.entry, "rationale", None)
        found.append(
            EntryTrace(
                node.id,
                artifact.plan_owner,
                artifact.path,
                node.pointer,
                fields["value"],
                fields["narrative"],
                fields["priority"],
                primary_share(node, primary),
                not unanswered(rationale, asked),
                unknown,
            )
        )
    return tuple(found)


def unread_functions(loaded: Iterable[LoadedArtifact]) -> tuple[str, ...]:
    """The functions with a plan file that did not load whole: their alignment is not known."""
    found = {
        function
        for item in loaded
        if (item.model is None or item.partial) and (function := plan_owner(item.kind, item.model)) is not None
    }
    return tuple(sorted(found))


@dataclass(frozen=True, slots=True)
class AlignmentScore:
    """One function's alignment (or the overall one, with ``function`` 'overall')."""

    function: str
    entries: int
    aligned: int
    traced: int
    """Entries that trace to value, narrative and a priority and answer the questions."""
    value: int
    narrative: int
    priority: int
    primary: float
    """Entries that serve the primary priority, each by its share (see EntryTrace.primary): the focus."""
    answered: int
    stages: Mapping[str, int] = field(default_factory=dict)
    """Misaligned entries per stage of the Misalignment Cascade (an entry counts once under
    each stage it is misaligned for)."""
    waived: int = 0
    """Entries misaligned only by findings a waiver silences."""
    baselined: int = 0
    """Entries misaligned only by findings the baseline hides (and waivers)."""
    incomplete: bool = False
    """A plan file of the function could not be read: its score is not known."""
    name: str = ""
    """How reports show the function: its display name (the configuration's ``[functions]``)."""

    @property
    def label(self) -> str:
        return self.name or self.function

    @property
    def score(self) -> float | None:
        """Share of entries that are aligned, 0..1; None when there are none, or incomplete."""
        return None if self.incomplete or not self.entries else self.aligned / self.entries

    @property
    def focus(self) -> float | None:
        """Share of entries that serve the primary priority, 0..1; None when there are none."""
        return self.primary / self.entries if self.entries else None

    def percent(self) -> str:
        if self.incomplete:
            return "incomplete"
        return "n/a" if self.score is None else f"{round(self.score * 100)}%"

    def focus_percent(self) -> str:
        return "n/a" if self.focus is None else f"{round(self.focus * 100)}%"

    def as_dict(self) -> dict[str, object]:
        return {
            "function": self.function,
            "entries": self.entries,
            "aligned": self.aligned,
            "score": None if self.score is None else round(self.score, 4),
            "incomplete": self.incomplete,
            "focus": None if self.focus is None else round(self.focus, 4),
            "traced": self.traced,
            "value": self.value,
            "narrative": self.narrative,
            "priority": self.priority,
            "primary_priority": int(self.primary) if self.primary == int(self.primary) else round(self.primary, 4),
            "answered": self.answered,
            "misaligned_by_stage": dict(self.stages),
            "held_back": {"waived": self.waived, "baselined": self.baselined},
        }


@dataclass(frozen=True, slots=True)
class Standing:
    """The findings that stand against entries, by how they stand: counted (kept after
    suppressions), or silenced but still counted (waived, baselined)."""

    kept: Sequence[Diagnostic]
    waived: Sequence[Diagnostic] = ()
    baselined: Sequence[Diagnostic] = ()


_TRACE_STAGE = Stage.FRAGMENTED_INTERPRETATION
"""A missing value, narrative or priority reference: each function reads the strategy its own way."""


def score(
    traces: Iterable[EntryTrace],
    standing: Standing,
    stage_of: Mapping[str, Stage],
    functions: Sequence[str] = FUNCTIONS,
    incomplete: Iterable[str] = (),
    names: Mapping[str, str] | None = None,
) -> tuple[AlignmentScore, ...]:
    """Each function's score, then the overall one. ``stage_of`` gives each rule code's stage;
    ``names`` each function's display name, where it has one."""
    entries = list(traces)
    found = {"kept": standing.kept, "waived": standing.waived, "baselined": standing.baselined}
    held, stages = findings_on_entries(Locator(entries), found, stage_of)
    unread = set(incomplete)
    unread |= {entry.function for entry in entries if entry.unknown}
    shown = names or {}
    scores = [
        _function_score(
            name, [e for e in entries if e.function == name], held, stages, name in unread, shown.get(name, "")
        )
        for name in functions
    ]
    overall = _function_score(OVERALL, entries, held, stages, bool(unread))
    return (*scores, overall)


def _function_score(
    name: str,
    entries: Sequence[EntryTrace],
    held: Mapping[str, set[str]],
    stages: Mapping[str, set[Stage]],
    incomplete: bool,
    label: str = "",
) -> AlignmentScore:
    aligned = waived = baselined = 0
    by_stage: dict[str, int] = {}
    for entry in entries:
        reasons = set(stages.get(entry.id, ()))
        if not (entry.value and entry.narrative and entry.priority) and not entry.unknown:
            reasons.add(_TRACE_STAGE)
        if not entry.answered:
            reasons.add(Stage.AMBIGUITY)
        for stage in reasons:
            by_stage[stage.label] = by_stage.get(stage.label, 0) + 1
        if not entry.traced or entry.id in held["kept"]:
            continue
        if entry.id in held["waived"]:
            waived += 1
        elif entry.id in held["baselined"]:
            baselined += 1
        else:
            aligned += 1
    return AlignmentScore(
        function=name,
        entries=len(entries),
        aligned=aligned,
        traced=sum(entry.traced for entry in entries),
        value=sum(entry.value for entry in entries),
        narrative=sum(entry.narrative for entry in entries),
        priority=sum(entry.priority for entry in entries),
        primary=round(sum(entry.primary for entry in entries), 6),
        answered=sum(entry.answered for entry in entries),
        stages={stage.label: by_stage[stage.label] for stage in Stage if stage.label in by_stage},
        waived=waived,
        baselined=baselined,
        incomplete=incomplete,
        name=label,
    )


def findings_on_entries(
    locator: Locator, found: Mapping[str, Iterable[Diagnostic]], stage_of: Mapping[str, Stage]
) -> tuple[dict[str, set[str]], dict[str, set[Stage]]]:
    """For each standing of ``found`` (kept, waived, baselined), the entries an error or a
    warning stands on; and for each entry, the cascade stages of those findings."""
    held: dict[str, set[str]] = {how: set() for how in found}
    stages: dict[str, set[Stage]] = {}
    for how, diagnostics in found.items():
        for diagnostic in diagnostics:
            if diagnostic.severity < Severity.WARNING:
                continue
            for entry_id in locator.entries(diagnostic):
                held[how].add(entry_id)
                stage = stage_of.get(diagnostic.code)
                if stage is not None:
                    stages.setdefault(entry_id, set()).add(stage)
    return held, stages


class Locator:
    """Which entries a finding stands on: the entry its pointer lies in, and those it names."""

    def __init__(self, entries: Sequence[EntryTrace]) -> None:
        self.ids = {entry.id for entry in entries}
        self.by_path: dict[str, list[tuple[str, str]]] = {}
        for entry in entries:
            self.by_path.setdefault(entry.path, []).append((entry.pointer, entry.id))
        for pointers in self.by_path.values():
            pointers.sort()

    def entries(self, diagnostic: Diagnostic) -> set[str]:
        found = {entry_id for entry_id in diagnostic.about if entry_id in self.ids}
        pointers = self.by_path.get(diagnostic.path)
        if pointers and diagnostic.pointer:
            # Entries do not nest, so the one a pointer lies in sorts right before it.
            index = bisect.bisect_right(pointers, (diagnostic.pointer, "\U0010ffff")) - 1
            if index >= 0:
                pointer, entry_id = pointers[index]
                if diagnostic.pointer == pointer or diagnostic.pointer.startswith(pointer + "/"):
                    found.add(entry_id)
        return found
