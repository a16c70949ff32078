"""Inline suppressions and waivers, read from the comments of each file and applied by the
engine after the policy.

    key: value   # stratlint: disable=SL203,orphan-node -- reason      (this line)
    # stratlint: disable=SL203 -- reason                               (the next content line)
    # stratlint: disable-file=SL304 -- reason                          (the whole file; in the
                                                                         comments at the top)
    # stratlint: disable=SL203 until=2027-03-31 owner=pmm-lead -- reason   (a waiver)

Codes are rule codes or names. A waiver silences nothing after its date, and is reported.
Suppressions that silence nothing, name unknown rules or cannot be read are reported too
(SL901-SL904, positioned at the comment).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from stratlint.diagnostics import Diagnostic, Span
from stratlint.load.artifact import LoadedArtifact
from stratlint.load.source_map import RawSpan, parent_pointer
from stratlint.policy import Policy
from stratlint.rules import lookup
from stratlint.rules.suppression import (
    ExpiredWaiver,
    MalformedSuppression,
    UnknownSuppressionCode,
    UnusedSuppression,
)

_COMMENT = re.compile(r"(?:^|(?<=\s))#\s*stratlint\s*:")
_DIRECTIVE = re.compile(
    r"\s*(?P<directive>disable-file|disable)\s*=\s*(?P<codes>[A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)(?P<rest>.*)$"
)
_ANY_COMMENT = re.compile(r"#\s*stratlint\s*:")
_CODE = re.compile(r"[A-Za-z0-9_-]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_SYNTAX = "write '# stratlint: disable=CODE[,CODE] -- reason'"


@dataclass(frozen=True, slots=True)
class SuppressedCode:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Suppression:
    """One '# stratlint:' comment."""

    path: str
    span: Span
    """Where the comment is: the finding position for SL901-SL904."""
    text: str
    """The comment, from '#', trimmed: the fingerprint key for findings about it."""
    target: int | None = None
    """The line it silences; None for the whole file."""
    file_wide: bool = False
    codes: tuple[SuppressedCode, ...] = ()
    unknown: tuple[tuple[str, int], ...] = ()
    """Codes that name no rule, with their column."""
    until: date | None = None
    owner: str | None = None
    problem: str | None = None
    """Why the comment cannot be read; such a comment silences nothing."""

    def active(self, today: date) -> bool:
        return self.problem is None and (self.until is None or today <= self.until)

    def covers(self, diagnostic: Diagnostic) -> bool:
        return (self.file_wide or self.target == diagnostic.line) and any(c.code == diagnostic.code for c in self.codes)


def parse_suppressions(path: str, text: str, values: Mapping[str, RawSpan] | None = None) -> list[Suppression]:
    """Every '# stratlint:' comment in ``text``. Never raises.

    ``values`` (the source map's value spans) tells comments from text that only looks like
    one, inside a quoted or block scalar; without it every match counts."""
    if _ANY_COMMENT.search(text) is None:
        return []
    lines = text.splitlines()
    scalars = _leaf_spans(values) if values else {}
    found: list[Suppression] = []
    in_header = True
    for index, line in enumerate(lines):
        stripped = line.strip()
        is_content = bool(stripped) and not stripped.startswith(("#", "%")) and stripped != "---"
        for match in _COMMENT.finditer(line):
            if not _inside(scalars, index + 1, match.start() + 1):
                found.append(_parse_one(path, lines, index, match, in_header))
                break
        if is_content:
            in_header = False
    return found


def _leaf_spans(values: Mapping[str, RawSpan]) -> dict[int, list[RawSpan]]:
    """The spans of values that hold no other value (scalars, empty collections), by line."""
    parents = {parent_pointer(pointer) for pointer in values if pointer}
    by_line: dict[int, list[RawSpan]] = {}
    for pointer, span in values.items():
        if pointer not in parents:
            for line in range(span[0], span[2] + 1):
                by_line.setdefault(line, []).append(span)
    return by_line


def _inside(spans: Mapping[int, list[RawSpan]], line: int, column: int) -> bool:
    return any((start, first) <= (line, column) < (end, last) for start, first, end, last in spans.get(line, ()))


def _parse_one(path: str, lines: Sequence[str], index: int, match: re.Match[str], in_header: bool) -> Suppression:
    line = lines[index]
    start = match.start()
    span = Span(index + 1, start + 1, index + 1, len(line.rstrip()) + 1)
    comment = line[start:].strip()
    standalone = not line[:start].strip()
    body = line[match.end() :]
    head, _, _reason = body.partition("--")
    head = head.split("#", 1)[0]  # a second comment may follow, e.g. '# expect: SL201' in fixtures
    directive = _DIRECTIVE.match(head)
    base = Suppression(path, span, comment)
    if directive is None:
        return _malformed(base, f"this '# stratlint:' comment is not understood; {_SYNTAX}")
    codes: list[SuppressedCode] = []
    unknown: list[tuple[str, int]] = []
    codes_offset = match.end() + directive.start("codes")
    for code_match in _CODE.finditer(directive.group("codes")):
        rule = lookup(code_match.group())
        if rule is None:
            unknown.append((code_match.group(), codes_offset + code_match.start() + 1))
        elif all(c.code != rule.code for c in codes):
            codes.append(SuppressedCode(rule.code, rule.name))
    until, owner = None, None
    for token in directive.group("rest").split():
        key, sep, value = token.partition("=")
        if key == "until" and sep and _DATE.match(value):
            try:
                until = date.fromisoformat(value)
            except ValueError:
                return _malformed(base, f"'{value}' is not a date; write until=YYYY-MM-DD")
        elif key == "until":
            return _malformed(base, f"'{token}' has no valid date; write until=YYYY-MM-DD")
        elif key == "owner" and sep and value:
            owner = value
        else:
            return _malformed(base, f"'{token}' is not understood; after the codes, use until=YYYY-MM-DD owner=NAME")
    file_wide = directive.group("directive") == "disable-file"
    if file_wide and not (standalone and in_header):
        return _malformed(
            base, "'disable-file' must be in the comments at the top of the file, before the first line of content"
        )
    target = None if file_wide else (index + 1 if not standalone else _next_content_line(lines, index))
    return Suppression(
        path,
        span,
        comment,
        target=target,
        file_wide=file_wide,
        codes=tuple(codes),
        unknown=tuple(unknown),
        until=until,
        owner=owner,
    )


def _malformed(base: Suppression, problem: str) -> Suppression:
    return Suppression(base.path, base.span, base.text, problem=problem)


def _next_content_line(lines: Sequence[str], index: int) -> int | None:
    for later in range(index + 1, len(lines)):
        stripped = lines[later].strip()
        if stripped and not stripped.startswith("#"):
            return later + 1
    return None


@dataclass(slots=True)
class SuppressionOutcome:
    kept: list[Diagnostic]
    """The findings that still count, including those about the suppressions themselves."""
    waived: int = 0
    """Findings silenced by an unexpired waiver (a suppression with until=)."""
    waived_in: dict[str, int] = field(default_factory=dict)
    """``waived``, by file."""


def apply_suppressions(
    diagnostics: Iterable[Diagnostic], loaded: Iterable[LoadedArtifact], policy: Policy, today: date
) -> SuppressionOutcome:
    """Drop the findings that a comment silences; report the comments that silence nothing,
    name unknown rules, cannot be read, or are waivers past their date."""
    artifacts = {artifact.path: artifact for artifact in loaded if artifact.text}
    # Positions are built only for files that hold a '# stratlint:' comment at all: most
    # files have none, and their positions are otherwise never needed.
    by_path = {
        path: parse_suppressions(path, artifact.text, artifact.source_map.values)
        for path, artifact in artifacts.items()
        if _ANY_COMMENT.search(artifact.text) is not None
    }
    by_path = {path: found for path, found in by_path.items() if found}
    outcome = SuppressionOutcome(kept=[])
    used: set[tuple[int, str]] = set()
    for diagnostic in diagnostics:
        if not _silence(diagnostic, by_path, today, used, outcome):
            outcome.kept.append(diagnostic)
    # Findings about the comments may themselves be silenced ('disable-file=unknown-suppression-code'),
    # and only then is it known which codes were used.
    for diagnostic in policy.apply(_broken(by_path, today)):
        if not _silence(diagnostic, by_path, today, used, outcome):
            outcome.kept.append(diagnostic)
    for diagnostic in policy.apply(_unused(by_path, artifacts, policy, today, used)):
        if not _silence(diagnostic, by_path, today, used, outcome):
            outcome.kept.append(diagnostic)
    return outcome


def _silence(
    diagnostic: Diagnostic,
    by_path: dict[str, list[Suppression]],
    today: date,
    used: set[tuple[int, str]],
    outcome: SuppressionOutcome,
) -> bool:
    candidates = [s for s in by_path.get(diagnostic.path, ()) if s.active(today) and s.covers(diagnostic)]
    if not candidates:
        return False
    # The line's own comment before a file-wide one, so the line's comment counts as used.
    chosen = min(candidates, key=lambda s: s.file_wide)
    used.add((id(chosen), diagnostic.code))
    if chosen.until is not None:
        outcome.waived += 1
        outcome.waived_in[diagnostic.path] = outcome.waived_in.get(diagnostic.path, 0) + 1
    return True


def _broken(by_path: dict[str, list[Suppression]], today: date) -> list[Diagnostic]:
    """Comments that cannot be read, name unknown rules, or are waivers past their date."""
    found: list[Diagnostic] = []
    for path, suppressions in by_path.items():
        for s in suppressions:
            if s.problem is not None:
                found.append(
                    MalformedSuppression().at(path, s.span, f"The suppression cannot be read: {s.problem}.", key=s.text)
                )
                continue
            for code, column in s.unknown:
                span = Span(s.span.line, column, s.span.line, column + len(code))
                found.append(
                    UnknownSuppressionCode().at(
                        path,
                        span,
                        f"The suppression names '{code}', which is not a rule; it silences nothing. "
                        "Write a rule's code or name ('stratlint rules' lists them).",
                        key=f"{s.text}:{code}",
                    )
                )
            if not s.active(today) and s.until is not None:
                owner = f"owned by {s.owner}" if s.owner else "with no owner"
                codes = ", ".join(c.name for c in s.codes) or "nothing"
                found.append(
                    ExpiredWaiver().at(
                        path,
                        s.span,
                        f"The waiver for {codes}, {owner}, expired on {s.until.isoformat()}; the findings it "
                        f"hid are reported again. Fix them and delete the comment, or agree a new date"
                        f"{' with ' + s.owner if s.owner else ''} and change 'until='.",
                        key=s.text,
                    )
                )
    return found


def _unused(
    by_path: dict[str, list[Suppression]],
    artifacts: dict[str, LoadedArtifact],
    policy: Policy,
    today: date,
    used: set[tuple[int, str]],
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for path, suppressions in by_path.items():
        if artifacts[path].model is None:
            # Most rules could not look at a file that did not load, so a suppression
            # there cannot be told unused.
            continue
        for s in suppressions:
            if not s.active(today):
                continue
            if any(c.code == UnusedSuppression.code for c in s.codes):
                continue  # the comment silences its own unused-suppression finding
            unused = [
                c
                for c in s.codes
                if (id(s), c.code) not in used
                # A rule that is not enabled here could not have matched anything.
                and policy.enabled(c.code, c.name)
                and not policy.ignored_at(path, c.code, c.name)
            ]
            if unused:
                names = ", ".join(c.name for c in unused)
                where = "in this file" if s.file_wide else "on this line"
                found.append(
                    UnusedSuppression().at(
                        path,
                        s.span,
                        f"The suppression of {names} matches no finding {where}; delete "
                        f"{'it' if len(unused) == len(s.codes) else 'those codes'}.",
                        key=f"{s.text}:{','.join(c.code for c in unused)}",
                    )
                )
    return found
