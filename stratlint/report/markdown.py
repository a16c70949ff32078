"""A pull-request comment: a headline, the alignment of each function and a table of findings.

Links to findings are relative to the repository root (``strategy/x.yaml#L12``): they
resolve where the Markdown is read inside the repository (a committed file, a job
summary's repository view), not in a pull-request comment, whose links are relative to
the pull request's page.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from stratlint.analysis.alignment import OVERALL
from stratlint.analysis.result import Report
from stratlint.diagnostics import Diagnostic, Severity
from stratlint.report.score_change import score_changes
from stratlint.report.text import ALIGNMENT_LEGEND, held_back, plural, severity_counts, stage_counts

MAX_ROWS = 100
"""Findings shown in the table; a comment has a size limit, and nobody reads row 101."""

ICONS = {Severity.ERROR: ":x:", Severity.WARNING: ":warning:", Severity.INFO: ":information_source:"}

# Backslash-escape the ASCII punctuation that Markdown, tables or HTML would act on.
_ACTIVE = re.compile(r"([\\`*_\[\]<>|&#!~])")


def cell(text: str) -> str:
    """Make ``text`` safe inside one table cell: no Markdown, no HTML, no row breaks."""
    escaped = _ACTIVE.sub(r"\\\1", text)
    return "<br>".join(line for line in escaped.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def headline(result: Report) -> str:
    files = plural(result.summary.files, "file")
    if not result.diagnostics:
        return f"## :white_check_mark: stratlint: all checks passed ({files}, no findings)"
    parts = severity_counts(result.summary)
    verdict = "failed" if result.failed else "passed"
    icon = ":x:" if result.failed else ":white_check_mark:"
    text = f"## {icon} stratlint: {verdict} with {parts} in {files}"
    return text + (f" ({plural(result.summary.waived, 'finding')} waived)" if result.summary.waived else "")


def alignment_table(result: Report) -> list[str]:
    changes = {change.function: change for change in score_changes(result)}
    header = "| Function | Aligned | Entries | Focus | Misaligned by stage |"
    rule = "|---|---:|---:|---:|---|"
    if changes:
        header += " Change since base |"
        rule += "---|"
    rows = [
        "### Alignment",
        "",
        cell(ALIGNMENT_LEGEND),
        "",
        header,
        rule,
    ]
    for score in result.summary.alignment:
        name = f"**{score.function}**" if score.function == OVERALL else cell(score.label)
        row = (
            f"| {name} | {score.percent()} | {score.aligned}/{score.entries} | {score.focus_percent()} "
            f"| {cell(stage_counts(score))} |"
        )
        change = changes.get(score.function)
        if changes:
            points = change.signed_points() if change else ""
            row += f" {change.describe() if change else ''}{f' ({points})' if points else ''} |"
        rows.append(row)
    note = held_back(result.summary.alignment)
    if note is not None:
        rows += ["", cell(note)]
    return rows


def _where(diagnostic: Diagnostic) -> str:
    if not diagnostic.span.positioned:
        return cell(diagnostic.path)
    text = f"{diagnostic.path}:{diagnostic.line}"
    target = f"{diagnostic.path}#L{diagnostic.line}"
    return f"[{cell(text)}]({quote(target, safe='/#')})"


def findings_table(result: Report) -> list[str]:
    if not result.diagnostics:
        return []
    ordered = sorted(result.diagnostics, key=lambda item: (-item.severity, *item.sort_key()))
    shown = ordered[:MAX_ROWS]
    rows = ["### Findings", "", "| | Rule | Where | Finding |", "|---|---|---|---|"]
    for diagnostic in shown:
        rows.append(
            f"| {ICONS[diagnostic.severity]} | `{diagnostic.code}` {cell(diagnostic.name)} "
            f"| {_where(diagnostic)} | {cell(diagnostic.message)} |"
        )
    left_out = len(ordered) - len(shown)
    if left_out:
        rows += [
            "",
            f"{plural(left_out, 'more finding')} not shown; run `stratlint check` for the full list.",
        ]
    return rows


def render(result: Report) -> str:
    lines = [headline(result), "", *alignment_table(result)]
    findings = findings_table(result)
    if findings:
        lines += ["", *findings]
    return "\n".join(lines) + "\n"
