"""The pipeline: sources -> load -> graph -> rules -> policy -> suppressions -> analysis.

The engine takes a Loader and does not know which one it got (serial, cached, forked:
stratlint.speed). Its steps are public so that a faster way to the same analysis (the
incremental run) can compose them: build the graph, check files, check the strategy,
conclude.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from stratlint.analysis.alignment import EntryTrace, entry_traces, unread_functions
from stratlint.analysis.policy import Policy
from stratlint.analysis.suppressions import Silenced, apply_suppressions
from stratlint.diagnostics import Diagnostic
from stratlint.graph import FileView, Graph, GraphBuilder, file_views
from stratlint.load.loader import Loader, StrategySources
from stratlint.rules import BUILT_IN, CheckContext, FileRule, Rule, RuleSet


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the rules, the policy and the suppressions concluded about a strategy."""

    graph: Graph
    """The graph the rules checked (an incremental run's holds only the files it checked again)."""
    findings: tuple[Diagnostic, ...]
    """After the policy and the suppressions, in report order."""
    files: tuple[str, ...]
    """Every file of the strategy, relative to the repository root, in load order."""
    waived: tuple[Diagnostic, ...] = ()
    """Findings an unexpired waiver silences: not reported, but they count against alignment."""
    traces: Mapping[str, tuple[EntryTrace, ...]] = field(default_factory=dict)
    """What each entry of each function's plan file traces to, by path."""
    incomplete: tuple[str, ...] = ()
    """Functions with a plan file that could not be read."""
    notes: tuple[str, ...] = ()
    silenced: tuple[Silenced, ...] = ()
    """Every finding a '# stratlint:' comment silences (waivers included), and why."""


class Analyzer(Protocol):
    """Anything that analyzes a strategy as the engine does: the engine, or a faster way to
    the same result (stratlint.speed)."""

    def analyze(self, strategy: StrategySources, context: CheckContext) -> Analysis: ...


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Loading creates millions of objects that all stay alive; the cyclic garbage
    collector would walk them again and again for nothing. Pause it meanwhile; afterwards,
    freeze what is alive (the loaded strategy, mostly), or the first collection after the
    pause walks all of it at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class Engine:
    loader: Loader
    policy: Policy = field(default_factory=Policy)
    rules: RuleSet = BUILT_IN
    """The rules to check: the registry's, and the organisation's own (stratlint.custom)."""

    def analyze(self, strategy: StrategySources, context: CheckContext) -> Analysis:
        with collector_paused():
            graph = self.build(strategy)
            found = [*self.check_files(file_views(graph), context), *self.check_strategy(graph, context)]
            return self.conclude(graph, found, context)

    def build(self, strategy: StrategySources) -> Graph:
        """Load every source and build the graph, file by file as each is loaded."""
        builder = GraphBuilder(strategy.root_path)
        self.loader.load(strategy.sources, lambda source, artifact: builder.add(artifact))
        return builder.finish()

    def check_files(self, views: Iterable[FileView], context: CheckContext) -> list[Diagnostic]:
        """The file rules' findings in these files, as the policy chooses them."""
        rules = [rule(context) for rule in self.rules.file_rules if self._runs(rule)]
        chosen: dict[tuple[str | None, bool], list[FileRule]] = {}

        def rules_for(view: FileView) -> list[FileRule]:
            # Most rules find things in a few kinds of file only: chosen once per kind.
            key = (view.loaded.kind, bool(view.problems))
            found = chosen.get(key)
            if found is None:
                found = chosen[key] = [rule for rule in rules if rule.applies_to(*key)]
            return found

        return self.policy.apply(finding for view in views for rule in rules_for(view) for finding in rule.check(view))

    def check_strategy(self, graph: Graph, context: CheckContext) -> list[Diagnostic]:
        """The strategy rules' findings, as the policy chooses them."""
        rules = [rule for rule in self.rules.strategy_rules if self._runs(rule)]
        return self.policy.apply(finding for rule in rules for finding in rule(context).check(graph))

    def _runs(self, rule: type[Rule]) -> bool:
        """Whether to run ``rule``: not when the policy leaves it out, for none of its findings
        would be kept. The organisation's batched rules (one runner for many codes) always run;
        the policy sorts their findings."""
        return rule in (self.rules.batched or ()) or self.policy.enabled(rule.code, rule.name)

    def conclude(self, graph: Graph, found: Iterable[Diagnostic], context: CheckContext) -> Analysis:
        """Apply the suppressions, and gather what alignment is measured from."""
        outcome = apply_suppressions(found, graph.loaded, self.policy, context.today, self.rules)
        return Analysis(
            graph,
            tuple(sorted(outcome.kept, key=Diagnostic.sort_key)),
            tuple(item.path for item in graph.loaded),
            tuple(outcome.waived),
            {artifact.path: traces for artifact in graph.artifacts if (traces := entry_traces(graph, artifact))},
            unread_functions(graph.loaded),
            notes(graph, context),
            tuple(outcome.silenced),
        )


def notes(graph: Graph, context: CheckContext) -> tuple[str, ...]:
    """What the user should know that is not a finding."""
    found = []
    unread = sum(1 for item in graph.loaded if item.model is None or item.partial)
    if unread:
        found.append(
            f"{unread} file{'s' if unread != 1 else ''} could not be read in full (see the errors above). Until "
            f"{'they are' if unread != 1 else 'it is'} fixed, alignment is incomplete, and rules that look "
            "for what is missing hold back."
        )
    into: dict[str, int] = {}
    declared_by = {node_id: item.path for item in graph.loaded for node_id in item.declared_ids}
    for edge in graph.edges:
        if edge.target is None and edge.target_id in declared_by:
            into[declared_by[edge.target_id]] = into.get(declared_by[edge.target_id], 0) + 1
    for path, count in into.items():
        found.append(
            f"{count} reference{'s' if count != 1 else ''} point into {path}, which could not be read; "
            "fix it first: until then, nothing that depends on what it holds is reported."
        )
    return tuple(found)
