"""The HTML alignment report (``stratlint report --html``): one self-contained file.

Pure: a function of an ``AlignmentView`` (stratlint.analysis.matrix) and the options, with
no clock, no randomness and no lookup of the machine, so the same strategy gives the same
bytes. Everything is inlined -- the stylesheet, a few KB of plain JavaScript that only
filters and expands, the data as a JSON block -- and a Content-Security-Policy of
``default-src 'none'`` admits exactly that script and that style by their hashes. Every
section is rendered as HTML, so the report reads with JavaScript off.

Templating is Jinja2 with autoescape and StrictUndefined (the template and assets are in
``html_assets/``). The SVG pictures are built here from escaped text: the graph picture is
laid out in Python (tiers, barycentre ordering), the same on every machine.
"""

from __future__ import annotations

import base64
import csv
import functools
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from importlib import resources
from typing import Any
from urllib.parse import quote

from stratlint import __version__
from stratlint.analysis.alignment import FUNCTIONS, OVERALL, AlignmentScore
from stratlint.analysis.matrix import TIERS, AlignmentView, Finding, Link, Picture
from stratlint.diagnostics import Stage
from stratlint.report.text import ALIGNMENT_LEGEND
from stratlint.vcs.trend import Drop, Trend
from stratlint.vcs.trend import rows as trend_rows

try:  # the html extra: pip install 'stratlint[html]'
    import jinja2
    import markupsafe
except ImportError:  # pragma: no cover - exercised only without the extra
    jinja2 = markupsafe = None  # type: ignore[assignment]

_ASSETS = "html_assets"


class MissingExtra(Exception):
    """Jinja2 is not installed."""


@dataclass(frozen=True, slots=True)
class HtmlOptions:
    link_base: str | None = None
    """Where file links point: a code host's URL for the repository's files at a revision
    (``https://host/org/repo/blob/main``); None links relative to the report."""
    link_prefix: str = ""
    """Without ``link_base``: the way from the report's folder to the repository root (``../``)."""


def asset(name: str) -> str:
    """One of the report's assets, as text (package data, never a user's file)."""
    return resources.files(__package__ or "stratlint.report").joinpath(_ASSETS, name).read_text(encoding="utf-8")


def require_jinja() -> None:
    """Raise MissingExtra when Jinja2 is not installed."""
    if jinja2 is None:
        raise MissingExtra("the HTML report needs Jinja2: pip install 'stratlint[html]'")


@functools.cache
def environment() -> Any:
    require_jinja()
    return jinja2.Environment(
        loader=jinja2.PackageLoader("stratlint.report", _ASSETS),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def markup(text: str) -> Any:
    """Text this module built from escaped parts, marked safe for the template."""
    if markupsafe is None:
        raise MissingExtra("the HTML report needs Jinja2: pip install 'stratlint[html]'")
    return markupsafe.Markup(text)


def sha256_source(text: str) -> str:
    """A CSP source expression admitting an inline script or style whose text is ``text``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(script: str, style: str) -> str:
    return (
        f"default-src 'none'; script-src {sha256_source(script)}; style-src {sha256_source(style)}; "
        "base-uri 'none'; form-action 'none'"
    )


def json_block(data: object) -> str:
    """JSON to sit inside a ``<script type="application/json">``: nothing in it can end the
    element or open markup, whatever the strategy's texts hold."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_SAFE_ID = re.compile(r"[A-Za-z0-9.\-]")


@functools.lru_cache(maxsize=1 << 16)
def anchor(node_id: str) -> str:
    """An element id for a node: ids are kept as they are where they are plain, and every
    other character is written as ``_`` and six hex digits of its code point, so no two ids
    share an anchor."""
    return "n-" + "".join(ch if _SAFE_ID.fullmatch(ch) else f"_{ord(ch):06x}" for ch in node_id)


def page(template: str, **context: Any) -> str:
    """Render a template with the stylesheet and script inlined and admitted by hash."""
    css, js = asset("report.css"), asset("report.js")
    for text in (css, js):
        assert "</" not in text, "an inlined asset must not hold '</'"
    return str(
        environment()
        .get_template(template)
        .render(csp=content_security_policy(js, css), css=markup(css), js=markup(js), version=__version__, **context)
    )


# -- the report ----------------------------------------------------------------------------

_LIST_TITLES = (
    ("orphans", "Orphan nodes (SL304)"),
    ("stale", "Stale proof points still cited (SL603)"),
    ("suspects", "Suspect references, with their owners (SL601)"),
    ("retired", "Retired nodes still cited (SL602)"),
)


def render(view: AlignmentView, options: HtmlOptions | None = None) -> str:
    """The whole report, as one HTML document."""
    options = options or HtmlOptions()
    standing = {entry.id: entry.standing for entry in view.entries}
    titles = {entry.id: entry.title for entry in view.entries} | {node.id: node.title for node in view.nodes}
    tiers = {node_id: TIERS[index] for index, tier in enumerate(view.picture.tiers) for node_id in tier}
    overall = next(score for score in view.scores if score.function == OVERALL)
    holes = [cell.hole for row in view.matrix for cell in row.cells if cell.hole is not None]
    where = functools.partial(_where, options)
    for node in view.nodes:
        tiers.setdefault(node.id, node.tier)
    shapes = _Shapes(tiers, standing)
    hoods = {}
    for node in view.nodes:
        above = [node.under] if node.under else []
        hoods[node.id] = markup(_hood([*above, *_ids(node.refs)], node.id, _ids(node.referrers), shapes))
    for entry in view.entries:
        hoods[entry.id] = markup(_hood(_trace_ids(entry.trace), entry.id, _ids(entry.referrers), shapes))
    picture = picture_svg(view.picture, titles, standing, shapes)
    return page(
        "report.html.j2",
        h=view.header,
        overall=overall,
        counts=view.counts,
        releases=view.releases,
        legend=ALIGNMENT_LEGEND,
        files=view.files,
        notes=view.notes,
        matrix_functions=FUNCTIONS,
        functions=[score for score in view.scores if score.function != OVERALL],
        matrix=view.matrix,
        standing=standing,
        hole_count=len(holes),
        waived_holes=sum(1 for hole in holes if hole.waiver is not None),
        csv_href="data:text/csv;charset=utf-8," + quote(matrix_csv(view), safe=_URL_SAFE),
        scores=view.scores,
        charts={score.function: markup(stage_chart(score)) for score in view.scores},
        picture=markup(picture),
        entries=view.entries,
        nodes=view.nodes,
        hoods=hoods,
        trace_fields=("value", "narrative", "priority"),
        lists=view.lists,
        list_titles=_LIST_TITLES,
        anchor=anchor,
        where=lambda path, line: markup(where(path, line)),
        link=lambda item: markup(_link_html(item)),
        chip=lambda item: markup(_chip_html(item, standing)),
        finding=lambda item: markup(_finding_html(item, options)),
        data=markup(json_block(_data(view))),
    )


def _data(view: AlignmentView) -> dict[str, object]:
    return {
        "scores": {score.function: score.as_dict() for score in view.scores},
        "matrix": [
            {
                "id": row.id,
                "type": row.type,
                "cells": {
                    cell.function: {"entries": list(cell.entries), "hole": cell.hole is not None} for cell in row.cells
                },
            }
            for row in view.matrix
        ],
        "standing": {
            name: sum(1 for entry in view.entries if entry.standing == name)
            for name in sorted({entry.standing for entry in view.entries})
        },
        "commit": view.header.commit,
    }


def matrix_csv(view: AlignmentView) -> str:
    """The matrix as CSV: a row per pillar or claim and function, with its entries and hole."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["node", "type", "pillar", "function", "entries", "hole", "waived_by", "waived_until"])
    for row in view.matrix:
        for cell in row.cells:
            hole = cell.hole
            writer.writerow(
                [
                    _csv_safe(row.id),
                    row.type,
                    _csv_safe(row.pillar or ""),
                    cell.function,
                    _csv_safe(" ".join(cell.entries)),
                    hole.code if hole else "",
                    _csv_safe(hole.waiver.owner or "") if hole and hole.waiver else "",
                    hole.waiver.until if hole and hole.waiver else "",
                ]
            )
    return out.getvalue()


_URL_SAFE = ",.:;/_-'()*!~"
"""What a data: URL may hold as it is: the matrix's commas need no percent sign."""


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _href(options: HtmlOptions, path: str, line: int | None) -> str:
    fragment = f"#L{line}" if line else ""
    if options.link_base:
        return f"{options.link_base.rstrip('/')}/{quote(path)}{fragment}"
    return f"{options.link_prefix}{quote(path)}{fragment}"


def _where(options: HtmlOptions, path: str, line: int | None) -> str:
    shown = f"{path}:{line}" if line else path
    return f'<a href="{escape(_href(options, path, line))}">{escape(shown)}</a>'


def _link_html(item: Link) -> str:
    if not item.resolves:
        return f'<code>{escape(item.id)}</code> <span class="sev-error">(does not resolve)</span>'
    extra = ""
    if item.via:
        extra = f' <span class="muted">under</span> <a href="#{escape(anchor(item.via))}">{escape(item.via)}</a>'
    if item.primary:
        extra += ' <span class="s-aligned">primary</span>'
    return f'<a href="#{escape(anchor(item.id))}" title="{escape(item.type)}">{escape(item.id)}</a>{extra}'


def _chip_html(item: Link, standing: Mapping[str, str]) -> str:
    bad = ' class="m"' if standing.get(item.id, "aligned") != "aligned" else ""
    return f'<a{bad} href="#{escape(anchor(item.id))}">{escape(item.id)}</a>'


def _finding_html(item: Finding, options: HtmlOptions) -> str:
    held = ""
    if item.standing == "waived":
        waiver = item.waiver
        who = f" by {escape(waiver.owner)}" if waiver and waiver.owner else ""
        held = f' <span class="s-waived">waived{who}{" until " + escape(waiver.until) if waiver else ""}</span>'
    elif item.standing == "baselined":
        held = ' <span class="s-baselined">baselined</span>'
    owner = f' <span class="muted">owner {escape(item.owner)}</span>' if item.owner else ""
    return (
        f'<span class="sev-{escape(item.severity)}">{escape(item.code)} {escape(item.severity)}</span> '
        f"{escape(item.message)} · {_where(options, item.path, item.line)}{owner}{held}"
    )


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- pictures ------------------------------------------------------------------------------


def stage_chart(score: AlignmentScore) -> str:
    """An SVG bar chart: the share aligned, then the misaligned entries per cascade stage."""
    total = max(score.entries, 1)
    rows = [("aligned", score.aligned, "bar-ok")] + [
        (stage.label, score.stages.get(stage.label, 0), "bar-stage") for stage in Stage
    ]
    label_width, bar_width, height = 150, 170, 18
    parts = [
        f'<svg width="{label_width + bar_width + 40}" '
        f'height="{height * len(rows) + 4}" role="img" aria-label="{escape(score.function)}: aligned and '
        f'misaligned entries by cascade stage">'
    ]
    for index, (label, count, css) in enumerate(rows):
        y = index * height + 2
        width = round(bar_width * count / total)
        parts.append(
            f'<text class="bar-label" x="0" y="{y + 12}">{escape(label)}</text>'
            f'<rect class="bar-bg" x="{label_width}" y="{y + 2}" width="{bar_width}" height="{height - 6}"/>'
            f'<rect class="{css}" x="{label_width}" y="{y + 2}" width="{width}" height="{height - 6}"/>'
            f'<text class="bar-label" x="{label_width + bar_width + 4}" y="{y + 12}">{count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


_BOX_W, _BOX_H, _GAP_X, _GAP_Y, _TIER_GAP, _LEFT = 124, 20, 8, 10, 44, 80
_PER_ROW = 8
_HOOD_MOST = 5
"""Neighbours shown in a row of a neighbourhood picture; the detail above it lists them all."""


def order_tiers(tiers: Sequence[Sequence[str]], edges: Iterable[tuple[str, str]], sweeps: int = 4) -> list[list[str]]:
    """Order each tier by the barycentre of its neighbours in the tiers next to it, sweeping
    down and up a few times (the Sugiyama heuristic). Ties keep file order: deterministic."""
    up: dict[str, list[str]] = {}
    down: dict[str, list[str]] = {}
    for upper, lower in edges:
        up.setdefault(lower, []).append(upper)
        down.setdefault(upper, []).append(lower)
    ordered = [list(tier) for tier in tiers]
    original = {node_id: index for tier in tiers for index, node_id in enumerate(tier)}

    def sweep(index: int, neighbours: Mapping[str, list[str]], reference: list[str]) -> None:
        position = {node_id: rank for rank, node_id in enumerate(reference)}
        tier = ordered[index]
        current = {node_id: rank for rank, node_id in enumerate(tier)}

        def key(node_id: str) -> tuple[float, int]:
            ranks = [position[n] for n in neighbours.get(node_id, ()) if n in position]
            centre = sum(ranks) / len(ranks) if ranks else current[node_id] * len(reference) / max(len(tier), 1)
            return (centre, original[node_id])

        ordered[index] = sorted(tier, key=key)

    for _ in range(sweeps):
        for index in range(1, len(ordered)):
            sweep(index, up, ordered[index - 1])
        for index in range(len(ordered) - 2, -1, -1):
            sweep(index, down, ordered[index + 1])
    return ordered


class _Shapes:
    """Every box the pictures draw, defined once in the graph picture's ``<defs>`` -- a link to
    the node's detail holding a rect and its label, coloured by tier, outlined when misaligned --
    and placed with ``<use>`` wherever it appears, as are the edge fans of the neighbourhoods.
    A placed box costs a short reference and two coordinates, which keeps a neighbourhood
    picture per node within the report's size budget."""

    def __init__(self, tiers: Mapping[str, str], standing: Mapping[str, str]) -> None:
        self.tiers, self.standing = tiers, standing
        self.refs: dict[str, str] = {}
        self.fans: dict[tuple[int, int, int], str] = {}

    def ref(self, node_id: str) -> str:
        """The id of the node's box; the box is defined when the defs are written."""
        return self.refs.setdefault(node_id, f"b{len(self.refs)}")

    def defs(self) -> str:
        """The definitions of every box and fan referred to so far."""
        parts = []
        for node_id, ref in self.refs.items():
            bad = " misaligned" if self.standing.get(node_id, "aligned") != "aligned" else ""
            parts.append(
                f'<a id="{ref}" class="gn t-{escape(self.tiers.get(node_id, "plans"))}{bad}" '
                f'href="#{escape(anchor(node_id))}"><rect/><text>{escape(_short(node_id, 21))}</text></a>'
            )
        for (count, slots, dy), ref in self.fans.items():
            first = (1 - slots) * (_BOX_W + _GAP_X) // 2
            lines = "".join(f"M0 0L{first + index * (_BOX_W + _GAP_X)} {dy}" for index in range(count))
            parts.append(f'<path id="{ref}" class="ge" d="{lines}"/>')
        return "<defs>" + "".join(parts) + "</defs>"

    def fan(self, count: int, slots: int, dy: int, x: int, y: int) -> str:
        """Edges from a point to ``count`` boxes of a centred row of ``slots`` boxes, ``dy`` below
        it (above, when negative): one shape per row layout, placed with ``<use>``."""
        ref = self.fans.setdefault((count, slots, dy), f"f{len(self.fans)}")
        return f'<use href="#{ref}" x="{x}" y="{y}"/>'

    def box(self, node_id: str, x: int, y: int, extra: str = "") -> str:
        """The node's box with its top left corner at ``x``, ``y``."""
        return f'<use href="#{self.ref(node_id)}" x="{x}" y="{y}"{extra}/>'


def _ids(links: Iterable[Link]) -> list[str]:
    return [link.id for link in links if link.resolves]


def _trace_ids(trace: Iterable[Link]) -> list[str]:
    """What an entry traces to, in trace order, each claim followed by the pillar it stands under."""
    ids = []
    for link in trace:
        if link.resolves:
            ids.append(link.id)
            if link.via:
                ids.append(link.via)
    return ids


def picture_svg(
    picture: Picture, titles: Mapping[str, str], standing: Mapping[str, str], shapes: _Shapes | None = None
) -> str:
    """The strategy as tiers, each box a link to its node's detail. Its ``<defs>`` hold the
    boxes that every neighbourhood picture places as well."""
    tiers = order_tiers(picture.tiers, picture.edges)
    if shapes is None:
        shapes = _Shapes({n: TIERS[i] for i, tier in enumerate(tiers) for n in tier}, standing)
    columns = max([min(len(tier), _PER_ROW) for tier in tiers] + [1])
    width = _LEFT + columns * (_BOX_W + _GAP_X)
    place: dict[str, tuple[int, int]] = {}
    y = 10
    labels = []
    for name, tier in zip(TIERS, tiers, strict=True):
        labels.append(f'<text class="tier-label" x="4" y="{y + 14}">{escape(name)}</text>')
        rows = max(1, -(-len(tier) // _PER_ROW))
        for index, node_id in enumerate(tier):
            row, column = divmod(index, _PER_ROW)
            in_row = min(_PER_ROW, len(tier) - row * _PER_ROW)
            offset = (columns - in_row) * (_BOX_W + _GAP_X) // 2
            place[node_id] = (_LEFT + offset + column * (_BOX_W + _GAP_X), y + row * (_BOX_H + _GAP_Y))
        y += rows * (_BOX_H + _GAP_Y) + _TIER_GAP
    height = y
    lines = []
    for upper, lower in picture.edges:
        if upper in place and lower in place:
            (x1, y1), (x2, y2) = place[upper], place[lower]
            lines.append(f"M{x1 + _BOX_W // 2} {y1 + _BOX_H}L{x2 + _BOX_W // 2} {y2}")
    boxes = []
    for node_id, (x, y0) in place.items():
        tip = _short(titles.get(node_id, node_id), 80)
        boxes.append(
            f'<a class="gn" href="#{escape(anchor(node_id))}" data-node="{escape(node_id)}">'
            f"<title>{escape(tip)}</title>{shapes.box(node_id, x, y0)}</a>"
        )
    return "".join(
        [
            f'<svg id="graph-svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="The strategy as tiers">',
            shapes.defs(),
            *labels,
            f'<path class="ge" d="{"".join(lines)}"/>' if lines else "",
            *boxes,
            "</svg>",
        ]
    )


def _hood(above: list[str], node_id: str, below: list[str], shapes: _Shapes) -> str:
    """A node's neighbourhood: what it traces to or stands under above it, what references it
    below, each row capped at ``_HOOD_MOST`` boxes and a "+N more" box; each neighbour links
    to its detail."""
    ups = [item for item in dict.fromkeys(above) if item != node_id]
    downs = [item for item in dict.fromkeys(below) if item != node_id]
    more_up, more_down = len(ups) - _HOOD_MOST, len(downs) - _HOOD_MOST
    ups, downs = ups[:_HOOD_MOST], downs[:_HOOD_MOST]
    widest = max(len(ups) + (more_up > 0), len(downs) + (more_down > 0), 1)
    step = _BOX_W + _GAP_X
    width, row_height = widest * step, _BOX_H + 24
    y_self = row_height if ups else 2
    y_down = y_self + row_height
    height = (y_down if downs else y_self) + _BOX_H + 2

    def row(items: list[str], more: int, y: int) -> list[tuple[str, int, int]]:
        offset = (widest - len(items) - (more > 0)) * step // 2
        return [(item, offset + index * step, y) for index, item in enumerate(items)]

    cx = (widest - 1) * step // 2
    top, bottom = row(ups, more_up, 2), row(downs, more_down, y_down)
    mid = cx + _BOX_W // 2
    parts = [f'<svg width="{width}" height="{height}" aria-hidden="true">']
    if ups:
        parts.append(shapes.fan(len(ups), len(ups) + (more_up > 0), 2 + _BOX_H - y_self, mid, y_self))
    if downs:
        parts.append(
            shapes.fan(len(downs), len(downs) + (more_down > 0), y_down - y_self - _BOX_H, mid, y_self + _BOX_H)
        )
    for other, x, y in (*top, *bottom):
        parts.append(shapes.box(other, x, y))
    parts.append(shapes.box(node_id, cx, y_self, ' class="self"'))
    for more, placed, y in ((more_up, top, 2), (more_down, bottom, y_down)):
        if more > 0:
            x = placed[-1][1] + step
            parts.append(
                f'<rect class="more" x="{x}" y="{y}"/><text class="more" x="{x + 4}" y="{y + 14}">+{more} more</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


# -- the trend chart ------------------------------------------------------------------------


def render_trend(trend: Trend, drops: Sequence[Drop], options: HtmlOptions | None = None) -> str:
    """The score over history as one self-contained page: an SVG chart in which each drop
    links to its commit, and per commit the findings it introduced."""
    options = options or HtmlOptions()
    dropped = {drop.point.commit.id: drop for drop in drops}
    return page(
        "trend.html.j2",
        trend=trend,
        points=list(reversed(trend.points)),
        drops=dropped,
        chart=markup(trend_svg(trend, dropped)),
        series=(OVERALL, *trend.functions),
        percent=lambda value: "n/a" if value is None else f"{round(value * 100)}%",
        anchor=lambda commit: "c-" + commit,
        where=lambda path, line: markup(_where(options, path, line)),
        data=markup(json_block(trend_rows(trend))),
    )


def trend_svg(trend: Trend, drops: Mapping[str, Drop]) -> str:
    """Each score as a line over the commits, oldest left; a drop is a red ring that links to
    its commit's detail."""
    count = len(trend.points)
    left, top, plot_w, plot_h = 44, 12, max(480, min(1100, 12 * count)), 220
    width, height = left + plot_w + 120, top + plot_h + 40

    def x(index: int) -> int:
        return left + (round(plot_w * index / (count - 1)) if count > 1 else plot_w // 2)

    def y(value: float) -> int:
        return top + round(plot_h * (1 - value))

    parts = [
        f'<svg id="trend-svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Alignment score by commit">'
    ]
    for tick in (0, 25, 50, 75, 100):
        ty = y(tick / 100)
        parts.append(f'<path class="grid" d="M{left} {ty}H{left + plot_w}"/>')
        parts.append(f'<text class="bar-label" x="4" y="{ty + 4}">{tick}%</text>')
    for name in (OVERALL, *trend.functions):
        segments: list[list[str]] = []
        run: list[str] = []
        for index, point in enumerate(trend.points):
            value = point.evaluation.score(name)
            if value is None:
                if run:
                    segments.append(run)
                run = []
                continue
            run.append(f"{x(index)} {y(value)}")
        if run:
            segments.append(run)
        d = "".join("M" + "L".join(segment) for segment in segments)
        if d:
            parts.append(f'<path class="series s-{name}" d="{d}"/>')
    for index, point in enumerate(trend.points):
        value = point.evaluation.score(OVERALL)
        if value is None:
            continue
        drop = drops.get(point.commit.id)
        css = "pt drop" if drop is not None else "pt"
        tip = f"{point.commit.id[:12]} {point.commit.date[:10]}: overall {round(value * 100)}%"
        parts.append(
            f'<a class="{css}" href="#c-{escape(point.commit.id)}" data-commit="{escape(point.commit.id)}">'
            f"<title>{escape(tip)}</title>"
            f'<circle cx="{x(index)}" cy="{y(value)}" r="{6 if drop is not None else 3}"/></a>'
        )
    for offset, name in enumerate((OVERALL, *trend.functions)):
        ly = top + 14 + offset * 16
        parts.append(f'<path class="series s-{name}" d="M{left + plot_w + 10} {ly - 4}h18"/>')
        parts.append(f'<text class="bar-label" x="{left + plot_w + 32}" y="{ly}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


__all__ = [
    "HtmlOptions",
    "MissingExtra",
    "anchor",
    "content_security_policy",
    "json_block",
    "matrix_csv",
    "order_tiers",
    "page",
    "picture_svg",
    "render",
    "render_trend",
    "require_jinja",
    "sha256_source",
]
