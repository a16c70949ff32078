"""SL7xx: release plans -- every shipped item is launched and enabled on the same story, nothing
in the release is suspect or retired, metrics serve a priority, and the dates agree."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Annotated

from pydantic import Field

from stratlint.diagnostics import Diagnostic, RelatedLocation, Severity, Stage
from stratlint.drift.release import narrative_ids, quarter_of, release_nodes, release_parts, shared_narrative
from stratlint.graph import FileView, Node, ReferenceEdge
from stratlint.model import NodeType
from stratlint.model.governance import Metric
from stratlint.model.horizon import FISCAL_START, FiscalCalendar, NamedBy, is_version
from stratlint.model.release import Release
from stratlint.model.roadmap import RoadmapItem
from stratlint.rules.base import FileRule, GateEffect, defined_here, owned_by
from stratlint.rules.options import RuleOptions


def _cites_unread(view: FileView, edges: Iterable[ReferenceEdge]) -> bool:
    """Whether any of ``edges`` names a node declared in a file that could not be read."""
    unloaded = view.lookup.unloaded_ids()
    return any(edge.target is None and edge.target_id in unloaded for edge in edges)


def _depends_on_unread(view: FileView, nodes: list[Node]) -> bool:
    """Whether any of ``nodes`` references a node declared in a file that could not be read."""
    return _cites_unread(view, (edge for node in nodes for edge in node.refs))


class _ReleaseRule(FileRule):
    """A rule about release plans: it looks at release files only, and reports each finding
    at the entry of the release's list it is about."""

    kinds = frozenset({"release"})

    def at_part(
        self,
        release: Node,
        field_name: str,
        index: int,
        message: str,
        *,
        key: str,
        related: tuple[RelatedLocation, ...] = (),
    ) -> Diagnostic:
        """A finding at the ``index``-th entry of the release's ``field_name`` list. ``key``
        names what it is about within the release: the subject is the release's id, then it."""
        pointer = f"{release.pointer}/{field_name}/{index}"
        span = release.artifact.source_map.span(pointer)
        subject = f"{release.id}:{key}"
        return self.at(release.artifact.path, span, message, pointer=pointer, subject=subject, related=related)


class _MissingCompanion(_ReleaseRule):
    """A shipped item with no release entry of a given kind that shares a narrative node with it."""

    companion_field: str
    companion: str
    fix: str

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for release in release_nodes(view.nodes):
            companions = [node for _, _, node in release_parts(view.lookup, release, self.companion_field) if node]
            for index, item_id, item in release_parts(view.lookup, release, "ships"):
                if item is None or item.type is not NodeType.ROADMAP_ITEM:
                    continue
                if any(shared_narrative(view.lookup, item, other) for other in companions):
                    continue
                cited = (edge for edge in release.refs if edge.field == self.companion_field)
                if _cites_unread(view, cited) or _depends_on_unread(view, [item, *companions]):
                    continue  # the stories lie in a file that could not be read: its own error says so
                told = ", ".join(f"'{node_id}'" for node_id in sorted(narrative_ids(item))) or "none"
                yield self.at_part(
                    release,
                    "ships",
                    index,
                    f"Release '{release.id}' ships {item.label} ({owned_by(item)}), but no "
                    f"{self.companion} in the release tells the same story (its pillars and claims: {told}). "
                    f"{self.fix}",
                    key=item_id,
                )


class ShippedItemWithoutLaunchMessage(_MissingCompanion):
    code = "SL701"
    name = "shipped-item-without-launch-message"
    summary = "A release ships a roadmap item that no launch message of the release tells."
    default_severity = Severity.ERROR
    stage = Stage.CONFLICTING_EXECUTION
    companion_field = "launch_messages"
    companion = "launch message"
    fix = "Add to 'launch_messages' a message that references one of them (a claim and its pillar count)."
    explanation = """
        Every roadmap item a release ships needs at least one launch message that shares a
        narrative node with it: the same pillar or claim, or a claim and its own pillar.
        Otherwise the feature goes out and marketing tells a different story about it.

        Bad:
            ships: [rm-auto-match]               # narrative: [claim-close-in-days]
            launch_messages: [msg-ai-assistant]  # narrative: [pillar-ai-everywhere]

        Fix: add a launch message that references claim-close-in-days or its pillar.
        """


class ShippedItemWithoutEnablementPlay(_MissingCompanion):
    code = "SL702"
    name = "shipped-item-without-enablement-play"
    summary = "A release ships a roadmap item that no enablement play of the release sells."
    default_severity = Severity.ERROR
    stage = Stage.CONFLICTING_EXECUTION
    companion_field = "enablement_plays"
    companion = "enablement play"
    fix = "Add to 'enablement_plays' a play that references one of them (a claim and its pillar count)."
    explanation = """
        A feature sells on the story product built it for only when sales has a play that
        tells it. So every roadmap item a release ships needs at least one enablement play
        that shares a narrative node with it: the same pillar or claim, or a claim and its
        own pillar.

        Bad:
            ships: [rm-auto-match]                 # narrative: [claim-close-in-days]
            enablement_plays: []

        Fix: add a play that references claim-close-in-days or its pillar.
            ships: [rm-auto-match]                        # narrative: [claim-close-in-days]
            enablement_plays: [play-close-in-days-demo]   # narrative: [claim-close-in-days]
        """


class ReleaseItemNotReady(_ReleaseRule):
    code = "SL703"
    name = "release-item-suspect"
    summary = "A release includes an entry with a suspect or retired reference."
    default_severity = Severity.ERROR
    stage = Stage.DRIFT
    gate = GateEffect.RESTATES
    explanation = """
        A release must not go out on a stale story. When a shipped roadmap item, a launch
        message or an enablement play references a strategy node that changed since it was
        reviewed (suspect-reference) or that has been retired (retired-reference), the
        release is blocked until its owner has reviewed it.

        Bad:
            ships: [rm-auto-match]   # references claim-close-in-days, reworded since review

        Fix: the owner reviews the entry and runs 'stratlint review --accept rm-auto-match';
        for a retired node, reference its replacement.
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        review = self.context.review
        for release in release_nodes(view.nodes):
            for field_name in ("ships", "launch_messages", "enablement_plays"):
                for index, node_id, node in release_parts(view.lookup, release, field_name):
                    if node is None:
                        continue
                    edges = [edge for source in (node, *node.descendants()) for edge in source.refs]
                    reasons = [f"'{suspect.edge.target_id}' changed since review" for suspect in review.suspects(edges)]
                    reasons += [
                        f"'{edge.target_id}' is retired" for edge in edges if edge.target and edge.target.retired
                    ]
                    if reasons:
                        message = (
                            f"Release '{release.id}' includes {node.label} ({owned_by(node)}), which is not "
                            f"ready: {'; '.join(reasons)}. Its owner reviews it and runs 'stratlint review "
                            f"--accept {node.id}', or points it at the current strategy."
                        )
                        yield self.at_part(release, field_name, index, message, key=f"{field_name}:{node_id}")


class ReleaseMetricWithoutPriority(_ReleaseRule):
    code = "SL704"
    name = "release-metric-without-priority"
    summary = "A release is judged by a metric that serves no growth priority."
    default_severity = Severity.ERROR
    stage = Stage.GOVERNANCE
    explanation = """
        A release is judged by its metrics; a metric that serves no growth priority judges it
        on something the strategy does not ask for.

        Bad:
            metrics: [m-page-views]   # 'serves:' is empty

        Fix: give the metric 'serves:' with the priority it measures, or judge the release
        by a metric that has one.
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for release in release_nodes(view.nodes):
            for index, metric_id, node in release_parts(view.lookup, release, "metrics"):
                if node is None or not isinstance(node.entry, Metric):
                    continue
                serves = [edge for edge in node.refs if edge.field == "serves"]
                # A priority in a file that could not be read may be the one it serves.
                if not any(edge.resolves or not view.unresolved(edge) for edge in serves):
                    yield self.at_part(
                        release,
                        "metrics",
                        index,
                        f"Release '{release.id}' is judged by metric '{metric_id}', which serves no growth "
                        "priority. Give the metric 'serves:' with the priority it measures.",
                        key=metric_id,
                        related=(defined_here(node),),
                    )


class ReleaseDateOutsideHorizon(_ReleaseRule):
    code = "SL705"
    name = "release-date-outside-horizon"
    summary = "A release's target date falls outside the quarter of an item it ships."
    default_severity = Severity.ERROR
    stage = Stage.CONFLICTING_EXECUTION
    explanation = """
        The roadmap says when each item ships (its 'horizon'). A release whose target date
        falls outside that quarter contradicts the roadmap: one of the two is wrong. A
        horizon may be a calendar quarter ('2027-Q1'), a fiscal quarter ('FY27-Q3', on the
        fiscal calendar of fiscal-year-start and fiscal-year-named-by), or a product version
        ('17.0'), which the release that ships the item must declare ('version: 17.0').

        Bad:
            target_date: 2027-05-12    # 2027-Q2
            ships: [rm-auto-match]     # horizon: 2027-Q1

        Fix: move the target date into the item's quarter, or move the item's horizon.
        """

    class Options(RuleOptions):
        fiscal_year_start: Annotated[str, Field(pattern=FISCAL_START.pattern)] | None = Field(
            default=None,
            description="The first day of the fiscal year, as MM-DD ('02-01'); none: the calendar year.",
        )
        fiscal_year_named_by: NamedBy = Field(
            default="end",
            description="Whether 'FY27' is the fiscal year that ends in 2027 ('end') or starts in it ('start').",
        )

    options: Options

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        calendar = FiscalCalendar.of(self.options.fiscal_year_start, self.options.fiscal_year_named_by)
        for release in release_nodes(view.nodes):
            entry = release.entry
            assert isinstance(entry, Release)
            try:
                target = datetime.date.fromisoformat(entry.target_date)
            except ValueError:
                continue
            for index, item_id, node in release_parts(view.lookup, release, "ships"):
                if node is None or not isinstance(node.entry, RoadmapItem) or node.entry.horizon is None:
                    continue
                problem = _disagreement(entry, target, node.entry.horizon, calendar, node.label)
                if problem is not None:
                    message = f"Release '{release.id}' {problem}"
                    yield self.at_part(release, "ships", index, message, key=f"{item_id}:horizon")


def _disagreement(
    release: Release, target: datetime.date, horizon: str, calendar: FiscalCalendar, item: str
) -> str | None:
    """How the release and the horizon of the item it ships (``item``, its label) disagree,
    in words, or None when they agree."""
    if is_version(horizon):
        if release.version == horizon:
            return None
        declared = f"declares version {release.version}" if release.version else "declares no version"
        return (
            f"{declared}, but it ships {item}, planned for version {horizon}. Declare the version the release "
            "ships ('version:'), or move the item's horizon."
        )
    span = calendar.quarter(horizon)
    if span is None or span[0] <= target <= span[1]:
        return None
    fiscal = "" if _is_calendar(horizon) else f" ({span[0].isoformat()} to {span[1].isoformat()})"
    return (
        f"targets {release.target_date} ({quarter_of(target)}), but it ships {item}, planned for {horizon}{fiscal}. "
        "Move the target date or the item's horizon so they agree."
    )


def _is_calendar(horizon: str) -> bool:
    return not horizon.startswith("FY") and not is_version(horizon)


class ReleasedItemWithoutHorizon(_ReleaseRule):
    code = "SL706"
    name = "released-item-without-horizon"
    summary = "A release ships a roadmap item that says no horizon."
    default_severity = Severity.ERROR
    stage = Stage.CONFLICTING_EXECUTION
    explanation = """
        A horizon is optional for an idea, an item in the backlog and one already shipped,
        but an item a release ships is scheduled: it needs a horizon (a quarter, a fiscal
        quarter or the release's version) that the release's date can be checked against.

        Bad:
            ships: [rm-auto-match]     # status: shipped, and no horizon

        Fix: give the item its horizon: the release's quarter or version.
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for release in release_nodes(view.nodes):
            for index, item_id, node in release_parts(view.lookup, release, "ships"):
                if node is not None and isinstance(node.entry, RoadmapItem) and node.entry.horizon is None:
                    yield self.at_part(
                        release,
                        "ships",
                        index,
                        f"Release '{release.id}' ships {node.label}, which says no horizon. Give the item its "
                        "horizon: the release's quarter or version.",
                        key=f"{item_id}:no-horizon",
                    )
