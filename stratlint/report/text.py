"""The terminal format: ``path:line:col: CODE [severity] message``, then a summary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import click

from stratlint.analysis.alignment import OVERALL, AlignmentScore
from stratlint.analysis.result import Report, Summary
from stratlint.diagnostics import CONTROL_ESCAPES, Diagnostic, Severity
from stratlint.report.score_change import score_changes

_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


FIXABLE = "[*]"
"""What marks a finding 'stratlint check --fix' fixes (a safe fix), after its severity."""


def format_diagnostic(diagnostic: Diagnostic, *, color: bool = False, mark_fix: bool = False) -> str:
    # File names and messages can hold control characters and line breaks (a file named
    # with an escape sequence, a value from a YAML escape): print them escaped, so a
    # finding stays one line and never drives the terminal.
    path = diagnostic.path.translate(CONTROL_ESCAPES)
    message = diagnostic.message.translate(CONTROL_ESCAPES)
    where = f"{path}:{diagnostic.line}:{diagnostic.column}:" if diagnostic.span.positioned else f"{path}:"
    code = diagnostic.code
    severity = f"[{diagnostic.severity.label}]"
    if mark_fix and diagnostic.fix is not None and diagnostic.fix.safe:
        severity += f" {FIXABLE}"
    if color:
        where = click.style(where, bold=True)
        code = click.style(code, fg=_COLORS[diagnostic.severity], bold=True)
        severity = click.style(severity, fg=_COLORS[diagnostic.severity])
    return f"{where} {code} {severity} {message}"


def fixable_line(diagnostics: tuple[Diagnostic, ...]) -> str | None:
    """'[*] 2 fixable with 'stratlint check --fix' (1 more with '--unsafe-fixes').', or None."""
    safe = sum(1 for d in diagnostics if d.fix is not None and d.fix.safe)
    unsafe = sum(1 for d in diagnostics if d.fix is not None and not d.fix.safe)
    if not safe and not unsafe:
        return None
    more = f"{unsafe} more with '--fix --unsafe-fixes'" if unsafe else ""
    if not safe:
        return f"{plural(unsafe, 'finding')} can be fixed with 'stratlint check --fix --unsafe-fixes'."
    return f"{FIXABLE} {safe} fixable with 'stratlint check --fix'" + (f" ({more})." if more else ".")


def code_frame(diagnostic: Diagnostic, lines: tuple[str, ...], *, color: bool = False) -> list[str]:
    """The line a finding points at, the line before it, and a caret under the columns, as
    ruff and rustc show them; nothing when the line is not in the file."""
    span = diagnostic.span
    if not span.positioned or span.line > len(lines):
        return []
    first = max(1, span.line - 1)
    width = len(str(span.line))
    shown = [(number, _visible(lines[number - 1])) for number in range(first, span.line + 1)]
    end = span.end_column if span.end_line == span.line and span.end_column > span.column else span.column + 1
    carets = " " * (span.column - 1) + "^" * max(1, min(end, len(shown[-1][1]) + 1) - span.column)
    if color:
        carets = click.style(carets, fg=_COLORS[diagnostic.severity], bold=True)
    frame = [f"{' ' * width} |"]
    frame += [f"{number:>{width}} | {text}".rstrip() for number, text in shown]
    frame.append(f"{' ' * width} | {carets}")
    return frame


def _visible(line: str) -> str:
    # One character a column, so the caret stands under it: a tab shows as one space.
    return line.replace("\t", " ").translate(CONTROL_ESCAPES)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def severity_counts(summary: Summary) -> str:
    """'2 errors, 1 warning': the counts that are not zero, most severe first."""
    counts = summary.counts
    return ", ".join(plural(counts[s.label], s.label) for s in reversed(Severity) if counts.get(s.label))


def render_headline(result: Report) -> str:
    """One line: what was found, in how many files."""
    summary = result.summary
    compared = result.base_summary is not None  # --diff: the findings are the new ones
    if result.diagnostics:
        parts = severity_counts(summary)
        if compared:
            headline = f"Found {parts} new since the base revision, in {plural(summary.files, 'file')}."
        else:
            headline = f"Found {parts} in {plural(summary.files, 'file')}."
    elif compared:
        headline = f"No new findings since the base revision: {plural(summary.files, 'file')} checked."
    else:
        headline = f"All checks passed: {plural(summary.files, 'file')}, no findings."
    if summary.scope is not None:
        headline += (
            f" Only findings in {summary.scope} are shown; the whole strategy was checked, since "
            "references cross folders."
        )
    if summary.waived:
        headline += f" {plural(summary.waived, 'finding')} waived."
    if summary.baselined:
        headline += f" {plural(summary.baselined, 'finding')} hidden by the baseline."
    return headline


ALIGNMENT_LEGEND = (
    "Alignment: an entry is aligned when it traces to a value node, a narrative node and a declared "
    "priority, answers the decision questions, and no error or warning stands on it. Focus: the share "
    "of entries that serve the primary priority."
)


def stage_counts(score: AlignmentScore) -> str:
    """'conflicting execution 2, drift 1', or '-' when no entry is misaligned."""
    return ", ".join(f"{stage} {count}" for stage, count in score.stages.items()) or "-"


def held_back(scores: tuple[AlignmentScore, ...]) -> str | None:
    """How many entries count as misaligned only because of a waiver or the baseline."""
    overall = next((score for score in scores if score.function == OVERALL), None)
    if overall is None or not (overall.waived or overall.baselined):
        return None
    parts = [f"{plural(overall.waived, 'entry', 'entries')} by a waiver"] if overall.waived else []
    parts += [f"{plural(overall.baselined, 'entry', 'entries')} by the baseline"] if overall.baselined else []
    return f"Held back: {' and '.join(parts)}; they count as misaligned until the findings are fixed."


def render_summary(result: Report, *, color: bool = False) -> str:
    summary = result.summary
    headline = render_headline(result)
    if color:
        headline = click.style(headline, fg="red" if result.failed else "green", bold=True)
    fixable = fixable_line(result.diagnostics)
    lines = [
        headline,
        *([fixable] if fixable else []),
        "",
        ALIGNMENT_LEGEND,
    ]
    width = max([10, *(len(score.label) for score in summary.alignment)])
    lines.append(f"  {'function':<{width}} {'aligned':<16} {'focus':>5}  misaligned by stage")
    changes = {change.function: change for change in score_changes(result)}
    for score in summary.alignment:
        if score.function == OVERALL:
            lines.append("  " + "-" * (60 + width))
        aligned = (
            f"{score.percent():>4}  {score.aligned:>4}/{score.entries:<4}" if not score.incomplete else "incomplete"
        )
        row = f"  {score.label:<{width}} {aligned:<16} {score.focus_percent():>5}  {stage_counts(score)}"
        change = changes.get(score.function)
        if change is not None:
            points = change.signed_points()
            row += f"  (since base: {change.describe()}{', ' + points if points else ''})"
        lines.append(row)
    note = held_back(summary.alignment)
    if note is not None:
        lines.append(f"  {note}")
    lines.extend(f"\nNote: {note}" for note in summary.notes)
    return "\n".join(lines)


def missing_links(diagnostics: tuple[Diagnostic, ...], lacks: Mapping[str, str]) -> dict[int, tuple[Diagnostic, ...]]:
    """The findings of an entry that misses several links (no value, no narrative, no
    rationale...), by the ``id()`` of each: the whole group for the first of them, an empty
    one for the others. ``lacks`` says, by rule code, what a finding of that rule lacks."""
    by_entry: dict[tuple[str, str], list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        if diagnostic.code in lacks:
            by_entry.setdefault((diagnostic.path, diagnostic.subject.partition(":")[0]), []).append(diagnostic)
    groups: dict[int, tuple[Diagnostic, ...]] = {}
    for found in by_entry.values():
        if len({diagnostic.code for diagnostic in found}) > 1:
            groups |= {id(diagnostic): () for diagnostic in found}
            groups[id(found[0])] = tuple(found)
    return groups


def format_missing_links(group: tuple[Diagnostic, ...], lacks: Mapping[str, str], *, color: bool = False) -> str:
    """One line for an entry's missing links, at the first of them, with their codes."""
    first = group[0]
    worst = max(group, key=lambda diagnostic: diagnostic.severity)
    said = [f"{lacks[d.code]} ({d.code})" for d in group]
    listed = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
    entry = first.subject.partition(":")[0]
    codes = ", ".join(dict.fromkeys(d.code for d in group))
    line = format_diagnostic(
        replace(first, code=codes, severity=worst.severity, message=f"Entry '{entry}' lacks {listed}.", fix=None),
        color=color,
    )
    return line


def render(result: Report, *, color: bool = False, frames: bool = True) -> str:
    lines = []
    lacks = {rule.code: rule.lacks for rule in result.rules if rule.lacks}
    groups = missing_links(result.diagnostics, lacks)
    for diagnostic in result.diagnostics:
        group = groups.get(id(diagnostic))
        if group == ():
            continue  # told on the line of its entry's first missing link
        if group:
            lines.append(format_missing_links(group, lacks, color=color))
        else:
            lines.append(format_diagnostic(diagnostic, color=color, mark_fix=True))
        if frames:
            lines += code_frame(diagnostic, result.excerpts.get(diagnostic.path, ()), color=color)
    if lines:
        lines.append("")
    lines.append(render_summary(result, color=color))
    return "\n".join(lines) + "\n"
