"""The alignment score over history (``stratlint trend``) as text, JSON, CSV or Markdown. Pure.

The HTML chart is in stratlint.report.html (``render_trend``)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from stratlint.analysis.alignment import OVERALL
from stratlint.diagnostics import Stage
from stratlint.vcs.trend import Drop, Trend, rows


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value * 100)}%"


def points(value: float) -> str:
    return f"{round(value * 100):+d}"


def render_json(trend: Trend, drops: list[Drop] | None = None) -> str:
    document: dict[str, Any] = {
        "root": trend.root_path,
        "judged_on": trend.judged_on,
        "evaluated": trend.evaluated,
        "commits": rows(trend),
    }
    if drops is not None:
        document["drops"] = [_drop_dict(drop) for drop in drops]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _drop_dict(drop: Drop) -> dict[str, Any]:
    return {
        "commit": drop.point.commit.id,
        "before": drop.before.commit.id,
        "date": drop.point.commit.date,
        "author": drop.point.commit.author,
        "subject": drop.point.commit.subject,
        "scores": {name: {"before": old, "after": new} for name, (old, new) in drop.functions.items()},
        "introduced": [dict(item) for item in drop.point.introduced],
    }


def render_csv(trend: Trend) -> str:
    """One row per commit; each function's score, focus and cascade counts in columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["commit", "date", "author"]
    for name in (OVERALL, *trend.functions):
        header += [f"{name}_score", f"{name}_focus", f"{name}_entries"]
        header += [f"{name}_{stage.label.replace(' ', '_')}" for stage in Stage]
    header += ["findings", "introduced", "fixed"]
    writer.writerow(header)
    for row in rows(trend):
        line = [row["commit"], row["date"], _cell(row["author"])]
        for name in (OVERALL, *trend.functions):
            score = row[name]
            line += [_number(score["score"]), _number(score["focus"]), score["entries"] or 0]
            line += [score["misaligned_by_stage"].get(stage.label, 0) for stage in Stage]
        line += [row["findings"], len(row["introduced"]), row["fixed"]]
        writer.writerow(line)
    return out.getvalue()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_text(trend: Trend, drops: list[Drop] | None = None) -> str:
    if not trend.points:
        return f"No commit changed {trend.root_path}: there is no history to score.\n"
    lines = [f"Alignment of {trend.root_path} over {len(trend.points)} commits (judged on {trend.judged_on}):"]
    widths = {name: max(10, len(name)) for name in trend.functions}
    lines.append(
        f"  {'commit':<12} {'date':<10} {'overall':>8} " + " ".join(f"{name:>{widths[name]}}" for name in widths)
    )
    for point in trend.points:
        scores = point.evaluation.scores
        lines.append(
            f"  {point.commit.id[:12]:<12} {point.commit.date[:10]:<10} "
            f"{percent(scores.get(OVERALL, {}).get('score')):>8} "
            + " ".join(f"{percent(scores.get(name, {}).get('score')):>{widths[name]}}" for name in widths)
        )
    if drops is not None:
        lines += ["", *explain_drops(drops)]
    return "\n".join(lines) + "\n"


def explain_drops(drops: list[Drop]) -> list[str]:
    if not drops:
        return ["No commit lowered a score by more than the threshold."]
    lines = [f"{len(drops)} commit{'s' if len(drops) != 1 else ''} lowered a score:"]
    for drop in drops:
        commit = drop.point.commit
        fell = ", ".join(
            f"{name} {percent(old)} -> {percent(new)} ({points(new - old)})"
            for name, (old, new) in drop.functions.items()
        )
        lines.append(f"  {commit.id[:12]} {commit.date[:10]} {commit.author}: {commit.subject}")
        lines.append(f"    {fell}")
        for item in drop.point.introduced:
            where = f"{item['path']}:{item['line']}" if item.get("line") else item["path"]
            lines.append(f"    + {item['code']} [{item['severity']}] {where}: {item['message']}")
        if not drop.point.introduced:
            lines.append("    (no new finding: entries were added or removed)")
    return lines


def render_markdown(trend: Trend, drops: list[Drop] | None = None) -> str:
    """A short table for a pull request: the last commits and their scores."""
    from stratlint.report.markdown import cell

    shown = trend.points[-10:]
    lines = [
        f"### Alignment trend of `{cell(trend.root_path)}`",
        "",
        "| Commit | Date | Overall | " + " | ".join(trend.functions) + " |",
        "|---|---|---:|" + "---:|" * len(trend.functions),
    ]
    previous = trend.points[-len(shown) - 1] if len(trend.points) > len(shown) else None
    for point in shown:
        change = ""
        new = point.evaluation.score(OVERALL)
        old = previous.evaluation.score(OVERALL) if previous is not None else None
        if old is not None and new is not None and round((new - old) * 100):
            change = f" ({points(new - old)})"
        lines.append(
            f"| `{point.commit.id[:12]}` | {point.commit.date[:10]} | {percent(new)}{change} | "
            + " | ".join(percent(point.evaluation.score(name)) for name in trend.functions)
            + " |"
        )
        previous = point
    if len(trend.points) > len(shown):
        lines += ["", f"{len(trend.points) - len(shown)} earlier commits not shown."]
    if drops:
        lines += ["", "#### Drops", ""]
        for drop in drops:
            commit = drop.point.commit
            fell = ", ".join(f"{name} {points(new - old)}" for name, (old, new) in drop.functions.items())
            lines.append(f"- `{commit.id[:12]}` {cell(commit.subject)}: {fell}")
            for item in drop.point.introduced[:5]:
                lines.append(f"  - `{item['code']}` {cell(item['message'])}")
    return "\n".join(lines) + "\n"


__all__ = ["explain_drops", "render_csv", "render_json", "render_markdown", "render_text"]
