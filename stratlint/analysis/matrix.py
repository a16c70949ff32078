"""What the HTML report shows, as plain data: the alignment matrix, each entry's trace,
referrers and findings, the strategy's tiers for the graph picture, and the lists of
orphans, stale proof, suspects and retired nodes still cited.

Built once from a run's graph and findings (``build_view``); the reporter
(stratlint.report.html) receives it and never sees the graph. Nothing here scores: the
scores are the run's own (``Summary.alignment``, stratlint.analysis.alignment), and an
entry's standing is read with the same locator and stages the score uses, so the entries
marked aligned here add up to the score's count (a test holds them to it).

Holes are the findings of the rules that look for them, not a second definition: a pillar
one function never touches is SL303 (pillar-coverage-gap), a claim told but not built is
SL301 (unbacked-claim). A hole whose finding a waiver silences is shown as waived, with
the waiver's owner and expiry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from stratlint import speed
from stratlint.analysis.alignment import FUNCTIONS, AlignmentScore, EntryTrace, Locator, findings_on_entries
from stratlint.analysis.check import context_for, load_lock, result_of, run_key
from stratlint.analysis.engine import Analysis
from stratlint.analysis.result import Result
from stratlint.analysis.settings import Settings
from stratlint.analysis.suppressions import resolve
from stratlint.diagnostics import Diagnostic, Stage
from stratlint.drift.gate import build_checklist
from stratlint.drift.release import release_nodes
from stratlint.fileio import finish_writes
from stratlint.graph import INITIATIVE_TYPES, Graph, Node
from stratlint.load.strategy import read_strategy
from stratlint.model import NodeType
from stratlint.model.common import NARRATIVE_NODES, VALUE_NODES
from stratlint.rules import STAGE_OF
from stratlint.rules.execution import evidence_citations

PILLAR_GAP = "SL303"
UNBACKED_CLAIM = "SL301"
ORPHAN, STALE_PROOF, SUSPECT, RETIRED = "SL304", "SL603", "SL601", "SL602"

TIERS = ("value", "narrative", "plans", "releases")
"""The graph picture's tiers, top to bottom. Priorities have a detail, not a place in the picture."""

_TRACE_FIELDS = ("value", "narrative", "priority")
_RELEASE_FIELDS = ("ships", "launch_messages", "enablement_plays")
_TITLE_FIELDS = ("title", "headline", "name", "statement")


@dataclass(frozen=True, slots=True)
class Waiver:
    """The waiver comment that silences a finding: who accepted it, and until when."""

    owner: str | None
    until: str
    """The expiry date, ISO."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A finding as the report shows it: under the entry it stands on, in the lists of
    orphans, stale proof, suspects and retired nodes, and as the hole of a matrix cell."""

    code: str
    name: str
    severity: str
    message: str
    path: str
    line: int | None
    standing: str = "reported"
    """reported, waived (an unexpired waiver silences it) or baselined."""
    owner: str | None = None
    """Who answers for the node it stands on."""
    waiver: Waiver | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    """What one function does for one pillar or claim: its entries there, or the hole."""

    function: str
    entries: tuple[str, ...]
    """The ids of the function's entries that work on the pillar or claim."""
    hole: Finding | None = None
    """The finding of SL303 or SL301 that reports the cell as a hole. When it is waived, its
    waiver says who accepted the hole and until when."""


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """A row of the alignment matrix: a pillar, or a claim (the rows after its pillar)."""

    id: str
    type: str
    """'pillar' or 'claim'."""
    title: str
    pillar: str | None
    """The pillar a claim stands under."""
    cells: tuple[Cell, ...]
    """One per function, in FUNCTIONS order."""

    @property
    def has_hole(self) -> bool:
        return any(cell.hole is not None for cell in self.cells)


@dataclass(frozen=True, slots=True)
class Link:
    """One reference, seen from one end: the node at the other end, and the field that holds
    the reference. One that does not resolve keeps the id as written, with no type."""

    id: str
    type: str
    field: str
    resolves: bool = True
    via: str | None = None
    """For a claim, the pillar it stands under; for a pillar or claim, the narrative."""
    primary: bool = False
    """A priority that is the primary one."""


@dataclass(frozen=True, slots=True)
class EntryView:
    """A roadmap item, message or play, as its detail in the report shows it."""

    id: str
    type: str
    function: str
    title: str
    status: str | None
    owner: str | None
    path: str
    line: int | None
    standing: str
    """aligned, misaligned, waived, baselined (misaligned only by silenced findings), or
    unknown (what it traces to lies in a file that could not be read)."""
    stages: tuple[str, ...]
    """The cascade stages it is misaligned for, in cascade order."""
    trace: tuple[Link, ...]
    referrers: tuple[Link, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class NodeView:
    """A node of the graph picture that is not an entry: a value or narrative node, a release."""

    id: str
    type: str
    tier: str
    title: str
    path: str
    line: int | None
    refs: tuple[Link, ...]
    """What a release plan includes."""
    referrers: tuple[Link, ...]
    under: str | None = None
    """The pillar a claim stands under."""


@dataclass(frozen=True, slots=True)
class Picture:
    """The strategy as tiers: node ids per tier in file order, and the edges between tiers
    (upper id, lower id). The reporter orders and places them."""

    tiers: tuple[tuple[str, ...], ...]
    edges: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ReleaseVerdict:
    """A release plan and the gate's verdict on it (``stratlint gate``)."""

    id: str
    name: str
    go: bool
    open_points: int
    path: str


@dataclass(frozen=True, slots=True)
class Header:
    """What the report was made from: the commit, the day, and the configuration."""

    commit: str | None = None
    commit_date: str | None = None
    judged_on: str = ""
    """The day ages and waivers are judged against."""
    config_file: str | None = None
    config: tuple[tuple[str, str, str], ...] = ()
    """(key, value as written, where it came from)."""
    root: str = "."


@dataclass(frozen=True, slots=True)
class AlignmentView:
    """Everything the HTML report shows, as ``build_view`` makes it from one run."""

    header: Header
    scores: tuple[AlignmentScore, ...]
    releases: tuple[ReleaseVerdict, ...]
    matrix: tuple[MatrixRow, ...]
    entries: tuple[EntryView, ...]
    nodes: tuple[NodeView, ...]
    picture: Picture
    lists: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)
    """'orphans', 'stale', 'suspects', 'retired': the findings of those rules."""
    counts: Mapping[str, int] = field(default_factory=dict)
    files: int = 0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Run:
    """A run as the report needs it: the result, and the analysis behind it (which keeps
    the waived findings and those the baseline hides)."""

    result: Result
    analysis: Analysis
    settings: Settings


def analyze(settings: Settings) -> Run:
    """Lint as ``check`` does (the same loader, the same result), keeping the analysis; never
    incremental, so the graph holds every file."""
    strategy = read_strategy(settings.root, settings.repo_root, settings.max_file_size)
    lock = load_lock(settings, strategy.root_path)
    try:
        analyzer = speed.analyzer(settings, strategy.repo_root, run_key(settings, strategy, lock), incremental=False)
        analysis = analyzer.analyze(strategy, context_for(settings, lock))
    finally:
        finish_writes()
    return Run(result_of(analysis, settings, strategy.repo_root, lock), analysis, settings)


def title_of(node: Node) -> str:
    for name in _TITLE_FIELDS:
        value = getattr(node.entry, name, None)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return node.id


def _status(node: Node) -> str | None:
    status = getattr(node.entry, "status", None)
    return None if status is None else str(getattr(status, "value", status))


def _line(node: Node) -> int | None:
    span = node.id_span
    if not span.positioned:
        span = node.span
    return span.line if span.positioned else None


def _tier(node: Node) -> str | None:
    if node.type in VALUE_NODES:
        return "value"
    if node.type in NARRATIVE_NODES:
        return "narrative"
    if node.type in INITIATIVE_TYPES:
        return "plans"
    if node.type is NodeType.ARTIFACT and node.artifact.kind == "release":
        return "releases"
    if node.type is NodeType.PRIORITY:
        return "priorities"
    return None


def _via(node: Node) -> str | None:
    if node.type is NodeType.CLAIM and node.parent is not None:
        return node.parent.id
    return None


def _link(
    graph: Graph, node: Node | None, target_id: str, field_name: str, resolves: bool, primary: Node | None
) -> Link:
    if node is None:
        return Link(target_id, "", field_name, resolves=False)
    return Link(
        node.id,
        node.type.value,
        field_name,
        resolves=resolves,
        via=_via(node),
        primary=node is primary and primary is not None,
    )


def _referrers(graph: Graph, node: Node, primary: Node | None) -> tuple[Link, ...]:
    found = []
    for edge in graph.referrers(node):
        source = edge.source
        found.append(Link(source.id, source.type.value, edge.field))
    return tuple(dict.fromkeys(found))


def _finding(d: Diagnostic, standing: str, owner: str | None = None, waiver: Waiver | None = None) -> Finding:
    line = d.span.line if d.span.positioned else None
    return Finding(d.code, d.name, d.severity.label, d.message, d.path, line, standing, owner, waiver)


class _Owners:
    """The node a finding stands in (the deepest whose pointer holds it), for its owner."""

    def __init__(self, graph: Graph) -> None:
        self.by_path: dict[str, list[Node]] = {}
        for artifact in graph.artifacts:
            self.by_path[artifact.path] = list(artifact.nodes)

    def node(self, diagnostic: Diagnostic) -> Node | None:
        best: Node | None = None
        for node in self.by_path.get(diagnostic.path, ()):
            pointer = node.pointer
            inside = diagnostic.pointer == pointer or diagnostic.pointer.startswith(pointer + "/") or pointer == ""
            if inside and (best is None or len(pointer) > len(best.pointer)):
                best = node
        return best

    def owner(self, diagnostic: Diagnostic) -> str | None:
        node = self.node(diagnostic)
        return node.effective_owner if node is not None else None


class _Waivers:
    """The waiver comment that silences each waived finding: its owner and expiry."""

    def __init__(self, graph: Graph, today: date) -> None:
        self.today = today
        self.by_path = {
            item.path: [resolve(item.path, comment) for comment in item.comments]
            for item in graph.loaded
            if item.comments
        }

    def of(self, diagnostic: Diagnostic) -> Waiver | None:
        candidates = [
            s
            for s in self.by_path.get(diagnostic.path, ())
            if s.until is not None and s.active(self.today) and s.covers(diagnostic)
        ]
        if not candidates:
            return None
        chosen = min(candidates, key=lambda s: s.file_wide)
        assert chosen.until is not None
        return Waiver(chosen.owner, chosen.until.isoformat())


def entry_standing(
    trace: EntryTrace, held: Mapping[str, set[str]], stages: Mapping[str, set[Stage]]
) -> tuple[str, tuple[str, ...]]:
    """An entry's standing and its cascade stages, as ``alignment.score`` counts them."""
    reasons = set(stages.get(trace.id, ()))
    if not (trace.value and trace.narrative and trace.priority) and not trace.unknown:
        reasons.add(Stage.FRAGMENTED_INTERPRETATION)
    if not trace.answered:
        reasons.add(Stage.AMBIGUITY)
    ordered = tuple(stage.label for stage in Stage if stage in reasons)
    if trace.unknown and not trace.traced:
        return "unknown", ordered
    if not trace.traced or trace.id in held["kept"]:
        return "misaligned", ordered
    if trace.id in held["waived"]:
        return "waived", ordered
    if trace.id in held["baselined"]:
        return "baselined", ordered
    return "aligned", ordered


def build_view(run: Run, header: Header) -> AlignmentView:
    """Everything the HTML report shows, from one run."""
    result, analysis, graph = run.result, run.analysis, run.analysis.graph
    today = run.settings.effective_today()
    reported = list(result.diagnostics)
    kept_all = list(analysis.findings)
    baselined: list[Diagnostic] = []
    if run.settings.baseline is not None:
        _, baselined = run.settings.baseline.split(kept_all)
    waivers = _Waivers(graph, today)
    owners = _Owners(graph)
    standing_of: list[tuple[Diagnostic, str]] = [
        *((d, "reported") for d in reported),
        *((d, "baselined") for d in baselined),
        *((d, "waived") for d in analysis.waived),
    ]

    traces = [trace for found in analysis.traces.values() for trace in found]
    locator = Locator(traces)
    on_entry: dict[str, list[Finding]] = {}
    # The score counts the findings after the baseline as kept, whatever the scope.
    hidden = {id(d) for d in baselined}
    counted = {"kept": [d for d in kept_all if id(d) not in hidden], "waived": analysis.waived, "baselined": baselined}
    held, stages = findings_on_entries(locator, counted, STAGE_OF)
    findings = [
        (d, _finding(d, how, owners.owner(d), waivers.of(d) if how == "waived" else None)) for d, how in standing_of
    ]
    for diagnostic, finding in findings:
        for entry_id in sorted(locator.entries(diagnostic)):
            on_entry.setdefault(entry_id, []).append(finding)

    primary = graph.primary_priority()
    entries = []
    for trace in traces:
        node = graph.nodes.get(trace.id)
        if node is None:
            continue
        standing, staged = entry_standing(trace, held, stages)
        links = [
            _link(graph, edge.target, edge.target_id, edge.field, edge.resolves, primary)
            for edge in node.refs
            if edge.field in _TRACE_FIELDS
        ]
        entries.append(
            EntryView(
                id=trace.id,
                type=node.type.value,
                function=trace.function,
                title=title_of(node),
                status=_status(node),
                owner=node.effective_owner,
                path=trace.path,
                line=_line(node),
                standing=standing,
                stages=staged,
                trace=tuple(links),
                referrers=_referrers(graph, node, primary),
                findings=tuple(on_entry.get(trace.id, ())),
            )
        )
    order = {name: index for index, name in enumerate(run.settings.functions.ids())}
    entries.sort(key=lambda e: (order.get(e.function, len(order)), e.path, e.line or 0))

    matrix = _matrix(graph, _holes(findings))
    nodes, picture = _picture(graph, primary)
    releases = tuple(
        _verdict(reported, graph, node) for node in sorted(release_nodes(graph.of_type(NodeType.ARTIFACT)), key=_key)
    )
    lists = {
        name: tuple(finding for d, finding in findings if d.code == code)
        for name, code in (("orphans", ORPHAN), ("stale", STALE_PROOF), ("suspects", SUSPECT), ("retired", RETIRED))
    }
    return AlignmentView(
        header=header,
        scores=result.summary.alignment,
        releases=releases,
        matrix=matrix,
        entries=tuple(entries),
        nodes=nodes,
        picture=picture,
        lists=lists,
        counts=dict(result.summary.counts),
        files=result.summary.files,
        notes=result.summary.notes,
    )


def _key(node: Node) -> tuple[str, str]:
    return (node.artifact.path, node.pointer)


def _verdict(diagnostics: Sequence[Diagnostic], graph: Graph, node: Node) -> ReleaseVerdict:
    checklist = build_checklist(diagnostics, graph, node)
    return ReleaseVerdict(node.id, checklist.name, checklist.go, checklist.open_points, node.artifact.path)


def _holes(found: Iterable[tuple[Diagnostic, Finding]]) -> dict[tuple[str, str], Finding]:
    """(function, node id) -> the finding of SL303 or SL301 that reports a hole there."""
    holes: dict[tuple[str, str], Finding] = {}
    for diagnostic, finding in found:
        if diagnostic.code == PILLAR_GAP:
            pillar, _, function = diagnostic.subject.rpartition(":")
            holes.setdefault((function, pillar), finding)
        elif diagnostic.code == UNBACKED_CLAIM:
            holes.setdefault(("product", diagnostic.subject), finding)
    return holes


def _matrix(graph: Graph, holes: Mapping[tuple[str, str], Finding]) -> tuple[MatrixRow, ...]:
    """Pillars, each followed by its claims, against the functions. A pillar's cell holds
    the entries that reference it or any of its claims (under 'narrative', or citing a proof
    point that proves it); a claim's, those that reference it."""
    touching: dict[str, dict[str, set[str]]] = {}
    for node in (*graph.of_type(NodeType.PILLAR), *graph.of_type(NodeType.CLAIM)):
        if graph.nodes.get(node.id) is not node:
            continue
        cells = touching.setdefault(node.id, {})
        for edge in (*graph.referrers(node), *evidence_citations(graph, node)):
            work = edge.source if edge.source.type in INITIATIVE_TYPES else edge.source.parent  # an objection's play
            if edge.field not in ("narrative", "proof_points") or work is None or work.type not in INITIATIVE_TYPES:
                continue
            if work.function is not None:
                cells.setdefault(work.function.value, set()).add(work.id)
    rows = []
    for pillar in graph.of_type(NodeType.PILLAR):
        if graph.nodes.get(pillar.id) is not pillar or pillar.record:
            continue
        claims = [c for c in graph.of_type(NodeType.CLAIM) if c.parent is pillar and graph.nodes.get(c.id) is c]
        pillar_cells = {f: set(touching.get(pillar.id, {}).get(f, ())) for f in FUNCTIONS}
        for claim in claims:
            for function, ids in touching.get(claim.id, {}).items():
                pillar_cells.setdefault(function, set()).update(ids)
        rows.append(
            MatrixRow(
                pillar.id,
                "pillar",
                title_of(pillar),
                None,
                tuple(Cell(f, tuple(sorted(pillar_cells[f])), holes.get((f, pillar.id))) for f in FUNCTIONS),
            )
        )
        for claim in claims:
            if claim.record:
                continue
            cells = touching.get(claim.id, {})
            rows.append(
                MatrixRow(
                    claim.id,
                    "claim",
                    title_of(claim),
                    pillar.id,
                    tuple(Cell(f, tuple(sorted(cells.get(f, ()))), holes.get((f, claim.id))) for f in FUNCTIONS),
                )
            )
    return tuple(rows)


def _picture(graph: Graph, primary: Node | None) -> tuple[tuple[NodeView, ...], Picture]:
    tiers: dict[str, list[str]] = {tier: [] for tier in TIERS}
    views: list[NodeView] = []
    placed: set[str] = set()
    for node in (node for artifact in graph.artifacts for node in artifact.nodes):
        tier = _tier(node)
        if tier is None or node.record or graph.nodes.get(node.id) is not node:
            continue
        if tier in tiers:
            tiers[tier].append(node.id)
            placed.add(node.id)
        if tier != "plans":
            refs = tuple(
                _link(graph, edge.target, edge.target_id, edge.field, edge.resolves, primary)
                for edge in node.refs
                if edge.field in _RELEASE_FIELDS
            )
            views.append(
                NodeView(
                    node.id,
                    node.type.value,
                    tier,
                    title_of(node),
                    node.artifact.path,
                    _line(node),
                    refs,
                    _referrers(graph, node, primary),
                    _via(node),
                )
            )
    edges: dict[tuple[str, str], None] = {}
    for node_id in tiers["narrative"]:
        node = graph.nodes[node_id]
        if node.type is NodeType.CLAIM and node.parent is not None and node.parent.id in placed:
            edges[(node.parent.id, node_id)] = None
    for node_id in tiers["plans"]:
        for edge in graph.nodes[node_id].refs:
            if edge.field in ("value", "narrative") and edge.resolves and edge.target_id in placed:
                edges[(edge.target_id, node_id)] = None
    for node_id in tiers["releases"]:
        for edge in graph.nodes[node_id].refs:
            if edge.field in _RELEASE_FIELDS and edge.resolves and edge.target_id in placed:
                edges[(edge.target_id, node_id)] = None
    picture = Picture(tuple(tuple(tiers[tier]) for tier in TIERS), tuple(edges))
    return tuple(views), picture


__all__ = ["AlignmentView", "Header", "Run", "analyze", "build_view", "entry_standing"]
