"""The suppression step: after every rule has run and the policy has chosen what counts,
drop the findings that a '# stratlint:' comment silences, and report the comments that
silence nothing, name unknown rules, cannot be read, or are waivers past their date
(SL901-SL904, at the comment). The loader found the comments (stratlint.load.suppressions);
this step knows the rules and the findings, so only it can tell what each comment did.

A waiver (a suppression with until=) silences nothing after its date, and is reported.
What a comment silences is not lost: each such finding is kept as a ``Silenced`` value,
with the comment's reason, for the formats that carry it (SARIF's ``suppressions``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Literal

from stratlint.analysis.policy import Policy
from stratlint.diagnostics import Diagnostic, Span
from stratlint.load.artifact import LoadedArtifact
from stratlint.load.source_map import RawSpan
from stratlint.load.suppressions import SuppressionComment, find_comments
from stratlint.rules import BUILT_IN, RuleSet
from stratlint.rules.suppression import (
    ExpiredWaiver,
    MalformedSuppression,
    UnknownSuppressionCode,
    UnusedSuppression,
)


@dataclass(frozen=True, slots=True)
class SuppressedCode:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Suppression(SuppressionComment):
    """One '# stratlint:' comment of a file, its codes resolved to rules."""

    path: str = ""
    codes: tuple[SuppressedCode, ...] = ()
    unknown: tuple[tuple[str, int], ...] = ()
    """Codes that name no rule, with their column."""

    def active(self, today: date) -> bool:
        return self.problem is None and (self.until is None or today <= self.until)

    def covers(self, diagnostic: Diagnostic) -> bool:
        return (self.file_wide or self.target == diagnostic.line) and any(c.code == diagnostic.code for c in self.codes)


def resolve(path: str, comment: SuppressionComment, rules: RuleSet = BUILT_IN) -> Suppression:
    """The comment with each code or name it lists resolved to a rule of ``rules``."""
    codes: list[SuppressedCode] = []
    unknown: list[tuple[str, int]] = []
    for token, column in comment.tokens:
        rule = rules.lookup(token)
        if rule is None:
            unknown.append((token, column))
        elif all(c.code != rule.code for c in codes):
            codes.append(SuppressedCode(rule.code, rule.name))
    written = {item.name: getattr(comment, item.name) for item in fields(comment)}
    return Suppression(**written, path=path, codes=tuple(codes), unknown=tuple(unknown))


def parse_suppressions(path: str, text: str, values: Mapping[str, RawSpan] | None = None) -> list[Suppression]:
    """Every '# stratlint:' comment in ``text``, resolved. Never raises."""
    return [resolve(path, comment) for comment in find_comments(text, values)]


SilencedBy = Literal["comment", "waiver", "baseline"]


@dataclass(frozen=True, slots=True)
class Silenced:
    """A finding that is not reported, and what silenced it: a '# stratlint:' comment, a
    waiver (a comment with until=, an agreed exception) or the baseline. ``reason`` is the
    justification as the user wrote it, or what stands for one."""

    diagnostic: Diagnostic
    by: SilencedBy
    reason: str


def justification(s: SuppressionComment) -> str:
    """Why a comment silences what it does: its reason after '--', with a waiver's terms."""
    reason = s.reason or f"Silenced by '{s.text}'."
    if s.until is None:
        return reason
    return f"{reason} (a waiver until {s.until.isoformat()}, owned by {s.owner})"


@dataclass(slots=True)
class SuppressionOutcome:
    kept: list[Diagnostic]
    """The findings that still count, including those about the suppressions themselves."""
    silenced: list[Silenced] = field(default_factory=list)
    """Every finding a comment silences, in the order it was silenced."""

    @property
    def waived(self) -> list[Diagnostic]:
        """Findings silenced by an unexpired waiver (a suppression with until=): they still
        count against the alignment score."""
        return [s.diagnostic for s in self.silenced if s.by == "waiver"]


def apply_suppressions(
    diagnostics: Iterable[Diagnostic],
    loaded: Iterable[LoadedArtifact],
    policy: Policy,
    today: date,
    rules: RuleSet = BUILT_IN,
) -> SuppressionOutcome:
    """Drop the findings that a comment silences (``diagnostics`` are the policy's choice
    already); report the comments that silence nothing, name unknown rules, cannot be read,
    or are waivers past their date. The policy chooses among those findings too, and a
    comment may silence them ('disable-file=unknown-suppression-code')."""
    step = _Step(loaded, today, rules)
    kept = [diagnostic for diagnostic in diagnostics if not step.silence(diagnostic)]
    # Only once the rules' findings are silenced is it known which codes a comment used;
    # findings about unreadable or unknown codes may be silenced before that count is made.
    kept += [d for d in policy.apply(step.broken()) if not step.silence(d)]
    kept += [d for d in policy.apply(step.unused(policy)) if not step.silence(d)]
    return SuppressionOutcome(kept, step.silenced)


class _Step:
    def __init__(self, loaded: Iterable[LoadedArtifact], today: date, rules: RuleSet) -> None:
        self.today = today
        self.loaded = {artifact.path: artifact for artifact in loaded}
        self.by_path: dict[str, list[Suppression]] = {}
        for path, artifact in self.loaded.items():
            found = [resolve(path, comment, rules) for comment in artifact.comments]
            if found:
                self.by_path[path] = found
        self.used: set[tuple[int, str]] = set()
        self.silenced: list[Silenced] = []

    def silence(self, diagnostic: Diagnostic) -> bool:
        candidates = [s for s in self.by_path.get(diagnostic.path, ()) if s.active(self.today) and s.covers(diagnostic)]
        if not candidates:
            return False
        # The line's own comment before a file-wide one, so the line's comment counts as used.
        chosen = min(candidates, key=lambda s: s.file_wide)
        self.used.add((id(chosen), diagnostic.code))
        by: SilencedBy = "comment" if chosen.until is None else "waiver"
        self.silenced.append(Silenced(diagnostic, by, justification(chosen)))
        return True

    def broken(self) -> list[Diagnostic]:
        """Comments that cannot be read, name unknown rules, or are waivers past their date."""
        found: list[Diagnostic] = []
        for path, suppressions in self.by_path.items():
            for s in suppressions:
                if s.problem is not None:
                    found.append(
                        MalformedSuppression.at(
                            path, s.span, f"The suppression cannot be read: {s.problem}.", subject=s.text
                        )
                    )
                    continue
                for code, column in s.unknown:
                    span = Span(s.span.line, column, s.span.line, column + len(code))
                    found.append(
                        UnknownSuppressionCode.at(
                            path,
                            span,
                            f"The suppression names '{code}', which is not a rule; it silences nothing. "
                            "Write a rule's code or name ('stratlint rules' lists them).",
                            subject=f"{s.text}:{code}",
                        )
                    )
                if not s.active(self.today) and s.until is not None:
                    found.append(_expired(path, s))
        return found

    def unused(self, policy: Policy) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        for path, suppressions in self.by_path.items():
            if self.loaded[path].model is None:
                # Most rules could not look at a file that did not load, so a suppression
                # there cannot be told unused.
                continue
            for s in suppressions:
                if not s.active(self.today) or any(c.code == UnusedSuppression.code for c in s.codes):
                    continue  # (a comment that silences its own unused-suppression finding)
                unused = [
                    c
                    for c in s.codes
                    if (id(s), c.code) not in self.used
                    # A rule that is not enabled here could not have matched anything.
                    and policy.enabled(c.code, c.name)
                    and not policy.ignored_at(path, c.code, c.name)
                ]
                if unused:
                    found.append(_unused(path, s, unused))
        return found


def _expired(path: str, s: Suppression) -> Diagnostic:
    owner = f"owned by {s.owner}" if s.owner else "with no owner"
    codes = ", ".join(c.name for c in s.codes) or "nothing"
    return ExpiredWaiver.at(
        path,
        s.span,
        f"The waiver for {codes}, {owner}, expired on {s.until.isoformat() if s.until else ''}; the findings it "
        f"hid are reported again. Fix them and delete the comment, or agree a new date"
        f"{' with ' + s.owner if s.owner else ''} and change 'until='.",
        subject=s.text,
    )


def _unused(path: str, s: Suppression, unused: Sequence[SuppressedCode]) -> Diagnostic:
    names = ", ".join(c.name for c in unused)
    where = "in this file" if s.file_wide else "on this line"
    return UnusedSuppression.at(
        path,
        s.span,
        f"The suppression of {names} matches no finding {where}; delete "
        f"{'it' if len(unused) == len(s.codes) else 'those codes'}.",
        subject=f"{s.text}:{','.join(c.code for c in unused)}",
    )
