"""Incremental checks: after an edit, look again only at what the edit can change.

``stratlint check`` keeps a snapshot of its last result, per strategy root, next to the
load cache: for every file, its content key, its facts (stratlint.speed.facts), its findings
(after the policy and its suppressions), the findings its comments and waivers silence,
and what its entries trace to; and
the findings of the strategy-wide rules. The next run reads every file and compares:

- nothing changed: the snapshot is the result, and no file is parsed;
- some plan files changed (roadmap, messaging, playbook, release; up to a fifth of the
  files), and their interface did not (a reworded title, a new rationale, another
  owner): the changed files, and the files whose entries reference their nodes, are
  checked again by the rules that are not strategy-wide, on a graph of just those files
  and what they reference; every other file keeps its findings, and the strategy-wide
  findings stand;
- some plan files changed only in what they reference (an item now serves another
  priority or tells another claim; their shape, ``FileFacts.shape``, did not change): what
  every file rule can see of the rest of the strategy through its ``Lookup`` (which ids
  exist, of which types, which files did not load, the primary priority, the names) is
  what it was, so file rules can conclude anything new only in the changed files and in
  the files whose entries reach their nodes (on the old references or the new). The
  strategy-wide rules run again, on the whole graph (the load cache makes it cheap); the
  changed files, the files that reference them, and the files where the strategy-wide
  findings are not what they were are checked again by the file rules, with their
  suppressions; every other file keeps its findings;
- anything else (a file added, removed, or changed in what it declares; a value,
  narrative, priorities or governance file changed; other settings, another stratlint,
  another day): a full run.

Both ways give the same result; tests compare them edit by edit. The snapshot is keyed
by everything that can change a finding besides the files themselves (see
``analysis_key``), signed like the load cache, and ignored when it does not verify.
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stratlint.analysis.alignment import EntryTrace, entry_traces
from stratlint.analysis.engine import Analysis, Engine, collector_paused, notes
from stratlint.analysis.suppressions import Silenced, apply_suppressions
from stratlint.diagnostics import Diagnostic, Edit, Fix, RelatedLocation, Severity, Span
from stratlint.graph import FileView, Graph, GraphBuilder, Lookup, Node, file_views
from stratlint.load.artifact import LoadedArtifact
from stratlint.load.loader import Loader, Source, StrategySources
from stratlint.model import NodeType
from stratlint.rules import CheckContext
from stratlint.speed.cache import cache_file, cache_secret, package_stamp, read_signed, write_signed
from stratlint.speed.facts import FileFacts, StrategyIndex, facts_of

STRATEGY_KINDS = frozenset({"value", "narrative", "priorities", "governance", "market"})
"""Kinds whose content strategy-wide rules read beyond their interface (a claim's proof
points, a proof point's age, which priority is primary): a change to one is a full run."""

MAX_RECHECK_SHARE = 0.2
"""Above this share of the files to check again, a full run is as quick."""

_FORMAT = 5


# -- diagnostics as plain values -------------------------------------------------------------


def _span(span: Span) -> tuple[int, int, int, int]:
    return (span.line, span.column, span.end_line, span.end_column)


def _pack_fix(fix: Fix | None) -> tuple[Any, ...] | None:
    if fix is None:
        return None
    edits = tuple((e.path, _span(e.span), e.text, e.pointer, e.replaces) for e in fix.edits)
    return (fix.message, fix.safe, edits, fix.stamps, fix.stamp_all)


def _unpack_fix(packed: Sequence[Any] | None) -> Fix | None:
    if packed is None:
        return None
    message, safe, edits, stamps, stamp_all = packed
    return Fix(
        message,
        safe,
        tuple(Edit(path, Span(*span), text, pointer, replaces) for path, span, text, pointer, replaces in edits),
        tuple(tuple(key) for key in stamps),
        stamp_all,
    )


def pack_diagnostic(d: Diagnostic) -> tuple[Any, ...]:
    related = tuple((r.path, _span(r.span), r.message) for r in d.related)
    fix = _pack_fix(d.fix)
    return (
        d.code,
        d.name,
        int(d.severity),
        d.message,
        d.path,
        _span(d.span),
        d.pointer,
        d.subject,
        related,
        d.about,
        fix,
    )


def unpack_diagnostic(packed: Sequence[Any]) -> Diagnostic:
    code, name, severity, message, path, span, pointer, subject, related, about, fix = packed
    return Diagnostic(
        code=code,
        name=name,
        severity=Severity(severity),
        message=message,
        path=path,
        span=Span(*span),
        pointer=pointer,
        subject=subject,
        related=tuple(RelatedLocation(r_path, Span(*r_span), r_message) for r_path, r_span, r_message in related),
        about=tuple(about),
        fix=_unpack_fix(fix),
    )


def pack_silenced(s: Silenced) -> tuple[Any, ...]:
    return (s.by, s.reason, pack_diagnostic(s.diagnostic))


def unpack_silenced(packed: Sequence[Any]) -> Silenced:
    by, reason, diagnostic = packed
    return Silenced(unpack_diagnostic(diagnostic), by, reason)


def points_into(diagnostic: Diagnostic, paths: set[str]) -> bool:
    return diagnostic.path in paths or any(item.path in paths for item in diagnostic.related)


# -- the snapshot ---------------------------------------------------------------------------------


@dataclass(slots=True)
class FileRecord:
    """What the last run concluded about one file."""

    content: bytes
    facts: FileFacts
    findings: tuple[Diagnostic, ...]
    """Findings in this file, after the policy and the file's suppressions."""
    silenced: tuple[Silenced, ...]
    """Findings in this file that a comment or a waiver silences (a waiver's still count
    against alignment)."""
    traces: tuple[EntryTrace, ...]
    """What the entries of a function's plan file trace to."""
    """(function, counts) for a function's plan file."""


@dataclass(slots=True)
class Snapshot:
    files: dict[str, FileRecord]
    """By path, in load order."""
    strategy_findings: tuple[Diagnostic, ...]
    """Findings of the strategy-wide rules, after the policy, before suppressions."""
    elsewhere: tuple[Diagnostic, ...]
    """Findings at paths that are no file of the run (the lock file, the strategy folder)."""
    notes: tuple[str, ...]

    def diagnostics(self) -> list[Diagnostic]:
        found = [d for record in self.files.values() for d in record.findings]
        found += self.elsewhere
        return found

    def pack(self) -> bytes:
        files = [
            (
                path,
                r.content,
                r.facts.pack(),
                [pack_diagnostic(d) for d in r.findings],
                [pack_silenced(d) for d in r.silenced],
                [trace.pack() for trace in r.traces],
            )
            for path, r in self.files.items()
        ]
        return marshal.dumps(
            (
                _FORMAT,
                files,
                [pack_diagnostic(d) for d in self.strategy_findings],
                [pack_diagnostic(d) for d in self.elsewhere],
                list(self.notes),
            )
        )

    @classmethod
    def unpack(cls, blob: bytes | memoryview) -> Snapshot | None:
        try:
            version, files, strategy, elsewhere, notes = marshal.loads(blob)
            if version != _FORMAT:
                return None
            records = {
                path: FileRecord(
                    content,
                    FileFacts.unpack(facts),
                    tuple(unpack_diagnostic(d) for d in findings),
                    tuple(unpack_silenced(d) for d in silenced),
                    tuple(EntryTrace.unpack(trace) for trace in traces),
                )
                for path, content, facts, findings, silenced, traces in files
            }
            return cls(
                records,
                tuple(unpack_diagnostic(d) for d in strategy),
                tuple(unpack_diagnostic(d) for d in elsewhere),
                tuple(notes),
            )
        except Exception:
            return None


@dataclass(slots=True)
class SnapshotStore:
    path: Path
    key: str
    secret: bytes

    @classmethod
    def open(cls, folder: Path, root: Path, key: str) -> SnapshotStore | None:
        secret = cache_secret()
        return None if secret is None else cls(cache_file(folder, root, "results"), key, secret)

    def read(self) -> Snapshot | None:
        payload = read_signed(self.path, self.secret)
        if payload is None:
            return None
        try:
            key, blob = marshal.loads(payload)
        except Exception:
            return None
        return Snapshot.unpack(blob) if key == self.key else None

    def write(self, snapshot: Snapshot) -> None:
        write_signed(self.path, self.secret, marshal.dumps((self.key, snapshot.pack())))


def analysis_key(load_key: str, parts: Iterable[object]) -> str:
    """Everything besides the files that decides a finding: what decides loading
    (``load_key``), the rules' code, and the run's settings and review lock (``parts``,
    by their repr)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{load_key}\n{package_stamp()}\n".encode())
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


# -- planning ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Plan:
    """What an incremental run checks again."""

    recheck: list[str]
    """The changed files and the files that reference their nodes, in load order."""
    graph_files: list[str]
    """The files the partial graph is built from, in load order: those to check again,
    every value, narrative, priorities and governance file, and what they reference."""
    index: StrategyIndex


def plan(
    snapshot: Snapshot, changed: Mapping[str, FileFacts], content_kinds: frozenset[str] = STRATEGY_KINDS
) -> Plan | None:
    """The plan for checking ``changed`` files (path -> new facts) again, or None when only a
    full run gives the right result. The run has the snapshot's files, in its order (the
    caller checks that no file was added, removed or renamed). ``content_kinds`` are the
    kinds whose content strategy-wide rules read (STRATEGY_KINDS, and those an
    organisation's strategy-wide rules read): a change to one is a full run."""
    order = list(snapshot.files)
    for path, facts in changed.items():
        old = snapshot.files[path].facts
        if old.interface != facts.interface or old.kind in content_kinds or facts.kind in content_kinds:
            return None
    touched = set(changed)
    if any(points_into(d, touched) for d in snapshot.strategy_findings):
        return None
    facts_now = [changed.get(path) or record.facts for path, record in snapshot.files.items()]
    index = StrategyIndex(facts_now)
    recheck = index.referrers(touched)
    if len(recheck) > max(1, int(len(order) * MAX_RECHECK_SHARE)):
        return None
    by_path = {facts.path: facts for facts in facts_now}
    first = index.first_definitions()
    wanted = set(recheck) | {facts.path for facts in facts_now if facts.kind in STRATEGY_KINDS}
    # The first definition of every id the checked files declare, so each keeps its place.
    wanted |= {first[node_id][1] for path in recheck for node_id, _ in by_path[path].declared if node_id in first}
    frontier = set(wanted)
    while frontier:
        targets = {target for path in frontier for target in by_path[path].targets}
        frontier = {first[target][1] for target in targets if target in first} - wanted
        wanted |= frontier
    return Plan(
        recheck=[path for path in order if path in recheck],
        graph_files=[path for path in order if path in wanted],
        index=index,
    )


def reference_plan(
    snapshot: Snapshot, changed: Mapping[str, FileFacts], content_kinds: frozenset[str] = STRATEGY_KINDS
) -> set[str] | None:
    """The files the file rules must check again after an edit that changed only what the
    ``changed`` files (path -> new facts) reference, before the strategy-wide findings are
    known: the changed files and the files whose entries reach their nodes, on the old
    references or the new. None when some changed file changed more than its references (or
    did not load whole, or is of one of ``content_kinds``): a full run."""
    for path, facts in changed.items():
        old = snapshot.files[path].facts
        if not (old.loaded and facts.loaded) or old.partial or facts.partial:
            return None
        if old.kind != facts.kind or old.kind in content_kinds or not old.shape or old.shape != facts.shape:
            return None
        if old.declared != facts.declared or old.unloaded != facts.unloaded or old.plan_owner != facts.plan_owner:
            return None  # (all in the shape: said again, for they are what the argument rests on)
    before = StrategyIndex([record.facts for record in snapshot.files.values()])
    after = StrategyIndex([changed.get(path) or record.facts for path, record in snapshot.files.items()])
    return before.referrers(changed) | after.referrers(changed)


def _packed_by_path(found: Iterable[Diagnostic]) -> dict[str, list[tuple[Any, ...]]]:
    by_path: dict[str, list[tuple[Any, ...]]] = {}
    for diagnostic in found:
        by_path.setdefault(diagnostic.path, []).append(pack_diagnostic(diagnostic))
    return by_path


def moved_findings(before: Iterable[Diagnostic], after: Iterable[Diagnostic], paths: Iterable[str]) -> set[str]:
    """The ``paths`` where the findings ``after`` are not those ``before``, in order."""
    old, new = _packed_by_path(before), _packed_by_path(after)
    return {path for path in paths if old.get(path) != new.get(path)}


# -- the analyzer ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartialLookup:
    """What file rules ask about the rest of the strategy, on a graph of part of it: nodes
    from the graph (it holds everything the checked files reference), and the facts about
    the whole from every file's facts."""

    graph: Graph
    index: StrategyIndex

    def node(self, node_id: str) -> Node | None:
        return self.graph.node(node_id)

    def ids_of_types(self, types: frozenset[NodeType]) -> Sequence[str]:
        return self.index.ids_of_types(types)

    def unloaded_ids(self) -> frozenset[str]:
        return self.index.unloaded_ids()

    def primary_priority(self) -> Node | None:
        return self.graph.primary_priority()


@dataclass(frozen=True, slots=True)
class IncrementalAnalyzer:
    """The engine's analysis, from the last run's snapshot and the files that changed since
    (see the module docstring); a full run, which writes the snapshot, otherwise."""

    engine: Engine
    store: SnapshotStore
    quick: Loader
    """Loads the few files an incremental run looks at (the load cache is not worth reading for them)."""

    def analyze(self, strategy: StrategySources, context: CheckContext) -> Analysis:
        with collector_paused():
            snapshot = self.store.read()
            if snapshot is not None:
                again = self._again(snapshot, strategy, context)
                if again is not None:
                    return again
            graph = self.engine.build(strategy)
            return self._full(graph, strategy, self.engine.check_strategy(graph, context), context)

    def _full(
        self, graph: Graph, strategy: StrategySources, strategy_found: list[Diagnostic], context: CheckContext
    ) -> Analysis:
        """The engine's analysis of the whole strategy (``graph``, and the strategy-wide
        rules' findings on it), kept as the snapshot."""
        engine = self.engine
        analysis = engine.conclude(graph, [*engine.check_files(file_views(graph), context), *strategy_found], context)
        facts = {item.path: facts_of(item, graph.by_path.get(item.path)) for item in graph.loaded}
        self.store.write(_snapshot_of(analysis, strategy, strategy_found, facts))
        return analysis

    def _again(self, snapshot: Snapshot, strategy: StrategySources, context: CheckContext) -> Analysis | None:
        records = snapshot.files
        sources = strategy.sources
        if len(records) != len(sources) or any(path != s.path for path, s in zip(records, sources, strict=True)):
            return None  # a file added, removed or renamed
        changed = [source for source in sources if records[source.path].content != source.key]
        if not changed:
            return _analysis_of(snapshot, Graph(root_path=strategy.root_path))
        if len(changed) > max(1, int(len(sources) * MAX_RECHECK_SHARE)):
            return None
        # The changed files' facts, from their own nodes (a builder that is never finished:
        # facts need no resolved references).
        alone = GraphBuilder(strategy.root_path)
        loaded: dict[str, LoadedArtifact] = {}

        def take(source: Source, item: LoadedArtifact) -> None:
            loaded[item.path] = item

        self.quick.load(changed, take)
        new_facts = {path: facts_of(item, alone.add(item)) for path, item in loaded.items()}
        reads = frozenset().union(*(rule.reads_content_of for rule in self.engine.rules.strategy_rules))
        work = plan(snapshot, new_facts, STRATEGY_KINDS | reads)
        if work is None:
            return self._references_changed(snapshot, strategy, context, new_facts, STRATEGY_KINDS | reads)
        by_path = {source.path: source for source in sources}
        parts = [by_path[path] for path in work.graph_files]
        builder = GraphBuilder(strategy.root_path)
        self.quick.load(
            [Source(s.path, s.raw, s.key, loaded[s.path]) if s.path in loaded else s for s in parts],
            lambda source, item: builder.add(item),
        )
        graph = builder.finish()
        lookup = PartialLookup(graph, work.index)
        recheck = set(work.recheck)
        views = [FileView(item, graph.by_path.get(item.path), lookup) for item in graph.loaded if item.path in recheck]
        found: dict[str, list[Diagnostic]] = {path: [] for path in work.recheck}
        for diagnostic in (*self.engine.check_files(views, context), *snapshot.strategy_findings):
            if diagnostic.path in found:
                found[diagnostic.path].append(diagnostic)
        self._keep(records, views, found, by_path, new_facts, context, lookup)
        self.store.write(snapshot)
        return _analysis_of(snapshot, graph)

    def _references_changed(
        self,
        snapshot: Snapshot,
        strategy: StrategySources,
        context: CheckContext,
        changed: Mapping[str, FileFacts],
        content_kinds: frozenset[str],
    ) -> Analysis | None:
        """The analysis after an edit that changed only what the ``changed`` files reference
        (see the module docstring), or None for a full run."""
        records = snapshot.files
        recheck = reference_plan(snapshot, changed, content_kinds)
        limit = max(1, int(len(records) * MAX_RECHECK_SHARE))
        if recheck is None or len(recheck) > limit:
            return None
        if sorted(_elsewhere(snapshot.strategy_findings, records), key=Diagnostic.sort_key) != list(snapshot.elsewhere):
            return None  # a finding outside the files that no strategy-wide rule made
        engine = self.engine
        graph = engine.build(strategy)
        strategy_found = engine.check_strategy(graph, context)
        # Where a strategy-wide finding came or went, the file's suppressions may silence
        # another finding, or another comment go unused: its findings are concluded again.
        recheck |= moved_findings(snapshot.strategy_findings, strategy_found, records)
        if len(recheck) > limit:
            return self._full(graph, strategy, strategy_found, context)
        views = [view for view in file_views(graph) if view.path in recheck]
        file_found = engine.check_files(views, context)
        if any(diagnostic.path not in recheck for diagnostic in file_found):
            return self._full(graph, strategy, strategy_found, context)  # a finding in a file not checked again
        found: dict[str, list[Diagnostic]] = {view.path: [] for view in views}
        for diagnostic in (*file_found, *strategy_found):
            if diagnostic.path in found:
                found[diagnostic.path].append(diagnostic)
        by_path = {source.path: source for source in strategy.sources}
        self._keep(records, views, found, by_path, changed, context, graph)
        snapshot.strategy_findings = tuple(strategy_found)
        snapshot.elsewhere = tuple(sorted(_elsewhere(strategy_found, records), key=Diagnostic.sort_key))
        snapshot.notes = notes(graph, context)
        self.store.write(snapshot)
        return _analysis_of(snapshot, graph)

    def _keep(
        self,
        records: dict[str, FileRecord],
        views: Iterable[FileView],
        found: Mapping[str, list[Diagnostic]],
        sources: Mapping[str, Source],
        facts: Mapping[str, FileFacts],
        context: CheckContext,
        lookup: Lookup,
    ) -> None:
        """Each of ``views``' files' record, of its findings ``found`` less those its
        suppressions silence, and of its new ``facts`` (or, when they did not change, the old)."""
        engine = self.engine
        for view in views:
            suppressed = apply_suppressions(found[view.path], [view.loaded], engine.policy, context.today, engine.rules)
            records[view.path] = FileRecord(
                sources[view.path].key,
                facts.get(view.path) or records[view.path].facts,
                tuple(sorted(suppressed.kept, key=Diagnostic.sort_key)),
                tuple(suppressed.silenced),
                () if view.artifact is None else entry_traces(lookup, view.artifact),
            )


def _elsewhere(found: Iterable[Diagnostic], files: Mapping[str, object]) -> list[Diagnostic]:
    """The findings at paths that are no file of the run (the strategy folder, the lock)."""
    return [diagnostic for diagnostic in found if diagnostic.path not in files]


def _snapshot_of(
    analysis: Analysis,
    strategy: StrategySources,
    strategy_found: Sequence[Diagnostic],
    facts: Mapping[str, FileFacts],
) -> Snapshot:
    by_path: dict[str, list[Diagnostic]] = {source.path: [] for source in strategy.sources}
    elsewhere: list[Diagnostic] = []
    for diagnostic in analysis.findings:
        by_path.get(diagnostic.path, elsewhere).append(diagnostic)
    files = {
        source.path: FileRecord(
            source.key,
            facts[source.path],
            tuple(by_path[source.path]),
            tuple(s for s in analysis.silenced if s.diagnostic.path == source.path),
            analysis.traces.get(source.path, ()),
        )
        for source in strategy.sources
    }
    return Snapshot(files, tuple(strategy_found), tuple(elsewhere), analysis.notes)


def _analysis_of(snapshot: Snapshot, graph: Graph) -> Analysis:
    records = snapshot.files
    unread = {
        r.facts.plan_owner
        for r in records.values()
        if (not r.facts.loaded or r.facts.partial) and r.facts.plan_owner is not None
    }
    return Analysis(
        graph,
        tuple(sorted(snapshot.diagnostics(), key=Diagnostic.sort_key)),
        tuple(records),
        tuple(s.diagnostic for record in records.values() for s in record.silenced if s.by == "waiver"),
        {path: record.traces for path, record in records.items() if record.traces},
        tuple(sorted(unread)),
        snapshot.notes,
        tuple(s for record in records.values() for s in record.silenced),
    )
